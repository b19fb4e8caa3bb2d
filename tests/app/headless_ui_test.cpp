// Headless ImGui frames: the real AppUi drawn without a window or GPU, driven by injected mouse and
// keyboard input exactly as the GLFW backend would feed it (ImGui 1.86: io.MousePos/MouseDown/KeysDown).
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <cmath>

#include "app/app_state.h"
#include "app/app_ui.h"
#include "app_test_support.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

class HeadlessUi : public test::HeadlessUiFixture {
protected:
    std::string openRamp(const std::string& name) {
        std::string path = test::tempPath(name);
        std::vector<float> v;
        for (int i = 0; i < 256; ++i) v.push_back(float(i - 128) / 32.0f);  // −4 … 3.97
        test::writeNpyF32(path, {16, 16}, v);
        return path;
    }
};

TEST_F(HeadlessUi, ClickingATensorRowSelectsIt) {
    // Two files → two documents is awkward; a safetensors-free check: one npy has one tensor, so use
    // the shared model when present for a multi-tensor list.
    QV_REQUIRE_SHARED_MODEL(model, "stories260K/stories260K-f32.safetensors");
    ASSERT_TRUE(state.openFile(model));
    settle();
    EXPECT_EQ(state.selectedTensor(), size_t(0));
    const auto& rows = ui->browser().rowRects();
    ASSERT_GE(rows.size(), 5u) << "the browser drew its rows";
    const auto& r = rows[3];
    click((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2);
    EXPECT_EQ(state.selectedTensor(), r.tensor);
    EXPECT_EQ(r.tensor, 3u);
    settle();
    ASSERT_TRUE(state.analysis());
    EXPECT_EQ(state.analysis()->tensor, 3u);
}

TEST_F(HeadlessUi, ArrowKeysAndJKStepThroughTensors) {
    QV_REQUIRE_SHARED_MODEL(model, "stories260K/stories260K-f32.safetensors");
    ASSERT_TRUE(state.openFile(model));
    settle();
    key(kKeyDown);
    EXPECT_EQ(state.selectedTensor(), size_t(1));
    key('J');
    EXPECT_EQ(state.selectedTensor(), size_t(2));
    key('K');
    key(kKeyUp);
    EXPECT_EQ(state.selectedTensor(), size_t(0));
    key(kKeyUp);  // stays at the first row
    EXPECT_EQ(state.selectedTensor(), size_t(0));
}

TEST_F(HeadlessUi, DraggingTheBitsSliderChangesTheScheme) {
    ASSERT_TRUE(state.openFile(openRamp("ui-ramp.npy")));
    settle();
    EXPECT_EQ(state.scheme().bits, 8);
    const auto& c = ui->controls();
    ASSERT_GT(c.bitsX1, c.bitsX0);
    ImGuiIO& io = ImGui::GetIO();
    float y = (c.bitsY0 + c.bitsY1) / 2;
    io.MousePos = ImVec2(c.bitsX0 + 20, y);
    frame();
    io.MouseDown[0] = true;
    frame();
    io.MousePos = ImVec2(c.bitsX0 + 2, y);  // far left: the minimum
    frame();
    EXPECT_TRUE(ui->interacting()) << "a held slider counts as interaction";
    EXPECT_EQ(state.scheme().bits, 2);
    EXPECT_FALSE(state.exactPending()) << "no exact pass while the slider is held";
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    EXPECT_EQ(a->scheme.bits, 2);
    EXPECT_FALSE(a->activeRow()->exact) << "only the estimate while dragging";
    io.MousePos = ImVec2(c.bitsX1 - 2, y);  // far right: the maximum
    frame();
    EXPECT_EQ(state.scheme().bits, 16);
    io.MouseDown[0] = false;
    frame();
    EXPECT_FALSE(ui->interacting());
    settle();
    a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    EXPECT_TRUE(a->activeRow()->exact) << "released: the exact pass replaced the estimate";
}

TEST_F(HeadlessUi, DraggingAClipHandleSetsAManualRange) {
    ASSERT_TRUE(state.openFile(openRamp("ui-ramp2.npy")));
    QuantScheme s = state.scheme();
    s.symmetry = Symmetry::Asymmetric;  // a one-sided manual range stays one-sided
    state.setScheme(s);
    settle();
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    const double hi = a->activeRow()->range.hi;  // asymmetric min-max: [−4, 3.96875]
    EXPECT_EQ(hi, 3.96875);
    const auto& h = ui->histogram();
    float x = h.pixelOf(hi);
    float y = (h.lastP0y + h.lastP1y) / 2;
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(x, y);
    frame();
    io.MouseDown[0] = true;
    frame();
    float target = h.pixelOf(2.0);
    io.MousePos = ImVec2(target, y);
    frame();
    EXPECT_TRUE(ui->interacting());
    frame();
    ASSERT_TRUE(state.manualRange());
    EXPECT_EQ(state.activeCalibrator(), "manual");
    EXPECT_NEAR(state.manualRange()->hi, 2.0, 2 * (h.lastXHi - h.lastXLo) / (h.lastP1x - h.lastP0x));
    EXPECT_EQ(state.manualRange()->lo, -4.0);
    io.MouseDown[0] = false;
    frame();
    settle();
    a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    EXPECT_EQ(a->activeRow()->spec, "manual");
    ASSERT_TRUE(a->activeRow()->exact);
    // Values above the manual hi (≈ 2) are clipped: x = i/32 − 4 > 2 for i ≥ 193 → 63 values (±1 for
    // the pixel the handle landed on).
    EXPECT_NEAR(double(a->activeRow()->exact->total.clippedCount), 63.0, 2.0);
}

TEST_F(HeadlessUi, LogScaleShortcutAndErrorDialog) {
    ASSERT_TRUE(state.openFile(openRamp("ui-ramp3.npy")));
    settle();
    EXPECT_FALSE(ui->ui().logY);
    key('L');
    EXPECT_TRUE(ui->ui().logY);
    EXPECT_FALSE(state.openFile(test::tempPath("missing.safetensors")));
    frame();
    frame();
    ImGuiWindow* dialog = ImGui::FindWindowByName("Problem");
    ASSERT_TRUE(dialog) << "the error dialog was drawn";
    EXPECT_TRUE(dialog->Active || dialog->WasActive);
    EXPECT_EQ(GImGui->OpenPopupStack.Size, 1);
    EXPECT_EQ(state.documents().size(), 1u) << "the open document survives a failed open";
}

TEST_F(HeadlessUi, CtrlOOpensTheFileBrowser) {
    ImGuiIO& io = ImGui::GetIO();
    frame();
    io.KeyCtrl = true;
    key('O');
    io.KeyCtrl = false;
    frame();
    ImGuiWindow* dialog = ImGui::FindWindowByName("Open file");
    ASSERT_TRUE(dialog) << "Ctrl+O opened the in-app file browser";
    EXPECT_TRUE(dialog->Active || dialog->WasActive);
}

// The Channels tab on a per-tensor scheme offers the scheme it needs: a click on "per channel (axis 0)"
// or "per group of 32" switches the granularity and the tab then shows one bar per slice.
TEST_F(HeadlessUi, ChannelsTabSwitchesToPerChannelOrPerGroupInOneClick) {
    std::string path = test::tempPath("ui-channels.npy");
    std::vector<float> v;
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 64; ++c) v.push_back(float(r + 1) * float(c - 32) / 32.0f);  // row r: max |x| = r + 1
    test::writeNpyF32(path, {4, 64}, v);
    ASSERT_TRUE(state.openFile(path));
    settle();
    ui->ui().tab = BottomTab::Channels;
    ui->ui().tabRequested = 2;
    frame();
    frame();
    auto b = ui->codeUsage().perChannelButton();
    ASSERT_GE(b.x, 0) << "per-tensor scheme: the button is offered";
    click(b.x, b.y, 1);
    settle();
    EXPECT_EQ(state.scheme().granularity, Granularity::PerChannel);
    EXPECT_EQ(state.scheme().axis, 0);
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    ASSERT_EQ(a->activeRow()->params.slices.size(), 4u);
    // Symmetric restricted 8-bit min-max per row: s_r = (r + 1) / 127.
    for (int r = 0; r < 4; ++r) EXPECT_FLOAT_EQ(a->activeRow()->params.slices[size_t(r)].scale, float(r + 1) / 127.0f);
    EXPECT_LT(ui->codeUsage().perChannelButton().x, 0) << "per-channel scheme: the bars, no button";

    QuantScheme s = state.scheme();
    s.granularity = Granularity::PerTensor;
    state.setScheme(s);
    settle();
    frame();
    auto g = ui->codeUsage().perGroupButton();
    ASSERT_GE(g.x, 0);
    click(g.x, g.y, 1);
    settle();
    EXPECT_EQ(state.scheme().granularity, Granularity::PerGroup);
    EXPECT_EQ(state.scheme().groupSize, 32);
    a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    EXPECT_EQ(a->activeRow()->params.slices.size(), 8u);  // 4 rows × 2 groups of 32
}

