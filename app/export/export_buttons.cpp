// Export buttons: small CSV / JSON buttons with a tooltip naming the file they write.
#include "app/export/export_buttons.h"

#include <imgui.h>

#include <algorithm>

namespace qv {

bool exportTableReported(AppState& state, const std::string& dir, const ExportTable& table, bool json) {
    auto r = writeExportTable(table, json, dir);
    if (!r) {
        state.report("Export failed", r.error().message);
        return false;
    }
    state.setStatus("wrote " + r.value() + " (" + std::to_string(table.rows.size()) + " rows)");
    return true;
}

bool exportButtons(const char* id, AppState& state, const UiState& ui, const std::function<ExportTable()>& build) {
    ImGui::PushID(id);
    bool wrote = false;
    for (int json = 0; json < 2; ++json) {
        if (json) ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
        if (ImGui::SmallButton(json ? "JSON" : "CSV")) wrote |= exportTableReported(state, ui.exportDir, build(), json != 0);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Save this table as %s into the export directory (%s).\nNumbers keep full precision; "
                              "NaN is an empty field / null, infinity is \"inf\".",
                              json ? "JSON" : "CSV (RFC 4180)", ui.exportDir.c_str());
    }
    ImGui::PopID();
    return wrote;
}

float exportButtonsWidth() {
    const ImGuiStyle& st = ImGui::GetStyle();
    return ImGui::CalcTextSize("CSV").x + ImGui::CalcTextSize("JSON").x + st.FramePadding.x * 4 + st.ItemInnerSpacing.x;
}

void placeAtRightEdge(float w) {
    // Window-local coordinates (what SameLine and SetCursorPosX take).
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float prevEnd = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
    if (prevEnd + ImGui::GetStyle().ItemSpacing.x + w <= right) ImGui::SameLine(right - w);
    else ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), right - w));
}

bool exportButtonsRight(const char* id, AppState& state, const UiState& ui, const std::function<ExportTable()>& build) {
    placeAtRightEdge(exportButtonsWidth());
    return exportButtons(id, state, ui, build);
}

}  // namespace qv
