// Export in the real AppUi, headless: the regions' screen rectangles a PNG is cropped to (worked out from
// ImGui's default style), the two-frame delay that keeps the menu out of the PNG, the CSV button of the
// calibrator table, and File ▸ Export all tables writing every table of the current tensor.
#include <gtest/gtest.h>
#include <imgui.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/export/export_buttons.h"
#include "app/export/view_capture.h"
#include "app_test_support.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

namespace fs = std::filesystem;

class ExportUi : public test::HeadlessUiFixture {
protected:
    void openSmall() {
        std::string path = test::tempPath("export-ui.npy");
        std::vector<float> v;
        for (int i = 0; i < 64; ++i) v.push_back(float(i - 32) / 8.0f);  // −4 … 3.875
        test::writeNpyF32(path, {8, 8}, v);
        ASSERT_TRUE(state.openFile(path)) << state.message().text;
        settle();
    }
    std::string freshDir(const std::string& name) {
        std::string d = test::tempPath(name);
        fs::remove_all(d);
        return d;
    }
};

TEST_F(ExportUi, RegionRectanglesFollowTheLayout) {
    openSmall();
    frame();
    // Display 1400 × 900, ImGui's default style: window padding 8, frame padding (4, 3), item spacing
    // (8, 4), built-in font 13 px. Menu bar 13 + 2·3 = 19 → content starts at y = 19 + 8 = 27, x = 8;
    // content 1384 × 865. Child sizes are floored (ImGui BeginChildEx). Browser width
    // floor(max(260, 0.33·1384 = 456.72)) = 456; status line 19 + 4 + 4 = 27 → main height 865 − 27 = 838.
    // The borderless "right" child has no padding: x = 8 + 456 + 8 = 472, width 1392 − 472 = 920; the
    // histogram takes floor(838 / 2) = 419 of it.
    const auto& r = ui->ui().viewRects;
    auto expectRect = [](const ViewRect& got, ViewRect want, const char* what) {
        EXPECT_EQ(got.x, want.x) << what;
        EXPECT_EQ(got.y, want.y) << what;
        EXPECT_EQ(got.w, want.w) << what;
        EXPECT_EQ(got.h, want.h) << what;
    };
    expectRect(r[size_t(CaptureView::Browser)], {8, 27, 456, 838}, "browser");
    expectRect(r[size_t(CaptureView::Histogram)], {472, 27, 920, 419}, "histogram");
    // Controls: floor(0.34 · 920 = 312.8) = 312 wide, below the histogram (+4 spacing): y 450, height
    // 838 − 423 = 415. Tabs: x = 472 + 312 + 8 = 792, width 1392 − 792 = 600.
    expectRect(r[size_t(CaptureView::Controls)], {472, 450, 312, 415}, "controls");
    expectRect(r[size_t(CaptureView::Tab)], {792, 450, 600, 415}, "tab");
    EXPECT_EQ(r[size_t(CaptureView::Window)].w, 0.0f) << "the window is the whole framebuffer";
    // The framebuffer rectangles of the histogram PNG at 1:1 and on a 2× HiDPI framebuffer.
    EXPECT_EQ(framebufferRect(r[size_t(CaptureView::Histogram)], 1400, 900, 1400, 900), (PixelRect{472, 27, 920, 419}));
    EXPECT_EQ(framebufferRect(r[size_t(CaptureView::Histogram)], 1400, 900, 2800, 1800), (PixelRect{944, 54, 1840, 838}));
}

TEST_F(ExportUi, PngRequestWaitsForTheMenuToClose) {
    openSmall();
    ui->ui().exportDir = "/tmp/qv-export-dir";
    ui->requestPng(CaptureView::Histogram);
    EXPECT_TRUE(ui->pngPending());
    frame();  // the frame that still shows the menu: nothing to write yet
    EXPECT_TRUE(ui->ui().pngRequest.empty());
    frame();
    EXPECT_EQ(ui->ui().pngRequest, "/tmp/qv-export-dir/quantviz-histogram.png");
    EXPECT_EQ(ui->ui().pngView, CaptureView::Histogram);
}

