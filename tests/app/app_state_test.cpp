// AppState with real background jobs: opening files, the summary, calibrator rows, estimates and
// the exact pass, bad files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "app/app_state.h"
#include "app/panels/overview_panel.h"
#include "app_test_support.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// 4 rows × 8 values: row r holds (r+1)·{−4..3}/4 — per-channel ranges differ by row.
std::vector<float> rampMatrix() {
    std::vector<float> v;
    for (int r = 0; r < 4; ++r)
        for (int c = -4; c < 4; ++c) v.push_back(float(r + 1) * float(c) / 4.0f);
    return v;
}

TEST(AppState, OpensANpyAndComputesTheMinMaxRow) {
    std::string path = test::tempPath("ramp.npy");
    test::writeNpyF32(path, {4, 8}, rampMatrix());
    AppState state;
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    ASSERT_TRUE(state.selectedTensor());
    state.waitSettled();
    auto s = state.summary();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->min, -4.0);   // row 3: 4·(−4)/4
    EXPECT_EQ(s->max, 3.0);    // row 3: 4·3/4
    auto a = state.analysis();
    ASSERT_TRUE(a);
    const CalibRow* row = a->activeRow();
    ASSERT_TRUE(row);
    EXPECT_EQ(row->spec, "minmax");
    // Symmetric restricted 8-bit: amax = 4 → s = 4/127.
    EXPECT_FLOAT_EQ(row->params.slices[0].scale, 4.0f / 127.0f);
    ASSERT_TRUE(row->exact) << "the exact pass ran after settling";
    // All 32 values are in the sample, so the estimate equals the exact pass.
    EXPECT_NEAR(row->estimate.total.mse, row->exact->total.mse, 1e-12);
    EXPECT_EQ(row->exact->total.count, 32u);
    EXPECT_EQ(row->exact->total.clippedCount, 0u);
}

// Files often begin with scalars and integer tensors (ONNX shape constants, GGUF token ids); the first
// view is of the first weight, else the largest floating tensor.
TEST(FirstTensorToShow, PrefersTheFirstWeightThenTheLargestFloat) {
    auto info = [](std::string name, DType t, std::vector<int64_t> shape) {
        TensorInfo i;
        i.name = std::move(name);
        i.dtype = t;
        i.shape = std::move(shape);
        return i;
    };
    ModelFile m;
    EXPECT_FALSE(firstTensorToShow(m));
    m.tensors = {info("sample_rate", DType::I64, {}), info("ids", DType::I32, {4, 8}), info("bias", DType::F32, {16}),
                 info("conv.weight", DType::F32, {8, 4, 3}), info("fc.weight", DType::Q4_0, {64, 64})};
    EXPECT_EQ(firstTensorToShow(m), 3u);  // ids is 2-D but integer; bias is 1-D
    m.tensors.erase(m.tensors.begin() + 3);
    EXPECT_EQ(firstTensorToShow(m), 3u);  // a block-quantized matrix is a weight too
    m.tensors.pop_back();
    m.tensors.push_back(info("scale", DType::F16, {4}));
    m.tensors.push_back(info("gain", DType::F32, {1, 1}));  // 2-D but one element
    EXPECT_EQ(firstTensorToShow(m), 2u);  // no weight: the largest float (bias, 16 values)
    m.tensors = {info("step", DType::I64, {}), info("ids", DType::I32, {4})};
    EXPECT_EQ(firstTensorToShow(m), 0u);  // nothing floating: the first
    // The browser's order, not the file's: numbered layers go by number (an .npz in zip order).
    m.tensors = {info("layers.3.w.weight", DType::F32, {4, 4}), info("layers.0.w.weight", DType::F32, {4, 4})};
    EXPECT_EQ(firstTensorToShow(m), 1u);
}

