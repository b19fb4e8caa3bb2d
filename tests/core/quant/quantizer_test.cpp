// Quantizer and quantizeSpan: the seeds' vector, ties, saturation, NaN/Inf, per-slice params.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <random>
#include <vector>

#include "core/quant/quantizer.h"

namespace qv {
namespace {

const std::vector<float> kSeeds = {0.34f, 3.75f, 5.64f, 1.12f, 2.7f, -0.9f, -4.7f, 0.68f, 1.43f};

QuantScheme scheme(Symmetry sym, int bits = 8, Convention c = Convention::Seeds) {
    QuantScheme s;
    s.bits = bits;
    s.symmetry = sym;
    s.convention = c;
    return s;
}

std::vector<int32_t> codesOf(const Quantizer& q, const std::vector<float>& xs) {
    std::vector<int32_t> out;
    for (float x : xs) out.push_back(q.quantize(x));
    return out;
}

// Symmetric, 8 bits, min-max: amax = 5.64, s = 5.64/127 = 0.0444094…
//   x/s = 0.34·127/5.64 = 7.656 → 8      3.75 → 84.441 → 84     5.64 → 127
//         1.12 → 25.220 → 25             2.7 → 60.798 → 61      −0.9 → −20.266 → −20
//         −4.7 → −105.833 → −106         0.68 → 15.312 → 15     1.43 → 32.200 → 32
// x̂ = s·q: 8·s = 0.35528, 84·s = 3.73039, 127·s = 5.64, …
TEST(Quantizer, SeedsSymmetric8) {
    const auto s = scheme(Symmetry::Symmetric);
    const auto p = paramsFromRange(s, {-4.7, 5.64});
    const Quantizer q(s, p);
    EXPECT_EQ(codesOf(q, kSeeds), (std::vector<int32_t>{8, 84, 127, 25, 61, -20, -106, 15, 32}));
    EXPECT_NEAR(q.dequantize(8), 0.355276, 1e-6);
    EXPECT_NEAR(q.dequantize(84), 3.730393, 1e-6);
    EXPECT_NEAR(q.dequantize(-106), -4.707401, 1e-6);
    EXPECT_FLOAT_EQ(q.fakeQuantize(5.64f), 5.64f);
}

// Asymmetric, 8 bits, min-max [−4.7, 5.64]: s = 10.34/255 = 0.0405490…,
// z = 0 − round(−4.7/s) = −round(−115.909) = 116.
//   x/s: 0.34 → 8.385 → 8 (+116 = 124)   3.75 → 92.481 → 92 (208)   5.64 → 139.091 → 139 (255)
//        1.12 → 27.621 → 28 (144)        2.7 → 66.586 → 67 (183)    −0.9 → −22.195 → −22 (94)
//        −4.7 → −115.909 → −116 (0)      0.68 → 16.770 → 17 (133)   1.43 → 35.266 → 35 (151)
// x̂ = s·(q − z): 124 → 8·s = 0.32439, 0 → −116·s = −4.70369.
TEST(Quantizer, SeedsAsymmetric8) {
    const auto s = scheme(Symmetry::Asymmetric);
    const auto p = paramsFromRange(s, {-4.7, 5.64});
    ASSERT_EQ(p.zeroPoint, 116);
    const Quantizer q(s, p);
    EXPECT_EQ(codesOf(q, kSeeds), (std::vector<int32_t>{124, 208, 255, 144, 183, 94, 0, 133, 151}));
    EXPECT_NEAR(q.dequantize(124), 0.324392, 1e-6);
    EXPECT_NEAR(q.dequantize(0), -4.703686, 1e-6);
    EXPECT_NEAR(q.dequantize(255), 5.636314, 1e-6);
    EXPECT_EQ(q.dequantize(116), 0.0f);  // zero is exact
}

TEST(Quantizer, RoundHalfToEvenTies) {
    const auto s = scheme(Symmetry::Symmetric);
    const Quantizer q(s, SliceParams{1.0f, 0, {}});
    EXPECT_EQ(q.quantize(2.5f), 2);
    EXPECT_EQ(q.quantize(3.5f), 4);
    EXPECT_EQ(q.quantize(-2.5f), -2);
    EXPECT_EQ(q.quantize(-3.5f), -4);
    EXPECT_EQ(q.quantize(0.5f), 0);
    EXPECT_EQ(q.quantize(1.5f), 2);
    EXPECT_EQ(q.quantize(-0.5f), 0);
    EXPECT_EQ(q.quantize(2.4999998f), 2);
    EXPECT_EQ(q.quantize(2.5000002f), 3);
    // Ties after the zero point is added: s = 0.5, z = 3 (asym): 1.25/0.5 = 2.5 → 2 → code 5.
    const Quantizer a(scheme(Symmetry::Asymmetric), SliceParams{0.5f, 3, {}});
    EXPECT_EQ(a.quantize(1.25f), 5);
    EXPECT_EQ(a.quantize(1.75f), 7);  // 3.5 → 4 → 7
}

TEST(Quantizer, ErrorRunEqualsQuantizeThenDequantize) {
    // Hand-worked first: s = 0.5, z = 0, 8-bit symmetric restricted (codes ±127).
    //   1.25 → 2.5 → 2 (tie, even) → x̂ 1.0, e −0.25;  1.75 → 3.5 → 4 → 2.0, e +0.25;
    //   100 → 200 → saturates at 127 → 63.5, e −36.5 (clipped);  NaN, Inf → 0, not clipped.
    const Quantizer q(scheme(Symmetry::Symmetric), SliceParams{0.5f, 0, {}});
    const std::vector<float> hand = {1.25f, 1.75f, 100.0f, NAN, INFINITY};
    std::vector<float> err(hand.size());
    std::vector<uint8_t> cl(hand.size());
    q.errorRun(hand.data(), hand.size(), err.data(), cl.data());
    EXPECT_EQ(err, (std::vector<float>{-0.25f, 0.25f, -36.5f, 0.0f, 0.0f}));
    EXPECT_EQ(cl, (std::vector<uint8_t>{0, 0, 1, 0, 0}));

    // Then bit for bit against the per-element path, over schemes, zero points and awkward values:
    // ties at every code, values just beside ties, ±0, subnormals, huge, ±Inf, NaN, both ends.
    std::vector<float> xs = {0.0f, -0.0f, FLT_MIN / 4, -FLT_MIN / 4, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN, 1e30f};
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> wide(-300.0f, 300.0f);
    for (int i = 0; i < 4000; ++i) xs.push_back(wide(rng));
    struct Case { QuantScheme s; SliceParams p; };
    std::vector<Case> cases = {
        {scheme(Symmetry::Symmetric), {0.5f, 0, {}}},
        {scheme(Symmetry::Symmetric, 4), {0.37f, 0, {}}},
        {scheme(Symmetry::Asymmetric), {0.75f, 13, {}}},
        {scheme(Symmetry::Asymmetric, 8, Convention::PyTorch), {0.1f, 128, {}}},  // x·fl(1/s)
        {scheme(Symmetry::Symmetric, 16), {1e-3f, 0, {}}},
        {scheme(Symmetry::Symmetric, 8, Convention::PyTorch), {1e-39f, 0, {}}},     // 1/s = Inf: 0·Inf
    };
    for (const auto& c : cases) {
        const Quantizer a(c.s, c.p);
        std::vector<float> vals = xs;
        for (int32_t k = a.qmin() - 2; k <= a.qmax() + 2; ++k) {  // exact ties and their neighbours
            const float tie = a.scale() * (float(k - a.zeroPoint()) + 0.5f);
            vals.insert(vals.end(), {tie, std::nextafter(tie, INFINITY), std::nextafter(tie, -INFINITY)});
            if (vals.size() > 200000) break;
        }
        std::vector<float> e(vals.size());
        std::vector<uint8_t> f(vals.size());
        a.errorRun(vals.data(), vals.size(), e.data(), f.data());
        for (size_t i = 0; i < vals.size(); ++i) {
            const float x = vals[i];
            float want = 0;
            bool wantClipped = false;
            if (std::isfinite(x)) want = a.dequantize(a.quantize(x, wantClipped)) - x;
            ASSERT_EQ(std::bit_cast<uint32_t>(e[i]), std::bit_cast<uint32_t>(want))
                << "x = " << x << " scale " << a.scale() << " z " << a.zeroPoint() << ": " << e[i] << " vs " << want;
            ASSERT_EQ(f[i] != 0, wantClipped) << "x = " << x;
        }
    }
}

TEST(Quantizer, RoundHalfEvenMatchesNearbyint) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<uint32_t> bits;
    for (int i = 0; i < 200000; ++i) {
        float x = std::bit_cast<float>(bits(rng));
        if (!std::isfinite(x)) continue;
        const float r = roundHalfEven(x), ref = std::nearbyint(x);
        ASSERT_TRUE(r == ref) << x;  // == treats −0 and +0 alike
    }
    for (int k = -70000; k <= 70000; ++k) {
        const float x = static_cast<float>(k) + 0.5f;
        ASSERT_EQ(roundHalfEven(x), std::nearbyint(x)) << x;
    }
    EXPECT_EQ(roundHalfEven(4194304.5f), 4194304.0f);  // 2^22 + 0.5: nearbyint branch
    EXPECT_EQ(roundHalfEven(4194305.5f), 4194306.0f);
    EXPECT_TRUE(std::isnan(roundHalfEven(NAN)));
    EXPECT_EQ(roundHalfEven(INFINITY), INFINITY);
}

// ONNX QuantizeLinear computes fl32(x / s) with a float32 scale. s = fl32(5/255) =
// 5/255 + 19/27380416512 (exact, by rational arithmetic), so −2.5/s = −127.4999955…, whose float32
// rounding is −127.49999237 — not a tie — and rounds to −127. With the exact 5/255 (or a double
// scale of 5/255) the quotient is exactly −127.5, a tie that rounds to even: −128.
TEST(Quantizer, OnnxFloat32TieCase) {
    const float s = 5.0f / 255.0f;
    EXPECT_EQ(-2.5f / s, -127.49999237060547f);
    QuantScheme full = scheme(Symmetry::Symmetric);
    full.fullRange = true;
    const Quantizer q(full, SliceParams{s, 0, {}});
    EXPECT_EQ(q.quantize(-2.5f), -127);
    EXPECT_EQ(std::nearbyint(-2.5 / (5.0 / 255.0)), -128.0);  // double arithmetic differs
}

TEST(Quantizer, SaturationAtBothEnds) {
    const Quantizer q(scheme(Symmetry::Symmetric), SliceParams{1.0f, 0, {}});
    bool clipped = false;
    EXPECT_EQ(q.quantize(200.0f, clipped), 127);
    EXPECT_TRUE(clipped);
    EXPECT_EQ(q.quantize(-200.0f, clipped), -127);
    EXPECT_TRUE(clipped);
    EXPECT_EQ(q.quantize(127.4f, clipped), 127);  // rounds to 127: not clipped
    EXPECT_FALSE(clipped);
    EXPECT_EQ(q.quantize(127.5f, clipped), 127);  // tie → 128 → saturates
    EXPECT_TRUE(clipped);
    EXPECT_EQ(q.quantize(-127.5f, clipped), -127);
    EXPECT_TRUE(clipped);
    EXPECT_EQ(q.quantize(3e38f), 127);            // no int32 overflow
    EXPECT_EQ(q.quantize(INFINITY), 127);
    EXPECT_EQ(q.quantize(-INFINITY), -127);
    EXPECT_EQ(q.quantize(NAN), 0);                // NaN → zero point
    // Asymmetric, z = 10: codes clamp at 0 and 255.
    const Quantizer a(scheme(Symmetry::Asymmetric), SliceParams{1.0f, 10, {}});
    EXPECT_EQ(a.quantize(-20.0f, clipped), 0);
    EXPECT_TRUE(clipped);
    EXPECT_EQ(a.quantize(-10.0f, clipped), 0);
    EXPECT_FALSE(clipped);
    EXPECT_EQ(a.quantize(245.0f), 255);
    EXPECT_EQ(a.quantize(246.0f), 255);
    EXPECT_EQ(a.quantize(NAN), 10);
    EXPECT_EQ(a.dequantize(0), -10.0f);
    // 4-bit symmetric: ±7.
    const Quantizer f(scheme(Symmetry::Symmetric, 4), SliceParams{0.5f, 0, {}});
    EXPECT_EQ(f.quantize(3.4f), 7);
    EXPECT_EQ(f.quantize(-3.6f), -7);
}

TEST(Quantizer, PyTorchUsesReciprocal) {
    // s = 0.1f: x·fl32(1/s) and x/s differ for some x; ATen's quantize_val multiplies.
    const auto s = scheme(Symmetry::Symmetric, 8, Convention::PyTorch);
    const Quantizer q(s, SliceParams{0.1f, 0, {}});
    const float inv = 1.0f / 0.1f;
    int differing = 0;
    for (int i = -1000; i <= 1000; ++i) {
        const float x = static_cast<float>(i) * 0.05f;
        const float viaMul = std::nearbyint(x * inv), viaDiv = std::nearbyint(x / 0.1f);
        const int32_t expected = static_cast<int32_t>(std::clamp(viaMul, -128.0f, 127.0f));
        ASSERT_EQ(q.quantize(x), expected) << x;
        differing += viaMul != viaDiv;
    }
    EXPECT_EQ(q.qmin(), -128);
    (void)differing;  // the point is that we follow the multiplication, whichever way it goes
}

TEST(Quantizer, TensorRtZeroAmaxGivesZeros) {
    const auto s = scheme(Symmetry::Symmetric, 8, Convention::TensorRT);
    const auto p = paramsFromRange(s, {-1e-9, 1e-9});
    const Quantizer q(s, p);
    for (float x : {1e-9f, -1e-9f, 1.0f, -1000.0f, 3e37f}) {
        EXPECT_EQ(q.quantize(x), 0) << x;
        EXPECT_EQ(q.fakeQuantize(x), 0.0f) << x;
    }
}

TEST(Quantizer, InvalidScaleFallsBack) {
    const Quantizer q(scheme(Symmetry::Symmetric), SliceParams{0.0f, 0, {}});
    EXPECT_EQ(q.quantize(3.0f), 3);  // scale 0 → 1
    const Quantizer n(scheme(Symmetry::Symmetric), SliceParams{NAN, 0, {}});
    EXPECT_EQ(n.quantize(-5.0f), -5);
}

TEST(Quantizer, LevelsAndBoundaries) {
    const Quantizer q(scheme(Symmetry::Symmetric, 2), SliceParams{0.5f, 0, {}});
    EXPECT_EQ(q.levels(), (std::vector<float>{-0.5f, 0.0f, 0.5f}));
    EXPECT_EQ(q.boundaries(), (std::vector<float>{-0.25f, 0.25f}));
    const Quantizer a(scheme(Symmetry::Asymmetric, 2), SliceParams{1.0f, 1, {}});
    EXPECT_EQ(a.levels(), (std::vector<float>{-1, 0, 1, 2}));
    EXPECT_EQ(a.boundaries(), (std::vector<float>{-0.5f, 0.5f, 1.5f}));
}

// 2×4 matrix M = [[1, −2, 4, 0.25], [0.5, 8, −1, −3]], int8 symmetric, ranges given by hand.
//  axis 0: amax rows 4, 8 → s = 4/127, 8/127:
//    row 0: 1·127/4 = 31.75 → 32; −2 → −63.5·(1+δ) → −64; 4 → 127; 0.25 → 7.94 → 8
//    row 1: 0.5·127/8 = 7.94 → 8; 8 → 127; −1 → −15.875 → −16; −3 → −47.6 → −48
//  axis 1: amax cols 1, 8, 4, 3:
//    col 0: 1 → 127, 0.5 → 63.5·(1+δ) = 63.500002 (fl32(1/127) < 1/127) → 64
//    col 1: −2 → −31.75 → −32, 8 → 127; col 2: 4 → 127, −1 → −31.75 → −32; col 3: 0.25 → 10.58 → 11, −3 → −127
//  groups of 3 along the last axis: slices [1,−2,4] (4), [0.25] (0.25), [0.5,8,−1] (8), [−3] (3):
//    32, −64, 127 | 127 | 8, 127, −16 | −127
TEST(QuantizeSpan, PerChannelAndPerGroup) {
    const std::vector<float> m = {1, -2, 4, 0.25f, 0.5f, 8, -1, -3};
    const std::vector<int64_t> shape = {2, 4};
    auto run = [&](QuantScheme s, std::vector<ClipRange> ranges) {
        const auto layout = SliceLayout::make(s, shape);
        EXPECT_EQ(layout.slices, ranges.size());
        const auto params = paramsFromRanges(s, ranges);
        std::vector<int32_t> codes(m.size());
        std::vector<float> deq(m.size());
        quantizeSpan(params, layout, 0, m, codes, deq);
        for (size_t i = 0; i < m.size(); ++i) {
            const auto& sp = params.slices[layout.sliceOf(i)];
            EXPECT_EQ(deq[i], sp.scale * static_cast<float>(codes[i]));
        }
        return codes;
    };
    QuantScheme s = scheme(Symmetry::Symmetric);
    s.granularity = Granularity::PerChannel;
    s.axis = 0;
    EXPECT_EQ(run(s, {{-4, 4}, {-8, 8}}), (std::vector<int32_t>{32, -64, 127, 8, 8, 127, -16, -48}));
    s.axis = 1;
    EXPECT_EQ(run(s, {{0, 1}, {-2, 8}, {-1, 4}, {-3, 0.25}}), (std::vector<int32_t>{127, -32, 127, 11, 64, 127, -32, -127}));
    s.axis = -1;
    EXPECT_EQ(run(s, {{0, 1}, {-2, 8}, {-1, 4}, {-3, 0.25}}), (std::vector<int32_t>{127, -32, 127, 11, 64, 127, -32, -127}));
    QuantScheme g = scheme(Symmetry::Symmetric);
    g.granularity = Granularity::PerGroup;
    g.groupSize = 3;
    EXPECT_EQ(run(g, {{-2, 4}, {0, 0.25}, {-1, 8}, {-3, 0}}), (std::vector<int32_t>{32, -64, 127, 127, 8, 127, -16, -127}));

    // A span starting mid-tensor (flat index 5) picks the right slices.
    const auto layout = SliceLayout::make(s, shape);  // per-channel, last axis
    const auto params = paramsFromRanges(s, {{0, 1}, {-2, 8}, {-1, 4}, {-3, 0.25}});
    std::vector<int32_t> codes(3);
    quantizeSpan(params, layout, 5, std::span<const float>(m).subspan(5), codes, {});
    EXPECT_EQ(codes, (std::vector<int32_t>{127, -32, -127}));
}

}  // namespace
}  // namespace qv
