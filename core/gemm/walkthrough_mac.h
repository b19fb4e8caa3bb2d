// One int8 multiply-accumulate step by step (the Learn ▸ "one int8 MAC" walkthrough): y = Σ_k a_k·w_k
// quantized, accumulated in int32 with zero-point corrections and requantized to 8 bits by the three
// rounding paths. Every number comes from the core (walkQuantize → paramsFromRange/Quantizer,
// traceGemmElement → requantize.h, gemmFp32). Header-only, GUI-free.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/gemm/gemm.h"
#include "core/gemm/gemm_fp32.h"
#include "core/gemm/gemm_trace.h"
#include "core/quant/walkthrough_quantize.h"

namespace qv {

// How the weights are stored (REFERENCE.md §5).
enum class MacWeights {
    Int8Symmetric,      // int8, s_w = amax/127, zb = 0 (the usual weight format)
    Int8WithZeroPoint,  // int8 on the same scale, codes shifted by a chosen zb (clamped to ±127)
    Uint8Asymmetric,    // uint8 from the min-max range, zb = 0 − round(min/s_w) (gemmlowp's uint8 × uint8)
};

struct MacWalkInput {
    std::vector<float> a, w;  // K values each (the shorter length is used)
    MacWeights weights = MacWeights::Int8Symmetric;
    int32_t wZero = 0;        // Int8WithZeroPoint only
    float yScale = 1.0f;      // the 8-bit (uint8) output's scale and zero point
    int32_t yZero = 0;
};

struct MacWalk {
    int64_t K = 0;
    QuantizeWalk a, w;        // both operands quantized step by step (uint8 asymmetric; as `weights` says)
    bool wSigned = true;
    std::vector<int64_t> products;  // a_q·w_q, the stored integers (what the kernel multiplies)
    std::vector<int64_t> centred;   // (a_q − za)(w_q − zb), the real-valued codes' product
    float fp32Dot = 0;              // Σ a·w in float (gemmFp32, 1×K by K×1)
    int32_t fp32Code = 0;           // the fp32 result quantized directly with (s_y, zy): the ideal code
    GemmTrace trace;                // raw Σ, sums, corrections, acc, M, m0/shift, the three paths
    // TFLite single rounding as one 64-bit product and shift: (acc·m0 + 2^(n−1)) >> n, n = 31 − shift.
    int64_t singleProduct = 0;
    int singleShiftBits = 0;
    // Double rounding: acc·2^left (left = max(shift, 0)) enters the doubling high multiply, whose
    // result is divided by 2^right (right = max(−shift, 0)).
    int leftShift = 0, rightShift = 0;
    // acc·M lies exactly on a half: the rounding rules decide (and may disagree).
    bool exactTie = false;
    bool pathsDiffer = false;
    std::string error;              // the core refused the parameters (an out-of-range zero point, …)
};

inline MacWalk walkMac(const MacWalkInput& in) {
    MacWalk m;
    const size_t K = std::min(in.a.size(), in.w.size());
    m.K = static_cast<int64_t>(K);
    if (K == 0) {
        m.error = "no values";
        return m;
    }
    const std::vector<float> a(in.a.begin(), in.a.begin() + static_cast<std::ptrdiff_t>(K));
    const std::vector<float> w(in.w.begin(), in.w.begin() + static_cast<std::ptrdiff_t>(K));

    // Activations: uint8 asymmetric from their min-max range.
    m.a = walkQuantize(a, walkScheme(8, WalkGrid::Asymmetric), walkMinMax(a));
    // Weights.
    switch (in.weights) {
        case MacWeights::Int8Symmetric:
            m.w = walkQuantize(w, walkScheme(8, WalkGrid::SymmetricRestricted), walkMinMax(w));
            break;
        case MacWeights::Int8WithZeroPoint: {
            const QuantScheme s = walkScheme(8, WalkGrid::SymmetricRestricted);
            SliceParams p = paramsFromRange(s, walkMinMax(w));
            p.zeroPoint = in.wZero;
            m.w = walkQuantize(w, s, walkMinMax(w), p);
            break;
        }
        case MacWeights::Uint8Asymmetric:
            m.w = walkQuantize(w, walkScheme(8, WalkGrid::Asymmetric), walkMinMax(w));
            break;
    }
    m.wSigned = in.weights != MacWeights::Uint8Asymmetric;

    std::vector<uint8_t> aq(K);
    std::vector<uint8_t> wq(K);  // int8 or uint8 bytes, as wSigned says
    const int32_t za = m.a.params.zeroPoint, zb = m.w.params.zeroPoint;
    for (size_t k = 0; k < K; ++k) {
        const int32_t ak = m.a.steps[k].q, wk = m.w.steps[k].q;
        aq[k] = static_cast<uint8_t>(ak);
        wq[k] = m.wSigned ? static_cast<uint8_t>(static_cast<int8_t>(wk)) : static_cast<uint8_t>(wk);
        m.products.push_back(static_cast<int64_t>(ak) * wk);
        m.centred.push_back(static_cast<int64_t>(ak - za) * (wk - zb));
    }
    gemmFp32(a.data(), w.data(), &m.fp32Dot, 1, 1, m.K);

    if (!(in.yScale > 0) || !std::isfinite(in.yScale)) {
        m.error = "the output scale s_y must be a positive number";
        return m;
    }
    {
        SliceParams yp;
        yp.scale = in.yScale;
        yp.zeroPoint = in.yZero;
        m.fp32Code = Quantizer(walkScheme(8, WalkGrid::Asymmetric), yp).quantize(m.fp32Dot);
    }

    GemmParams p;
    p.M = 1;
    p.N = 1;
    p.K = m.K;
    p.aSigned = false;
    p.aZero = za;
    p.aScale = m.a.params.scale;
    p.bScales = {m.w.params.scale};
    p.out.mode = GemmOutput::Quantized8;
    p.out.ySigned = false;
    p.out.yScale = in.yScale;
    p.out.yZero = in.yZero;
    auto t = traceGemmElement(p, aq.data(), wq.data(), m.wSigned, zb, 0, 0);
    if (!t) {
        m.error = t.message();
        return m;
    }
    m.trace = *t;
    const QuantizedMultiplier qm = m.trace.fixedMultiplier;
    m.singleShiftBits = 31 - qm.shift;
    m.singleProduct = static_cast<int64_t>(m.trace.acc) * qm.m0;
    m.leftShift = qm.shift > 0 ? qm.shift : 0;
    m.rightShift = qm.shift > 0 ? 0 : -qm.shift;
    m.exactTie = m.trace.exactProduct - std::floor(m.trace.exactProduct) == 0.5;
    m.pathsDiffer = m.trace.floatPath.code != m.trace.fixedDouble.code ||
                    m.trace.fixedDouble.code != m.trace.fixedSingle.code;
    return m;
}

}  // namespace qv
