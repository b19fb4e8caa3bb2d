// The Quantizer on level formats (FP8, FP4, NF4): scales from amax, codes = level indices,
// dequantization s·level, levels/boundaries, errorRun; the exact error pass (measureErrorValues,
// measureError) and the calibrators' error models on the format's grid. Every expected value is
// worked out by hand in the comments (level tables: OCP OFP8 rev. 1.0, OCP MX v1.0, QLoRA; see
// number_format_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "core/base/byte_source.h"
#include "core/calib/calib_math.h"
#include "core/calib/minmax_calibrator.h"
#include "core/calib/mse_calibrator.h"
#include "core/metrics/error_stats.h"
#include "core/quant/quantizer.h"
#include "core/stats/tensor_summary.h"
#include "tests/support/tensor_view_builder.h"

namespace qv {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

QuantScheme levelScheme(NumberFormat f, Granularity g = Granularity::PerTensor, int axis = 0) {
    QuantScheme s;
    s.format = f;
    s.granularity = g;
    s.axis = axis;
    return s;
}

// E4M3, clip range [−0.9, 0.7]: amax = 0.9f, s = fl32(0.9f / 448) ≈ 0.00200893, z = zeroIndex = 126
// (126 negative levels below 0). Positive FP8 patterns p = 1..126 are levels 126 + p (they increase
// with p), negative patterns 0x80|p are levels 126 − p.
TEST(LevelQuantizer, ParamsFromRange) {
    const QuantScheme e4 = levelScheme(NumberFormat::Fp8E4M3);
    const SliceParams p = paramsFromRange(e4, {-0.9, 0.7});
    EXPECT_EQ(p.scale, 0.9f / 448.0f);
    EXPECT_EQ(p.zeroPoint, 126);
    // The order of the ends does not matter, nor does `symmetry`.
    QuantScheme asym = e4;
    asym.symmetry = Symmetry::Asymmetric;
    EXPECT_EQ(paramsFromRange(asym, {0.7, -0.9}).scale, 0.9f / 448.0f);
    EXPECT_EQ(paramsFromRange(asym, {0.7, -0.9}).zeroPoint, 126);
    // All-zero range: s = 0 is not a normal float → 1. A range so small that amax/448 is subnormal:
    // 1e−36/448 ≈ 2.2e−39 < FLT_MIN → 1 as well.
    EXPECT_EQ(paramsFromRange(e4, {0.0, 0.0}).scale, 1.0f);
    EXPECT_EQ(paramsFromRange(e4, {0.0, 0.0}).zeroPoint, 126);
    EXPECT_EQ(paramsFromRange(e4, {-1e-36, 1e-36}).scale, 1.0f);
    EXPECT_EQ(paramsFromRange(e4, {kNaN, kNaN}).scale, 1.0f);
    // Other formats: E5M2 amax 57344 → s = 1, z = 123; E2M1 amax 3 → s = 0.5, z = 7; NF4 amax 2 → s = 2, z = 7.
    EXPECT_EQ(paramsFromRange(levelScheme(NumberFormat::Fp8E5M2), {-57344, 1}).scale, 1.0f);
    EXPECT_EQ(paramsFromRange(levelScheme(NumberFormat::Fp8E5M2), {-57344, 1}).zeroPoint, 123);
    EXPECT_EQ(paramsFromRange(levelScheme(NumberFormat::Fp4E2M1), {-1, 3}).scale, 0.5f);
    EXPECT_EQ(paramsFromRange(levelScheme(NumberFormat::Fp4E2M1), {-1, 3}).zeroPoint, 7);
    EXPECT_EQ(paramsFromRange(levelScheme(NumberFormat::Nf4), {-2, 1.5}).scale, 2.0f);
    EXPECT_EQ(paramsFromRange(levelScheme(NumberFormat::Nf4), {-2, 1.5}).zeroPoint, 7);
}

// With s = fl32(0.9f/448), v = x / s ≈ x · 497.78:
//   0.7    → v ≈ 348.44; step 32 in [256, 512): 320 | 352, midpoint 336 → 352 = 1.375·2^8 = 0x7B (123) → code 249
//   −0.9   → v ≈ −448 (within an ulp) → −448 = 0xFE → code 0, not clipped
//   0.01   → v ≈ 4.978; step 0.5 in [4, 8): 5.0 = 1.25·2^2 = 0x4A (74) → code 200
//   −0.05  → v ≈ −24.89; step 2 in [16, 32): 24 | 26, midpoint 25 → −24 = 0xDC (0x5C = 92) → code 34
//   1e−6   → v ≈ 4.98e−4 < 2^−10 (half the smallest subnormal) → 0 → code 126
//   3e−6   → v ≈ 1.49e−3, between 2^−10 and 3·2^−10 → 2^−9 = 0x01 → code 127
//   0.932  → v ≈ 463.93 ≤ 464 → 448, not clipped (code 252)
//   0.9325 → v ≈ 464.18 > 464 → 448, clipped
//   1.0    → v ≈ 497.8 → 448, clipped;  +Inf → 252 clipped, −Inf → 0 clipped;  NaN → 126, not clipped
// OCP MX v1.0 §6.3: X = 2^(floor(log2 amax) − emax_elem), emax_elem = 2 (E2M1), 8 (E4M3), 15 (E5M2).
TEST(LevelQuantizer, MxPowerOfTwoScales) {
    const QuantScheme mx4 = levelScheme(NumberFormat::MxFp4);
    EXPECT_EQ(mx4.qmax(), 14);  // the E2M1 elements
    // amax 5: floor(log2 5) = 2 → X = 2^0 = 1 (amax/6 would be 0.8333). 5/1 lies between 4 and 6: a
    // tie, to 4 (0b0110 even); not clipped (the clip point is 7).
    SliceParams p = paramsFromRange(mx4, {-2.0, 5.0});
    EXPECT_EQ(p.scale, 1.0f);
    EXPECT_EQ(p.zeroPoint, 7);
    Quantizer q(mx4, p);
    bool clipped = true;
    EXPECT_EQ(q.dequantize(q.quantize(5.0f, clipped)), 4.0f);
    EXPECT_FALSE(clipped);
    // amax 7: still X = 1 (floor(log2 7) = 2), and 7 is E2M1's clip point with the tie going out → 6, clipped.
    p = paramsFromRange(mx4, {-7.0, 1.0});
    EXPECT_EQ(p.scale, 1.0f);
    q = Quantizer(mx4, p);
    EXPECT_EQ(q.dequantize(q.quantize(7.0f, clipped)), 6.0f);
    EXPECT_TRUE(clipped);
    // amax 0.3: floor(log2 0.3) = −2 → X = 2^−4; 0.3/X = 4.8 → 4 (midpoint 5) → x̂ = 0.25.
    p = paramsFromRange(mx4, {0.0, 0.3});
    EXPECT_EQ(p.scale, 0.0625f);
    q = Quantizer(mx4, p);
    EXPECT_EQ(q.dequantize(q.quantize(0.3f)), 0.25f);
    // MXFP8 E4M3, amax 1000: floor(log2 1000) = 9 → X = 2; 1000/2 = 500 > 464 → 448, clipped → 896.
    const QuantScheme mx8 = levelScheme(NumberFormat::MxFp8E4M3);
    p = paramsFromRange(mx8, {-1000.0, 10.0});
    EXPECT_EQ(p.scale, 2.0f);
    q = Quantizer(mx8, p);
    EXPECT_EQ(q.dequantize(q.quantize(-1000.0f, clipped)), -896.0f);
    EXPECT_TRUE(clipped);
    // MXFP8 E5M2, amax 1: X = 2^(0 − 15).
    EXPECT_EQ(paramsFromRange(levelScheme(NumberFormat::MxFp8E5M2), {-1.0, 1.0}).scale, 0x1p-15f);
    // The E8M0 range: amax 1e-40 (a float subnormal, floor(log2) = −133) → 2^(−135) clamped to 2^−127;
    // all-zero → X = 1.
    EXPECT_EQ(paramsFromRange(mx4, {0.0, 1e-40}).scale, 0x1p-127f);
    EXPECT_EQ(paramsFromRange(mx4, {0.0, 0.0}).scale, 1.0f);
    QuantScheme g = mx4;
    g.granularity = Granularity::PerGroup;
    g.groupSize = 32;
    EXPECT_EQ(g.describe(), "mxfp4 per-group(32)");
    EXPECT_EQ(g.codeBits(), 4);
}

// NVFP4 (REFERENCE.md §3): tensor scale s_t = amax_t/(448·6), block scale amax_b/(6·s_t) stored in E4M3.
// amax_t = 2.625 = 2688/1024 makes s_t = 2^−10 exactly, so every step below is exact:
//   block A, amax 2.625: 448 → E4M3 448 → s = 448·2^−10 = 0.4375 (= 2.625/6)
//   block B, amax 0.1: 0.1·1024/6 = 17.07 → E4M3 steps of 2 in [16, 32): past the midpoint 17 → 18
//                      → s = 18·2^−10 = 0.017578125
//   block C, amax 1e-4: 0.01707 in E4M3's [2^−6, 2^−5) (steps of 2^−9): 8.74·2^−9 → 9·2^−9 → s = 9·2^−19
//   block D, zeros: block scale 0 → the all-zero fallback, scale 1.
TEST(LevelQuantizer, Nvfp4TwoLevelScale) {
    QuantScheme nv = levelScheme(NumberFormat::NvFp4, Granularity::PerGroup);
    nv.groupSize = 16;
    EXPECT_EQ(nv.qmax(), 14);  // E2M1 elements
    const QuantParams p = paramsFromRanges(nv, {{-2.625, 1.0}, {-0.05, 0.1}, {0.0001, 0.0}, {0.0, 0.0}});
    ASSERT_EQ(p.slices.size(), 4u);
    EXPECT_EQ(p.slices[0].scale, 0.4375f);
    EXPECT_EQ(p.slices[1].scale, 0.017578125f);
    EXPECT_EQ(p.slices[2].scale, 9 * 0x1p-19f);
    EXPECT_EQ(p.slices[3].scale, 1.0f);
    // Block B: 0.1 / 0.017578125 = 5.69, past E2M1's midpoint 5 → 6 → x̂ = 0.10546875.
    const Quantizer qb(nv, p.slices[1]);
    EXPECT_EQ(qb.dequantize(qb.quantize(0.1f)), 0.10546875f);
    // One range alone is its own tensor: block A's 0.4375 again.
    EXPECT_EQ(paramsFromRange(nv, {-2.625, 1.0}).scale, 0.4375f);
    // Filled one by one, then finished: the same scales as paramsFromRanges.
    QuantParams q;
    q.scheme = nv;
    for (ClipRange r : {ClipRange{-2.625, 1.0}, ClipRange{-0.05, 0.1}}) q.slices.push_back(paramsFromRange(nv, r));
    applyTensorScale(q);
    EXPECT_EQ(q.slices[1].scale, 0.017578125f);
    // Every other scheme is left alone.
    QuantParams e2 = paramsFromRanges(levelScheme(NumberFormat::Fp4E2M1), {{-0.6, 0.6}});
    EXPECT_EQ(e2.slices[0].scale, 0.1f);
}

TEST(LevelQuantizer, E4M3QuantizeDequantize) {
    const QuantScheme e4 = levelScheme(NumberFormat::Fp8E4M3);
    const SliceParams p = paramsFromRange(e4, {-0.9, 0.7});
    const float s = p.scale;
    const Quantizer q(e4, p);
    EXPECT_EQ(q.scale(), s);
    EXPECT_EQ(q.zeroPoint(), 126);
    EXPECT_EQ(q.qmin(), 0);
    EXPECT_EQ(q.qmax(), 252);
    ASSERT_NE(q.levelTable(), nullptr);
    struct Case {
        float x;
        int32_t code;
        float level;
        bool clipped;
    };
    const Case cases[] = {
        {0.7f, 249, 352.0f, false},     {-0.9f, 0, -448.0f, false},    {0.01f, 200, 5.0f, false},
        {-0.05f, 34, -24.0f, false},    {1e-6f, 126, 0.0f, false},     {3e-6f, 127, 0x1p-9f, false},
        {0.932f, 252, 448.0f, false},   {0.9325f, 252, 448.0f, true},  {1.0f, 252, 448.0f, true},
        {kInf, 252, 448.0f, true},      {-kInf, 0, -448.0f, true},     {kNaN, 126, 0.0f, false},
        {0.0f, 126, 0.0f, false},       {-0.0f, 126, 0.0f, false},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.x);
        bool clipped = !c.clipped;
        EXPECT_EQ(q.quantize(c.x, clipped), c.code);
        EXPECT_EQ(clipped, c.clipped);
        EXPECT_EQ(q.dequantize(c.code), s * c.level);
        if (std::isfinite(c.x)) {
            EXPECT_EQ(q.fakeQuantize(c.x), s * c.level);
        }
    }
    EXPECT_NEAR(q.dequantize(249), 0.707143, 1e-6);  // 352 · 0.9/448
    EXPECT_NEAR(q.dequantize(0), -0.9, 1e-6);
    // Codes outside 0..252 are clamped by dequantize.
    EXPECT_EQ(q.dequantize(-5), q.dequantize(0));
    EXPECT_EQ(q.dequantize(300), q.dequantize(252));
}

