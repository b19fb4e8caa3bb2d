// Learn ▸ "Walkthrough: quantize a vector": the steps of q = clamp(round_half_even(x/s) + z) on a few
// values, each as formula = numbers = result.
//
// Index: [SECTION] text · [SECTION] window · [SECTION] controls · [SECTION] steps · [SECTION] number line
#include "app/panels/quantize_walkthrough.h"
#include "app/panels/walkthrough_style.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/app_state.h"
#include "app/widgets/help.h"
#include "app/widgets/plot.h"

namespace qv {

// [SECTION] text -------------------------------------------------------------------------------------------

namespace {

constexpr const char* kHelpTie =
    "A tie: x/s lies exactly halfway between two integers. Round half to even (IEEE 754's default, used by "
    "ONNX, PyTorch and gemmlowp) takes the even one: 2.5 -> 2, -1.5 -> -2, 3.5 -> 4. Rounding half away from "
    "zero would bias the sum of many values; half to even does not on average.";
constexpr const char* kHelpClamp =
    "Saturation: round(x/s) + z fell outside the code range [qmin, qmax], so the code is clamped to the end "
    "code. The value is clipped: x_hat is the end of the grid and the error grows with the distance beyond it.";
constexpr const char* kHelpWiden =
    "Asymmetric ranges are widened to include 0 (gemmlowp quantization.md): then 0 is exactly a code (the zero "
    "point z), so zero padding and ReLU zeros carry no error.";
constexpr const char* kHelpGrid =
    "Symmetric restricted: codes -(2^(b-1)-1)..2^(b-1)-1, z = 0, s = amax/qmax (TensorRT, the seeds). Symmetric "
    "full: codes -2^(b-1)..2^(b-1)-1, s = amax/((qmax-qmin)/2) (PyTorch's 127.5 at 8 bits). Asymmetric: codes "
    "0..2^b-1 with a zero point.";
constexpr const char* kHelpSource =
    "Take 8 values from the selected tensor: elements i*n/8 for i = 0..7 of the tensor open in the main window, "
    "read through the same tensor view as every pass; the clip range becomes their min-max.";

const char* gridName(WalkGrid g) {
    switch (g) {
        case WalkGrid::SymmetricRestricted: return "symmetric, restricted range";
        case WalkGrid::SymmetricFull: return "symmetric, full range";
        case WalkGrid::Asymmetric: return "asymmetric";
    }
    return "";
}

// %.6g: enough digits to follow by hand, and 0.3f shows as 0.3.
std::string num(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}
// A negative number in parentheses when substituted after a minus sign: 2.75 − (−1).
std::string par(double v) { return v < 0 ? "(" + num(v) + ")" : num(v); }

using walkthrough::kClampColour;
using walkthrough::kTieColour;
using walkthrough::stepTitle;

}  // namespace

std::vector<float> QuantizeWalkthrough::exampleValues() {
    // With s = 0.25 and z = 4 (see kExample*): −1 → code 0 (the clip range's end, no error),
    // −0.375 → −1.5 (tie → −2), 0 → z, 0.3 → 1.2, 0.625 → 2.5 (tie → 2), 1 → 4, 2.2 → 8.8,
    // 3.5 → 14 + 4 = 18 > 15 (saturates).
    return {-1.0f, -0.375f, 0.0f, 0.3f, 0.625f, 1.0f, 2.2f, 3.5f};
}

QuantizeWalkthrough::QuantizeWalkthrough() { resetToExample(); }

void QuantizeWalkthrough::resetToExample() {
    m_values = exampleValues();
    m_bits = kExampleBits;
    m_grid = kExampleGrid;
    setClipTyped(kExampleClipLo, kExampleClipHi);
    m_source = "the worked example";
    m_takeMessage.clear();
}

void QuantizeWalkthrough::setValues(std::vector<float> values) {
    if (values.size() > static_cast<size_t>(kMaxValues)) values.resize(static_cast<size_t>(kMaxValues));
    m_values = std::move(values);
    m_source = "typed values";
}

bool QuantizeWalkthrough::isExample() const {
    return m_values == exampleValues() && m_bits == kExampleBits && m_grid == kExampleGrid && m_clipTyped &&
           m_clipLo == kExampleClipLo && m_clipHi == kExampleClipHi;
}

bool QuantizeWalkthrough::takeFromTensor(const AppState& state) {
    const Document* doc = state.currentDocument();
    const auto sel = state.selectedTensor();
    if (!doc || !doc->model || !sel || *sel >= doc->model->tensors.size()) {
        m_takeMessage = "Open a file and select a tensor first.";
        return false;
    }
    const TensorView view = doc->model->view(*sel);
    const uint64_t n = view.elements();
    if (n == 0) {
        m_takeMessage = "The selected tensor is empty.";
        return false;
    }
    const uint64_t count = std::min<uint64_t>(8, n);
    std::vector<float> v(static_cast<size_t>(count));
    std::string indices;
    for (uint64_t i = 0; i < count; ++i) {
        const uint64_t idx = i * n / count;
        if (!view.read(idx, 1, &v[static_cast<size_t>(i)])) {
            m_takeMessage = "Could not read element " + std::to_string(idx) + " of " + view.info().name + ".";
            return false;
        }
        if (!indices.empty()) indices += ", ";
        indices += std::to_string(idx);
    }
    m_values = std::move(v);
    m_clipTyped = false;
    m_source = view.info().name;
    m_source += ", elements ";
    m_source += indices;
    m_takeMessage.clear();
    return true;
}

QuantizeWalk QuantizeWalkthrough::compute() const {
    const QuantScheme scheme = walkScheme(m_bits, m_grid);
    const ClipRange clip = m_clipTyped ? ClipRange{m_clipLo, m_clipHi} : walkMinMax(m_values);
    return walkQuantize(m_values, scheme, clip);
}

// [SECTION] window ------------------------------------------------------------------------------------------

void QuantizeWalkthrough::draw(AppState& state) {
    if (!m_open || !beginAutoSizedWindow()) return;
    ++m_drawnFrames;
    m_bits = std::clamp(m_bits, 2, 8);
    drawControls(state);
    m_walk = compute();
    drawRangeAndParams();
    drawSteps();
    drawTotals();
    drawNumberLine();
    ImGui::End();
}

// [SECTION] controls ----------------------------------------------------------------------------------------

void QuantizeWalkthrough::drawControls(const AppState& state) {
    const float em = ImGui::GetFontSize();
    ImGui::PushTextWrapPos(em * 52.0f);
    ImGui::TextUnformatted(
        "Quantizing by hand: each step below is its formula, the numbers put in, and the result. Edit the values "
        "(the x column), the bits, the grid or the clip range, and every step follows. The numbers are made by "
        "the same code as the rest of the app (paramsFromRange, Quantizer; float32 arithmetic).");
    m_exampleNote = isExample();
    if (m_exampleNote) {
        ImGui::TextDisabled(
            "Worked example (docs/walkthroughs.md): -0.375 and 0.625 land exactly halfway between two codes (ties: "
            "half to even gives -2 and 2), 3.5 lies beyond the typed clip range and saturates at code 15, and 0 "
            "maps exactly to the zero point 4, so it comes back as exactly 0.");
    }
    ImGui::PopTextWrapPos();

    ImGui::SetNextItemWidth(em * 8.0f);
    ImGui::SliderInt("bits", &m_bits, 2, 8);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize(gridName(WalkGrid::SymmetricRestricted)).x + ImGui::GetFrameHeight() +
                            ImGui::GetStyle().FramePadding.x * 2.0f);
    if (ImGui::BeginCombo("grid", gridName(m_grid))) {
        for (WalkGrid g : {WalkGrid::SymmetricRestricted, WalkGrid::SymmetricFull, WalkGrid::Asymmetric})
            if (ImGui::Selectable(gridName(g), g == m_grid)) m_grid = g;
        ImGui::EndCombo();
    }
    helpMarker(kHelpGrid);

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("clip range [β, α]:");
    ImGui::SameLine();
    if (ImGui::RadioButton("min-max of the values", !m_clipTyped)) m_clipTyped = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("typed", m_clipTyped)) m_clipTyped = true;
    if (m_clipTyped) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(em * 5.0f);
        ImGui::InputFloat("β##lo", &m_clipLo, 0, 0, "%.6g");
        ImGui::SameLine();
        ImGui::SetNextItemWidth(em * 5.0f);
        ImGui::InputFloat("α##hi", &m_clipHi, 0, 0, "%.6g");
    }
    helpMarker(glossary::kClipRange);

    if (ImGui::Button("Worked example")) resetToExample();
    ImGui::SameLine();
    const bool haveTensor = state.currentDocument() && state.selectedTensor();
    if (!haveTensor) ImGui::BeginDisabled();
    if (ImGui::Button("Take 8 values from the selected tensor")) takeFromTensor(state);
    m_takeRect = {ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y, ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y};
    if (!haveTensor) ImGui::EndDisabled();
    helpMarker(kHelpSource);
    ImGui::SameLine();
    if (ImGui::Button("+ value") && m_values.size() < static_cast<size_t>(kMaxValues)) {
        m_values.push_back(m_values.empty() ? 0.0f : m_values.back());
        m_source = "typed values";
    }
    ImGui::SameLine();
    if (ImGui::Button("- value") && m_values.size() > 1) {
        m_values.pop_back();
        m_source = "typed values";
    }
    ImGui::TextDisabled("values: %s", m_source.c_str());
    if (!m_takeMessage.empty()) ImGui::TextColored(kClampColour, "%s", m_takeMessage.c_str());
}

