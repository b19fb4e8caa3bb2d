// Headless frames of the Compare tab: scheme A vs B (the table's values are the analysis' exact rows,
// both code grids and both error curves are drawn) and two files (overlaid histograms and differences,
// the messages for a missing second file and for a shape mismatch).
#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include "app/app_state.h"
#include "app/export/table_builders.h"
#include "app/panels/compare_panel.h"
#include "app/views/importance_source.h"
#include "core/metrics/ggml_requant.h"
#include "app_test_support.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

class ComparePanelHeadless : public ::testing::Test {
protected:
    void SetUp() override {
        test::createHeadlessImGuiContext(ImVec2(1200, 700));
    }
    void TearDown() override { ImGui::DestroyContext(); }
    void frame() {
        state.poll();
        ui.interacting = false;
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(windowSize);
        ImGui::Begin("compare");
        panel.draw(state, ui);
        ImGui::End();
        ImGui::Render();
        state.update(ui.interacting);
    }
    void settle() {
        for (int i = 0; i < 4; ++i) {
            state.waitSettled();
            frame();
        }
    }
    // Press and release over (x, y), one frame each (as the GLFW backend feeds ImGui).
    void click(float x, float y) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(x, y);
        frame();
        io.MouseDown[0] = true;
        frame();
        io.MouseDown[0] = false;
        frame();
    }
    std::string npy(const std::string& name, const std::vector<int64_t>& shape, const std::vector<float>& v) {
        std::string path = test::tempPath(name);
        test::writeNpyF32(path, shape, v);
        return path;
    }

    AppState state;
    UiState ui;
    ComparePanel panel;
    ImVec2 windowSize{1200, 700};  // a test that needs what is drawn low in the tab sets a taller one (and the display)
};

TEST_F(ComparePanelHeadless, TwoSchemesShowTheExactRowsAndTheirDifference) {
    // 8 × 32 ramp from −4 to 3.97 in steps of 1/32 plus an outlier 12: A = min-max 4 bits (s = 12/7),
    // B = min-max 8 bits (s = 12/127).
    std::vector<float> v;
    for (int i = 0; i < 256; ++i) v.push_back(float(i - 128) / 32.0f);
    v[200] = 12.0f;
    ASSERT_TRUE(state.openFile(npy("cmp-panel.npy", {8, 32}, v)));
    state.setBits(4);
    QuantScheme b = state.scheme();
    b.bits = 8;
    state.setCompare(b, "minmax");
    panel.setMode(ComparePanel::Mode::Schemes);
    settle();
    const auto& s = panel.shown();
    ASSERT_EQ(s.mode, ComparePanel::Mode::Schemes);
    ASSERT_TRUE(s.exactA && s.exactB) << "after settling both columns are exact";
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow() && a->compare);
    const ErrorStats& ea = a->activeRow()->exact->total;
    const ErrorStats& eb = a->compare->exact->total;
    ASSERT_FALSE(s.metrics.empty());
    for (const auto& m : s.metrics) {
        if (m.name == "SQNR dB") {
            EXPECT_EQ(m.a, ea.sqnrDb);
            EXPECT_EQ(m.b, eb.sqnrDb);
            EXPECT_EQ(m.diff, eb.sqnrDb - ea.sqnrDb);
            EXPECT_EQ(m.better, +1);  // 8 bits beat 4 bits
        }
        if (m.name == "clip hi") {
            EXPECT_EQ(m.b, 12.0);
        }
    }
    // A: 4-bit symmetric restricted (15 codes) at s = 12/7: the ramp [−4, 4) and 12 land on codes
    // round(x·7/12) ∈ {−2, −1, 0, 1, 2} and 7 → 6 codes used; level x of code 7 is 12.
    EXPECT_EQ(s.levelsA.available, 15u);
    EXPECT_EQ(s.levelsA.used, 6u);
    EXPECT_FLOAT_EQ(float(s.levelsA.x.back()), 12.0f);
    EXPECT_NEAR(std::accumulate(s.levelsA.share.begin(), s.levelsA.share.end(), 0.0), 1.0, 1e-12);
    EXPECT_EQ(s.levelsB.available, 255u);
    EXPECT_EQ(s.levelsA.used, ea.codesUsed);
    EXPECT_EQ(s.levelsB.used, eb.codesUsed);
    EXPECT_EQ(s.errorCurvesDrawn, 2u);
    // The error histograms as drawn: the whole error range is in view, so each sums to 1.
    ASSERT_FALSE(s.errorSharesA.empty());
    EXPECT_NEAR(std::accumulate(s.errorSharesA.begin(), s.errorSharesA.end(), 0.0), 1.0, 1e-9);
    EXPECT_NEAR(std::accumulate(s.errorSharesB.begin(), s.errorSharesB.end(), 0.0), 1.0, 1e-9);
}