// The zero point of a level format is the format's, whatever the params say; a scale that is not
// a positive finite float becomes 1.
TEST(LevelQuantizer, ZeroPointFixedAndBadScale) {
    const QuantScheme e2 = levelScheme(NumberFormat::Fp4E2M1);
    const Quantizer q(e2, SliceParams{1.0f, 3, {}});
    EXPECT_EQ(q.zeroPoint(), 7);
    EXPECT_EQ(q.quantize(0.0f), 7);
    EXPECT_EQ(q.dequantize(7), 0.0f);
    for (float bad : {0.0f, -2.0f, kNaN, kInf}) {
        const Quantizer b(e2, SliceParams{bad, 7, {}});
        EXPECT_EQ(b.scale(), 1.0f) << bad;
        EXPECT_EQ(b.quantize(2.5f), 11) << bad;  // tie 2|3 → 2 (0100 even) = level 11
    }
}

// NF4, amax 2 → s = 2: 1.0 → v = 0.5 → code 12 (0.4407; the 12|13 midpoint is 0.5017);
// −2 → code 0; 2 → 15; v = 1.135 (x = 2.27) lies below the clip point 1.13852 → 15 not clipped;
// x = 2.3 (v = 1.15) → clipped.
TEST(LevelQuantizer, Nf4) {
    const QuantScheme n = levelScheme(NumberFormat::Nf4);
    const Quantizer q(n, paramsFromRange(n, {-2, 1.5}));
    EXPECT_EQ(q.quantize(1.0f), 12);
    EXPECT_EQ(q.dequantize(12), 2.0f * 0.44070982933044434f);
    EXPECT_EQ(q.quantize(-2.0f), 0);
    EXPECT_EQ(q.dequantize(0), -2.0f);
    EXPECT_EQ(q.quantize(2.0f), 15);
    bool clipped = true;
    EXPECT_EQ(q.quantize(2.27f, clipped), 15);
    EXPECT_FALSE(clipped);
    EXPECT_EQ(q.quantize(2.3f, clipped), 15);
    EXPECT_TRUE(clipped);
}

