// CrossEntropyCalibrator: keeps a softmax input's distribution — min CE(softmax(v), softmax(v̂)) (seeds).
#pragma once

#include <span>

#include "core/calib/calibrator.h"

namespace qv {

// For tensors whose largest values must keep their order and relative size (logits / softmax
// inputs, attention scores) the seeds choose the clip minimizing the cross-entropy
// CE(p, q) = −Σ p_i log q_i with p = softmax(v), q = softmax(v̂), v̂ = Q(v) fake-quantized.
// Choice made here: the tensor (its summary's evenly strided sample of up to 65536 values, or
// the whole data in refine()) is taken as ONE logits vector, in its own units (temperature 1).
// Since CE = H(p) + KL(p‖q), the clip that minimizes it preserves the softmax distribution;
// CE is computed as logsumexp(v̂) − Σ p_i v̂_i, where the sum over v̂ runs over the grid's
// codes (v̂ takes at most 2^b values), so a candidate costs one cheap pass over v.
// Candidates: the range [min, max] (or ±max|x|) scaled by f = 1, 0.98, …, 0.04 (48 steps),
// then golden-section search around the best. refine() repeats the search on all the data.
class CrossEntropyCalibrator final : public Calibrator {
public:
    std::string name() const override { return "cross-entropy"; }
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;
    bool hasRefinement() const override { return true; }
    ClipRange refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const override;

    // CE(softmax(v), softmax(Q(v))) for the clip `range` (exposed for tests).
    static double crossEntropy(std::span<const float> v, const QuantScheme& scheme, ClipRange range);
};

}  // namespace qv
