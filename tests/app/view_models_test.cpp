// View-model tests: exact pixel columns, bucket edges, envelopes, tables — values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "app/panels/model_browser.h"
#include "app/views/bucket_view.h"
#include "app/views/envelope.h"
#include "app/views/heatmap_view.h"
#include "app/views/histogram_view.h"
#include "app/views/metrics_table.h"
#include "app/widgets/plot.h"
#include "app_test_support.h"
#include "core/formats/model_file.h"
#include "core/quant/quantizer.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

QuantScheme sym(int bits) {
    QuantScheme s;
    s.bits = bits;
    return s;
}

TEST(BucketView, SaturationRangeIsTheGridsEndLevelsNotTheCalibratorsRange) {
    // Symmetric 8-bit from [−1, 4]: amax 4, s = 4/127, z = 0: the grid ends at ±127·s = ±4.
    SliceParams p = paramsFromRange(sym(8), {-1.0, 4.0});
    ClipRange r = saturationRange(sym(8), p);
    EXPECT_FLOAT_EQ(float(r.lo), -4.0f);
    EXPECT_FLOAT_EQ(float(r.hi), 4.0f);
    // Asymmetric 8-bit from [0.5, 2]: widened to include 0, s = 2/255, z = 0: values in [0, 0.5) are
    // representable, so the shading starts at 0, not at the calibrator's 0.5.
    QuantScheme asym = sym(8);
    asym.symmetry = Symmetry::Asymmetric;
    p = paramsFromRange(asym, {0.5, 2.0});
    r = saturationRange(asym, p);
    EXPECT_EQ(r.lo, 0.0);
    EXPECT_FLOAT_EQ(float(r.hi), 2.0f);
    // An all-zero tensor: range [0, 0] gives scale 1 (the degenerate-range fallback), so nothing
    // within ±127 is clipped — the whole plot is not a clipped tail.
    p = paramsFromRange(sym(8), {0.0, 0.0});
    r = saturationRange(sym(8), p);
    EXPECT_EQ(p.scale, 1.0f);
    EXPECT_EQ(r.lo, -127.0);
    EXPECT_EQ(r.hi, 127.0);
}

TEST(BucketView, SymmetricLevelsAndBoundariesInView) {
    // 8-bit restricted symmetric, s = 0.5, z = 0: levels 0.5·q; boundaries 0.5·(q + ½).
    SliceParams p{0.5f, 0, {-63.5, 63.5}};
    BucketLines b = bucketLines(sym(8), p, -1.1, 1.1, 100);
    EXPECT_FALSE(b.dense);
    EXPECT_NEAR(b.pixelsPerBucket, 0.5 / 2.2 * 100, 1e-9);
    EXPECT_EQ(b.levels, (std::vector<double>{-1.0, -0.5, 0.0, 0.5, 1.0}));
    EXPECT_EQ(b.levelCodes, (std::vector<int32_t>{-2, -1, 0, 1, 2}));
    EXPECT_EQ(b.boundaries, (std::vector<double>{-0.75, -0.25, 0.25, 0.75}));
    EXPECT_DOUBLE_EQ(b.lowest, -63.5);
    EXPECT_DOUBLE_EQ(b.highest, 63.5);
}

TEST(BucketView, DenseGridIsSummarized) {
    SliceParams p{0.5f, 0, {-63.5, 63.5}};
    BucketLines b = bucketLines(sym(8), p, -1.1, 1.1, 10);  // 2.27 px per bucket < 6
    EXPECT_TRUE(b.dense);
    EXPECT_TRUE(b.levels.empty());
    EXPECT_TRUE(b.boundaries.empty());
}

TEST(BucketView, AsymmetricWithZeroPointStopsAtTheEndCodes) {
    // 2-bit asymmetric: codes 0..3, s = 1, z = 1 → levels −1, 0, 1, 2; boundaries −0.5, 0.5, 1.5.
    QuantScheme s = sym(2);
    s.symmetry = Symmetry::Asymmetric;
    SliceParams p{1.0f, 1, {-1, 2}};
    BucketLines b = bucketLines(s, p, -5, 5, 100);
    EXPECT_EQ(b.levels, (std::vector<double>{-1, 0, 1, 2}));
    EXPECT_EQ(b.levelCodes, (std::vector<int32_t>{0, 1, 2, 3}));
    EXPECT_EQ(b.boundaries, (std::vector<double>{-0.5, 0.5, 1.5}));
}