// levels() = s·table levels (253 for E4M3, increasing, ±s·448 at the ends, 0 at code 126);
// boundaries() = s·midpoints (252), e.g. the 0|2^−9 boundary s·2^−10 at index 126.
TEST(LevelQuantizer, LevelsAndBoundaries) {
    const QuantScheme e4 = levelScheme(NumberFormat::Fp8E4M3);
    const SliceParams p = paramsFromRange(e4, {-0.9, 0.7});
    const float s = p.scale;
    const Quantizer q(e4, p);
    const LevelTable& t = *levelTable(NumberFormat::Fp8E4M3);
    const auto lv = q.levels();
    const auto bd = q.boundaries();
    ASSERT_EQ(lv.size(), 253u);
    ASSERT_EQ(bd.size(), 252u);
    EXPECT_EQ(lv.front(), -(s * 448.0f));
    EXPECT_EQ(lv.back(), s * 448.0f);
    EXPECT_EQ(lv[126], 0.0f);
    EXPECT_EQ(lv[127], s * 0x1p-9f);
    EXPECT_EQ(lv[249], s * 352.0f);
    EXPECT_EQ(bd[126], s * 0x1p-10f);
    EXPECT_EQ(bd[125], -(s * 0x1p-10f));
    EXPECT_EQ(bd[251], s * 432.0f);
    for (size_t i = 0; i < bd.size(); ++i) {
        EXPECT_EQ(lv[i], s * t.levels[i]) << i;
        EXPECT_EQ(bd[i], s * t.midpoints[i]) << i;
        EXPECT_LT(lv[i], bd[i]) << i;
        EXPECT_LT(bd[i], lv[i + 1]) << i;
    }
    // E2M1 at s = 0.5: levels ±{0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3}, boundaries halfway.
    const QuantScheme e2 = levelScheme(NumberFormat::Fp4E2M1);
    const Quantizer h(e2, SliceParams{0.5f, 7, {}});
    EXPECT_EQ(h.levels(), (std::vector<float>{-3, -2, -1.5f, -1, -0.75f, -0.5f, -0.25f, 0, 0.25f, 0.5f, 0.75f, 1, 1.5f, 2, 3}));
    EXPECT_EQ(h.boundaries(),
              (std::vector<float>{-2.5f, -1.75f, -1.25f, -0.875f, -0.625f, -0.375f, -0.125f, 0.125f, 0.375f, 0.625f, 0.875f,
                                  1.25f, 1.75f, 2.5f}));
}

