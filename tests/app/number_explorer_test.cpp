// Number explorer: --number-explorer VALUE parsing, the window opened from the option's path
// (AppUi::numberExplorer().show) and from View ▸ Number explorer, and the rows it shows for the seeds'
// 25.125 (values worked out by hand in tests/core/quant/number_bits_test.cpp).
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <cmath>
#include <string>

#include "app/app_options.h"
#include "app/app_ui.h"
#include "app_test_support.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

TEST(NumberExplorerOptions, ParsesTheValue) {
    std::string err;
    auto o = parseAppOptions({"--number-explorer", "25.125"}, &err);
    ASSERT_TRUE(o) << err;
    EXPECT_TRUE(o->numberExplorer);
    EXPECT_EQ(o->numberExplorerValue, 25.125);
    auto z = parseAppOptions({"--number-explorer", "-0"}, &err);
    ASSERT_TRUE(z);
    EXPECT_TRUE(std::signbit(z->numberExplorerValue));
    auto n = parseAppOptions({"--number-explorer", "nan"}, &err);
    ASSERT_TRUE(n);
    EXPECT_TRUE(std::isnan(n->numberExplorerValue));
    EXPECT_FALSE(parseAppOptions({"--number-explorer", "25.1x"}, &err));
    EXPECT_FALSE(parseAppOptions({"--number-explorer"}, &err));
    auto none = parseAppOptions({}, &err);
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->numberExplorer);
}

class NumberExplorerUi : public test::HeadlessUiFixture {
protected:
    ImGuiWindow* explorerWindow() {
        ImGuiWindow* w = ImGui::FindWindowByName("Number explorer");
        return w && w->WasActive ? w : nullptr;
    }
};

// main.cpp calls show(value) for --number-explorer; the window then draws the seeds' example: E4M3
// stores 26 (0x5D), E5M2 24, E2M1 saturates to 6, int8 25, Q8.8 0x1920.
TEST_F(NumberExplorerUi, ShowsTheSeedExample) {
    frame();
    EXPECT_EQ(explorerWindow(), nullptr) << "closed until asked for";
    ui->numberExplorer().show(25.125);
    frame();
    frame();
    ASSERT_NE(explorerWindow(), nullptr);
    EXPECT_GE(ui->numberExplorer().drawnFrames(), 2);
    const NumberExplorer& ne = ui->numberExplorer();
    EXPECT_EQ(ne.shownFloat(FloatFormat::Fp8E4M3).value, 26.0);
    EXPECT_EQ(ne.shownFloat(FloatFormat::Fp8E4M3).bits, 0x5Du);
    EXPECT_EQ(ne.shownFloat(FloatFormat::Fp8E5M2).value, 24.0);
    EXPECT_TRUE(ne.shownFloat(FloatFormat::Fp4E2M1).saturated);
    EXPECT_EQ(ne.shownFloat(FloatFormat::Fp32).bits, 0x41C90000u);
    EXPECT_EQ(ne.shownInt().code, 25);
    EXPECT_EQ(ne.shownFixed().bits, 0x1920u);
    // The window fits on the screen and is on top of the main window.
    ImGuiWindow* w = explorerWindow();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    EXPECT_GE(w->Pos.x, 0.0f);
    EXPECT_GE(w->Pos.y, 0.0f);
    EXPECT_LE(w->Pos.x + w->Size.x, display.x);
    EXPECT_LE(w->Pos.y + w->Size.y, display.y);
    ImGui::GetIO().MousePos = ImVec2(w->Pos.x + w->Size.x * 0.5f, w->Pos.y + w->Size.y * 0.5f);
    frame();
    ASSERT_NE(GImGui->HoveredWindow, nullptr);
    EXPECT_EQ(GImGui->HoveredWindow->RootWindow, w);
}

// The int row's controls: int4 of −9 saturates to −8 (1000b); Q5.3 of 25.125 saturates to 127/8.
TEST_F(NumberExplorerUi, IntAndFixedRowsFollowTheirControls) {
    ui->numberExplorer().show(-9.0);
    ui->numberExplorer().setInt(4, true);
    ui->numberExplorer().setFixed(5, 3);
    frame();
    EXPECT_EQ(ui->numberExplorer().shownInt().code, -8);
    EXPECT_EQ(ui->numberExplorer().shownInt().bits, 0x8u);
    EXPECT_TRUE(ui->numberExplorer().shownInt().saturated);
    ui->numberExplorer().show(25.125);
    frame();
    EXPECT_EQ(ui->numberExplorer().shownFixed().value, 15.875);
    EXPECT_TRUE(ui->numberExplorer().shownFixed().saturated);
}

