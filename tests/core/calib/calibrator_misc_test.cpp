// Degenerate inputs, per-slice calibration by hand, the registry, presets, ACIQ's solver,
// HistogramObserver's error integral and the cross-entropy objective.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "calib_test_support.h"
#include "core/calib/aciq_calibrator.h"
#include "core/calib/calib_math.h"
#include "core/calib/cross_entropy_calibrator.h"
#include "core/calib/histogram_observer_calibrator.h"
#include "core/calib/minmax_calibrator.h"
#include "core/calib/presets.h"
#include "core/calib/slice_calibration.h"
#include "core/quant/quantizer.h"
#include "core/stats/tensor_summary.h"

namespace qv {
namespace {

QuantScheme scheme(int bits, Symmetry s = Symmetry::Symmetric) {
    QuantScheme q;
    q.bits = bits;
    q.symmetry = s;
    return q;
}

// Constant, all-zero, one element, NaN/Inf present, empty: every calibrator returns a finite
// range, parameters without division by zero, and exact refinements that stay finite.
TEST(Degenerate, EveryCalibratorStaysFinite) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const std::vector<std::vector<float>> inputs = {
        std::vector<float>(1000, 3.0f), std::vector<float>(1000, 0.0f), {-2.5f}, {},
        {1.0f, nan, -0.5f, 2.0f, inf, 0.25f, -inf, nan, 0.75f, -1.5f},
    };
    for (const auto& name : calibratorNames()) {
        auto c = makeCalibrator(name);
        ASSERT_TRUE(c) << name;
        for (size_t k = 0; k < inputs.size(); ++k) {
            const auto& v = inputs[k];
            const TensorSummary s = summarizeValues(v.data(), v.size());
            for (auto sy : {Symmetry::Symmetric, Symmetry::Asymmetric}) {
                const QuantScheme q = scheme(8, sy);
                ClipRange r = c->calibrate(s, q);
                if (c->hasRefinement()) r = c->refine(v, q, r);
                EXPECT_TRUE(std::isfinite(r.lo) && std::isfinite(r.hi)) << name << " input " << k;
                EXPECT_LE(r.lo, r.hi) << name << " input " << k;
                const SliceParams p = paramsFromRange(q, r);
                EXPECT_TRUE(std::isfinite(p.scale) && p.scale > 0) << name << " input " << k;
                if (k == 4) {  // NaN/Inf never reach the range: it lies within the finite values
                    EXPECT_GE(r.lo, -2.0 - 1e-9) << name;
                    EXPECT_LE(r.hi, 2.0 + 1e-9) << name;
                }
            }
        }
    }
}

TEST(Degenerate, ConstantTensorRangeIsTheConstant) {
    const std::vector<float> v(100, 3.0f);
    const TensorSummary s = summarizeValues(v.data(), v.size());
    for (const auto& name : calibratorNames()) {
        const ClipRange r = makeCalibrator(name)->calibrate(s, scheme(8));
        EXPECT_DOUBLE_EQ(r.hi, 3.0) << name;
        EXPECT_DOUBLE_EQ(r.lo, -3.0) << name;
        const ClipRange a = makeCalibrator(name)->calibrate(s, scheme(8, Symmetry::Asymmetric));
        EXPECT_DOUBLE_EQ(a.lo, 3.0) << name;
        EXPECT_DOUBLE_EQ(a.hi, 3.0) << name;
    }
}

// A 2×4 matrix worked by hand:
//   row 0: [1, −2, 0.5, 0.25]     row 1: [10, 20, −40, 5]
TEST(Slices, PerChannelAndPerGroupMinMaxByHand) {
    const std::vector<float> m = {1, -2, 0.5f, 0.25f, 10, 20, -40, 5};
    const std::vector<int64_t> shape = {2, 4};
    const MinMaxCalibrator c;
    QuantScheme q = scheme(8);
    q.granularity = Granularity::PerChannel;
    q.axis = 0;  // rows: amax 2 and 40 → s = amax/127
    QuantParams p = calibrateValues(c, m, shape, q);
    ASSERT_EQ(p.slices.size(), 2u);
    EXPECT_EQ(p.slices[0].scale, 2.0f / 127.0f);
    EXPECT_EQ(p.slices[1].scale, 40.0f / 127.0f);
    q.axis = 1;  // columns [1,10] [−2,20] [0.5,−40] [0.25,5]: amax 10, 20, 40, 5 (gathered, not contiguous)
    p = calibrateValues(c, m, shape, q);
    ASSERT_EQ(p.slices.size(), 4u);
    const float colAmax[] = {10, 20, 40, 5};
    for (size_t k = 0; k < 4; ++k) EXPECT_EQ(p.slices[k].scale, colAmax[k] / 127.0f) << k;
    q.granularity = Granularity::PerGroup;
    q.groupSize = 2;  // [1,−2] [0.5,0.25] [10,20] [−40,5]: amax 2, 0.5, 20, 40
    p = calibrateValues(c, m, shape, q);
    ASSERT_EQ(p.slices.size(), 4u);
    const float groupAmax[] = {2, 0.5f, 20, 40};
    for (size_t k = 0; k < 4; ++k) EXPECT_EQ(p.slices[k].scale, groupAmax[k] / 127.0f) << k;
    // Asymmetric per row: row 0 is [−2, 1] → s = 3/255, z = 0 − round(−2/s) = 170.
    q = scheme(8, Symmetry::Asymmetric);
    q.granularity = Granularity::PerChannel;
    p = calibrateValues(c, m, shape, q);
    EXPECT_EQ(p.slices[0].scale, 3.0f / 255.0f);
    EXPECT_EQ(p.slices[0].zeroPoint, 170);
    EXPECT_EQ(p.slices[0].clip, (ClipRange{-2.0, 1.0}));
    EXPECT_EQ(p.slices[1].clip, (ClipRange{-40.0, 20.0}));
}

// Per-channel with a refining calibrator: each row gets its own exact optimum, so a row of
// small values is not ruined by a row of large ones (error per row ≤ its min-max error).
TEST(Slices, PerChannelRefinementPerRow) {
    std::vector<float> m = test::gaussianSamples(4 * 4096, 1.0, 13);
    for (size_t i = 4096; i < 8192; ++i) m[i] *= 100.0f;  // row 1 is 100× larger
    QuantScheme q = scheme(4);
    q.granularity = Granularity::PerChannel;
    auto mse = makeCalibrator("mse");
    Progress progress;
    const QuantParams p = calibrateValues(*mse, m, {4, 4096}, q, nullptr, {}, &progress);
    ASSERT_EQ(p.slices.size(), 4u);
    EXPECT_DOUBLE_EQ(progress.fraction(), 1.0);
    const QuantParams mm = calibrateValues(MinMaxCalibrator(), m, {4, 4096}, q);
    for (size_t r = 0; r < 4; ++r) {
        std::span<const float> row(m.data() + r * 4096, 4096);
        EXPECT_LE(exactSquaredError(row, q, p.slices[r].clip), exactSquaredError(row, q, mm.slices[r].clip)) << r;
    }
    EXPECT_NEAR(p.slices[1].scale / p.slices[0].scale, 100.0, 15.0);
}

TEST(Registry, ParsesNamesAndArguments) {
    std::string err;
    auto p = makeCalibrator("percentile:99.9", &err);
    ASSERT_TRUE(p) << err;
    EXPECT_EQ(p->name(), "percentile");
    EXPECT_EQ(p->arg(), "99.9");
    EXPECT_EQ(p->label(), "percentile:99.9");
    EXPECT_EQ(makeCalibrator("percentile")->arg(), "99.99");
    auto a = makeCalibrator("aciq:gauss");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->label(), "aciq:gauss");
    EXPECT_EQ(makeCalibrator("aciq")->label(), "aciq");
    EXPECT_EQ(makeCalibrator("entropy:onnxruntime")->label(), "entropy:onnxruntime");
    EXPECT_EQ(makeCalibrator("entropy:tensorrt")->label(), "entropy");
    EXPECT_EQ(makeCalibrator("cross-entropy")->name(), "cross-entropy");
    for (const char* bad : {"percentile:abc", "percentile:0", "percentile:101", "minmax:3", "aciq:cauchy", "entropy:intel"}) {
        err.clear();
        EXPECT_FALSE(makeCalibrator(bad, &err)) << bad;
        EXPECT_FALSE(err.empty()) << bad;
    }
    err.clear();
    EXPECT_FALSE(makeCalibrator("foo", &err));
    EXPECT_NE(err.find("unknown calibrator 'foo'"), std::string::npos) << err;
    for (const auto& n : calibratorNames()) EXPECT_NE(err.find(n), std::string::npos) << n;
    EXPECT_EQ(calibratorNames(), (std::vector<std::string>{"minmax", "percentile", "mse", "entropy", "cross-entropy",
                                                           "aciq", "omse", "histogram"}));
}

