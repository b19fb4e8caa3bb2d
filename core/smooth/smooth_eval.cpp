// SmoothQuant on one Linear layer: quantize X' and W' with core/quant, multiply the codes with the int8
// GEMM core, and compare with fp32 X·Wᵀ; the α sweep.
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

QuantScheme activationScheme(int bits) {
    QuantScheme s;
    s.bits = bits;
    s.symmetry = Symmetry::Symmetric;
    s.granularity = Granularity::PerTensor;
    return s;
}

// Per output channel of a Linear weight [C_out, C_in]: axis 0, one scale per row.
QuantScheme weightScheme(int bits) {
    QuantScheme s = activationScheme(bits);
    s.granularity = Granularity::PerChannel;
    s.axis = 0;
    return s;
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
                          int threads, GemmKernel kernel) {
    Side out;
    SmoothSide& f = out.figures;
    const size_t cOut = static_cast<size_t>(L.cOut), cIn = static_cast<size_t>(L.cIn);

    // Weights, per output channel.
    std::vector<float> wSmoothed;
    if (!s.empty()) wSmoothed = smoothWeights(L.weights, L.cOut, L.cIn, s);
    const std::span<const float> w = s.empty() ? std::span<const float>(L.weights) : std::span<const float>(wSmoothed);
    const QuantScheme ws = weightScheme(bits);
    std::vector<ClipRange> rows(cOut);
    for (size_t i = 0; i < cOut; ++i) {
        float m = 0;
        for (size_t j = 0; j < cIn; ++j) {
            const float a = std::fabs(w[i * cIn + j]);
            if (std::isfinite(a)) m = std::max(m, a);
        }
        rows[i] = ClipRange{-double(m), double(m)};
        f.weightAbsMax = std::max(f.weightAbsMax, m);
    }
    const QuantParams wp = paramsFromRanges(ws, rows);
    f.weight = measureErrorValues(w, {L.cOut, L.cIn}, wp, passOptions(threads)).total;

    // Activations, per tensor: clip ±max|X'| (= the largest per-channel max).
    const QuantScheme as = activationScheme(bits);
    const float amax = maxOf(actAbsMax);
    const QuantParams ap{as, {paramsFromRange(as, ClipRange{-double(amax), double(amax)})}};
    f.activationScale = ap.slices[0].scale;
    f.medianChannelSteps = f.activationScale > 0 ? median({actAbsMax.begin(), actAbsMax.end()}) / f.activationScale : 0;
    if (!L.hasActivations()) return out;

    std::vector<float> xSmoothed;
    if (!s.empty()) xSmoothed = smoothActivations(L.activations, L.tokens, L.cIn, s);
    const std::span<const float> x =
        s.empty() ? std::span<const float>(L.activations) : std::span<const float>(xSmoothed);
    f.activation = measureErrorValues(x, {L.tokens, L.cIn}, ap, passOptions(threads)).total;

    // The int8 layer: A = Q(X') (M = tokens, K = C_in), B = Q(W')ᵀ (K × N, N = C_out), one scale per
    // column of B, dequantized output acc·s_a·s_b_j (core/gemm).
    const Quantizer aq(as, ap.slices[0]);
    std::vector<uint8_t> aCodes(x.size());
    for (size_t i = 0; i < x.size(); ++i) aCodes[i] = static_cast<uint8_t>(aq.quantize(x[i]));  // int8 byte
    std::vector<uint8_t> bCodes(cIn * cOut);
    GemmParams p;
    p.M = L.tokens;
    p.N = L.cOut;
    p.K = L.cIn;
    p.aSigned = true;
    p.aZero = 0;
    p.aScale = ap.slices[0].scale;
    p.bScales.clear();
    std::vector<Quantizer> rowQuantizers;
    rowQuantizers.reserve(cOut);
    for (size_t i = 0; i < cOut; ++i) {
        rowQuantizers.emplace_back(ws, wp.slices[i]);
        p.bScales.push_back(wp.slices[i].scale);
    }
    // B[j][i] = code of W'[i][j], in 64 × 64 tiles so that neither side is walked with a large stride.
    constexpr size_t kTile = 64;
    for (size_t i0 = 0; i0 < cOut; i0 += kTile)
        for (size_t j0 = 0; j0 < cIn; j0 += kTile)
            for (size_t i = i0; i < std::min(cOut, i0 + kTile); ++i)
                for (size_t j = j0; j < std::min(cIn, j0 + kTile); ++j)
                    bCodes[j * cOut + i] = static_cast<uint8_t>(rowQuantizers[i].quantize(w[i * cIn + j]));
    p.out.mode = GemmOutput::Float;
    p.threads = threads;
    auto packed = PackedB::make(bCodes.data(), L.cIn, L.cOut, true, 0, kernel);
    if (!packed) return packed.error();
    std::vector<float> y(static_cast<size_t>(L.tokens) * cOut);
    auto info = gemm(p, aCodes.data(), **packed, y.data());
    if (!info) return info.error();
    out.info = *info;
    f.output = compareGemmOutputs(y, L.yFp32, L.tokens, L.cOut).total;
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
    e.hasOutput = layer.hasActivations();
    if (!e.hasOutput)
        e.note = "only max|X_j| is known (no activation matrix): the activation SQNR and the layer's output error "
                 "need the activations themselves; the activation figures are range-based";
    e.factors = smoothingFactors(layer.actAbsMax, layer.weightAbsMax, settings.alpha);
    e.actAbsMaxAfter = smoothAbsMax(layer.actAbsMax, e.factors);
    e.weightAbsMaxAfter = columnAbsMax(smoothWeights(layer.weights, layer.cOut, layer.cIn, e.factors), layer.cOut,
                                       layer.cIn);
    if (before) {
        e.before = *before;
    } else {
        auto b = evaluateSide(layer, {}, layer.actAbsMax, settings.bits, settings.threads, settings.kernel);
        if (!b) return b.error();
        e.before = b->figures;
    }
    auto after = evaluateSide(layer, e.factors, e.actAbsMaxAfter, settings.bits, settings.threads, settings.kernel);
    if (!after) return after.error();
    e.after = after->figures;
    e.gemm = after->info;
    return e;
}

Result<SmoothSweep> sweepSmoothing(const SmoothLayer& layer, int bits, int threads, Progress* progress, double step,
                                   GemmKernel kernel) {
    if (auto st = checkBits(bits); !st) return st.error();
    if (!(step > 0.0 && step <= 1.0)) return makeError("smoothquant: the sweep step must be in (0, 1]");
    SmoothSweep sw;
    sw.bits = bits;
    const int n = static_cast<int>(std::lround(1.0 / step));
    if (progress) progress->setTotal(double(n + 2));
    auto none = evaluateSide(layer, {}, layer.actAbsMax, bits, threads, kernel);
    if (!none) return none.error();
    sw.before = none->figures;
    sw.noSmoothingOutputSqnrDb = sw.before.output.sqnrDb;
    if (progress) progress->add(1);
    for (int k = 0; k <= n; ++k) {
        if (progress && progress->cancelled()) return makeError("smoothquant: sweep cancelled");
        const double alpha = double(k) / n;  // exact 0 and 1 at the ends
        const std::vector<float> s = smoothingFactors(layer.actAbsMax, layer.weightAbsMax, alpha);
        const std::vector<float> a = smoothAbsMax(layer.actAbsMax, s);
        auto side = evaluateSide(layer, s, a, bits, threads, kernel);
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
