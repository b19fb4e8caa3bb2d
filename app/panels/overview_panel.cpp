// OverviewPanel: model-wide sweep table and SQNR-per-tensor chart.
#include "app/panels/overview_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "app/panels/error_panel.h"
#include "app/export/export_buttons.h"
#include "app/export/table_builders.h"
#include "app/panels/histogram_panel.h"
#include "app/widgets/help.h"
#include "app/widgets/plot.h"

namespace qv {

namespace {
double bestSqnr(const OverviewRow& r) { return r.best >= 0 ? r.sqnrDb[size_t(r.best)] : NAN; }

double key(const OverviewRow& r, const ModelFile& model, int column) {
    switch (column) {
        case 1: return double(model.tensors[r.tensor].elements());
        case 2: return r.min;
        case 3: return r.max;
        case 4: return r.std;
        case 5: return r.kurtosis;
        case 6: return r.outlierShare;
        case 7: return bestSqnr(r);
        default:
            if (column >= 8 && size_t(column - 8) < r.sqnrDb.size()) return r.sqnrDb[size_t(column - 8)];
            return double(r.tensor);
    }
}
}  // namespace

std::vector<size_t> overviewOrder(const Overview& o, const ModelFile& model, int column, bool ascending) {
    std::vector<size_t> idx(o.rows.size());
    std::iota(idx.begin(), idx.end(), size_t(0));
    if (column < 0) return idx;
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        const auto& ra = o.rows[a];
        const auto& rb = o.rows[b];
        if (column == 0) {
            const auto& na = model.tensors[ra.tensor].name;
            const auto& nb = model.tensors[rb.tensor].name;
            return ascending ? na < nb : nb < na;
        }
        double ka = key(ra, model, column), kb = key(rb, model, column);
        if (std::isnan(ka) != std::isnan(kb)) return std::isnan(kb);  // NaN (no value) last
        return ascending ? ka < kb : kb < ka;
    });
    return idx;
}