TEST_F(ComparePanelHeadless, TwoFilesOverlayAndTellWhatIsMissing) {
    std::vector<float> va, vb;
    for (int i = 0; i < 64; ++i) {
        va.push_back(float(i) / 8.0f);
        vb.push_back(float(i) / 8.0f + (i % 2 ? 0.25f : 0.0f));  // every odd element moved by +0.25
    }
    ASSERT_TRUE(state.openFile(npy("cmp-fa.npy", {8, 8}, va)));
    panel.setMode(ComparePanel::Mode::Files);
    settle();
    EXPECT_NE(panel.shown().message.find("Open a second file"), std::string::npos);
    ImGui::GetIO().MousePos = ImVec2(-1, -1);

    ASSERT_TRUE(state.openReference(npy("cmp-fb.npy", {8, 8}, vb)));
    settle();
    const auto& s = panel.shown();
    ASSERT_TRUE(s.files);
    ASSERT_TRUE(s.files->error.empty()) << s.files->error;
    const FileComparison& r = s.files->result;
    EXPECT_EQ(r.count, 64u);
    EXPECT_EQ(r.equal, 32u);
    EXPECT_DOUBLE_EQ(r.stats.maxAbsError, 0.25);
    EXPECT_DOUBLE_EQ(r.stats.mse, 0.25 * 0.25 / 2);
    EXPECT_DOUBLE_EQ(r.meanDiff, 0.125);
    EXPECT_FALSE(s.storedTable) << "plain float on both sides: no stored-quantization table";
    // The difference histogram over ±0.25: 32 zeros in bin 128, 32 × 0.25 in the last bin.
    EXPECT_EQ(r.histDiff[128], 32.0);
    EXPECT_EQ(r.histDiff[255], 32.0);

    // A second file whose tensor has another shape: the message names both shapes.
    ASSERT_TRUE(state.openReference(npy("cmp-fc.npy", {4, 16}, va)));
    settle();
    ASSERT_TRUE(panel.shown().files);
    EXPECT_NE(panel.shown().message.find("[8, 8]"), std::string::npos) << panel.shown().message;
    EXPECT_NE(panel.shown().message.find("[4, 16]"), std::string::npos) << panel.shown().message;
}

