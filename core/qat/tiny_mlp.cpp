// TinyMlp: forward (optionally fake-quantized, with min-max ranges or LSQ steps), softmax cross-entropy and
// backward (with the steps' gradients), on Eigen maps.
#include "core/qat/tiny_mlp.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>

#include "core/qat/fake_quant.h"
#include "core/qat/toy_dataset.h"

namespace qv {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapMat = Eigen::Map<RowMat>;
using ConstMapMat = Eigen::Map<const RowMat>;
using ConstMapVec = Eigen::Map<const Eigen::RowVectorXf>;
}  // namespace

TinyMlp TinyMlp::make(const std::vector<int>& widths, uint64_t seed) {
    TinyMlp net;
    ToyRng rng(seed);
    for (size_t l = 0; l + 1 < widths.size(); ++l) {
        DenseLayer d;
        d.in = widths[l];
        d.out = widths[l + 1];
        d.w.resize(static_cast<size_t>(d.in) * static_cast<size_t>(d.out));
        d.b.assign(static_cast<size_t>(d.out), 0.0f);
        const double sd = std::sqrt(2.0 / d.in);
        for (float& v : d.w) v = static_cast<float>(sd * rng.normal());
        net.layers.push_back(std::move(d));
    }
    return net;
}

size_t TinyMlp::parameterCount() const {
    size_t n = 0;
    for (const auto& l : layers) n += l.w.size() + l.b.size();
    return n;
}

std::vector<float> mlpForward(const TinyMlp& net, const float* x, size_t n, const MlpQuant& quant, MlpTrace* trace) {
    const size_t L = net.layers.size();
    if (trace) {
        trace->input.assign(L, {});
        trace->inputPass.assign(L, {});
        trace->weight.assign(L, {});
        trace->weightPass.assign(L, {});
        trace->z.assign(L, {});
        trace->observed.assign(L, {});
        trace->inputDStep.assign(L, {});
        trace->weightDStep.assign(L, {});
        trace->inputStepScale.assign(L, 0.0);
        trace->weightStepScale.assign(L, 0.0);
    }
    std::vector<float> a(x, x + n * static_cast<size_t>(net.inputs()));
    std::vector<float> wq, z;
    for (size_t l = 0; l < L; ++l) {
        const DenseLayer& d = net.layers[l];
        std::vector<uint8_t> aPass, wPass;
        std::vector<float> aStep, wStep;  // LSQ: ∂x̂/∂s per element
        double aScale = 0, wScale = 0;
        if (trace) trace->observed[l] = minMaxOf(a);
        const float* w = d.w.data();
        if (quant.enabled) {
            const LsqSteps* steps = l < quant.steps.size() ? &quant.steps[l] : nullptr;
            const int aBits = l == 0 ? quant.inputBits : quant.bits;
            if (quant.activations && steps) {
                const QuantScheme scheme = qatActivationScheme(aBits);
                aPass.resize(a.size());
                aStep.resize(a.size());
                fakeQuantStep(a, scheme, steps->input, steps->inputZero, a, aPass, aStep);
                aScale = lsqGradScale(static_cast<size_t>(d.in), lsqPositiveLevels(scheme, steps->inputZero));
            } else if (quant.activations && l < quant.inputRanges.size()) {
                aPass.resize(a.size());
                fakeQuantActivations(a, quant.inputRanges[l], aBits, a, aPass);
            }
            wq.resize(d.w.size());
            wPass.resize(d.w.size());
            if (steps) {
                wStep.resize(d.w.size());
                fakeQuantWeightsStep(d.w, d.out, d.in, quant.bits, steps->weight, wq, wPass, wStep);
                wScale = lsqGradScale(static_cast<size_t>(d.in), lsqPositiveLevels(qatWeightScheme(quant.bits), 0));
            } else {
                fakeQuantWeights(d.w, d.out, d.in, quant.bits, wq, wPass);
            }
            w = wq.data();
        }
        z.resize(n * static_cast<size_t>(d.out));
        const Eigen::Index rows = static_cast<Eigen::Index>(n);
        MapMat Z(z.data(), rows, d.out);
        Z.noalias() = ConstMapMat(a.data(), rows, d.in) * ConstMapMat(w, d.out, d.in).transpose();
        Z.rowwise() += ConstMapVec(d.b.data(), d.out);
        if (trace) {
            trace->input[l] = a;
            trace->inputPass[l] = std::move(aPass);
            trace->weight[l].assign(w, w + d.w.size());
            trace->weightPass[l] = std::move(wPass);
            trace->z[l] = z;
            trace->inputDStep[l] = std::move(aStep);
            trace->weightDStep[l] = std::move(wStep);
            trace->inputStepScale[l] = aScale;
            trace->weightStepScale[l] = wScale;
        }
        if (l + 1 < L) {
            a.resize(z.size());
            for (size_t i = 0; i < z.size(); ++i) a[i] = z[i] > 0.0f ? z[i] : 0.0f;
        }
    }
    return z;
}

