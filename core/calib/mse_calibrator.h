// MseCalibrator: the clip range minimizing the expected squared quantization error.
#pragma once

#include "core/calib/calibrator.h"

namespace qv {

// Estimate (from the summary, microseconds): pytorch-quantization's `_compute_amax_mse` —
// a 2048-bin |x| histogram over [0, max|x|]; each bin centre c_i with i ≥ 128 is a candidate
// amax; all bin centres are fake-quantized with the scheme's grid for that amax and
// mse(i) = Σ count·(Q(c) − c)² (the tool divides by the bin count, which does not move the
// argmin); the first argmin wins (for summaries of fewer than 16384 values — channel and group
// slices, which the exact refinement then settles — every 8th candidate only). Asymmetric
// schemes (pytorch-quantization has none): a
// 1024-bin histogram over [min, max] and coordinate descent on (lo, hi), each end over 128
// candidates on bin edges, two rounds, the same bin-centre error.
// Refinement (exact, on the data): the true Σ (x − Q(x))² minimized by a grid then
// golden-section search in [0.8, 1.25]× the estimate (per end, alternately, when asymmetric).
class MseCalibrator final : public Calibrator {
public:
    std::string name() const override { return "mse"; }
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;
    bool hasRefinement() const override { return true; }
    ClipRange refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const override;

    static constexpr size_t kStartBin = 128;  // pytorch-quantization start_bin
    // Below this many values (channel / group slices) the estimate tries every 8th candidate
    // only; the exact refinement then searches the data itself.
    static constexpr uint64_t kFullSearchMinValues = 16384;
};

// Exact refinement shared with OMSE: minimizes Σ (x − Q(x))² over the finite values near `estimate`.
ClipRange refineSquaredError(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate);

}  // namespace qv
