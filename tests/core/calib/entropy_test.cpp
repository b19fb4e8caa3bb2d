// Entropy (KL) calibrators on hand-built histograms whose KL minimum is worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "calib_test_support.h"
#include "core/calib/entropy_calibrator.h"
#include "core/calib/minmax_calibrator.h"
#include "core/stats/tensor_summary.h"

namespace qv {
namespace {

// bins = [4, 4, 2, 2] (bins[0] = bins[1] already), 2 quantized levels, candidates i = 2, 3, 4:
//  i = 2: P = [4, 4 + 4] (tail added), Q = [4, 4]:      KL = ⅓·ln(⅔) + ⅔·ln(4/3)          = 0.0566330
//  i = 3: P = [4, 4, 2 + 2], groups {0,1}{2}, Q = [4, 4, 2] → p = ⅓ each, q = [.4, .4, .2]:
//         KL = ⅓·(2·ln(5/6) + ln(5/3))                                                   = 0.0487275
//  i = 4: groups {0,1}{2,3}, Q = P:                        KL = 0 → the minimum, i = 4.
TEST(EntropyTensorRT, LiteralKlMatchesHandValues) {
    const std::vector<double> bins = {4, 4, 2, 2};
    EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, 2), std::log(2.0 / 3) / 3 + 2 * std::log(4.0 / 3) / 3, 1e-12);
    EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, 2), 0.0566330, 1e-7);
    EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, 3), 0.0487275, 1e-7);
    EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, 4), 0.0, 1e-15);
    EXPECT_EQ(EntropyCalibrator::searchTensorRT(bins, 2, 2), 4u);
}

// bins = [1, 1, 1, 1, 8, 1], 2 levels, i = 2…6. The minimum is inside:
//  i = 5: P = [1, 1, 1, 1, 8 + 1], groups j·2/5 → {0,1,2}{3,4}: Q = [1, 1, 1, 4.5, 4.5]
//         KL = 3/13·ln(12/13) + 1/13·ln(12/58.5) + 9/13·ln(108/58.5) = 0.284131
//  the others: i=2 0.421958, i=3 0.562651, i=4 0.592564, i=6 0.353523 (same rule).
TEST(EntropyTensorRT, InteriorMinimumWorkedByHand) {
    const std::vector<double> bins = {1, 1, 1, 1, 8, 1};
    const double byHand = 3.0 / 13 * std::log(12.0 / 13) + 1.0 / 13 * std::log(12.0 / 58.5) + 9.0 / 13 * std::log(108.0 / 58.5);
    EXPECT_NEAR(byHand, 0.284131, 1e-6);
    EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, 5), byHand, 1e-12);
    EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, 2), 0.421958, 1e-6);
    EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, 6), 0.353523, 1e-6);
    EXPECT_EQ(EntropyCalibrator::searchTensorRT(bins, 2, 2), 5u);
}

// The spike rule: bins[0] is replaced by bins[1] before anything else, so a huge count of exact
// zeros changes nothing. The same histogram with bins[0] = 1000 gives the same answer.
TEST(EntropyTensorRT, ZeroSpikeIsIgnored) {
    EXPECT_EQ(EntropyCalibrator::searchTensorRT({1000, 1, 1, 1, 8, 1}, 2, 2), 5u);
}

// bins = [1, 1, 1, 1, 0, 0, 0, 0]: for every i ≥ 4 Q reproduces P exactly (KL = 0): a tie, and
// the LAST minimum (i = 8, the full range) wins, as in pytorch-quantization.
TEST(EntropyTensorRT, LastMinimumWinsTies) {
    const std::vector<double> bins = {1, 1, 1, 1, 0, 0, 0, 0};
    for (size_t i = 4; i <= 8; ++i) EXPECT_NEAR(EntropyCalibrator::klTensorRTLiteral(bins, 2, i), 0.0, 1e-15) << i;
    EXPECT_GT(EntropyCalibrator::klTensorRTLiteral(bins, 2, 3), 0.0);
    EXPECT_EQ(EntropyCalibrator::searchTensorRT(bins, 2, 2), 8u);
}

// A candidate whose last kept bin is empty while mass lies beyond it has Q = 0 < P there:
// KL = +inf (scipy), so it can never be chosen.
TEST(EntropyTensorRT, EmptyLastBinWithTailIsInfinite) {
    const std::vector<double> bins = {2, 2, 0, 5};
    EXPECT_TRUE(std::isinf(EntropyCalibrator::klTensorRTLiteral(bins, 2, 3)));
}