// errorRun gives dequantize(quantize(x)) − x and the clipped flag per element; 0 and 0 for NaN/±Inf.
// E2M1, s = 1: 0.25 → 0 (e −0.25), 0.75 → 1 (+0.25), 2.5 → 2 (−0.5), 5 → 4 (−1), 6.99 → 6 (−0.99,
// not clipped), 7 → 6 (−1, clipped), −9 → −6 (+3, clipped).
TEST(LevelQuantizer, ErrorRunMatchesQuantizeDequantize) {
    const QuantScheme e2 = levelScheme(NumberFormat::Fp4E2M1);
    const Quantizer q(e2, paramsFromRange(e2, {-6, 6}));
    ASSERT_EQ(q.scale(), 1.0f);
    const std::vector<float> x = {0.25f, 0.75f, 2.5f, 5.0f, 6.99f, 7.0f, -9.0f, kNaN, kInf, -kInf, 0.0f};
    std::vector<float> err(x.size(), 99.0f);
    std::vector<uint8_t> clipped(x.size(), 7);
    q.errorRun(x.data(), x.size(), err.data(), clipped.data());
    const std::vector<float> expectedErr = {-0.25f, 0.25f, -0.5f, -1.0f, 6.0f - 6.99f, -1.0f, 3.0f, 0, 0, 0, 0};
    const std::vector<uint8_t> expectedClipped = {0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0};
    EXPECT_EQ(err, expectedErr);
    EXPECT_EQ(clipped, expectedClipped);
    for (size_t i = 0; i < 7; ++i) {
        bool c;
        EXPECT_EQ(err[i], q.dequantize(q.quantize(x[i], c)) - x[i]) << i;
        EXPECT_EQ(clipped[i] != 0, c) << i;
    }
    // The same on E4M3 with an awkward scale, against the scalar path.
    const QuantScheme e4 = levelScheme(NumberFormat::Fp8E4M3);
    const Quantizer r(e4, paramsFromRange(e4, {-0.9, 0.7}));
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 0.3f);
    std::vector<float> y(1000);
    for (auto& v : y) v = g(rng);
    y[3] = 0.9325f;
    y[4] = -1.5f;
    std::vector<float> ey(y.size());
    std::vector<uint8_t> cy(y.size());
    r.errorRun(y.data(), y.size(), ey.data(), cy.data());
    int clippedCount = 0;
    for (size_t i = 0; i < y.size(); ++i) {
        bool c;
        ASSERT_EQ(ey[i], r.dequantize(r.quantize(y[i], c)) - y[i]) << i;
        ASSERT_EQ(cy[i] != 0, c) << i;
        clippedCount += cy[i];
    }
    EXPECT_EQ(cy[3], 1);
    EXPECT_EQ(cy[4], 1);
    EXPECT_GE(clippedCount, 2);
}

