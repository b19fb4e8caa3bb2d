// ModelBrowser: tensors as a layer tree or a sorted flat list (clipped rows, so big models stay fast),
// a search box that keeps the parents of matches, a Metadata tab, and the selected tensor's statistics.
#include "app/panels/model_browser.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

#include "app/export/export_buttons.h"
#include "app/export/table_builders.h"
#include "app/panels/stored_quant_panel.h"
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

TensorStatsCell statsFromSummary(const TensorSummary& s) {
    TensorStatsCell c;
    c.min = s.min;
    c.max = s.max;
    c.std = s.std;
    // The same 6σ rule as the overview sweep, read from the summary's fine histogram.
    if (s.finite > 0 && s.std > 0) {
        double lo = s.histogram.countBelow(s.mean - 6 * s.std);
        double hi = double(s.histogram.total()) - s.histogram.countBelow(s.mean + 6 * s.std);
        c.outlierShare = (lo + hi) / double(s.finite);
    }
    return c;
}

void ModelBrowser::setFilter(const std::string& f) {
    std::snprintf(m_filter, sizeof m_filter, "%s", f.c_str());
}

static std::string groupedCount(uint64_t n) {
    std::string s = std::to_string(n);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
    return s;
}

// Models up to this many tensors open fully expanded; bigger ones open collapsed (the path to the
// selected tensor is always opened).
constexpr size_t kExpandAllLimit = 200;

void ModelBrowser::rebuild(const ModelFile& model) {
    m_tree = buildTensorTree(model.tensors);
    // The name column fits the widest label as the tree indents it (up to about 26 em, beyond which the
    // other columns would leave the panel): a fixed 11 em cut ONNX names such as
    // "If_0_else_branch__Inline_0__encoder…" down to prefixes every group shares. Bounded work on huge
    // files: the first 20 000 labels.
    {
        const float em = ImGui::GetFontSize();
        const float indent = em * 0.9f, arrow = em * 1.4f;
        float widest = 0;
        int measured = 0;
        std::function<void(const TensorTreeNode&, int)> walk = [&](const TensorTreeNode& n, int depth) {
            for (const auto& c : n.children) {
                if (++measured > 20000) return;
                widest = std::max(widest, ImGui::CalcTextSize(c.label.c_str()).x + indent * float(depth) + arrow);
                if (!c.tensor) walk(c, depth + 1);
            }
        };
        walk(m_tree, 0);
        m_nameColumnWidth = std::clamp(widest, em * 11, em * 26);
    }
    m_expanded.clear();
    if (model.tensors.size() <= kExpandAllLimit) collectGroupPaths(m_tree, m_expanded);
    m_lastExpanded.clear();
    m_lastSelected.reset();
}

void ModelBrowser::expandTo(const std::string& name) {
    std::vector<std::string> levels = treeLevels(name);
    std::string path;
    for (size_t l = 0; l + 1 < levels.size(); ++l) {
        path += (path.empty() ? "" : ".") + levels[l];
        m_expanded.insert(path);
    }
}

