// ControlsPanel: every input of the scheme; each change goes through AppState's setters.
#include "app/panels/controls_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/panels/histogram_panel.h"
#include "app/widgets/help.h"
#include "core/calib/presets.h"

namespace qv {

void ControlsPanel::draw(AppState& state, UiState& ui) {
    QuantScheme s = state.scheme();
    bool anyActive = false;
    ImGui::PushItemWidth(-ImGui::GetFontSize() * 6.5f);

    {
        const auto& ps = presets();
        const Preset* cur = findPreset(state.preset());
        if (ImGui::BeginCombo("preset", cur ? cur->title.c_str() : "custom")) {
            for (const auto& p : ps) {
                if (ImGui::Selectable(p.title.c_str(), cur == &p)) state.applyPreset(p.name);
                if (ImGui::IsItemHovered()) {
                    ImGui::BeginTooltip();
                    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
                    ImGui::TextUnformatted(p.description.c_str());
                    ImGui::PopTextWrapPos();
                    ImGui::EndTooltip();
                }
            }
            ImGui::EndCombo();
        }
        helpMarker("A preset reproduces another tool's conventions end to end (scale divisor, zero point, "
                   "degenerate ranges, its calibrators and their defaults), so you can see why the same tensor "
                   "gets different scales in TensorRT, ONNX Runtime and PyTorch. See docs/presets.md.");
    }
    {
        const auto formats = allNumberFormats();
        ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 9.0f);  // room for "(?)" and the "bits" button
        if (ImGui::BeginCombo("format", formatTitle(s.format), ImGuiComboFlags_HeightLargest)) {
            for (NumberFormat f : formats)
                if (ImGui::Selectable(formatTitle(f), f == s.format)) {
                    s = state.scheme();
                    // MX formats are defined on blocks of 32 along the last axis: start there (any
                    // granularity can be chosen afterwards).
                    if (mxElementEmax(f) >= 0 && mxElementEmax(s.format) < 0) {
                        s.granularity = Granularity::PerGroup;
                        s.groupSize = 32;
                    }
                    if (f == NumberFormat::NvFp4 && s.format != NumberFormat::NvFp4) {  // NVFP4's blocks: 16
                        s.granularity = Granularity::PerGroup;
                        s.groupSize = 16;
                    }
                    s.format = f;
                    state.setScheme(s);
                }
            ImGui::EndCombo();
        }
        helpMarker(glossary::kNumberFormat);
        // How one value looks in the formats, bit by bit: the explorer on the tensor's largest |x|.
        ImGui::SameLine();
        if (ImGui::SmallButton("bits##explorer")) {  // (the "bits" slider below has the plain ID)
            auto sum = state.summary();
            ui.exploreNumber = sum && std::isfinite(sum->absMax) && sum->absMax > 0 ? sum->absMax : 25.125;
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Open the number explorer on this tensor's largest |x|: its bits in fp32, fp16, bf16,\n"
                              "FP8, FP4, intN and fixed point.");
    }
    const bool levelFormat = s.levelTable() != nullptr;
    // A level format fixes its own width, symmetry and arithmetic: those controls show it, greyed.
    if (levelFormat) ImGui::BeginDisabled();
    int bits = levelFormat ? s.codeBits() : s.bits;
    if (ImGui::SliderInt("bits", &bits, 2, 16)) state.setBits(bits);
    bitsX0 = ImGui::GetItemRectMin().x;
    bitsY0 = ImGui::GetItemRectMin().y;
    bitsX1 = ImGui::GetItemRectMax().x;
    bitsY1 = ImGui::GetItemRectMax().y;
    anyActive |= ImGui::IsItemActive();

    int sym = s.symmetry == Symmetry::Asymmetric ? 2 : (s.fullRange ? 1 : 0);
    const char* symNames[] = {"symmetric (restricted)", "symmetric (full range)", "asymmetric"};
    if (ImGui::Combo("scheme", &sym, symNames, 3)) {
        s.symmetry = sym == 2 ? Symmetry::Asymmetric : Symmetry::Symmetric;
        s.fullRange = sym == 1;
        state.setScheme(s);
    }
    helpMarker(glossary::kSymmetric);