// quantizeSpan per channel: E2M1, rows with amax 6 (s = 1) and 3 (s = 0.5).
//   row 0: 2.5 → 2 (code 11), 5 → 4 (code 13); row 1: 1.25/0.5 = 2.5 → 2 → 1.0, 2.5/0.5 = 5 → 4 → 2.0
TEST(LevelQuantizer, QuantizeSpanPerChannel) {
    const QuantScheme e2 = levelScheme(NumberFormat::Fp4E2M1, Granularity::PerChannel, 0);
    const QuantParams params = paramsFromRanges(e2, {{-6, 6}, {-3, 3}});
    ASSERT_EQ(params.slices.size(), 2u);
    EXPECT_EQ(params.slices[1].scale, 0.5f);
    const auto layout = SliceLayout::make(e2, {2, 2});
    const std::vector<float> x = {2.5f, 5.0f, 1.25f, 2.5f};
    std::vector<int32_t> codes(4);
    std::vector<float> deq(4);
    quantizeSpan(params, layout, 0, x, codes, deq);
    EXPECT_EQ(codes, (std::vector<int32_t>{11, 13, 11, 13}));
    EXPECT_EQ(deq, (std::vector<float>{2, 4, 1, 2}));
}

// The convention is an integer-grid matter: a level format divides by the scale under every one
// (PyTorch's x·fl32(1/s) included), so the codes do not depend on it.
TEST(LevelQuantizer, ConventionDoesNotApply) {
    std::mt19937 rng(3);
    std::normal_distribution<float> g(0.0f, 0.3f);
    std::vector<float> x(2000);
    for (auto& v : x) v = g(rng);
    QuantScheme seeds = levelScheme(NumberFormat::Fp8E4M3);
    const SliceParams p = paramsFromRange(seeds, {-0.9, 0.7});
    for (Convention c : {Convention::TensorRT, Convention::OnnxRuntime, Convention::PyTorch}) {
        QuantScheme other = seeds;
        other.convention = c;
        EXPECT_EQ(paramsFromRange(other, {-0.9, 0.7}).scale, p.scale);
        EXPECT_EQ(other.qmin(), 0);
        EXPECT_EQ(other.qmax(), 252);
        const Quantizer a(seeds, p), b(other, p);
        for (float v : x) ASSERT_EQ(a.quantize(v), b.quantize(v)) << v;
    }
}

// ---- The exact error pass ----------------------------------------------------------------------

QuantParams e2m1PerTensor(double amax) {
    QuantParams p;
    p.scheme = levelScheme(NumberFormat::Fp4E2M1);
    p.slices = {paramsFromRange(p.scheme, {-amax, amax})};
    return p;
}