TEST(Envelope, PointsFallIntoTheirColumnsAndOutliersSurvive) {
    std::vector<double> xs{0.1, 0.2, 0.9, 1.5, 0.3}, ys{1, 5, 3, 7, 1000};
    Envelope e = envelopeOf(xs, ys, 0.0, 1.0, 2);
    ASSERT_EQ(e.pixels(), 2);
    EXPECT_EQ(e.has[0], 1);
    EXPECT_EQ(e.lo[0], 1);
    EXPECT_EQ(e.hi[0], 1000);  // the single outlier is kept, never decimated away
    EXPECT_EQ(e.lo[1], 3);
    EXPECT_EQ(e.hi[1], 3);     // x = 1.5 is outside the view
}

TEST(Envelope, SeriesVisitsOnlyVisibleIndices) {
    std::vector<double> ys{1, 2, 3, 4, 5, 6};
    Envelope e = envelopeOfSeries(ys, 0.0, 1.0, 0.0, 6.0, 3);
    EXPECT_EQ(e.lo, (std::vector<double>{1, 3, 5}));
    EXPECT_EQ(e.hi, (std::vector<double>{2, 4, 6}));
    Envelope z = envelopeOfSeries(ys, 0.0, 1.0, 2.5, 3.5, 1);
    EXPECT_EQ(z.lo[0], 4);  // only x = 3
    EXPECT_EQ(z.hi[0], 4);
}

TEST(Envelope, ErrorSawtoothAndClippingRampsAreExact) {
    // 2-bit restricted symmetric: codes −1..1, s = 1 → levels −1, 0, 1, boundaries ±0.5.
    QuantScheme s = sym(2);
    SliceParams p{1.0f, 0, {-1, 1}};
    Quantizer q(s, p);
    Envelope e = errorEnvelope(q, 1.0f, -2.0, 2.0, 4);
    // [−2,−1): e(−2) = −1 − (−2) = 1, e(−1) = 0, no boundary → [0, 1] (the clipping ramp).
    EXPECT_DOUBLE_EQ(e.lo[0], 0);
    EXPECT_DOUBLE_EQ(e.hi[0], 1);
    // [−1, 0) and [0, 1): one boundary each → the full sawtooth ±s/2.
    EXPECT_DOUBLE_EQ(e.lo[1], -0.5);
    EXPECT_DOUBLE_EQ(e.hi[1], 0.5);
    EXPECT_DOUBLE_EQ(e.lo[2], -0.5);
    EXPECT_DOUBLE_EQ(e.hi[2], 0.5);
    // [1, 2]: e(1) = 0, e(2) = 1 − 2 = −1.
    EXPECT_DOUBLE_EQ(e.lo[3], -1);
    EXPECT_DOUBLE_EQ(e.hi[3], 0);
}

TEST(HistogramView, RebinsToPixelColumns) {
    // 0.25 and 0.75 are exact binary fractions; fine bins there are 2^-13 wide, far inside a column.
    std::vector<float> v{0.25f, 0.25f, 0.25f, 0.75f};
    FineHistogram h = FineHistogram::fromValues(v.data(), v.size());
    HistogramColumns c = histogramColumns(h, 0.0, 1.0, 2);
    ASSERT_EQ(c.counts.size(), 2u);
    EXPECT_NEAR(c.counts[0], 3.0, 1e-9);
    EXPECT_NEAR(c.counts[1], 1.0, 1e-9);
    EXPECT_NEAR(c.maxCount, 3.0, 1e-9);
    HistogramColumns right = histogramColumns(h, 0.5, 1.0, 4);  // 0.25s are outside: dropped
    double sum = 0;
    for (double x : right.counts) sum += x;
    EXPECT_NEAR(sum, 1.0, 1e-9);
    EXPECT_NEAR(right.counts[2], 1.0, 1e-9);  // 0.75 lies in [0.75, 0.875)
}