void ModelBrowser::refilter(const AppState& state, const ModelFile& model) {
    std::string filter = m_filter;
    std::function<bool(size_t)> match = [&](size_t i) { return tensorNameMatches(model.tensors[i].name, filter); };
    m_treeRows = flattenTree(m_tree, m_expanded, filter.empty() ? nullptr : &match);
    // Matching leaves in tree order (next/previous tensor walks them, collapsed or not).
    m_rows.clear();
    std::function<void(const TensorTreeNode&)> leaves = [&](const TensorTreeNode& n) {
        for (const auto& c : n.children) {
            if (c.tensor) {
                if (filter.empty() || match(*c.tensor)) m_rows.push_back(*c.tensor);
            } else {
                leaves(c);
            }
        }
    };
    leaves(m_tree);
    if (m_sortColumn >= 0) {
        const Document* doc = state.currentDocument();
        std::vector<TensorStatsCell> cells(model.tensors.size());
        std::vector<char> has(model.tensors.size(), 0);
        if (doc)
            for (size_t i : m_rows)
                if (auto s = state.cachedSummary(doc->id, i)) {
                    cells[i] = statsFromSummary(*s);
                    has[i] = 1;
                }
        sortTensors(m_rows, model.tensors, TensorColumn(m_sortColumn), m_sortAscending,
                    [&](size_t i) { return has[i] ? &cells[i] : nullptr; });
    }
    m_lastFilter = m_filter;
    m_lastModel = &model;
    m_lastExpanded = m_expanded;
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
    if (m_lastModel != &model) {
        rebuild(model);
        m_lastFilter = "\x01";
    }
    auto sel = state.selectedTensor();
    if (sel != m_lastSelected) {
        if (sel && *sel < model.tensors.size()) expandTo(model.tensors[*sel].name);
        m_lastSelected = sel;
        m_scrollToSelected = 3;
    }
    if (m_lastFilter != m_filter || m_lastExpanded != m_expanded || m_needSort ||
        (m_sortColumn >= int(TensorColumn::Min) && ImGui::GetFrameCount() % 30 == 0))
        refilter(state, model);
    m_needSort = false;
    ui.visibleOrder = m_rows;

    m_rowRects.clear();
    m_groupRects.clear();
    if (ImGui::BeginTabBar("browsertabs")) {
        if (ImGui::BeginTabItem("Tensors")) {
            // The search box leaves room for the tensor list's CSV / JSON buttons on its right.
            ImGui::SetNextItemWidth(-(exportButtonsWidth() + ImGui::GetStyle().ItemSpacing.x));
            ImGui::InputTextWithHint("##filter", "search tensors (e.g. \"attn weight\")", m_filter, sizeof m_filter);
            ImGui::SameLine();
            exportButtons("tensors", state, ui, [&] {
                return tensorListExport(model, [&](size_t i) { return state.cachedSummary(doc->id, i); });
            });
            ImGui::TextDisabled("%zu of %zu tensors, %s elements, %s", m_rows.size(), model.tensors.size(),
                                groupedCount(model.totalElements()).c_str(), model.format.c_str());
            if (!flatMode()) {
                ImGui::SameLine();
                if (ImGui::SmallButton("expand all")) collectGroupPaths(m_tree, m_expanded);
                ImGui::SameLine();
                if (ImGui::SmallButton("collapse")) m_expanded.clear();
            } else {
                ImGui::SameLine();
                ImGui::TextDisabled("(sorted; click the header again for the tree)");
            }
            drawTable(state, model);
            ImGui::Separator();
            drawTensorSummary(state);
            drawStoredQuant(state);
            if (auto c = state.storedComparison(); c && c->error.empty() && sel && c->docId == doc->id && c->tensor == *sel) {
                ImGui::TextDisabled("export the stored-quantization table");
                exportButtonsRight("stored", state, ui, [&] { return storedComparisonExport(*c, model.tensors[*sel]); });
            }
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Metadata")) {
            ImGui::TextDisabled("export the metadata");
            exportButtonsRight("metadata", state, ui, [&] { return metadataExport(model); });
            m_metadata.draw(state);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ui.visibleOrder = m_rows;
}

void ModelBrowser::drawTable(AppState& state, const ModelFile& model) {
    const Document* doc = state.currentDocument();
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable | ImGuiTableFlags_Hideable |
                                  ImGuiTableFlags_Sortable | ImGuiTableFlags_SortTristate |
                                  ImGuiTableFlags_SizingFixedFit;
    // +1 line below the stored-quant table for its export buttons.
    float reserve = 9.5f + storedQuantLines(state) + (state.reference() && state.storedComparison() ? 1.0f : 0.0f);
    float height = ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * reserve;
    // One table state per document, so that each file's name column starts at its own width.
    char tableId[40];
    std::snprintf(tableId, sizeof tableId, "tensors##%llu", static_cast<unsigned long long>(doc ? doc->id : 0));
    if (!ImGui::BeginTable(tableId, 9, flags, ImVec2(0, std::max(height, 120.0f)))) return;
    const float em = ImGui::GetFontSize();
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoHide, m_nameColumnWidth);
    ImGui::TableSetupColumn("dtype", ImGuiTableColumnFlags_WidthFixed, em * 3.2f);
    ImGui::TableSetupColumn("shape", ImGuiTableColumnFlags_WidthFixed, em * 6.0f);
    ImGui::TableSetupColumn("params", ImGuiTableColumnFlags_WidthFixed, em * 5.0f);
    ImGui::TableSetupColumn("bytes", ImGuiTableColumnFlags_WidthFixed, em * 4.6f);
    ImGui::TableSetupColumn("min", ImGuiTableColumnFlags_WidthFixed, em * 4.5f);
    ImGui::TableSetupColumn("max", ImGuiTableColumnFlags_WidthFixed, em * 4.5f);
    ImGui::TableSetupColumn("std", ImGuiTableColumnFlags_WidthFixed, em * 4.5f);
    ImGui::TableSetupColumn(">6\xcf\x83", ImGuiTableColumnFlags_WidthFixed, em * 4);
    if (ImGuiTableSortSpecs* ss = ImGui::TableGetSortSpecs(); ss && ss->SpecsDirty) {
        int col = ss->SpecsCount > 0 ? ss->Specs[0].ColumnIndex : -1;
        bool asc = ss->SpecsCount > 0 && ss->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        if (col != m_sortColumn || asc != m_sortAscending) {
            m_sortColumn = col;
            m_sortAscending = asc;
            refilter(state, model);
            m_scrollToSelected = 3;
        }
        ss->SpecsDirty = false;
    }
    ImGui::TableHeadersRow();

    const bool flat = flatMode();
    const int count = int(flat ? m_rows.size() : m_treeRows.size());
    auto sel = state.selectedTensor();
    const float rowH = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2;
    if (m_scrollToSelected > 0 && sel) {
        int idx = -1;
        for (int r = 0; r < count && idx < 0; ++r) {
            if (flat ? m_rows[size_t(r)] == *sel : (m_treeRows[size_t(r)].node->tensor == sel)) idx = r;
        }
        if (idx >= 0) {
            float y = float(idx) * rowH;
            float top = ImGui::GetScrollY(), visible = ImGui::GetWindowHeight() - 2 * rowH;
            if (y < top || y > top + visible) ImGui::SetScrollY(std::max(0.0f, y - visible * 0.5f));
        }
    }
    if (m_scrollToSelected > 0) --m_scrollToSelected;
    const float indent = em * 0.9f;

    auto statsCells = [&](size_t i) {
        std::shared_ptr<const TensorSummary> s = doc ? state.cachedSummary(doc->id, i) : nullptr;
        if (!s) return;
        TensorStatsCell c = statsFromSummary(*s);
        ImGui::TableSetColumnIndex(5);
        ImGui::Text("%.3g", c.min);
        ImGui::TableSetColumnIndex(6);
        ImGui::Text("%.3g", c.max);
        ImGui::TableSetColumnIndex(7);
        ImGui::Text("%.3g", c.std);
        ImGui::TableSetColumnIndex(8);
        if (c.outlierShare > 0) ImGui::Text("%.2g%%", c.outlierShare * 100);
        else ImGui::TextDisabled("0");
    };
    auto leafRow = [&](size_t i, const std::string& label, int depth) {
        const TensorInfo& t = model.tensors[i];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::PushID(int(i));
        if (depth > 0) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent * float(depth) + em * 0.3f);
        bool isSel = sel && *sel == i;
        if (ImGui::Selectable(label.c_str(), isSel, ImGuiSelectableFlags_SpanAllColumns)) state.selectTensor(i);
        if (ImGui::IsItemHovered() && label != t.name) ImGui::SetTooltip("%s", t.name.c_str());
        // The row spans every column (ScrollX): keep the part inside the visible list.
        ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
        r1.x = std::min(r1.x, ImGui::GetWindowPos().x + ImGui::GetWindowWidth() - ImGui::GetStyle().ScrollbarSize);
        m_rowRects.push_back({i, r0.x, r0.y, r1.x, r1.y});
        ImGui::PopID();
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(std::string(dtypeName(t.dtype)).c_str());
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(t.shapeString().c_str());
        ImGui::TableSetColumnIndex(3);
        ImGui::TextUnformatted(groupedCount(t.elements()).c_str());
        ImGui::TableSetColumnIndex(4);
        ImGui::TextUnformatted(formatBytes(t.bytes).c_str());
        statsCells(i);
    };

    std::string toggle;
    ImGuiListClipper clipper;
    clipper.Begin(count, rowH);
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            if (flat) {
                size_t i = m_rows[size_t(r)];
                leafRow(i, model.tensors[i].name, 0);
                continue;
            }
            const TreeRow& row = m_treeRows[size_t(r)];
            if (row.node->tensor) {
                leafRow(*row.node->tensor, row.node->label, row.depth);
                continue;
            }
            const TensorTreeNode& g = *row.node;
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::PushID(g.path.c_str());
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent * float(row.depth));
            ImGui::SetNextItemOpen(row.expanded, ImGuiCond_Always);
            bool open = ImGui::TreeNodeEx("##group", ImGuiTreeNodeFlags_NoTreePushOnOpen | ImGuiTreeNodeFlags_SpanAvailWidth,
                                          "%s", g.label.c_str());
            ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
            m_groupRects.push_back({g.path, r0.x, r0.y, r1.x, r1.y});
            // While searching every group on the way to a match is shown open; toggles apply afterwards.
            if (open != row.expanded) toggle = g.path;
            ImGui::PopID();
            ImGui::TableSetColumnIndex(2);
            ImGui::TextDisabled("%zu tensors", g.leafCount);
            ImGui::TableSetColumnIndex(3);
            ImGui::TextDisabled("%s", groupedCount(g.elements).c_str());
            ImGui::TableSetColumnIndex(4);
            ImGui::TextDisabled("%s", formatBytes(g.bytes).c_str());
        }
    }
    ImGui::EndTable();
    if (!toggle.empty()) {
        if (m_expanded.count(toggle)) m_expanded.erase(toggle);
        else m_expanded.insert(toggle);
        if (m_filter[0]) m_expanded.insert(toggle);  // searching: groups stay open
    }
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
