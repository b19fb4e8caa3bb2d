// PercentileCalibrator: pytorch-quantization / ONNX Runtime percentile calibration (see header).
#include "core/calib/percentile_calibrator.h"

#include <algorithm>
#include <cstdio>

#include "core/calib/calib_math.h"

namespace qv {

std::string PercentileCalibrator::arg() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", m_percentile);
    return buf;
}

std::string PercentileCalibrator::description() const {
    return "Percentile: clips at the p-th percentile of |x| (2048-bin histogram, the bin edge where the "
           "cumulative share first reaches p%); asymmetric schemes cut (100-p)/2 % from each tail. "
           "pytorch-quantization (default 99.99) and ONNX Runtime (default 99.999).";
}

size_t PercentileCalibrator::searchSorted(const std::vector<double>& hist, double fraction) {
    // numpy: cdf = cumsum(hist / total); searchsorted(cdf, v, side='left') = first i with cdf[i] >= v.
    double total = 0;
    for (double h : hist) total += h;
    if (!(total > 0)) return hist.size();
    double cdf = 0;
    for (size_t i = 0; i < hist.size(); ++i) {
        cdf += hist[i] / total;
        if (cdf >= fraction) return i;
    }
    return hist.size();
}

ClipRange PercentileCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary)) return degenerateRange(summary, scheme);
    const double amax = summary.absMax;
    if (scheme.symmetric()) {
        std::vector<double> hist = absHistogram(summary, kCalibBins);
        size_t idx = searchSorted(hist, m_percentile / 100.0);
        double edge = amax * static_cast<double>(idx) / static_cast<double>(kCalibBins);
        return symmetricRange(edge);
    }
    std::vector<double> hist = linearHistogram(summary, -amax, amax, kCalibBins);
    const double cut = (100.0 - m_percentile) / 200.0;
    size_t left = searchSorted(hist, cut);
    size_t right = searchSorted(hist, 1.0 - cut);
    const double width = 2.0 * amax / static_cast<double>(kCalibBins);
    return {-amax + width * static_cast<double>(left), -amax + width * static_cast<double>(right)};
}

}  // namespace qv
