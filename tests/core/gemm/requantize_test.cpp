// Requantization arithmetic against values worked out by hand: multipliers, the fixed-point primitives, ties, saturation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/gemm/gemm.h"
#include "core/gemm/requantize.h"

namespace qv {
namespace {

constexpr int32_t k2p30 = 1 << 30;

TEST(QuantizeMultiplier, ExactPowersAndMantissas) {
    // 0.5 = 0.5·2^0 → m0 = 0.5·2^31 = 2^30, shift 0.
    EXPECT_EQ(quantizeMultiplier(0.5), (QuantizedMultiplier{k2p30, 0}));
    // 0.25 = 0.5·2^−1.
    EXPECT_EQ(quantizeMultiplier(0.25), (QuantizedMultiplier{k2p30, -1}));
    // 1.0 = 0.5·2^1 (a left shift).
    EXPECT_EQ(quantizeMultiplier(1.0), (QuantizedMultiplier{k2p30, 1}));
    // 0.75 → 0.75·2^31 = 1610612736.
    EXPECT_EQ(quantizeMultiplier(0.75), (QuantizedMultiplier{1610612736, 0}));
    // 0.5 − 2^−32 = (1 − 2^−31)·2^−1 → m0 = 2^31 − 1 exactly, shift −1.
    EXPECT_EQ(quantizeMultiplier(0.5 - std::ldexp(1.0, -32)), (QuantizedMultiplier{2147483647, -1}));
    // 1 − 2^−40: the mantissa rounds up to 2^31 and is renormalized to 2^30 with shift + 1.
    EXPECT_EQ(quantizeMultiplier(1.0 - std::ldexp(1.0, -40)), (QuantizedMultiplier{k2p30, 1}));
    // Below 2^−32 everything is shifted out: TFLite sets the multiplier to 0.
    EXPECT_EQ(quantizeMultiplier(std::ldexp(1.0, -40)), (QuantizedMultiplier{0, 0}));
    EXPECT_EQ(quantizeMultiplier(0.0), (QuantizedMultiplier{0, 0}));
}

TEST(FixedPoint, SaturatingRoundingDoublingHighMul) {
    // round(a·b / 2^31): 5·2^30/2^31 = 2.5 → 3 (ties up for positives).
    EXPECT_EQ(saturatingRoundingDoublingHighMul(5, k2p30), 3);
    // −2.5: nudge 1 − 2^30 then truncation → −2 (negative ties go toward zero).
    EXPECT_EQ(saturatingRoundingDoublingHighMul(-5, k2p30), -2);
    // −1.5 → −1; −2.6 would be −3: (−2.6·2^31 − 2^30 + 1)/2^31 truncates to −3.
    EXPECT_EQ(saturatingRoundingDoublingHighMul(-3, k2p30), -1);
    EXPECT_EQ(saturatingRoundingDoublingHighMul(100, 1610612736), 75);  // 100·0.75 exactly
    // The only overflow: INT32_MIN² → INT32_MAX.
    const int32_t mn = std::numeric_limits<int32_t>::min();
    EXPECT_EQ(saturatingRoundingDoublingHighMul(mn, mn), std::numeric_limits<int32_t>::max());
}

TEST(FixedPoint, RoundingDivideByPOTTiesAwayFromZero) {
    EXPECT_EQ(roundingDivideByPOT(5, 1), 3);    // 2.5 → 3
    EXPECT_EQ(roundingDivideByPOT(-5, 1), -3);  // −2.5 → −3
    EXPECT_EQ(roundingDivideByPOT(6, 2), 2);    // 1.5 → 2
    EXPECT_EQ(roundingDivideByPOT(-6, 2), -2);  // −1.5 → −2
    EXPECT_EQ(roundingDivideByPOT(7, 2), 2);    // 1.75 → 2
    EXPECT_EQ(roundingDivideByPOT(-7, 2), -2);  // −1.75 → −2
    EXPECT_EQ(roundingDivideByPOT(-9, 2), -2);  // −2.25 → −2
    EXPECT_EQ(roundingDivideByPOT(9, 0), 9);
}

TEST(RequantPaths, TiesWhereFloatAndFixedDiffer) {
    const QuantizedMultiplier half{k2p30, 0};  // M = 0.5 exactly
    // 5·0.5 = 2.5: float rounds half to even → 2; both fixed paths round the tie up → 3.
    EXPECT_EQ(multiplyFloat(5, 0.5f, -1e9f, 1e9f), 2);
    EXPECT_EQ(multiplyFixedDouble(5, half), 3);
    EXPECT_EQ(multiplyFixedSingle(5, half), 3);
    // −3·0.5 = −1.5: float → −2 (even); fixed double → −1 (SRDHM's negative tie toward zero);
    // single: (−3·2^30 + 2^30) >> 31 = −1 (ties toward +∞).
    EXPECT_EQ(multiplyFloat(-3, 0.5f, -1e9f, 1e9f), -2);
    EXPECT_EQ(multiplyFixedDouble(-3, half), -1);
    EXPECT_EQ(multiplyFixedSingle(-3, half), -1);
    // 7·0.5 = 3.5: all three give 4 (even and up agree).
    EXPECT_EQ(multiplyFloat(7, 0.5f, -1e9f, 1e9f), 4);
    EXPECT_EQ(multiplyFixedDouble(7, half), 4);
    EXPECT_EQ(multiplyFixedSingle(7, half), 4);
}

TEST(RequantPaths, DoubleRoundingDiffersFromSingle) {
    // M = (2^31 − 1)·2^−32 = 0.5 − 2^−32, acc = 1: the exact product 0.5 − 2^−32 rounds to 0.
    // Double rounding: SRDHM(1, 2^31 − 1) = round(1 − 2^−31) = 1, then RoundingDivideByPOT(1, 1) =
    // round(0.5) = 1 — the first rounding created a tie and the second rounded it up.
    const QuantizedMultiplier qm = quantizeMultiplier(0.5 - std::ldexp(1.0, -32));
    EXPECT_EQ(saturatingRoundingDoublingHighMul(1, qm.m0), 1);
    EXPECT_EQ(multiplyFixedDouble(1, qm), 1);
    EXPECT_EQ(multiplyFixedSingle(1, qm), 0);  // (2^31 − 1 + 2^31) >> 32 = 0
    EXPECT_EQ(multiplyFloat(1, static_cast<float>(0.5 - std::ldexp(1.0, -32)), -1e9f, 1e9f), 0);  // fl32 → 0.5, tie → 0
}

TEST(RequantPaths, LeftShiftForMultipliersAboveOne) {
    const QuantizedMultiplier three = quantizeMultiplier(3.0);  // 0.75·2^2
    EXPECT_EQ(three, (QuantizedMultiplier{1610612736, 2}));
    EXPECT_EQ(multiplyFixedDouble(7, three), 21);
    EXPECT_EQ(multiplyFixedSingle(7, three), 21);
    EXPECT_EQ(multiplyFixedSingle(-7, three), -21);
    // The shifted accumulator saturates instead of wrapping: 2^30·4 > INT32_MAX.
    // SRDHM(2^31 − 1, 0.75·2^31) = round(1610612735.25) = 1610612735.
    EXPECT_EQ(multiplyFixedDouble(k2p30, three), 1610612735);
}

// The three paths through the public API: a 1×1×1 GEMM with s_a = s_b = 1 and s_y = 2 (M = 0.5),
// the accumulator set by the bias.
int32_t oneElement(int32_t bias, RequantRounding r, bool ySigned, int32_t yZero, GemmKernel kernel) {
    const uint8_t a = 0;
    const int8_t b = 0;
    const std::vector<int32_t> biasV{bias};
    GemmParams p;
    p.M = p.N = p.K = 1;
    p.bias = biasV;
    p.out.mode = GemmOutput::Quantized8;
    p.out.rounding = r;
    p.out.ySigned = ySigned;
    p.out.yScale = 2.0f;
    p.out.yZero = yZero;
    uint8_t y = 0;
    auto info = gemm(p, &a, &b, true, 0, &y, kernel);
    EXPECT_TRUE(info.ok());
    return ySigned ? static_cast<int8_t>(y) : y;
}

TEST(RequantPaths, ThroughGemmAllKernels) {
    for (GemmKernel k : {GemmKernel::Reference, GemmKernel::Avx2, GemmKernel::Avx512Vnni}) {
        if (!gemmKernelSupported(k)) continue;
        SCOPED_TRACE(gemmKernelName(k));
        // acc 5 → 2.5: float 2, fixed 3; plus zero point 10.
        EXPECT_EQ(oneElement(5, RequantRounding::Float, false, 10, k), 12);
        EXPECT_EQ(oneElement(5, RequantRounding::FixedDouble, false, 10, k), 13);
        EXPECT_EQ(oneElement(5, RequantRounding::FixedSingle, false, 10, k), 13);
        // acc −3 → −1.5: float −2, fixed −1 (int8 output, zero point 0).
        EXPECT_EQ(oneElement(-3, RequantRounding::Float, true, 0, k), -2);
        EXPECT_EQ(oneElement(-3, RequantRounding::FixedDouble, true, 0, k), -1);
        EXPECT_EQ(oneElement(-3, RequantRounding::FixedSingle, true, 0, k), -1);
        // Saturation: 1000·0.5 + 3 = 503 → 255 (uint8), → 127 (int8); −1000·0.5 → 0 / −128.
        for (RequantRounding r : {RequantRounding::Float, RequantRounding::FixedDouble, RequantRounding::FixedSingle}) {
            EXPECT_EQ(oneElement(1000, r, false, 3, k), 255);
            EXPECT_EQ(oneElement(1000, r, true, 3, k), 127);
            EXPECT_EQ(oneElement(-1000, r, false, 3, k), 0);
            EXPECT_EQ(oneElement(-1000, r, true, 3, k), -128);
            // Just inside: 504·0.5 − 128 = 124 → int8 124 (zero point −128).
            EXPECT_EQ(oneElement(504, r, true, -128, k), 124);
        }
        // Huge accumulators do not overflow the float path's conversion.
        EXPECT_EQ(oneElement(std::numeric_limits<int32_t>::max(), RequantRounding::Float, false, 0, k), 255);
        EXPECT_EQ(oneElement(std::numeric_limits<int32_t>::min(), RequantRounding::Float, true, 0, k), -128);
    }
}

}  // namespace
}  // namespace qv