// Compare ▸ llama.cpp types ▸ worst blocks: a click on a block shows it in the Heatmap tab, zoomed so that
// the map's centre is the block's middle element. 64 rows of 256, all alike but row 40, scaled by 5 (so the
// worst Q4_K sub-block of 32 lies in row 40). The zoom: focus() spans 32 rows and 32 columns around
// (row, start + 16), so the centre pixel reads that element (±1 column where the view meets an edge).
TEST_F(HeadlessUi, AWorstLlamaCppBlockOpensInTheHeatmap) {
    std::string path = test::tempPath("ui-worst-block.npy");
    std::vector<float> v(64 * 256);
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(float(i % 256) * 0.37f) * (i / 256 == 40 ? 5.0f : 1.0f);
    test::writeNpyF32(path, {64, 256}, v);
    ASSERT_TRUE(state.openFile(path));
    ui->comparePanel().setMode(ComparePanel::Mode::LlamaCpp);
    ASSERT_TRUE(ui->comparePanel().setLlamaCppDetail("q4_K"));
    ui->comparePanel().showLlamaCppDetailView(ComparePanel::DetailView::Blocks);
    ui->ui().tab = BottomTab::Compare;
    ui->ui().tabRequested = 2;
    for (int i = 0; i < 10 && ui->comparePanel().shown().ggmlWorstBlockCentres.empty(); ++i) settle();
    const auto& centres = ui->comparePanel().shown().ggmlWorstBlockCentres;
    ASSERT_FALSE(centres.empty());
    auto d = ui->comparePanel().shown().ggmlDetail;
    ASSERT_TRUE(d);
    const auto worst = d->detail.worstBlocks.front();
    EXPECT_EQ(worst.row, 40u);
    click(centres.front().first, centres.front().second);
    settle();
    EXPECT_EQ(ui->ui().tab, BottomTab::Heatmap);
    const HeatmapPanel& h = ui->heatmap();
    ASSERT_GT(h.mapSize().x, 0);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(h.mapOrigin().x + h.mapSize().x / 2, h.mapOrigin().y + h.mapSize().y / 2);
    frame();
    ASSERT_TRUE(h.hover().valid);
    EXPECT_EQ(h.hover().row, int64_t(worst.row));
    EXPECT_NEAR(double(h.hover().col), double(worst.column + 16), 1.0);
    ASSERT_TRUE(h.outline());  // the block is outlined: row 40, its 32 columns
    EXPECT_EQ(h.outline()->row, 40);
    EXPECT_EQ(h.outline()->colFirst, int64_t(worst.column));
    EXPECT_EQ(h.outline()->colLast, int64_t(worst.column + 31));
}

TEST_F(HeadlessUi, EveryTabDrawsOnARealTensor) {
    ASSERT_TRUE(state.openFile(openRamp("ui-tabs.npy")));
    settle();
    for (BottomTab t : {BottomTab::Codes, BottomTab::ErrorPlot, BottomTab::Channels, BottomTab::Heatmap,
                        BottomTab::Overview, BottomTab::Calibrators}) {
        ui->ui().tab = t;
        ui->ui().tabRequested = 2;
        frame();
        frame();
        settle();
        EXPECT_EQ(ui->ui().tab, t);
    }
    // The heatmap tab's own job (HeatmapPanel::data, tested in heatmap_panel_test.cpp) is the only pass:
    // no second, coarse grid is requested through AppState any more.
}

}  // namespace
}  // namespace qv