// Hovering a bit box shows its weight: fp32's first box is the sign, its last the mantissa's 2^−23 (times
// 2^4 for 25.125: 2^−19); int8's first box is worth −128 in two's complement; Q8.8's last 2^−8.
TEST_F(NumberExplorerUi, HoveringABitShowsItsWeight) {
    ui->numberExplorer().show(25.125);
    frame();
    frame();
    const NumberExplorer& ne = ui->numberExplorer();
    auto hover = [&](int row, bool first) {
        const NumberExplorer::Rect r = ne.bitsRect(row);
        const float h = r.y1 - r.y0;  // boxes are narrower than tall: h / 4 is inside the end box
        ImGui::GetIO().MousePos = ImVec2(first ? r.x0 + h * 0.25f : r.x1 - h * 0.25f - 1, (r.y0 + r.y1) * 0.5f);
        frame();
        return ne.hoveredTip();
    };
    EXPECT_EQ(hover(int(FloatFormat::Fp32), true).rfind("bit 31: the sign s = 0", 0), 0u) << ne.hoveredTip();
    const std::string last = hover(int(FloatFormat::Fp32), false);
    EXPECT_EQ(last.rfind("bit 0: mantissa bit worth 2^-23", 0), 0u) << last;
    EXPECT_NE(last.find("times 2^4"), std::string::npos) << last;
    EXPECT_EQ(hover(kFloatFormatCount, true).rfind("bit 7: worth -128 = -2^7", 0), 0u) << ne.hoveredTip();
    EXPECT_EQ(hover(kFloatFormatCount + 1, false).rfind("bit 0: worth 0.00390625 = 2^-8", 0), 0u) << ne.hoveredTip();
    ImGui::GetIO().MousePos = ImVec2(1, 1);
    frame();
    EXPECT_EQ(ne.hoveredTip(), "");
}

// View ▸ Number explorer opens it: click "View" in the menu bar, then the item (found by its ID in the
// menu's popup window).
TEST_F(NumberExplorerUi, ViewMenuOpensIt) {
    frame();
    ImGuiWindow* main = ImGui::FindWindowByName("quantviz");
    ASSERT_NE(main, nullptr);
    const ImRect bar = main->MenuBarRect();
    // Walk along the menu bar until "View" is the hovered item.
    const ImGuiID viewId = ImHashStr("View", 0, main->GetID("##menubar"));  // BeginMenuBar pushes "##menubar"
    bool found = false;
    for (float x = bar.Min.x + 2; x < bar.Max.x && !found; x += 4) {
        ImGui::GetIO().MousePos = ImVec2(x, (bar.Min.y + bar.Max.y) * 0.5f);
        frame();
        found = GImGui->HoveredId == viewId;
    }
    ASSERT_TRUE(found) << "the View menu is in the menu bar";
    click(ImGui::GetIO().MousePos.x, ImGui::GetIO().MousePos.y, 1);
    ImGuiWindow* popup = nullptr;
    for (ImGuiWindow* w : GImGui->Windows)
        if ((w->Flags & ImGuiWindowFlags_Popup) && w->WasActive) popup = w;
    ASSERT_NE(popup, nullptr) << "the View menu opened";
    const ImGuiID itemId = popup->GetID("Number explorer");
    found = false;
    for (float y = popup->Pos.y + 2; y < popup->Pos.y + popup->Size.y && !found; y += 3) {
        ImGui::GetIO().MousePos = ImVec2(popup->Pos.x + popup->Size.x * 0.3f, y);
        frame();
        found = GImGui->HoveredId == itemId;
    }
    ASSERT_TRUE(found) << "the menu lists Number explorer";
    click(ImGui::GetIO().MousePos.x, ImGui::GetIO().MousePos.y, 1);
    EXPECT_TRUE(ui->numberExplorer().isOpen());
    EXPECT_NE(explorerWindow(), nullptr);
    EXPECT_EQ(ui->numberExplorer().shownFloat(FloatFormat::Fp8E4M3).value, 26.0) << "the default x is 25.125";
}

// The format control's "bits" button opens the explorer on the selected tensor's largest |x| (here 2.75).
TEST_F(NumberExplorerUi, FormatControlsBitsButtonOpensItOnTheTensorsMaxAbs) {
    const std::string path = test::tempPath("explore-bits.npy");
    test::writeNpyF32(path, {4}, {0.5f, -2.75f, 1.0f, 2.0f});
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    settle();
    ASSERT_TRUE(state.summary());
    // Find the button by its ID in whichever window draws it, sweeping the mouse over that window.
    bool found = false;
    for (ImGuiWindow* w : GImGui->Windows) {
        if (!w->WasActive || found) continue;
        const ImGuiID id = w->GetID("bits##explorer");
        for (float y = w->Pos.y + 2; y < w->Pos.y + w->Size.y && !found; y += 4)
            for (float x = w->Pos.x + 2; x < w->Pos.x + w->Size.x && !found; x += 6) {
                ImGui::GetIO().MousePos = ImVec2(x, y);
                frame();
                found = GImGui->HoveredId == id;
            }
    }
    ASSERT_TRUE(found) << "the controls show the bits button";
    click(ImGui::GetIO().MousePos.x, ImGui::GetIO().MousePos.y, 2);
    EXPECT_TRUE(ui->numberExplorer().isOpen());
    EXPECT_EQ(ui->numberExplorer().value(), 2.75);
    EXPECT_EQ(ui->numberExplorer().shownFloat(FloatFormat::Fp8E4M3).value, 2.75);  // 1.011b × 2^1: exact in E4M3
}

}  // namespace
}  // namespace qv
