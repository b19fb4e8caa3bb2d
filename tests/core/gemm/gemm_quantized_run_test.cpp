// Quantize-and-run on float operands: codes, the int8 result and the fp32 comparison on a case worked out by hand.
#include <gtest/gtest.h>

#include <vector>

#include "core/gemm/gemm_quantized_run.h"
#include "core/gemm/gemm_trace.h"

namespace qv {
namespace {

QuantParams perTensorAsym(float scale, int32_t zero) {
    QuantParams p;
    p.scheme.bits = 8;
    p.scheme.symmetry = Symmetry::Asymmetric;
    p.slices = {SliceParams{scale, zero, {}}};
    return p;
}

QuantParams perChannelSym(std::vector<float> scales) {
    QuantParams p;
    p.scheme.bits = 8;
    p.scheme.symmetry = Symmetry::Symmetric;
    p.scheme.granularity = Granularity::PerChannel;
    p.scheme.axis = 1;
    for (float s : scales) p.slices.push_back(SliceParams{s, 0, {}});
    return p;
}

TEST(QuantizedRun, HandWorkedTwoByTwo) {
    // A = [1.1 −2] with s = 0.5, z = 10: codes round(2.2) + 10 = 12 and −4 + 10 = 6.
    // B = [0.5 1; −0.25 2], per column s = 0.25 and 0.5: codes [2 2; −1 4].
    // acc = [(12−10)·2 + (6−10)·(−1), (12−10)·2 + (6−10)·4] = [8, −12]
    // y_int8 = [8·0.5·0.25, −12·0.5·0.5] = [1, −3]; y_fp32 = [1.1·0.5 + 0.5, 1.1 − 4] = [1.05, −2.9].
    const std::vector<float> a{1.1f, -2.0f}, b{0.5f, 1.0f, -0.25f, 2.0f};
    auto run = quantizeAndRunGemm(a, b, 1, 2, 2, perTensorAsym(0.5f, 10), perChannelSym({0.25f, 0.5f}), 2);
    ASSERT_TRUE(run.ok()) << run.message();
    EXPECT_EQ(run->aCodes, (std::vector<uint8_t>{12, 6}));
    EXPECT_EQ(run->bCodes, (std::vector<uint8_t>{2, 2, 0xFF, 4}));  // −1 as an int8 byte
    EXPECT_FALSE(run->aSigned);
    EXPECT_TRUE(run->bSigned);
    EXPECT_EQ(run->yInt8, (std::vector<float>{1.0f, -3.0f}));
    EXPECT_NEAR(run->yFp32[0], 1.05f, 1e-6);
    EXPECT_NEAR(run->yFp32[1], -2.9f, 1e-6);
    EXPECT_NEAR(run->comparison.total.mse, (0.05 * 0.05 + 0.1 * 0.1) / 2, 1e-7);
    EXPECT_NEAR(run->comparison.total.maxAbsError, 0.1, 1e-6);
    ASSERT_EQ(run->comparison.perChannel.size(), 2u);
    EXPECT_NEAR(run->comparison.perChannel[0].maxAbsError, 0.05, 1e-6);
    EXPECT_EQ(run->info.kernel, bestGemmKernel());
    // The trace of element (0, 1) on the run's codes gives the same accumulator.
    auto t = traceGemmElement(run->params, run->aCodes.data(), run->bCodes.data(), run->bSigned, run->bZero, 0, 1);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->acc, -12);
    EXPECT_FLOAT_EQ(t->dequantizedAcc, -3.0f);
}

TEST(QuantizedRun, RejectsSchemesTheGemmCannotTake) {
    const std::vector<float> a(4, 1.0f), b(4, 1.0f);
    QuantParams grouped = perChannelSym({1.0f, 1.0f});
    grouped.scheme.axis = 0;  // per input channel: not a GEMM output scale
    auto r = quantizeAndRunGemm(a, b, 2, 2, 2, perTensorAsym(0.1f, 0), grouped);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("axis 1"), std::string::npos);
    QuantParams wide = perTensorAsym(0.1f, 0);
    wide.scheme.bits = 12;
    r = quantizeAndRunGemm(a, b, 2, 2, 2, wide, perChannelSym({1.0f, 1.0f}));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("8-bit"), std::string::npos);
    r = quantizeAndRunGemm(a, b, 2, 3, 2, perTensorAsym(0.1f, 0), perChannelSym({1.0f, 1.0f}));
    ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace qv
