// Headless frames of the heatmap panel: no GL context, so the null texture sink records the uploads;
// hover injected over a known element must report that element's value, code and error.
#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app/app_state.h"
#include "app/panels/heatmap_panel.h"
#include "app/widgets/texture.h"
#include "app_test_support.h"
#include "headless_ui_fixture.h"
#include "core/quant/quantizer.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

class HeatmapPanelHeadless : public ::testing::Test {
protected:
    void SetUp() override {
        test::createHeadlessImGuiContext(ImVec2(1200, 800));
        setTextureSink(nullptr);  // the null sink
    }
    void TearDown() override { ImGui::DestroyContext(); }
    void frame() {
        state.poll();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(1200, 800));
        ImGui::Begin("heatmap");
        panel.draw(state, ui);
        ImGui::End();
        ImGui::Render();
        state.update(false);
    }
    void settle() {
        for (int i = 0; i < 6; ++i) {
            state.waitSettled();
            frame();
        }
    }
    // Screen position of the centre of element (r, c) at the fitted zoom.
    ImVec2 at(int64_t r, int64_t c, int64_t rows, int64_t cols) const {
        ImVec2 p0 = panel.mapOrigin(), s = panel.mapSize();
        return ImVec2(p0.x + (float(c) + 0.5f) * s.x / float(cols), p0.y + (float(r) + 0.5f) * s.y / float(rows));
    }

    AppState state;
    UiState ui;
    HeatmapPanel panel;
};

TEST_F(HeatmapPanelHeadless, DrawsTextureAndHoverReadsTheElement) {
    // 32 × 64, small ramp with one outlier 8 at (5, 40).
    std::vector<float> v(32 * 64);
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 64; ++c) v[size_t(r * 64 + c)] = float(r - 16) * 0.01f + float(c) * 0.001f;
    v[5 * 64 + 40] = 8.0f;
    std::string path = test::tempPath("heatmap-panel.npy");
    test::writeNpyF32(path, {32, 64}, v);
    ASSERT_TRUE(state.openFile(path));
    state.setBits(4);
    settle();
    auto d = panel.data();
    ASSERT_TRUE(d);
    EXPECT_EQ(d->layout.rows, 32);
    EXPECT_EQ(d->layout.cols, 64);
    EXPECT_TRUE(d->hasError);
    EXPECT_EQ(d->top[0].value, 8.0f);
    EXPECT_EQ(d->pyramid.level(d->pyramid.topLevel()).vmax[0], 8.0f);
    // Fitted: fewer elements than pixels → level 0, one texel per element, uploaded through the sink.
    EXPECT_EQ(panel.shownLevel(), 0);
    const NullTextureSink& sink = nullTextureSink();
    EXPECT_GE(sink.uploads, 1);
    EXPECT_EQ(sink.lastWidth, 64);
    EXPECT_EQ(sink.lastHeight, 32);
    EXPECT_EQ(sink.lastFirstTexel,
              cellColor(d->pyramid.level(0), 0, HeatmapMode::Value, d->pyramid.absMax, d->pyramid.errAbsMax));
    // Row 5 has the outlier: range 8 − (−0.11) far above the median ≈ 0.063 → flagged by the bars.
    EXPECT_EQ(outlierChannels(d->rowMin, d->rowMax, 4.0), (std::vector<int64_t>{5}));

    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = at(5, 40, 32, 64);
    frame();
    const auto& h = panel.hover();
    ASSERT_TRUE(h.valid);
    EXPECT_EQ(h.row, 5);
    EXPECT_EQ(h.col, 40);
    EXPECT_EQ(h.index, 5u * 64 + 40);
    EXPECT_EQ(h.value, 8.0f);
    ASSERT_TRUE(h.quantized);
    // Min-max at 4 bits symmetric: s = 8/7, so 8 → code 7, x̂ = 8 (up to float rounding of s·7).
    auto a = state.analysis();
    ASSERT_TRUE(a && a->activeRow());
    Quantizer q(a->scheme, a->activeRow()->params.slices[0]);
    EXPECT_EQ(h.code, 7);
    EXPECT_EQ(h.code, q.quantize(8.0f));
    EXPECT_EQ(h.error, q.fakeQuantize(8.0f) - 8.0f);

    // Wheel zoom about the mouse keeps the same element under it.
    io.MouseWheel = 4;
    frame();
    io.MouseWheel = 0;
    frame();
    EXPECT_EQ(panel.hover().row, 5);
    EXPECT_EQ(panel.hover().col, 40);

    // Focusing on the outlier (a click in the top-k list) zooms to 32 elements a side centred on it:
    // column 40 comes under the map's centre; the 32 rows are all shown already (the view stays
    // inside the matrix), so the centre row is 16.
    panel.focus(5, 40);
    io.MousePos = ImVec2(panel.mapOrigin().x + panel.mapSize().x / 2, panel.mapOrigin().y + panel.mapSize().y / 2);
    frame();
    EXPECT_EQ(panel.hover().col, 40);
    EXPECT_EQ(panel.hover().row, 16);

    // Error mode re-uploads: the first texel is the error colour of element (0, 0) now.
    int before = sink.uploads;
    panel.setMode(HeatmapMode::Error);
    frame();
    EXPECT_GT(sink.uploads, before);
}