// E2M1, amax 6 → s = 1. Levels by index: 0:−6 1:−4 2:−3 3:−2 4:−1.5 5:−1 6:−0.5 7:0 8:0.5 9:1 10:1.5
// 11:2 12:3 13:4 14:6.
//   x       x̂    e      code  tie (boundary, code below)   clipped
//   0.25    0    −0.25  7     yes (0.25, 7)
//   0.75    1    +0.25  9     yes (0.75, 8)
//   2.5     2    −0.5   11    yes (2.5, 11)
//   5       4    −1     13    yes (5, 13)
//   7       6    −1     14    no (beyond the table)        yes (7 = clip point, 6 = 0111 odd)
//   −9      −6   +3     0     no                           yes
//   NaN     —    excluded
// count 6, clipped 2; Σe² = 0.0625 + 0.0625 + 0.25 + 1 + 1 + 9 = 11.375 → MSE 11.375/6;
// max|e| = 3; mean|e| = (0.25 + 0.25 + 0.5 + 1 + 1 + 3)/6 = 1; codes used {0, 7, 9, 11, 13, 14} = 6 of 15.
// ‖x‖² = 0.0625 + 0.5625 + 6.25 + 25 + 49 + 81 = 161.875, ‖x̂‖² = 0 + 1 + 4 + 16 + 36 + 36 = 93,
// x·x̂ = 0 + 0.75 + 5 + 20 + 42 + 54 = 121.75 → cos = 121.75/√(161.875·93); SQNR = 10·log10(161.875/11.375).
TEST(LevelErrorStats, HandWorkedE2M1Vector) {
    const std::vector<float> x = {0.25f, 0.75f, 2.5f, 5.0f, 7.0f, -9.0f, kNaN};
    const QuantParams p = e2m1PerTensor(6);
    ASSERT_EQ(p.slices[0].scale, 1.0f);
    for (bool histograms : {true, false}) {
        SCOPED_TRACE(histograms);
        ErrorPassOptions o;
        o.histograms = histograms;
        const ErrorReport r = measureErrorValues(x, {7}, p, o);
        const ErrorStats& t = r.total;
        EXPECT_EQ(t.count, 6u);
        EXPECT_EQ(t.clippedCount, 2u);
        EXPECT_DOUBLE_EQ(t.clippedFraction, 2.0 / 6.0);
        EXPECT_DOUBLE_EQ(t.mse, 11.375 / 6);
        EXPECT_DOUBLE_EQ(t.rmse, std::sqrt(11.375 / 6));
        EXPECT_EQ(t.maxAbsError, 3.0);
        EXPECT_DOUBLE_EQ(t.meanAbsError, 1.0);
        EXPECT_NEAR(t.cosine, 121.75 / std::sqrt(161.875 * 93), 1e-15);
        EXPECT_NEAR(t.sqnrDb, 10 * std::log10(161.875 / 11.375), 1e-12);
        EXPECT_EQ(t.codesUsed, 6u);
        EXPECT_EQ(t.codesAvailable, 15u);
        EXPECT_TRUE(r.perSlice.empty());
        EXPECT_EQ(r.tieCount, 4u);
        EXPECT_FALSE(r.tiesTruncated);
        ASSERT_EQ(r.ties.size(), 4u);
        const int32_t below[] = {7, 8, 11, 13};
        const double at[] = {0.25, 0.75, 2.5, 5.0};
        for (size_t i = 0; i < 4; ++i) {
            EXPECT_EQ(r.ties[i].codeBelow, below[i]) << i;
            EXPECT_EQ(r.ties[i].boundary, at[i]) << i;
            EXPECT_EQ(r.ties[i].count, 1u) << i;
        }
        EXPECT_EQ(r.hasHistograms, histograms);
        if (histograms) {
            std::vector<uint64_t> codes(15, 0);
            for (int c : {0, 7, 9, 11, 13, 14}) codes[static_cast<size_t>(c)] = 1;
            EXPECT_EQ(r.codeHistogram, codes);
            double histTotal = 0;
            for (double c : r.errorHistogram) histTotal += c;
            EXPECT_NEAR(histTotal, 6.0, 1e-9);
            // The histogram spans the errors −1 … 3: the upper end is max|e| = 3 itself.
            EXPECT_EQ(r.errorHi, 3.0);
            EXPECT_LE(r.errorLo, -1.0);
            EXPECT_GE(r.errorLo, -3.0);
        }
    }
}

