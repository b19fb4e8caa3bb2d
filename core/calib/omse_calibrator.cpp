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
    const ClipRange full = scheme.symmetric() ? symmetricRange(summary.absMax)
                                                                  : ClipRange{summary.min, summary.max};
    const std::vector<float>& v = summary.sample;
    const std::vector<float> ones(v.size(), 1.0f);
    auto error = [&](int step) {  // the range shrunk by `step` percent
        const double f = 1.0 - kShrinkStep * step;
        return weightedQuantError(v.data(), ones.data(), v.size(), gridFor(scheme, {full.lo * f, full.hi * f}));
    };
    // The 1%-step walk, visited coarse-to-fine for speed: every 5th step until kPatience steps
    // pass without improvement, then the 1% steps within ±4 of the best coarse step.
    double best = HUGE_VAL;
    int bestStep = 0;
    for (int k = 0; k < 100 && k - bestStep <= kPatience; k += 5) {
        const double e = error(k);
        if (e < best) { best = e; bestStep = k; }
    }
    const int coarse = bestStep;
    for (int k = std::max(coarse - 4, 0); k <= std::min(coarse + 4, 99); ++k) {
        if (k == coarse) continue;
        const double e = error(k);
        if (e < best) { best = e; bestStep = k; }
    }
    const double f = 1.0 - kShrinkStep * bestStep;
    return {full.lo * f, full.hi * f};
}

ClipRange OmseCalibrator::refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const {
    return refineSquaredError(values, scheme, estimate);
}

}  // namespace qv