TEST(Presets, ConventionsAndCalibrators) {
    std::string err;
    EXPECT_FALSE(findPreset("caffe", &err));
    EXPECT_NE(err.find("tensorrt"), std::string::npos);
    for (const auto& p : presets())
        for (const auto& spec : p.calibrators) EXPECT_TRUE(makeCalibrator(spec)) << p.name << " " << spec;
    const Preset* trt = findPreset("tensorrt");
    ASSERT_TRUE(trt);
    QuantScheme s = trt->apply(scheme(8, Symmetry::Asymmetric));
    EXPECT_EQ(s.symmetry, Symmetry::Symmetric);  // pytorch-quantization has amax only
    EXPECT_EQ(paramsFromRange(s, {-127.0, 127.0}).scale, 1.0f);  // amax/127
    EXPECT_EQ(makeCalibrator(trt->calibrators[1])->label(), "percentile:99.99");
    const Preset* ort = findPreset("onnxruntime");
    ASSERT_TRUE(ort);
    EXPECT_EQ(ort->calibrators[1], "percentile:99.999");
    EXPECT_EQ(ort->calibrators[2], "entropy:onnxruntime");
    const Preset* pt = findPreset("pytorch");
    ASSERT_TRUE(pt);
    s = pt->apply(scheme(8));
    EXPECT_EQ(s.qmin(), -128);
    EXPECT_EQ(paramsFromRange(s, {-127.5, 127.5}).scale, 1.0f);  // amax/127.5
    EXPECT_EQ(pt->calibrators.back(), "histogram");
}

