// CrossEntropyCalibrator: keeps a softmax input's distribution — min CE(softmax(v), softmax(v̂)) (seeds).
#pragma once

#include <span>

#include "core/calib/calibrator.h"

namespace qv {

// For tensors whose largest values must keep their order and relative size (logits / softmax
// inputs, attention scores) the seeds choose the clip minimizing the cross-entropy
// CE(p, q) = −Σ p_i log q_i with p = softmax(v), q = softmax(v̂), v̂ = Q(v) fake-quantized.
// Choice made here: the whole tensor is taken as ONE logits vector, in its own units
// (temperature 1). Since CE = H(p) + KL(p‖q), the clip that minimizes it preserves the softmax
// distribution; CE is computed as logsumexp(v̂) − Σ p_i v̂_i, where the logsumexp runs over the
// grid's codes (v̂ takes at most 2^b values), so a candidate costs one cheap pass over v.
// Estimate: v = the 2048 bin centres of the summary's histogram over [min, max], weighted by
// their counts — NOT the summary's strided sample: the softmax is dominated by the few largest
// values, which a sample usually misses (the histogram's last bin holds the maximum).
// Candidates: the range [min, max] (or ±max|x|) scaled by f = 0.04, 0.08, …, 1 (25 points),
// then golden-section search around the best. refine() searches f within ±10% of the
// estimate's on every value (parallel), keeping the best of that, the estimate and min-max.
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
