#include "app/panels/learn_window.h"

#include <imgui.h>

#include <algorithm>

namespace qv {

bool LearnWindow::beginAutoSizedWindow() {
    if (m_focus) m_placeFrames = 3;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    if (m_placeFrames > 0) {
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f),
                                ImGuiCond_Always, ImVec2(0.5f, 0.5f));
        --m_placeFrames;
    }
    if (m_focus) ImGui::SetNextWindowFocus();
    m_focus = false;
    ImGui::SetNextWindowBgAlpha(1.0f);
    ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(vp->WorkSize.x - 20.0f, vp->WorkSize.y - 20.0f));
    if (!ImGui::Begin(title(), &m_open,
                      ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return false;
    }
    // The window grows with its content (more values): move it up and left so that it stays on screen.
    const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    const float x = std::max(vp->WorkPos.x, std::min(pos.x, vp->WorkPos.x + vp->WorkSize.x - size.x));
    const float y = std::max(vp->WorkPos.y, std::min(pos.y, vp->WorkPos.y + vp->WorkSize.y - size.y));
    if (x != pos.x || y != pos.y) ImGui::SetWindowPos(ImVec2(x, y));
    return true;
}

}  // namespace qv
