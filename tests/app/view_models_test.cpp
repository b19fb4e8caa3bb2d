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
#include "core/quant/quantizer.h"

namespace qv {
namespace {

QuantScheme sym(int bits) {
    QuantScheme s;
    s.bits = bits;
    return s;
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
    AffineQuantizer q(s, p);
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

TEST(MetricsTable, BestPerColumnAndExport) {
    MetricsTable t;
    t.columns = {{"mse", -1}, {"sqnr_db", +1}, {"scale", 0}};
    t.rows = {"minmax", "percentile:99.9", "mse"};
    t.values = {{4.0, 10.0, 0.5}, {2.0, 12.0, 0.25}, {1.0, 11.0, NAN}};
    t.exact = {true, false, true};
    rankBest(t);
    EXPECT_EQ(t.best, (std::vector<int>{2, 1, -1}));
    EXPECT_EQ(toCsv(t), "name,mse,sqnr_db,scale,exact\n"
                        "minmax,4,10,0.5,1\n"
                        "percentile:99.9,2,12,0.25,0\n"
                        "mse,1,11,,1\n");
    EXPECT_EQ(toJson(t), "{\"rows\": [{\"name\": \"minmax\", \"mse\": 4, \"sqnr_db\": 10, \"scale\": 0.5, \"exact\": true}, "
                         "{\"name\": \"percentile:99.9\", \"mse\": 2, \"sqnr_db\": 12, \"scale\": 0.25, \"exact\": false}, "
                         "{\"name\": \"mse\", \"mse\": 1, \"sqnr_db\": 11, \"scale\": null, \"exact\": true}]}\n");
}

TEST(HeatmapView, BlocksKeepTheirExtremesAndOutlierChannelsAreFlagged) {
    // 600 × 4 matrix of 0.1, one outlier 50 at (599, 2), NaN at (0, 0): 600 rows → 3 rows per cell
    // (ceil(600/256)), 200 cell rows; 4 columns → 1 column per cell.
    std::vector<float> v(600 * 4, 0.1f);
    v[599 * 4 + 2] = 50.0f;
    v[0] = NAN;
    HeatmapGrid g = buildHeatmap(v.data(), 600, 4);
    EXPECT_EQ(g.rowsPerCell, 3);
    EXPECT_EQ(g.cellRows, 200);
    EXPECT_EQ(g.cellCols, 4);
    EXPECT_EQ(g.cellMax[size_t(199 * 4 + 2)], 50.0f);  // the outlier survives the reduction
    EXPECT_EQ(g.cellMin[size_t(199 * 4 + 2)], 0.1f);
    EXPECT_EQ(g.cellMin[0], 0.1f);                      // NaN ignored
    EXPECT_EQ(g.absMax, 50.0f);
    EXPECT_EQ(g.outlierRows(), (std::vector<int64_t>{599}));
    EXPECT_EQ(g.outlierCols(), (std::vector<int64_t>{2}));
    int64_t rows, cols;
    heatmapShape({8, 3, 5}, rows, cols);
    EXPECT_EQ(rows, 8);
    EXPECT_EQ(cols, 15);
    heatmapShape({7}, rows, cols);
    EXPECT_EQ(rows, 1);
    EXPECT_EQ(cols, 7);
}

TEST(ModelBrowser, FilterMatchesEveryWordCaseInsensitively) {
    EXPECT_TRUE(tensorNameMatches("layers.0.attention.wq.weight", ""));
    EXPECT_TRUE(tensorNameMatches("layers.0.attention.wq.weight", "attention WQ"));
    EXPECT_FALSE(tensorNameMatches("layers.0.attention.wq.weight", "attention wk"));
    EXPECT_FALSE(tensorNameMatches("layers.0.ffn_norm.weight", "attn"));
}

}  // namespace
}  // namespace qv
