// The teaching path: the integer GEMM written as its definition, one output element at a time, plus the trace.
//
// Read this file first. Every optimized kernel computes the same numbers faster (and is tested to
// give identical bytes); it differs only in *when* each term is computed, never in *what*.
#include <cmath>
#include <string>

#include "core/gemm/gemm.h"
#include "core/gemm/gemm_trace.h"
#include "core/gemm/requantize.h"

namespace qv {

namespace {

// A stored 8-bit value as the integer it means.
int32_t loadA(const void* a, bool aSigned, int64_t idx) {
    return aSigned ? static_cast<const int8_t*>(a)[idx] : static_cast<const uint8_t*>(a)[idx];
}

float bScaleOf(const GemmParams& p, int64_t j) {
    return p.bScales.size() == 1 ? p.bScales[0] : p.bScales[static_cast<size_t>(j)];
}

bool goodScale(float s) { return std::isfinite(s) && s > 0; }

}  // namespace

Status validateGemm(const GemmParams& p, int32_t bZero) {
    auto fail = [](const std::string& what) { return Status(makeError("gemm: " + what)); };
    if (p.M <= 0 || p.N <= 0 || p.K <= 0) {
        return fail("shape M×N×K = " + std::to_string(p.M) + "×" + std::to_string(p.N) + "×" +
                    std::to_string(p.K) + " must be positive");
    }
    if (p.aZero < -128 || p.aZero > 255) return fail("A zero point " + std::to_string(p.aZero) + " is outside [−128, 255]");
    if (bZero < -128 || bZero > 255) return fail("B zero point " + std::to_string(bZero) + " is outside [−128, 255]");
    if (p.bScales.size() != 1 && p.bScales.size() != static_cast<size_t>(p.N)) {
        return fail("B has " + std::to_string(p.bScales.size()) + " scales; expected 1 or N = " + std::to_string(p.N));
    }
    if (!p.bias.empty() && p.bias.size() != static_cast<size_t>(p.N)) {
        return fail("bias has " + std::to_string(p.bias.size()) + " values; expected N = " + std::to_string(p.N));
    }
    if (p.out.mode != GemmOutput::Int32) {
        if (!goodScale(p.aScale)) return fail("A scale must be finite and positive");
        for (size_t j = 0; j < p.bScales.size(); ++j)
            if (!goodScale(p.bScales[j])) return fail("B scale [" + std::to_string(j) + "] must be finite and positive");
    }
    if (p.out.mode == GemmOutput::Quantized8) {
        if (!goodScale(p.out.yScale)) return fail("output scale must be finite and positive");
        const int32_t lo = p.out.ySigned ? -128 : 0, hi = p.out.ySigned ? 127 : 255;
        if (p.out.yZero < lo || p.out.yZero > hi) {
            return fail("output zero point " + std::to_string(p.out.yZero) + " is outside the " +
                        (p.out.ySigned ? "int8" : "uint8") + " range");
        }
    }
    return Ok{};
}

Status gemmReference(const GemmParams& p, const void* a, const void* b, bool bSigned, int32_t bZero, void* y) {
    if (auto st = validateGemm(p, bZero); !st) return st;
    const int32_t qmin = p.out.ySigned ? -128 : 0, qmax = p.out.ySigned ? 127 : 255;
    for (int64_t i = 0; i < p.M; ++i) {
        for (int64_t j = 0; j < p.N; ++j) {
            // 1. The dot product of the *real-valued* codes: each operand minus its zero point.
            int64_t dot = 0;
            for (int64_t k = 0; k < p.K; ++k) {
                const int32_t av = loadA(a, p.aSigned, i * p.K + k) - p.aZero;
                const int32_t bv = loadA(b, bSigned, k * p.N + j) - bZero;
                dot += static_cast<int64_t>(av) * bv;
            }
            // 2. Add the bias (same scale s_a·s_b_j). The accumulator is int32: it wraps modulo 2^32
            //    like the hardware's (only reachable with K in the tens of thousands).
            const int64_t withBias = dot + (p.bias.empty() ? 0 : p.bias[static_cast<size_t>(j)]);
            const auto acc = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(withBias)));
            const int64_t idx = i * p.N + j;
            // 3. The output stage.
            if (p.out.mode == GemmOutput::Int32) {
                static_cast<int32_t*>(y)[idx] = acc;
                continue;
            }
            const double sab = static_cast<double>(p.aScale) * static_cast<double>(bScaleOf(p, j));
            if (p.out.mode == GemmOutput::Float) {
                static_cast<float*>(y)[idx] = static_cast<float>(acc) * static_cast<float>(sab);
                continue;
            }
            const double m = sab / static_cast<double>(p.out.yScale);  // the requantization multiplier
            int64_t r = 0;
            if (p.out.rounding == RequantRounding::Float) {
                const auto lo = static_cast<float>(qmin - p.out.yZero), hi = static_cast<float>(qmax - p.out.yZero);
                r = multiplyFloat(acc, static_cast<float>(m), lo, hi);
            } else if (p.out.rounding == RequantRounding::FixedDouble) {
                r = multiplyFixedDouble(acc, quantizeMultiplier(m));
            } else {
                r = multiplyFixedSingle(acc, quantizeMultiplier(m));
            }
            const int32_t q = clampToRange(r + p.out.yZero, qmin, qmax);
            if (p.out.ySigned) static_cast<int8_t*>(y)[idx] = static_cast<int8_t>(q);
            else static_cast<uint8_t*>(y)[idx] = static_cast<uint8_t>(q);
        }
    }
    return Ok{};
}

