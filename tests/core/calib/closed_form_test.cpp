// Calibrators against answers known in closed form: uniform, Gaussian and Laplace samples, outliers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "calib_test_support.h"
#include "core/calib/aciq_calibrator.h"
#include "core/calib/calib_math.h"
#include "core/calib/entropy_calibrator.h"
#include "core/calib/minmax_calibrator.h"
#include "core/calib/mse_calibrator.h"
#include "core/calib/omse_calibrator.h"
#include "core/calib/percentile_calibrator.h"
#include "core/stats/tensor_summary.h"

namespace qv {
namespace {

using test::Density;

constexpr size_t kLarge = size_t{1} << 22;  // 4M samples: quantiles and σ good to ~1e-3

QuantScheme sym(int bits) {
    QuantScheme s;
    s.bits = bits;
    return s;
}

double amaxOf(ClipRange r) { return std::max(std::abs(r.lo), std::abs(r.hi)); }

struct UniformFixture : ::testing::Test {
    static void SetUpTestSuite() {
        values = new std::vector<float>(test::uniformSamples(kLarge, -1.0, 1.0, 11));
        summary = new TensorSummary(summarizeValues(values->data(), values->size()));
    }
    static void TearDownTestSuite() { delete values; delete summary; }
    static std::vector<float>* values;
    static TensorSummary* summary;
};
std::vector<float>* UniformFixture::values = nullptr;
TensorSummary* UniformFixture::summary = nullptr;

TEST_F(UniformFixture, MinMaxIsTheExactRange) {
    auto [mn, mx] = std::minmax_element(values->begin(), values->end());
    QuantScheme asym = sym(8);
    asym.symmetry = Symmetry::Asymmetric;
    const ClipRange r = MinMaxCalibrator().calibrate(*summary, asym);
    EXPECT_EQ(r.lo, double(*mn));
    EXPECT_EQ(r.hi, double(*mx));
    EXPECT_EQ(amaxOf(MinMaxCalibrator().calibrate(*summary, sym(8))), std::max(-double(*mn), double(*mx)));
}

// For U(−1, 1) the p-th percentile of |x| is p/100 exactly. The tools return the lower edge of
// the 2048-bin histogram bin where the cdf first reaches p/100, so amax ∈ (q − w, q], w = absMax/2048.
TEST_F(UniformFixture, PercentileIsTheKnownQuantileWithinOneBin) {
    const double w = summary->absMax / 2048.0;
    for (double p : {90.0, 99.0, 99.9, 99.99}) {
        const double q = p / 100.0;
        const double amax = amaxOf(PercentileCalibrator(p).calibrate(*summary, sym(8)));
        EXPECT_LE(amax, q + 2e-4) << "p=" << p;  // sampling noise of the 4M-sample quantile ~1e-5
        EXPECT_GT(amax, q - w - 2e-4) << "p=" << p;
    }
    // Asymmetric (ONNX Runtime): (100 − p)/2 % from each tail of x over [−T, T], 2048 bins.
    QuantScheme asym = sym(8);
    asym.symmetry = Symmetry::Asymmetric;
    const ClipRange r = PercentileCalibrator(99.0).calibrate(*summary, asym);
    const double w2 = 2 * summary->absMax / 2048.0;
    EXPECT_NEAR(r.lo, -0.99, w2 + 2e-4);
    EXPECT_NEAR(r.hi, 0.99, w2 + 2e-4);
}

// Uniform data: clipping never pays beyond half a step, so min-max is MSE-optimal up to the
// half step at the edge: E(a) = a·(a/127)²/12 + (1 − a)³/3 has its minimum at 1 − a = a/254.
TEST_F(UniformFixture, MseKeepsTheFullRange) {
    const QuantScheme s = sym(8);
    const double a = amaxOf(MseCalibrator().calibrate(*summary, s));
    const double optimum = 1.0 / (1.0 + 1.0 / 254.0);
    EXPECT_NEAR(a, optimum, 3.0 / 2048);
    const double eMinMax = exactSquaredError(*values, s, symmetricRange(summary->absMax));
    const double eMse = exactSquaredError(*values, s, symmetricRange(a));
    EXPECT_LE(eMse, eMinMax * 1.001);
    const double aOmse = amaxOf(OmseCalibrator().calibrate(*summary, s));
    EXPECT_GE(aOmse, 0.98);  // one 1% shrink step at most
}

struct DistributionCase {
    Density density;
    int bits;
};

const std::vector<float>& data(Density d) {
    static const std::vector<float> g = test::gaussianSamples(kLarge, 1.0, 21);
    static const std::vector<float> l = test::laplaceSamples(kLarge, 1.0, 22);
    return d == Density::Gauss ? g : l;
}
const TensorSummary& summaryOf(Density d) {
    static const TensorSummary g = summarizeValues(data(Density::Gauss).data(), kLarge);
    static const TensorSummary l = summarizeValues(data(Density::Laplace).data(), kLarge);
    return d == Density::Gauss ? g : l;
}

class GridOptimum : public ::testing::TestWithParam<DistributionCase> {};
class PublishedTable : public ::testing::TestWithParam<DistributionCase> {};

// The MSE calibrator finds the true optimum of the grid (closed-form expected error of the
// restricted grid for N(0,1) / Laplace(0,1)) within the histogram resolution (a few 2048-bin
// widths) plus the sampling noise of the flat minimum.
TEST_P(GridOptimum, MseMatchesTheClosedFormOptimum) {
    const auto [d, bits] = GetParam();
    const TensorSummary& s = summaryOf(d);
    const double a = amaxOf(MseCalibrator().calibrate(s, sym(bits)));
    const double optimum = test::optimalGridAmax(d, bits);
    const double binWidth = s.absMax / 2048.0;
    EXPECT_NEAR(a, optimum, 3 * binWidth + 0.01 * optimum) << "bits " << bits;
    // And the expected error it costs is within 0.5% of the optimum's.
    EXPECT_LE(test::expectedGridError(d, a, bits), 1.005 * test::expectedGridError(d, optimum, bits));
}

// ACIQ is the published α/σ, α/b table times the fitted σ or b (b = mean|x − mean|).
TEST_P(GridOptimum, AciqIsTheTableTimesTheFittedScale) {
    const auto [d, bits] = GetParam();
    const TensorSummary& s = summaryOf(d);
    const auto fit = d == Density::Gauss ? AciqCalibrator::Fit::Gauss : AciqCalibrator::Fit::Laplace;
    const double a = amaxOf(AciqCalibrator(fit).calibrate(s, sym(bits)));
    const double unit = d == Density::Gauss ? s.std : s.meanAbsDeviation;
    EXPECT_NEAR(unit, 1.0, 3e-3);
    EXPECT_NEAR(a, std::abs(s.mean) + AciqCalibrator::alphaRatio(fit, bits) * unit, 1e-9);
    EXPECT_NEAR(a, AciqCalibrator::alphaRatio(fit, bits), 0.005 * a);
    // The automatic choice recognizes the distribution from 3 bits on; at 2 bits the restricted
    // grid has 3 levels only, the true optimum moves far below both tables' values (Laplace:
    // 2.0 b vs 2.83 b) and the Gaussian fit's smaller clip really costs less — auto picks by the
    // error of the clips on the data, so check that rule too.
    const auto other = fit == AciqCalibrator::Fit::Gauss ? AciqCalibrator::Fit::Laplace : AciqCalibrator::Fit::Gauss;
    const double aOther = amaxOf(AciqCalibrator(other).calibrate(s, sym(bits)));
    const auto chosen = AciqCalibrator().fitChoice(s, sym(bits));
    const double aChosen = chosen == fit ? a : aOther, aRejected = chosen == fit ? aOther : a;
    EXPECT_LE(test::expectedGridError(d, aChosen, bits), test::expectedGridError(d, aRejected, bits) * 1.001);
    if (bits >= 3) {
        EXPECT_EQ(chosen, fit) << "bits " << bits;
    }
}

// The table's model has 2^M levels; the restricted grid has 2^M − 1. From 6 bits on the
// difference is below 1.5%, so there the MSE threshold also matches the published table.
TEST_P(PublishedTable, MseMatchesThePublishedTableFromSixBits) {
    const auto [d, bits] = GetParam();
    const auto fit = d == Density::Gauss ? AciqCalibrator::Fit::Gauss : AciqCalibrator::Fit::Laplace;
    const double a = amaxOf(MseCalibrator().calibrate(summaryOf(d), sym(bits)));
    EXPECT_NEAR(a / AciqCalibrator::alphaRatio(fit, bits), 1.0, 0.015) << "bits " << bits;
}

INSTANTIATE_TEST_SUITE_P(Bits, GridOptimum,
                         ::testing::Values(DistributionCase{Density::Gauss, 2}, DistributionCase{Density::Gauss, 3},
                                           DistributionCase{Density::Gauss, 4}, DistributionCase{Density::Gauss, 5},
                                           DistributionCase{Density::Gauss, 6}, DistributionCase{Density::Gauss, 7},
                                           DistributionCase{Density::Gauss, 8}, DistributionCase{Density::Laplace, 2},
                                           DistributionCase{Density::Laplace, 3}, DistributionCase{Density::Laplace, 4},
                                           DistributionCase{Density::Laplace, 5}, DistributionCase{Density::Laplace, 6},
                                           DistributionCase{Density::Laplace, 7}, DistributionCase{Density::Laplace, 8}),
                         [](const ::testing::TestParamInfo<DistributionCase>& info) {
                             return std::string(info.param.density == Density::Gauss ? "gauss" : "laplace") + "_" +
                                    std::to_string(info.param.bits) + "bit";
                         });
INSTANTIATE_TEST_SUITE_P(Bits, PublishedTable,
                         ::testing::Values(DistributionCase{Density::Gauss, 6}, DistributionCase{Density::Gauss, 7},
                                           DistributionCase{Density::Gauss, 8}, DistributionCase{Density::Laplace, 6},
                                           DistributionCase{Density::Laplace, 7}, DistributionCase{Density::Laplace, 8}),
                         [](const ::testing::TestParamInfo<DistributionCase>& info) {
                             return std::string(info.param.density == Density::Gauss ? "gauss" : "laplace") + "_" +
                                    std::to_string(info.param.bits) + "bit";
                         });

// The exact refinement reaches the data's own optimum: never worse than the estimate, and the
// result is a local minimum of the true error (±0.5% moves do not improve it).
TEST(MseRefine, ExactSearchImprovesOnTheEstimate) {
    const std::vector<float> v = test::gaussianSamples(1 << 18, 1.0, 5);
    const TensorSummary s = summarizeValues(v.data(), v.size());
    for (int bits : {3, 4, 8}) {
        const MseCalibrator c;
        const ClipRange est = c.calibrate(s, sym(bits));
        const ClipRange ref = c.refine(v, sym(bits), est);
        const double e = exactSquaredError(v, sym(bits), ref);
        EXPECT_LE(e, exactSquaredError(v, sym(bits), est));
        EXPECT_LE(e, exactSquaredError(v, sym(bits), symmetricRange(amaxOf(ref) * 1.005)));
        EXPECT_LE(e, exactSquaredError(v, sym(bits), symmetricRange(amaxOf(ref) * 0.995)));
        EXPECT_NEAR(amaxOf(ref), test::optimalGridAmax(Density::Gauss, bits), 0.03 * amaxOf(ref));
    }
}

// Asymmetric refinement on a shifted, skewed tensor: never worse than the estimate or min-max.
TEST(MseRefine, AsymmetricExactSearch) {
    std::vector<float> v = test::gaussianSamples(1 << 18, 1.0, 6);
    for (auto& x : v) x = x > 0 ? 2.0f + 3.0f * x : 2.0f + x;  // mean ≈ 2.8, long right tail
    const TensorSummary s = summarizeValues(v.data(), v.size());
    QuantScheme q = sym(4);
    q.symmetry = Symmetry::Asymmetric;
    const MseCalibrator c;
    const ClipRange est = c.calibrate(s, q);
    const ClipRange ref = c.refine(v, q, est);
    const double e = exactSquaredError(v, q, ref);
    EXPECT_LE(e, exactSquaredError(v, q, est));
    EXPECT_LT(e, exactSquaredError(v, q, {s.min, s.max}));
    EXPECT_LT(ref.hi, s.max);  // the long tail is clipped at 4 bits
}

// A Gaussian with five huge outliers (±50σ): the clipping calibrators must clip them, min-max
// must not. (With ±1000σ outliers the bulk falls in the zero cell whatever the clip, and MSE
// rightly keeps the outliers exact — the squared error then favours representing them.)
TEST(Outliers, ClippingCalibratorsClipMinMaxDoesNot) {
    std::vector<float> v = test::gaussianSamples(1 << 20, 1.0, 7);
    for (int k = 0; k < 5; ++k) v[static_cast<size_t>(k) * 1000] = k % 2 ? -50.0f : 50.0f;
    const TensorSummary s = summarizeValues(v.data(), v.size());
    const QuantScheme q = sym(8);
    EXPECT_EQ(amaxOf(MinMaxCalibrator().calibrate(s, q)), 50.0);
    const double p = amaxOf(PercentileCalibrator().calibrate(s, q));
    EXPECT_LT(p, 5.0);  // 99.99% of |x| lies below 3.9σ
    EXPECT_GT(p, 3.0);
    // MSE balances 2^20 values of rounding noise (a/127)²/12 against 5·(50 − a)² of clipping:
    // a = 50/(1 + 2^20/(12·127²·5)) = 24.0.
    const double m = amaxOf(MseCalibrator().calibrate(s, q));
    EXPECT_NEAR(m, 50.0 / (1.0 + double(1 << 20) / (12.0 * 127 * 127 * 5)), 0.05 * m);
    const double e = amaxOf(EntropyCalibrator().calibrate(s, q));
    EXPECT_LT(e, 25.0);
    EXPECT_GE(e, 128 * 50.0 / 2048 - 1e-9);  // candidates start at bin 128
    const double o = amaxOf(OmseCalibrator().calibrate(s, q));
    EXPECT_LT(o, 50.0);  // the sample keeps 3 of the 5 outliers; OMSE still clips them
}

}  // namespace
}  // namespace qv