TEST(HistogramView, FitRangePadsAndHandlesDegenerateData) {
    double lo, hi;
    histogramFitRange(0, 10, true, lo, hi);
    EXPECT_DOUBLE_EQ(lo, -0.2);
    EXPECT_DOUBLE_EQ(hi, 10.2);
    histogramFitRange(3, 3, true, lo, hi);
    EXPECT_DOUBLE_EQ(lo, 2.5);
    EXPECT_DOUBLE_EQ(hi, 3.5);
    histogramFitRange(0, 0, false, lo, hi);
    EXPECT_DOUBLE_EQ(lo, -1);
    EXPECT_DOUBLE_EQ(hi, 1);
}

TEST(Plot, NiceTickSteps) {
    EXPECT_DOUBLE_EQ(plot::niceStep(10, 5), 2);
    EXPECT_DOUBLE_EQ(plot::niceStep(1, 4), 0.2);    // raw 0.25 → 2·10^-1
    EXPECT_DOUBLE_EQ(plot::niceStep(7, 7), 1);
    EXPECT_DOUBLE_EQ(plot::niceStep(300, 3), 100);
    EXPECT_NEAR(plot::niceStep(0.012, 2), 0.005, 1e-15);  // raw 0.006 → 5·10^-3
    EXPECT_NEAR(plot::niceStep(0.006, 2), 0.002, 1e-15);  // raw 0.003 → 2·10^-3 (3 < 3.5)
}

TEST(MetricsTable, BestPerColumn) {
    MetricsTable t;
    t.columns = {{"mse", -1}, {"sqnr_db", +1}, {"scale", 0}};
    t.rows = {"minmax", "percentile:99.9", "mse"};
    t.values = {{4.0, 10.0, 0.5}, {2.0, 12.0, 0.25}, {1.0, 11.0, NAN}};
    t.exact = {true, false, true};
    rankBest(t);
    EXPECT_EQ(t.best, (std::vector<int>{2, 1, -1}));
    // CSV / JSON of the calibrator table: app/export (tests/app/export_table_test.cpp).
}

