// The step-by-step trace of one output element, checked against a case worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/gemm/gemm_trace.h"

namespace qv {
namespace {

TEST(GemmTrace, HandWorkedElementShowsEveryStep) {
    // A = [1 2 3] (uint8, za = 1), B = [1 −1 2]ᵀ (int8, zb = 1), bias 5.
    // Σ a·b = 1 − 2 + 6 = 5; rowsum(A) = 6, colsum(B) = 2.
    // Σ (a − za)(b − zb) = 0·0 + 1·(−2) + 2·1 = 0 = 5 − zb·6 − za·2 + K·za·zb = 5 − 6 − 2 + 3.
    const std::vector<uint8_t> a{1, 2, 3};
    const std::vector<int8_t> b{1, -1, 2};
    const std::vector<int32_t> bias{5};
    GemmParams p;
    p.M = 1;
    p.N = 1;
    p.K = 3;
    p.aZero = 1;
    p.aScale = 0.5f;
    p.bScales = {0.25f};
    p.bias = bias;
    p.out.mode = GemmOutput::Quantized8;
    p.out.yScale = 0.25f;  // M = 0.5·0.25/0.25 = 0.5: acc 5 → 2.5, a tie
    auto t = traceGemmElement(p, a.data(), b.data(), true, 1, 0, 0);
    ASSERT_TRUE(t.ok()) << t.message();
    EXPECT_EQ(t->rawDot, 5);
    EXPECT_EQ(t->rowSumA, 6);
    EXPECT_EQ(t->colSumB, 2);
    EXPECT_EQ(t->rowCorrection, -6);
    EXPECT_EQ(t->colCorrection, -2);
    EXPECT_EQ(t->constantTerm, 3);
    EXPECT_EQ(t->exactDot, 0);
    EXPECT_EQ(t->acc, 5);
    EXPECT_FLOAT_EQ(t->dequantizedAcc, 0.625f);  // 5 · 0.5 · 0.25
    EXPECT_DOUBLE_EQ(t->multiplier, 0.5);
    EXPECT_EQ(t->fixedMultiplier, (QuantizedMultiplier{1 << 30, 0}));
    EXPECT_DOUBLE_EQ(t->multiplierFromFixed, 0.5);
    EXPECT_DOUBLE_EQ(t->exactProduct, 2.5);
    // The three roundings of 2.5: half to even → 2; fixed point rounds the tie up → 3.
    EXPECT_EQ(t->floatPath.code, 2);
    EXPECT_EQ(t->fixedDouble.afterFirstRounding, 3);
    EXPECT_EQ(t->fixedDouble.code, 3);
    EXPECT_EQ(t->fixedSingle.code, 3);
    EXPECT_FLOAT_EQ(t->floatPath.dequantized, 0.5f);
    EXPECT_FLOAT_EQ(t->fixedDouble.dequantized, 0.75f);
    EXPECT_FALSE(t->floatPath.saturated);
    // The trace agrees with the GEMM itself.
    for (RequantRounding r : {RequantRounding::Float, RequantRounding::FixedDouble, RequantRounding::FixedSingle}) {
        p.out.rounding = r;
        uint8_t y = 0;
        ASSERT_TRUE(gemm(p, a.data(), b.data(), true, 1, &y).ok());
        EXPECT_EQ(y, r == RequantRounding::Float ? 2 : 3);
    }
}

TEST(GemmTrace, SaturationIsFlaggedAndOutOfRangeIsAnError) {
    const std::vector<uint8_t> a{200, 200};
    const std::vector<int8_t> b{100, 100};
    GemmParams p;
    p.M = 1;
    p.N = 1;
    p.K = 2;
    p.out.mode = GemmOutput::Quantized8;
    p.out.ySigned = true;
    p.out.yScale = 1.0f;  // M = 1: acc 40000 saturates to 127
    auto t = traceGemmElement(p, a.data(), b.data(), true, 0, 0, 0);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->acc, 40000);
    EXPECT_EQ(t->floatPath.beforeZeroPoint, 40000);
    EXPECT_EQ(t->floatPath.code, 127);
    EXPECT_TRUE(t->floatPath.saturated);
    EXPECT_EQ(t->fixedSingle.code, 127);
    EXPECT_FALSE(traceGemmElement(p, a.data(), b.data(), true, 0, 1, 0).ok());
}

}  // namespace
}  // namespace qv
