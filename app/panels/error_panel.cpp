// ErrorPanel: the active row's metrics and parameters.
#include "app/panels/error_panel.h"

#include <imgui.h>

#include <cmath>

#include "app/widgets/help.h"

namespace qv {

const char* estimateMark(bool exact) { return exact ? "" : "\xe2\x89\x88 "; }  // U+2248 ≈

void ErrorPanel::draw(AppState& state, UiState& ui) {
    (void)ui;
    auto a = state.analysis();
    const CalibRow* row = a ? a->activeRow() : nullptr;
    if (!row) {
        if (a && a->scheme.granularity != Granularity::PerTensor)
            ImGui::TextUnformatted("Computing per-slice ranges (one pass over the tensor)…");
        else
            ImGui::TextDisabled("No result yet.");
        return;
    }
    const bool exact = row->exact != nullptr;
    const ErrorStats& e = exact ? row->exact->total : row->estimate.total;
    const char* m = estimateMark(exact);
    ImGui::Text("%s   %s", a->scheme.describe().c_str(), row->label.c_str());
    if (exact) ImGui::TextColored(ImVec4(0.4f, 0.85f, 0.4f, 1), "exact (all %llu values)",
                                  static_cast<unsigned long long>(e.count));
    else ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.3f, 1), "estimate from %llu sampled values",
                            static_cast<unsigned long long>(e.count));
    helpMarker(glossary::kEstimate);
    if (auto p = state.exactProgress()) {
        ImGui::ProgressBar(float(p->fraction()), ImVec2(-ImGui::GetFontSize() * 5, 0), "exact pass");
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel##exact")) p->cancel();
    }
    if (ImGui::BeginTable("metrics", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
        auto line = [&](const char* k, const char* help, const char* fmt, double v) {
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(k);
            if (help) helpMarker(help);
            ImGui::TableNextColumn();
            ImGui::Text("%s", m);
            ImGui::SameLine(0, 0);
            ImGui::Text(fmt, v);
        };
        line("MSE", glossary::kMse, "%.4g", e.mse);
        line("RMSE", nullptr, "%.4g", e.rmse);
        line("SQNR", glossary::kSqnr, std::isinf(e.sqnrDb) ? "%.0f dB (lossless)" : "%.2f dB", e.sqnrDb);
        line("max |error|", nullptr, "%.4g", e.maxAbsError);
        line("mean |error|", nullptr, "%.4g", e.meanAbsError);
        line("cosine", glossary::kCosine, "%.6f", e.cosine);
        line("clipped", glossary::kClipped, "%.4f %%", 100.0 * e.clippedFraction);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted("codes used");
        helpMarker(glossary::kCodesUsed);
        ImGui::TableNextColumn();
        ImGui::Text("%s%llu of %llu (%.1f %%)", m, static_cast<unsigned long long>(e.codesUsed),
                    static_cast<unsigned long long>(e.codesAvailable),
                    e.codesAvailable ? 100.0 * double(e.codesUsed) / double(e.codesAvailable) : 0.0);
        ImGui::EndTable();
    }
    ImGui::Separator();
    if (row->params.slices.size() == 1) {
        const auto& p = row->params.slices[0];
        ImGui::Text("clip range [%.6g, %.6g]", p.clip.lo, p.clip.hi);
        helpMarker(glossary::kClipRange);
        ImGui::Text("scale %.6g", double(p.scale));
        helpMarker(glossary::kScale);
        if (const LevelTable* table = a->scheme.levelTable()) {
            // Level formats have no zero point to choose: 0 is one of the format's levels.
            ImGui::Text("%d levels of %s: x_hat = scale * level, levels %g..%g", table->size(), formatName(table->format),
                        double(table->levels.front()), double(table->levels.back()));
            helpMarker(glossary::kNumberFormat);
        } else {
            ImGui::SameLine();
            ImGui::Text("   zero point %d", p.zeroPoint);
            helpMarker(glossary::kZeroPoint);
            ImGui::Text("codes %d..%d", a->scheme.qmin(), a->scheme.qmax());
        }
    } else {
        double smin = INFINITY, smax = 0;
        for (const auto& p : row->params.slices) {
            smin = std::min(smin, double(p.scale));
            smax = std::max(smax, double(p.scale));
        }
        ImGui::Text("%zu slices, scales %.4g .. %.4g", row->params.slices.size(), smin, smax);
        helpMarker(glossary::kScale);
        ImGui::Text("extent of the slice ranges [%.6g, %.6g]", row->range.lo, row->range.hi);
    }
}

}  // namespace qv
