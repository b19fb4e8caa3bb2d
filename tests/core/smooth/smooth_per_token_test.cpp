// Per-token activation scales for SmoothQuant's int8 layer: the scales and codes of a hand-worked X, the
// int32 accumulators dequantized with one scale per row, a tiny layer through the int8 GEMM worked by hand,
// and why per token beats per tensor when rows have different ranges (and ties when they do not).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/gemm/gemm_quantized_run.h"
#include "core/quant/quantizer.h"
#include "core/smooth/smooth_eval.h"
#include "smooth_test_layer.h"

namespace qv {
namespace {

SmoothSettings settings(double alpha, ActivationScaling a, WeightScaling w = WeightScaling::PerChannel) {
    SmoothSettings s;
    s.alpha = alpha;
    s.bits = 8;
    s.scaling = {a, w};
    s.threads = 1;
    return s;
}

std::vector<int32_t> codesOf(const QuantParams& p, const std::vector<float>& x, size_t cols) {
    std::vector<int32_t> q;
    for (size_t i = 0; i < x.size(); ++i) {
        const size_t slice = p.slices.size() == 1 ? 0 : i / cols;
        q.push_back(Quantizer(p.scheme, p.slices[slice]).quantize(x[i]));
    }
    return q;
}

// X [3, 4]. Per token, s_i = max|X_i,:| / 127 and q = round_half_even(x / s_i), chosen so that every s_i is
// a power of two (x/s exact in float, ties really are ties):
//   row 0: max 127  → s = 1:   127, 2.5, −3.5, 0.5     → 127, 2, −4, 0   (2.5 → 2, −3.5 → −4, 0.5 → 0)
//   row 1: max 63.5 → s = 0.5: −63.5, 1.25, 0.75, 10.25 → −127, 2, 2, 20  (2.5 → 2, 1.5 → 2, 20.5 → 20)
//   row 2: all zero → s = 1 (the seeds' rule for an all-zero range), codes 0.
// Per tensor, s = 127/127 = 1 for every row: row 1 becomes −64, 1, 1, 10 (−63.5 → −64, 1.25 → 1,
// 0.75 → 1, 10.25 → 10) — half the resolution of its own scale.
TEST(PerTokenQuantization, ScalesAndCodesByHand) {
    const std::vector<float> x = {127, 2.5f, -3.5f, 0.5f, -63.5f, 1.25f, 0.75f, 10.25f, 0, 0, 0, 0};
    const QuantParams tok = activationParams(x, 3, 4, 8, ActivationScaling::PerToken);
    ASSERT_EQ(tok.slices.size(), 3u);
    EXPECT_EQ(tok.slices[0].scale, 1.0f);
    EXPECT_EQ(tok.slices[1].scale, 0.5f);
    EXPECT_EQ(tok.slices[2].scale, 1.0f);
    EXPECT_EQ(codesOf(tok, x, 4), (std::vector<int32_t>{127, 2, -4, 0, -127, 2, 2, 20, 0, 0, 0, 0}));

    const QuantParams ten = activationParams(x, 3, 4, 8, ActivationScaling::PerTensor);
    ASSERT_EQ(ten.slices.size(), 1u);
    EXPECT_EQ(ten.slices[0].scale, 1.0f);
    EXPECT_EQ(codesOf(ten, x, 4), (std::vector<int32_t>{127, 2, -4, 0, -64, 1, 1, 10, 0, 0, 0, 0}));

    // 4 bits: qmax = 7, row 0 = {7, 1.5, ...}: s = 1, 1.5 → 2 (half to even).
    const std::vector<float> x4 = {7, 1.5f, -0.5f, 3.5f};
    const QuantParams t4 = activationParams(x4, 1, 4, 4, ActivationScaling::PerToken);
    EXPECT_EQ(t4.slices[0].scale, 1.0f);
    EXPECT_EQ(codesOf(t4, x4, 4), (std::vector<int32_t>{7, 2, 0, 4}));
}

// y_ij = s_a,i · s_w,j · acc_ij with powers of two (exact): rows {1, 2}, columns {2^−7, 2^−6}:
//   15809·1·2^−7 = 123.5078125,  −16229·1·2^−6 = −253.578125,
//   −16033·2·2^−7 = −250.515625,  16159·2·2^−6 = 504.96875.
TEST(PerTokenQuantization, DequantizeAccumulatorsByHand) {
    const std::vector<int32_t> acc = {15809, -16229, -16033, 16159};
    const std::vector<float> rows = {1.0f, 2.0f}, cols = {0x1p-7f, 0x1p-6f};
    EXPECT_EQ(dequantizeAccumulators(acc, 2, 2, rows, cols),
              (std::vector<float>{123.5078125f, -253.578125f, -250.515625f, 504.96875f}));
    // One row scale (per tensor) and one column scale broadcast: 2·2^−7·acc.
    const std::vector<float> one = {2.0f}, oneCol = {0x1p-7f};
    EXPECT_EQ(dequantizeAccumulators(acc, 2, 2, one, oneCol),
              (std::vector<float>{15809 / 64.0f, -16229 / 64.0f, -16033 / 64.0f, 16159 / 64.0f}));
    EXPECT_EQ(dequantizeAccumulators(acc, 2, 2, std::vector<float>{1, 2, 3}, cols), std::vector<float>(4, 0.0f))
        << "3 row scales for 2 rows: refused (zeros), not read out of bounds";
}

// A tiny Linear layer through the int8 GEMM, worked by hand:
//   X = [[127, −10], [−254, 6]]        per token: s = {1, 2}, codes [[127, −10], [−127, 3]]
//   W = [[127/128, 1/4], [−127/64, 5/32]]   per out-channel: s_w = {2^−7, 2^−6}, codes [[127, 32], [−127, 10]]
//   acc = A·Bᵀ: 127·127 − 10·32 = 15809, 127·(−127) − 10·10 = −16229,
//              −127·127 + 3·32 = −16033, (−127)(−127) + 3·10 = 16159
//   y = acc·s_a,i·s_w,j = 123.5078125, −253.578125, −250.515625, 504.96875 — X and W are exactly on their
//   grids, so this is X·Wᵀ itself (127·127/128 − 10/4 = 123.5078125, …).
// Per tensor, s_a = 254/127 = 2 for both rows: row 0 becomes 63.5 → 64 (half to even) and −5, so
//   acc_00 = 64·127 − 5·32 = 7968 → 2·2^−7·7968 = 124.5;
//   acc_01 = −64·127 − 5·10 = −8178 → 2·2^−6·(−8178) = −255.5625;
//   row 1 is unchanged (its own scale is 2).
TEST(PerTokenQuantization, TinyLayerThroughTheInt8GemmByHand) {
    const std::vector<float> x = {127, -10, -254, 6};
    const std::vector<float> w = {127.0f / 128, 0.25f, -127.0f / 64, 0.15625f};
    const QuantParams wp = weightParams(w, 2, 2, 8, WeightScaling::PerChannel);
    ASSERT_EQ(wp.slices.size(), 2u);
    EXPECT_EQ(wp.slices[0].scale, 0x1p-7f);
    EXPECT_EQ(wp.slices[1].scale, 0x1p-6f);
    const QuantParams tok = activationParams(x, 2, 2, 8, ActivationScaling::PerToken);
    const QuantParams ten = activationParams(x, 2, 2, 8, ActivationScaling::PerTensor);
    for (GemmKernel k : {GemmKernel::Reference, GemmKernel::Auto}) {
        auto yTok = quantizedLinear(x, 2, w, 2, 2, tok, wp, 1, k);
        ASSERT_TRUE(yTok.ok()) << yTok.message();
        EXPECT_EQ(*yTok, (std::vector<float>{123.5078125f, -253.578125f, -250.515625f, 504.96875f}));
        auto yTen = quantizedLinear(x, 2, w, 2, 2, ten, wp, 1, k);
        ASSERT_TRUE(yTen.ok()) << yTen.message();
        EXPECT_EQ(*yTen, (std::vector<float>{124.5f, -255.5625f, -250.515625f, 504.96875f}));
    }

    // The same layer in the evaluation (the "before" side, s = 1): per token the output is exact (SQNR +inf);
    // per tensor MSE = (0.9921875² + 1.984375²)/4 = (0.98443603515625 + 3.937744140625)/4 = 1.2305450439453125.
    auto L = makeSmoothLayer(w, 2, 2, x, 2, 1);
    ASSERT_TRUE(L.ok()) << L.message();
    auto eTok = evaluateSmoothing(*L, settings(0.5, ActivationScaling::PerToken));
    auto eTen = evaluateSmoothing(*L, settings(0.5, ActivationScaling::PerTensor));
    ASSERT_TRUE(eTok.ok() && eTen.ok());
    EXPECT_EQ(eTok->before.output.mse, 0.0);
    EXPECT_TRUE(std::isinf(eTok->before.output.sqnrDb));
    EXPECT_DOUBLE_EQ(eTen->before.output.mse, 1.2305450439453125);
    EXPECT_EQ(eTok->scaling.activations, ActivationScaling::PerToken);
    // Per token the step shown is the median row step: median{1, 2} = 1.5.
    EXPECT_DOUBLE_EQ(eTok->before.activationScale, 1.5);
    EXPECT_DOUBLE_EQ(eTen->before.activationScale, 2.0);
}

// Per token with every row scale equal to the per-tensor scale must give the core's per-tensor float output
// bit for bit (the same dequantization arithmetic), and the per-tensor weights the core's per-tensor B.
TEST(PerTokenQuantization, EqualRowScalesGiveThePerTensorBytes) {
    test::PlantedLayer p = test::plantedOutlierLayer();
    for (int64_t t = 0; t < p.tokens; ++t) p.x[size_t(t * p.cIn)] = 200.0f;  // every row's max: 200
    for (WeightScaling ws : {WeightScaling::PerChannel, WeightScaling::PerTensor}) {
        const QuantParams wp = weightParams(p.w, p.cOut, p.cIn, 8, ws);
        EXPECT_EQ(wp.slices.size(), ws == WeightScaling::PerTensor ? 1u : size_t(p.cOut));
        auto a = quantizedLinear(p.x, p.tokens, p.w, p.cOut, p.cIn,
                                 activationParams(p.x, p.tokens, p.cIn, 8, ActivationScaling::PerToken), wp);
        auto b = quantizedLinear(p.x, p.tokens, p.w, p.cOut, p.cIn,
                                 activationParams(p.x, p.tokens, p.cIn, 8, ActivationScaling::PerTensor), wp);
        ASSERT_TRUE(a.ok() && b.ok());
        EXPECT_EQ(*a, *b);
    }
    // … and so the evaluation's activation and output SQNR tie exactly: per token gains nothing when every
    // row has the range of the whole tensor.
    auto L = makeSmoothLayer(p.w, p.cOut, p.cIn, p.x, p.tokens, 1);
    ASSERT_TRUE(L.ok());
    auto tok = evaluateSmoothing(*L, settings(0.5, ActivationScaling::PerToken));
    auto ten = evaluateSmoothing(*L, settings(0.5, ActivationScaling::PerTensor));
    ASSERT_TRUE(tok.ok() && ten.ok());
    EXPECT_EQ(tok->before.activation.sqnrDb, ten->before.activation.sqnrDb);
    EXPECT_EQ(tok->before.output.sqnrDb, ten->before.output.sqnrDb);
}

// Rows of different ranges: the planted layer's outlier channels (×60, ×25, ×40 of N(0, 1)) set each row's
// max, and that max varies from row to row (the largest of three scaled Gaussians), while the per-tensor
// scale is the largest over all 64 rows. Each row's step s_i ≤ s, with equality only for the row holding the
// global max. With the rounding error uniform over a step (error power s²/12 per value), the per-token
// activation SQNR exceeds the per-tensor one by 10·log10(s² / mean_i s_i²), computed below from the data; the
// measured gain must match it within 1.5 dB (the uniform model is loose for steps near the values' std).
TEST(PerTokenQuantization, BeatsPerTensorWhenRowsHaveDifferentRanges) {
    const test::PlantedLayer p = test::plantedOutlierLayer();
    auto L = makeSmoothLayer(p.w, p.cOut, p.cIn, p.x, p.tokens, 1);
    ASSERT_TRUE(L.ok());
    const QuantParams tokP = activationParams(p.x, p.tokens, p.cIn, 8, ActivationScaling::PerToken);
    const double s = activationParams(p.x, p.tokens, p.cIn, 8, ActivationScaling::PerTensor).slices[0].scale;
    double meanSq = 0;
    for (const SliceParams& sl : tokP.slices) meanSq += double(sl.scale) * sl.scale / double(tokP.slices.size());
    const double predicted = 10 * std::log10(s * s / meanSq);
    ASSERT_GT(predicted, 3.0) << "the planted rows' maxima differ enough for a visible gain";

    auto tok = evaluateSmoothing(*L, settings(0.5, ActivationScaling::PerToken));
    auto ten = evaluateSmoothing(*L, settings(0.5, ActivationScaling::PerTensor));
    ASSERT_TRUE(tok.ok() && ten.ok());
    const double gain = tok->before.activation.sqnrDb - ten->before.activation.sqnrDb;
    EXPECT_GT(gain, 3.0);
    EXPECT_NEAR(gain, predicted, 1.5);
    // The layer's output follows (the activations' error dominates it before smoothing).
    EXPECT_GT(tok->before.output.sqnrDb, ten->before.output.sqnrDb + 2.0);
    // Weights are the same operand either way.
    EXPECT_EQ(tok->before.weight.sqnrDb, ten->before.weight.sqnrDb);
    // Per token does not remove the outlier channels from a row: smoothing still helps on top of it.
    EXPECT_GT(tok->after.output.sqnrDb, tok->before.output.sqnrDb + 6.0);
}

// The sweep follows the granularity: each point equals evaluateSmoothing with the same scaling.
TEST(PerTokenQuantization, SweepFollowsTheGranularity) {
    const test::PlantedLayer p = test::plantedOutlierLayer();
    auto L = makeSmoothLayer(p.w, p.cOut, p.cIn, p.x, p.tokens, 1);
    ASSERT_TRUE(L.ok());
    const SmoothSettings o1 = settings(0.5, ActivationScaling::PerToken, WeightScaling::PerTensor);
    auto sw = sweepSmoothing(*L, o1);
    auto swTensor = sweepSmoothing(*L, settings(0.5, ActivationScaling::PerTensor));
    ASSERT_TRUE(sw.ok() && swTensor.ok());
    EXPECT_EQ(sw->scaling, o1.scaling);
    auto e = evaluateSmoothing(*L, o1);
    ASSERT_TRUE(e.ok());
    ASSERT_EQ(sw->alphas.size(), 21u);
    EXPECT_EQ(sw->outputSqnrDb[10], e->after.output.sqnrDb);
    EXPECT_EQ(sw->activationSqnrDb[10], e->after.activation.sqnrDb);
    EXPECT_EQ(sw->weightSqnrDb[10], e->after.weight.sqnrDb);
    EXPECT_EQ(sw->noSmoothingOutputSqnrDb, e->before.output.sqnrDb);
    EXPECT_NE(sw->outputSqnrDb[10], swTensor->outputSqnrDb[10]);
}

}  // namespace
}  // namespace qv