TEST(HeatmapView, ParallelBandsGiveTheSameAnswerAsOneThreadAndTheHandValues) {
    // 1100 × 1000 = 1.1M elements: three bands of 524 rows (kBandElements = 2^19 over 1000 columns),
    // so the band seams and the per-worker columns/top-k are exercised. Values are multiples of 0.05 in
    // [−1, 1] with two outliers (−9 at (1000, 17), 6 at (3, 999)) and a NaN at (600, 0); 4-bit symmetric
    // with s = 0.5 (clip ±3.5): −9 → −3.5 (error +5.5), 6 → 3.5 (error −2.5), others |e| ≤ 0.25.
    const int64_t rows = 1100, cols = 1000;
    std::vector<float> v(size_t(rows * cols));
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) v[size_t(r * cols + c)] = float((r * 7 + c * 3) % 41 - 20) * 0.05f;
    v[size_t(1000 * cols + 17)] = -9.0f;
    v[size_t(3 * cols + 999)] = 6.0f;
    v[size_t(600 * cols)] = NAN;
    MatrixLayout L = matrixLayout({rows, cols}, NdMode::Reshape, {});
    QuantScheme s = sym(4);
    HeatmapQuant q{s, QuantParams{s, {paramsFromRange(s, {-3.5, 3.5})}}, SliceLayout::make(s, {rows, cols})};
    ASSERT_EQ(q.params.slices[0].scale, 0.5f);
    auto one = buildHeatmapData(v.data(), L, q, 1);
    auto two = buildHeatmapData(v.data(), L, q, 2);

    for (const auto& d : {one, two}) {
        ASSERT_EQ(d->top.size(), HeatmapData::kTopK);
        EXPECT_EQ(d->top[0].index, uint64_t(1000 * cols + 17));
        EXPECT_EQ(d->top[0].value, -9.0f);
        EXPECT_EQ(d->top[0].error, 5.5f);
        EXPECT_EQ(d->top[1].index, uint64_t(3 * cols + 999));
        EXPECT_EQ(d->top[1].error, -2.5f);
        // Then |x| = 1 (code ±2, exact): the earliest flat indices first among equal |x|.
        EXPECT_EQ(std::fabs(d->top[2].value), 1.0f);
        EXPECT_EQ(d->rowMin[1000], -9.0f);
        EXPECT_EQ(d->rowMax[3], 6.0f);
        EXPECT_EQ(d->colMin[17], -9.0f);
        EXPECT_EQ(d->colMax[999], 6.0f);
        EXPECT_EQ(d->colMax[0], 1.0f);  // the NaN in column 0 is skipped, not propagated
        EXPECT_EQ(d->pyramid.absMax, 9.0f);
        EXPECT_EQ(d->pyramid.errAbsMax, 5.5f);
    }
    // Σe² from the definition, element by element.
    Quantizer aq(s, q.params.slices[0]);
    double sum = 0;
    for (float x : v)
        if (std::isfinite(x)) sum += double(aq.fakeQuantize(x) - x) * double(aq.fakeQuantize(x) - x);
    EXPECT_NEAR(one->sumSqError, sum, 1e-9 * sum);
    // Independent of the thread count, bit for bit.
    EXPECT_EQ(one->sumSqError, two->sumSqError);
    for (size_t i = 0; i < one->top.size(); ++i) EXPECT_EQ(one->top[i].index, two->top[i].index);
    EXPECT_EQ(one->rowMin, two->rowMin);
    EXPECT_EQ(one->colMax, two->colMax);
    ASSERT_EQ(one->pyramid.levels.size(), two->pyramid.levels.size());
    for (size_t k = 0; k < one->pyramid.levels.size(); ++k) {
        EXPECT_EQ(one->pyramid.levels[k].vmax, two->pyramid.levels[k].vmax);
        EXPECT_EQ(one->pyramid.levels[k].emin, two->pyramid.levels[k].emin);
        EXPECT_EQ(one->pyramid.levels[k].clipped, two->pyramid.levels[k].clipped);
    }
    // Streamed from a file (the job's path: the next band is prepared while the pyramid takes this one)
    // the answer is the same; a cancelled job stops with "cancelled" and leaves no band in flight.
    std::string path = test::tempPath("heatmap-bands.npy");
    test::writeNpyF32(path, {rows, cols}, v);
    auto model = openModel(path);
    ASSERT_TRUE(model) << model.message();
    auto streamed = buildHeatmapData(model.value()->view(0), L, q, nullptr, 2);
    ASSERT_TRUE(streamed) << streamed.message();
    EXPECT_EQ(streamed.value()->sumSqError, one->sumSqError);
    EXPECT_EQ(streamed.value()->colMin, one->colMin);
    EXPECT_EQ(streamed.value()->top[0].index, one->top[0].index);
    EXPECT_EQ(streamed.value()->pyramid.levels[0].vmin, one->pyramid.levels[0].vmin);
    Progress cancelled;
    cancelled.cancel();
    auto stopped = buildHeatmapData(model.value()->view(0), L, q, &cancelled, 2);
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.message(), "cancelled");
    int64_t r, c;
    heatmapShape({8, 3, 5}, r, c);
    EXPECT_EQ(r, 8);
    EXPECT_EQ(c, 15);
    heatmapShape({7}, r, c);
    EXPECT_EQ(r, 1);
    EXPECT_EQ(c, 7);
}

TEST(ModelBrowser, FilterMatchesEveryWordCaseInsensitively) {
    EXPECT_TRUE(tensorNameMatches("layers.0.attention.wq.weight", ""));
    EXPECT_TRUE(tensorNameMatches("layers.0.attention.wq.weight", "attention WQ"));
    EXPECT_FALSE(tensorNameMatches("layers.0.attention.wq.weight", "attention wk"));
    EXPECT_FALSE(tensorNameMatches("layers.0.ffn_norm.weight", "attn"));
}

}  // namespace
}  // namespace qv
