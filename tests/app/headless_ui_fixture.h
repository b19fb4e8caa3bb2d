// HeadlessUiFixture: the real AppUi drawn without a window or GPU, driven by injected mouse and
// keyboard input exactly as the GLFW backend would feed it (ImGui 1.86: io.MousePos/MouseDown/KeysDown).
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>

#include <memory>

#include "app/app_state.h"
#include "app/app_ui.h"

namespace qv::test {

// An ImGui context with no window or GPU: display size, fixed frame time, a built font atlas (all
// NewFrame needs) and no .ini file. For fixtures that draw one panel rather than the whole AppUi.
inline void createHeadlessImGuiContext(ImVec2 display) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = display;
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels;
    int w, h;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
}

class HeadlessUiFixture : public ::testing::Test {
protected:
    static constexpr int kKeyDown = 264, kKeyUp = 265;  // GLFW_KEY_DOWN / GLFW_KEY_UP, as the backend maps them

    explicit HeadlessUiFixture(ImVec2 display = ImVec2(1400, 900)) : m_display(display) {}

    void SetUp() override {
        createHeadlessImGuiContext(m_display);
        ImGuiIO& io = ImGui::GetIO();
        io.KeyMap[ImGuiKey_DownArrow] = kKeyDown;
        io.KeyMap[ImGuiKey_UpArrow] = kKeyUp;
        ui = std::make_unique<AppUi>(state);
    }
    void TearDown() override {
        ui.reset();
        ImGui::DestroyContext();
    }
    // One frame, then apply whatever the frame asked of the state (as main.cpp does).
    void frame() {
        state.poll();
        ImGui::NewFrame();
        ui->draw();
        ImGui::Render();
        state.update(ui->interacting());
    }
    // Lets background jobs finish and the UI draw their results.
    void settle() {
        for (int i = 0; i < 4; ++i) {
            state.waitSettled();
            frame();
        }
    }
    // Press and release over (x, y), one frame each, then `after` more frames.
    void click(float x, float y, int after = 0) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(x, y);
        frame();
        io.MouseDown[0] = true;
        frame();
        io.MouseDown[0] = false;
        frame();
        for (int i = 0; i < after; ++i) frame();
    }
    void key(int k) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[k] = true;
        frame();
        io.KeysDown[k] = false;
        frame();
    }

    AppState state;
    std::unique_ptr<AppUi> ui;

private:
    ImVec2 m_display;
};

}  // namespace qv::test
