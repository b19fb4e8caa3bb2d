// The fp32 side: Eigen GEMM on a hand case and the int8-vs-fp32 error metrics worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/gemm/gemm_fp32.h"

namespace qv {
namespace {

TEST(GemmFp32, HandProduct) {
    // [1 2 3; 4 5 6] · [1 0; 0 1; 1 −1] = [4 −1; 10 −1]
    const std::vector<float> a{1, 2, 3, 4, 5, 6}, b{1, 0, 0, 1, 1, -1};
    for (int threads : {1, 2}) {
        std::vector<float> y(4, -7);
        gemmFp32(a.data(), b.data(), y.data(), 2, 2, 3, threads);
        EXPECT_EQ(y, (std::vector<float>{4, -1, 10, -1}));
    }
}

TEST(GemmFp32, LargerMatchesScalarLoop) {
    const int64_t M = 37, N = 150, K = 70;
    std::vector<float> a(M * K), b(K * N), y(M * N), want(M * N);
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(static_cast<int>(i % 13) - 6);
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
    gemmFp32(a.data(), b.data(), y.data(), M, N, K, 2);
    gemmFp32Scalar(a.data(), b.data(), want.data(), M, N, K, 0, N);
    EXPECT_EQ(y, want);  // small integers: every order of summation is exact
}

TEST(GemmCompare, HandWorkedMetrics) {
    // test = [1 2; 3 4], ref = [1 2; 3 5]: e = [0 0; 0 −1].
    const std::vector<float> test{1, 2, 3, 4}, ref{1, 2, 3, 5};
    const GemmComparison c = compareGemmOutputs(test, ref, 2, 2);
    EXPECT_EQ(c.total.count, 4u);
    EXPECT_DOUBLE_EQ(c.total.mse, 0.25);
    EXPECT_DOUBLE_EQ(c.total.maxAbsError, 1.0);
    EXPECT_DOUBLE_EQ(c.total.meanAbsError, 0.25);
    EXPECT_NEAR(c.total.sqnrDb, 10 * std::log10(39.0), 1e-12);       // Σref² = 39, Σe² = 1
    EXPECT_NEAR(c.total.cosine, 34.0 / std::sqrt(30.0 * 39.0), 1e-12);  // ⟨t,r⟩ = 34, ‖t‖² = 30
    ASSERT_EQ(c.perChannel.size(), 2u);
    EXPECT_EQ(c.perChannel[0].mse, 0.0);
    EXPECT_EQ(c.perChannel[0].sqnrDb, std::numeric_limits<double>::infinity());
    EXPECT_DOUBLE_EQ(c.perChannel[0].cosine, 1.0);
    EXPECT_DOUBLE_EQ(c.perChannel[1].mse, 0.5);
    EXPECT_NEAR(c.perChannel[1].sqnrDb, 10 * std::log10(29.0), 1e-12);
    EXPECT_NEAR(c.perChannel[1].cosine, 24.0 / std::sqrt(20.0 * 29.0), 1e-12);
}

TEST(GemmCompare, DegenerateCases) {
    const std::vector<float> zeros{0, 0}, ones{1, 1};
    const GemmComparison same = compareGemmOutputs(zeros, zeros, 1, 2);
    EXPECT_EQ(same.total.cosine, 1.0);
    EXPECT_EQ(same.total.sqnrDb, std::numeric_limits<double>::infinity());
    const GemmComparison vsZero = compareGemmOutputs(ones, zeros, 1, 2);
    EXPECT_EQ(vsZero.total.sqnrDb, 0.0);
    EXPECT_EQ(vsZero.total.cosine, 0.0);
    const std::vector<float> withNan{std::nanf(""), 1};
    EXPECT_EQ(compareGemmOutputs(withNan, ones, 1, 2).total.count, 1u);
}

}  // namespace
}  // namespace qv