TEST(AppState, BitsAndManualRangeDriveTheActiveRow) {
    std::string path = test::tempPath("ramp2.npy");
    test::writeNpyF32(path, {4, 8}, rampMatrix());
    AppState state;
    ASSERT_TRUE(state.openFile(path));
    state.setBits(4);
    state.waitSettled();
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    EXPECT_EQ(a->scheme.bits, 4);
    EXPECT_FLOAT_EQ(a->activeRow()->params.slices[0].scale, 4.0f / 7.0f);  // amax / (2^3 − 1)
    // A manual range [−1, 1] clips every |x| > 1: row 0 none; row 1 {−2, −1.5, 1.5};
    // row 2 {−3, −2.25, −1.5, 1.5, 2.25}; row 3 {−4, −3, −2, 2, 3} → 13 values.
    const int outside = 13;
    state.setManualRange({1.0, -1.0});  // reversed on purpose: stored ordered
    EXPECT_EQ(state.activeCalibrator(), "manual");
    state.waitSettled();
    a = state.analysis();
    const CalibRow* row = a->activeRow();
    ASSERT_TRUE(row && row->exact);
    EXPECT_EQ(row->spec, "manual");
    EXPECT_EQ(row->range.lo, -1.0);
    EXPECT_EQ(row->range.hi, 1.0);
    EXPECT_EQ(row->exact->total.clippedCount, uint64_t(outside));
    EXPECT_FLOAT_EQ(row->params.slices[0].scale, 1.0f / 7.0f);
}

TEST(AppState, PerChannelRangesComeFromTheSlicePass) {
    std::string path = test::tempPath("ramp3.npy");
    test::writeNpyF32(path, {4, 8}, rampMatrix());
    AppState state;
    ASSERT_TRUE(state.openFile(path));
    QuantScheme s = state.scheme();
    s.granularity = Granularity::PerChannel;
    s.axis = 0;
    state.setScheme(s);
    state.waitSettled();
    auto a = state.analysis();
    ASSERT_TRUE(a && a->slices);
    ASSERT_EQ(a->slices->mins.size(), 4u);
    for (int r = 0; r < 4; ++r) {
        EXPECT_EQ(a->slices->mins[size_t(r)], -float(r + 1));
        EXPECT_EQ(a->slices->maxs[size_t(r)], 0.75f * float(r + 1));
    }
    const CalibRow* row = a->activeRow();
    ASSERT_TRUE(row && row->exact);
    ASSERT_EQ(row->params.slices.size(), 4u);
    EXPECT_FLOAT_EQ(row->params.slices[2].scale, 3.0f / 127.0f);
    ASSERT_EQ(row->exact->perSlice.size(), 4u);
    // The other calibrators per slice arrive from the calibrateSlices job, each with 4 slices.
    bool sawPercentile = false;
    for (const auto& r : a->rows) {
        EXPECT_EQ(r.params.slices.size(), 4u) << r.spec;
        if (r.spec.rfind("percentile", 0) == 0) {
            sawPercentile = true;
            EXPECT_TRUE(r.exact) << "exact pass for the per-slice percentile row";
        }
    }
    EXPECT_TRUE(sawPercentile);
    EXPECT_EQ(a->rows.size(), state.calibrators().size());
}

