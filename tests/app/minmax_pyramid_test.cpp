// MinMaxPyramid, heatmap colours and the heatmap data pass: exact extremes per cell, outliers surviving
// to the top, odd sizes, matrix layouts of N-D tensors, top-k error shares.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "app/views/bucket_view.h"
#include "app/views/heatmap_colormap.h"
#include "app/views/heatmap_view.h"
#include "app/views/minmax_pyramid.h"
#include "core/quant/quantizer.h"

namespace qv {
namespace {

TEST(MinMaxPyramid, SingleOutlierSurvivesToTheTopLevel) {
    // 300 × 500 of small values with one 1000 at (257, 411): every level's cell holding it shows it.
    const int64_t R = 300, C = 500;
    std::vector<float> v(size_t(R * C));
    for (int64_t i = 0; i < R * C; ++i) v[size_t(i)] = 0.01f * float((i * 7919) % 201 - 100) / 100.0f;
    v[size_t(257 * C + 411)] = 1000.0f;
    MinMaxPyramid p = buildMinMaxPyramid(v.data(), R, C);
    ASSERT_EQ(p.firstLevel, 0);
    // ceil(300/2^k), ceil(500/2^k) down to 1 × 1: k = 0..9 (2^9 = 512 ≥ 500).
    ASSERT_EQ(p.levels.size(), 10u);
    EXPECT_EQ(p.levels.back().rows, 1);
    EXPECT_EQ(p.levels.back().cols, 1);
    for (int k = 0; k <= p.topLevel(); ++k) {
        const PyramidLevel& l = p.level(k);
        EXPECT_EQ(l.vmax[l.index(257 >> k, 411 >> k)], 1000.0f) << "level " << k;
    }
    EXPECT_EQ(p.absMax, 1000.0f);
    EXPECT_EQ(p.level(p.topLevel()).vmin[0], -0.01f);
}

TEST(MinMaxPyramid, RowsFedInAnyOrderFromTwoThreadsGiveTheSamePyramid) {
    // 70 × 90 with a 300-cell budget: ceil(70/2^k)·ceil(90/2^k) ≤ 300 first at k = 3 (9 × 12 = 108; k = 2:
    // 18 × 23 = 414), so a cell row is 8 matrix rows. Two threads each take alternate runs of 8 rows,
    // last run first; min/max do not depend on the order, so every level equals the sequential build.
    const int64_t R = 70, C = 90;
    std::vector<float> v(size_t(R * C)), e(size_t(R * C));
    std::vector<uint8_t> cl(size_t(R * C));
    for (int64_t i = 0; i < R * C; ++i) {
        v[size_t(i)] = float((i * 7919) % 1001 - 500) / 100.0f;
        e[size_t(i)] = float((i * 104729) % 201 - 100) / 1000.0f;
        cl[size_t(i)] = uint8_t(i % 97 == 0);
    }
    v[size_t(13 * C + 5)] = NAN;
    v[size_t(69 * C + 89)] = -INFINITY;
    MinMaxPyramid sequential = buildMinMaxPyramid(v.data(), R, C, e.data(), cl.data(), 300);
    ASSERT_EQ(sequential.firstLevel, 3);
    PyramidBuilder b(R, C, 300);
    ASSERT_EQ(b.rowsPerCell(), 8);
    PyramidExtremes ext[2];
    auto feed = [&](int t) {
        for (int64_t run = (R + 7) / 8 - 1; run >= 0; --run)
            if (run % 2 == t)
                for (int64_t r = std::min(R, run * 8 + 8) - 1; r >= run * 8; --r)
                    b.addRow(r, v.data() + r * C, e.data() + r * C, cl.data() + r * C, ext[t]);
    };
    std::thread other(feed, 1);
    feed(0);
    other.join();
    ext[0].merge(ext[1]);
    MinMaxPyramid parallel = b.finish(ext[0]);
    EXPECT_EQ(parallel.absMax, sequential.absMax);
    EXPECT_EQ(parallel.errAbsMax, sequential.errAbsMax);
    ASSERT_EQ(parallel.levels.size(), sequential.levels.size());
    for (size_t k = 0; k < parallel.levels.size(); ++k) {
        EXPECT_EQ(parallel.levels[k].vmin, sequential.levels[k].vmin) << "level " << k;
        EXPECT_EQ(parallel.levels[k].vmax, sequential.levels[k].vmax) << "level " << k;
        EXPECT_EQ(parallel.levels[k].emin, sequential.levels[k].emin) << "level " << k;
        EXPECT_EQ(parallel.levels[k].emax, sequential.levels[k].emax) << "level " << k;
        EXPECT_EQ(parallel.levels[k].clipped, sequential.levels[k].clipped) << "level " << k;
        EXPECT_EQ(parallel.levels[k].empty, sequential.levels[k].empty) << "level " << k;
    }
    // The values themselves, worked out: absMax is the largest finite |x| = 5.00 (i·7919 mod 1001 = 1000
    // for some i: 7919 and 1001 are coprime), and -inf stays out of the last cell.
    EXPECT_EQ(sequential.absMax, 5.0f);
    EXPECT_EQ(sequential.errAbsMax, 0.1f);
    const PyramidLevel& f = sequential.levels[0];
    float lo = INFINITY;
    for (int64_t r = 64; r < 70; ++r)
        for (int64_t c = 88; c < 90; ++c)
            if (std::isfinite(v[size_t(r * C + c)])) lo = std::min(lo, v[size_t(r * C + c)]);
    EXPECT_EQ(f.vmin[f.index(8, 11)], lo);
}

TEST(MinMaxPyramid, ExactMinMaxPerCellOnAHandBuiltMatrix) {
    // 4 × 4:
    //   1  -2 |  3   4
    //   5   6 | -7   8
    //   ------+-------
    //   9  10 | 11  12
    //  13 -14 | 15  NaN
    const float nan = std::nanf("");
    std::vector<float> v = {1, -2, 3, 4, 5, 6, -7, 8, 9, 10, 11, 12, 13, -14, 15, nan};
    std::vector<float> e(16, 0.0f);
    e[1] = -0.5f;
    e[6] = 0.25f;
    std::vector<uint8_t> cl(16, 0);
    cl[13] = 1;
    MinMaxPyramid p = buildMinMaxPyramid(v.data(), 4, 4, e.data(), cl.data());
    ASSERT_EQ(p.levels.size(), 3u);
    const PyramidLevel& l1 = p.level(1);
    ASSERT_EQ(l1.rows, 2);
    ASSERT_EQ(l1.cols, 2);
    EXPECT_EQ(l1.vmin, (std::vector<float>{-2, -7, -14, 11}));
    EXPECT_EQ(l1.vmax, (std::vector<float>{6, 8, 13, 15}));  // NaN ignored
    EXPECT_EQ(l1.emin, (std::vector<float>{-0.5f, 0, 0, 0}));
    EXPECT_EQ(l1.emax, (std::vector<float>{0, 0.25f, 0, 0}));
    EXPECT_EQ(l1.clipped, (std::vector<uint8_t>{0, 0, 1, 0}));
    const PyramidLevel& l2 = p.level(2);
    EXPECT_EQ(l2.vmin[0], -14.0f);
    EXPECT_EQ(l2.vmax[0], 15.0f);
    EXPECT_EQ(l2.clipped[0], 1);
    // Level 0: the NaN cell is empty, shown as 0.
    EXPECT_EQ(p.level(0).empty[15], 1);
    EXPECT_EQ(p.level(0).vmax[15], 0.0f);
    EXPECT_EQ(p.errAbsMax, 0.5f);
}

TEST(MinMaxPyramid, OddSizes) {
    // 5 × 3, value = 10·r + c: levels 5×3 → 3×2 → 2×1 → 1×1.
    std::vector<float> v;
    for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 3; ++c) v.push_back(float(10 * r + c));
    MinMaxPyramid p = buildMinMaxPyramid(v.data(), 5, 3);
    ASSERT_EQ(p.levels.size(), 4u);
    EXPECT_EQ(p.level(1).rows, 3);
    EXPECT_EQ(p.level(1).cols, 2);
    // Cell (2, 1) of level 1 holds only element (4, 2) = 42.
    EXPECT_EQ(p.level(1).vmin[p.level(1).index(2, 1)], 42.0f);
    EXPECT_EQ(p.level(1).vmax[p.level(1).index(2, 1)], 42.0f);
    // Level 2 cell (1, 0): rows 4..4, columns 0..2 → 40..42.
    EXPECT_EQ(p.level(2).rows, 2);
    EXPECT_EQ(p.level(2).cols, 1);
    EXPECT_EQ(p.level(2).vmin[1], 40.0f);
    EXPECT_EQ(p.level(2).vmax[1], 42.0f);
    EXPECT_EQ(p.level(3).vmin[0], 0.0f);
    EXPECT_EQ(p.level(3).vmax[0], 42.0f);
    // 1 × 1 matrix: one level.
    float one = -3;
    MinMaxPyramid q = buildMinMaxPyramid(&one, 1, 1);
    ASSERT_EQ(q.levels.size(), 1u);
    EXPECT_EQ(q.level(0).vmin[0], -3.0f);
}

TEST(MinMaxPyramid, LargeMatricesStartAtACoarserStoredLevel) {
    // 64 × 64 with at most 300 stored cells: level 0 (4096) and 1 (1024) skipped, level 2 = 16 × 16.
    std::vector<float> v(64 * 64, 0.0f);
    v[size_t(63 * 64 + 1)] = -9;
    MinMaxPyramid p = buildMinMaxPyramid(v.data(), 64, 64, nullptr, nullptr, 300);
    EXPECT_EQ(p.firstLevel, 2);
    EXPECT_EQ(p.level(2).rows, 16);
    EXPECT_EQ(p.level(2).vmin[p.level(2).index(15, 0)], -9.0f);
    EXPECT_EQ(p.levelFor(1.0), 2);    // finer levels are not stored
    EXPECT_EQ(p.levelFor(8.0), 3);    // 2^3 elements per pixel
    EXPECT_EQ(p.levelFor(1e9), 6);    // top (1 × 1)
}

TEST(HeatmapColormap, EndpointsAndCentre) {
    EXPECT_EQ(divergingColor(0.0f), packRgba(28, 28, 36));
    EXPECT_EQ(divergingColor(1.0f), packRgba(255, 90, 40));
    EXPECT_EQ(divergingColor(-1.0f), packRgba(40, 120, 255));
    EXPECT_EQ(divergingColor(5.0f), divergingColor(1.0f));  // clamped
    // Halfway to +1: (28 + 227/2, 28 + 62/2, 36 + 4/2) rounded = (142, 59, 38).
    EXPECT_EQ(divergingColor(0.5f), packRgba(142, 59, 38));
    EXPECT_EQ(sequentialColor(0.0f), packRgba(18, 18, 40));
    EXPECT_EQ(sequentialColor(1.0f), packRgba(250, 235, 90));
    EXPECT_EQ(sequentialColor(1.0f / 3.0f), packRgba(90, 40, 150));
    // IM_COL32 layout: R in the low byte.
    EXPECT_EQ(packRgba(1, 2, 3, 4), 0x04030201u);
}

TEST(HeatmapColormap, CellColoursFollowTheMode) {
    std::vector<float> v = {-4, 1, 0.25f, -1};  // 2 × 2
    std::vector<float> e = {0.5f, 0, 0, -0.125f};
    std::vector<uint8_t> cl = {1, 0, 0, 0};
    MinMaxPyramid p = buildMinMaxPyramid(v.data(), 2, 2, e.data(), cl.data());
    const PyramidLevel& l0 = p.level(0);
    // Value: −4 / absMax 4 → −1 → blue end; 1/4 → sqrt = 0.5 → halfway to red.
    EXPECT_EQ(cellColor(l0, 0, HeatmapMode::Value, p.absMax, p.errAbsMax), divergingColor(-1));
    EXPECT_EQ(cellColor(l0, 1, HeatmapMode::Value, p.absMax, p.errAbsMax), divergingColor(0.5f));
    EXPECT_EQ(cellColor(l0, 0, HeatmapMode::AbsValue, p.absMax, p.errAbsMax), sequentialColor(1));
    // Error: 0.5 is the max → +1; −0.125/0.5 = −0.25 → sqrt → −0.5.
    EXPECT_EQ(cellColor(l0, 0, HeatmapMode::Error, p.absMax, p.errAbsMax), divergingColor(1));
    EXPECT_EQ(cellColor(l0, 3, HeatmapMode::Error, p.absMax, p.errAbsMax), divergingColor(-0.5f));
    EXPECT_EQ(cellColor(l0, 0, HeatmapMode::Clipped, p.absMax, p.errAbsMax), kClippedColor);
    EXPECT_NE(cellColor(l0, 1, HeatmapMode::Clipped, p.absMax, p.errAbsMax), kClippedColor);
    // Level 1 (one cell) in value mode shows the larger-magnitude extreme −4.
    EXPECT_EQ(cellColor(p.level(1), 0, HeatmapMode::Value, p.absMax, p.errAbsMax), divergingColor(-1));
    std::vector<uint32_t> tex;
    renderLevelWindow(l0, 1, 0, 5, 5, HeatmapMode::Value, p.absMax, p.errAbsMax, tex);  // clamped to 1 × 2
    ASSERT_EQ(tex.size(), 2u);
    EXPECT_EQ(tex[1], divergingColor(-0.5f));  // −1/4 → sqrt → −0.5
}

TEST(HeatmapData, LayoutsOfNdTensors) {
    // Conv weight [O=4, I=3, kh=2, kw=5]: reshape as the layer uses it → [4, 30].
    MatrixLayout m = matrixLayout({4, 3, 2, 5}, NdMode::Reshape, {});
    EXPECT_EQ(m.rows, 4);
    EXPECT_EQ(m.cols, 30);
    EXPECT_EQ(m.offset, 0u);
    // Slice (o=2, i=1) → [2, 5] starting at flat (2·3 + 1)·10 = 70.
    m = matrixLayout({4, 3, 2, 5}, NdMode::Slice, {2, 1});
    EXPECT_EQ(m.rows, 2);
    EXPECT_EQ(m.cols, 5);
    EXPECT_EQ(m.offset, 70u);
    // Out-of-range indices are clamped: (3, 2) → (3·3 + 2)·10 = 110.
    EXPECT_EQ(matrixLayout({4, 3, 2, 5}, NdMode::Slice, {9, 7}).offset, 110u);
    EXPECT_EQ(matrixLayout({6, 7}, NdMode::Slice, {}).rows, 6);
}

TEST(HeatmapData, RangesTopKAndErrorShares) {
    // 2 × 4, int2 symmetric restricted (codes −1..1), per tensor, scale 1: x̂ = clamp(round(x), −1, 1).
    std::vector<float> v = {0.25f, -3.0f, 0.5f, 1.0f, 0.0f, 0.75f, 2.0f, -0.5f};
    MatrixLayout L{2, 4, 0};
    QuantScheme s;
    s.bits = 2;
    HeatmapQuant q{s, QuantParams{s, {SliceParams{1.0f, 0, ClipRange{-1, 1}}}}, SliceLayout::make(s, {2, 4})};
    auto d = buildHeatmapData(v.data(), L, q);
    EXPECT_EQ(d->rowMin, (std::vector<float>{-3, -0.5f}));
    EXPECT_EQ(d->rowMax, (std::vector<float>{1, 2}));
    EXPECT_EQ(d->colMin, (std::vector<float>{0, -3, 0.5f, -0.5f}));
    EXPECT_EQ(d->colMax, (std::vector<float>{0.25f, 0.75f, 2, 1}));
    // Errors: 0.25→0 (−0.25), −3→−1 (+2, clipped), 0.5→0 (ties to even: −0.5), 1→1 (0),
    //         0→0, 0.75→1 (+0.25), 2→1 (−1, clipped), −0.5→−0 (+0.5). Σe² = 0.0625+4+0.25+0+0+0.0625+1+0.25.
    EXPECT_DOUBLE_EQ(d->sumSqError, 5.625);
    ASSERT_EQ(d->top.size(), 8u);
    EXPECT_EQ(d->top[0].value, -3.0f);
    EXPECT_EQ(d->top[0].row, 0);
    EXPECT_EQ(d->top[0].col, 1);
    EXPECT_EQ(d->top[0].error, 2.0f);
    EXPECT_EQ(d->top[1].value, 2.0f);
    EXPECT_EQ(d->top[1].index, 6u);
    EXPECT_EQ(d->top[1].error, -1.0f);
    EXPECT_EQ(d->pyramid.level(0).clipped, (std::vector<uint8_t>{0, 1, 0, 0, 0, 0, 1, 0}));
    EXPECT_EQ(d->pyramid.level(1).emin[1], -1.0f);  // columns 2..3: errors −0.5, 0, −1, +0.5
    EXPECT_EQ(d->pyramid.level(1).emax[1], 0.5f);
}

TEST(HeatmapData, OutlierChannelsByRange) {
    // Ranges 1, 1, 1, 10, 2: median 1, factor 4 → only channel 3.
    std::vector<float> lo = {0, -1, 0, -5, 0}, hi = {1, 0, 1, 5, 2};
    EXPECT_EQ(outlierChannels(lo, hi, 4.0), (std::vector<int64_t>{3}));
    EXPECT_EQ(outlierChannels(lo, hi, 1.5), (std::vector<int64_t>{3, 4}));
    EXPECT_TRUE(outlierChannels({0, 0}, {0, 0}, 4.0).empty());  // constant: median 0, nothing flagged
}

TEST(BoundaryHits, ValuesExactlyOnADecisionBoundary) {
    // int8 symmetric, s = 0.5, z = 0: x/s = 0.5 (0.25, twice), 1.5 (0.75), −0.5 (−0.25) are ties;
    // 0.3 is not; 63.75 → 127.5 lies beyond the last boundary (saturates either way); 1000 clips.
    QuantScheme s;
    SliceParams p{0.5f, 0, ClipRange{-63.5f, 63.5f}};
    std::vector<float> v = {0.25f, 0.75f, -0.25f, 0.3f, 0.25f, 1000.0f, 63.75f, std::nanf("")};
    BoundaryHits h = boundaryHits(s, p, v);
    EXPECT_EQ(h.examined, 8u);
    EXPECT_EQ(h.total, 4u);
    ASSERT_EQ(h.hits.size(), 3u);
    EXPECT_EQ(h.hits[0].codeBelow, -1);
    EXPECT_EQ(h.hits[0].boundary, -0.25);
    EXPECT_EQ(h.hits[0].count, 1u);
    EXPECT_EQ(h.hits[1].codeBelow, 0);
    EXPECT_EQ(h.hits[1].boundary, 0.25);
    EXPECT_EQ(h.hits[1].count, 2u);
    EXPECT_EQ(h.hits[2].codeBelow, 1);
    EXPECT_EQ(h.hits[2].count, 1u);
    // Each tie goes to the even code, as the quantizer does: 0.25 → 0, 0.75 → 2, −0.25 → 0.
    Quantizer q(s, p);
    EXPECT_EQ(q.quantize(0.25f), 0);
    EXPECT_EQ(q.quantize(0.75f), 2);
    EXPECT_EQ(q.quantize(-0.25f), 0);
    // Asymmetric with a zero point: s = 1, z = 3 (uint8): x = 0.5 → x/s = 0.5 → boundary between
    // codes 3 and 4.
    QuantScheme a;
    a.symmetry = Symmetry::Asymmetric;
    BoundaryHits ha = boundaryHits(a, SliceParams{1.0f, 3, ClipRange{-3, 252}}, std::vector<float>{0.5f, -3.5f});
    // −3.5: x/s = −3.5 is a tie between codes −1 and 0 (−4 + 3), below qmin = 0: saturates, not counted.
    ASSERT_EQ(ha.hits.size(), 1u);
    EXPECT_EQ(ha.hits[0].codeBelow, 3);
}

TEST(HeatmapColormap, ResampledPixelsTakeTheExtremesOfTheCellsTheyCover) {
    // 4 × 6 level-0 cells, value = 0 except −5 at (3, 4) and 2 at (0, 0); a 2 × 2 picture with 3 columns
    // and 2 rows per pixel: pixel (1, 1) covers rows 2..3, columns 3..5 → holds −5.
    std::vector<float> v(24, 0.0f);
    v[3 * 6 + 4] = -5;
    v[0] = 2;
    MinMaxPyramid p = buildMinMaxPyramid(v.data(), 4, 6);
    std::vector<uint32_t> tex;
    renderResampled(p.level(0), 0, 0, 0, 2.0, 3.0, 2, 2, HeatmapMode::Value, p.absMax, p.errAbsMax, tex);
    ASSERT_EQ(tex.size(), 4u);
    EXPECT_EQ(tex[3], divergingColor(-1));
    EXPECT_EQ(tex[0], divergingColor(std::sqrt(2.0f / 5.0f)));
    EXPECT_EQ(tex[1], divergingColor(0));
    EXPECT_EQ(tex[2], divergingColor(0));
    // The same from level 1 (2 × 2 blocks): pixel columns 0..2 and 3..5 touch block columns 0..1 and 1..2,
    // so the −5 (block (1, 2)) shows only in pixel (1, 1), the 2 (block (0, 0)) only in pixel (0, 0).
    renderResampled(p.level(1), 1, 0, 0, 2.0, 3.0, 2, 2, HeatmapMode::Value, p.absMax, p.errAbsMax, tex);
    EXPECT_EQ(tex[3], divergingColor(-1));
    EXPECT_EQ(tex[0], divergingColor(std::sqrt(2.0f / 5.0f)));
    EXPECT_EQ(tex[2], divergingColor(0));
}

}  // namespace
}  // namespace qv