// [SECTION] steps -------------------------------------------------------------------------------------------

void QuantizeWalkthrough::drawRangeAndParams() {
    const QuantizeWalk& w = m_walk;
    const double beta = std::min(w.clip.lo, w.clip.hi), alpha = std::max(w.clip.lo, w.clip.hi);
    const bool asym = w.scheme.symmetry == Symmetry::Asymmetric;

    stepTitle("Step 1. The range");
    std::string line = "[β, α] = [" + num(beta) + ", " + num(alpha) + "]";
    line += m_clipTyped ? "  (typed)" : "  (min and max of the values)";
    ImGui::TextUnformatted(line.c_str());
    if (asym) {
        if (w.widened) {
            line = "widened to include 0: [min(β, 0), max(α, 0)] = [" + num(w.rangeLo) + ", " + num(w.rangeHi) + "]";
        } else {
            line = "contains 0 already: [" + num(w.rangeLo) + ", " + num(w.rangeHi) + "]";
        }
        ImGui::TextUnformatted(line.c_str());
        helpMarker(kHelpWiden);
    } else {
        line = "amax = max(|β|, |α|) = max(" + num(std::fabs(beta)) + ", " + num(std::fabs(alpha)) + ") = " + num(w.amax) +
               ",  range [−amax, amax] = [" + num(w.rangeLo) + ", " + num(w.rangeHi) + "]";
        ImGui::TextUnformatted(line.c_str());
    }

    stepTitle("Step 2. Scale s and zero point z");
    line = std::to_string(w.scheme.bits) + " bits, " + gridName(m_grid) + ": codes qmin..qmax = " + std::to_string(w.qmin) +
           ".." + std::to_string(w.qmax) + "  (" + std::to_string(w.qmax - w.qmin + 1) + " codes)";
    ImGui::TextUnformatted(line.c_str());
    const double s = w.params.scale;
    if (asym) {
        line = "s = (α − β) / (qmax − qmin) = (" + num(w.rangeHi) + " − " + par(w.rangeLo) + ") / (" +
               std::to_string(w.qmax) + " − " + std::to_string(w.qmin) + ") = " + num(w.rangeHi - w.rangeLo) + " / " +
               std::to_string(w.qmax - w.qmin) + " = " + num(s);
    } else if (m_grid == WalkGrid::SymmetricFull) {
        line = "s = amax / ((qmax − qmin) / 2) = " + num(w.amax) + " / " + num((w.qmax - w.qmin) / 2.0) + " = " + num(s);
    } else {
        line = "s = amax / qmax = " + num(w.amax) + " / " + std::to_string(w.qmax) + " = " + num(s);
    }
    ImGui::TextUnformatted(line.c_str());
    helpMarker(glossary::kScale);
    if (asym) {
        line = "z = qmin − round(β / s) = " + std::to_string(w.qmin) + " − round(" + num(w.rangeLo) + " / " + num(s) +
               ") = " + std::to_string(w.qmin) + " − round(" + num(w.loOverS) + ") = " + std::to_string(w.qmin) + " − " +
               par(w.loOverSRounded) + " = " + std::to_string(w.params.zeroPoint);
        const double unclamped = w.qmin - static_cast<double>(w.loOverSRounded);
        if (unclamped != w.params.zeroPoint) line += "  (clamped to the code range)";
    } else {
        line = "z = 0  (symmetric: the grid is centred on 0)";
    }
    ImGui::TextUnformatted(line.c_str());
    helpMarker(glossary::kZeroPoint);
}

