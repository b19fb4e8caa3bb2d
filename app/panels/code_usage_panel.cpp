// Code usage, error-vs-value, error histogram and per-channel error plots.
#include "app/panels/code_usage_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "app/export/export_buttons.h"
#include "app/export/table_builders.h"
#include "app/panels/error_panel.h"
#include "app/views/envelope.h"
#include "app/widgets/help.h"
#include "app/widgets/plot.h"

namespace qv {

namespace {
const ErrorReport* reportOf(const CalibRow& row) { return row.exact ? row.exact.get() : &row.estimate; }
}  // namespace

void CodeUsagePanel::drawCodes(AppState& state, UiState& ui) {
    auto a = state.analysis();
    const CalibRow* row = a ? a->activeRow() : nullptr;
    if (!row) return;
    const ErrorReport* rep = reportOf(*row);
    const auto& h = rep->codeHistogram;
    if (h.empty()) {
        ImGui::TextDisabled("No code histogram for this scheme.");
        return;
    }
    const int32_t qmin = a->scheme.qmin(), qmax = a->scheme.qmax();
    uint64_t used = 0, total = 0;
    for (auto c : h) {
        used += c != 0;
        total += c;
    }
    const LevelTable* table = a->scheme.levelTable();
    if (table)  // codes are level indices: name the end levels by their values in the format
        ImGui::Text("%slevels used: %llu of %zu (%.1f %% of %s)   at the ends: %llu at %g, %llu at %g",
                    estimateMark(row->exact != nullptr), static_cast<unsigned long long>(used), h.size(),
                    100.0 * double(used) / double(h.size()), formatName(table->format),
                    static_cast<unsigned long long>(h.front()), double(table->levels.front()),
                    static_cast<unsigned long long>(h.back()), double(table->levels.back()));
    else
        ImGui::Text("%scodes used: %llu of %zu (%.1f %% of the code space)   saturated: %llu at %d, %llu at %d",
                    estimateMark(row->exact != nullptr), static_cast<unsigned long long>(used), h.size(),
                    100.0 * double(used) / double(h.size()), static_cast<unsigned long long>(h.front()), qmin,
                    static_cast<unsigned long long>(h.back()), qmax);
    helpMarker(glossary::kCodesUsed);
    exportButtonsRight("codes", state, ui, [&] { return codeUsageExport(*a, selectedTensorName(state)); });
    std::vector<double> ys(h.begin(), h.end());
    double ymax = *std::max_element(ys.begin(), ys.end());
    if (!plot::BeginPlot("##codes", ImVec2(-1, -1), plot::kYFromZero | (ui.logY ? plot::kLogY : 0))) return;
    plot::SetupX(double(qmin) - 0.5, double(qmax) + 0.5, table ? "level index (increasing value)" : "code");
    plot::SetupY(0, std::max(1.0, ymax * 1.08), "count");
    int px = plot::PixelWidth();
    double xLo = plot::ViewXLo(), xHi = plot::ViewXHi();
    // Max per pixel column (so a crowded code is never averaged away), drawn as bars.
    Envelope e = envelopeOfSeries(ys, double(qmin), 1.0, xLo, xHi, px);
    std::vector<double> cols(size_t(px), 0.0);
    for (int c = 0; c < px; ++c) cols[size_t(c)] = e.has[size_t(c)] ? e.hi[size_t(c)] : 0.0;
    double perCode = double(px) / (xHi - xLo);
    if (perCode >= 3) {
        // Zoomed in: one bar per code, empty codes marked.
        std::vector<double> xs, bs;
        for (int64_t q = std::max<int64_t>(qmin, int64_t(std::ceil(xLo))); q <= std::min<int64_t>(qmax, int64_t(xHi)); ++q) {
            xs.push_back(double(q));
            bs.push_back(ys[size_t(q - qmin)]);
        }
        plot::PlotBarsAt("values per code", xs.data(), bs.data(), int(xs.size()), 0.8, IM_COL32(110, 150, 210, 255));
        const auto& t = plot::CurrentTransform();
        for (size_t i = 0; i < xs.size(); ++i)
            if (bs[i] == 0)
                ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(t.x(xs[i]), t.p1.y - 4), 2.5f, IM_COL32(220, 80, 80, 220));
        plot::LegendEntry("empty code", IM_COL32(220, 80, 80, 220));
    } else {
        plot::PlotColumns("values per code (max per pixel)", xLo, xHi, cols.data(), px, IM_COL32(110, 150, 210, 255));
    }
    plot::PlotVLine("##zero", table ? double(table->zeroIndex) : 0.0, IM_COL32(255, 255, 255, 60), 1.0f);
    plot::EndPlot();
    (void)total;
}

