// StatusBar: message line + running jobs.
#include "app/panels/status_bar.h"

#include <imgui.h>

namespace qv {

void StatusBar::draw(AppState& state) {
    auto running = state.jobs().running();
    if (running.empty()) {
        ImGui::TextUnformatted(state.status().empty() ? "ready" : state.status().c_str());
        return;
    }
    int i = 0;
    for (const auto& r : running) {
        ImGui::PushID(i++);
        ImGui::TextUnformatted(r.label.c_str());
        ImGui::SameLine();
        ImGui::ProgressBar(float(r.progress->fraction()), ImVec2(ImGui::GetFontSize() * 14, 0));
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel")) r.progress->cancel();
        ImGui::SameLine();
        ImGui::PopID();
    }
    ImGui::TextDisabled("%s", state.status().c_str());
}

}  // namespace qv