void QuantizeWalkthrough::drawSteps() {
    const QuantizeWalk& w = m_walk;
    const float em = ImGui::GetFontSize();
    stepTitle("Steps 3 and 4. Quantize each value, then dequantize");
    ImGui::TextUnformatted("q = clamp(round_half_even(x / s) + z, qmin, qmax),   x̂ = s · (q − z)");
    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("steps", 8, tf)) {
        ImGui::TableSetupColumn("#");
        ImGui::TableSetupColumn("x (edit)");
        ImGui::TableSetupColumn("x / s");
        ImGui::TableSetupColumn("round half to even");
        ImGui::TableSetupColumn("+ z");
        ImGui::TableSetupColumn("clamp → q");
        ImGui::TableSetupColumn("x̂ = s·(q − z)");
        ImGui::TableSetupColumn("error x̂ − x");
        ImGui::TableHeadersRow();
        for (size_t i = 0; i < w.steps.size() && i < m_values.size(); ++i) {
            const QuantizeWalkStep& st = w.steps[i];
            ImGui::PushID(static_cast<int>(i));
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%zu", i);
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(em * 6.0f);
            if (ImGui::InputFloat("##x", &m_values[i], 0, 0, "%.6g")) m_source = "typed values";
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(num(st.xOverS).c_str());
            ImGui::TableNextColumn();
            if (st.tie) {
                ImGui::TextColored(kTieColour, "%s  (tie → even)", num(st.rounded).c_str());
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kHelpTie);
            } else {
                ImGui::TextUnformatted(num(st.rounded).c_str());
            }
            ImGui::TableNextColumn();
            ImGui::Text("%s + %d = %s", num(st.rounded).c_str(), w.params.zeroPoint, num(st.shifted).c_str());
            ImGui::TableNextColumn();
            if (st.clamped) {
                ImGui::TextColored(kClampColour, "%d  (clamped)", st.q);
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kHelpClamp);
            } else {
                ImGui::Text("%d", st.q);
            }
            ImGui::TableNextColumn();
            ImGui::Text("%s·(%d − %s) = %s", num(w.params.scale).c_str(), st.q, par(w.params.zeroPoint).c_str(),
                        num(st.xhat).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(num(st.error).c_str());
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    if (w.ties > 0 || w.clampedCount > 0) {
        ImGui::TextColored(kTieColour, "%d tie%s", w.ties, w.ties == 1 ? "" : "s");
        helpMarker(kHelpTie);
        ImGui::SameLine();
        ImGui::TextColored(kClampColour, "   %d clamped", w.clampedCount);
        helpMarker(kHelpClamp);
    }
}

