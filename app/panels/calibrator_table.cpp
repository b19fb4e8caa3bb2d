// CalibratorTable: the comparison table over the analysis rows.
#include "app/panels/calibrator_table.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "app/export/export_buttons.h"
#include "app/export/table_builders.h"
#include "app/panels/error_panel.h"
#include "app/panels/histogram_panel.h"
#include "app/views/metrics_table.h"
#include "app/widgets/help.h"

namespace qv {

void CalibratorTable::draw(AppState& state, UiState& ui) {
    auto a = state.analysis();
    if (!a || a->rows.empty()) {
        ImGui::TextDisabled("No calibrator results yet.");
        return;
    }
    MetricsTable t = calibratorTable(*a);
    exportButtons("calibrators", state, ui, [&] { return calibratorsExport(*a, selectedTensorName(state)); });
    ImGui::SameLine();
    ImGui::TextDisabled("best value per column in green; click a row to show its buckets");
    helpMarker(glossary::kEstimate);
    const char* heads[] = {"clip lo", "clip hi", "scale", "zero pt", "MSE", "SQNR dB", "max |e|", "clipped %", "codes"};
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("calibrators", 10, flags)) return;
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("calibrator", ImGuiTableColumnFlags_WidthStretch, 2.0f);
    for (const char* h : heads) ImGui::TableSetupColumn(h, ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    const ImU32 bestBg = IM_COL32(40, 140, 60, 110);
    for (size_t r = 0; r < t.rows.size(); ++r) {
        const CalibRow& row = a->rows[r];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::PushID(int(r));
        ImVec2 p = ImGui::GetCursorScreenPos();
        float h = ImGui::GetTextLineHeight();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + 10, p.y + h - 2),
                                                  calibratorColor(row.spec));
        ImGui::SetCursorScreenPos(ImVec2(p.x + 14, p.y));
        bool isActive = int(r) == a->active;
        std::string label = row.label + (t.exact[r] ? "" : " \xe2\x89\x88");
        if (ImGui::Selectable(label.c_str(), isActive, ImGuiSelectableFlags_SpanAllColumns))
            state.setActiveCalibrator(row.spec == "manual" ? "manual" : row.spec.substr(0, row.spec.find(':')));
        if (ImGui::IsItemHovered() && !row.description.empty()) {
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
            ImGui::TextUnformatted(row.description.c_str());
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
        }
        ImGui::PopID();
        for (size_t c = 0; c < t.columns.size(); ++c) {
            ImGui::TableSetColumnIndex(int(c) + 1);
            double v = t.values[r][c];
            if (v == 0) v = 0;  // −0 (a clip range of an all-zero tensor) reads as a different value
            if (t.best[c] == int(r)) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, bestBg);
            // No value: per-slice parameters, or a level format's zero point (0 is one of its levels).
            if (std::isnan(v)) ImGui::TextDisabled(c == 3 && a->scheme.levelTable() ? "-" : "per slice");
            else if (c == 3 || c == 8) ImGui::Text("%.0f", v);
            else if (c == 5) ImGui::Text(std::isinf(v) ? "inf" : "%.2f", v);
            else ImGui::Text("%.4g", v);
        }
    }
    ImGui::EndTable();
}

}  // namespace qv