TEST(AppState, BadFilesBecomeMessagesAndTheStateStaysUsable) {
    std::string path = test::tempPath("broken.safetensors");
    test::writeText(path, "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":");
    AppState state;
    EXPECT_FALSE(state.openFile(path));
    EXPECT_NE(state.message().text.find(path), std::string::npos) << state.message().text;
    EXPECT_EQ(state.message().serial, 1u);
    EXPECT_TRUE(state.documents().empty());
    EXPECT_FALSE(state.openFile(test::tempPath("does-not-exist.npy")));
    EXPECT_EQ(state.message().serial, 2u);
    std::string good = test::tempPath("ok.npy");
    test::writeNpyF32(good, {3}, {1, 2, 3});
    EXPECT_TRUE(state.openFile(good));
    state.waitSettled();
    ASSERT_TRUE(state.summary()) << state.summaryError() << " | " << state.message().title << ": " << state.message().text;
    EXPECT_EQ(state.summary()->max, 3.0);
}

TEST(AppState, NanAndInfAreCountedAndNeverPoisonTheRange) {
    std::string path = test::tempPath("nan.npy");
    test::writeNpyF32(path, {5}, {1.0f, NAN, -2.0f, INFINITY, 0.5f});
    AppState state;
    ASSERT_TRUE(state.openFile(path));
    state.waitSettled();
    auto s = state.summary();
    ASSERT_TRUE(s) << state.summaryError() << " | " << state.message().title << ": " << state.message().text;
    EXPECT_EQ(s->nanCount, 1u);
    EXPECT_EQ(s->posInfCount, 1u);
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    EXPECT_EQ(a->activeRow()->range.lo, -2.0);
    EXPECT_EQ(a->activeRow()->range.hi, 2.0);
}

TEST(AppState, OnnxRuntimePresetSetsConventionAndCalibrators) {
    std::string path = test::tempPath("preset.npy");
    test::writeNpyF32(path, {4, 8}, rampMatrix());
    AppState state;
    ASSERT_TRUE(state.openFile(path));
    ASSERT_TRUE(state.applyPreset("onnxruntime"));
    EXPECT_FALSE(state.applyPreset("no-such-tool"));
    EXPECT_EQ(state.scheme().convention, Convention::OnnxRuntime);
    EXPECT_EQ(state.percentile(), 99.999);
    state.waitSettled();
    auto a = state.analysis();
    ASSERT_TRUE(a);
    std::vector<std::string> specs;
    for (const auto& r : a->rows) specs.push_back(r.spec);
    EXPECT_EQ(specs, (std::vector<std::string>{"minmax", "percentile:99.999", "entropy:onnxruntime"}));
}

TEST(AppState, CompareRowGetsItsOwnSchemeAndExactPass) {
    std::string path = test::tempPath("compare.npy");
    test::writeNpyF32(path, {4, 8}, rampMatrix());
    AppState state;
    ASSERT_TRUE(state.openFile(path));
    QuantScheme b = state.scheme();
    b.bits = 4;
    state.setCompare(b, "minmax");
    state.waitSettled();
    auto a = state.analysis();
    ASSERT_TRUE(a && a->compare && a->activeRow());
    EXPECT_EQ(a->scheme.bits, 8);
    EXPECT_EQ(a->compare->params.scheme.bits, 4);
    EXPECT_FLOAT_EQ(a->compare->params.slices[0].scale, 4.0f / 7.0f);
    ASSERT_TRUE(a->compare->exact);
    ASSERT_TRUE(a->activeRow()->exact);
    EXPECT_GT(a->compare->exact->total.mse, a->activeRow()->exact->total.mse) << "4 bits lose more than 8";
}

TEST(EstimateOnSample, HandWorkedTwoBitExample) {
    // 2-bit restricted symmetric, s = 1, z = 0, codes −1..1.
    // x = −1, −0.4, 0.3, 1, 2 → q = −1, 0, 0, 1, 1 (2 saturates) → e = 0, 0.4, −0.3, 0, −1.
    QuantParams p;
    p.scheme.bits = 2;
    p.slices = {SliceParams{1.0f, 0, {-1, 1}}};
    std::vector<float> x{-1.0f, -0.4f, 0.3f, 1.0f, 2.0f};
    ErrorReport r = estimateOnSample(x, {}, p);
    EXPECT_EQ(r.codeHistogram, (std::vector<uint64_t>{1, 2, 2}));
    EXPECT_EQ(r.total.count, 5u);
    EXPECT_EQ(r.total.clippedCount, 1u);
    EXPECT_NEAR(r.total.mse, (0.16 + 0.09 + 1.0) / 5.0, 1e-6);
    EXPECT_NEAR(r.total.maxAbsError, 1.0, 1e-7);
    EXPECT_EQ(r.total.codesUsed, 3u);
    EXPECT_EQ(r.total.codesAvailable, 3u);
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

TEST(AppState, ModelSweepFillsTheOverviewInModelOrder) {
    QV_REQUIRE_SHARED_MODEL(model, "stories260K/stories260K-f32.safetensors");
    AppState state;
    ASSERT_TRUE(state.openFile(model));
    state.setBits(4);
    state.startSweep();
    state.waitSettled();
    auto o = state.overview();
    ASSERT_TRUE(o);
    ASSERT_EQ(o->rows.size(), 47u);  // stories260K safetensors: 47 tensors (README of the shared models)
    EXPECT_EQ(o->scheme.bits, 4);
    for (size_t i = 0; i < o->rows.size(); ++i) {
        const auto& r = o->rows[i];
        EXPECT_EQ(r.tensor, i);
        ASSERT_EQ(r.sqnrDb.size(), o->calibrators.size());
        ASSERT_GE(r.best, 0);
        for (double v : r.sqnrDb) EXPECT_LE(v, r.sqnrDb[size_t(r.best)]) << "best is the highest SQNR";
    }
    const auto& doc = *state.currentDocument()->model;
    auto order = overviewOrder(*o, doc, 7, /*ascending=*/true);  // by best SQNR, weakest first
    for (size_t i = 1; i < order.size(); ++i) {
        const auto& a = o->rows[order[i - 1]];
        const auto& b = o->rows[order[i]];
        EXPECT_LE(a.sqnrDb[size_t(a.best)], b.sqnrDb[size_t(b.best)]);
    }
    auto byName = overviewOrder(*o, doc, 0, true);
    EXPECT_EQ(doc.tensors[o->rows[byName.front()].tensor].name, "layers.0.attention.wk.weight");
}

TEST(AppState, FileTruncatedOnDiskIsReportedOnceAndReopenReadsItAgain) {
    // 4 × 8192 values, 1 to 4 by row (128 KiB: the truncation below cuts whole pages).
    std::vector<float> v(4 * 8192);
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(1 + i / 8192);
    std::string path = test::tempPath("overwritten.npy");
    test::writeNpyF32(path, {4, 8192}, v);
    AppState state;
    ASSERT_TRUE(state.openFile(path));
    state.waitSettled();
    ASSERT_TRUE(state.analysis() && state.analysis()->activeRow() && state.analysis()->activeRow()->exact);
    EXPECT_EQ(state.summary()->max, 4.0);

    // A training job starts rewriting the checkpoint in place: open(path, "wb") truncates it.
    std::filesystem::resize_file(path, 4096);
    const uint64_t before = state.message().serial;
    state.checkFilesOnDisk();
    const Document* doc = state.currentDocument();
    ASSERT_TRUE(doc);
    EXPECT_NE(doc->changedOnDisk.find("changed size on disk while open"), std::string::npos) << doc->changedOnDisk;
    EXPECT_EQ(state.message().title, "File changed on disk");
    EXPECT_EQ(state.message().reopenDocId, doc->id);
    state.checkFilesOnDisk();
    EXPECT_EQ(state.message().serial, before + 1) << "reported once per document";

    // New inputs need a new exact pass, which reads the lost pages (zeros now, not SIGBUS) and
    // fails; it must not be resubmitted every frame (waitSettled would spin 1000 rounds).
    state.setBits(4);
    state.waitSettled();
    EXPECT_TRUE(state.settled());
    EXPECT_LE(state.message().serial, before + 2) << state.message().text;
    EXPECT_EQ(state.message().title, "Exact pass failed");
    EXPECT_NE(state.message().text.find("truncated on disk while open"), std::string::npos) << state.message().text;
    EXPECT_EQ(state.message().reopenDocId, doc->id) << "the failure offers to reopen the file";
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    EXPECT_FALSE(a->activeRow()->exact) << "no exact numbers from a file that changed under the pass";

    // The job finishes writing new weights (all 2.5); Reopen reads them, same tensor selected.
    std::vector<float> w(4 * 8192, 2.5f);
    test::writeNpyF32(path, {4, 8192}, w);
    ASSERT_TRUE(state.reopenDocument(state.currentDocumentIndex()));
    state.waitSettled();
    doc = state.currentDocument();
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->changedOnDisk, "");
    ASSERT_TRUE(state.summary());
    EXPECT_EQ(state.summary()->min, 2.5);
    EXPECT_EQ(state.summary()->max, 2.5);
    a = state.analysis();
    ASSERT_TRUE(a && a->activeRow() && a->activeRow()->exact);
    EXPECT_EQ(a->scheme.bits, 4);
    EXPECT_EQ(a->activeRow()->exact->total.count, 4u * 8192u);
    EXPECT_EQ(state.documents().size(), 1u) << "reopened in place, not as a second tab";
}

TEST(AppState, SecondFileChangedOnDiskIsReportedOnce) {
    std::string a = test::tempPath("first.npy"), b = test::tempPath("second.npy");
    test::writeNpyF32(a, {4, 8}, rampMatrix());
    test::writeNpyF32(b, {4, 8}, rampMatrix());
    AppState state;
    ASSERT_TRUE(state.openFile(a));
    ASSERT_TRUE(state.openReference(b));
    state.checkFilesOnDisk();
    const uint64_t before = state.message().serial;
    std::filesystem::resize_file(b, 64);
    state.checkFilesOnDisk();
    EXPECT_EQ(state.message().title, "Second file changed on disk");
    EXPECT_NE(state.message().text.find(b), std::string::npos) << state.message().text;
    EXPECT_NE(state.message().text.find("File > Open second file to compare"), std::string::npos);
    EXPECT_EQ(state.message().reopenDocId, 0u) << "the open document itself is unchanged";
    state.checkFilesOnDisk();
    EXPECT_EQ(state.message().serial, before + 1);
    EXPECT_EQ(state.currentDocument()->changedOnDisk, "");
}

}  // namespace
}  // namespace qv
