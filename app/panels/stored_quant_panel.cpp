// StoredQuantPanel: stored type and bits/weight of the selected tensor and the file-vs-quantviz error table.
#include "app/panels/stored_quant_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app/widgets/help.h"

namespace qv {

static bool isStoredQuantized(const AppState& state, const TensorInfo** out) {
    const Document* doc = state.currentDocument();
    auto sel = state.selectedTensor();
    if (!doc || !sel) return false;
    const TensorInfo& t = doc->model->tensors[*sel];
    if (!storedQuantFacts(t).blockQuantized) return false;
    *out = &t;
    return true;
}

float storedQuantLines(const AppState& state) {
    const TensorInfo* t = nullptr;
    if (!isStoredQuantized(state, &t)) return 0;
    if (!state.reference()) return 4.5f;
    auto c = state.storedComparison();
    return 8.8f + (c ? float(c->quantviz.size()) : 1.0f);
}

void drawStoredQuant(AppState& state) {
    const TensorInfo* t = nullptr;
    if (!isStoredQuantized(state, &t)) return;
    StoredQuantFacts f = storedQuantFacts(*t);
    ImGui::Separator();
    ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.35f, 1), "stored quantized: %s, %.4g bits/weight", f.typeName.c_str(),
                       f.bitsPerWeight);
    helpMarker("The file keeps this tensor in a ggml block type: blocks of 32 or 256 weights share scales (K-quants: "
               "a super-block scale times 6-bit sub-block scales). Bits per weight include those scales. Layouts "
               "and dequantization follow llama.cpp's ggml-quants.c.");
    ImGui::TextDisabled("%u weights / %u bytes per block", f.blockElements, f.blockBytes);
    if (f.decodable)
        ImGui::TextWrapped("Histogram and statistics are of the file's own reconstruction (dequantized as llama.cpp does).");
    else
        ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "This build cannot decode %s.", f.typeName.c_str());

    if (!state.reference()) {
        ImGui::TextDisabled("Open the same model in higher precision (File > Open second file to compare) to see this quantization's error.");
        return;
    }
    drawStoredComparisonTable(state);
}

void drawStoredComparisonTable(AppState& state) {
    if (!state.reference()) return;
    state.requestStoredComparison();
    state.requestStoredModelComparison();
    if (auto m = state.storedModelComparison(); m && !m->tensors.empty()) {
        ImGui::Text("whole file vs reference: rel RMS %.4f, SQNR %.2f dB (%zu tensors)", m->relativeRms, m->sqnrDb,
                    m->tensors.size());
        helpMarker("Every tensor found in both files by name, stored quantized or not: sqrt(sum of squared errors / "
                   "sum of squared reference values) over all of them.");
    }
    auto c = state.storedComparison();
    if (!c) {
        ImGui::TextDisabled("comparing with the reference…");
        return;
    }
    if (!c->error.empty()) {
        ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", c->error.c_str());
        return;
    }
    ImGui::Text("error vs %s (%s); quantviz rows: %s", c->storedInSecond ? "the open file" : "reference",
                c->referenceType.c_str(), c->scheme.describe().c_str());
    helpMarker(c->storedInSecond
                   ? "x = the open file's tensor, x_hat = the second file's reconstruction of it. Beside it: quantviz's "
                     "current scheme with each enabled calibrator, applied to the open file's tensor (exact pass)."
                   : "x = the reference file's tensor, x_hat = this file's reconstruction. Beside it: quantviz's current "
                     "scheme with each enabled calibrator, applied to the reference tensor (exact pass over every value).");
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
    if (ImGui::BeginTable("storedcmp", 5, flags)) {
        ImGui::TableSetupColumn("quantization", ImGuiTableColumnFlags_WidthStretch, 2.2f);
        ImGui::TableSetupColumn("MSE", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("SQNR dB", ImGuiTableColumnFlags_WidthStretch, 0.9f);
        ImGui::TableSetupColumn("rel RMS", ImGuiTableColumnFlags_WidthStretch, 0.9f);
        ImGui::TableSetupColumn("max |e|", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableHeadersRow();
        auto row = [](const std::string& name, double mse, double sqnr, double rel, double maxe, bool file) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            if (file) ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.35f, 1), "%s", name.c_str());
            else ImGui::TextUnformatted(name.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.3g", mse);
            ImGui::TableNextColumn();
            if (std::isinf(sqnr)) ImGui::TextUnformatted("inf");
            else ImGui::Text("%.2f", sqnr);
            ImGui::TableNextColumn();
            ImGui::Text("%.4f", rel);
            ImGui::TableNextColumn();
            ImGui::Text("%.3g", maxe);
        };
        char buf[96];
        std::snprintf(buf, sizeof buf, "file %s (%.3g b/w)", c->storedTypeName.c_str(), c->storedBitsPerWeight);
        row(buf, c->file.mse, c->file.sqnrDb, c->file.relativeRms, c->file.maxAbsError, true);
        for (const auto& q : c->quantviz)
            row(q.label, q.stats.mse, q.stats.sqnrDb, q.relativeRms, q.stats.maxAbsError, false);
        ImGui::EndTable();
    }
    if (state.storedComparisonPending()) ImGui::TextDisabled("updating…");
    // Like for like: the file's block as quantviz's nearest scheme — its integer bits, asymmetric when the
    // format stores a minimum, one scale per 32-weight group (a K-quant sub-block is 16
    // or 32 weights; quantviz's group scales are float, so this is slightly generous to quantviz).
    if (ImGui::SmallButton("quantviz at the file's bits (group 32)")) {
        QuantScheme s = state.scheme();
        s.format = NumberFormat::Int;
        s.bits = std::max(2, int(std::floor(c->storedBitsPerWeight)));
        // Q2_K, Q4_K, Q5_K and Q4_1/Q5_1 keep a per-block minimum (ggml-quants.c); Q3_K, Q6_K and Q*_0 do not.
        const std::string& n = c->storedTypeName;
        bool hasMin = n == "q2_K" || n == "q4_K" || n == "q5_K" || n.find("_1") != std::string::npos;
        s.symmetry = hasMin ? Symmetry::Asymmetric : Symmetry::Symmetric;
        s.granularity = Granularity::PerGroup;
        s.groupSize = 32;
        state.setScheme(s);
    }
    ImGui::SameLine();
    helpMarker("Sets quantviz's scheme close to the file's format so the rows above compare like with like: "
               "bits = the file's bits per weight rounded down, asymmetric when the format stores a minimum, "
               "one scale per 32 weights along each row.");
}

}  // namespace qv
