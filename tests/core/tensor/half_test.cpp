// f16/bf16 ↔ f32: special values, subnormals and round-half-to-even ties, checked from the IEEE definitions.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/tensor/half.h"

namespace qv {
namespace {

uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }

TEST(Half, F16SpecialValues) {
    EXPECT_EQ(f16ToF32(0x3C00), 1.0f);
    EXPECT_EQ(f16ToF32(0xC000), -2.0f);
    EXPECT_EQ(f16ToF32(0x3555), 0.333251953125f);  // 1 + 341/1024, × 2^-2
    EXPECT_EQ(bits(f16ToF32(0x0000)), 0x00000000u);  // +0
    EXPECT_EQ(bits(f16ToF32(0x8000)), 0x80000000u);  // −0 keeps its sign
    EXPECT_EQ(f16ToF32(0x7C00), std::numeric_limits<float>::infinity());
    EXPECT_EQ(f16ToF32(0xFC00), -std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(f16ToF32(0x7E00)));
    EXPECT_TRUE(std::isnan(f16ToF32(0x7C01)));  // signalling-NaN pattern is still NaN
    EXPECT_TRUE(std::isnan(f16ToF32(0xFE00)));
    EXPECT_EQ(f16ToF32(0x7BFF), 65504.0f);  // largest finite half: (2 − 2^-10) · 2^15
    EXPECT_EQ(f16ToF32(0xFBFF), -65504.0f);
}

TEST(Half, F16Subnormals) {
    EXPECT_EQ(f16ToF32(0x0001), std::ldexp(1.0f, -24));           // smallest subnormal 2^-24
    EXPECT_EQ(f16ToF32(0x8001), -std::ldexp(1.0f, -24));
    EXPECT_EQ(f16ToF32(0x0002), std::ldexp(1.0f, -23));
    EXPECT_EQ(f16ToF32(0x03FF), 1023.0f * std::ldexp(1.0f, -24));  // largest subnormal
    EXPECT_EQ(f16ToF32(0x0200), std::ldexp(1.0f, -15));
    EXPECT_EQ(f16ToF32(0x0400), std::ldexp(1.0f, -14));            // smallest normal
}

// Every binary16 pattern against the definition: (−1)^s · 2^(e−15) · (1 + m/1024), subnormals
// (−1)^s · m · 2^-24, e = 31 → Inf (m = 0) or NaN with the payload moved up by 13 bits.
TEST(Half, F16EveryPatternMatchesTheDefinition) {
    for (uint32_t h = 0; h < 0x10000u; ++h) {
        const uint32_t s = h >> 15, e = (h >> 10) & 0x1F, m = h & 0x3FF;
        const float got = f16ToF32(static_cast<uint16_t>(h));
        if (e == 31) {
            ASSERT_EQ(bits(got), (s << 31) | 0x7F800000u | (m << 13)) << std::hex << h;
            continue;
        }
        const double mag = e == 0 ? std::ldexp(double(m), -24) : std::ldexp(1.0 + m / 1024.0, int(e) - 15);
        const double want = s ? -mag : mag;
        ASSERT_EQ(double{got}, want) << std::hex << h;
        ASSERT_EQ(std::signbit(got), s == 1) << std::hex << h;
    }
}

TEST(Half, F16RoundTripsEveryPattern) {
    for (uint32_t h = 0; h < 0x10000u; ++h) {
        const float f = f16ToF32(static_cast<uint16_t>(h));
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(f16ToF32(f32ToF16(f)))) << h;
            continue;
        }
        ASSERT_EQ(f32ToF16(f), h) << "pattern 0x" << std::hex << h;
    }
}

