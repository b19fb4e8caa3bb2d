// The number-format control end to end in the app: bucket lines of unequal buckets, ties on a format's
// midpoints, the command-line flags, and AppState's exact pass on FP4 — values worked out by hand.
#include <gtest/gtest.h>

#include <vector>

#include "app/app_options.h"
#include "app/app_state.h"
#include "app/export/table_builders.h"
#include "app/views/bucket_view.h"
#include "app/views/envelope.h"
#include "core/quant/quantizer.h"
#include "app_test_support.h"
#include "core/calib/presets.h"
#include "core/quant/quant_params.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

QuantScheme fp4() {
    QuantScheme s;
    s.format = NumberFormat::Fp4E2M1;
    return s;
}

// FP4 E2M1 levels with scale 1: −6 −4 −3 −2 −1.5 −1 −0.5 0 0.5 1 1.5 2 3 4 6 (codes 0..14).
TEST(NumberFormatBuckets, Fp4AllBucketsWideEnough) {
    const SliceParams p = paramsFromRange(fp4(), {-6.0, 6.0});
    ASSERT_EQ(p.scale, 1.0f);  // amax 6 / max level 6
    // [−7, 7] over 1400 px: 100 px per unit; the narrowest buckets (around 0, ±0.5, ±1, ±1.5) are
    // 0.5 wide = 50 px, so every level and boundary is drawn.
    const BucketLines b = bucketLines(fp4(), p, -7, 7, 1400);
    EXPECT_FALSE(b.dense);
    EXPECT_FALSE(b.hasBand);
    EXPECT_EQ(b.levels, (std::vector<double>{-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6}));
    EXPECT_EQ(b.levelCodes, (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
    EXPECT_EQ(b.boundaries,
              (std::vector<double>{-5, -3.5, -2.5, -1.75, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5}));
    EXPECT_DOUBLE_EQ(b.pixelsPerBucket, 50.0);
    EXPECT_DOUBLE_EQ(b.lowest, -6.0);
    EXPECT_DOUBLE_EQ(b.highest, 6.0);
}

TEST(NumberFormatBuckets, Fp4NarrowMiddleBecomesABand) {
    const SliceParams p = paramsFromRange(fp4(), {-6.0, 6.0});
    // 10 px per unit: the 0.5-wide buckets of −1.5..1.5 are 5 px (< 6): a band from the boundary
    // below −1.5 (−1.75) to the one above 1.5 (1.75); ±2 (0.75 wide = 7.5 px) and beyond keep lines.
    const BucketLines b = bucketLines(fp4(), p, -7, 7, 140);
    EXPECT_FALSE(b.dense);
    ASSERT_TRUE(b.hasBand);
    EXPECT_DOUBLE_EQ(b.bandLo, -1.75);
    EXPECT_DOUBLE_EQ(b.bandHi, 1.75);
    EXPECT_EQ(b.levels, (std::vector<double>{-6, -4, -3, -2, 2, 3, 4, 6}));
    EXPECT_EQ(b.levelCodes, (std::vector<int32_t>{0, 1, 2, 3, 11, 12, 13, 14}));
    EXPECT_EQ(b.boundaries, (std::vector<double>{-5, -3.5, -2.5, 2.5, 3.5, 5}));
    EXPECT_DOUBLE_EQ(b.pixelsPerBucket, 7.5);
}

TEST(NumberFormatBuckets, TiesOnTheFormatsMidpointsAndSaturation) {
    const SliceParams p = paramsFromRange(fp4(), {-3.0, 3.0});  // scale 0.5
    EXPECT_EQ(p.scale, 0.5f);
    const ClipRange sat = saturationRange(fp4(), p);
    EXPECT_EQ(sat.lo, -3.0);
    EXPECT_EQ(sat.hi, 3.0);
    // x/s = −0.25 (midpoint 6, between −0.5 and 0), 0.25 (midpoint 7, twice), 2.5 (midpoint 11, between
    // 2 and 3); 1.2/0.5 = 2.4 and 0.3/0.5 = 0.6 are not midpoints.
    const std::vector<float> values = {-0.125f, 0.125f, 1.25f, 1.2f, 0.3f, 0.125f};
    const BoundaryHits h = boundaryHits(fp4(), p, values);
    ASSERT_EQ(h.hits.size(), 3u);
    EXPECT_EQ(h.hits[0].codeBelow, 6);
    EXPECT_DOUBLE_EQ(h.hits[0].boundary, -0.125);
    EXPECT_EQ(h.hits[1].codeBelow, 7);
    EXPECT_EQ(h.hits[1].count, 2u);
    EXPECT_DOUBLE_EQ(h.hits[1].boundary, 0.125);
    EXPECT_EQ(h.hits[2].codeBelow, 11);
    EXPECT_DOUBLE_EQ(h.hits[2].boundary, 1.25);
    EXPECT_EQ(h.total, 4u);
}

// The error plot's envelope on unequal buckets: FP4 at scale 1 over [2, 6] in 2 columns. Column [2, 4)
// crosses the boundaries 2.5 (gap 2→3) and 3.5 (gap 3→4): e jumps ±0.5; e(2) = 0, e(4) = 0.
// Column [4, 6] crosses 5 (gap 4→6): ±1. A uniform ±s/2 = ±0.5 would miss the ±1.
TEST(NumberFormatBuckets, ErrorEnvelopeUsesEachBoundarysGap) {
    const SliceParams p = paramsFromRange(fp4(), {-6.0, 6.0});
    const Quantizer q(fp4(), p);
    const Envelope e = errorEnvelope(q, p.scale, 2.0, 6.0, 2);
    EXPECT_DOUBLE_EQ(e.lo[0], -0.5);
    EXPECT_DOUBLE_EQ(e.hi[0], 0.5);
    EXPECT_DOUBLE_EQ(e.lo[1], -1.0);
    EXPECT_DOUBLE_EQ(e.hi[1], 1.0);
}

TEST(NumberFormatOptions, FlagAndCompareScheme) {
    std::string error;
    auto o = parseAppOptions({"m.npy", "--number-format", "fp8-e5m2"}, &error);
    ASSERT_TRUE(o) << error;
    EXPECT_EQ(o->format, "fp8-e5m2");
    EXPECT_FALSE(parseAppOptions({"m.npy", "--number-format", "fp16"}, &error));
    EXPECT_NE(error.find("--number-format"), std::string::npos) << error;

    QuantScheme b;
    std::string cal;
    ASSERT_TRUE(parseCompareScheme("fp8-e4m3:minmax", QuantScheme{}, b, cal));
    EXPECT_EQ(b.format, NumberFormat::Fp8E4M3);
    EXPECT_EQ(cal, "minmax");
    ASSERT_TRUE(parseCompareScheme("nf4", QuantScheme{}, b, cal));
    EXPECT_EQ(b.format, NumberFormat::Nf4);
    EXPECT_EQ(cal, "mse");
    // An integer scheme B stays integer even when A uses a level format.
    QuantScheme a;
    a.format = NumberFormat::Fp4E2M1;
    ASSERT_TRUE(parseCompareScheme("6:asym", a, b, cal));
    EXPECT_EQ(b.format, NumberFormat::Int);
    EXPECT_EQ(b.bits, 6);
    EXPECT_FALSE(parseCompareScheme("int", QuantScheme{}, b, cal));  // "int" needs a bit width
}

TEST(NumberFormatOptions, APresetIsAnIntegerScheme) {
    // TensorRT, ONNX Runtime and PyTorch presets are those tools' integer quantization.
    QuantScheme s = fp4();
    s.bits = 8;
    const Preset* trt = findPreset("tensorrt");
    ASSERT_TRUE(trt);
    const QuantScheme t = trt->apply(s);
    EXPECT_EQ(t.format, NumberFormat::Int);
    EXPECT_EQ(t.qmax(), 127);
}

TEST(NumberFormatAppState, ExactPassOnFp4) {
    // amax 6 → scale 1 under FP4 E2M1. By hand (ties to the even bit pattern):
    //   −6 → −6 (e 0)       −5 → −4 (tie; e 1)      −2.5 → −2 (tie; e 0.5)   −0.25 → 0 (tie; e 0.25)
    //    0 → 0              0.3 → 0.5 (e 0.2)       0.75 → 1 (tie; e 0.25)    1.2 → 1 (e −0.2)
    //  2.5 → 2 (tie; −0.5)  3.4 → 3 (e −0.4)        5 → 4 (tie; e −1)         6 → 6
    // Σe² = 1 + 0.25 + 0.0625 + 0.04 + 0.0625 + 0.04 + 0.25 + 0.16 + 1 = 2.865 → MSE 2.865/12;
    // 6 ties; levels used −6 −4 −2 0 0.5 1 2 3 4 6 = 10 of 15; nothing clipped; max |e| 1.
    const std::string path = test::tempPath("fp4.npy");
    test::writeNpyF32(path, {3, 4}, {-6, -5, -2.5f, -0.25f, 0, 0.3f, 0.75f, 1.2f, 2.5f, 3.4f, 5, 6});
    AppState state;
    QuantScheme s = state.scheme();
    s.format = NumberFormat::Fp4E2M1;
    state.setScheme(s);
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    state.waitSettled();
    auto a = state.analysis();
    ASSERT_TRUE(a);
    const CalibRow* row = a->activeRow();
    ASSERT_TRUE(row);
    EXPECT_EQ(row->spec, "minmax");
    EXPECT_EQ(row->params.slices[0].scale, 1.0f);
    ASSERT_TRUE(row->exact);
    const ErrorStats& e = row->exact->total;
    EXPECT_EQ(e.count, 12u);
    EXPECT_NEAR(e.mse, 2.865 / 12, 1e-7);
    EXPECT_DOUBLE_EQ(e.maxAbsError, 1.0);
    EXPECT_EQ(e.clippedCount, 0u);
    EXPECT_EQ(e.codesUsed, 10u);
    EXPECT_EQ(e.codesAvailable, 15u);
    EXPECT_EQ(row->exact->tieCount, 6u);

    // The code-usage export names each level by its E2M1 pattern and value: −6 (0b1111) once, −4 (14)
    // once, −2 (12) once, 0 (0) twice (−0.25 and 0), 0.5 (1) once, 1 (2) twice, 2, 3, 4, 6 once each.
    const ExportTable t = codeUsageExport(*a, "fp4");
    ASSERT_EQ(t.columns, (std::vector<std::string>{"code", "level", "count", "share"}));
    ASSERT_EQ(t.rows.size(), 15u);
    const int64_t pattern[15] = {15, 14, 13, 12, 11, 10, 9, 0, 1, 2, 3, 4, 5, 6, 7};
    const int64_t count[15] = {1, 1, 0, 1, 0, 0, 0, 2, 1, 2, 0, 1, 1, 1, 1};
    for (size_t i = 0; i < 15; ++i) {
        EXPECT_EQ(std::get<int64_t>(t.rows[i][0]), pattern[i]) << i;
        EXPECT_EQ(std::get<int64_t>(t.rows[i][2]), count[i]) << i;
    }
    EXPECT_EQ(std::get<double>(t.rows[0][1]), -6.0);
    EXPECT_EQ(std::get<double>(t.rows[14][1]), 6.0);
}

// Per-channel calibrations are cached per scheme; a change of number format must not reuse the int8
// results: after switching to FP4 every row's parameters are FP4's (its scales amax/6 per channel).
TEST(NumberFormatAppState, PerChannelRowsFollowAFormatChange) {
    const std::string path = test::tempPath("fp4-channels.npy");
    test::writeNpyF32(path, {2, 4}, {-6, 1, 2, 3, 0.5f, -3, 1, 0.25f});
    AppState state;
    QuantScheme s = state.scheme();
    s.granularity = Granularity::PerChannel;
    state.setScheme(s);
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    for (int i = 0; i < 3; ++i) {
        state.waitSettled();
        state.update(false);
    }
    s.format = NumberFormat::Fp4E2M1;
    state.setScheme(s);
    for (int i = 0; i < 3; ++i) {
        state.waitSettled();
        state.update(false);
    }
    auto a = state.analysis();
    ASSERT_TRUE(a);
    ASSERT_GE(a->rows.size(), 2u);
    for (const auto& row : a->rows) {
        EXPECT_EQ(row.params.scheme.format, NumberFormat::Fp4E2M1) << row.spec;
        if (row.spec == "minmax") {
            ASSERT_EQ(row.params.slices.size(), 2u);
            EXPECT_EQ(row.params.slices[0].scale, 1.0f);   // channel 0: amax 6 → 6/6
            EXPECT_EQ(row.params.slices[1].scale, 0.5f);   // channel 1: amax 3 → 3/6
        }
    }
}

}  // namespace
}  // namespace qv
