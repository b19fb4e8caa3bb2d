// NumberBits: one value's bits in fp32/fp16/bf16/FP8/FP4, intN and Qm.n. Every expected pattern is
// worked out by hand in the comments from the format definitions (IEEE 754 binary32/binary16, bfloat16
// = binary32's top half, OCP OFP8 rev. 1.0, OCP MX v1.0 §5.3.3), not from the code under test.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core/quant/number_bits.h"
#include "core/quant/number_format.h"

namespace qv {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kX = "\xc3\x97";  // "×" in the formulas

// ---- The seeds' example: 25.125 = 11001.001b = 1.1001001b × 2^4 ----------------------------

// fp32: sign 0, exponent 4 + 127 = 131 = 1000'0011, mantissa 1001001 then 16 zeros:
// 0 10000011 1001001'0000000000000000 = 0100 0001 1100 1001 0000… = 0x41C90000, exact.
// Significand 1.1001001b = 1 + 1/2 + 1/16 + 1/128 = 1.5703125.
TEST(NumberBits, SeedExampleFp32) {
    const FloatBits b = toFloatBits(25.125, FloatFormat::Fp32);
    EXPECT_EQ(b.bits, 0x41C90000u);
    EXPECT_EQ(b.width, 32);
    EXPECT_EQ(b.sign, 0u);
    EXPECT_EQ(b.exponentField, 131u);
    EXPECT_EQ(b.mantissaField, 0x490000u);  // 100 1001 0000 0000 0000 0000
    EXPECT_EQ(b.exponentWidth, 8);
    EXPECT_EQ(b.mantissaWidth, 23);
    EXPECT_EQ(b.exponent, 4);
    EXPECT_EQ(b.cls, NumberClass::Normal);
    EXPECT_EQ(b.value, 25.125);
    EXPECT_EQ(b.absError, 0.0);
    EXPECT_EQ(b.relError, 0.0);
    EXPECT_EQ(b.step, std::ldexp(1.0, 4 - 23));
    EXPECT_EQ(b.formula, "(-1)^0 " + kX + " 2^4 " + kX + " 1.5703125");
}

// fp16: exponent 4 + 15 = 19 = 10011, mantissa 1001001000: 0 10011 1001001000 = 0x4E48, exact.
// bf16: binary32's top 16 bits, the 7 mantissa bits 1001001 hold it all: 0x41C9, exact.
TEST(NumberBits, SeedExampleHalfFormats) {
    const FloatBits h = toFloatBits(25.125, FloatFormat::Fp16);
    EXPECT_EQ(h.bits, 0x4E48u);
    EXPECT_EQ(h.exponentField, 19u);
    EXPECT_EQ(h.value, 25.125);
    const FloatBits b = toFloatBits(25.125, FloatFormat::Bf16);
    EXPECT_EQ(b.bits, 0x41C9u);
    EXPECT_EQ(b.width, 16);
    EXPECT_EQ(b.value, 25.125);
}

// E4M3: 1.100|1001b × 2^4 keeps 3 mantissa bits; the dropped 0.1001b is more than half a step
// (the binade [16, 32) has step 2: 24, 26 and 25.125 is past their midpoint 25), so up to 1.101b × 2^4 = 26:
// 0 1011 101 = 0x5D (exponent 4 + 7 = 11).
// E5M2: 1.10|01001b: the dropped 0.01001b is less than half (step 4: 24, 28), so 1.10b × 2^4 = 24:
// 0 10011 10 = 0x4E. E2M1: the largest value is 6 (0 11 1 = 0x7): saturates.
TEST(NumberBits, SeedExampleSmallFloats) {
    const FloatBits e4 = toFloatBits(25.125, FloatFormat::Fp8E4M3);
    EXPECT_EQ(e4.bits, 0x5Du);
    EXPECT_EQ(e4.value, 26.0);
    EXPECT_EQ(e4.exponent, 4);
    EXPECT_EQ(e4.step, 2.0);
    EXPECT_EQ(e4.absError, 0.875);
    EXPECT_EQ(e4.relError, 0.875 / 25.125);
    EXPECT_FALSE(e4.saturated);
    EXPECT_EQ(e4.formula, "(-1)^0 " + kX + " 2^4 " + kX + " 1.625");
    const FloatBits e5 = toFloatBits(25.125, FloatFormat::Fp8E5M2);
    EXPECT_EQ(e5.bits, 0x4Eu);
    EXPECT_EQ(e5.value, 24.0);
    EXPECT_EQ(e5.step, 4.0);
    const FloatBits e2 = toFloatBits(25.125, FloatFormat::Fp4E2M1);
    EXPECT_EQ(e2.bits, 0x7u);
    EXPECT_EQ(e2.width, 4);
    EXPECT_EQ(e2.value, 6.0);
    EXPECT_TRUE(e2.saturated);
    EXPECT_EQ(e2.absError, 19.125);
}

// int8: 25.125 rounds to 25 = 0001'1001. Q5.3: 25.125 · 8 = 201 > 127 (8 signed bits) → 127 = 0x7F,
// 127/8 = 15.875. Q8.8: 25.125 · 256 = 6432 = 0x1920, exact.
TEST(NumberBits, SeedExampleIntAndFixed) {
    const IntBits i = toIntBits(25.125, 8, true);
    EXPECT_EQ(i.code, 25);
    EXPECT_EQ(i.bits, 0x19u);
    EXPECT_EQ(i.value, 25.0);
    EXPECT_EQ(i.absError, 0.125);
    EXPECT_FALSE(i.saturated);
    const FixedBits q53 = toFixedBits(25.125, 5, 3);
    EXPECT_EQ(q53.code, 127);
    EXPECT_EQ(q53.bits, 0x7Fu);
    EXPECT_EQ(q53.value, 15.875);
    EXPECT_TRUE(q53.saturated);
    const FixedBits q88 = toFixedBits(25.125, 8, 8);
    EXPECT_EQ(q88.code, 0x1920);
    EXPECT_EQ(q88.bits, 0x1920u);
    EXPECT_EQ(q88.value, 25.125);
    EXPECT_FALSE(q88.saturated);
    EXPECT_EQ(q88.width(), 16);
}

// ---- Rounding: ties to even ---------------------------------------------------------------------

// fp16 near 1: step 2^−10. 1 + 2^−11 is halfway between 1 (mantissa 0, even) and 1 + 2^−10 (odd) → 1.0
// = 0x3C00. 1 + 3·2^−11 = 1 + 1.5·2^−10 lies between mantissa 1 (odd) and 2 (even) → 1 + 2^−9 = 0x3C02.
// Just above the first tie, 1 + 2^−11 + 2^−20, rounds up to 0x3C01.
TEST(NumberBits, Fp16TiesToEven) {
    EXPECT_EQ(toFloatBits(1 + std::ldexp(1.0, -11), FloatFormat::Fp16).bits, 0x3C00u);
    EXPECT_EQ(toFloatBits(1 + std::ldexp(1.0, -11), FloatFormat::Fp16).value, 1.0);
    EXPECT_EQ(toFloatBits(1 + 3 * std::ldexp(1.0, -11), FloatFormat::Fp16).bits, 0x3C02u);
    EXPECT_EQ(toFloatBits(1 + 3 * std::ldexp(1.0, -11), FloatFormat::Fp16).value, 1 + std::ldexp(1.0, -9));
    EXPECT_EQ(toFloatBits(1 + std::ldexp(1.0, -11) + std::ldexp(1.0, -20), FloatFormat::Fp16).bits, 0x3C01u);
    // 0.1 in fp16: 1.100110011001…b × 2^−4 → 1.1001100110|011…b rounds down: 0 01011 1001100110 = 0x2E66.
    EXPECT_EQ(toFloatBits(0.1, FloatFormat::Fp16).bits, 0x2E66u);
}

// bf16 near 1: step 2^−7. 1.00390625 = 1 + 2^−8 is the tie between 1.0 (0x3F80, even) and 1 + 2^−7
// (0x3F81) → 1.0. 1 + 3·2^−8 is the tie between 0x3F81 and 0x3F82 (even) → 1 + 2^−6.
TEST(NumberBits, Bf16TiesToEven) {
    const FloatBits t = toFloatBits(1.00390625, FloatFormat::Bf16);
    EXPECT_EQ(t.bits, 0x3F80u);
    EXPECT_EQ(t.value, 1.0);
    EXPECT_EQ(t.absError, 0.00390625);
    EXPECT_EQ(toFloatBits(1 + 3 * std::ldexp(1.0, -8), FloatFormat::Bf16).bits, 0x3F82u);
}

// E2M1 values 0, 0.5, 1, 1.5, 2, 3, 4, 6 have patterns 0..7. 5 is the tie 4 (0x6, even) / 6 (0x7) → 4;
// 0.25 the tie 0 / 0.5 (0x1) → 0; 0.75 the tie 0.5 (0x1) / 1 (0x2) → 1; 2.5 the tie 2 (0x4) / 3 → 2.
TEST(NumberBits, E2M1TiesToEven) {
    EXPECT_EQ(toFloatBits(5.0, FloatFormat::Fp4E2M1).value, 4.0);
    EXPECT_EQ(toFloatBits(5.0, FloatFormat::Fp4E2M1).bits, 0x6u);
    EXPECT_EQ(toFloatBits(0.25, FloatFormat::Fp4E2M1).value, 0.0);
    EXPECT_EQ(toFloatBits(0.25, FloatFormat::Fp4E2M1).cls, NumberClass::Zero);
    EXPECT_EQ(toFloatBits(0.75, FloatFormat::Fp4E2M1).value, 1.0);
    EXPECT_EQ(toFloatBits(0.75, FloatFormat::Fp4E2M1).bits, 0x2u);
    EXPECT_EQ(toFloatBits(2.5, FloatFormat::Fp4E2M1).value, 2.0);
    EXPECT_EQ(toFloatBits(0.5, FloatFormat::Fp4E2M1).cls, NumberClass::Subnormal);
    EXPECT_EQ(toFloatBits(-3.0, FloatFormat::Fp4E2M1).bits, 0xDu);  // 1 10 1
}

// ---- Subnormals ---------------------------------------------------------------------------------

// fp16's smallest subnormal 2^−24 = 0.0000000001b × 2^−14: pattern 0x0001, exponent 1 − 15 = −14,
// significand 0.0000000001b = 2^−10 = 0.0009765625. 2^−25 is the tie 0 / 2^−24 → 0 (even). 0.75·2^−24
// rounds up to 2^−24. The largest subnormal 1023·2^−24 = 0x03FF; 2^−14 is the smallest normal 0x0400.
TEST(NumberBits, Fp16Subnormals) {
    const FloatBits s = toFloatBits(std::ldexp(1.0, -24), FloatFormat::Fp16);
    EXPECT_EQ(s.bits, 0x0001u);
    EXPECT_EQ(s.cls, NumberClass::Subnormal);
    EXPECT_EQ(s.exponentField, 0u);
    EXPECT_EQ(s.exponent, -14);
    EXPECT_EQ(s.value, std::ldexp(1.0, -24));
    EXPECT_EQ(s.step, std::ldexp(1.0, -24));
    EXPECT_EQ(s.formula, "(-1)^0 " + kX + " 2^-14 " + kX + " 0.0009765625");
    EXPECT_EQ(toFloatBits(std::ldexp(1.0, -25), FloatFormat::Fp16).bits, 0x0000u);
    EXPECT_EQ(toFloatBits(std::ldexp(1.0, -25), FloatFormat::Fp16).cls, NumberClass::Zero);
    EXPECT_EQ(toFloatBits(std::ldexp(1.0, -25), FloatFormat::Fp16).relError, 1.0);
    EXPECT_EQ(toFloatBits(0.75 * std::ldexp(1.0, -24), FloatFormat::Fp16).bits, 0x0001u);
    EXPECT_EQ(toFloatBits(1023 * std::ldexp(1.0, -24), FloatFormat::Fp16).bits, 0x03FFu);
    EXPECT_EQ(toFloatBits(std::ldexp(1.0, -14), FloatFormat::Fp16).bits, 0x0400u);
    EXPECT_EQ(toFloatBits(std::ldexp(1.0, -14), FloatFormat::Fp16).cls, NumberClass::Normal);
    // E4M3's smallest subnormal 2^−9 = 0.001b × 2^−6: 0x01.
    EXPECT_EQ(toFloatBits(std::ldexp(1.0, -9), FloatFormat::Fp8E4M3).bits, 0x01u);
    // fp32: 1e−40 is subnormal (below 2^−126 ≈ 1.18e−38), exponent field 0.
    EXPECT_EQ(toFloatBits(1e-40, FloatFormat::Fp32).cls, NumberClass::Subnormal);
}

// ---- Overflow: Inf or saturation ----------------------------------------------------------------

// fp16's largest finite 65504 = 1.1111111111b × 2^15 = 0 11110 1111111111 = 0x7BFF; its step is 32, so
// 65520 is the tie 65504 (odd mantissa) / 65536 (even, but not finite) → Inf 0x7C00; 65519 → 65504.
TEST(NumberBits, Fp16Overflow) {
    const FloatBits inf = toFloatBits(65520.0, FloatFormat::Fp16);
    EXPECT_EQ(inf.bits, 0x7C00u);
    EXPECT_EQ(inf.cls, NumberClass::Inf);
    EXPECT_TRUE(inf.overflowed);
    EXPECT_EQ(inf.value, kInf);
    EXPECT_EQ(inf.absError, kInf);
    EXPECT_EQ(inf.formula, "+Inf");
    const FloatBits max = toFloatBits(65519.0, FloatFormat::Fp16);
    EXPECT_EQ(max.bits, 0x7BFFu);
    EXPECT_EQ(max.value, 65504.0);
    EXPECT_FALSE(max.overflowed);
    EXPECT_EQ(toFloatBits(-1e6, FloatFormat::Fp16).bits, 0xFC00u);
}

// E4M3FN has no Inf: 448 = 1.110b × 2^8 = 0 1111 110 = 0x7E is the largest; beyond saturates (our choice,
// OCP's saturating mode), Inf too. E5M2: 57344 = 1.11b × 2^15 = 0 11110 11 = 0x7B; 61440 is the tie with
// 65536 (even, not finite) → Inf 0x7C; 60000 → 57344.
TEST(NumberBits, SmallFloatOverflow) {
    EXPECT_EQ(toFloatBits(448.0, FloatFormat::Fp8E4M3).bits, 0x7Eu);
    EXPECT_FALSE(toFloatBits(448.0, FloatFormat::Fp8E4M3).saturated);
    const FloatBits big = toFloatBits(1e6, FloatFormat::Fp8E4M3);
    EXPECT_EQ(big.bits, 0x7Eu);
    EXPECT_EQ(big.value, 448.0);
    EXPECT_TRUE(big.saturated);
    EXPECT_EQ(toFloatBits(464.0, FloatFormat::Fp8E4M3).value, 448.0);  // the tie 448 / (480): still 448
    EXPECT_EQ(toFloatBits(-kInf, FloatFormat::Fp8E4M3).bits, 0xFEu);
    EXPECT_EQ(toFloatBits(-kInf, FloatFormat::Fp8E4M3).value, -448.0);
    EXPECT_EQ(toFloatBits(57344.0, FloatFormat::Fp8E5M2).bits, 0x7Bu);
    EXPECT_EQ(toFloatBits(61440.0, FloatFormat::Fp8E5M2).bits, 0x7Cu);
    EXPECT_EQ(toFloatBits(61440.0, FloatFormat::Fp8E5M2).cls, NumberClass::Inf);
    EXPECT_EQ(toFloatBits(60000.0, FloatFormat::Fp8E5M2).value, 57344.0);
    EXPECT_EQ(toFloatBits(7.0, FloatFormat::Fp4E2M1).value, 6.0);  // the tie 6 / (8) saturates
    EXPECT_EQ(toFloatBits(-1e6, FloatFormat::Fp4E2M1).bits, 0xFu);
}

// ---- Sign, zero, NaN ---------------------------------------------------------------------------------

TEST(NumberBits, NegativeZeroAndNaN) {
    // −25.125: the same fields with the sign bit set.
    EXPECT_EQ(toFloatBits(-25.125, FloatFormat::Fp32).bits, 0xC1C90000u);
    EXPECT_EQ(toFloatBits(-25.125, FloatFormat::Fp8E4M3).bits, 0xDDu);
    EXPECT_EQ(toFloatBits(-25.125, FloatFormat::Fp8E4M3).value, -26.0);
    EXPECT_EQ(toFloatBits(-25.125, FloatFormat::Fp32).formula, "(-1)^1 " + kX + " 2^4 " + kX + " 1.5703125");
    // +0 is all zeros, −0 only the sign bit.
    const FloatBits z = toFloatBits(0.0, FloatFormat::Fp32);
    EXPECT_EQ(z.bits, 0u);
    EXPECT_EQ(z.cls, NumberClass::Zero);
    EXPECT_EQ(z.relError, 0.0);
    const FloatBits nz = toFloatBits(-0.0, FloatFormat::Fp32);
    EXPECT_EQ(nz.bits, 0x80000000u);
    EXPECT_EQ(nz.sign, 1u);
    EXPECT_TRUE(std::signbit(nz.value));
    EXPECT_EQ(toFloatBits(-0.0, FloatFormat::Fp16).bits, 0x8000u);
    EXPECT_EQ(toFloatBits(-0.0, FloatFormat::Fp8E4M3).bits, 0x80u);
    // NaN: the IEEE quiet NaN has the top mantissa bit set: fp32 0x7FC00000, fp16 0 11111 1000000000 = 0x7E00,
    // E5M2 0 11111 10 = 0x7E; E4M3FN's only NaN is S.1111.111 = 0x7F; E2M1 has none.
    EXPECT_EQ(toFloatBits(kNaN, FloatFormat::Fp32).bits, 0x7FC00000u);
    EXPECT_EQ(toFloatBits(kNaN, FloatFormat::Fp16).bits, 0x7E00u);
    EXPECT_EQ(toFloatBits(kNaN, FloatFormat::Fp8E5M2).bits, 0x7Eu);
    EXPECT_EQ(toFloatBits(kNaN, FloatFormat::Fp8E4M3).bits, 0x7Fu);
    EXPECT_EQ(toFloatBits(kNaN, FloatFormat::Fp8E4M3).cls, NumberClass::NaN);
    EXPECT_TRUE(std::isnan(toFloatBits(kNaN, FloatFormat::Fp16).absError));
    EXPECT_FALSE(toFloatBits(kNaN, FloatFormat::Fp4E2M1).hasPattern);
    EXPECT_TRUE(toFloatBits(kNaN, FloatFormat::Fp32).hasPattern);
    // +Inf is stored exactly where the format has it: fp32 0x7F800000.
    EXPECT_EQ(toFloatBits(kInf, FloatFormat::Fp32).bits, 0x7F800000u);
    EXPECT_EQ(toFloatBits(kInf, FloatFormat::Fp32).absError, 0.0);
    EXPECT_FALSE(toFloatBits(kInf, FloatFormat::Fp32).overflowed);
}

// ---- Cross-checks against independent definitions -------------------------------------------------

// fp32 against the compiler's double → float conversion (IEEE round to nearest even), pattern for pattern.
TEST(NumberBits, Fp32MatchesHardwareConversion) {
    const double xs[] = {25.125, 0.1, -1.0 / 3, 1e-7, 1e6, 3.4028234663852886e38, 1e-45, 7e-46, 1.17549435e-38,
                         16777217.0, 16777219.0, -2.5e-42, 123456.789};
    for (double x : xs) {
        const float f = static_cast<float>(x);
        EXPECT_EQ(toFloatBits(x, FloatFormat::Fp32).bits, std::bit_cast<uint32_t>(f)) << x;
    }
}

// Every FP8/FP4 pattern decodes like number_format.h's decoders, and re-encoding its value gives the
// pattern back (NaN and −0 aside: −0 → 0x80 is the same value, checked by the sign).
TEST(NumberBits, SmallFloatsRoundTripThroughDecoders) {
    for (uint32_t p = 0; p < 256; ++p) {
        const double a = decodeFloatBits(p, FloatFormat::Fp8E4M3);
        const double b = decodeFp8E4M3(static_cast<uint8_t>(p));
        if (std::isnan(b)) {
            EXPECT_TRUE(std::isnan(a)) << p;
            continue;
        }
        EXPECT_EQ(a, b) << p;
        EXPECT_EQ(toFloatBits(a, FloatFormat::Fp8E4M3).bits, p) << p;
        const double c = decodeFloatBits(p, FloatFormat::Fp8E5M2);
        const double d = decodeFp8E5M2(static_cast<uint8_t>(p));
        if (!std::isnan(d)) {
            EXPECT_EQ(c, d) << p;
            EXPECT_EQ(toFloatBits(c, FloatFormat::Fp8E5M2).bits, p) << p;
        }
    }
    for (uint32_t p = 0; p < 16; ++p) {
        EXPECT_EQ(decodeFloatBits(p, FloatFormat::Fp4E2M1), decodeFp4E2M1(static_cast<uint8_t>(p))) << p;
        EXPECT_EQ(toFloatBits(decodeFloatBits(p, FloatFormat::Fp4E2M1), FloatFormat::Fp4E2M1).bits, p) << p;
    }
}

// The E4M3 level table (nearest level, ties to the even pattern, saturating) picks the same value for
// values between and on its midpoints.
TEST(NumberBits, E4M3MatchesLevelTable) {
    const LevelTable* t = levelTable(NumberFormat::Fp8E4M3);
    ASSERT_NE(t, nullptr);
    for (size_t i = 0; i + 1 < t->levels.size(); ++i) {
        for (float v : {t->levels[i], t->midpoints[i], 0.75f * t->levels[i] + 0.25f * t->levels[i + 1]}) {
            const float level = t->levels[static_cast<size_t>(t->index(v))];
            EXPECT_EQ(toFloatBits(v, FloatFormat::Fp8E4M3).value, level) << v;
        }
    }
}

// ---- Integers and fixed point ---------------------------------------------------------------------

// int4 signed: −8..7, so −9 saturates to −8 = 1000b; uint8 0..255, 300 → 255 = 0xFF; int8 −1 = 1111'1111.
// Ties to even: 2.5 → 2, 3.5 → 4, −2.5 → −2.
TEST(NumberBits, IntegersTwosComplementAndSaturation) {
    const IntBits a = toIntBits(-9.0, 4, true);
    EXPECT_EQ(a.code, -8);
    EXPECT_EQ(a.bits, 0x8u);
    EXPECT_TRUE(a.saturated);
    const IntBits b = toIntBits(300.0, 8, false);
    EXPECT_EQ(b.code, 255);
    EXPECT_EQ(b.bits, 0xFFu);
    EXPECT_TRUE(b.saturated);
    EXPECT_EQ(toIntBits(-1.0, 8, true).bits, 0xFFu);
    EXPECT_FALSE(toIntBits(-1.0, 8, true).saturated);
    EXPECT_EQ(toIntBits(-1.0, 8, false).code, 0);  // unsigned: below 0 saturates
    EXPECT_TRUE(toIntBits(-1.0, 8, false).saturated);
    EXPECT_EQ(toIntBits(2.5, 8, true).code, 2);
    EXPECT_EQ(toIntBits(3.5, 8, true).code, 4);
    EXPECT_EQ(toIntBits(-2.5, 8, true).code, -2);
    EXPECT_EQ(toIntBits(-32768.0, 16, true).bits, 0x8000u);
    EXPECT_EQ(toIntBits(1e9, 16, true).code, 32767);
    EXPECT_TRUE(toIntBits(kNaN, 8, true).isNaN);
    EXPECT_EQ(toIntBits(kNaN, 8, true).code, 0);
}

// Q1.7 (int8's fraction format): −1 = 1000'0000 = 0x80, 0.5 = 0x40, 1.0 saturates to 127/128.
// Q4.4: −2.5 · 16 = −40 = 1101'1000 = 0xD8. Q2.2: 0.375 · 4 = 1.5 → tie → 2 → 0.5.
TEST(NumberBits, FixedPoint) {
    EXPECT_EQ(toFixedBits(-1.0, 1, 7).bits, 0x80u);
    EXPECT_EQ(toFixedBits(0.5, 1, 7).bits, 0x40u);
    EXPECT_EQ(toFixedBits(1.0, 1, 7).value, 127.0 / 128);
    EXPECT_TRUE(toFixedBits(1.0, 1, 7).saturated);
    EXPECT_EQ(toFixedBits(-2.5, 4, 4).bits, 0xD8u);
    EXPECT_EQ(toFixedBits(-2.5, 4, 4).value, -2.5);
    EXPECT_EQ(toFixedBits(0.375, 2, 2).value, 0.5);
    EXPECT_EQ(toFixedBits(0.375, 2, 2).absError, 0.125);
    // Q16.16 uses all 32 bits: −1 = 0xFFFF0000.
    EXPECT_EQ(toFixedBits(-1.0, 16, 16).bits, 0xFFFF0000u);
}

// Bit weights: Q8.8's top bit is −2^7 = −128, its lowest 2^−8; unsigned int8's top bit is +128,
// signed int8's −128.
TEST(NumberBits, BitWeights) {
    EXPECT_EQ(fixedBitWeight(15, 16, 8, true), -128.0);
    EXPECT_EQ(fixedBitWeight(0, 16, 8, true), 1.0 / 256);
    EXPECT_EQ(fixedBitWeight(8, 16, 8, true), 1.0);
    EXPECT_EQ(fixedBitWeight(7, 8, 0, false), 128.0);
    EXPECT_EQ(fixedBitWeight(7, 8, 0, true), -128.0);
}

TEST(NumberBits, RoundHalfEven) {
    EXPECT_EQ(roundHalfEven(0.5), 0.0);
    EXPECT_EQ(roundHalfEven(1.5), 2.0);
    EXPECT_EQ(roundHalfEven(-1.5), -2.0);
    EXPECT_EQ(roundHalfEven(2.4999), 2.0);
    EXPECT_EQ(roundHalfEven(-0.6), -1.0);
}

}  // namespace
}  // namespace qv