    int conv = int(s.convention);
    const char* convNames[] = {"seeds (x / s, float32)", "TensorRT", "ONNX Runtime", "PyTorch (x * 1/s)"};
    if (ImGui::Combo("convention", &conv, convNames, 4)) {
        s = state.scheme();
        s.convention = Convention(conv);
        state.setScheme(s);
    }
    helpMarker("Arithmetic conventions of each tool: how a scale follows from a range (amax/127 or amax/127.5), "
               "how a degenerate range is handled, division or multiplication by the reciprocal.");
    if (levelFormat) {
        ImGui::EndDisabled();
        if (s.format == NumberFormat::NvFp4)
            ImGui::TextDisabled("nvfp4: scale = s_t * e4m3(amax_b / (6 s_t))");
        else if (const int emax = mxElementEmax(s.format); emax >= 0)
            ImGui::TextDisabled("%s: scale 2^(floor(log2 amax)-%d)", formatName(s.format), emax);
        else
            ImGui::TextDisabled("%s: symmetric, scale = amax / %g", formatName(s.format), double(s.levelTable()->maxAbs));
    }

    int gran = int(s.granularity);
    const char* granNames[] = {"per tensor", "per channel", "per group"};
    if (ImGui::Combo("granularity", &gran, granNames, 3)) {
        s = state.scheme();
        s.granularity = Granularity(gran);
        state.setScheme(s);
    }
    helpMarker(glossary::kGranularity);
    const Document* doc = state.currentDocument();
    auto sel = state.selectedTensor();
    int rank = doc && sel ? int(doc->model->tensors[*sel].shape.size()) : 1;
    if (s.granularity == Granularity::PerChannel) {
        int axis = s.axis;
        if (ImGui::SliderInt("axis", &axis, 0, std::max(0, rank - 1))) {
            s = state.scheme();
            s.axis = axis;
            state.setScheme(s);
        }
        anyActive |= ImGui::IsItemActive();
    } else if (s.granularity == Granularity::PerGroup) {
        int g = int(s.groupSize);
        const int sizes[] = {16, 32, 64, 128, 256};
        ImGui::TextUnformatted("group size");
        for (int v : sizes) {
            ImGui::SameLine();
            char lbl[16];
            std::snprintf(lbl, sizeof lbl, "%d", v);
            if (ImGui::RadioButton(lbl, g == v)) {
                s = state.scheme();
                s.groupSize = v;
                state.setScheme(s);
            }
        }
    }

    ImGui::Separator();
    // Active calibrator: the row that drives the buckets and the error panel.
    std::vector<std::string> names;
    for (const auto& c : state.calibrators()) names.push_back(c.name);
    if (state.manualRange()) names.push_back("manual");
    int cur = int(std::find(names.begin(), names.end(), state.activeCalibrator()) - names.begin());
    if (ImGui::BeginCombo("calibrator", cur < int(names.size()) ? names[size_t(cur)].c_str() : "?")) {
        for (size_t i = 0; i < names.size(); ++i)
            if (ImGui::Selectable(names[i].c_str(), int(i) == cur)) state.setActiveCalibrator(names[i]);
        ImGui::EndCombo();
    }
    helpMarker(glossary::kClipRange);
    if (s.granularity != Granularity::PerTensor)
        ImGui::TextDisabled("per channel/group: every calibrator runs on each slice");

    float p = float(state.percentile());
    if (ImGui::SliderFloat("percentile", &p, 99.0f, 100.0f, "%.4f")) state.setPercentile(double(p));
    anyActive |= ImGui::IsItemActive();
    helpMarker("The percentile calibrator clips at this percentile of |x| (symmetric) or splits the rest between "
               "both tails (asymmetric). 99.99 is pytorch-quantization's default.");

    ImGui::TextUnformatted("show on plot:");
    auto& cals = state.calibrators();
    for (size_t i = 0; i < cals.size(); ++i) {
        bool on = cals[i].enabled;
        ImGui::PushStyleColor(ImGuiCol_CheckMark, ImGui::ColorConvertU32ToFloat4(calibratorColor(cals[i].name)));
        if (ImGui::Checkbox(cals[i].name.c_str(), &on)) state.setCalibratorEnabled(i, on);
        ImGui::PopStyleColor();
        if (i % 3 != 2 && i + 1 < cals.size()) ImGui::SameLine();
    }
    if (state.manualRange()) {
        auto r = *state.manualRange();
        ImGui::Text("manual range [%.5g, %.5g]", r.lo, r.hi);
        ImGui::SameLine();
        if (ImGui::SmallButton("clear")) state.clearManualRange();
    }
    ImGui::PopItemWidth();
    if (anyActive) ui.interacting = true;
}

}  // namespace qv