Result<GemmTrace> traceGemmElement(const GemmParams& p, const void* a, const void* b, bool bSigned, int32_t bZero,
                                   int64_t row, int64_t col) {
    if (auto st = validateGemm(p, bZero); !st) return st.error();
    if (row < 0 || row >= p.M || col < 0 || col >= p.N) {
        return makeError("gemm trace: element (" + std::to_string(row) + ", " + std::to_string(col) +
                         ") is outside the " + std::to_string(p.M) + "×" + std::to_string(p.N) + " output");
    }
    GemmTrace t;
    t.row = row;
    t.col = col;
    t.K = p.K;
    t.aZero = p.aZero;
    t.bZero = bZero;
    for (int64_t k = 0; k < p.K; ++k) {
        const int32_t av = loadA(a, p.aSigned, row * p.K + k);
        const int32_t bv = loadA(b, bSigned, k * p.N + col);
        t.rawDot += static_cast<int64_t>(av) * bv;
        t.rowSumA += av;
        t.colSumB += bv;
    }
    t.rowCorrection = -static_cast<int64_t>(bZero) * t.rowSumA;
    t.colCorrection = -static_cast<int64_t>(p.aZero) * t.colSumB;
    t.constantTerm = p.K * static_cast<int64_t>(p.aZero) * bZero;
    t.exactDot = t.rawDot + t.rowCorrection + t.colCorrection + t.constantTerm;
    t.bias = p.bias.empty() ? 0 : p.bias[static_cast<size_t>(col)];
    t.acc = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(t.exactDot + t.bias)));

    t.aScale = p.aScale;
    t.bScale = bScaleOf(p, col);
    t.yScale = p.out.yScale;
    t.yZero = p.out.yZero;
    t.qmin = p.out.ySigned ? -128 : 0;
    t.qmax = p.out.ySigned ? 127 : 255;
    const double sab = static_cast<double>(t.aScale) * static_cast<double>(t.bScale);
    t.dequantizedAcc = static_cast<float>(t.acc) * static_cast<float>(sab);
    t.multiplier = sab / static_cast<double>(t.yScale);
    t.multiplierFloat = static_cast<float>(t.multiplier);
    t.fixedMultiplier = quantizeMultiplier(t.multiplier);
    t.multiplierFromFixed = std::ldexp(static_cast<double>(t.fixedMultiplier.m0), t.fixedMultiplier.shift - 31);
    t.exactProduct = static_cast<double>(t.acc) * t.multiplier;
    t.floatProduct = static_cast<float>(t.acc) * t.multiplierFloat;

    auto finish = [&](RequantStep& s, int64_t r) {
        s.beforeZeroPoint = r;
        const int64_t shifted = r + t.yZero;
        s.code = clampToRange(shifted, t.qmin, t.qmax);
        s.saturated = s.code != shifted;
        s.dequantized = t.yScale * static_cast<float>(s.code - t.yZero);
    };
    // Float path without the pre-clamp, so the trace shows the unclamped rounded value.
    const float big = 4.0e9f;
    finish(t.floatPath, multiplyFloat(t.acc, t.multiplierFloat, -big, big));
    t.floatPath.afterFirstRounding = saturateInt32(t.floatPath.beforeZeroPoint);
    {
        const QuantizedMultiplier qm = t.fixedMultiplier;
        const int left = qm.shift > 0 ? qm.shift : 0;
        const int32_t x = saturateInt32(static_cast<int64_t>(t.acc) * (int64_t{1} << left));
        t.fixedDouble.afterFirstRounding = saturatingRoundingDoublingHighMul(x, qm.m0);
        finish(t.fixedDouble, multiplyFixedDouble(t.acc, qm));
    }
    finish(t.fixedSingle, multiplyFixedSingle(t.acc, t.fixedMultiplier));
    t.fixedSingle.afterFirstRounding = saturateInt32(t.fixedSingle.beforeZeroPoint);
    return t;
}

}  // namespace qv