TEST(Half, F32ToF16RoundsHalfToEven) {
    const float ulp1 = std::ldexp(1.0f, -10);  // spacing of halves in [1, 2)
    EXPECT_EQ(f32ToF16(1.0f + ulp1 / 2), 0x3C00);                        // tie → even (1.0)
    EXPECT_EQ(f32ToF16(1.0f + 3 * ulp1 / 2), 0x3C02);                    // tie between 0x3C01, 0x3C02 → even
    EXPECT_EQ(f32ToF16(1.0f + ulp1 / 2 + std::ldexp(1.0f, -20)), 0x3C01);  // just above the tie
    EXPECT_EQ(f32ToF16(1.0f + ulp1 / 2 - std::ldexp(1.0f, -20)), 0x3C00);  // just below
    EXPECT_EQ(f32ToF16(-1.0f - ulp1 / 2), 0xBC00);
    // Overflow: 65520 is the tie between 65504 and 2^16 (which is Inf): even → Inf.
    EXPECT_EQ(f32ToF16(65519.0f), 0x7BFF);
    EXPECT_EQ(f32ToF16(65520.0f), 0x7C00);
    EXPECT_EQ(f32ToF16(1e10f), 0x7C00);
    EXPECT_EQ(f32ToF16(-1e10f), 0xFC00);
    // Subnormal ties: 2^-25 is halfway between 0 and 2^-24 → 0; 3·2^-25 → 2·2^-24 (even).
    EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -25)), 0x0000);
    EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -25) * 1.0001f), 0x0001);
    EXPECT_EQ(f32ToF16(3 * std::ldexp(1.0f, -25)), 0x0002);
    EXPECT_EQ(f32ToF16(1023.5f * std::ldexp(1.0f, -24)), 0x0400);  // tie 0x3FF/0x400 → even, carries to normal
    EXPECT_EQ(f32ToF16(std::ldexp(1.0f, -30)), 0x0000);
    EXPECT_EQ(f32ToF16(-std::ldexp(1.0f, -30)), 0x8000);  // sign survives underflow
    EXPECT_EQ(f32ToF16(-0.0f), 0x8000);
    const uint16_t n = f32ToF16(std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(n & 0x7C00, 0x7C00);
    EXPECT_NE(n & 0x03FF, 0);
}

TEST(Half, Bf16SpecialValues) {
    EXPECT_EQ(bf16ToF32(0x3F80), 1.0f);
    EXPECT_EQ(bf16ToF32(0xC040), -3.0f);
    EXPECT_EQ(bits(bf16ToF32(0x8000)), 0x80000000u);
    EXPECT_EQ(bf16ToF32(0x0001), std::ldexp(1.0f, -133));  // smallest bf16 subnormal = 2^-126 · 2^-7
    EXPECT_EQ(bf16ToF32(0x007F), 127.0f * std::ldexp(1.0f, -133));
    EXPECT_EQ(bf16ToF32(0x7F80), std::numeric_limits<float>::infinity());
    EXPECT_EQ(bf16ToF32(0xFF80), -std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(bf16ToF32(0x7FC0)));
    EXPECT_EQ(bf16ToF32(0x7F7F), std::ldexp(255.0f, 120));  // largest finite: (2 − 2^-7) · 2^127
}

TEST(Half, F32ToBf16RoundsHalfToEven) {
    const float ulp1 = std::ldexp(1.0f, -7);
    EXPECT_EQ(f32ToBf16(1.0f + ulp1 / 2), 0x3F80);
    EXPECT_EQ(f32ToBf16(1.0f + 3 * ulp1 / 2), 0x3F82);
    EXPECT_EQ(f32ToBf16(1.0f + ulp1 / 2 + std::ldexp(1.0f, -20)), 0x3F81);
    EXPECT_EQ(f32ToBf16(std::numeric_limits<float>::max()), 0x7F80);  // rounds up past the top → Inf
    const uint16_t n = f32ToBf16(std::numeric_limits<float>::quiet_NaN());
    EXPECT_TRUE(std::isnan(bf16ToF32(n)));
    for (uint32_t b = 0; b < 0x10000u; ++b) {
        const float f = bf16ToF32(static_cast<uint16_t>(b));
        if (!std::isnan(f)) {
            ASSERT_EQ(f32ToBf16(f), b);
        }
    }
}

}  // namespace
}  // namespace qv