double softmaxCrossEntropy(const std::vector<float>& logits, const int* y, size_t n, int classes,
                           std::vector<float>* dLogits) {
    if (dLogits) dLogits->assign(logits.size(), 0.0f);
    double total = 0;
    const size_t K = static_cast<size_t>(classes);
    for (size_t i = 0; i < n; ++i) {
        const float* row = logits.data() + i * K;
        const double m = *std::max_element(row, row + K);
        double sum = 0;
        for (size_t k = 0; k < K; ++k) sum += std::exp(row[k] - m);
        const double logSum = m + std::log(sum);
        total += logSum - row[y[i]];
        if (dLogits) {
            for (size_t k = 0; k < K; ++k) {
                const double p = std::exp(row[k] - logSum);
                (*dLogits)[i * K + k] = static_cast<float>((p - (static_cast<int>(k) == y[i] ? 1.0 : 0.0)) / double(n));
            }
        }
    }
    return n ? total / double(n) : 0.0;
}

namespace {
// g·Σ_i grad[i]·dStep[i] over [begin, end), in double.
float scaledDot(const std::vector<float>& grad, const std::vector<float>& dStep, size_t begin, size_t end, double g) {
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += double(grad[i]) * double(dStep[i]);
    return static_cast<float>(g * sum);
}
}  // namespace

std::vector<DenseLayer> mlpBackward(const TinyMlp& net, const MlpTrace& trace, const std::vector<float>& dLogits,
                                    size_t n, std::vector<LsqSteps>* stepGrads) {
    const size_t L = net.layers.size();
    std::vector<DenseLayer> grads(L);
    if (stepGrads) stepGrads->assign(L, {});
    auto has = [&](const std::vector<std::vector<float>>& v, size_t l) { return l < v.size() && !v[l].empty(); };
    std::vector<float> dz = dLogits, da;
    const Eigen::Index rows = static_cast<Eigen::Index>(n);
    for (size_t l = L; l-- > 0;) {
        const DenseLayer& d = net.layers[l];
        DenseLayer& g = grads[l];
        g.in = d.in;
        g.out = d.out;
        g.w.resize(d.w.size());
        g.b.resize(d.b.size());
        ConstMapMat dZ(dz.data(), rows, d.out);
        // dL/dŴ = dZᵀ·â (n-mean already in dZ), dL/db = column sums of dZ.
        MapMat(g.w.data(), d.out, d.in).noalias() = dZ.transpose() * ConstMapMat(trace.input[l].data(), rows, d.in);
        Eigen::Map<Eigen::RowVectorXf>(g.b.data(), d.out) = dZ.colwise().sum();
        // LSQ: each row's step collects dL/dŵ·∂ŵ/∂s over its row, before the STE mask (a clamped weight
        // still moves the step through ∂ŵ/∂s = the clamp bound).
        if (stepGrads && has(trace.weightDStep, l)) {
            std::vector<float>& sw = (*stepGrads)[l].weight;
            sw.resize(static_cast<size_t>(d.out));
            const size_t C = static_cast<size_t>(d.in);
            for (size_t r = 0; r < sw.size(); ++r)
                sw[r] = scaledDot(g.w, trace.weightDStep[l], r * C, (r + 1) * C, trace.weightStepScale[l]);
        }
        if (!trace.weightPass[l].empty()) steBackward(g.w, trace.weightPass[l], g.w);
        const bool inputStep = stepGrads && has(trace.inputDStep, l);
        if (l == 0 && !inputStep) break;
        // dL/dâ = dZ·Ŵ, through the input's STE, then through the previous layer's ReLU.
        da.resize(n * static_cast<size_t>(d.in));
        MapMat(da.data(), rows, d.in).noalias() = dZ * ConstMapMat(trace.weight[l].data(), d.out, d.in);
        if (inputStep)
            (*stepGrads)[l].input = scaledDot(da, trace.inputDStep[l], 0, da.size(), trace.inputStepScale[l]);
        if (l == 0) break;
        if (!trace.inputPass[l].empty()) steBackward(da, trace.inputPass[l], da);
        const std::vector<float>& zPrev = trace.z[l - 1];
        for (size_t i = 0; i < da.size(); ++i)
            if (!(zPrev[i] > 0.0f)) da[i] = 0.0f;
        dz.swap(da);
    }
    return grads;
}

double mlpLossAndGradients(const TinyMlp& net, const float* x, const int* y, size_t n, const MlpQuant& quant,
                           std::vector<DenseLayer>& grads, MlpTrace* traceOut, std::vector<LsqSteps>* stepGrads) {
    MlpTrace local;
    MlpTrace& trace = traceOut ? *traceOut : local;
    const std::vector<float> logits = mlpForward(net, x, n, quant, &trace);
    std::vector<float> dLogits;
    const double loss = softmaxCrossEntropy(logits, y, n, net.classes(), &dLogits);
    grads = mlpBackward(net, trace, dLogits, n, stepGrads);
    return loss;
}

std::vector<int> mlpPredict(const TinyMlp& net, const float* x, size_t n, const MlpQuant& quant) {
    const std::vector<float> logits = mlpForward(net, x, n, quant);
    const size_t K = static_cast<size_t>(net.classes());
    std::vector<int> out(n);
    for (size_t i = 0; i < n; ++i) {
        const float* row = logits.data() + i * K;
        out[i] = static_cast<int>(std::max_element(row, row + K) - row);
    }
    return out;
}

}  // namespace qv