// The O(nbins)-per-candidate prefix-sum search picks the same candidate as the literal
// bin-by-bin KL (last minimum) on random 2048-bin histograms, with 128 levels from bin 128.
TEST(EntropyTensorRT, FastSearchEqualsLiteralOnRandomHistograms) {
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 4; ++trial) {
        std::vector<double> bins(2048);
        std::exponential_distribution<double> e(1.0);
        for (size_t j = 0; j < bins.size(); ++j) {
            const double x = (static_cast<double>(j) + 0.5) / 2048 * (4 + trial);
            bins[j] = std::floor(1e5 * std::exp(-0.5 * x * x) * e(rng));
            if (trial % 2 && j % 7 == 3) bins[j] = 0;  // holes: empty source bins
        }
        std::vector<double> spiked = bins;
        spiked[0] = spiked[1];
        double best = HUGE_VAL;
        size_t bestI = 0;
        for (size_t i = 128; i <= 2048; ++i) {
            const double kl = EntropyCalibrator::klTensorRTLiteral(spiked, 128, i);
            if (kl <= best * (1 + 1e-12)) {
                if (kl < best) best = kl;
                bestI = i;
            }
        }
        EXPECT_EQ(EntropyCalibrator::searchTensorRT(bins, 128, 128), bestI) << "trial " << trial;
    }
}

// ONNX Runtime's defaults (128-bin histogram of x, 128 quantized bins) leave one candidate —
// the whole [−T, T] window, clamped to [min, max]: its entropy calibration equals min-max.
// With 2048 bins it clips a Gaussian's tails.
TEST(EntropyOnnxRuntime, DefaultsDoNotClipAndMoreBinsDo) {
    const std::vector<float> v = test::gaussianSamples(1 << 20, 1.0, 9);
    const TensorSummary s = summarizeValues(v.data(), v.size());
    QuantScheme asym;
    asym.symmetry = Symmetry::Asymmetric;
    const ClipRange ort = EntropyCalibrator(EntropyCalibrator::Variant::OnnxRuntime).calibrate(s, asym);
    const ClipRange mm = MinMaxCalibrator().calibrate(s, asym);
    EXPECT_DOUBLE_EQ(ort.lo, mm.lo);
    EXPECT_DOUBLE_EQ(ort.hi, mm.hi);
    const ClipRange wide = EntropyCalibrator(EntropyCalibrator::Variant::OnnxRuntime, 2048).calibrate(s, asym);
    EXPECT_GT(wide.lo, mm.lo);
    EXPECT_LT(wide.hi, mm.hi);
    EXPECT_GT(wide.hi, 2.0);  // 128 levels of a Gaussian are not clipped inside 2σ
}

// ORT's window search on a hand-built histogram: 8 bins over [−T, T], 4 quantized bins
// (half = 2): candidates i = 2 (bins 2..6) and i = 3 (bins 1..7), i = 4 (0..8 → 0..7).
// Mass only in the central 4 bins, so the narrowest window that holds it all wins (first min).
TEST(EntropyOnnxRuntime, WindowSearchOnHandBuiltHistogram) {
    const std::vector<double> hist = {0, 0, 10, 10, 10, 10, 0, 0};
    // i = 2: window [2, 7) → p = [10, 10, 10, 10, 0]: 5 bins, merged = 1, q = p except the
    // remainder bin (index 4) that never gets Q mass; smoothing makes both 1e-4 there: KL = 0.
    const auto [s, e] = EntropyCalibrator::searchOnnxRuntime(hist, 4);
    EXPECT_EQ(s, 2u);
    EXPECT_EQ(e, 7u);
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// More levels than candidate bins (e.g. 12-bit schemes: 2048 levels): every bin is its own
// group, Q = P except for the tail, and the shortcut agrees with the literal KL.
TEST(EntropyTensorRT, MoreLevelsThanBins) {
    const std::vector<double> bins = {3, 3, 1, 4, 1, 5, 9, 2, 6, 5};
    double best = HUGE_VAL;
    size_t bestI = 0;
    for (size_t i = 2; i <= bins.size(); ++i) {
        const double kl = EntropyCalibrator::klTensorRTLiteral(bins, 16, i);
        if (kl <= best * (1 + 1e-12)) {
            if (kl < best) best = kl;
            bestI = i;
        }
    }
    EXPECT_EQ(EntropyCalibrator::searchTensorRT(bins, 16, 2), bestI);
    EXPECT_EQ(bestI, bins.size());  // Q = P at the full range: KL = 0
}

}  // namespace
}  // namespace qv
