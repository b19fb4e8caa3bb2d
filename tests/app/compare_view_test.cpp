// Compare view-models and jobs: share rebinning, code grids on the value axis, A/B metric lines, one
// tensor of two files (hand-worked and against the core's stored-quantization comparison on real GGUF
// twins), and the overview sweep's exact SQNR — values worked out by hand or from the definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "app/app_state.h"
#include "app/views/compare_view.h"
#include "app_test_support.h"
#include "core/calib/calibrator.h"
#include "core/formats/stored_quant.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

TEST(CompareView, RebinSharesSplitsBinsByOverlap) {
    // Counts {1, 3} over [0, 2]: shares 0.25 on [0, 1) and 0.75 on [1, 2).
    const std::vector<double> counts{1, 3};
    auto four = rebinShares(counts, 0, 2, 0, 2, 4);
    ASSERT_EQ(four.size(), 4u);
    EXPECT_DOUBLE_EQ(four[0], 0.125);
    EXPECT_DOUBLE_EQ(four[1], 0.125);
    EXPECT_DOUBLE_EQ(four[2], 0.375);
    EXPECT_DOUBLE_EQ(four[3], 0.375);
    // View [0.5, 1.5] in two columns: half of each bin is inside; the rest is dropped.
    auto zoomed = rebinShares(counts, 0, 2, 0.5, 1.5, 2);
    EXPECT_DOUBLE_EQ(zoomed[0], 0.125);
    EXPECT_DOUBLE_EQ(zoomed[1], 0.375);
    // A column wider than a bin collects whole bins: [0, 2] in one column = all of it.
    EXPECT_DOUBLE_EQ(rebinShares(counts, 0, 2, -1, 3, 1)[0], 1.0);
    EXPECT_DOUBLE_EQ(rebinShares({}, 0, 2, 0, 2, 3)[1], 0.0);
}

TEST(CompareView, LevelBarsPutCodesAtTheirValues) {
    // 2-bit symmetric restricted: codes −1, 0, 1; s = 0.5 → levels −0.5, 0, 0.5. Counts {2, 0, 6}.
    QuantScheme s;
    s.bits = 2;
    SliceParams p{0.5f, 0, {-0.75, 0.75}};
    ASSERT_EQ(s.qmin(), -1);
    std::vector<uint64_t> codes{2, 0, 6};
    LevelBars b = levelBars(s, p, codes);
    EXPECT_EQ(b.used, 2u);
    EXPECT_EQ(b.available, 3u);
    EXPECT_EQ(b.width, 0.5);
    EXPECT_EQ(b.x, (std::vector<double>{-0.5, 0.5}));
    EXPECT_EQ(b.share, (std::vector<double>{0.25, 0.75}));
    // Buckets: code −1 spans [−0.75, −0.25] (its end side mirrored), code 1 [0.25, 0.75].
    EXPECT_EQ(b.lo, (std::vector<double>{-0.75, 0.25}));
    EXPECT_EQ(b.hi, (std::vector<double>{-0.25, 0.75}));
}

TEST(CompareView, LevelBarsOfALevelFormatSpanUnequalBuckets) {
    // FP4 E2M1 at scale 1: levels −6 −4 −3 −2 −1.5 −1 −0.5 0 0.5 1 1.5 2 3 4 6. Values on 0.5 (index 8),
    // 3 (index 12) and 6 (index 14): buckets [0.25, 0.75], [2.5, 3.5] and [5, 7] (the end one mirrored).
    QuantScheme s;
    s.format = NumberFormat::Fp4E2M1;
    const SliceParams p = paramsFromRange(s, {-6.0, 6.0});
    std::vector<uint64_t> codes(15, 0);
    codes[8] = 1;
    codes[12] = 2;
    codes[14] = 1;
    const LevelBars b = levelBars(s, p, codes);
    EXPECT_EQ(b.x, (std::vector<double>{0.5, 3, 6}));
    EXPECT_EQ(b.lo, (std::vector<double>{0.25, 2.5, 5}));
    EXPECT_EQ(b.hi, (std::vector<double>{0.75, 3.5, 7}));
    EXPECT_EQ(b.share, (std::vector<double>{0.25, 0.5, 0.25}));
}