TEST_F(ComparePanelHeadless, F32AgainstItsQ4KTwinShowsTheStoredTable) {
    QV_REQUIRE_SHARED_MODEL(f32, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    QV_REQUIRE_SHARED_MODEL(q4k, "hey_jarvis/hey_jarvis_v0.1-q4_k.gguf");
    ASSERT_TRUE(state.openFile(f32));
    ASSERT_TRUE(state.openReference(q4k));
    // The Q4_K tensors of the file are the two 1536-wide / 128-wide Linear weights; find one.
    auto second = state.reference();
    std::string name;
    for (const auto& t : second->tensors)
        if (storedQuantFacts(t).typeName == "q4_K") name = t.name;
    ASSERT_FALSE(name.empty());
    ASSERT_TRUE(state.selectTensorByName(name));
    panel.setMode(ComparePanel::Mode::Files);
    settle();
    const auto& s = panel.shown();
    ASSERT_TRUE(s.files);
    ASSERT_TRUE(s.files->error.empty()) << s.files->error;
    EXPECT_EQ(s.files->typeB, "q4_K");
    EXPECT_TRUE(s.storedTable);
    auto st = state.storedComparison();
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->storedInSecond);
    EXPECT_NEAR(st->file.relativeRms, s.files->result.relativeRms, 1e-12);
    // Q4_K's relative RMS on a real layer sits near the whole-file 0.059 of the models README.
    EXPECT_GT(s.files->result.relativeRms, 0.03);
    EXPECT_LT(s.files->result.relativeRms, 0.09);
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// The llama.cpp view: the tensor as Q8_0 … Q4_0 and the K-quants (one job), the numbers the core's round trip
// gives, the active scheme beside them. A ramp of 2 × 32 values j/8 − 4: Q8_0's error is below Q4_0's, and
// the rows equal ggmlRequantError on the same tensor.
TEST_F(ComparePanelHeadless, LlamaCppTypesShowTheRoundTripOfEachType) {
    std::vector<float> v;
    for (int i = 0; i < 64; ++i) v.push_back(float(i) / 8.0f - 4.0f);
    ASSERT_TRUE(state.openFile(npy("cmp-llama.npy", {2, 32}, v)));
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    for (int i = 0; i < 4 && !panel.shown().ggml; ++i) settle();
    auto g = panel.shown().ggml;
    ASSERT_TRUE(g);
    EXPECT_TRUE(panel.shown().ggmlQuantvizRow);
    ASSERT_EQ(g->rows.size(), 12u);
    EXPECT_TRUE(g->complete);  // the job's last post: every row computed
    for (const auto& row : g->rows) EXPECT_FALSE(row.pending) << row.typeName;
    EXPECT_EQ(g->rows.front().typeName, "q8_0");
    EXPECT_EQ(g->rows[7].typeName, "iq4_nl");
    EXPECT_EQ(g->rows[8].typeName, "q4_0");
    EXPECT_EQ(g->rows.back().typeName, "q2_K -> q5_0");
    // Rows of 32 are not whole K-quant super-blocks (256): llama-quantize's fallbacks.
    EXPECT_EQ(g->rows[1].typeName, "q6_K -> q8_0");
    EXPECT_EQ(g->rows[3].typeName, "q5_K -> q5_1");
    EXPECT_EQ(g->rows[6].typeName, "q4_K -> q5_0");
    EXPECT_DOUBLE_EQ(g->rows[6].stats.mse, g->rows[4].stats.mse);  // the same q5_0 bytes
    EXPECT_DOUBLE_EQ(g->rows.front().bitsPerWeight, 8.5);  // 34 bytes per 32 weights
    EXPECT_DOUBLE_EQ(g->rows[8].bitsPerWeight, 4.5);   // 18 bytes per 32
    const TensorView view = state.currentDocument()->model->view(0);
    for (const auto& row : g->rows) {
        ASSERT_TRUE(row.error.empty()) << row.error;
        auto want = ggmlRequantError(view, row.written);
        ASSERT_TRUE(want);
        EXPECT_DOUBLE_EQ(row.stats.mse, want->mse) << row.typeName;
        EXPECT_NEAR(row.relativeRms, std::pow(10.0, -want->sqnrDb / 20), 1e-12) << row.typeName;
    }
    EXPECT_LT(g->rows.front().stats.mse, g->rows[8].stats.mse);
    // Q4_0 on the first row (−4 … −0.125): m = −4, d = 0.5, q = trunc(x/0.5 + 8.5) — every x is a multiple
    // of 1/8, so x/d = 2x is a multiple of 1/4 and the round-half-up of 2x lands within 1/4 of it: |e| ≤ 0.125.
    EXPECT_LE(g->rows[8].stats.maxAbsError, 0.25 + 1e-9);
}

// An importance matrix loaded in the app: the tensor it covers (by its llama.cpp name, the file's stem) is
// encoded as llama-quantize --imatrix does — each row's numbers are the core's with that importance — and the two
// importance columns show the predicted output error with it and without it: lower for Q4_0 (the importance
// is skewed onto 8 columns), equal for Q8_0 (it ignores importance). Dropping it goes back to the plain rows.
TEST_F(ComparePanelHeadless, LlamaCppTypesWithAnImportanceMatrix) {
    const int64_t rows = 4, cols = 256;
    std::vector<float> v(size_t(rows * cols));
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37f * float(i)) * (1.0f + float(i % 7));
    ASSERT_TRUE(state.openFile(npy("blk.0.ffn_up.weight.npy", {rows, cols}, v)));
    std::vector<float> importance(size_t(cols), 1.0f);
    for (size_t c = 0; c < 8; ++c) importance[c] = 100.0f;
    // Legacy .dat (save_imatrix_legacy): i32 entries; i32 name length, name, i32 ncall, i32 nval, f32 mean·ncall.
    const std::string imPath = test::tempPath("panel-imatrix.dat");
    {
        std::ofstream f(imPath, std::ios::binary);
        auto i32 = [&](int32_t x) { f.write(reinterpret_cast<const char*>(&x), 4); };
        const std::string name = "blk.0.ffn_up.weight";
        i32(1);
        i32(int32_t(name.size()));
        f.write(name.data(), std::streamsize(name.size()));
        i32(1);
        i32(int32_t(cols));
        f.write(reinterpret_cast<const char*>(importance.data()), std::streamsize(importance.size() * 4));
    }
    const std::string badPath = test::tempPath("panel-imatrix-bad.dat");
    { std::ofstream(badPath, std::ios::binary) << "xy"; }
    EXPECT_FALSE(state.loadImatrix(badPath));  // refused, nothing loaded
    EXPECT_FALSE(state.imatrix());
    auto loaded = state.loadImatrix(imPath);
    ASSERT_TRUE(loaded) << loaded.message();
    EXPECT_EQ(*loaded, 1u);
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    for (int i = 0; i < 6 && !(panel.shown().ggml && panel.shown().ggml->complete); ++i) settle();
    auto g = panel.shown().ggml;
    ASSERT_TRUE(g && g->complete);
    EXPECT_EQ(g->importanceEntry, "blk.0.ffn_up.weight");
    EXPECT_TRUE(panel.shown().ggmlImportanceColumns);
    const TensorView view = state.currentDocument()->model->view(0);
    for (const auto& row : g->rows) {
        ASSERT_TRUE(row.error.empty()) << row.typeName << ": " << row.error;
        ASSERT_TRUE(row.weighted) << row.typeName;
        GgmlWeightedSums with, without;
        auto want = ggmlRequantError(view, row.written, GgmlImportance{importance, true}, nullptr, 0, nullptr, &with);
        ASSERT_TRUE(want && ggmlRequantError(view, row.written, GgmlImportance{importance, false}, nullptr, 0, nullptr, &without));
        EXPECT_DOUBLE_EQ(row.stats.mse, want->mse) << row.typeName;
        EXPECT_DOUBLE_EQ(row.weightedRel, std::sqrt(with.relative())) << row.typeName;
        EXPECT_DOUBLE_EQ(row.weightedRelWithout, std::sqrt(without.relative())) << row.typeName;
    }
    const auto& q80 = g->rows[0];
    const auto& q40 = g->rows[8];
    ASSERT_EQ(q40.type, DType::Q4_0);
    EXPECT_LT(q40.weightedRel, 0.95 * q40.weightedRelWithout);
    EXPECT_EQ(q80.weightedRel, q80.weightedRelWithout);
    // The export carries the entry and both importance columns.
    const ExportTable t = ggmlRequantExport(*g, "blk.0.ffn_up.weight");
    ASSERT_EQ(t.columns.size(), 11u);
    EXPECT_EQ(t.columns[8], "weighted_relative_rms");
    EXPECT_EQ(t.columns[9], "weighted_relative_rms_without_imatrix");
    // The whole model under a preset: planned as with an imatrix and the covered tensor encoded with it — one
    // tensor, so the mix's weighted figure is the q4_0 row's.
    ASSERT_TRUE(panel.setLlamaCppPreset("Q4_0"));
    panel.requestWholeModel();
    for (int i = 0; i < 8 && !(panel.shown().ggmlMix && panel.shown().ggmlMix->imatrix); ++i) settle();
    auto mix = panel.shown().ggmlMix;
    ASSERT_TRUE(mix && mix->imatrix);
    EXPECT_EQ(mix->measure.withImportance, 1u);
    EXPECT_DOUBLE_EQ(std::sqrt(mix->measure.weighted.relative()), q40.weightedRel);
    state.clearImatrix();
    for (int i = 0; i < 6 && !(panel.shown().ggml && panel.shown().ggml->complete && panel.shown().ggml->importanceEntry.empty());
         ++i)
        settle();
    g = panel.shown().ggml;
    ASSERT_TRUE(g);
    EXPECT_TRUE(g->importanceEntry.empty());
    EXPECT_FALSE(panel.shown().ggmlImportanceColumns);
    auto plain = ggmlRequantError(view, DType::Q4_0);
    ASSERT_TRUE(plain);
    EXPECT_DOUBLE_EQ(g->rows[8].stats.mse, plain->mse);
    EXPECT_FALSE(g->rows[8].weighted);
}

