// Model browser, headless: the layer tree collapses and opens on click, selection opens the path to
// its tensor; a stored-quantized GGUF tensor against its F32 twin (--reference) gives the file's own
// error and quantviz's scheme on the reference, both checked against sums worked out here.
#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>

#include "app/app_state.h"
#include "app/app_ui.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

class BrowserUi : public test::HeadlessUiFixture {
protected:
    BrowserUi() : HeadlessUiFixture(ImVec2(1600, 1000)) {}
    // The browser's rows react one frame after the release.
    void click(float x, float y) { HeadlessUiFixture::click(x, y, 1); }
    const ModelBrowser::GroupRect* group(const std::string& path) {
        for (const auto& g : ui->browser().groupRects())
            if (g.path == path) return &g;
        return nullptr;
    }
    bool leafDrawn(size_t tensor) {
        for (const auto& r : ui->browser().rowRects())
            if (r.tensor == tensor) return true;
        return false;
    }

};

TEST_F(BrowserUi, GroupRowsCollapseAndSelectionOpensItsPath) {
    QV_REQUIRE_SHARED_MODEL(model, "stories260K/stories260K-f32.gguf");
    ASSERT_TRUE(state.openFile(model));
    settle();
    auto blk1 = state.documents()[0].model->find("blk.1.attn_q.weight");
    ASSERT_TRUE(blk1);
    // 48 tensors: the tree opens fully expanded; blk ▸ 0 holds the first layer's tensors.
    const auto* g = group("blk.0");
    ASSERT_NE(g, nullptr) << "the group row blk.0 is drawn";
    auto blk0q = state.documents()[0].model->find("blk.0.attn_q.weight");
    ASSERT_TRUE(blk0q);
    EXPECT_TRUE(leafDrawn(*blk0q));
    click(g->x0 + 20, (g->y0 + g->y1) / 2);
    EXPECT_EQ(ui->browser().expanded().count("blk.0"), 0u);
    EXPECT_FALSE(leafDrawn(*blk0q)) << "collapsing blk.0 hides its tensors";
    EXPECT_FALSE(ui->browser().flatMode());
    // Selecting a tensor inside the collapsed group (J/K, --tensor, overview click) opens its path.
    state.selectTensor(*blk0q);
    frame();
    frame();
    EXPECT_EQ(ui->browser().expanded().count("blk.0"), 1u);
    EXPECT_TRUE(leafDrawn(*blk0q));
}

TEST_F(BrowserUi, StoredQ4KAgainstF32ReferenceMatchesHandSums) {
    QV_REQUIRE_SHARED_MODEL(q4k, "hey_jarvis/hey_jarvis_v0.1-q4_k.gguf");
    QV_REQUIRE_SHARED_MODEL(f32, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    ASSERT_TRUE(state.openFile(q4k));
    ASSERT_TRUE(state.openReference(f32));
    ASSERT_TRUE(state.selectTensorByName("model.1.weight"));
    for (int i = 0; i < 6 && !state.storedComparison(); ++i) settle();  // the panel queues the job when drawn
    auto c = state.storedComparison();
    ASSERT_TRUE(c) << "the comparison job finished";
    ASSERT_TRUE(c->error.empty()) << c->error;
    EXPECT_EQ(c->referenceType, "f32");

    // By hand: the file's reconstruction against the F32 tensor.
    const ModelFile& stored = *state.documents()[0].model;
    size_t si = *stored.find("model.1.weight");
    EXPECT_EQ(storedQuantFacts(stored.tensors[si]).bitsPerWeight, 4.5);  // 144 bytes per 256 weights
    auto xhat = storedReconstruction(stored.view(si));
    auto x = state.reference()->view(*state.reference()->find("model.1.weight")).toFloat();
    ASSERT_TRUE(xhat && x);
    ASSERT_EQ(xhat.value().size(), 128u * 1536u);
    ASSERT_EQ(x.value().size(), xhat.value().size());
    double se = 0, sx = 0, amax = 0, maxe = 0;
    for (size_t i = 0; i < x.value().size(); ++i) {
        double e = double(xhat.value()[i]) - double(x.value()[i]);
        se += e * e;
        sx += double(x.value()[i]) * x.value()[i];
        amax = std::max(amax, std::fabs(double(x.value()[i])));
        maxe = std::max(maxe, std::fabs(e));
    }
    double n = double(x.value().size());
    EXPECT_EQ(c->file.count, x.value().size());
    EXPECT_NEAR(c->file.mse, se / n, 1e-9 * se / n);
    EXPECT_NEAR(c->file.relativeRms, std::sqrt(se / sx), 1e-9);
    EXPECT_NEAR(c->file.sqnrDb, 10 * std::log10(sx / se), 1e-6);
    EXPECT_EQ(c->file.maxAbsError, maxe);
    // Q4_K keeps ~4.5 bits: relative RMS of this layer between 3 % and 12 % (the whole model: ≈ 0.059).
    EXPECT_GT(c->file.relativeRms, 0.03);
    EXPECT_LT(c->file.relativeRms, 0.12);

    // quantviz's default scheme (int8, symmetric restricted, per tensor, x/s in float32) with min-max on
    // the reference: s = max|x| / 127, q = round(x/s) in −127..127, x̂ = s·q.
    const StoredComparison::Row* mm = nullptr;
    for (const auto& r : c->quantviz)
        if (r.spec == "minmax") mm = &r;
    ASSERT_NE(mm, nullptr);
    float s = float(amax) / 127.0f;
    double qe = 0;
    for (float v : x.value()) {
        float q = std::nearbyint(v / s);
        q = std::min(127.0f, std::max(-127.0f, q));
        double e = double(s * q) - double(v);
        qe += e * e;
    }
    EXPECT_NEAR(mm->stats.mse, qe / n, 1e-3 * qe / n);
    EXPECT_NEAR(mm->relativeRms, std::sqrt(qe / sx), 1e-3 * std::sqrt(qe / sx));
    // 8 bits per tensor beat the file's 4.5 bits per weight on this layer.
    EXPECT_GT(mm->stats.sqnrDb, c->file.sqnrDb);

    // The whole file against its twin: ../shared/models/README.md gives relative RMS ≈ 0.059 for q4_k.
    for (int i = 0; i < 6 && !state.storedModelComparison(); ++i) settle();
    auto whole = state.storedModelComparison();
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->tensors.size(), 20u);
    EXPECT_NEAR(whole->relativeRms, 0.059, 0.0015);

    // Changing the scheme invalidates the result; a new one arrives for 4 bits.
    state.setBits(4);
    EXPECT_FALSE(state.storedComparison());
    for (int i = 0; i < 6 && !state.storedComparison(); ++i) settle();
    ASSERT_TRUE(state.storedComparison());
    EXPECT_EQ(state.storedComparison()->scheme.bits, 4);
}