// The bisection on dE/dα = 0 reproduces Banner et al.'s table (published to 2–3 digits, the
// third one truncated: e.g. Gauss 4 bits solves to 2.559, printed 2.55).
TEST(Aciq, SolverReproducesThePublishedTable) {
    const double laplace[] = {2.83, 3.89, 5.03, 6.2, 7.41, 8.64, 9.89};
    const double gauss[] = {1.71, 2.15, 2.55, 2.93, 3.28, 3.61, 3.92};
    for (int m = 2; m <= 8; ++m) {
        EXPECT_NEAR(AciqCalibrator::solveAlphaRatio(AciqCalibrator::Fit::Laplace, m), laplace[m - 2], 0.01) << m;
        EXPECT_NEAR(AciqCalibrator::solveAlphaRatio(AciqCalibrator::Fit::Gauss, m), gauss[m - 2], 0.01) << m;
        EXPECT_EQ(AciqCalibrator::alphaRatio(AciqCalibrator::Fit::Laplace, m), laplace[m - 2]);
    }
    // Outside the table the solver answers, and it is a minimum of the model's error.
    for (auto fit : {AciqCalibrator::Fit::Laplace, AciqCalibrator::Fit::Gauss}) {
        for (int m : {1, 10, 12, 16}) {
            const double a = AciqCalibrator::alphaRatio(fit, m);
            EXPECT_LT(AciqCalibrator::expectedError(fit, a, m), AciqCalibrator::expectedError(fit, a * 1.01, m));
            EXPECT_LT(AciqCalibrator::expectedError(fit, a, m), AciqCalibrator::expectedError(fit, a * 0.99, m));
        }
        EXPECT_GT(AciqCalibrator::alphaRatio(fit, 10), AciqCalibrator::alphaRatio(fit, 8));
    }
    // Laplace closed form at 8 bits: b·e^(−α/b) = α/(3·4^8) at α = 9.897.
    const double a8 = AciqCalibrator::solveAlphaRatio(AciqCalibrator::Fit::Laplace, 8);
    EXPECT_NEAR(std::exp(-a8), a8 / (3 * 65536.0), 1e-12);
}

// PyTorch's error integral: uniform density within bins. One unit bin into one level at its
// centre: ∫_{−½}^{½} x² = 1/12. Bins [1,0,0,1] into 2 levels over [0, 4): each occupied bin is
// one unit away from its level's far side: ∫_0^1 (x − 1)² = ∫_3^4 (x − 3)² = 1/3 → 2/3.
TEST(HistogramObserver, ErrorIntegralByHand) {
    EXPECT_NEAR(HistogramObserverCalibrator::quantizationError({1}, 0, 0, 1), 1.0 / 12, 1e-15);
    EXPECT_NEAR(HistogramObserverCalibrator::quantizationError({1, 0, 0, 1}, 0, 3, 2), 2.0 / 3, 1e-15);
}

