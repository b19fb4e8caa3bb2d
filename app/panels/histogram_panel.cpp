// HistogramPanel: histogram + clip ranges + buckets + manual clip handles.
#include "app/panels/histogram_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/error_panel.h"
#include "app/views/bucket_view.h"
#include "app/widgets/help.h"
#include "app/widgets/plot.h"

namespace qv {

unsigned calibratorColor(const std::string& spec) {
    // Okabe–Ito colour-blind-safe palette, keyed by the calibrator's base name.
    static const struct { const char* name; ImU32 col; } kColors[] = {
        {"minmax", IM_COL32(230, 159, 0, 255)},   {"percentile", IM_COL32(86, 180, 233, 255)},
        {"mse", IM_COL32(0, 158, 115, 255)},      {"entropy", IM_COL32(240, 228, 66, 255)},
        {"cross-entropy", IM_COL32(0, 114, 178, 255)}, {"aciq", IM_COL32(213, 94, 0, 255)},
        {"omse", IM_COL32(204, 121, 167, 255)},   {"histogram", IM_COL32(170, 170, 170, 255)},
        {"manual", IM_COL32(255, 255, 255, 255)},
    };
    std::string base = spec.substr(0, spec.find(':'));
    for (const auto& c : kColors)
        if (base == c.name) return c.col;
    unsigned h = 2166136261u;
    for (char ch : base) h = (h ^ unsigned(static_cast<unsigned char>(ch))) * 16777619u;
    return IM_COL32(120 + (h & 0x7f), 120 + ((h >> 8) & 0x7f), 120 + ((h >> 16) & 0x7f), 255);
}

void HistogramPanel::draw(AppState& state, UiState& ui) {
    auto analysis = state.analysis();
    auto summary = state.summary();
    if (!summary) {
        std::string err = state.summaryError();
        if (!err.empty()) {
            ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", err.c_str());
        } else if (state.selectedTensor()) {
            ImGui::TextUnformatted("Computing the summary pass (min/max, moments, fine histogram)…");
            for (const auto& r : state.jobs().running()) ImGui::ProgressBar(float(r.progress->fraction()), ImVec2(-1, 0));
        } else {
            ImGui::TextDisabled("Select a tensor.");
        }
        return;
    }
    if (!summary->hasFinite()) {
        ImGui::TextUnformatted("This tensor has no finite value (empty, or all NaN/Inf): nothing to plot.");
        return;
    }
    const CalibRow* active = analysis ? analysis->activeRow() : nullptr;

    // Toolbar.
    ImGui::Checkbox("log y (L)", &ui.logY);
    ImGui::SameLine();
    if (ImGui::SmallButton("reset zoom (R)")) ui.resetZoom = true;
    ImGui::SameLine();
    ImGui::TextDisabled("wheel: zoom  drag: pan  double-click: fit  drag a white handle: manual clip range");
    helpMarker(glossary::kBuckets);
    if (ui.resetZoom) {
        plot::ResetView("##histogram");
        ui.resetZoom = false;
    }

    int flags = plot::kYFromZero | (ui.logY ? plot::kLogY : 0);
    if (!plot::BeginPlot("##histogram", ImVec2(-1, -1), flags)) return;
    double fitLo, fitHi;
    histogramFitRange(summary->min, summary->max, true, fitLo, fitHi);
    // Keep every calibrator's range in the initial view (a manual range may lie outside the data).
    if (analysis)
        for (const auto& row : analysis->rows) {
            fitLo = std::min(fitLo, row.range.lo - 0.02 * (fitHi - fitLo));
            fitHi = std::max(fitHi, row.range.hi + 0.02 * (fitHi - fitLo));
        }
    plot::SetupX(fitLo, fitHi, "value");
    const double xLo = plot::ViewXLo(), xHi = plot::ViewXHi();
    const int pixels = plot::PixelWidth();
    if (m_cachedSummary != summary.get() || m_cachedLo != xLo || m_cachedHi != xHi || m_cachedPixels != pixels) {
        m_columns = histogramColumns(summary->histogram, xLo, xHi, pixels);
        m_cachedSummary = summary.get();
        m_cachedLo = xLo;
        m_cachedHi = xHi;
        m_cachedPixels = pixels;
    }
    plot::SetupY(0, std::max(1.0, m_columns.maxCount * 1.08), "count");

    const bool perTensor = active && active->params.slices.size() == 1;
    if (active) {
        // Clipped tails: everything beyond the grid's end levels saturates (per tensor: the quantizer's
        // own range, which a widened asymmetric or degenerate range makes wider than the calibrator's;
        // per slice: the extent of the slices' clip ranges).
        const ClipRange shade = perTensor ? saturationRange(active->params.scheme, active->params.slices[0]) : active->range;
        plot::PlotShadeX("clipped", xLo, shade.lo, IM_COL32(220, 60, 60, 40));
        plot::PlotShadeX("clipped", shade.hi, xHi, IM_COL32(220, 60, 60, 40));
    }
    plot::PlotColumns("histogram", m_columns.xLo, m_columns.xHi, m_columns.counts.data(), int(m_columns.counts.size()),
                      IM_COL32(110, 150, 210, 255));
    if (perTensor) {
        BucketLines b = bucketLines(analysis->scheme, active->params.slices[0], xLo, xHi, pixels);
        const auto& t = plot::CurrentTransform();
        if (b.dense) {
            plot::PlotShadeX("buckets", b.lowest, b.highest, IM_COL32(255, 255, 255, 14));
        } else if (!plot::IsItemHidden("buckets")) {
            ImDrawList* dl = ImGui::GetWindowDrawList();
            if (b.hasBand) plot::PlotShadeX("buckets", b.bandLo, b.bandHi, IM_COL32(255, 255, 255, 14));
            for (double x : b.boundaries)
                dl->AddLine(ImVec2(t.x(x), t.p0.y), ImVec2(t.x(x), t.p1.y), IM_COL32(255, 255, 255, 70));
            for (double x : b.levels)
                dl->AddLine(ImVec2(t.x(x), t.p1.y), ImVec2(t.x(x), t.p1.y - 6), IM_COL32(255, 255, 255, 160), 1.5f);
            if (const LevelTable* table = analysis->scheme.levelTable()) {
                // Unequal buckets: each level is labelled with its value in the format (E4M3's 448,
                // FP4's 1.5) where its neighbours leave room for the text.
                float freeFrom = -1e30f;  // labels left to right, each only where the last one ended
                for (size_t i = 0; i < b.levels.size(); ++i) {
                    const float px = t.x(b.levels[i]);
                    char text[24];
                    std::snprintf(text, sizeof text, "%.3g", double(table->levels[size_t(b.levelCodes[i])]));
                    const float w = ImGui::CalcTextSize(text).x;
                    const bool roomRight = i + 1 == b.levels.size() || t.x(b.levels[i + 1]) - px > w + 6;
                    if (px < freeFrom || !roomRight) continue;
                    dl->AddText(ImVec2(px + 2, t.p1.y - 20), IM_COL32(255, 255, 255, 150), text);
                    freeFrom = px + w + 6;
                }
            } else if (b.pixelsPerBucket > 28)
                for (size_t i = 0; i < b.levels.size(); ++i) {
                    char code[16];
                    std::snprintf(code, sizeof code, "%d", b.levelCodes[i]);
                    dl->AddText(ImVec2(t.x(b.levels[i]) + 2, t.p1.y - 20), IM_COL32(255, 255, 255, 150), code);
                }
        }
        plot::LegendEntry("buckets", IM_COL32(255, 255, 255, 90));
        // Values exactly on a decision boundary (ties, decided by round-half-to-even): a marker on the
        // boundary, counted in the summary's sample (≈) until the exact pass has counted every element.
        if (summary && !plot::IsItemHidden("buckets")) {
            const bool exactTies = active->exact != nullptr;
            BoundaryHits hits;
            if (exactTies) {
                for (const auto& t : active->exact->ties) hits.hits.push_back(BoundaryHit{t.boundary, t.codeBelow, t.count});
                hits.total = active->exact->tieCount;
                hits.examined = active->exact->total.count;
            } else {
                hits = boundaryHits(analysis->scheme, active->params.slices[0], summary->sample);
            }
            ImDrawList* dl = ImGui::GetWindowDrawList();
            for (const auto& h : hits.hits) {
                if (h.boundary < xLo || h.boundary > xHi) continue;
                float x = t.x(h.boundary), y = t.p0.y + 2;
                dl->AddTriangleFilled(ImVec2(x - 5, y), ImVec2(x + 5, y), ImVec2(x, y + 9), IM_COL32(255, 0, 200, 255));
                const LevelTable* table = analysis->scheme.levelTable();
                const bool hovered = ImGui::IsMouseHoveringRect(ImVec2(x - 6, y - 1), ImVec2(x + 6, y + 10));
                if (hovered && table) {
                    const auto below = size_t(h.codeBelow);
                    const float to = table->levels[below + (table->tieUp[below] ? 1 : 0)];
                    ImGui::SetTooltip("%s%llu %s exactly on the boundary %.7g between the levels %g and %g:\n"
                                      "x/s = %g, so the tie goes to %g (%s)",
                                      estimateMark(exactTies), static_cast<unsigned long long>(h.count),
                                      exactTies ? "value(s)" : "sampled value(s)", h.boundary,
                                      double(table->levels[below]), double(table->levels[below + 1]),
                                      double(table->midpoints[below]), double(to),
                                      table->format == NumberFormat::Nf4 ? "the even 4-bit code"
                                                                         : "round to nearest even: the even bit pattern");
                } else if (hovered)
                    ImGui::SetTooltip("%s%llu %s exactly on the boundary %.7g between codes %d and %d:\n"
                                      "x/s = %.1f, so round-half-to-even sends them to code %d",
                                      estimateMark(exactTies), static_cast<unsigned long long>(h.count),
                                      exactTies ? "value(s)" : "sampled value(s)", h.boundary, h.codeBelow,
                                      h.codeBelow + 1, double(h.codeBelow - active->params.slices[0].zeroPoint) + 0.5,
                                      (h.codeBelow % 2 == 0) ? h.codeBelow : h.codeBelow + 1);
            }
            if (hits.total > 0) plot::LegendEntry("on a boundary (tie)", IM_COL32(255, 0, 200, 255));
        }
    }
    if (analysis) {
        for (const auto& row : analysis->rows) {
            if (&row == active) continue;
            ImU32 col = calibratorColor(row.spec);
            plot::PlotVLine(row.label.c_str(), row.range.lo, col, 1.5f);
            plot::PlotVLine(row.label.c_str(), row.range.hi, col, 1.5f);
        }
    }
    if (active) {
        // The active range is the draggable pair; dragging turns it into the manual range.
        if (!plot::AnyHandleActive()) {
            m_dragLo = active->range.lo;
            m_dragHi = active->range.hi;
        }
        ImU32 col = calibratorColor(active->spec);
        plot::LegendEntry(active->label.c_str(), col);
        bool changed = false;
        if (perTensor) {
            changed |= plot::DragVLine("##clip lo", &m_dragLo, col, 2.5f);
            changed |= plot::DragVLine("##clip hi", &m_dragHi, col, 2.5f);
        } else {
            plot::PlotVLine(active->label.c_str(), active->range.lo, col, 2.5f);
            plot::PlotVLine(active->label.c_str(), active->range.hi, col, 2.5f);
        }
        if (changed) state.setManualRange({std::min(m_dragLo, m_dragHi), std::max(m_dragLo, m_dragHi)});
    }
    if (plot::IsPlotHovered() && !plot::AnyHandleActive()) {
        int c = int((plot::MouseX() - xLo) / (xHi - xLo) * pixels);
        if (c >= 0 && c < int(m_columns.counts.size())) {
            ImGui::BeginTooltip();
            double w = (xHi - xLo) / pixels;
            ImGui::Text("[%.5g, %.5g): %.0f values", xLo + c * w, xLo + (c + 1) * w, m_columns.counts[size_t(c)]);
            if (perTensor) {
                Quantizer q(analysis->scheme, active->params.slices[0]);
                float x = float(plot::MouseX());
                int32_t code = q.quantize(x);
                if (const LevelTable* table = q.levelTable())  // the level's value and stored bit pattern
                    ImGui::Text("x = %.6g -> x/s = %.4g -> level %g (bits 0x%02X) -> %.6g (error %.3g)", double(x),
                                double(x / q.scale()), double(table->levels[size_t(code)]),
                                unsigned(table->patterns[size_t(code)]), double(q.dequantize(code)),
                                double(q.dequantize(code) - x));
                else
                    ImGui::Text("x = %.6g -> code %d -> %.6g (error %.3g)", double(x), code, double(q.dequantize(code)),
                                double(q.dequantize(code) - x));
            }
            ImGui::EndTooltip();
        }
    }
    {
        const auto& t = plot::CurrentTransform();
        lastXLo = t.xLo;
        lastXHi = t.xHi;
        lastP0x = t.p0.x;
        lastP1x = t.p1.x;
        lastP0y = t.p0.y;
        lastP1y = t.p1.y;
    }
    plot::EndPlot();
    if (plot::AnyHandleActive()) ui.interacting = true;
}

}  // namespace qv