TEST(CompareView, MetricLinesHoldTheDifferenceAndTheBetterSide) {
    ErrorStats a, b;
    a.mse = 4;
    b.mse = 1;
    a.sqnrDb = 10;
    b.sqnrDb = 16;
    a.cosine = b.cosine = 0.99;
    a.maxAbsError = 1;
    b.maxAbsError = 2;
    a.codesUsed = 15;
    b.codesUsed = 200;
    auto m = compareMetrics({-1, 1}, a, {-0.5, 0.5}, b);
    auto find = [&](const std::string& n) {
        for (const auto& x : m)
            if (x.name == n) return x;
        ADD_FAILURE() << "no line " << n;
        return CompareMetric{};
    };
    EXPECT_EQ(find("MSE").diff, -3.0);
    EXPECT_EQ(find("MSE").better, +1);          // lower MSE: B
    EXPECT_EQ(find("SQNR dB").diff, 6.0);
    EXPECT_EQ(find("SQNR dB").better, +1);      // higher SQNR: B
    EXPECT_EQ(find("max |e|").better, -1);  // lower max error: A
    EXPECT_EQ(find("cosine").better, 0);        // a tie
    EXPECT_EQ(find("clip hi").diff, -0.5);
    EXPECT_EQ(find("clip hi").better, 0);       // no "better" for a clip end
    EXPECT_EQ(find("codes used").diff, 185.0);
    EXPECT_EQ(find("codes used").better, 0);
}

std::shared_ptr<const ModelFile> openNpy(const std::string& name, const std::vector<int64_t>& shape,
                                         const std::vector<float>& v) {
    std::string path = test::tempPath(name);
    test::writeNpyF32(path, shape, v);
    auto r = openModel(path);
    EXPECT_TRUE(r) << r.message();
    return r ? r.value() : nullptr;
}

TEST(CompareView, TwoFilesElementByElementByHand) {
    // A = {1, 2, 3, 4, NaN, 0}, B = {1, 2.5, 2, 4, 1, 0} ([1, 6]: a leading 1 still matches [6]).
    // Finite pairs: 5 (index 4 skipped). d = B − A = {0, 0.5, −1, 0, 0}: Σd² = 1.25, Σx_A² = 30,
    // Σx_A·x_B = 28, Σx_B² = 27.25.
    auto a = openNpy("cmp-a.npy", {6}, {1, 2, 3, 4, NAN, 0});
    auto b = openNpy("cmp-b.npy", {1, 6}, {1, 2.5f, 2, 4, 1, 0});
    ASSERT_TRUE(a && b);
    auto r = compareTensorFiles(a->view(0), b->view(0));
    ASSERT_TRUE(r) << r.message();
    const FileComparison& c = r.value();
    EXPECT_EQ(c.count, 5u);
    EXPECT_EQ(c.skipped, 1u);
    EXPECT_EQ(c.equal, 3u);
    EXPECT_DOUBLE_EQ(c.stats.mse, 0.25);
    EXPECT_NEAR(c.stats.sqnrDb, 10 * std::log10(30 / 1.25), 1e-12);
    EXPECT_NEAR(c.relativeRms, std::sqrt(1.25 / 30), 1e-15);
    EXPECT_DOUBLE_EQ(c.stats.maxAbsError, 1.0);
    EXPECT_NEAR(c.stats.meanAbsError, 0.3, 1e-15);
    EXPECT_NEAR(c.meanDiff, -0.1, 1e-15);
    EXPECT_NEAR(c.stats.cosine, 28 / std::sqrt(30 * 27.25), 1e-12);
    EXPECT_EQ(c.lo, 0.0);
    EXPECT_EQ(c.hi, 4.0);
    // 256 bins of width 1/64 over [0, 4]: 0 → bin 0, 1 → 64, 2 → 128, 3 → 192, 4 → the last bin.
    ASSERT_EQ(c.histA.size(), 256u);
    EXPECT_EQ(c.histA[0], 1.0);
    EXPECT_EQ(c.histA[64], 1.0);
    EXPECT_EQ(c.histA[128], 1.0);
    EXPECT_EQ(c.histA[192], 1.0);
    EXPECT_EQ(c.histA[255], 1.0);
    EXPECT_EQ(std::accumulate(c.histA.begin(), c.histA.end(), 0.0), 5.0);
    EXPECT_EQ(c.histB[160], 1.0);  // 2.5
    EXPECT_EQ(c.histB[128], 1.0);  // 2
    // Differences over ±1: 0 → bin 128 (three of them), 0.5 → 192, −1 → 0.
    EXPECT_EQ(c.dHi, 1.0);
    EXPECT_EQ(c.histDiff[128], 3.0);
    EXPECT_EQ(c.histDiff[192], 1.0);
    EXPECT_EQ(c.histDiff[0], 1.0);
    // B as the signal: the same errors over Σx_B² = 27.25; the cosine is symmetric.
    auto sb = compareTensorFiles(a->view(0), b->view(0), nullptr, 0, true);
    ASSERT_TRUE(sb);
    EXPECT_TRUE(sb.value().signalIsB);
    EXPECT_NEAR(sb.value().stats.sqnrDb, 10 * std::log10(27.25 / 1.25), 1e-12);
    EXPECT_NEAR(sb.value().relativeRms, std::sqrt(1.25 / 27.25), 1e-15);
    EXPECT_DOUBLE_EQ(sb.value().stats.mse, 0.25);
    EXPECT_NEAR(sb.value().stats.cosine, c.stats.cosine, 1e-15);
    EXPECT_EQ(sb.value().histDiff, c.histDiff);  // still x_B − x_A
    // Threads do not change the answer.
    auto one = compareTensorFiles(a->view(0), b->view(0), nullptr, 1);
    ASSERT_TRUE(one);
    EXPECT_EQ(one.value().histDiff, c.histDiff);
    EXPECT_EQ(one.value().stats.mse, c.stats.mse);
}

