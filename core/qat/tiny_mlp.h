// TinyMlp: a small fully connected ReLU network (e.g. 2→32→32→3) with a forward pass that can
// fake-quantize its weights and activations (min-max ranges or LSQ steps), softmax cross-entropy, and the
// backward pass (with the STE, and the steps' gradients).
#pragma once

#include <cstdint>
#include <vector>

#include "core/qat/lsq.h"
#include "core/quant/quant_params.h"

namespace qv {

// One Linear layer: z = W·a + b, W stored [out, in] row-major (as PyTorch's Linear.weight).
struct DenseLayer {
    int in = 0, out = 0;
    std::vector<float> w;  // out × in
    std::vector<float> b;  // out
};

struct TinyMlp {
    std::vector<DenseLayer> layers;  // ReLU after every layer but the last, whose outputs are logits

    // widths = {inputs, hidden…, classes}. He initialisation (He et al. 2015): W ~ N(0, 2/in), b = 0,
    // from a ToyRng seeded with `seed`.
    static TinyMlp make(const std::vector<int>& widths, uint64_t seed);
    int inputs() const { return layers.empty() ? 0 : layers.front().in; }
    int classes() const { return layers.empty() ? 0 : layers.back().out; }
    size_t parameterCount() const;
};

// Fake quantization in the forward pass. Disabled: plain fp32. Enabled: each layer's weights are
// fake-quantized per output channel at `bits` (fakeQuantWeights), and each layer's input activation per
// tensor with the range inputRanges[l] (asymmetric): the network input at `inputBits`, the hidden
// activations at `bits`. Biases and the logits stay in float (in integer inference the bias is int32 at
// scale s_a·s_w and the last accumulator is read out before any requantization).
// With `steps` (LSQ, core/qat/lsq.h; one entry per layer) the ranges are not used: each weight row is
// fake-quantized with its learned step (z = 0), each input with its learned step and fixed zero point,
// and the backward pass can return the steps' gradients.
struct MlpQuant {
    bool enabled = false;
    int bits = 8;
    int inputBits = 8;
    bool activations = true;
    std::vector<ClipRange> inputRanges;  // one per layer
    std::vector<LsqSteps> steps;         // empty: min-max weight ranges and inputRanges; else LSQ
    bool learnedSteps() const { return !steps.empty(); }
};

// What the backward pass needs from the forward pass (and the observed activation ranges).
struct MlpTrace {
    std::vector<std::vector<float>> input;        // per layer: the input as used (fake-quantized), n × in
    std::vector<std::vector<uint8_t>> inputPass;  // STE mask of that input (empty: not quantized)
    std::vector<std::vector<float>> weight;       // per layer: the weights as used, out × in
    std::vector<std::vector<uint8_t>> weightPass; // STE mask of the weights (empty: not quantized)
    std::vector<std::vector<float>> z;            // per layer: pre-activation, n × out
    std::vector<ClipRange> observed;              // per layer: [min, max] of its input before quantization
    // LSQ only (else empty): ∂x̂/∂s per element of the input and of the weights, and the gradient
    // scales g = 1/√(N·Q_P) of the input's step and of the weight rows' steps (lsqGradScale).
    std::vector<std::vector<float>> inputDStep, weightDStep;
    std::vector<double> inputStepScale, weightStepScale;
};

// Logits (n × classes, row-major) for n inputs x (n × inputs, row-major).
std::vector<float> mlpForward(const TinyMlp& net, const float* x, size_t n, const MlpQuant& quant,
                              MlpTrace* trace = nullptr);

// Mean softmax cross-entropy over n rows, computed stably (log-sum-exp with the row max subtracted),
// in double. dLogits (optional): (softmax − onehot(y)) / n.
double softmaxCrossEntropy(const std::vector<float>& logits, const int* y, size_t n, int classes,
                           std::vector<float>* dLogits = nullptr);

// Gradients of the mean loss with respect to the float weights and biases (shapes as net.layers).
// Through a fake-quantized tensor the STE applies: the gradient found for x̂ is passed to x where
// x was inside its clip range and zeroed where it was clipped. With learned steps (trace from an LSQ
// forward) and `stepGrads`, also the gradient of the mean loss with respect to every step, scaled by g:
// dL/ds = g·Σ_i dL/dx̂_i·∂x̂_i/∂s over the values sharing s (LSQ eqs. 3–5).
std::vector<DenseLayer> mlpBackward(const TinyMlp& net, const MlpTrace& trace, const std::vector<float>& dLogits,
                                    size_t n, std::vector<LsqSteps>* stepGrads = nullptr);

// Forward, loss and backward for one batch; returns the mean loss.
double mlpLossAndGradients(const TinyMlp& net, const float* x, const int* y, size_t n, const MlpQuant& quant,
                           std::vector<DenseLayer>& grads, MlpTrace* trace = nullptr,
                           std::vector<LsqSteps>* stepGrads = nullptr);

// argmax of the logits per row (the first on ties).
std::vector<int> mlpPredict(const TinyMlp& net, const float* x, size_t n, const MlpQuant& quant);

}  // namespace qv
