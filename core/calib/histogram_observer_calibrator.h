// HistogramObserverCalibrator: PyTorch HistogramObserver's L2 range search (name `histogram`).
#pragma once

#include <vector>

#include "core/calib/calibrator.h"

namespace qv {

// PyTorch torch.ao.quantization.HistogramObserver (`_non_linear_param_search` and
// `_compute_quantization_error`), reproduced from its documented algorithm:
//  - a histogram of x over [min, max] with 2048 bins (the observer's default `bins`);
//  - the range [start_bin, end_bin] is narrowed from both tails: quantile bounds α (from 0)
//    and β (from 1) move by 1e-5; at each step the tail whose move would drop more bins is
//    moved (l − start > end − r → move the start); whenever the bins change, the L2 error of
//    quantizing the whole histogram into dst_nbins = 2^bits levels spread over
//    [start_bin, end_bin + 1) is computed, assuming values are uniform within each source
//    bin (∫ density·x² dx per overlap of a source bin with a destination bin, clipped bins
//    counted against the end levels); the search STOPS at the first step whose error is larger
//    than the previous one (a greedy descent, not a global minimum);
//  - result [min + w·start_bin, min + w·(end_bin + 1)]; symmetric schemes take ±max(|lo|, |hi|)
//    as PyTorch's symmetric qparams do.
// PyTorch uses 2^8 destination bins for its 8-bit dtypes; 2^bits generalizes that.
// Everything from the summary's histogram, so nothing to refine.
class HistogramObserverCalibrator final : public Calibrator {
public:
    static constexpr size_t kBins = 2048;
    static constexpr double kStepSize = 1e-5;
    std::string name() const override { return "histogram"; }
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;

    // The search on a histogram of bins equal bins over [0, 1): returns (start_bin, end_bin).
    static std::pair<size_t, size_t> search(const std::vector<double>& hist, size_t dstBins);
    // L2 error of quantizing `hist` into dstBins levels over bins [start, end] (bin width 1).
    static double quantizationError(const std::vector<double>& hist, size_t start, size_t end, size_t dstBins);
};

}  // namespace qv