// No llama-imatrix output at hand: an importance matrix made from activations for the selected weight. On the
// bundled sample, model.layers.1.mlp.up_proj.weight ([256, 128]) is offered only the captured
// activations.layers.1.mlp_input ([64, 128]; the other 128-wide tensors are weights); its entry is the mean of x²
// per column over the 64 rows, worked out here from the values read, and the table then encodes with it.
TEST_F(ComparePanelHeadless, ImatrixFromTheFilesActivations) {
    ASSERT_TRUE(state.openFile(std::string(QV_SOURCE_DIR) + "/assets/sample.safetensors"));
    ASSERT_TRUE(state.selectTensorByName("model.layers.1.mlp.up_proj.weight"));
    const ModelFile& model = *state.currentDocument()->model;
    const size_t w = *model.find("model.layers.1.mlp.up_proj.weight"), a = *model.find("activations.layers.1.mlp_input");
    std::vector<size_t> offered;
    for (size_t i = 0; i < model.tensors.size(); ++i)
        if (importanceCandidate(model.tensors[w], model.tensors[i])) offered.push_back(i);
    EXPECT_EQ(offered, std::vector<size_t>{a});
    auto im = importanceFromTensor(model, w, a);
    ASSERT_TRUE(im) << im.message();
    ASSERT_EQ(im->entries.size(), 1u);
    const ImatrixEntry& e = im->entries[0];
    EXPECT_EQ(e.name, "model.layers.1.mlp.up_proj.weight");
    ASSERT_EQ(e.values.size(), 128u);
    std::vector<float> x(64 * 128);
    ASSERT_TRUE(model.view(a).read(0, x.size(), x.data()));
    for (size_t c : {size_t(0), size_t(57), size_t(127)}) {
        double sum = 0;
        for (size_t t = 0; t < 64; ++t) sum += double(x[t * 128 + c]) * x[t * 128 + c];
        EXPECT_NEAR(e.values[c], sum / 64, 1e-6 * (sum / 64)) << "column " << c;
    }
    // Not a candidate: a weight of the same width, or the activations for a weight of another width.
    EXPECT_FALSE(importanceFromTensor(model, w, *model.find("model.layers.1.self_attn.q_proj.weight")));
    EXPECT_FALSE(importanceFromTensor(model, *model.find("model.layers.1.mlp.down_proj.weight"), a));
    // Synthetic: 4 outlier channels ×30 over 128 columns — their importance is ~900× the others'.
    auto syn = importanceFromSynthetic(model.tensors[w], 128, 4, 30.0f, 1);
    ASSERT_TRUE(syn);
    const auto& v = syn->entries[0].values;
    const float big = *std::max_element(v.begin(), v.end());
    EXPECT_EQ(std::count_if(v.begin(), v.end(), [&](float q) { return q > big / 10; }), 4);
    state.useImatrix(std::make_shared<const Imatrix>(std::move(*im)), "from activations.layers.1.mlp_input");
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    for (int i = 0; i < 6 && !(panel.shown().ggml && panel.shown().ggml->complete); ++i) settle();
    auto g = panel.shown().ggml;
    ASSERT_TRUE(g && g->complete);
    EXPECT_EQ(g->importanceEntry, "model.layers.1.mlp.up_proj.weight");
    EXPECT_EQ(state.imatrixLabel(), "from activations.layers.1.mlp_input");
    ASSERT_EQ(g->rows[8].type, DType::Q4_0);
    EXPECT_LE(g->rows[8].weightedRel, g->rows[8].weightedRelWithout);
    // The q4_0 row's detail is of the same round trip: encoded with the imatrix, the row's MSE.
    panel.setLlamaCppDetail(DType::Q4_0);
    for (int i = 0; i < 6 && !panel.shown().ggmlDetail; ++i) settle();
    auto det = panel.shown().ggmlDetail;
    ASSERT_TRUE(det);
    EXPECT_EQ(det->importanceEntry, "model.layers.1.mlp.up_proj.weight");
    const ErrorStats dt = det->detail.total.finish(0, 0);
    EXPECT_NEAR(dt.mse, g->rows[8].stats.mse, 1e-9 * g->rows[8].stats.mse);
    // The whole model: the one covered tensor encoded with it, so each type's weighted figure is that row's.
    state.requestGgmlModel();
    for (int i = 0; i < 10 && !state.ggmlModel(); ++i) settle();
    auto m = state.ggmlModel();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->withImportance, 1u);
    ASSERT_EQ(m->weighted.size(), g->rows.size());
    EXPECT_DOUBLE_EQ(std::sqrt(m->weighted[8].relative()), g->rows[8].weightedRel);
    const ExportTable mt = ggmlModelExport(*m, model);
    ASSERT_EQ(mt.columns.size(), 5u);
    EXPECT_EQ(mt.columns[4], "weighted_relative_rms");
    // Another importance matrix makes that result stale.
    state.clearImatrix();
    EXPECT_FALSE(state.ggmlModel());
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// The whole-model table: every tensor of stories260K under each type, as the file llama-quantize writes —
// its Q4_0 line equals the real Q4_0 file against the F32 one (relative RMS over all 292,800 values, the
// README's ≈ 0.078; bits per weight of the tensor data).
TEST_F(ComparePanelHeadless, LlamaCppWholeModelEqualsTheRealFile) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    QV_REQUIRE_SHARED_MODEL(q40Path, "stories260K/stories260K-q4_0.gguf");
    ASSERT_TRUE(state.openFile(f32Path));
    settle();
    state.requestGgmlModel();
    settle();
    auto m = state.ggmlModel();
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->error.empty()) << m->error;
    EXPECT_EQ(m->tensors, 48u);
    ASSERT_EQ(m->totals.size(), ggmlRequantTypes().size());
    const GgmlModelTotals* q40 = nullptr;
    for (const auto& t : m->totals)
        if (t.type == DType::Q4_0) q40 = &t;
    ASSERT_TRUE(q40);
    auto f32 = openModel(f32Path);
    auto q = openModel(q40Path);
    ASSERT_TRUE(f32 && q);
    double sumSqErr = 0, sumSqX = 0, bits = 0, elements = 0;
    for (size_t i = 0; i < (*q)->tensors.size(); ++i) {
        const TensorInfo& info = (*q)->tensors[i];
        const TensorView a = (*f32)->view(*(*f32)->find(info.name)), b = (*q)->view(i);
        std::vector<float> x(a.elements()), y(b.elements());
        ASSERT_TRUE(a.read(0, x.size(), x.data()) && b.read(0, y.size(), y.data()));
        for (size_t k = 0; k < x.size(); ++k) {
            const double e = static_cast<double>(y[k]) - x[k];
            sumSqErr += e * e;
            sumSqX += static_cast<double>(x[k]) * x[k];
        }
        bits += bitsPerElement(info.dtype) * static_cast<double>(info.elements());
        elements += static_cast<double>(info.elements());
    }
    EXPECT_NEAR(q40->relativeRms(), std::sqrt(sumSqErr / sumSqX), 1e-9);
    EXPECT_NEAR(q40->bitsPerWeight(), bits / elements, 1e-12);
}

