// FakeQuant: quantize-then-dequantize in float with the project's Quantizer, and the straight-through
// estimator (STE) that lets gradients pass through the rounding in training.
#pragma once

#include <cstdint>
#include <span>

#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"

namespace qv {

// Weights: int`bits`, symmetric restricted (±(2^(b−1)−1), z = 0), one scale per output channel (row of a
// Linear weight [out, in]), clip range = min-max of the row. At 2 bits that is ternary {−s, 0, s}.
QuantScheme qatWeightScheme(int bits);
// Activations: uint`bits`, asymmetric (0..2^b−1 with a zero point), one scale per tensor: a ReLU
// output is one-sided, so an asymmetric grid uses every code (a symmetric one would waste half).
QuantScheme qatActivationScheme(int bits);

// Fake quantization x̂ = dequantize(quantize(x)) of every value, exactly as Quantizer::fakeQuantize.
// `pass[i]` (may be empty) is the STE mask: 1 when x[i]'s code did not saturate (round(x/s) + z inside
// [qmin, qmax]), 0 when it was clipped. Weights: one clip range per row (rows × cols row-major),
// min-max of the row, so no weight is ever clipped and the mask is all ones; activations: one range.
void fakeQuantWeights(std::span<const float> w, int rows, int cols, int bits, std::span<float> out,
                      std::span<uint8_t> pass);
void fakeQuantActivations(std::span<const float> a, ClipRange range, int bits, std::span<float> out,
                          std::span<uint8_t> pass);

// The straight-through estimator, "clipped" variant (Bengio, Léonard, Courville 2013, arXiv 1308.3432;
// Jacob et al. 2018, arXiv 1712.05877 §3; PyTorch's FakeQuantize backward): the rounding is treated as
// the identity, so dL/dx = dL/dx̂ where x was inside the clip range, and 0 where it was clipped (the
// clamp's true derivative). gradIn may alias gradOut.
void steBackward(std::span<const float> gradOut, std::span<const uint8_t> pass, std::span<float> gradIn);

// Activation range observer: min/max of the first batch, then an exponential moving average of each
// batch's min and max, r ← r + c·(batch − r) (PyTorch MovingAverageMinMaxObserver, averaging constant c).
struct RangeObserver {
    ClipRange range;
    bool initialized = false;
    double averaging = 0.01;
    void observe(ClipRange batch);
};

// [min, max] of the values (0, 0 when empty).
ClipRange minMaxOf(std::span<const float> v);

}  // namespace qv