TEST_F(HeatmapPanelHeadless, SliceOfAFourDimensionalTensor) {
    // [4, 3, 2, 5] ramp: element value = flat index. Slice (2, 1) is [2, 5] from flat 70.
    std::vector<float> v(120);
    for (int i = 0; i < 120; ++i) v[size_t(i)] = float(i);
    std::string path = test::tempPath("heatmap-conv.npy");
    test::writeNpyF32(path, {4, 3, 2, 5}, v);
    ASSERT_TRUE(state.openFile(path));
    settle();
    ASSERT_TRUE(panel.data());
    EXPECT_EQ(panel.data()->layout.rows, 4);   // as the layer uses it: [O, I·kh·kw]
    EXPECT_EQ(panel.data()->layout.cols, 30);
    panel.setNdMode(NdMode::Slice, {2, 1});
    settle();
    auto d = panel.data();
    ASSERT_TRUE(d);
    EXPECT_EQ(d->layout.rows, 2);
    EXPECT_EQ(d->layout.cols, 5);
    EXPECT_EQ(d->layout.offset, 70u);
    EXPECT_EQ(d->rowMin, (std::vector<float>{70, 75}));
    EXPECT_EQ(d->colMax, (std::vector<float>{75, 76, 77, 78, 79}));
    // Hover element (1, 3) of the slice: flat 70 + 5 + 3 = 78.
    ImGui::GetIO().MousePos = at(1, 3, 2, 5);
    frame();
    ASSERT_TRUE(panel.hover().valid);
    EXPECT_EQ(panel.hover().index, 78u);
    EXPECT_EQ(panel.hover().value, 78.0f);
}

TEST_F(HeatmapPanelHeadless, ZoomedOutTextureKeepsASingleOutlier) {
    // 1024 × 4096 (4M elements) of values in ±0.01 and one 50 at (700, 3001): fitted into a map of a few
    // hundred pixels, a coarser level is used, and the pixel holding the outlier has the extreme colour.
    const int64_t R = 1024, C = 4096;
    std::vector<float> v(size_t(R * C));
    for (int64_t i = 0; i < R * C; ++i) v[size_t(i)] = 0.01f * float((i * 2654435761LL) % 2001 - 1000) / 1000.0f;
    v[size_t(700 * C + 3001)] = 50.0f;
    std::string path = test::tempPath("heatmap-big.npy");
    test::writeNpyF32(path, {R, C}, v);
    ASSERT_TRUE(state.openFile(path));
    settle();
    auto d = panel.data();
    ASSERT_TRUE(d);
    const int k = panel.shownLevel();
    ASSERT_GT(k, 0);
    // The coarsest level with at least one cell per pixel on the finer axis (2^k ≤ elements per pixel
    // < 2^(k+1)), unless that level is finer than the finest stored one (4M cells > the 2M-cell cap:
    // level 0 is not kept).
    const double sx = double(C) / panel.mapSize().x, sy = double(R) / panel.mapSize().y;
    EXPECT_EQ(d->pyramid.firstLevel, 1);
    EXPECT_EQ(k, std::max(1, int(std::floor(std::log2(std::min(sx, sy))))));
    // Zoomed out: one texel per screen pixel (the GPU's nearest sampling then skips none), each the
    // extremes of the level-k cells under it; the outlier's pixel shows the extreme colour, and at
    // most its 2 × 2 neighbourhood (cells straddling pixel edges) does too.
    const NullTextureSink& sink = nullTextureSink();
    const int W = int(panel.mapSize().x), H = int(panel.mapSize().y);
    ASSERT_EQ(sink.lastWidth, W);
    ASSERT_EQ(sink.lastHeight, H);
    const size_t t = size_t(int64_t(700 / sy)) * size_t(W) + size_t(int64_t(3001 / sx));
    EXPECT_EQ(sink.lastTexels[t], divergingColor(1.0f));
    auto hot = std::count(sink.lastTexels.begin(), sink.lastTexels.end(), divergingColor(1.0f));
    EXPECT_GE(hot, 1);
    EXPECT_LE(hot, 4);
}

}  // namespace
}  // namespace qv
