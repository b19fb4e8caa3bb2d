// FineHistogram: key edges, value order, re-binning and quantiles on values with exact answers.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <vector>

#include "core/stats/fine_histogram.h"

namespace qv {
namespace {

TEST(FineHistogram, KeyEdges) {
    float lo, hi;
    // 1.0 = 0x3F800000 → key 0x3F800: [1, 1 + 2^−11)
    FineHistogram::keyEdges(FineHistogram::keyOf(1.0f), lo, hi);
    EXPECT_EQ(lo, 1.0f);
    EXPECT_EQ(hi, 1.0f + 0x1p-11f);
    // −1.0 mirrors: (−(1 + 2^−11), −1]
    FineHistogram::keyEdges(FineHistogram::keyOf(-1.0f), lo, hi);
    EXPECT_EQ(lo, -1.0f - 0x1p-11f);
    EXPECT_EQ(hi, -1.0f);
    // 3.0 = 1.5·2: bin [3, 3 + 2^−10)
    FineHistogram::keyEdges(FineHistogram::keyOf(3.0f), lo, hi);
    EXPECT_EQ(lo, 3.0f);
    EXPECT_EQ(hi, 3.0f + 0x1p-10f);
    // The top finite bin ends at FLT_MAX, not Inf.
    FineHistogram::keyEdges(FineHistogram::keyOf(FLT_MAX), lo, hi);
    EXPECT_EQ(hi, FLT_MAX);
    EXPECT_FALSE(FineHistogram::keyIsFinite(FineHistogram::keyOf(INFINITY)));
    EXPECT_FALSE(FineHistogram::keyIsFinite(FineHistogram::keyOf(-NAN)));
    EXPECT_TRUE(FineHistogram::keyIsFinite(FineHistogram::keyOf(-FLT_MAX)));
}

TEST(FineHistogram, ValueOrderAndNonFinite) {
    const std::vector<float> v = {3, -1, 0, -5, 2, NAN, INFINITY, -INFINITY, -1, 1e-3f};
    const auto h = FineHistogram::fromValues(v.data(), v.size());
    EXPECT_EQ(h.total(), 7u);  // NaN/±Inf excluded
    const auto& b = h.bins();
    ASSERT_EQ(b.size(), 6u);  // −5, −1 (×2), 0, 1e−3, 2, 3
    for (size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1].lo, b[i].lo);
    EXPECT_EQ(b[1].count, 2u);
    EXPECT_EQ(b[1].hi, -1.0f);
    // fromDenseCounts gives the same bins.
    std::vector<uint64_t> dense(FineHistogram::kKeys, 0);
    for (float x : v) ++dense[FineHistogram::keyOf(x)];
    const auto d = FineHistogram::fromDenseCounts(dense);
    ASSERT_EQ(d.bins().size(), b.size());
    for (size_t i = 0; i < b.size(); ++i) {
        EXPECT_EQ(d.bins()[i].lo, b[i].lo);
        EXPECT_EQ(d.bins()[i].count, b[i].count);
    }
    EXPECT_EQ(d.total(), 7u);
}

// Integers 0..1023 once each: every integer < 2048 sits at the lower edge of its fine bin, and the
// bin (width ≤ 2^9·2^−11 = 0.25) lies inside [k, k+1), so re-binning to unit bins is exact.
TEST(FineHistogram, RebinUniformIntegers) {
    std::vector<float> v;
    for (int k = 0; k < 1024; ++k) v.push_back(static_cast<float>(k));
    const auto h = FineHistogram::fromValues(v.data(), v.size());
    const auto unit = h.rebin(0, 1024, 1024);
    for (size_t i = 0; i < unit.size(); ++i) ASSERT_DOUBLE_EQ(unit[i], 1.0) << i;
    const auto pairs = h.rebin(0, 1024, 512);
    for (double c : pairs) ASSERT_DOUBLE_EQ(c, 2.0);
    // Values outside [lo, hi]: clamped into the end bins, or dropped.
    const auto mid = h.rebin(100, 200, 100, true);
    EXPECT_DOUBLE_EQ(mid.front(), 101.0);  // 0..100
    EXPECT_DOUBLE_EQ(mid.back(), 1024.0 - 199.0);  // 199..1023
    const auto dropped = h.rebin(100, 200, 100, false);
    EXPECT_DOUBLE_EQ(dropped.front(), 1.0);
    EXPECT_DOUBLE_EQ(dropped.back(), 1.0);
}

// A fine bin wider than the target bins is spread uniformly: 1024 = 2^10 has bin width 2^−1,
// so re-binning [1024, 1025) into 4 bins gives ½ in each of the first two.
TEST(FineHistogram, RebinSpreadsWideBins) {
    const float x = 1024.0f;
    const auto h = FineHistogram::fromValues(&x, 1);
    const auto r = h.rebin(1024, 1025, 4);
    EXPECT_DOUBLE_EQ(r[0], 0.5);
    EXPECT_DOUBLE_EQ(r[1], 0.5);
    EXPECT_DOUBLE_EQ(r[2], 0.0);
    EXPECT_DOUBLE_EQ(r[3], 0.0);
    // Degenerate target range: everything in bin 0.
    EXPECT_DOUBLE_EQ(h.rebin(3, 3, 5)[0], 1.0);
    EXPECT_TRUE(h.rebin(0, 1, 0).empty());
}

// ±k for k = 1..100 over |x| in [0, 100] with 100 bins: magnitude k falls in bin k (k ≤ 99),
// the two 100s are clamped into the last bin, so bin 0 = 0, bins 1..98 = 2, bin 99 = 2 + 2.
TEST(FineHistogram, RebinAbs) {
    std::vector<float> v;
    for (int k = 1; k <= 100; ++k) {
        v.push_back(static_cast<float>(k));
        v.push_back(static_cast<float>(-k));
    }
    const auto h = FineHistogram::fromValues(v.data(), v.size());
    const auto r = h.rebinAbs(100, 100);
    EXPECT_DOUBLE_EQ(r[0], 0.0);
    for (size_t i = 1; i < 99; ++i) ASSERT_DOUBLE_EQ(r[i], 2.0) << i;
    EXPECT_DOUBLE_EQ(r[99], 4.0);
    EXPECT_DOUBLE_EQ(h.rebinAbs(100, 100, false)[99], 2.0);
}

TEST(FineHistogram, CountBelowAndQuantile) {
    std::vector<float> v;
    for (int k = 0; k < 1024; ++k) v.push_back(static_cast<float>(k));
    const auto h = FineHistogram::fromValues(v.data(), v.size());
    EXPECT_DOUBLE_EQ(h.countBelow(-1), 0.0);
    EXPECT_DOUBLE_EQ(h.countBelow(512), 512.0);   // 0..511
    EXPECT_DOUBLE_EQ(h.countBelow(100.5), 101.0); // 0..100 (bin of 100 ends at 100 + 2^−5)
    EXPECT_DOUBLE_EQ(h.countBelow(5000), 1024.0);
    // Interpolated inside a bin: 512's bin is [512, 512.25): at 512.125 half of it is below.
    EXPECT_DOUBLE_EQ(h.countBelow(512.125), 512.5);
    // quantile(q): the value below which q·1024 values lie. 256 values are below the upper edge
    // of 255's bin [255, 255 + 2^−4): 255.0625.
    EXPECT_DOUBLE_EQ(h.quantile(0.25), 255.0625);
    EXPECT_DOUBLE_EQ(h.quantile(0.0), 0.0);
    EXPECT_DOUBLE_EQ(h.quantile(1.0), 1023.0 + 0.25);
    // Half of 512's bin: target 512.5 → 512 + ½·0.25.
    EXPECT_DOUBLE_EQ(h.quantile(512.5 / 1024.0), 512.125);
    // Round trip: countBelow(quantile(q)) = q·N.
    for (double q : {0.1, 0.37, 0.5, 0.9, 0.999}) EXPECT_NEAR(h.countBelow(h.quantile(q)), q * 1024, 1e-9);
}

TEST(FineHistogram, EmptyAndSumOver) {
    const FineHistogram e;
    EXPECT_TRUE(e.empty());
    EXPECT_DOUBLE_EQ(e.quantile(0.5), 0.0);
    EXPECT_DOUBLE_EQ(e.countBelow(1), 0.0);
    EXPECT_EQ(e.rebin(0, 1, 4), std::vector<double>(4, 0.0));
    const std::vector<float> v = {1, 2, 2};
    const auto h = FineHistogram::fromValues(v.data(), v.size());
    // Σ count·centre: 1 + 2^−12 and 2·(2 + 2^−11)
    EXPECT_DOUBLE_EQ(h.sumOver([](double c) { return c; }), 1 + 0x1p-12 + 2 * (2 + 0x1p-11));
}

}  // namespace
}  // namespace qv