// Per channel, E2M1, rows with amax 6 (s = 1) and 3 (s = 0.5):
//   row 0 (s = 1):   0.25 → 0 (tie, e −0.25, code 7), 6 → 6 (14), −3 → −3 (2), 1.25 → 1 (tie 1|1.5, 1.5 =
//                    0011 odd; e −0.25, code 9)   → Σe² = 0.125, MSE 0.125/4, codes {7, 14, 2, 9}
//   row 1 (s = 0.5): v = 0.25 → 0 (tie, e −0.125, code 7), 6 → 6 → 3 (14), −2 → −1 (3), 1.75 → 2 (tie 1.5|2,
//                    2 = 0100 even) → 1.0 (e +0.125, code 11) → Σe² = 0.03125, MSE 0.03125/4, codes {7, 14, 3, 11}
//   total: MSE (0.125 + 0.03125)/8, codes used {2, 3, 7, 9, 11, 14} = 6, ties 4, max|e| 0.25.
// The same matrix transposed, channels on the last axis (the error pass's element-wise path), gives
// the same statistics.
TEST(LevelErrorStats, PerChannelRows) {
    const std::vector<float> m = {0.25f, 6, -3, 1.25f, 0.125f, 3, -1, 0.875f};
    const std::vector<float> mt = {0.25f, 0.125f, 6, 3, -3, -1, 1.25f, 0.875f};
    for (int transposed = 0; transposed < 2; ++transposed) {
        SCOPED_TRACE(transposed);
        QuantParams p;
        p.scheme = levelScheme(NumberFormat::Fp4E2M1, Granularity::PerChannel, transposed);
        p.slices = paramsFromRanges(p.scheme, {{-6, 6}, {-3, 3}}).slices;
        const std::vector<int64_t> shape = transposed ? std::vector<int64_t>{4, 2} : std::vector<int64_t>{2, 4};
        const ErrorReport r = measureErrorValues(transposed ? mt : m, shape, p);
        ASSERT_EQ(r.perSlice.size(), 2u);
        EXPECT_EQ(r.perSlice[0].count, 4u);
        EXPECT_DOUBLE_EQ(r.perSlice[0].mse, 0.125 / 4);
        EXPECT_EQ(r.perSlice[0].codesUsed, 4u);
        EXPECT_EQ(r.perSlice[0].maxAbsError, 0.25);
        EXPECT_DOUBLE_EQ(r.perSlice[1].mse, 0.03125 / 4);
        EXPECT_EQ(r.perSlice[1].codesUsed, 4u);
        EXPECT_EQ(r.perSlice[1].maxAbsError, 0.125);
        EXPECT_DOUBLE_EQ(r.total.mse, (0.125 + 0.03125) / 8);
        EXPECT_EQ(r.total.count, 8u);
        EXPECT_EQ(r.total.clippedCount, 0u);
        EXPECT_EQ(r.total.codesUsed, 6u);
        EXPECT_EQ(r.total.codesAvailable, 15u);
        EXPECT_EQ(r.tieCount, 4u);
        std::vector<uint64_t> codes(15, 0);
        for (int c : {7, 14, 2, 9, 7, 14, 3, 11}) ++codes[static_cast<size_t>(c)];
        EXPECT_EQ(r.codeHistogram, codes);
    }
}

// measureError on an in-memory float32 tensor of 250000 values (several chunks and workers):
// x = (i mod 8)·0.25 under E2M1 with s = 1: 0 → 0, 0.25 → 0 (tie), 0.5 → 0.5, 0.75 → 1 (tie),
// 1 → 1, 1.25 → 1 (tie), 1.5 → 1.5, 1.75 → 2 (tie); e² = 0.0625 on the four ties →
// MSE = 4·0.0625/8 = 0.03125; ties 125000 (31250 on each of the boundaries 0.25, 0.75, 1.25, 1.75,
// codes below 7, 8, 9, 10); codes used {7, 8, 9, 10, 11} with counts 62500, 31250, 93750, 31250, 31250.
TEST(LevelErrorStats, TensorViewPass) {
    std::vector<float> v(250000);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 8) * 0.25f;
    const TensorView view = test::viewOf(v, DType::F32, {250, 1000}, "w");
    const auto r = measureError(view, e2m1PerTensor(6));
    ASSERT_TRUE(r.ok()) << r.message();
    const ErrorReport& e = **r;
    EXPECT_EQ(e.total.count, 250000u);
    EXPECT_EQ(e.total.mse, 0.03125);
    EXPECT_EQ(e.total.maxAbsError, 0.25);
    EXPECT_EQ(e.total.clippedCount, 0u);
    EXPECT_EQ(e.total.codesUsed, 5u);
    EXPECT_EQ(e.tieCount, 125000u);
    ASSERT_EQ(e.ties.size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(e.ties[i].codeBelow, static_cast<int32_t>(7 + i)) << i;
        EXPECT_EQ(e.ties[i].boundary, 0.25 + 0.5 * static_cast<double>(i)) << i;
        EXPECT_EQ(e.ties[i].count, 31250u) << i;
    }
    std::vector<uint64_t> codes(15, 0);
    codes[7] = 62500;
    codes[8] = 31250;
    codes[9] = 93750;
    codes[10] = 31250;
    codes[11] = 31250;
    EXPECT_EQ(e.codeHistogram, codes);
    // The in-memory pass agrees.
    const ErrorReport m = measureErrorValues(v, {250, 1000}, e2m1PerTensor(6));
    EXPECT_EQ(m.total.mse, e.total.mse);
    EXPECT_EQ(m.tieCount, e.tieCount);
    EXPECT_EQ(m.codeHistogram, e.codeHistogram);
}

// ---- Calibrators on the level grid --------------------------------------------------------------