TEST(CompareView, TwoFilesWithDifferentShapesSayWhich) {
    auto a = openNpy("cmp-s1.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
    auto b = openNpy("cmp-s2.npy", {3, 2}, {1, 2, 3, 4, 5, 6});
    ASSERT_TRUE(a && b);
    auto r = compareTensorFiles(a->view(0), b->view(0));
    ASSERT_FALSE(r);
    EXPECT_NE(r.message().find("[2, 3]"), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("[3, 2]"), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("shapes must agree"), std::string::npos) << r.message();
}

TEST(CompareView, AppStateComparesTheSelectedTensorWithTheSecondFile) {
    // The F32 file open, its Q4_0 twin as the second file: B − A of a Q4_0 tensor is that quantization's
    // error, so the panel's numbers must equal the core's stored-quantization comparison (other code).
    QV_REQUIRE_SHARED_MODEL(f32, "stories260K/stories260K-f32.gguf");
    QV_REQUIRE_SHARED_MODEL(q40, "stories260K/stories260K-q4_0.gguf");
    AppState state;
    ASSERT_TRUE(state.openFile(f32));
    ASSERT_TRUE(state.selectTensorByName("blk.0.attn_q.weight"));
    ASSERT_TRUE(state.openReference(q40));
    state.requestFileComparison();
    state.waitSettled();
    auto c = state.fileComparison();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->error.empty()) << c->error;
    EXPECT_EQ(c->typeA, "f32");
    EXPECT_EQ(c->typeB, "q4_0");
    EXPECT_EQ(c->result.count, 64u * 64u);
    auto model = state.currentDocument()->model;
    auto second = state.reference();
    size_t ia = *model->find("blk.0.attn_q.weight"), ib = *second->find("blk.0.attn_q.weight");
    auto ref = compareStoredTensor(second->view(ib), model->view(ia));
    ASSERT_TRUE(ref);
    EXPECT_NEAR(c->result.relativeRms, ref.value().relativeRms, 1e-12);
    EXPECT_NEAR(c->result.stats.mse, ref.value().mse, 1e-15);
    EXPECT_EQ(c->result.stats.maxAbsError, ref.value().maxAbsError);
    // Q4_0 keeps 16 levels per block of 32: far from identical, but strongly correlated.
    EXPECT_LT(c->result.equal, c->result.count / 4);
    EXPECT_GT(c->result.stats.cosine, 0.99);

    // The stored table works with the quantized side in the second file: x = A (F32), x̂ = B.
    state.requestStoredComparison();
    state.waitSettled();
    auto s = state.storedComparison();
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->error.empty()) << s->error;
    EXPECT_TRUE(s->storedInSecond);
    EXPECT_EQ(s->storedTypeName, "q4_0");
    EXPECT_EQ(s->storedBitsPerWeight, 4.5);
    EXPECT_NEAR(s->file.relativeRms, ref.value().relativeRms, 1e-12);

    // The other way round (the Q4_0 file open, F32 second): the F32 side stays the signal, so the
    // relative RMS is the same quantization error as above.
    AppState reversed;
    ASSERT_TRUE(reversed.openFile(q40));
    ASSERT_TRUE(reversed.selectTensorByName("blk.0.attn_q.weight"));
    ASSERT_TRUE(reversed.openReference(f32));
    reversed.requestFileComparison();
    reversed.waitSettled();
    auto rc = reversed.fileComparison();
    ASSERT_TRUE(rc && rc->error.empty());
    EXPECT_TRUE(rc->result.signalIsB);
    EXPECT_NEAR(rc->result.relativeRms, ref.value().relativeRms, 1e-12);
    EXPECT_NEAR(rc->result.stats.sqnrDb, ref.value().sqnrDb, 1e-9);

    // A tensor the second file lacks gets a message, not a crash.
    auto other = openNpy("cmp-lonely.npy", {4}, {1, 2, 3, 4});
    ASSERT_TRUE(state.openReference(other->path));
    state.requestFileComparison();
    state.waitSettled();
    c = state.fileComparison();
    ASSERT_TRUE(c);
    EXPECT_NE(c->error.find("is not in the second file"), std::string::npos) << c->error;
}

