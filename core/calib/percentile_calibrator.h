// PercentileCalibrator: clips at the p-th percentile of |x| (symmetric) or splits the tails (asymmetric).
#pragma once

#include "core/calib/calibrator.h"

namespace qv {

// Symmetric (pytorch-quantization HistogramCalibrator "percentile", ONNX Runtime
// PercentileCalibrater with symmetric=True): |x| histogram with 2048 bins over [0, max|x|],
// cdf = cumsum(hist / total), idx = searchsorted(cdf, p/100) (first bin whose cdf ≥ p/100),
// amax = bin_edges[idx] — the LOWER edge of that bin, as both tools return it.
// Asymmetric (ONNX Runtime, symmetric=False): histogram of x with 2048 bins over [−T, T],
// T = max|x|; (100 − p)/2 percent is cut from each tail: lo = edges[searchsorted(cdf, cut)],
// hi = edges[searchsorted(cdf, 1 − cut)], cut = (100 − p)/200.
// Both from the summary's fine histogram (rebinned), so a slider move costs microseconds;
// nothing to refine (the tools themselves work on this histogram).
class PercentileCalibrator final : public Calibrator {
public:
    static constexpr double kDefaultPercentile = 99.99;  // pytorch-quantization default
    explicit PercentileCalibrator(double percentile = kDefaultPercentile) : m_percentile(percentile) {}
    std::string name() const override { return "percentile"; }
    std::string arg() const override;
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;
    double percentile() const { return m_percentile; }

    // The searchsorted/edge rule on a histogram over [lo, hi] (exposed for tests).
    static size_t searchSorted(const std::vector<double>& hist, double fraction);

private:
    double m_percentile;
};

}  // namespace qv
