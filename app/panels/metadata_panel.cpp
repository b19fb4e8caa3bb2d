// MetadataPanel: a filter box over the file's key/value metadata, drawn as a clipped two-column table.
#include "app/panels/metadata_panel.h"

#include <imgui.h>

#include <cstdio>

#include "app/panels/model_browser.h"

namespace qv {

std::vector<size_t> filterMetadata(const std::vector<MetadataEntry>& entries, const std::string& filter) {
    std::vector<size_t> out;
    for (size_t i = 0; i < entries.size(); ++i)
        if (tensorNameMatches(entries[i].key + "\n" + entries[i].value, filter)) out.push_back(i);
    return out;
}

void MetadataPanel::setFilter(const std::string& f) {
    std::snprintf(m_filter, sizeof m_filter, "%s", f.c_str());
}

void MetadataPanel::draw(const AppState& state) {
    const Document* doc = state.currentDocument();
    m_shown = 0;
    if (!doc) {
        ImGui::TextDisabled("No file open.");
        return;
    }
    const auto& md = doc->model->metadata;
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##mdfilter", "filter keys and values (e.g. \"general.\")", m_filter, sizeof m_filter);
    std::vector<size_t> rows = filterMetadata(md, m_filter);
    m_shown = rows.size();
    ImGui::TextDisabled("%zu of %zu entries (%s)", rows.size(), md.size(), doc->model->format.c_str());
    if (md.empty()) {
        ImGui::TextWrapped("This %s file carries no file-level metadata.", doc->model->format.c_str());
        return;
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp;
    if (ImGui::BeginTable("metadata", 2, flags, ImVec2(0, 0))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch, 1.4f);
        ImGui::TableHeadersRow();
        ImGuiListClipper clipper;
        clipper.Begin(int(rows.size()));
        while (clipper.Step()) {
            for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
                const MetadataEntry& e = md[rows[size_t(r)]];
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::TextUnformatted(e.key.c_str());
                ImGui::TableSetColumnIndex(1);
                // Long values (token lists) are abbreviated by the reader; show one line, full text on hover.
                size_t nl = e.value.find('\n');
                std::string line = nl == std::string::npos ? e.value : e.value.substr(0, nl) + " …";
                ImGui::TextUnformatted(line.c_str());
                if (ImGui::IsItemHovered() && e.value.size() > 40) {
                    ImGui::BeginTooltip();
                    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
                    ImGui::TextUnformatted(e.value.c_str());
                    ImGui::PopTextWrapPos();
                    ImGui::EndTooltip();
                }
            }
        }
        ImGui::EndTable();
    }
}

}  // namespace qv