TEST(CompareView, MovingTheSelectionReplacesARunningFileComparison) {
    // F32 against F16 (plain floats on both sides). Asking for tensor 1 and then tensor 2 before the
    // first job ran: the first is cancelled, the answer is for tensor 2, its F16 rounding error tiny.
    QV_REQUIRE_SHARED_MODEL(f32, "stories260K/stories260K-f32.gguf");
    QV_REQUIRE_SHARED_MODEL(f16, "stories260K/stories260K-f16.gguf");
    AppState state;
    ASSERT_TRUE(state.openFile(f32));
    ASSERT_TRUE(state.openReference(f16));
    state.selectTensor(1);
    state.requestFileComparison();
    state.selectTensor(2);
    state.requestFileComparison();
    state.waitSettled();
    auto c = state.fileComparison();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->tensor, 2u);
    EXPECT_TRUE(c->error.empty()) << c->error;
    EXPECT_EQ(c->typeA, "f32");
    // F16 keeps 11 significant bits: relative rounding error at most 2^-11 per element.
    EXPECT_GT(c->result.count, 0u);
    EXPECT_LE(c->result.relativeRms, std::ldexp(1.0, -11));
}

TEST(OverviewExact, SweepReplacesSampleEstimatesWithTheExactPass) {
    // 200 000 values (more than the 65 536-value sample): a Laplace-like spread with a few outliers,
    // so the sample estimate and the exact pass differ. Every cell ends exact and equals the error of
    // the same parameters measured on all values (measureErrorValues, independent of the sweep's job).
    std::vector<float> v(200000);
    for (size_t i = 0; i < v.size(); ++i) {
        double u = (double(i) + 0.5) / double(v.size());
        double x = u < 0.5 ? std::log(2 * u) : -std::log(2 * (1 - u));
        v[(i * 7919) % v.size()] = float(0.02 * x);
    }
    v[12345] = 1.5f;
    v[54321] = -1.1f;
    std::string path = test::tempPath("overview-exact.npy");
    test::writeNpyF32(path, {400, 500}, v);
    AppState state;
    ASSERT_TRUE(state.openFile(path));
    state.setBits(4);
    state.startSweep();
    state.waitSettled();
    auto o = state.overview();
    ASSERT_TRUE(o);
    ASSERT_EQ(o->rows.size(), 1u);
    EXPECT_EQ(o->exactRows, 1u);
    EXPECT_FALSE(state.sweepProgress());
    const OverviewRow& row = o->rows[0];
    ASSERT_EQ(row.sqnrDb.size(), o->calibrators.size());
    auto sum = state.cachedSummary(state.currentDocument()->id, 0);
    ASSERT_TRUE(sum);
    int differ = 0;
    double best = -INFINITY;
    for (size_t c = 0; c < o->calibrators.size(); ++c) {
        SCOPED_TRACE(o->calibrators[c]);
        EXPECT_EQ(row.sqnrExact[c], 1);
        auto cal = makeCalibrator(o->calibrators[c]);
        ASSERT_TRUE(cal);
        QuantParams p;
        p.scheme = o->scheme;
        p.slices = {paramsFromRange(o->scheme, cal->calibrate(*sum, o->scheme))};
        double exact = measureErrorValues(v, {400, 500}, p).total.sqnrDb;
        EXPECT_NEAR(row.sqnrDb[c], exact, 1e-9);
        differ += std::fabs(estimateOnSample(sum->sample, {}, p, 16).total.sqnrDb - exact) > 1e-6;
        best = std::max(best, exact);
    }
    EXPECT_GT(differ, 0) << "the sample estimate differs from the exact pass for some calibrator";
    ASSERT_GE(row.best, 0);
    EXPECT_NEAR(row.sqnrDb[size_t(row.best)], best, 1e-9);  // the winner (ties within rounding aside)
}

}  // namespace
}  // namespace qv
