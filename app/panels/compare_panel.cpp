// ComparePanel: A/B metrics table with differences.
#include "app/panels/compare_panel.h"

#include <imgui.h>

#include <cmath>

#include "app/panels/error_panel.h"
#include "app/widgets/help.h"

namespace qv {

void ComparePanel::draw(AppState& state, UiState& ui) {
    bool changed = ImGui::Checkbox("compare with scheme B", &m_enabled);
    helpMarker("A is the scheme and calibrator chosen on the left; B is set here. Both are evaluated on the same "
               "tensor (per tensor), estimated while you move a control and exact after release.");
    if (m_enabled) {
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
        changed |= ImGui::SliderInt("B bits", &m_bits, 2, 16);
        if (ImGui::IsItemActive()) ui.interacting = true;
        ImGui::SameLine();
        const char* symNames[] = {"symmetric", "symmetric full", "asymmetric"};
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
        changed |= ImGui::Combo("B scheme", &m_sym, symNames, 3);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
        if (ImGui::BeginCombo("B calibrator", m_calibrator.c_str())) {
            for (const auto& c : state.calibrators())
                if (ImGui::Selectable(c.name.c_str(), c.name == m_calibrator)) {
                    m_calibrator = c.name;
                    changed = true;
                }
            ImGui::EndCombo();
        }
    }
    if (changed) {
        if (m_enabled) {
            QuantScheme b = state.scheme();
            b.bits = m_bits;
            b.symmetry = m_sym == 2 ? Symmetry::Asymmetric : Symmetry::Symmetric;
            b.fullRange = m_sym == 1;
            state.setCompare(b, m_calibrator);
        } else {
            state.clearCompare();
        }
    }
    auto a = state.analysis();
    if (!m_enabled || !a || !a->activeRow() || !a->compare) {
        if (m_enabled && a && a->scheme.granularity != Granularity::PerTensor)
            ImGui::TextDisabled("B is per tensor; A is per channel/group: the comparison shows the granularity's effect.");
        return;
    }
    const CalibRow& ra = *a->activeRow();
    const CalibRow& rb = *a->compare;
    const ErrorStats& ea = ra.exact ? ra.exact->total : ra.estimate.total;
    const ErrorStats& eb = rb.exact ? rb.exact->total : rb.estimate.total;
    if (!ImGui::BeginTable("compare", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) return;
    ImGui::TableSetupColumn("metric");
    ImGui::TableSetupColumn(("A: " + ra.label + ", " + a->scheme.describe()).c_str());
    ImGui::TableSetupColumn((rb.label + ", " + rb.params.scheme.describe()).c_str());
    ImGui::TableSetupColumn("B - A");
    ImGui::TableHeadersRow();
    auto line = [&](const char* name, double va, double vb, const char* fmt) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted(name);
        ImGui::TableSetColumnIndex(1);
        ImGui::Text("%s", estimateMark(ra.exact != nullptr));
        ImGui::SameLine(0, 0);
        ImGui::Text(fmt, va);
        ImGui::TableSetColumnIndex(2);
        ImGui::Text("%s", estimateMark(rb.exact != nullptr));
        ImGui::SameLine(0, 0);
        ImGui::Text(fmt, vb);
        ImGui::TableSetColumnIndex(3);
        if (std::isfinite(va) && std::isfinite(vb)) ImGui::Text(fmt, vb - va);
    };
    line("clip lo", ra.range.lo, rb.range.lo, "%.5g");
    line("clip hi", ra.range.hi, rb.range.hi, "%.5g");
    line("MSE", ea.mse, eb.mse, "%.4g");
    line("SQNR dB", ea.sqnrDb, eb.sqnrDb, "%.2f");
    line("max |error|", ea.maxAbsError, eb.maxAbsError, "%.4g");
    line("cosine", ea.cosine, eb.cosine, "%.6f");
    line("clipped %", 100 * ea.clippedFraction, 100 * eb.clippedFraction, "%.4f");
    line("codes used", double(ea.codesUsed), double(eb.codesUsed), "%.0f");
    ImGui::EndTable();
}

}  // namespace qv
