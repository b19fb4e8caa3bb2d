// SmoothQuant on one Linear layer: quantize X' (per tensor or per token) and W' (per output channel or per
// tensor) with core/quant, multiply the codes with the int8 GEMM core, dequantize, and compare with fp32
// X·Wᵀ; the α sweep.
#include "core/smooth/smooth_eval.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/quant/quant_params.h"
#include "core/quant/quantizer.h"
#include "core/smooth/smoothquant.h"

namespace qv {

namespace {

constexpr int kMinBits = 2, kMaxBits = 8;  // the GEMM multiplies 8-bit codes

QuantScheme symmetricScheme(int bits, bool perRow) {
    QuantScheme s;
    s.bits = bits;
    s.symmetry = Symmetry::Symmetric;
    if (perRow) {
        // One scale per row of a row-major [rows, cols] matrix: a token of X, an output channel of W.
        s.granularity = Granularity::PerChannel;
        s.axis = 0;
    }
    return s;
}

// ±max|row| per row (perRow) or one ±max over everything; non-finite values skipped.
std::vector<ClipRange> absMaxRanges(std::span<const float> m, int64_t rows, int64_t cols, bool perRow) {
    const size_t r = static_cast<size_t>(std::max<int64_t>(rows, 0));
    const size_t c = static_cast<size_t>(std::max<int64_t>(cols, 0));
    std::vector<ClipRange> out(perRow ? r : 1, ClipRange{0, 0});
    float all = 0;
    for (size_t i = 0; i < r && (i + 1) * c <= m.size(); ++i) {
        float mx = 0;
        for (size_t j = 0; j < c; ++j) {
            const float a = std::fabs(m[i * c + j]);
            if (std::isfinite(a)) mx = std::max(mx, a);
        }
        if (perRow) out[i] = ClipRange{-double(mx), double(mx)};
        all = std::max(all, mx);
    }
    if (!perRow) out[0] = ClipRange{-double(all), double(all)};
    return out;
}

float maxOf(std::span<const float> v) {
    float m = 0;
    for (float x : v) m = std::max(m, x);
    return m;
}

double median(std::vector<float> v) {
    if (v.empty()) return 0;
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    const double hi = v[mid];
    if (v.size() % 2) return hi;
    const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    return 0.5 * (lo + hi);
}

ErrorPassOptions passOptions(int threads) {
    ErrorPassOptions o;
    o.threads = threads;
    o.histograms = false;
    return o;
}

struct Side {
    SmoothSide figures;
    GemmRunInfo info;
};

// One side: `s` empty means no smoothing. `actAbsMax` is max|X'_j| for that side.
Result<Side> evaluateSide(const SmoothLayer& L, std::span<const float> s, std::span<const float> actAbsMax, int bits,
                          SmoothScaling scaling, int threads, GemmKernel kernel) {
    Side out;
    SmoothSide& f = out.figures;

    // Weights.
    std::vector<float> wSmoothed;
    if (!s.empty()) wSmoothed = smoothWeights(L.weights, L.cOut, L.cIn, s);
    const std::span<const float> w = s.empty() ? std::span<const float>(L.weights) : std::span<const float>(wSmoothed);
    const QuantParams wp = weightParams(w, L.cOut, L.cIn, bits, scaling.weights);
    for (const SliceParams& slice : wp.slices) f.weightAbsMax = std::max(f.weightAbsMax, float(slice.clip.hi));
    f.weight = measureErrorValues(w, {L.cOut, L.cIn}, wp, passOptions(threads)).total;

    // Activations. Per tensor the step is known from the channel maxima alone: clip ±max|X'| (= the largest
    // per-channel max).
    const bool perToken = scaling.activations == ActivationScaling::PerToken;
    const double medianChannel = median({actAbsMax.begin(), actAbsMax.end()});
    if (!perToken) {
        const QuantScheme as = symmetricScheme(bits, false);
        const float amax = maxOf(actAbsMax);
        f.activationScale = paramsFromRange(as, ClipRange{-double(amax), double(amax)}).scale;
        f.medianChannelSteps = f.activationScale > 0 ? medianChannel / f.activationScale : 0;
    }
    if (!L.hasActivations()) return out;

    std::vector<float> xSmoothed;
    if (!s.empty()) xSmoothed = smoothActivations(L.activations, L.tokens, L.cIn, s);
    const std::span<const float> x =
        s.empty() ? std::span<const float>(L.activations) : std::span<const float>(xSmoothed);
    const QuantParams ap = activationParams(x, L.tokens, L.cIn, bits, scaling.activations);
    if (perToken) {
        std::vector<float> steps;
        steps.reserve(ap.slices.size());
        for (const SliceParams& slice : ap.slices) steps.push_back(slice.scale);
        f.activationScale = median(std::move(steps));
        f.medianChannelSteps = f.activationScale > 0 ? medianChannel / f.activationScale : 0;
    }
    f.activation = measureErrorValues(x, {L.tokens, L.cIn}, ap, passOptions(threads)).total;

    auto y = quantizedLinear(x, L.tokens, w, L.cOut, L.cIn, ap, wp, threads, kernel, &out.info);
    if (!y) return y.error();
    f.output = compareGemmOutputs(*y, L.yFp32, L.tokens, L.cOut).total;
    return out;
}

Status checkBits(int bits) {
    if (bits < kMinBits || bits > kMaxBits)
        return makeError("smoothquant: bits must be 2..8 (the int8 GEMM multiplies 8-bit codes), got " +
                         std::to_string(bits));
    return Ok{};
}

Status checkWeights(const std::vector<float>& weights, int64_t cOut, int64_t cIn) {
    if (cOut <= 0 || cIn <= 0) return makeError("smoothquant: the weight must be a non-empty [C_out, C_in] matrix");
    if (weights.size() != static_cast<size_t>(cOut) * static_cast<size_t>(cIn))
        return makeError("smoothquant: the weight has " + std::to_string(weights.size()) + " values, not C_out·C_in = " +
                         std::to_string(cOut * cIn));
    return Ok{};
}

}  // namespace

const char* activationScalingName(ActivationScaling a) {
    return a == ActivationScaling::PerToken ? "per token" : "per tensor";
}

const char* weightScalingName(WeightScaling w) {
    return w == WeightScaling::PerTensor ? "per tensor" : "per out-channel";
}

QuantParams activationParams(std::span<const float> x, int64_t tokens, int64_t cIn, int bits, ActivationScaling a) {
    const bool perRow = a == ActivationScaling::PerToken;
    return paramsFromRanges(symmetricScheme(bits, perRow), absMaxRanges(x, tokens, cIn, perRow));
}

QuantParams weightParams(std::span<const float> w, int64_t cOut, int64_t cIn, int bits, WeightScaling g) {
    const bool perRow = g == WeightScaling::PerChannel;
    return paramsFromRanges(symmetricScheme(bits, perRow), absMaxRanges(w, cOut, cIn, perRow));
}

std::vector<float> dequantizeAccumulators(std::span<const int32_t> acc, int64_t M, int64_t N,
                                          std::span<const float> rowScales, std::span<const float> colScales) {
    const size_t m = static_cast<size_t>(std::max<int64_t>(M, 0)), n = static_cast<size_t>(std::max<int64_t>(N, 0));
    std::vector<float> y(m * n, 0.0f);
    if (acc.size() < m * n || (rowScales.size() != 1 && rowScales.size() != m) ||
        (colScales.size() != 1 && colScales.size() != n))
        return y;
    for (size_t i = 0; i < m; ++i) {
        const double sa = rowScales.size() == 1 ? rowScales[0] : rowScales[i];
        for (size_t j = 0; j < n; ++j) {
            const double sb = colScales.size() == 1 ? colScales[0] : colScales[j];
            y[i * n + j] = static_cast<float>(acc[i * n + j]) * static_cast<float>(sa * sb);
        }
    }
    return y;
}

Result<std::vector<float>> quantizedLinear(std::span<const float> x, int64_t tokens, std::span<const float> w,
                                           int64_t cOut, int64_t cIn, const QuantParams& act,
                                           const QuantParams& weight, int threads, GemmKernel kernel,
                                           GemmRunInfo* info) {
    if (tokens <= 0 || cOut <= 0 || cIn <= 0 || x.size() != size_t(tokens) * size_t(cIn) ||
        w.size() != size_t(cOut) * size_t(cIn))
        return makeError("smoothquant: X is not [tokens, C_in] or W is not [C_out, C_in]");
    const size_t M = static_cast<size_t>(tokens), N = static_cast<size_t>(cOut), K = static_cast<size_t>(cIn);
    if ((act.slices.size() != 1 && act.slices.size() != M) || (weight.slices.size() != 1 && weight.slices.size() != N))
        return makeError("smoothquant: need 1 or one-per-token activation scales and 1 or C_out weight scales");
    const bool perToken = act.slices.size() != 1 || act.scheme.granularity == Granularity::PerChannel;
    auto sliceOfRow = [](const QuantParams& q, size_t i) { return q.slices.size() == 1 ? 0 : i; };

    // A = Q(X) [M, K] as int8 bytes, row i with its own quantizer per token.
    std::vector<uint8_t> aCodes(x.size());
    for (size_t i = 0; i < M; ++i) {
        const Quantizer q(act.scheme, act.slices[sliceOfRow(act, i)]);
        for (size_t k = 0; k < K; ++k) aCodes[i * K + k] = static_cast<uint8_t>(q.quantize(x[i * K + k]));
    }
    // B = Q(W)ᵀ [K, N]: B[k][o] = code of W[o][k], in 64 × 64 tiles so that neither side is walked with a
    // large stride.
    std::vector<Quantizer> rowQuantizers;
    rowQuantizers.reserve(weight.slices.size());
    for (const SliceParams& slice : weight.slices) rowQuantizers.emplace_back(weight.scheme, slice);
    std::vector<uint8_t> bCodes(K * N);
    constexpr size_t kTile = 64;
    for (size_t o0 = 0; o0 < N; o0 += kTile)
        for (size_t k0 = 0; k0 < K; k0 += kTile)
            for (size_t o = o0; o < std::min(N, o0 + kTile); ++o) {
                const Quantizer& q = rowQuantizers[sliceOfRow(weight, o)];
                for (size_t k = k0; k < std::min(K, k0 + kTile); ++k)
                    bCodes[k * N + o] = static_cast<uint8_t>(q.quantize(w[o * K + k]));
            }

    GemmParams p;
    p.M = tokens;
    p.N = cOut;
    p.K = cIn;
    p.aSigned = true;
    p.aZero = 0;
    p.bScales.clear();
    for (const SliceParams& slice : weight.slices) p.bScales.push_back(slice.scale);
    p.threads = threads;
    auto packed = PackedB::make(bCodes.data(), cIn, cOut, true, 0, kernel);
    if (!packed) return packed.error();
    std::vector<float> y(M * N);
    if (!perToken) {
        // One activation scale: the core's own float output stage, acc·s_a·s_b_j.
        p.aScale = act.slices[0].scale;
        p.out.mode = GemmOutput::Float;
        auto ran = gemm(p, aCodes.data(), **packed, y.data());
        if (!ran) return ran.error();
        if (info) *info = *ran;
        return y;
    }
    // One scale per token: the core takes one activation scale per call, so it returns the int32
    // accumulators and the scales are applied here, y_ij = s_a,i · s_w,j · acc_ij.
    p.out.mode = GemmOutput::Int32;
    std::vector<int32_t> acc(M * N);
    auto ran = gemm(p, aCodes.data(), **packed, acc.data());
    if (!ran) return ran.error();
    if (info) *info = *ran;
    std::vector<float> rowScales(act.slices.size());
    for (size_t i = 0; i < rowScales.size(); ++i) rowScales[i] = act.slices[i].scale;
    return dequantizeAccumulators(acc, tokens, cOut, rowScales, p.bScales);
}

Result<SmoothLayer> makeSmoothLayer(std::vector<float> weights, int64_t cOut, int64_t cIn,
                                    std::vector<float> activations, int64_t tokens, int threads) {
    if (auto st = checkWeights(weights, cOut, cIn); !st) return st.error();
    if (tokens <= 0 || activations.size() != static_cast<size_t>(tokens) * static_cast<size_t>(cIn))
        return makeError("smoothquant: the activations have " + std::to_string(activations.size()) +
                         " values, not a positive number of rows of C_in = " + std::to_string(cIn));
    SmoothLayer L;
    L.cOut = cOut;
    L.cIn = cIn;
    L.tokens = tokens;
    L.weights = std::move(weights);
    L.activations = std::move(activations);
    L.actAbsMax = columnAbsMax(L.activations, tokens, cIn);
    L.weightAbsMax = columnAbsMax(L.weights, cOut, cIn);
    // Y = X·Wᵀ: the GEMM's B is Wᵀ (K = C_in rows, N = C_out columns).
    std::vector<float> wt(L.weights.size());
    for (int64_t i = 0; i < cOut; ++i)
        for (int64_t j = 0; j < cIn; ++j) wt[size_t(j * cOut + i)] = L.weights[size_t(i * cIn + j)];
    L.yFp32.resize(static_cast<size_t>(tokens) * static_cast<size_t>(cOut));
    gemmFp32(L.activations.data(), wt.data(), L.yFp32.data(), tokens, cOut, cIn, threads);
    return L;
}

Result<SmoothLayer> makeSmoothLayerFromAbsMax(std::vector<float> weights, int64_t cOut, int64_t cIn,
                                              std::vector<float> actAbsMax) {
    if (auto st = checkWeights(weights, cOut, cIn); !st) return st.error();
    if (actAbsMax.size() != static_cast<size_t>(cIn))
        return makeError("smoothquant: the activation absmax has " + std::to_string(actAbsMax.size()) +
                         " values, not C_in = " + std::to_string(cIn));
    SmoothLayer L;
    L.cOut = cOut;
    L.cIn = cIn;
    L.weights = std::move(weights);
    L.actAbsMax = std::move(actAbsMax);
    for (float& a : L.actAbsMax) a = std::isfinite(a) ? std::fabs(a) : 0.0f;
    L.weightAbsMax = columnAbsMax(L.weights, cOut, cIn);
    return L;
}

Result<SmoothEvaluation> evaluateSmoothing(const SmoothLayer& layer, const SmoothSettings& settings,
                                           const SmoothSide* before) {
    if (auto st = checkBits(settings.bits); !st) return st.error();
    if (!(settings.alpha >= 0.0 && settings.alpha <= 1.0))
        return makeError("smoothquant: alpha must be in [0, 1], got " + std::to_string(settings.alpha));
    SmoothEvaluation e;
    e.alpha = settings.alpha;
    e.bits = settings.bits;
    e.scaling = settings.scaling;
    e.hasOutput = layer.hasActivations();
    if (!e.hasOutput) {
        e.note = "only max|X_j| is known (no activation matrix): the activation SQNR and the layer's output error "
                 "need the activations themselves; the activation figures are range-based";
        if (settings.scaling.activations == ActivationScaling::PerToken)
            e.note += " (per tensor: the per-token steps need the rows of X)";
    }
    e.factors = smoothingFactors(layer.actAbsMax, layer.weightAbsMax, settings.alpha);
    e.actAbsMaxAfter = smoothAbsMax(layer.actAbsMax, e.factors);
    e.weightAbsMaxAfter = columnAbsMax(smoothWeights(layer.weights, layer.cOut, layer.cIn, e.factors), layer.cOut,
                                       layer.cIn);
    if (before) {
        e.before = *before;
    } else {
        auto b = evaluateSide(layer, {}, layer.actAbsMax, settings.bits, settings.scaling, settings.threads,
                              settings.kernel);
        if (!b) return b.error();
        e.before = b->figures;
    }
    auto after = evaluateSide(layer, e.factors, e.actAbsMaxAfter, settings.bits, settings.scaling, settings.threads,
                              settings.kernel);
    if (!after) return after.error();
    e.after = after->figures;
    e.gemm = after->info;
    return e;
}

Result<SmoothSweep> sweepSmoothing(const SmoothLayer& layer, const SmoothSettings& settings, Progress* progress,
                                   double step) {
    const int bits = settings.bits, threads = settings.threads;
    const SmoothScaling scaling = settings.scaling;
    const GemmKernel kernel = settings.kernel;
    if (auto st = checkBits(bits); !st) return st.error();
    if (!(step > 0.0 && step <= 1.0)) return makeError("smoothquant: the sweep step must be in (0, 1]");
    SmoothSweep sw;
    sw.bits = bits;
    sw.scaling = scaling;
    const int n = static_cast<int>(std::lround(1.0 / step));
    if (progress) progress->setTotal(double(n + 2));
    auto none = evaluateSide(layer, {}, layer.actAbsMax, bits, scaling, threads, kernel);
    if (!none) return none.error();
    sw.before = none->figures;
    sw.noSmoothingOutputSqnrDb = sw.before.output.sqnrDb;
    if (progress) progress->add(1);
    for (int k = 0; k <= n; ++k) {
        if (progress && progress->cancelled()) return makeError("smoothquant: sweep cancelled");
        const double alpha = double(k) / n;  // exact 0 and 1 at the ends
        const std::vector<float> s = smoothingFactors(layer.actAbsMax, layer.weightAbsMax, alpha);
        const std::vector<float> a = smoothAbsMax(layer.actAbsMax, s);
        auto side = evaluateSide(layer, s, a, bits, scaling, threads, kernel);
        if (!side) return side.error();
        sw.alphas.push_back(alpha);
        sw.weightSqnrDb.push_back(side->figures.weight.sqnrDb);
        if (layer.hasActivations()) {
            sw.activationSqnrDb.push_back(side->figures.activation.sqnrDb);
            sw.outputSqnrDb.push_back(side->figures.output.sqnrDb);
            if (sw.best < 0 || sw.outputSqnrDb.back() > sw.outputSqnrDb[static_cast<size_t>(sw.best)]) sw.best = k;
        }
        if (progress) progress->add(1);
    }
    return sw;
}

}  // namespace qv