// Four equal bins, 2 levels. Errors by hand (bin width 1, uniform density):
//   [0, 3] (full): two levels at 1 and 3, every bin 1/3 from its level's edge → 4/3;
//   [0, 2]: levels at 0.75 and 2.25: 0.145833 + 0.270833 + 0.145833 + 1.645833 = 53/24;
//   [0, 1]: levels at 0.5 and 1.5: 1/12 + 1/12 + 13/12 + 49/12 = 16/3.
// The search moves the end first (l − start = 0 is not > end − r = 1); its first move is always
// accepted (norm_min starts at +inf, so [0, 2] wins although the full range has less error —
// PyTorch's greedy quirk, kept); the next move to [0, 1] raises the error and stops it.
TEST(HistogramObserver, GreedySearchByHand) {
    const std::vector<double> h = {1, 1, 1, 1};
    EXPECT_NEAR(HistogramObserverCalibrator::quantizationError(h, 0, 3, 2), 4.0 / 3, 1e-12);
    EXPECT_NEAR(HistogramObserverCalibrator::quantizationError(h, 0, 2, 2), 53.0 / 24, 1e-12);
    EXPECT_NEAR(HistogramObserverCalibrator::quantizationError(h, 0, 1, 2), 16.0 / 3, 1e-12);
    const auto [s, e] = HistogramObserverCalibrator::search(h, 2);
    EXPECT_EQ(s, 0u);
    EXPECT_EQ(e, 2u);
}

TEST(HistogramObserver, ClipsGaussianTailsAndOutliers) {
    std::vector<float> v = test::gaussianSamples(1 << 20, 1.0, 19);
    const TensorSummary g = summarizeValues(v.data(), v.size());
    const ClipRange r = HistogramObserverCalibrator().calibrate(g, scheme(8, Symmetry::Asymmetric));
    EXPECT_GT(r.lo, g.min);
    EXPECT_LT(r.hi, g.max);
    EXPECT_GT(r.hi, 2.5);
    EXPECT_LT(r.lo, -2.5);
    for (int k = 0; k < 5; ++k) v[static_cast<size_t>(k) * 1000] = k % 2 ? -50.0f : 50.0f;
    const TensorSummary o = summarizeValues(v.data(), v.size());
    // The greedy search clips one tail's outliers on its first (always accepted) move; clipping
    // the other tail as well raises the L2 error of the step and stops it.
    const ClipRange ro = HistogramObserverCalibrator().calibrate(o, scheme(8, Symmetry::Asymmetric));
    std::printf("histogram observer on outliers: [%g, %g]\n", ro.lo, ro.hi);
    EXPECT_TRUE(ro.hi < 50.0 || ro.lo > -50.0);
}

// CE(softmax(v), softmax(v̂)) by hand for v = [0, 1] at 8 bits: with the range ±1 both values
// are levels, so CE = H(p) = 0.582203; with ±0.5, v̂ = [0, 0.5] and CE = 0.608547.
TEST(CrossEntropy, ObjectiveByHand) {
    const std::vector<float> v = {0.0f, 1.0f};
    EXPECT_NEAR(CrossEntropyCalibrator::crossEntropy(v, scheme(8), {-1, 1}), 0.582203, 1e-6);
    EXPECT_NEAR(CrossEntropyCalibrator::crossEntropy(v, scheme(8), {-0.5, 0.5}), 0.608547, 1e-6);
}

// Logits with a few large leaders: the chosen clip keeps them (order and distinct levels).
TEST(CrossEntropy, KeepsTheLargestLogits) {
    std::vector<float> v = test::gaussianSamples(4000, 1.0, 17);
    v[10] = 8.0f;
    v[20] = 7.5f;
    v[30] = 7.0f;
    const TensorSummary s = summarizeValues(v.data(), v.size());
    const CrossEntropyCalibrator c;
    const ClipRange est = c.calibrate(s, scheme(8));
    const ClipRange r = c.refine(v, scheme(8), est);
    EXPECT_GE(r.hi, 7.4);
    const double full = CrossEntropyCalibrator::crossEntropy(v, scheme(8), {-8, 8});
    EXPECT_LE(CrossEntropyCalibrator::crossEntropy(v, scheme(8), r), full);
    const Quantizer q(scheme(8), paramsFromRange(scheme(8), r));
    EXPECT_GT(q.quantize(8.0f), q.quantize(7.0f));
}