void CodeUsagePanel::drawErrorPlots(AppState& state, UiState& ui) {
    (void)ui;
    auto a = state.analysis();
    const CalibRow* row = a ? a->activeRow() : nullptr;
    if (!row || !a->summary) return;
    float w = ImGui::GetContentRegionAvail().x;
    ImGui::BeginChild("errvalue", ImVec2(w * 0.6f, 0));
    ImGui::TextUnformatted("error x_hat - x versus value x");
    helpMarker("Inside the clip range the error is a sawtooth between -s/2 and +s/2 (rounding); outside it grows "
               "linearly (clipping). Drawn exactly per pixel column at any zoom.");
    if (row->params.slices.size() == 1 && plot::BeginPlot("##errvalue", ImVec2(-1, -1))) {
        double lo = a->summary->min, hi = a->summary->max;
        double pad = 0.05 * std::max(hi - lo, 1e-12);
        plot::SetupX(std::min(lo, row->range.lo) - pad, std::max(hi, row->range.hi) + pad, "value");
        Quantizer q(a->scheme, row->params.slices[0]);
        Envelope e = errorEnvelope(q, row->params.slices[0].scale, plot::ViewXLo(), plot::ViewXHi(), plot::PixelWidth());
        double emax = 0;
        for (int c = 0; c < e.pixels(); ++c)
            if (e.has[size_t(c)]) emax = std::max({emax, std::fabs(e.lo[size_t(c)]), std::fabs(e.hi[size_t(c)])});
        emax = std::max(emax, 1e-12);
        plot::SetupY(-emax * 1.1, emax * 1.1, "error");
        plot::PlotShadeX("clipped", plot::ViewXLo(), row->range.lo, IM_COL32(220, 60, 60, 40));
        plot::PlotShadeX("clipped", row->range.hi, plot::ViewXHi(), IM_COL32(220, 60, 60, 40));
        plot::PlotShadeX("data range", lo, hi, IM_COL32(110, 150, 210, 25));
        plot::PlotEnvelope("error", e, IM_COL32(240, 200, 90, 255), 1.0f);
        plot::PlotHLine("##0", 0, IM_COL32(255, 255, 255, 50));
        plot::EndPlot();
    } else if (row->params.slices.size() != 1) {
        ImGui::TextDisabled("Per-slice scheme: every slice has its own sawtooth; see the Channels tab.");
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("errhist", ImVec2(0, 0));
    const ErrorReport* rep = reportOf(*row);
    ImGui::Text("%serror histogram", estimateMark(row->exact != nullptr));
    if (!rep->errorHistogram.empty() && plot::BeginPlot("##errhist", ImVec2(-1, -1), plot::kYFromZero | plot::kNoLegend)) {
        plot::SetupX(rep->errorLo, rep->errorHi, "error");
        double ymax = *std::max_element(rep->errorHistogram.begin(), rep->errorHistogram.end());
        plot::SetupY(0, std::max(1.0, ymax * 1.08));
        plot::PlotColumns("errors", rep->errorLo, rep->errorHi, rep->errorHistogram.data(),
                          int(rep->errorHistogram.size()), IM_COL32(240, 200, 90, 255));
        plot::EndPlot();
    }
    ImGui::EndChild();
}

void CodeUsagePanel::drawChannels(AppState& state, UiState& ui) {
    m_perChannelButton = m_perGroupButton = Point{};
    auto a = state.analysis();
    const CalibRow* row = a ? a->activeRow() : nullptr;
    if (!row) return;
    const ErrorReport* rep = reportOf(*row);
    if (rep->perSlice.empty()) {
        ImGui::TextWrapped("Per-channel error needs a per-channel or per-group scheme: pick one under granularity, "
                           "or here:");
        // One click to what the tab is for: output channels (axis 0 of a Linear/conv weight), or groups of
        // 32 along the rows (the block size of MX formats and of llama.cpp's Q4_0/Q8_0).
        const auto& shape = state.currentDocument() && state.selectedTensor()
                                ? state.currentDocument()->model->tensors[*state.selectedTensor()].shape
                                : std::vector<int64_t>{};
        QuantScheme s = state.scheme();
        auto centre = [] {
            ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
            return Point{(lo.x + hi.x) / 2, (lo.y + hi.y) / 2};
        };
        if (shape.size() >= 2) {
            const bool pressed = ImGui::Button("per channel (axis 0)");
            m_perChannelButton = centre();
            if (pressed) {
                s.granularity = Granularity::PerChannel;
                s.axis = 0;
                state.setScheme(s);
            }
        }
        if (!shape.empty() && shape.back() >= 32) {
            if (shape.size() >= 2) ImGui::SameLine();
            const bool pressed = ImGui::Button("per group of 32");
            m_perGroupButton = centre();
            if (pressed) {
                s.granularity = Granularity::PerGroup;
                s.groupSize = 32;
                state.setScheme(s);
            }
        }
        return;
    }
    ImGui::Checkbox("sorted (worst first)", &ui.channelsSorted);
    ImGui::SameLine();
    ImGui::Text("%sSQNR per slice (%zu slices)", estimateMark(row->exact != nullptr), rep->perSlice.size());
    helpMarker(glossary::kSqnr);
    exportButtonsRight("channels", state, ui, [&] { return channelsExport(*a, selectedTensorName(state)); });
    std::vector<double> ys(rep->perSlice.size());
    double ymax = 0, ymin = 0;
    for (size_t i = 0; i < ys.size(); ++i) {
        double v = rep->perSlice[i].sqnrDb;
        ys[i] = std::isfinite(v) ? v : 0.0;
        ymax = std::max(ymax, ys[i]);
        ymin = std::min(ymin, ys[i]);
    }
    if (ui.channelsSorted) std::sort(ys.begin(), ys.end());
    if (!plot::BeginPlot("##channels", ImVec2(-1, -1), plot::kNoLegend)) return;
    plot::SetupX(-0.5, double(ys.size()) - 0.5, ui.channelsSorted ? "rank" : "slice");
    plot::SetupY(ymin, std::max(1.0, ymax * 1.08), "SQNR dB");
    double perSlice = plot::PixelWidth() / std::max(1e-9, plot::ViewXHi() - plot::ViewXLo());
    if (perSlice >= 3) {
        // Few slices in view: one bar per slice.
        std::vector<double> xs(ys.size());
        for (size_t i = 0; i < xs.size(); ++i) xs[i] = double(i);
        plot::PlotBarsAt("SQNR", xs.data(), ys.data(), int(ys.size()), 0.7, IM_COL32(0, 158, 115, 255));
        plot::EndPlot();
        return;
    }
    Envelope e = envelopeOfSeries(ys, 0.0, 1.0, plot::ViewXLo(), plot::ViewXHi(), plot::PixelWidth());
    std::vector<double> cols(size_t(e.pixels()));
    // Bars show each pixel column's worst (lowest) slice: the weak channel must stay visible.
    for (int c = 0; c < e.pixels(); ++c) cols[size_t(c)] = e.has[size_t(c)] ? e.lo[size_t(c)] : 0.0;
    plot::PlotColumns("SQNR", e.xLo, e.xHi, cols.data(), e.pixels(), IM_COL32(0, 158, 115, 255));
    plot::EndPlot();
}

}  // namespace qv