void OverviewPanel::draw(AppState& state, UiState& ui) {
    (void)ui;
    const Document* doc = state.currentDocument();
    if (!doc) return;
    auto o = state.overview();
    auto progress = state.sweepProgress();
    if (progress) {
        ImGui::ProgressBar(float(progress->fraction()), ImVec2(ImGui::GetFontSize() * 16, 0), "sweeping the model");
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel##sweep")) state.cancelSweep();
    } else if (ImGui::SmallButton(o && o->docId == doc->id ? "Sweep again" : "Sweep the whole model")) {
        state.startSweep();
        o = state.overview();
    }
    ImGui::SameLine();
    const bool allExact = o && o->docId == doc->id && o->rows.size() == o->total && o->exactRows == o->total;
    if (allExact)
        ImGui::TextDisabled("per-tensor %s, exact SQNR", o->scheme.describe().c_str());
    else if (o && o->docId == doc->id && !o->rows.empty() && o->rows.size() == o->total)
        ImGui::TextDisabled("per-tensor %s, \xe2\x89\x88 SQNR from samples; exact for %zu of %zu tensors",
                            o->scheme.describe().c_str(), o->exactRows, o->total);
    else
        ImGui::TextDisabled("per-tensor %s, SQNR \xe2\x89\x88 on each tensor's sample, then exact",
                            state.scheme().describe().c_str());
    helpMarker("The sweep summarizes every tensor (one pass each), runs every enabled calibrator on the summary and "
               "estimates the SQNR on the tensor's 65536-value sample (marked \xe2\x89\x88); then an exact error pass "
               "over every element replaces each estimate, tensor by tensor in model order. Sort by a column to find "
               "the layers that need more bits; click a row to open that tensor. Outliers: share of values more than "
               "6 standard deviations from the mean.");
    if (!o || o->docId != doc->id || o->rows.empty()) return;
    const ModelFile& model = *doc->model;
    exportButtonsRight("overview", state, ui, [&] { return overviewExport(*o, model); });

    // SQNR per tensor in model order (best calibrator), lowest per pixel so weak layers show.
    float chartH = std::min(160.0f, ImGui::GetContentRegionAvail().y * 0.35f);
    if (plot::BeginPlot("##sqnr_per_tensor", ImVec2(-1, chartH), plot::kNoLegend)) {
        std::vector<double> ys;
        double ymax = 1;
        for (const auto& r : o->rows) {
            double v = bestSqnr(r);
            ys.push_back(std::isfinite(v) ? v : 0.0);
            ymax = std::max(ymax, ys.back());
        }
        plot::SetupX(-0.5, double(o->total) - 0.5, "tensor (model order)");
        plot::SetupY(0, ymax * 1.1, "best SQNR dB");
        std::vector<double> xs(ys.size());
        for (size_t i = 0; i < xs.size(); ++i) xs[i] = double(o->rows[i].tensor);
        plot::PlotBarsAt("SQNR", xs.data(), ys.data(), int(ys.size()), 0.8, IM_COL32(0, 158, 115, 255));
        plot::EndPlot();
    }

    const int cols = 8 + int(o->calibrators.size());
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                  ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("overview", cols, flags)) return;
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("tensor", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 14, 0);
    const char* heads[] = {"elements", "min", "max", "std", "kurtosis", "outliers %", "best dB"};
    for (int i = 0; i < 7; ++i) ImGui::TableSetupColumn(heads[i], ImGuiTableColumnFlags_WidthFixed, 0, ImGuiID(i + 1));
    for (size_t c = 0; c < o->calibrators.size(); ++c)
        ImGui::TableSetupColumn(o->calibrators[c].c_str(), ImGuiTableColumnFlags_WidthFixed, 0, ImGuiID(8 + c));
    ImGui::TableHeadersRow();
    if (ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs(); sort && sort->SpecsCount > 0) {
        m_sortColumn = int(sort->Specs[0].ColumnUserID);
        m_ascending = sort->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    std::vector<size_t> order = overviewOrder(*o, model, m_sortColumn, m_ascending);
    auto sel = state.selectedTensor();
    ImGuiListClipper clipper;
    clipper.Begin(int(order.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const OverviewRow& r = o->rows[order[size_t(i)]];
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::PushID(int(r.tensor));
            if (ImGui::Selectable(model.tensors[r.tensor].name.c_str(), sel && *sel == r.tensor,
                                  ImGuiSelectableFlags_SpanAllColumns))
                state.selectTensor(r.tensor);
            ImGui::PopID();
            ImGui::TableSetColumnIndex(1);
            ImGui::Text("%llu", static_cast<unsigned long long>(model.tensors[r.tensor].elements()));
            if (!r.error.empty()) {
                ImGui::TableSetColumnIndex(2);
                ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", r.error.c_str());
                continue;
            }
            ImGui::TableSetColumnIndex(2);
            ImGui::Text("%.4g", r.min);
            ImGui::TableSetColumnIndex(3);
            ImGui::Text("%.4g", r.max);
            ImGui::TableSetColumnIndex(4);
            ImGui::Text("%.4g", r.std);
            ImGui::TableSetColumnIndex(5);
            ImGui::Text("%.3g", r.kurtosis);
            ImGui::TableSetColumnIndex(6);
            ImGui::Text("%.3f", 100.0 * r.outlierShare);
            ImGui::TableSetColumnIndex(7);
            auto exact = [&r](size_t c) { return c < r.sqnrExact.size() && r.sqnrExact[c] != 0; };
            if (r.best >= 0)
                ImGui::Text("%s%.1f %s", estimateMark(exact(size_t(r.best))), bestSqnr(r),
                            o->calibrators[size_t(r.best)].c_str());
            for (size_t c = 0; c < r.sqnrDb.size(); ++c) {
                ImGui::TableSetColumnIndex(8 + int(c));
                if (int(c) == r.best) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, IM_COL32(40, 140, 60, 110));
                if (std::isfinite(r.sqnrDb[c])) ImGui::Text("%s%.1f", estimateMark(exact(c)), r.sqnrDb[c]);
                else if (std::isinf(r.sqnrDb[c]) && r.sqnrDb[c] > 0) ImGui::Text("%sinf", estimateMark(exact(c)));
                else ImGui::TextDisabled("-");
            }
        }
    }
    ImGui::EndTable();
}

}  // namespace qv
