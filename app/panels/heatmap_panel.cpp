// HeatmapPanel: block min/max heatmap drawn with ImDrawList rectangles (at most 256×256 cells).
#include "app/panels/heatmap_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app/widgets/help.h"

namespace qv {

namespace {

// Dark violet → red → yellow ramp for magnitudes in [0, 1].
ImU32 magnitudeColor(float t) {
    t = std::clamp(t, 0.0f, 1.0f);
    const float stops[4][3] = {{18, 18, 40}, {90, 40, 150}, {220, 80, 60}, {250, 235, 90}};
    float f = t * 3.0f;
    int i = std::min(2, int(f));
    float u = f - float(i);
    auto mix = [&](int k) { return int(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * u); };
    return IM_COL32(mix(0), mix(1), mix(2), 255);
}

// Blue (negative) – dark (0) – red (positive) for values in [−1, 1].
ImU32 signedColor(float t) {
    t = std::clamp(t, -1.0f, 1.0f);
    float a = std::sqrt(std::fabs(t));  // sqrt: small weights stay visible next to outliers
    return t < 0 ? IM_COL32(int(20 + 40 * a), int(20 + 110 * a), int(30 + 225 * a), 255)
                 : IM_COL32(int(30 + 225 * a), int(20 + 90 * a), int(20 + 30 * a), 255);
}

}  // namespace

void HeatmapPanel::draw(AppState& state, UiState& ui) {
    (void)ui;
    state.requestHeatmap();
    auto g = state.heatmap();
    if (!g) {
        ImGui::TextDisabled(state.heatmapPending() ? "building the heatmap (one pass over the tensor)…" : "no tensor");
        return;
    }
    const char* modes[] = {"|value| (block max)", "value (block extreme)", "clipped mask"};
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    ImGui::Combo("colour", &m_mode, modes, 3);
    helpMarker("Each cell covers a block of rows × columns and shows the block's most extreme value (never the "
               "mean), so a single outlier is never averaged away. Clipped mask: red where the block holds a value "
               "outside the active clip range. The bars on the right are each row's range [min, max] (per-channel "
               "ranges, AIMET style); rows whose max |x| exceeds 6× the median row are flagged.");
    ImGui::SameLine();
    ImGui::TextDisabled("%lld × %lld as %lld × %lld cells", static_cast<long long>(g->rows),
                        static_cast<long long>(g->cols), static_cast<long long>(g->cellRows),
                        static_cast<long long>(g->cellCols));
    auto a = state.analysis();
    const CalibRow* active = a ? a->activeRow() : nullptr;
    auto outRows = g->outlierRows();

    ImVec2 avail = ImGui::GetContentRegionAvail();
    const float barsW = 90, listW = 230;
    float gridW = std::max(60.0f, avail.x - barsW - listW - 16);
    float gridH = std::max(60.0f, avail.y - 4);
    float cw = gridW / float(std::max<int64_t>(1, g->cellCols));
    float ch = gridH / float(std::max<int64_t>(1, g->cellRows));
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float amax = std::max(g->absMax, 1e-30f);
    for (int64_t r = 0; r < g->cellRows; ++r)
        for (int64_t c = 0; c < g->cellCols; ++c) {
            size_t i = size_t(r * g->cellCols + c);
            float lo = g->cellMin[i], hi = g->cellMax[i];
            ImU32 col;
            if (m_mode == 0) col = magnitudeColor(std::max(std::fabs(lo), std::fabs(hi)) / amax);
            else if (m_mode == 1) col = signedColor((std::fabs(lo) > std::fabs(hi) ? lo : hi) / amax);
            else col = active && (lo < active->range.lo || hi > active->range.hi) ? IM_COL32(230, 60, 60, 255)
                                                                                : IM_COL32(40, 45, 60, 255);
            ImVec2 a0(p0.x + float(c) * cw, p0.y + float(r) * ch);
            dl->AddRectFilled(a0, ImVec2(a0.x + std::max(cw, 1.0f), a0.y + std::max(ch, 1.0f)), col);
        }
    ImGui::InvisibleButton("##heatmap", ImVec2(gridW, gridH));
    if (ImGui::IsItemHovered()) {
        ImVec2 m = ImGui::GetIO().MousePos;
        int64_t c = std::clamp<int64_t>(int64_t((m.x - p0.x) / cw), 0, g->cellCols - 1);
        int64_t r = std::clamp<int64_t>(int64_t((m.y - p0.y) / ch), 0, g->cellRows - 1);
        size_t i = size_t(r * g->cellCols + c);
        int64_t r0 = r * g->rowsPerCell, c0 = c * g->colsPerCell;
        ImGui::BeginTooltip();
        ImGui::Text("rows %lld..%lld, columns %lld..%lld", static_cast<long long>(r0),
                    static_cast<long long>(std::min(g->rows, r0 + g->rowsPerCell) - 1), static_cast<long long>(c0),
                    static_cast<long long>(std::min(g->cols, c0 + g->colsPerCell) - 1));
        ImGui::Text("min %.6g   max %.6g", double(g->cellMin[i]), double(g->cellMax[i]));
        if (active && active->params.slices.size() == 1) {
            AffineQuantizer q(a->scheme, active->params.slices[0]);
            float x = std::fabs(g->cellMin[i]) > std::fabs(g->cellMax[i]) ? g->cellMin[i] : g->cellMax[i];
            ImGui::Text("extreme %.6g -> code %d -> error %.3g", double(x), q.quantize(x),
                        double(q.fakeQuantize(x) - x));
        }
        ImGui::EndTooltip();
    }
    // Per-row range bars.
    ImGui::SameLine();
    ImVec2 b0 = ImGui::GetCursorScreenPos();
    float mid = b0.x + barsW / 2;
    dl->AddLine(ImVec2(mid, b0.y), ImVec2(mid, b0.y + gridH), IM_COL32(255, 255, 255, 50));
    float rowH = gridH / float(std::max<int64_t>(1, g->rows));
    for (int64_t r = 0; r < g->rows; ++r) {
        float y = b0.y + (float(r) + 0.5f) * rowH;
        float x0 = mid + g->rowMin[size_t(r)] / amax * (barsW / 2 - 2);
        float x1 = mid + g->rowMax[size_t(r)] / amax * (barsW / 2 - 2);
        bool flagged = std::binary_search(outRows.begin(), outRows.end(), r);
        dl->AddLine(ImVec2(x0, y), ImVec2(x1 + 1, y), flagged ? IM_COL32(240, 80, 60, 255) : IM_COL32(110, 150, 210, 200),
                    std::max(1.0f, std::min(rowH, 3.0f)));
    }
    ImGui::Dummy(ImVec2(barsW, gridH));
    // Outlier rows and the top-k largest |x|.
    ImGui::SameLine();
    ImGui::BeginChild("topk", ImVec2(0, gridH));
    ImGui::Text("outlier rows: %zu", outRows.size());
    for (size_t k = 0; k < std::min<size_t>(outRows.size(), 8); ++k) {
        int64_t r = outRows[k];
        ImGui::Text("  row %lld  [%.4g, %.4g]", static_cast<long long>(r), double(g->rowMin[size_t(r)]),
                    double(g->rowMax[size_t(r)]));
    }
    auto outCols = g->outlierCols();
    ImGui::Text("outlier columns: %zu", outCols.size());
    for (size_t k = 0; k < std::min<size_t>(outCols.size(), 8); ++k) {
        int64_t c = outCols[k];
        ImGui::Text("  column %lld  [%.4g, %.4g]", static_cast<long long>(c), double(g->colMin[size_t(c)]),
                    double(g->colMax[size_t(c)]));
    }
    ImGui::Separator();
    ImGui::TextUnformatted("largest |x|");
    if (auto s = state.summary()) {
        for (size_t k = 0; k < std::min<size_t>(s->topAbs.size(), 32); ++k) {
            const auto& e = s->topAbs[k];
            int64_t r = g->cols ? int64_t(e.index / uint64_t(g->cols)) : 0;
            int64_t c = g->cols ? int64_t(e.index % uint64_t(g->cols)) : 0;
            std::string err;
            if (active && active->params.slices.size() == 1) {
                AffineQuantizer q(a->scheme, active->params.slices[0]);
                char b[48];
                std::snprintf(b, sizeof b, "  e %.3g", double(q.fakeQuantize(e.value) - e.value));
                err = b;
            }
            ImGui::Text("[%lld, %lld] %.5g%s", static_cast<long long>(r), static_cast<long long>(c), double(e.value),
                        err.c_str());
        }
    }
    ImGui::EndChild();
}

}  // namespace qv
