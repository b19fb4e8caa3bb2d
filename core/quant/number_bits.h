// NumberBits: how one real value is stored in a number format, bit by bit — the floating-point formats
// (fp32, fp16, bf16, FP8 E4M3FN / E5M2, FP4 E2M1), N-bit two's-complement integers and signed fixed
// point Qm.n. The teaching core of the number explorer (app/panels/number_explorer.h); no GUI types.
#pragma once

#include <cstdint>
#include <string>

namespace qv {

enum class FloatFormat { Fp32, Fp16, Bf16, Fp8E4M3, Fp8E5M2, Fp4E2M1 };
inline constexpr int kFloatFormatCount = 6;

// What the all-ones exponent field means.
enum class FloatSpecials {
    Ieee,       // E all ones: Inf (M = 0) or NaN (fp32, fp16, bf16, E5M2); overflow → ±Inf
    NanOnly,    // only S.1111.111 is NaN, no Inf (E4M3FN); overflow saturates to ±max
    None,       // every pattern is a finite number (E2M1); overflow saturates to ±max, NaN has no pattern
};

struct FloatFormatInfo {
    const char* name;        // "fp16", "FP8 E4M3FN"
    int exponentBits = 0;
    int mantissaBits = 0;
    int bias = 0;
    FloatSpecials specials = FloatSpecials::Ieee;
    int width() const { return 1 + exponentBits + mantissaBits; }
};
const FloatFormatInfo& floatFormatInfo(FloatFormat format);

enum class NumberClass { Zero, Subnormal, Normal, Inf, NaN };
const char* numberClassName(NumberClass c);  // "zero", "subnormal", "normal", "inf", "nan"

// x stored in a floating-point format: round to nearest, ties to the even pattern (IEEE 754 §4.3.1,
// OCP OFP8 rev. 1.0 §5). Beyond the largest finite value: ±Inf for the IEEE-like formats, ±max for
// E4M3FN (448) and E2M1 (6), as in OCP's saturating conversion mode (our choice: the non-saturating mode
// would give NaN for E4M3FN, and E2M1 has no such mode). ±Inf input saturates the same way there.
struct FloatBits {
    FloatFormat format = FloatFormat::Fp32;
    bool hasPattern = true;     // false only for NaN in E2M1 (no NaN pattern): bits/fields are 0
    uint32_t bits = 0;          // the pattern in the low `width` bits
    int width = 0;
    uint32_t sign = 0;          // sign field (1 bit)
    uint32_t exponentField = 0; // biased exponent field
    uint32_t mantissaField = 0; // trailing significand field
    int exponentWidth = 0, mantissaWidth = 0;
    NumberClass cls = NumberClass::Zero;
    int exponent = 0;           // unbiased: E − bias (normal), 1 − bias (subnormal, zero); 0 for Inf/NaN
    double value = 0;           // the decoded stored value
    double step = 0;            // spacing of the format's values at this exponent: 2^(exponent − mantissaWidth)
    double absError = 0;        // |value − x| (Inf when x overflowed to Inf, NaN for NaN)
    double relError = 0;        // absError / |x| (0 when x = 0 and value = 0)
    bool saturated = false;     // |x| was beyond ±max and was clamped to it (E4M3FN, E2M1)
    bool overflowed = false;    // a finite x became ±Inf
    std::string formula;        // "(-1)^0 × 2^4 × 1.5703125", "+Inf", "NaN"
};
FloatBits toFloatBits(double x, FloatFormat format);
// The value of a pattern (low `width` bits), by the format's definition.
double decodeFloatBits(uint32_t bits, FloatFormat format);

// Round half to even, the rounding of every conversion here.
double roundHalfEven(double v);

// x as an N-bit integer, N = 2..16: round_half_even(x), saturated to [−2^(N−1), 2^(N−1) − 1] (signed,
// two's complement) or [0, 2^N − 1] (unsigned). NaN has no integer: code 0, isNaN set.
struct IntBits {
    int width = 8;
    bool isSigned = true;
    int64_t code = 0;
    uint32_t bits = 0;          // code in two's complement, low `width` bits
    double value = 0;
    double absError = 0, relError = 0;
    bool saturated = false;
    bool isNaN = false;
};
IntBits toIntBits(double x, int width, bool isSigned);

// x in signed fixed point Qm.n: m integer bits including the sign, n fraction bits, 1 ≤ m, 0 ≤ n,
// m + n ≤ 32. code = round_half_even(x · 2^n) saturated to the signed (m+n)-bit range, value = code / 2^n.
struct FixedBits {
    int intBits = 8, fracBits = 8;
    int64_t code = 0;
    uint32_t bits = 0;          // code in two's complement, low m+n bits
    double value = 0;
    double absError = 0, relError = 0;
    bool saturated = false;
    bool isNaN = false;
    int width() const { return intBits + fracBits; }
};
FixedBits toFixedBits(double x, int intBits, int fracBits);

// What bit `bit` (0 = least significant) of a two's-complement / unsigned code of `width` bits with
// `fracBits` fraction bits is worth: 2^(bit − fracBits), and −2^(width − 1 − fracBits) for the top bit
// of a signed code. Integers are fracBits = 0.
double fixedBitWeight(int bit, int width, int fracBits, bool isSigned);

}  // namespace qv