// Which tensors suffer: the job keeps each tensor's sums per type. From the definitions: the totals are the
// tensors' sums added in model order, so the rows pooled in that order give them back exactly (not just close);
// ffn_down's rows hold 172 values, not whole blocks of 32 (172 = 5·32 + 12), so every type writes it as F16 (the
// real Q4_0 file holds it so, see ggmlWrittenType); the 1-D norms are kept as stored (F32: Σe² = 0, SQNR inf);
// and a row's SQNR is ggmlRequantError's for that tensor and its written type (the same pass, the same sums).
TEST_F(ComparePanelHeadless, LlamaCppWholeModelPerTensorRows) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    ASSERT_TRUE(state.openFile(f32Path));
    settle();
    state.requestGgmlModel();
    settle();
    auto m = state.ggmlModel();
    ASSERT_TRUE(m);
    const ModelFile& model = *state.currentDocument()->model;
    const auto& types = ggmlRequantTypes();
    ASSERT_EQ(m->rows.size(), 48u);
    for (size_t k = 0; k < types.size(); ++k) {
        double sumSqErr = 0, sumSqX = 0;
        uint64_t elements = 0;
        for (const auto& r : m->rows) {
            ASSERT_EQ(r.types.size(), types.size());
            sumSqErr += r.types[k].sums.sumSqErr;
            sumSqX += r.types[k].sums.sumSqX;
            elements += r.elements;
        }
        EXPECT_EQ(sumSqErr, m->totals[k].sumSqErr) << dtypeName(types[k]);
        EXPECT_EQ(sumSqX, m->totals[k].sumSqX) << dtypeName(types[k]);
        EXPECT_EQ(elements, m->totals[k].elements);
        EXPECT_EQ(elements, 292800u);  // the README's count of stories260K's values
    }
    size_t ffnDown = 0, norms = 0;
    for (const auto& r : m->rows) {
        const TensorInfo& info = model.tensors[r.tensor];
        if (info.name.find("ffn_down") != std::string::npos) {
            ++ffnDown;
            EXPECT_EQ(info.shape.back(), 172);
            EXPECT_FALSE(r.kept);
            for (const auto& c : r.types) EXPECT_EQ(c.written, DType::F16) << info.name;
        }
        if (info.name.find("norm") != std::string::npos) {
            ++norms;
            EXPECT_TRUE(r.kept) << info.name;
            for (const auto& c : r.types) {
                EXPECT_EQ(c.written, DType::F32);
                EXPECT_EQ(c.sums.sumSqErr, 0.0);
                EXPECT_TRUE(std::isinf(c.sqnrDb()));
            }
        }
    }
    EXPECT_EQ(ffnDown, 5u);   // one per block
    EXPECT_EQ(norms, 11u);    // attn_norm and ffn_norm per block, output_norm
    // blk.0.attn_q.weight (64 × 64) under q4_0 (written as itself) and q4_K (rows of 64 are not whole super-blocks
    // of 256: written as q5_0).
    const auto q = model.find("blk.0.attn_q.weight");
    ASSERT_TRUE(q);
    const GgmlTensorRow* row = nullptr;
    for (const auto& r : m->rows)
        if (r.tensor == *q) row = &r;
    ASSERT_TRUE(row);
    for (DType t : {DType::Q4_0, DType::Q4_K, DType::Q8_0}) {
        const size_t k = static_cast<size_t>(std::find(types.begin(), types.end(), t) - types.begin());
        const DType written = ggmlWrittenType(model.tensors[*q], t);
        EXPECT_EQ(row->types[k].written, written);
        auto e = ggmlRequantError(model.view(*q), written);
        ASSERT_TRUE(e) << e.message();
        EXPECT_EQ(row->types[k].sqnrDb(), e->sqnrDb) << dtypeName(t);
    }
    EXPECT_EQ(row->types[6].written, DType::Q5_0);  // types[6] is q4_K
    // The export: one line per tensor and type, with the same sums.
    const ExportTable t = ggmlModelTensorsExport(*m, model);
    EXPECT_EQ(t.rows.size(), 48u * types.size());
}