void QuantizeWalkthrough::drawTotals() {
    const QuantizeWalk& w = m_walk;
    const ErrorStats& e = w.stats;
    stepTitle("Step 5. The error of the vector");
    const std::string n = std::to_string(e.count);
    std::string line = "MSE = Σ e² / n = " + num(w.sumSqErr) + " / " + n + " = " + num(e.mse);
    ImGui::TextUnformatted(line.c_str());
    helpMarker(glossary::kMse);
    line = "max |e| = " + num(e.maxAbsError);
    ImGui::TextUnformatted(line.c_str());
    if (w.sumSqErr == 0) {
        line = "SQNR = 10·log10(Σ x² / Σ e²) = +inf  (no error)";
    } else {
        line = "SQNR = 10·log10(Σ x² / Σ e²) = 10·log10(" + num(w.sumSqX) + " / " + num(w.sumSqErr) + ") = " +
               num(e.sqnrDb) + " dB";
    }
    ImGui::TextUnformatted(line.c_str());
    helpMarker(glossary::kSqnr);
    line = "codes used: " + std::to_string(e.codesUsed) + " of " + std::to_string(e.codesAvailable);
    ImGui::TextDisabled("%s", line.c_str());
}

// [SECTION] number line -------------------------------------------------------------------------------------

void QuantizeWalkthrough::drawNumberLine() {
    const QuantizeWalk& w = m_walk;
    if (w.steps.empty()) return;
    const Quantizer quant(w.scheme, w.params);
    const std::vector<float> levels = quant.levels();
    double lo = levels.front(), hi = levels.back();
    for (const auto& st : w.steps)
        if (std::isfinite(st.x)) {
            lo = std::min<double>(lo, st.x);
            hi = std::max<double>(hi, st.x);
        }
    const double pad = (hi - lo) * 0.06 + 1e-6;
    stepTitle("The number line");
    const float em = ImGui::GetFontSize();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + em * 52.0f);
    ImGui::TextDisabled("Grey lines: the levels s·(q − z), labelled with their codes when there is room. Each x (top dot) "
                        "goes to its x̂ (bottom dot). Mouse wheel: zoom; double-click: fit.");
    ImGui::PopTextWrapPos();
    if (!plot::BeginPlot("##numberline", ImVec2(em * 52.0f, em * 9.0f), plot::kNoLegend)) return;
    plot::SetupX(lo - pad, hi + pad, "x");
    const plot::Transform& t = plot::CurrentTransform();  // y: 0..1, x̂ at 0.15, x at 0.85 (no y axis)
    plot::PlotShadeX("##below", t.xLo, levels.front(), IM_COL32(255, 140, 90, 28));
    plot::PlotShadeX("##above", levels.back(), t.xHi, IM_COL32(255, 140, 90, 28));
    // Codes are labelled when neighbouring levels are far enough apart on screen (zoom in at 8 bits).
    const double step = levels.size() > 1 ? (levels.back() - levels.front()) / static_cast<double>(levels.size() - 1) : 1.0;
    const float labelWidth = std::max(ImGui::CalcTextSize(std::to_string(w.qmin).c_str()).x,
                                      ImGui::CalcTextSize(std::to_string(w.qmax).c_str()).x);
    const bool label = std::fabs(t.x(levels.front() + step) - t.x(levels.front())) > labelWidth + 6.0f;
    for (float level : levels)
        plot::PlotVLine("##level", level, IM_COL32(160, 160, 160, levels.size() <= 64 ? 150 : 70), 1.0f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 axis = ImGui::GetColorU32(ImGuiCol_Text, 0.7f);
    const float lh = ImGui::GetTextLineHeight();
    dl->AddText(ImVec2(t.p0.x - ImGui::CalcTextSize("x ").x, t.y(0.85) - lh * 0.5f), axis, "x");
    dl->AddText(ImVec2(t.p0.x - ImGui::CalcTextSize("x̂ ").x, t.y(0.15) - lh * 0.5f), axis, "x̂");
    dl->PushClipRect(t.p0, t.p1, true);
    if (label) {
        char buf[16];
        for (size_t i = 0; i < levels.size(); ++i) {
            if (levels[i] < t.xLo || levels[i] > t.xHi) continue;
            std::snprintf(buf, sizeof buf, "%d", w.qmin + static_cast<int>(i));
            dl->AddText(ImVec2(t.x(levels[i]) + 3.0f, t.y(0.5) - lh * 0.5f), IM_COL32(170, 170, 170, 255), buf);
        }
    }
    for (const auto& st : w.steps) {
        if (!std::isfinite(st.x)) continue;
        const ImU32 c = st.clamped ? IM_COL32(255, 140, 90, 255) : (st.tie ? IM_COL32(115, 205, 255, 255)
                                                                           : IM_COL32(240, 220, 120, 255));
        const ImVec2 from(t.x(st.x), t.y(0.85)), to(t.x(st.xhat), t.y(0.15));
        dl->AddLine(from, to, c, 1.5f);
        dl->AddCircleFilled(from, 4.0f, c);
        dl->AddCircleFilled(to, 4.0f, c);
    }
    dl->PopClipRect();
    plot::EndPlot();
}

}  // namespace qv
