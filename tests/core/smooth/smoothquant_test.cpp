// SmoothQuant's factors (arXiv 2211.10438 §4): s_j by hand, the product identity X'·W'ᵀ = X·Wᵀ with a
// worked rounding bound, the zero-channel rule and the per-channel maxima after smoothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/smooth/smoothquant.h"
#include "smooth_test_layer.h"

namespace qv {
namespace {

// a = max|X_j| = {4, 1, 9}, w = max|W_:,j| = {1, 4, 0.25}; s_j = a_j^α / w_j^(1−α):
//   α = 0.5: √4/√1 = 2, √1/√4 = 0.5, √9/√0.25 = 3/0.5 = 6
//   α = 0:   1/w = 1, 0.25, 4            (not "no smoothing": the weights' columns go to max 1)
//   α = 1:   a   = 4, 1, 9               (the activations' columns go to max 1)
TEST(SmoothingFactors, ByHand) {
    const std::vector<float> a = {4, 1, 9}, w = {1, 4, 0.25f};
    const std::vector<float> half = smoothingFactors(a, w, 0.5);
    ASSERT_EQ(half.size(), 3u);
    EXPECT_FLOAT_EQ(half[0], 2.0f);
    EXPECT_FLOAT_EQ(half[1], 0.5f);
    EXPECT_FLOAT_EQ(half[2], 6.0f);
    const std::vector<float> zero = smoothingFactors(a, w, 0.0);
    EXPECT_FLOAT_EQ(zero[0], 1.0f);
    EXPECT_FLOAT_EQ(zero[1], 0.25f);
    EXPECT_FLOAT_EQ(zero[2], 4.0f);
    const std::vector<float> one = smoothingFactors(a, w, 1.0);
    EXPECT_FLOAT_EQ(one[0], 4.0f);
    EXPECT_FLOAT_EQ(one[1], 1.0f);
    EXPECT_FLOAT_EQ(one[2], 9.0f);
    // At α = 0.5 both sides get √(a·w): 2, 2, 1.5 — X' maxima a/s and W' maxima w·s.
    const std::vector<float> aAfter = smoothAbsMax(a, half);
    EXPECT_FLOAT_EQ(aAfter[0], 2.0f);
    EXPECT_FLOAT_EQ(aAfter[1], 2.0f);
    EXPECT_FLOAT_EQ(aAfter[2], 1.5f);
}

// The rule: a channel whose activations or weights are all zero (or whose max is not finite) gets s = 1,
// at every α. Such a channel adds nothing to Y, so s = 1 keeps the other side exactly as it was.
TEST(SmoothingFactors, AllZeroChannelGetsOne) {
    const std::vector<float> a = {0, 2, 0, 3, INFINITY}, w = {3, 0, 0, 3, 1};
    for (double alpha : {0.0, 0.5, 1.0}) {
        const std::vector<float> s = smoothingFactors(a, w, alpha);
        EXPECT_EQ(s[0], 1.0f) << alpha;
        EXPECT_EQ(s[1], 1.0f) << alpha;
        EXPECT_EQ(s[2], 1.0f) << alpha;
        EXPECT_EQ(s[4], 1.0f) << alpha;
        // A normal channel is scaled: 3^α/3^(1−α) = 1/3, 1, 3 at α = 0, 0.5, 1.
        EXPECT_FLOAT_EQ(s[3], alpha == 0.0 ? 1.0f / 3 : alpha == 0.5 ? 1.0f : 3.0f) << alpha;
    }
    // Applied: X's zero column stays 0 and W's column 0 is untouched; column 1 of X (weights zero) is unchanged.
    const std::vector<float> x = {0, 2, -1, 3,   // tokens × C_in = 2 × 4 (channel 0 all zero)
                                  0, -1, 1, 2};
    const std::vector<float> wm = {3, 0, 1, 2,   // C_out × C_in = 2 × 4 (channel 1 all zero)
                                   -1, 0, -1, 3};
    const std::vector<float> ax = columnAbsMax(x, 2, 4), aw = columnAbsMax(wm, 2, 4);
    EXPECT_EQ(ax, (std::vector<float>{0, 2, 1, 3}));
    EXPECT_EQ(aw, (std::vector<float>{3, 0, 1, 3}));
    const std::vector<float> s = smoothingFactors(ax, aw, 0.5);
    EXPECT_EQ(s[0], 1.0f);
    EXPECT_EQ(s[1], 1.0f);
    EXPECT_EQ(s[2], 1.0f);  // √1/√1
    EXPECT_FLOAT_EQ(s[3], 1.0f);  // √3/√3
    const std::vector<float> xs = smoothActivations(x, 2, 4, s), ws = smoothWeights(wm, 2, 4, s);
    EXPECT_EQ(xs[0], 0.0f);
    EXPECT_EQ(xs[1], 2.0f);
    EXPECT_EQ(ws[0], 3.0f);
    EXPECT_EQ(ws[4], -1.0f);
}

// Y' = X'·W'ᵀ against Y = X·Wᵀ. Each product x'·w' = fl(x/s)·fl(w·s) = x·w·(1+δ1)(1+δ2) with |δ| ≤ u = 2^−24
// (one float rounding each), so |Σx'w' − Σxw| ≤ Σ|xw|·(2u + u²). The sums are taken in double, where each
// product of two floats is exact (48 bits) and K additions add at most K·2^−53·Σ|xw| per sum (two sums).
TEST(SmoothQuant, ProductUnchangedWithinRounding) {
    const test::PlantedLayer L = test::plantedOutlierLayer();
    const std::vector<float> a = columnAbsMax(L.x, L.tokens, L.cIn), w = columnAbsMax(L.w, L.cOut, L.cIn);
    for (double alpha : {0.0, 0.3, 0.5, 0.85, 1.0}) {
        const std::vector<float> s = smoothingFactors(a, w, alpha);
        const std::vector<float> xs = smoothActivations(L.x, L.tokens, L.cIn, s);
        const std::vector<float> ws = smoothWeights(L.w, L.cOut, L.cIn, s);
        const double u = 0x1p-24;
        double worst = 0;  // largest |Y' − Y| / bound
        for (int64_t t = 0; t < L.tokens; ++t)
            for (int64_t o = 0; o < L.cOut; ++o) {
                double y = 0, ys = 0, mag = 0;
                for (int64_t k = 0; k < L.cIn; ++k) {
                    const double p = double(L.x[size_t(t * L.cIn + k)]) * L.w[size_t(o * L.cIn + k)];
                    y += p;
                    mag += std::fabs(p);
                    ys += double(xs[size_t(t * L.cIn + k)]) * ws[size_t(o * L.cIn + k)];
                }
                const double bound = mag * (2 * u + u * u) + 2.0 * double(L.cIn) * 0x1p-53 * mag * 1.01;
                worst = std::max(worst, std::fabs(ys - y) / bound);
            }
        EXPECT_LE(worst, 1.0) << "alpha " << alpha;
        EXPECT_GT(worst, 0.0) << "the smoothed operands are really rounded (the check is not vacuous)";
    }
}

// max|X'_j| = a_j / s_j = a_j·w_j^(1−α)/a_j^α = (a_j·w_j)^(1−α), and max|W'_:,j| = w_j·s_j = (a_j·w_j)^α
// (s_j > 0 and float division/multiplication are monotone, so the max moves with the column).
// Measured on the smoothed matrices themselves; s_j, the division and pow each round once (≤ 2^−24
// relative), so a relative tolerance of 4·2^−24 holds.
TEST(SmoothQuant, ChannelMaximaAfterSmoothing) {
    const test::PlantedLayer L = test::plantedOutlierLayer();
    const std::vector<float> a = columnAbsMax(L.x, L.tokens, L.cIn), w = columnAbsMax(L.w, L.cOut, L.cIn);
    for (double alpha : {0.0, 0.25, 0.5, 0.75, 1.0}) {
        const std::vector<float> s = smoothingFactors(a, w, alpha);
        const std::vector<float> ax = columnAbsMax(smoothActivations(L.x, L.tokens, L.cIn, s), L.tokens, L.cIn);
        const std::vector<float> aw = columnAbsMax(smoothWeights(L.w, L.cOut, L.cIn, s), L.cOut, L.cIn);
        for (int64_t j = 0; j < L.cIn; ++j) {
            const double p = double(a[size_t(j)]) * w[size_t(j)];
            const double wantX = std::pow(p, 1 - alpha), wantW = std::pow(p, alpha);
            EXPECT_NEAR(ax[size_t(j)], wantX, wantX * 4 * 0x1p-24) << "X channel " << j << " alpha " << alpha;
            EXPECT_NEAR(aw[size_t(j)], wantW, wantW * 4 * 0x1p-24) << "W channel " << j << " alpha " << alpha;
        }
        // smoothAbsMax (what the panel draws without the matrix) is the same number.
        const std::vector<float> viaVector = smoothAbsMax(a, s);
        for (int64_t j = 0; j < L.cIn; ++j) EXPECT_EQ(viaVector[size_t(j)], ax[size_t(j)]) << j;
    }
    // The planted outliers: channel 7 (×60) has the largest activation max before smoothing.
    EXPECT_EQ(std::max_element(a.begin(), a.end()) - a.begin(), 7);
}

}  // namespace
}  // namespace qv