// The per-tensor export, on two hand-made rows: a matrix under q8_0 with Σe² = 1 and Σx² = 100 (SQNR
// 10·log10(100/1) = 20 dB, relative RMS sqrt(1/100) = 0.1) and a kept 1-D tensor (Σe² = 0: SQNR inf, rel. RMS 0).
TEST(LlamaCppWholeModelExport, OneLinePerTensorAndType) {
    ModelFile model;
    model.path = "m.gguf";
    model.tensors.resize(2);
    model.tensors[0].name = "w";
    model.tensors[1].name = "n";
    GgmlModelComparison m;
    m.tensors = 2;
    GgmlTensorRow w;
    w.tensor = 0;
    w.elements = 64;
    GgmlTensorRow::Cell c;
    c.written = DType::Q8_0;
    c.sums.count = 64;
    c.sums.sumSqErr = 1;
    c.sums.sumSqX = 100;
    w.types = {c};
    GgmlTensorRow n;
    n.tensor = 1;
    n.elements = 2;
    n.kept = true;
    c.written = DType::F32;
    c.sums.count = 2;
    c.sums.sumSqErr = 0;
    c.sums.sumSqX = 4;
    n.types = {c};
    m.rows = {w, n};
    EXPECT_EQ(toCsv(ggmlModelTensorsExport(m, model)),
              "tensor,elements,type,written_as,kept,sqnr_db,relative_rms,sum_sq_err,sum_sq_x\n"
              "w,64,q8_0,q8_0,0,20,0.1,1,100\n"
              "n,2,q8_0,f32,1,inf,0,0,4\n");
}

// A click on a tensor's name in the per-tensor table selects that tensor (for the tables above and the browser).
// The tab is drawn 2000 px tall so the table, below the type table and the totals, is on screen.
TEST_F(ComparePanelHeadless, LlamaCppWholeModelNameClickSelectsTheTensor) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    ImGui::GetIO().DisplaySize = windowSize = ImVec2(1200, 2000);
    ASSERT_TRUE(state.openFile(f32Path));
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    panel.requestWholeModel();
    for (int i = 0; i < 6 && !panel.shown().ggmlModel; ++i) settle();
    ASSERT_TRUE(panel.shown().ggmlModel);
    frame();
    const auto& s = panel.shown();
    const std::vector<DType> defaults = {DType::Q8_0, DType::Q6_K, DType::Q4_K, DType::Q4_0};
    EXPECT_EQ(s.ggmlModelColumns, defaults);
    EXPECT_EQ(s.ggmlModelKept, 11u);
    ASSERT_GE(s.ggmlModelTensorsDrawn.size(), 3u);
    ASSERT_EQ(s.ggmlModelTensorsDrawn.size(), s.ggmlModelNameCentres.size());
    // Model order (the default sort): the first rows are the first quantized tensors of the file.
    EXPECT_LT(s.ggmlModelTensorsDrawn[0], s.ggmlModelTensorsDrawn[1]);
    const size_t target = s.ggmlModelTensorsDrawn[2];
    ASSERT_NE(state.selectedTensor(), std::optional<size_t>(target));
    const auto [x, y] = s.ggmlModelNameCentres[2];
    click(x, y);
    EXPECT_EQ(state.selectedTensor(), std::optional<size_t>(target));
}

