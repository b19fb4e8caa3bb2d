// LSQ: learned step size quantization (Esser, McKinstry, Bablani, Appuswamy, Modha, "Learned Step Size
// Quantization", ICLR 2020, arXiv 1902.08153) — fake quantization whose step s is a trained parameter,
// the gradient ∂x̂/∂s, its scale g and the initial step, on top of the project's Quantizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/quant/quant_scheme.h"

namespace qv {

// The steps of one layer of the TinyMlp (and, with the same shape, their gradients): one per output
// channel for the weights (z = 0, symmetric restricted, as qatWeightScheme), one for the layer's input
// activation with a zero point that stays fixed (as qatActivationScheme: 0 after a ReLU).
struct LsqSteps {
    std::vector<float> weight;  // out
    float input = 1.0f;
    int32_t inputZero = 0;
};

// ∂x̂/∂s for one value, with x̂ = s·(q − z), q = clamp(round_half_even(x/s) + z, qmin, qmax), the
// rounding passed straight through (∂round(u)/∂u := 1, the STE):
//   code inside [qmin, qmax]:  x̂ = s·round(x/s)            → ∂x̂/∂s = round(x/s) + s·(−x/s²) = round(x/s) − x/s
//   code clamped:              x̂ = s·(qmin − z) or s·(qmax − z), constant in x → ∂x̂/∂s = qmin − z or qmax − z
// (LSQ eq. 3 with −Q_N = qmin − z, Q_P = qmax − z). "Inside" is decided on the rounded code, as the
// Quantizer's `clipped` and the STE mask of fake_quant.h decide it (and PyTorch's
// _fake_quantize_learnable_per_tensor_affine backward). The paper tests x/s against the bounds before
// rounding; the two differ only within half a step beyond the last level, where x̂ is the same and the
// paper's gradient is the bound Q_P, ours Q_P − x/s ∈ (−½, 0].
// `code` and `clipped` are what Quantizer::quantize(x, clipped) returned for x.
inline float lsqStepGradient(float x, float step, int32_t code, int32_t zero, bool clipped) {
    const float q = static_cast<float>(code - zero);
    return clipped ? q : q - x / step;
}

// Fake quantization with step `step` and zero point `zero` (kept as the Quantizer clamps it) through
// qv::Quantizer: out = x̂, pass = the STE mask (1 where the code did not saturate), dStep = ∂x̂/∂s
// (lsqStepGradient). pass and dStep may be empty. out may alias x.
void fakeQuantStep(std::span<const float> x, const QuantScheme& scheme, float step, int32_t zero,
                   std::span<float> out, std::span<uint8_t> pass, std::span<float> dStep);

// Weights [rows, cols] row-major, qatWeightScheme(bits), the step of row r = steps[r], z = 0.
void fakeQuantWeightsStep(std::span<const float> w, int rows, int cols, int bits, std::span<const float> steps,
                          std::span<float> out, std::span<uint8_t> pass, std::span<float> dStep);

// Q_P, the largest positive code relative to the zero point: qmax − z (at least 1). Weights at b bits:
// 2^(b−1) − 1 (1 at 2 bits); activations after a ReLU (z = 0): 2^b − 1.
int32_t lsqPositiveLevels(const QuantScheme& scheme, int32_t zero);

// LSQ §2.2: the step's gradient is multiplied by g = 1/√(N·Q_P), N the number of values sharing the step
// (the paper's N_W for weights; N_F, the features of one example, for activations), so that the step's
// update is about as large relative to s as a weight's is relative to the weight.
double lsqGradScale(size_t n, int32_t qp);

// LSQ §2 (Methods, where the step size is introduced): initial step s = 2·mean|x|/√Q_P (0 for an empty or
// all-zero x: the caller picks a fallback).
float lsqInitialStep(std::span<const float> x, int32_t qp);

}  // namespace qv