TEST(SummaryPath, CalibrateFromSummaryGivesOneSlice) {
    const std::vector<float> v = {-1, 0.5f, 2};
    const TensorSummary s = summarizeValues(v.data(), v.size());
    const QuantParams p = calibrateFromSummary(MinMaxCalibrator(), s, scheme(8));
    ASSERT_EQ(p.slices.size(), 1u);
    EXPECT_EQ(p.slices[0].scale, 2.0f / 127.0f);
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// The vectorized exact objective of the refinements equals Σ (fakeQuantize(x) − x)² through
// Quantizer, element for element, in every convention (PyTorch multiplies by 1/s), with
// NaN/Inf skipped.
TEST(ExactObjective, MatchesTheQuantizer) {
    std::vector<float> v = test::gaussianSamples(10007, 2.0, 23);
    v[5] = std::numeric_limits<float>::quiet_NaN();
    v[77] = std::numeric_limits<float>::infinity();
    v[78] = -std::numeric_limits<float>::infinity();
    v[100] = 2.5f * (3.0f / 127.0f);  // a tie for x/s
    for (auto conv : {Convention::Seeds, Convention::TensorRT, Convention::OnnxRuntime, Convention::PyTorch}) {
        for (auto sy : {Symmetry::Symmetric, Symmetry::Asymmetric}) {
            for (int bits : {2, 4, 8, 12}) {
                QuantScheme q = scheme(bits, sy);
                q.convention = conv;
                const ClipRange r{-3.0, 2.5};
                const Quantizer aq(q, paramsFromRange(q, r));
                double ref = 0;
                for (float x : v) {
                    if (!std::isfinite(x)) continue;
                    const double e = double(aq.fakeQuantize(x)) - double(x);
                    ref += e * e;
                }
                EXPECT_NEAR(exactSquaredError(v, q, r), ref, 1e-5 * ref) << int(conv) << " " << int(sy) << " " << bits;
            }
        }
    }
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// Every calibrator at the ends of the bit range (2 and 16 bits), both symmetries: a finite
// range inside the data's, for the live estimate and the exact refinement.
TEST(BitWidths, EveryCalibratorFrom2To16Bits) {
    const std::vector<float> v = test::laplaceSamples(50000, 0.5, 29);
    const TensorSummary s = summarizeValues(v.data(), v.size());
    for (const auto& name : calibratorNames()) {
        auto c = makeCalibrator(name);
        for (int bits : {2, 3, 12, 16}) {
            for (auto sy : {Symmetry::Symmetric, Symmetry::Asymmetric}) {
                const QuantScheme q = scheme(bits, sy);
                ClipRange r = c->calibrate(s, q);
                if (c->hasRefinement()) r = c->refine(v, q, r);
                EXPECT_TRUE(std::isfinite(r.lo) && std::isfinite(r.hi)) << name << " " << bits;
                EXPECT_GE(r.lo, -s.absMax * (1 + 1e-9)) << name << " " << bits;
                EXPECT_LE(r.hi, s.absMax * (1 + 1e-9)) << name << " " << bits;
                EXPECT_GT(r.hi - r.lo, 0.0) << name << " " << bits;
            }
        }
    }
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// Groups that do not divide the row (5 = 2 + 2 + 1), an empty tensor and a 0-d scalar.
TEST(Slices, RaggedGroupsEmptyAndScalar) {
    const std::vector<float> m = {1, 2, 3, 4, 5, -1, -2, -3, -4, -50};
    QuantScheme q = scheme(8);
    q.granularity = Granularity::PerGroup;
    q.groupSize = 2;
    const QuantParams p = calibrateValues(MinMaxCalibrator(), m, {2, 5}, q);
    ASSERT_EQ(p.slices.size(), 6u);
    const float amax[] = {2, 4, 5, 2, 4, 50};
    for (size_t k = 0; k < 6; ++k) EXPECT_EQ(p.slices[k].scale, amax[k] / 127.0f) << k;
    for (const auto& name : calibratorNames()) {
        auto c = makeCalibrator(name);
        const QuantParams e = calibrateValues(*c, std::span<const float>(), {0, 4}, q);
        for (const auto& s : e.slices) EXPECT_TRUE(std::isfinite(s.scale) && s.scale > 0) << name;
        QuantScheme ch = scheme(8);
        ch.granularity = Granularity::PerChannel;
        const std::vector<float> one = {-0.75f};
        const QuantParams sc = calibrateValues(*c, one, {}, ch);
        ASSERT_FALSE(sc.slices.empty()) << name;
        EXPECT_EQ(sc.slices[0].scale, 0.75f / 127.0f) << name;
    }
}

}  // namespace
}  // namespace qv