// A click on a type's header sorts the per-tensor table by its SQNR, lowest (the tensor that suffers most) first;
// a second click, highest first. What comes first is checked against the rows' own SQNRs (the minimum and maximum
// over the quantized tensors; the 1-D ones are not in the table).
TEST_F(ComparePanelHeadless, LlamaCppWholeModelSortsByATypesSqnr) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    ImGui::GetIO().DisplaySize = windowSize = ImVec2(1200, 2000);
    ASSERT_TRUE(state.openFile(f32Path));
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    panel.setWholeModelColumns({DType::Q4_0});
    panel.requestWholeModel();
    for (int i = 0; i < 6 && !panel.shown().ggmlModel; ++i) settle();
    auto m = panel.shown().ggmlModel;
    ASSERT_TRUE(m);
    frame();
    const size_t q40 = 8;  // ggmlRequantTypes(): q8_0 q6_K q5_1 q5_K q5_0 q4_1 q4_K iq4_nl q4_0 …
    ASSERT_EQ(ggmlRequantTypes()[q40], DType::Q4_0);
    double lo = INFINITY, hi = -INFINITY;
    size_t lowest = 0, highest = 0;
    for (const auto& r : m->rows) {
        if (r.kept) continue;
        const double db = r.types[q40].sqnrDb();
        if (db < lo) lo = db, lowest = r.tensor;
        if (db > hi) hi = db, highest = r.tensor;
    }
    ASSERT_EQ(panel.shown().ggmlModelHeaderCentres.size(), 3u);  // tensor, elements, q4_0
    const auto [x, y] = panel.shown().ggmlModelHeaderCentres[2];
    click(x, y);
    frame();
    ASSERT_FALSE(panel.shown().ggmlModelTensorsDrawn.empty());
    EXPECT_EQ(panel.shown().ggmlModelTensorsDrawn[0], lowest);
    click(x, y);
    frame();
    ASSERT_FALSE(panel.shown().ggmlModelTensorsDrawn.empty());
    EXPECT_EQ(panel.shown().ggmlModelTensorsDrawn[0], highest);
}

// A llama-quantize preset in the whole-model section: the plan runs as a job (its result appears once the queue is
// idle), its totals row stands above the pure types' even before the pure job has run, and the plan table lists
// the quantized tensors in model order. stories260K under Q4_K_M (worked out in ggml_quant_mix_test.cpp):
// token_embd (tensor 0) q4_K → q5_0, output.weight (tensor 2) q8_0 (rows of 64 are no whole super-block), attn_v
// of layers 2 and 4 q6_K → q8_0; bits 200 192·5.5 + 36 864·8.5 + 55 040·16 + 704·32 over 292 800 values. With the
// pure types measured, the mix's bits lie between pure q4_K's and q6_K's and its error below q4_K's.
TEST_F(ComparePanelHeadless, LlamaCppPresetPlanAndTotals) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    ImGui::GetIO().DisplaySize = windowSize = ImVec2(1200, 2000);
    ASSERT_TRUE(state.openFile(f32Path));
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    EXPECT_FALSE(panel.setLlamaCppPreset("IQ2_XXS"));  // a grid type quantviz cannot write
    ASSERT_TRUE(panel.setLlamaCppPreset("q4_k_m"));
    for (int i = 0; i < 6 && !panel.shown().ggmlMix; ++i) settle();
    auto mix = panel.shown().ggmlMix;
    ASSERT_TRUE(mix);
    frame();
    EXPECT_EQ(mix->plan.preset.name, "Q4_K_M");
    EXPECT_TRUE(mix->error.empty()) << mix->error;
    EXPECT_FALSE(panel.shown().ggmlModel);  // the pure job was not asked for
    EXPECT_TRUE(panel.shown().ggmlMixInTotals);
    const double bits = (200192 * 5.5 + 36864 * 8.5 + 55040 * 16.0 + 704 * 32.0) / 292800;
    EXPECT_DOUBLE_EQ(mix->measure.totals.bitsPerWeight(), bits);
    const auto& drawn = panel.shown().ggmlMixTensorsDrawn;
    ASSERT_GE(drawn.size(), 3u);
    EXPECT_EQ(drawn[0], 0u);  // token_embd.weight
    EXPECT_EQ(drawn[1], 2u);  // output.weight (output_norm, tensor 1, is kept and not listed)
    EXPECT_EQ(mix->plan.tensors[2].chosen, DType::Q8_0);
    const ModelFile& model = *state.currentDocument()->model;
    for (size_t i : drawn) EXPECT_FALSE(mix->plan.tensors[i].kept) << model.tensors[i].name;
    // Beside the pure types.
    panel.requestWholeModel();
    for (int i = 0; i < 6 && !panel.shown().ggmlModel; ++i) settle();
    auto m = panel.shown().ggmlModel;
    ASSERT_TRUE(m);
    double q4 = 0, q6 = 0, q4rel = 0;
    for (const auto& t : m->totals) {
        if (t.type == DType::Q4_K) q4 = t.bitsPerWeight(), q4rel = t.relativeRms();
        if (t.type == DType::Q6_K) q6 = t.bitsPerWeight();
    }
    EXPECT_GT(bits, q4);
    EXPECT_LT(bits, q6);
    EXPECT_LT(mix->measure.totals.relativeRms(), q4rel);
    // Another preset replaces the plan; "none" hides it.
    ASSERT_TRUE(panel.setLlamaCppPreset("Q3_K_M"));
    for (int i = 0; i < 6 && (!panel.shown().ggmlMix || panel.shown().ggmlMix->plan.preset.name != "Q3_K_M"); ++i) settle();
    ASSERT_TRUE(panel.shown().ggmlMix);
    EXPECT_EQ(panel.shown().ggmlMix->plan.preset.name, "Q3_K_M");
    ASSERT_TRUE(panel.setLlamaCppPreset("none"));
    frame();
    EXPECT_FALSE(panel.shown().ggmlMix);
    EXPECT_FALSE(panel.shown().ggmlMixInTotals);
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// "Where it hurts": a click on a type's row opens its detail below the table — one row per output channel, the
// worst blocks — and its total is the table row's (the same sums: ggmlRequantDetail adds the chunks as
// ggmlRequantError does, so the SQNRs are equal, not just close). 4 rows of 256 (whole Q4_K super-blocks), row
// r scaled by r + 1: every row has the same shape of values, so their SQNRs stay close while the squared error
// grows with the scale — the last row's blocks are the worst (its Σe² is about 16× the first's).
TEST_F(ComparePanelHeadless, LlamaCppRowClickShowsWhereTheTypeHurts) {
    std::vector<float> v(4 * 256);
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<float>(i % 256) * 0.37f) * static_cast<float>(i / 256 + 1);
    ASSERT_TRUE(state.openFile(npy("cmp-llama-detail.npy", {4, 256}, v)));
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    for (int i = 0; i < 4 && !(panel.shown().ggml && panel.shown().ggml->complete); ++i) settle();
    auto g = panel.shown().ggml;
    ASSERT_TRUE(g && g->complete);
    EXPECT_FALSE(panel.shown().ggmlDetailType);  // nothing opened yet
    const size_t q4k = 6;                         // ggmlRequantTypes(): q8_0 q6_K q5_1 q5_K q5_0 q4_1 q4_K …
    ASSERT_EQ(g->rows[q4k].type, DType::Q4_K);
    ASSERT_EQ(panel.shown().ggmlRowCentres.size(), 12u);
    const auto [x, y] = panel.shown().ggmlRowCentres[q4k];
    click(x, y);
    for (int i = 0; i < 4 && !panel.shown().ggmlDetail; ++i) settle();
    ASSERT_EQ(panel.shown().ggmlDetailType, DType::Q4_K);
    auto d = panel.shown().ggmlDetail;
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->error.empty()) << d->error;
    EXPECT_EQ(d->detail.written, DType::Q4_K);
    EXPECT_EQ(d->detail.total.finish(0, 0).sqnrDb, g->rows[q4k].stats.sqnrDb);
    EXPECT_EQ(d->detail.total.finish(0, 0).mse, g->rows[q4k].stats.mse);
    ASSERT_EQ(d->detail.rows.size(), 4u);
    // The bars as drawn: worst first, one per row.
    const auto& bars = panel.shown().ggmlRowSqnr;
    ASSERT_EQ(bars.size(), 4u);
    for (size_t i = 1; i < bars.size(); ++i) EXPECT_LE(bars[i - 1], bars[i]);
    // Blocks: Q4_K's sub-blocks of 32 (8 per row); the worst is in the row of the largest scale.
    EXPECT_EQ(d->detail.blockElements, 32u);
    EXPECT_EQ(d->detail.blocks, 32u);
    ASSERT_EQ(d->detail.worstBlocks.size(), 10u);
    EXPECT_EQ(d->detail.worstBlocks[0].row, 3u);
    // Exports: one line per row, one per listed block with its share.
    const ExportTable rows = ggmlDetailRowsExport(*d, "t");
    EXPECT_EQ(rows.rows.size(), 4u);
    const ExportTable blocks = ggmlDetailBlocksExport(*d, "t");
    ASSERT_EQ(blocks.rows.size(), 10u);
    EXPECT_EQ(blocks.columns.back(), "share_of_sum_sq_error");
}