// The calibrators' error models: the same E2M1 vector as above (without NaN).
//   s = 1 (range ±6): Σe² = 11.375 (see HandWorkedE2M1Vector).
//   s = 0.5 (range ±3): v = 0.5, 1.5, 5, 10, 14, −18 → x̂ = 0.25, 0.75, 2 (5 → 4, tie), 3, 3, −3 →
//     e = 0, 0, −0.5, −2, −4, 6 → Σe² = 0.25 + 4 + 16 + 36 = 56.25.
TEST(LevelCalibration, ErrorModelsOnTheLevelGrid) {
    const QuantScheme e2 = levelScheme(NumberFormat::Fp4E2M1);
    const std::vector<float> x = {0.25f, 0.75f, 2.5f, 5.0f, 7.0f, -9.0f};
    const std::vector<float> withNaN = {0.25f, 0.75f, 2.5f, 5.0f, 7.0f, -9.0f, kNaN, kInf};
    EXPECT_EQ(exactSquaredError(withNaN, e2, {-6, 6}), 11.375);
    EXPECT_EQ(exactSquaredError(x, e2, {-3, 3}), 56.25);
    const Grid g6 = gridFor(e2, {-6, 6});
    EXPECT_EQ(g6.table, levelTable(NumberFormat::Fp4E2M1));
    EXPECT_EQ(g6.scale, 1.0);
    EXPECT_EQ(g6.lo(), -6.0);
    EXPECT_EQ(g6.hi(), 6.0);
    const std::vector<float> ones(x.size(), 1.0f);
    EXPECT_EQ(weightedQuantError(x.data(), ones.data(), x.size(), g6), 11.375);
    // Weights: 2 on the last value (e = 3) adds another 9.
    std::vector<float> w = ones;
    w.back() = 2.0f;
    EXPECT_EQ(weightedQuantError(x.data(), w.data(), x.size(), g6), 20.375);
    const Grid g3 = gridFor(e2, {-3, 3});
    EXPECT_EQ(g3.scale, 0.5);
    EXPECT_EQ(g3.hi(), 3.0);
    EXPECT_EQ(weightedQuantError(x.data(), ones.data(), x.size(), g3), 56.25);
}

// Min-max on a level format is symmetric (±max|x|) even when the scheme says asymmetric, whereas
// the integer asymmetric scheme keeps [min, max].
TEST(LevelCalibration, MinMaxIsSymmetric) {
    const std::vector<float> x = {-0.5f, 2.0f, 3.0f, 1.0f};
    const TensorSummary s = summarizeValues(x.data(), x.size());
    QuantScheme fp8 = levelScheme(NumberFormat::Fp8E4M3);
    fp8.symmetry = Symmetry::Asymmetric;
    EXPECT_EQ(MinMaxCalibrator().calibrate(s, fp8), (ClipRange{-3.0, 3.0}));
    QuantScheme i8;
    i8.symmetry = Symmetry::Asymmetric;
    EXPECT_EQ(MinMaxCalibrator().calibrate(s, i8), (ClipRange{-0.5, 3.0}));
}

// MSE on a Gaussian sample under FP4 E2M1: with only 15 levels, clipping the tail pays — the chosen
// amax lies below max|x| and its exact squared error is no larger than min-max's (both for the
// histogram estimate and for the exact refinement). Seen here: max|x| 4.437 (Σe² 1607.9), estimate
// amax 2.874 (Σe² 1279.5), refined 2.875 (Σe² 1279.5).
TEST(LevelCalibration, MseClipsGaussianUnderE2M1) {
    std::mt19937 rng(2024);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> x(100000);
    for (auto& v : x) v = g(rng);
    const TensorSummary summary = summarizeValues(x.data(), x.size());
    const QuantScheme e2 = levelScheme(NumberFormat::Fp4E2M1);
    const double absMax = summary.absMax;
    const double eMinMax = exactSquaredError(x, e2, {-absMax, absMax});
    const MseCalibrator mse;
    const ClipRange est = mse.calibrate(summary, e2);
    const double aEst = std::max(std::fabs(est.lo), std::fabs(est.hi));
    EXPECT_EQ(est.lo, -est.hi);
    EXPECT_LT(aEst, absMax);
    EXPECT_GT(aEst, 0.0);
    EXPECT_LE(exactSquaredError(x, e2, est), eMinMax);
    const ClipRange ref = mse.refine(x, e2, est);
    const double aRef = std::max(std::fabs(ref.lo), std::fabs(ref.hi));
    EXPECT_LT(aRef, absMax);
    EXPECT_LE(exactSquaredError(x, e2, ref), eMinMax);
    EXPECT_LT(exactSquaredError(x, e2, ref), 0.95 * eMinMax);  // clipping the tail must pay clearly
}

}  // namespace
}  // namespace qv
