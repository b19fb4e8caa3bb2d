// ModelBrowser: a clipped table of tensors with a filter box, and the selected tensor's statistics.
#include "app/panels/model_browser.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "app/widgets/help.h"

namespace qv {

bool tensorNameMatches(const std::string& name, const std::string& filter) {
    auto lower = [](std::string s) {
        for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    std::string n = lower(name), f = lower(filter);
    size_t pos = 0;
    while (pos < f.size()) {
        size_t end = f.find(' ', pos);
        if (end == std::string::npos) end = f.size();
        if (end > pos && n.find(f.substr(pos, end - pos)) == std::string::npos) return false;
        pos = end + 1;
    }
    return true;
}

void ModelBrowser::setFilter(const std::string& f) {
    std::snprintf(m_filter, sizeof m_filter, "%s", f.c_str());
}

void ModelBrowser::refilter(const ModelFile& model) {
    m_rows.clear();
    for (size_t i = 0; i < model.tensors.size(); ++i)
        if (tensorNameMatches(model.tensors[i].name, m_filter)) m_rows.push_back(i);
    m_lastFilter = m_filter;
    m_lastModel = &model;
}

static std::string groupedCount(uint64_t n) {
    std::string s = std::to_string(n);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
    return s;
}

void ModelBrowser::draw(AppState& state, UiState& ui) {
    const Document* doc = state.currentDocument();
    if (!doc) {
        ImGui::TextWrapped("No file open. Use File > Open (Ctrl+O) or drop a .safetensors / .npy file on the window.");
        ui.visibleOrder.clear();
        return;
    }
    const ModelFile& model = *doc->model;
    if (state.documents().size() > 1) {
        std::vector<const char*> names;
        for (const auto& d : state.documents()) names.push_back(d.model->path.c_str());
        int cur = state.currentDocumentIndex();
        ImGui::SetNextItemWidth(-1);
        if (ImGui::Combo("##document", &cur, names.data(), int(names.size()))) state.setCurrentDocument(cur);
    }
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##filter", "filter tensors (e.g. \"attn weight\")", m_filter, sizeof m_filter);
    if (m_lastFilter != m_filter || m_lastModel != &model) refilter(model);
    ui.visibleOrder = m_rows;
    ImGui::TextDisabled("%zu of %zu tensors, %s elements, %s", m_rows.size(), model.tensors.size(),
                        groupedCount(model.totalElements()).c_str(), model.format.c_str());

    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp;
    float height = ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * 9.5f;
    if (ImGui::BeginTable("tensors", 4, flags, ImVec2(0, std::max(height, 120.0f)))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch, 3.0f);
        ImGui::TableSetupColumn("shape", ImGuiTableColumnFlags_WidthStretch, 1.4f);
        ImGui::TableSetupColumn("dtype", ImGuiTableColumnFlags_WidthStretch, 0.6f);
        ImGui::TableSetupColumn("elements", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableHeadersRow();
        m_rowRects.clear();
        ImGuiListClipper clipper;
        clipper.Begin(int(m_rows.size()));
        auto selected = state.selectedTensor();
        while (clipper.Step()) {
            for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
                size_t i = m_rows[size_t(r)];
                const TensorInfo& t = model.tensors[i];
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::PushID(int(i));
                bool isSel = selected && *selected == i;
                if (ImGui::Selectable(t.name.c_str(), isSel, ImGuiSelectableFlags_SpanAllColumns))
                    state.selectTensor(i);
                ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
                m_rowRects.push_back({i, r0.x, r0.y, r1.x, r1.y});
                if (isSel && ImGui::IsWindowAppearing()) ImGui::SetScrollHereY();
                ImGui::PopID();
                ImGui::TableSetColumnIndex(1);
                ImGui::TextUnformatted(t.shapeString().c_str());
                ImGui::TableSetColumnIndex(2);
                std::string dt(dtypeName(t.dtype));
                ImGui::TextUnformatted(dt.c_str());
                ImGui::TableSetColumnIndex(3);
                ImGui::TextUnformatted(groupedCount(t.elements()).c_str());
            }
        }
        ImGui::EndTable();
    }
    ImGui::Separator();
    drawTensorSummary(state);
}

void drawTensorSummary(const AppState& state) {
    const Document* doc = state.currentDocument();
    auto sel = state.selectedTensor();
    if (!doc || !sel) return;
    const TensorInfo& t = doc->model->tensors[*sel];
    ImGui::TextWrapped("%s  %s %s", t.name.c_str(), std::string(dtypeName(t.dtype)).c_str(), t.shapeString().c_str());
    auto s = state.summary();
    if (!s) {
        std::string err = state.summaryError();
        if (!err.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", err.c_str());
        else ImGui::TextDisabled("computing summary…");
        return;
    }
    if (ImGui::BeginTable("summary", 4, ImGuiTableFlags_SizingStretchSame)) {
        auto cell = [](const char* k, const char* fmt, double v) {
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", k);
            ImGui::TableNextColumn();
            ImGui::Text(fmt, v);
        };
        cell("min", "%.6g", s->min);
        cell("max", "%.6g", s->max);
        cell("mean", "%.6g", s->mean);
        cell("std", "%.6g", s->std);
        cell("max |x|", "%.6g", s->absMax);
        cell("kurtosis", "%.3g", s->kurtosis);
        cell("zeros", "%.0f", double(s->zeroCount));
        cell("finite", "%.0f", double(s->finite));
        ImGui::EndTable();
    }
    bool bad = s->nanCount || s->posInfCount || s->negInfCount;
    ImVec4 col = bad ? ImVec4(1.0f, 0.55f, 0.2f, 1) : ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled);
    ImGui::TextColored(col, "NaN %llu   +Inf %llu   -Inf %llu", static_cast<unsigned long long>(s->nanCount),
                       static_cast<unsigned long long>(s->posInfCount), static_cast<unsigned long long>(s->negInfCount));
    helpMarker(glossary::kNanInf);
}

}  // namespace qv