// A type that falls back shows the fallback's detail (rows of 32: q4_K is written as q5_0), and a 1-D tensor
// shows that nothing is quantized (llama-quantize keeps it).
TEST_F(ComparePanelHeadless, LlamaCppDetailOfAFallbackAndOfAKeptTensor) {
    std::vector<float> v;
    for (int i = 0; i < 64; ++i) v.push_back(float(i) / 8.0f - 4.0f);
    ASSERT_TRUE(state.openFile(npy("cmp-llama-fallback.npy", {2, 32}, v)));
    panel.setMode(ComparePanel::Mode::LlamaCpp);
    EXPECT_TRUE(panel.setLlamaCppDetail("Q4_K"));
    EXPECT_FALSE(panel.setLlamaCppDetail("q4_k_m"));  // a llama-quantize preset, not a type
    for (int i = 0; i < 4 && !panel.shown().ggmlDetail; ++i) settle();
    auto d = panel.shown().ggmlDetail;
    ASSERT_TRUE(d);
    EXPECT_EQ(d->type, DType::Q4_K);
    EXPECT_EQ(d->detail.written, DType::Q5_0);
    EXPECT_EQ(d->detail.rows.size(), 2u);
    auto want = ggmlRequantError(state.currentDocument()->model->view(0), DType::Q5_0);
    ASSERT_TRUE(want);
    EXPECT_EQ(d->detail.total.finish(0, 0).mse, want->mse);

    ASSERT_TRUE(state.openFile(npy("cmp-llama-kept.npy", {64}, v)));
    for (int i = 0; i < 4 && !(panel.shown().ggmlDetail && panel.shown().ggmlDetail->detail.kept); ++i) settle();
    d = panel.shown().ggmlDetail;
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->detail.kept);
    EXPECT_TRUE(d->detail.rows.empty());
}

}  // namespace
}  // namespace qv