TEST_F(ExportUi, RightClickOffersAPngOfTheRegion) {
    openSmall();
    ui->ui().exportDir = "/tmp/qv-export-dir";
    const ViewRect& h = ui->ui().viewRects[size_t(CaptureView::Histogram)];
    ImGuiIO& io = ImGui::GetIO();
    const float mx = h.x + h.w * 0.5f, my = h.y + h.h * 0.5f;
    io.MousePos = ImVec2(mx, my);
    frame();
    io.MouseDown[1] = true;
    frame();
    io.MouseDown[1] = false;
    frame();  // released: the region's menu opens at the mouse
    frame();
    // First item "Save histogram as PNG": the popup's padding (8) plus half a line in.
    click(mx + 8 + 30, my + 8 + 6);
    frame();
    frame();
    EXPECT_EQ(ui->ui().pngRequest, "/tmp/qv-export-dir/quantviz-histogram.png");
    EXPECT_EQ(ui->ui().pngView, CaptureView::Histogram);
}

TEST_F(ExportUi, CalibratorCsvButtonWritesTheTable) {
    openSmall();
    const std::string dir = freshDir("export-ui-button");
    ui->ui().exportDir = dir;
    ui->ui().tab = BottomTab::Calibrators;
    ui->ui().tabRequested = 2;
    settle();
    // The "CSV" small button is the first item of the tab's content: below the tab bar (19 px) and the
    // spacing after it, at the content's left edge (padding 8).
    const ViewRect& t = ui->ui().viewRects[size_t(CaptureView::Tab)];
    click(t.x + 8 + 8, t.y + 8 + 19 + 4 + 4 + 6);
    const std::string csv = dir + "/export-ui-calibrators.csv";
    ASSERT_TRUE(fs::exists(csv)) << "status: " << state.status();
    std::ifstream f(csv);
    std::string header;
    std::getline(f, header);
    EXPECT_EQ(header, "calibrator,spec,clip_min,clip_max,scale,zero_point,mse,sqnr_db,max_abs_error,"
                      "clipped_percent,codes_used,exact,best_in");
    std::string line;
    std::getline(f, line);
    // Min-max of −4 … 3.875, symmetric 8-bit: clip [−4, 4], scale fl32(4/127) written exactly, zero point 0.
    EXPECT_NE(line.find(",minmax,-4,4,0.031496062874794006,0,"), std::string::npos) << line;
    EXPECT_NE(state.status().find("wrote " + csv), std::string::npos) << state.status();
}

TEST_F(ExportUi, CompareCsvButtonSitsAtTheRightOfTheFirstLine) {
    openSmall();
    const std::string dir = freshDir("export-ui-compare");
    ui->ui().exportDir = dir;
    QuantScheme b = state.scheme();
    b.bits = 4;
    state.setCompare(b, "minmax");
    ui->ui().tab = BottomTab::Compare;
    ui->ui().tabRequested = 2;
    settle();
    // Right-aligned in the tab's content (600 − 2·8 padding wide, no scrollbar): the CSV button starts
    // exportButtonsWidth() before the right edge; the first line is where the calibrator table's was.
    const ViewRect& t = ui->ui().viewRects[size_t(CaptureView::Tab)];
    click(t.x + t.w - 8 - exportButtonsWidth() + 8, t.y + 8 + 19 + 4 + 4 + 6);
    const std::string csv = dir + "/export-ui-compare.csv";
    ASSERT_TRUE(fs::exists(csv)) << "status: " << state.status();
    std::ifstream f(csv);
    std::stringstream ss;
    ss << f.rdbuf();
    // A: 8-bit min-max, B: 4-bit min-max, both clip [−4, 4] (symmetric): clip rows equal, B − A = 0.
    EXPECT_EQ(ss.str().substr(0, 53), "metric,a,b,b_minus_a\nclip_min,-4,-4,0\nclip_max,4,4,0\n");
}

