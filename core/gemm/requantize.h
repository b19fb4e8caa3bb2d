// Requantization arithmetic: int32 accumulator × real multiplier → 8-bit code, by the three rounding paths.
//
// Sources (facts, not code): gemmlowp fixedpoint/fixedpoint.h (SaturatingRoundingDoublingHighMul,
// RoundingDivideByPOT), TensorFlow Lite kernels/internal/common.h and quantization_util.cc
// (QuantizeMultiplier, MultiplyByQuantizedMultiplier with and without TFLITE_SINGLE_ROUNDING),
// FBGEMM QuantUtils (float requantization: nearbyint(acc·multiplier) + zero point).
// How they differ on ties is worked out in docs/gemm.md and tested in tests/core/gemm/requantize_test.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace qv {

// M ≈ m0 · 2^(shift − 31) with m0 in [2^30, 2^31) (TFLite convention: shift > 0 is a left shift).
struct QuantizedMultiplier {
    int32_t m0 = 0;
    int shift = 0;
    bool operator==(const QuantizedMultiplier&) const = default;
};

// TFLite QuantizeMultiplier: frexp, round the mantissa half away from zero to 31 bits, renormalize
// when it rounds up to 2^31. Multipliers below 2^−32 become 0 (all outputs are then the zero point);
// shift is capped at 30 (a multiplier ≥ 2^30 is meaningless for requantization; TFLite caps the same
// in single-rounding mode). m ≤ 0 or non-finite gives {0, 0}.
inline QuantizedMultiplier quantizeMultiplier(double m) {
    if (!(m > 0) || !std::isfinite(m)) return {};
    int shift = 0;
    const double q = std::frexp(m, &shift);  // m = q·2^shift, q in [0.5, 1)
    auto qFixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
    if (qFixed == (int64_t{1} << 31)) {
        qFixed /= 2;
        ++shift;
    }
    if (shift < -31) return {};
    if (shift > 30) return {std::numeric_limits<int32_t>::max(), 30};
    return {static_cast<int32_t>(qFixed), shift};
}

// gemmlowp: round(a·b / 2^31) with the nudge ±2^30 and C++'s truncating division, saturating the
// single overflow case a = b = INT32_MIN. Ties: +x.5 rounds up, −x.5 rounds toward zero (the "+1" in
// the negative nudge).
inline int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
    if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
    const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
    const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
    return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp: x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31].
inline int32_t roundingDivideByPOT(int32_t x, int exponent) {
    const int64_t mask = (int64_t{1} << exponent) - 1;
    const int64_t remainder = static_cast<int64_t>(x) & mask;
    const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return static_cast<int32_t>((static_cast<int64_t>(x) >> exponent) + (remainder > threshold ? 1 : 0));
}

inline int32_t saturateInt32(int64_t v) {
    if (v > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
    if (v < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
    return static_cast<int32_t>(v);
}

// (b) TFLite MultiplyByQuantizedMultiplier, double rounding. The left shift for multipliers ≥ 1
// saturates instead of overflowing (TFLite leaves that case undefined).
inline int32_t multiplyFixedDouble(int32_t acc, QuantizedMultiplier qm) {
    const int left = qm.shift > 0 ? qm.shift : 0;
    const int right = qm.shift > 0 ? 0 : -qm.shift;
    const int32_t x = saturateInt32(static_cast<int64_t>(acc) * (int64_t{1} << left));
    return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, qm.m0), right);
}

// (c) TFLite single rounding: (acc·m0 + 2^(s−1)) >> s with s = 31 − shift, one rounding (ties up,
// toward +∞). Returned as int64 (the caller clamps to the output range).
inline int64_t multiplyFixedSingle(int32_t acc, QuantizedMultiplier qm) {
    const int total = 31 - qm.shift;  // 1..62
    const int64_t round = int64_t{1} << (total - 1);
    return (static_cast<int64_t>(acc) * qm.m0 + round) >> total;
}

// (a) FBGEMM: fl32(fl32(acc)·m), rounded half to even (nearbyint in the default rounding mode).
// Clamped to [lo, hi] in float first (same result as clamping after rounding, since lo and hi are
// integers, and no overflow converting huge products).
inline int64_t multiplyFloat(int32_t acc, float m, float lo, float hi) {
    float v = static_cast<float>(acc) * m;
    v = v < lo ? lo : (v > hi ? hi : v);
    return static_cast<int64_t>(std::nearbyint(v));
}

inline int32_t clampToRange(int64_t v, int32_t lo, int32_t hi) {
    return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

}  // namespace qv
