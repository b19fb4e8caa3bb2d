// GEMM view-model, headless: synthetic activations, the Wᵀ layout, and the scatter/histogram/channel data of a real run.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "app/views/gemm_view.h"
#include "core/calib/calibrator.h"

namespace qv {
namespace {

TEST(GemmView, SyntheticActivationsHaveUnitVarianceAndOutlierChannels) {
    const int64_t M = 400, K = 64;
    const auto a = syntheticActivations(M, K, ActivationShape::Laplace, 2, 50.0f, 3);
    ASSERT_EQ(a.size(), static_cast<size_t>(M * K));
    // Outlier channels at (2c + 1)·K / 4 = 16 and 48.
    auto colVar = [&](int64_t k) {
        double s = 0;
        for (int64_t i = 0; i < M; ++i) s += double(a[i * K + k]) * a[i * K + k];
        return s / M;
    };
    EXPECT_NEAR(colVar(0), 1.0, 0.3);
    EXPECT_NEAR(colVar(16) / 2500.0, 1.0, 0.3);
    EXPECT_NEAR(colVar(48) / 2500.0, 1.0, 0.3);
    EXPECT_EQ(a, syntheticActivations(M, K, ActivationShape::Laplace, 2, 50.0f, 3));  // deterministic
}

TEST(GemmView, LinearWeightsAreTransposed) {
    // W = [1 2 3; 4 5 6] as [out = 2, in = 3] → B = Wᵀ (3×2) = [1 4; 2 5; 3 6].
    const std::vector<float> w{1, 2, 3, 4, 5, 6};
    EXPECT_EQ(weightsAsB(w, 2, 3, true), (std::vector<float>{1, 4, 2, 5, 3, 6}));
    EXPECT_EQ(weightsAsB(w, 2, 3, false), w);
}

TEST(GemmView, BuildsPlotsFromARun) {
    // Hand-made run: y_int8 = [1, −3, 2, 0], y_fp32 = [1, −2.5, 2, 0.5] (M = 2, N = 2).
    QuantizedGemmRun run;
    run.M = 2;
    run.N = 2;
    run.yInt8 = {1, -3, 2, 0};
    run.yFp32 = {1, -2.5f, 2, 0.5f};
    run.comparison = compareGemmOutputs(run.yInt8, run.yFp32, 2, 2);
    const GemmView v = buildGemmView(run, 100, 4);
    ASSERT_EQ(v.scatter.fp32.size(), 4u);
    EXPECT_EQ(v.scatter.lo, -3.0f);
    EXPECT_EQ(v.scatter.hi, 2.0f);
    // Errors 0, −0.5, 0, −0.5 over bins of [−0.5, 0.5]: two at the left edge, two in bin 2.
    ASSERT_EQ(v.histogram.counts.size(), 4u);
    EXPECT_DOUBLE_EQ(v.histogram.lo, -0.5);
    EXPECT_EQ(v.histogram.counts, (std::vector<double>{2, 0, 2, 0}));
    // Channel 0 exact, channel 1 has both errors: RMSE 0.5.
    ASSERT_EQ(v.channels.rmse.size(), 2u);
    EXPECT_DOUBLE_EQ(v.channels.rmse[0], 0.0);
    EXPECT_DOUBLE_EQ(v.channels.rmse[1], 0.5);
    EXPECT_EQ(v.channels.worst, 1);
}

TEST(GemmView, SubsamplingKeepsTheWorstOutputs) {
    QuantizedGemmRun run;
    run.M = 1;
    run.N = 1000;
    run.yFp32.assign(1000, 0.0f);
    run.yInt8.assign(1000, 0.0f);
    run.yInt8[777] = 9.0f;  // one large error, not on the stride
    run.comparison = compareGemmOutputs(run.yInt8, run.yFp32, 1, 1000);
    const GemmView v = buildGemmView(run, 50, 11);
    EXPECT_EQ(v.scatter.fp32.size(), 50u);
    EXPECT_EQ(v.scatter.total, 1000u);
    EXPECT_EQ(v.scatter.hi, 9.0f);  // the outlier made it into the scatter
}

TEST(GemmView, EndToEndOnQuantizedRun) {
    const int64_t M = 8, K = 32, N = 16;
    const auto a = syntheticActivations(M, K, ActivationShape::Gaussian, 1, 20.0f, 1);
    const auto b = syntheticActivations(K, N, ActivationShape::Gaussian, 0, 1.0f, 2);
    QuantParams ap, bp;
    ap.scheme.symmetry = Symmetry::Asymmetric;
    float lo = 0, hi = 0;
    for (float x : a) lo = std::min(lo, x), hi = std::max(hi, x);
    ap.slices = {paramsFromRange(ap.scheme, ClipRange{lo, hi})};
    float bmax = 0;
    for (float x : b) bmax = std::max(bmax, std::fabs(x));
    bp.slices = {paramsFromRange(bp.scheme, ClipRange{-bmax, bmax})};
    auto run = quantizeAndRunGemm(a, b, M, N, K, ap, bp, 1);
    ASSERT_TRUE(run.ok()) << run.message();
    const GemmView v = buildGemmView(*run);
    EXPECT_EQ(v.scatter.total, static_cast<uint64_t>(M * N));
    EXPECT_GT(run->comparison.total.sqnrDb, 10.0);  // 8 bits with one 20× outlier channel: still > 10 dB
    EXPECT_LT(run->comparison.total.sqnrDb, 60.0);
    double hist = 0;
    for (double c : v.histogram.counts) hist += c;
    EXPECT_EQ(hist, double(M * N));
    EXPECT_NE(v.summary.find("int8"), std::string::npos);
}

// Hand-made B (K = 3, N = 2) as the GEMM sees it: column 0 = {1, 2, −3}, column 1 = {−4, 0.5, 2}.
const std::vector<float> kB{1, -4, 2, 0.5f, -3, 2};

TEST(GemmView, MinMaxPerTensorIsAmaxOver127) {
    GemmOperandChoice c;  // minmax, int8 symmetric, per tensor
    EXPECT_EQ(gemmCalibratorSpec(c), "minmax");
    auto p = gemmOperandParams(c, kB, 3, 2);
    ASSERT_TRUE(p.ok()) << p.message();
    EXPECT_EQ(p->scheme.granularity, Granularity::PerTensor);
    ASSERT_EQ(p->slices.size(), 1u);
    EXPECT_FLOAT_EQ(p->slices[0].scale, 4.0f / 127.0f);  // max|x| = 4, restricted range ±127
    EXPECT_EQ(p->slices[0].zeroPoint, 0);
}

TEST(GemmView, PerOutputChannelGivesOneScalePerColumnOfB) {
    GemmOperandChoice c;
    c.perChannel = true;
    auto p = gemmOperandParams(c, kB, 3, 2);
    ASSERT_TRUE(p.ok()) << p.message();
    EXPECT_EQ(p->scheme.granularity, Granularity::PerChannel);
    EXPECT_EQ(p->scheme.axis, 1);  // what quantizeAndRunGemm expects for B
    ASSERT_EQ(p->slices.size(), 2u);
    EXPECT_FLOAT_EQ(p->slices[0].scale, 3.0f / 127.0f);  // column 0: max|{1, 2, −3}| = 3
    EXPECT_FLOAT_EQ(p->slices[1].scale, 4.0f / 127.0f);  // column 1: max|{−4, 0.5, 2}| = 4
    const std::string line = describeOperandParams("B", c, *p);
    EXPECT_NE(line.find("2 scales"), std::string::npos) << line;
    EXPECT_NE(line.find("minmax"), std::string::npos) << line;
}

TEST(GemmView, AsymmetricActivationsHaveAZeroPoint) {
    // A (2×2) = {−1, 0.5; 3, 2}: range [−1, 3], s = 4/255, z = 0 − round(−1/s) = round(63.75) = 64.
    const std::vector<float> a{-1, 0.5f, 3, 2};
    GemmOperandChoice c;
    c.asymmetric = true;
    auto p = gemmOperandParams(c, a, 2, 2);
    ASSERT_TRUE(p.ok()) << p.message();
    ASSERT_EQ(p->slices.size(), 1u);
    EXPECT_FLOAT_EQ(p->slices[0].scale, 4.0f / 255.0f);
    EXPECT_EQ(p->slices[0].zeroPoint, 64);
    EXPECT_NE(describeOperandParams("A", c, *p).find("z = 64"), std::string::npos);
}

TEST(GemmView, PercentileClipsAnOutlier) {
    // 99 values 0.01 … 0.99 and one outlier 100 (10×10). Min-max: s = 100/127. Percentile 90:
    // 90 % of |x| lie at or below 0.90, so the clip (the lower edge of a 2048-bin |x| histogram
    // bin over [0, 100], width 100/2048) is within one bin of 0.90 and the outlier is clipped.
    std::vector<float> x;
    for (int i = 1; i <= 99; ++i) x.push_back(0.01f * static_cast<float>(i));
    x.push_back(100.0f);
    GemmOperandChoice mm;
    auto pm = gemmOperandParams(mm, x, 10, 10);
    ASSERT_TRUE(pm.ok()) << pm.message();
    EXPECT_FLOAT_EQ(pm->slices[0].scale, 100.0f / 127.0f);
    GemmOperandChoice pc;
    pc.calibrator = "percentile";
    pc.percentile = 90;
    EXPECT_EQ(gemmCalibratorSpec(pc), "percentile:90");
    auto pp = gemmOperandParams(pc, x, 10, 10);
    ASSERT_TRUE(pp.ok()) << pp.message();
    const double amax = pp->slices[0].clip.hi;
    EXPECT_NEAR(amax, 0.90, 100.0 / 2048.0);
    EXPECT_FLOAT_EQ(pp->slices[0].scale, static_cast<float>(amax / 127.0));
}

TEST(GemmView, EveryCalibratorNameWorksAndBadChoicesAreErrors) {
    for (const auto& name : calibratorNames()) {
        GemmOperandChoice c;
        c.calibrator = name;
        c.perChannel = true;
        auto p = gemmOperandParams(c, kB, 3, 2);
        ASSERT_TRUE(p.ok()) << name << ": " << p.message();
        EXPECT_EQ(p->slices.size(), 2u) << name;
        for (const auto& s : p->slices) EXPECT_GT(s.scale, 0.0f) << name;
    }
    GemmOperandChoice bad;
    bad.calibrator = "nope";
    EXPECT_FALSE(gemmOperandParams(bad, kB, 3, 2).ok());
    GemmOperandChoice badP;
    badP.calibrator = "percentile";
    badP.percentile = 150;
    EXPECT_FALSE(gemmOperandParams(badP, kB, 3, 2).ok());
    EXPECT_FALSE(gemmOperandParams(GemmOperandChoice{}, kB, 2, 2).ok());  // 6 values are not 2×2
}

}  // namespace
}  // namespace qv
