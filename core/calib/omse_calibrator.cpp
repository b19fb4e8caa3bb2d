// OmseCalibrator: shrink-the-range search of ‖x − Q(x)‖₂ on the sample, exact on the data (see header).
#include "core/calib/omse_calibrator.h"

#include <algorithm>
#include <cmath>

#include "core/calib/calib_math.h"
#include "core/calib/mse_calibrator.h"

namespace qv {

std::string OmseCalibrator::description() const {
    return "OMSE (Choukroun et al. 2019): shrinks the min-max range 1% per step and keeps the scale "
           "with the smallest ||x - Q(x)||_2 on the data itself (the summary's sample while dragging, "
           "every value on release).";
}

ClipRange OmseCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary) || summary.sample.empty()) return degenerateRange(summary, scheme);
    const ClipRange full = scheme.symmetry == Symmetry::Symmetric ? symmetricRange(summary.absMax)
                                                                  : ClipRange{summary.min, summary.max};
    const std::vector<float>& v = summary.sample;
    const std::vector<float> ones(v.size(), 1.0f);
    double best = HUGE_VAL;
    ClipRange bestRange = full;
    int sinceBest = 0;
    for (int k = 0; k < 100 && sinceBest < kPatience; ++k) {
        const double f = 1.0 - kShrinkStep * k;
        const ClipRange r{full.lo * f, full.hi * f};
        const double e = weightedQuantError(v.data(), ones.data(), v.size(), gridFor(scheme, r));
        if (e < best) {
            best = e;
            bestRange = r;
            sinceBest = 0;
        } else {
            ++sinceBest;
        }
    }
    return bestRange;
}

ClipRange OmseCalibrator::refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const {
    return refineSquaredError(values, scheme, estimate);
}

}  // namespace qv