TEST_F(BrowserUi, MetadataPanelListsAndFiltersGgufKeyValues) {
    QV_REQUIRE_SHARED_MODEL(model, "stories260K/stories260K-f32.gguf");
    ASSERT_TRUE(state.openFile(model));
    const auto& md = state.documents()[0].model->metadata;
    // The file's header declares 19 KV pairs (GGUF v3, 48 tensors); the reader adds GGUF.version,
    // GGUF.tensor_count and GGUF.alignment in front of them.
    ASSERT_EQ(md.size(), 19u + 3u);
    EXPECT_EQ(md[0].key, "GGUF.version");
    EXPECT_EQ(md[0].value, "3");
    bool arch = false;
    for (const auto& e : md) arch |= e.key == "general.architecture" && e.value.find("llama") != std::string::npos;
    EXPECT_TRUE(arch);
    MetadataPanel panel;
    auto draw = [&] {
        ImGui::NewFrame();
        ImGui::Begin("metadata test");
        panel.draw(state);
        ImGui::End();
        ImGui::Render();
    };
    draw();
    EXPECT_EQ(panel.shownRows(), md.size());
    panel.setFilter("general.architecture");
    draw();
    EXPECT_EQ(panel.shownRows(), 1u);
    panel.setFilter("gguf.");  // case-insensitive: the three header entries (no KV key contains "gguf.")
    draw();
    EXPECT_EQ(panel.shownRows(), 3u);
    panel.setFilter("no-such-key-anywhere");
    draw();
    EXPECT_EQ(panel.shownRows(), 0u);
}

TEST_F(BrowserUi, PlainTensorsQueueNoComparison) {
    QV_REQUIRE_SHARED_MODEL(q4k, "hey_jarvis/hey_jarvis_v0.1-q4_k.gguf");
    QV_REQUIRE_SHARED_MODEL(f32, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    ASSERT_TRUE(state.openFile(q4k));
    ASSERT_TRUE(state.openReference(f32));
    ASSERT_TRUE(state.selectTensorByName("model.1.bias"));  // f32 in the q4_k file
    settle();
    EXPECT_FALSE(state.storedComparison());
    EXPECT_FALSE(state.storedComparisonPending());
    EXPECT_FALSE(state.openReference("/nonexistent/reference.gguf"));
    EXPECT_NE(state.message().text.find("/nonexistent/reference.gguf"), std::string::npos);
}

}  // namespace
}  // namespace qv