TEST_F(ExportUi, ExportAllWritesEveryTableOfTheTensor) {
    openSmall();
    const std::string dir = freshDir("export-ui-all");
    ui->ui().exportDir = dir;
    ui->ui().tab = BottomTab::Heatmap;  // the heatmap's lists are exported once the panel has drawn them
    ui->ui().tabRequested = 2;
    settle();
    settle();
    int files = ui->exportAllTables();
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    // Per tensor (a .npy tensor is named after the file): calibrators, code usage, heatmap top-k and ranges;
    // per model: metadata and the tensor list. No channels (per-tensor scheme), compare, GEMM or overview.
    std::vector<std::string> want;
    for (std::string t : {"export-ui-calibrators", "export-ui-code-usage", "export-ui-heatmap-column-ranges",
                          "export-ui-heatmap-row-ranges",
                          "export-ui-heatmap-topk", "export-ui.npy-metadata", "export-ui.npy-tensors"})
        for (std::string ext : {".csv", ".json"}) want.push_back(t + ext);
    std::sort(want.begin(), want.end());
    EXPECT_EQ(names, want);
    EXPECT_EQ(files, int(want.size()));
    EXPECT_NE(state.status().find("wrote 14 files (7 tables"), std::string::npos) << state.status();
    // The code-usage CSV: 8 bits, scale 4/127: the 64 values −4 … 3.875 in steps of 1/8 land on 64
    // distinct codes (the step is 127/32 ≈ 3.97 codes), so 64 codes hold one value each.
    std::ifstream f(dir + "/export-ui-code-usage.csv");
    std::string line;
    int ones = 0, rows = 0;
    std::getline(f, line);
    EXPECT_EQ(line, "code,count,share");
    while (std::getline(f, line)) {
        ++rows;
        std::string count = line.substr(line.find(',') + 1);
        count = count.substr(0, count.find(','));
        ones += count == "1";
    }
    EXPECT_EQ(rows, 255);  // codes −127 … 127
    EXPECT_EQ(ones, 64);
}

TEST_F(ExportUi, ExportAllSaysWhenTheHeatmapTablesAreMissing) {
    openSmall();
    const std::string dir = freshDir("export-ui-noheatmap");
    ui->ui().exportDir = dir;
    settle();
    // Written at once, before the heatmap of this tensor exists (the Heatmap tab never drew it): its three
    // tables are left out, and the status says why.
    EXPECT_EQ(ui->exportAllTables(), 8);  // calibrators, code usage, metadata, tensors × CSV + JSON
    EXPECT_NE(state.status().find("wrote 8 files (4 tables"), std::string::npos) << state.status();
    EXPECT_NE(state.status().find("no heatmap tables: the heatmap of this tensor is not built yet"), std::string::npos)
        << state.status();
    EXPECT_FALSE(fs::exists(dir + "/export-ui-heatmap-topk.csv"));
}

TEST_F(ExportUi, ExportAllFromTheMenuBuildsTheHeatmapTablesWithoutTheTab) {
    openSmall();
    const std::string dir = freshDir("export-ui-menu");
    ui->ui().exportDir = dir;
    settle();
    ASSERT_NE(ui->ui().tab, BottomTab::Heatmap);
    // File > Export all tables: nothing is written until the heatmap of the tensor is built on AppState's
    // job queue; the frames keep coming meanwhile, and the export then writes all 7 tables.
    ui->beginExportAll();
    if (ui->exportAllPending()) {
        EXPECT_NE(state.status().find("building the heatmap"), std::string::npos) << state.status();
        EXPECT_FALSE(fs::exists(dir));
    }
    for (int i = 0; i < 200 && ui->exportAllPending(); ++i) settle();
    ASSERT_FALSE(ui->exportAllPending());
    EXPECT_NE(state.status().find("wrote 14 files (7 tables"), std::string::npos) << state.status();
    // Top-k of the 64 values −4 … 3.875: the largest |x| is −4 at flat index 0 (row 0, column 0).
    std::ifstream f(dir + "/export-ui-heatmap-topk.csv");
    std::string header, first;
    std::getline(f, header);
    std::getline(f, first);
    EXPECT_NE(header.find("value"), std::string::npos) << header;
    EXPECT_NE(first.find("-4"), std::string::npos) << first;
}

}  // namespace
}  // namespace qv
