// Learn ▸ "Walkthrough: one int8 MAC": y = Σ a·w through quantization, int32 accumulation with zero-point
// corrections (REFERENCE.md §5, docs/gemm.md §1.2) and requantization by three rounding paths.
//
// Index: [SECTION] text · [SECTION] window · [SECTION] operands · [SECTION] accumulator · [SECTION] requantization
#include "app/panels/mac_walkthrough.h"
#include "app/panels/walkthrough_style.h"

#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/widgets/help.h"

namespace qv {

// [SECTION] text -------------------------------------------------------------------------------------------

namespace {

constexpr const char* kHelpCorrections =
    "gemmlowp's trick: sum (a - za)(w - zb) = sum a*w - zb*sum a - za*sum w + K*za*zb. The kernel multiplies "
    "only the stored bytes; the sums of a and of w are made once while packing, so the zero points cost "
    "nothing in the inner loop.";
constexpr const char* kHelpMultiplier =
    "Requantization multiplier M = s_a*s_w/s_y maps the int32 accumulator (in units of s_a*s_w) to output "
    "codes (units of s_y). Integer-only hardware stores it as M = m0 * 2^(shift - 31) with m0 an int32 in "
    "[2^30, 2^31) (TFLite QuantizeMultiplier).";
constexpr const char* kHelpFloat =
    "FBGEMM: multiply in float32 and round half to even (nearbyint).";
constexpr const char* kHelpDouble =
    "gemmlowp / TFLite default: SaturatingRoundingDoublingHighMul rounds acc*m0/2^31 (positive ties up, "
    "negative ties toward zero), then RoundingDivideByPOT divides by 2^-shift rounding half away from zero. "
    "Two roundings: a value just below a half can be pushed onto it by the first and then up by the second.";
constexpr const char* kHelpSingle =
    "TFLite single rounding: one 64-bit product acc*m0, add 2^(n-1), shift right by n = 31 - shift: ties go "
    "toward +infinity.";
constexpr const char* kHelpWeights =
    "int8 symmetric: s_w = amax/127, zb = 0 (how weights are usually stored). int8 with a chosen zb: the same "
    "scale, codes shifted by zb (values near the end of the range then clamp). uint8 asymmetric: scale and zb "
    "from the min-max range, as gemmlowp's uint8 x uint8.";

const char* weightsName(MacWeights w) {
    switch (w) {
        case MacWeights::Int8Symmetric: return "int8 symmetric (zb = 0)";
        case MacWeights::Int8WithZeroPoint: return "int8 with a chosen zb";
        case MacWeights::Uint8Asymmetric: return "uint8 asymmetric (zb from the range)";
    }
    return "";
}

std::string num(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.7g", v);
    return buf;
}
std::string inum(int64_t v) { return std::to_string(v); }
std::string par(int64_t v) { return v < 0 ? "(" + inum(v) + ")" : inum(v); }

const ImVec4 kOkColour(0.5f, 0.9f, 0.5f, 1.0f);
using walkthrough::kClampColour;
using walkthrough::kTieColour;
using walkthrough::stepTitle;
void textLine(const std::string& s) { ImGui::TextUnformatted(s.c_str()); }

// "code  (tie)" / "(clamped)" marks of one quantized operand.
void codeCell(const QuantizeWalkStep& st) {
    if (st.clamped) ImGui::TextColored(kClampColour, "%d (clamped)", st.q);
    else if (st.tie) ImGui::TextColored(kTieColour, "%d (tie)", st.q);
    else ImGui::Text("%d", st.q);
}

}  // namespace

MacWalkInput MacWalkthrough::example() {
    // a: min −1, max 2.984375 = 191/64, so s_a = 3.984375/255 = 1/64 and za = 0 − round(−64) = 64.
    // w: amax 0.9921875 = 127/128, so s_w = 1/128. s_y = 1/64 with zy = 128 covers [−2, 1.984375].
    MacWalkInput in;
    in.a = {-1.0f, 0.5f, 1.3f, 2.984375f};
    in.w = {0.3f, -0.9921875f, 0.5f, 0.25f};
    in.weights = MacWeights::Int8Symmetric;
    in.yScale = 0.015625f;
    in.yZero = 128;
    return in;
}

MacWalkthrough::MacWalkthrough() : m_in(example()) {}

void MacWalkthrough::negateWeights() {
    for (float& v : m_in.w) v = -v;
}

// [SECTION] window ------------------------------------------------------------------------------------------

void MacWalkthrough::draw(AppState&) {
    if (!m_open || !beginAutoSizedWindow()) return;
    ++m_drawnFrames;
    drawControls();
    m_walk = walkMac(m_in);
    drawOperands();
    if (!m_walk.error.empty()) {
        ImGui::TextColored(kClampColour, "%s", m_walk.error.c_str());
    } else {
        drawAccumulator();
        drawRequantization();
    }
    ImGui::End();
}

void MacWalkthrough::drawControls() {
    const float em = ImGui::GetFontSize();
    ImGui::PushTextWrapPos(em * 58.0f);
    ImGui::TextUnformatted(
        "One output element y = Σ a_k·w_k of an int8 layer, the way an integer kernel computes it: quantize both "
        "operands, multiply and add the stored integers in int32, correct for the zero points, then requantize "
        "the int32 accumulator to the 8-bit output. Edit a and w in the table. The numbers are made by the "
        "app's GEMM core (traceGemmElement, requantize.h).");
    if (m_in.a == example().a && m_in.w == example().w && m_in.weights == example().weights &&
        m_in.yScale == example().yScale && m_in.yZero == example().yZero) {
        ImGui::TextDisabled(
            "Worked example (docs/walkthroughs.md): all scales are powers of two, so every step is exact on paper, "
            "and acc·M lands exactly on 38.5, where the three rounding paths disagree. \"Negate w\" makes it -38.5.");
    }
    ImGui::PopTextWrapPos();

    if (ImGui::Button("Worked example")) resetToExample();
    ImGui::SameLine();
    if (ImGui::Button("Negate w")) negateWeights();
    m_negateRect = {ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y, ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y};
    ImGui::SameLine();
    if (ImGui::Button("+ k") && m_in.a.size() < static_cast<size_t>(kMaxK)) {
        m_in.a.push_back(0.5f);
        m_in.w.push_back(0.25f);
    }
    ImGui::SameLine();
    if (ImGui::Button("- k") && m_in.a.size() > 1) {
        m_in.a.pop_back();
        m_in.w.pop_back();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize(weightsName(MacWeights::Uint8Asymmetric)).x + ImGui::GetFrameHeight() +
                            ImGui::GetStyle().FramePadding.x * 2.0f);
    if (ImGui::BeginCombo("weights", weightsName(m_in.weights))) {
        for (MacWeights w : {MacWeights::Int8Symmetric, MacWeights::Int8WithZeroPoint, MacWeights::Uint8Asymmetric})
            if (ImGui::Selectable(weightsName(w), w == m_in.weights)) m_in.weights = w;
        ImGui::EndCombo();
    }
    helpMarker(kHelpWeights);
    if (m_in.weights == MacWeights::Int8WithZeroPoint) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(em * 6.0f);
        ImGui::InputInt("zb", &m_in.wZero);
        m_in.wZero = std::clamp(m_in.wZero, -127, 127);
    }
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("uint8 output:");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 7.0f);
    ImGui::InputFloat("s_y", &m_in.yScale, 0, 0, "%.7g");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 6.0f);
    ImGui::InputInt("zy", &m_in.yZero);
    m_in.yZero = std::clamp(m_in.yZero, 0, 255);
    helpMarker("The output's scale and zero point. In a real layer they come from calibrating the layer's "
               "outputs; here you type them.");
}

// [SECTION] operands ----------------------------------------------------------------------------------------

void MacWalkthrough::drawOperands() {
    const MacWalk& m = m_walk;
    const float em = ImGui::GetFontSize();
    stepTitle("Step 1. Quantize a and w");
    if (m.K == 0) return;
    auto describe = [](const char* name, const char* sub, const QuantizeWalk& q, bool chosenZero) {
        std::string line = std::string(name) + ": ";
        const std::string s = std::string("s_") + sub, z = sub[0] == 'a' ? "za" : "zb";
        if (q.scheme.symmetry == Symmetry::Asymmetric) {
            line += "uint8 asymmetric, range [" + num(q.rangeLo) + ", " + num(q.rangeHi) + "]:  " + s + " = (max − min)/255 = " +
                    num(q.rangeHi - q.rangeLo) + "/255 = " + num(q.params.scale) + ",  " + z + " = 0 − round(" +
                    num(q.rangeLo) + "/" + num(q.params.scale) + ") = 0 − round(" + num(q.loOverS) + ") = " +
                    inum(q.params.zeroPoint);
        } else {
            line += "int8 symmetric, amax = " + num(q.amax) + ":  " + s + " = amax/127 = " + num(q.params.scale) + ",  " + z +
                    " = " + inum(q.params.zeroPoint) + (chosenZero ? " (chosen)" : "");
        }
        textLine(line);
    };
    describe("a", "a", m.a, false);
    describe("w", "w", m.w, m_in.weights == MacWeights::Int8WithZeroPoint);
    ImGui::TextUnformatted("code = clamp(round_half_even(x / s) + z),  then the kernel multiplies the codes");

    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("operands", 9, tf)) {
        ImGui::TableSetupColumn("k");
        ImGui::TableSetupColumn("a (edit)");
        ImGui::TableSetupColumn("a / s_a");
        ImGui::TableSetupColumn("a_q");
        ImGui::TableSetupColumn("w (edit)");
        ImGui::TableSetupColumn("w / s_w");
        ImGui::TableSetupColumn("w_q");
        ImGui::TableSetupColumn("a_q · w_q");
        ImGui::TableSetupColumn("(a_q − za)·(w_q − zb)");
        ImGui::TableHeadersRow();
        for (size_t k = 0; k < static_cast<size_t>(m.K); ++k) {
            ImGui::PushID(static_cast<int>(k));
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%zu", k);
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(em * 6.0f);
            ImGui::InputFloat("##a", &m_in.a[k], 0, 0, "%.7g");
            ImGui::TableNextColumn();
            textLine(num(m.a.steps[k].xOverS));
            ImGui::TableNextColumn();
            codeCell(m.a.steps[k]);
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(em * 6.0f);
            ImGui::InputFloat("##w", &m_in.w[k], 0, 0, "%.7g");
            ImGui::TableNextColumn();
            textLine(num(m.w.steps[k].xOverS));
            ImGui::TableNextColumn();
            codeCell(m.w.steps[k]);
            ImGui::TableNextColumn();
            textLine(inum(m.a.steps[k].q) + " · " + par(m.w.steps[k].q) + " = " + inum(m.products[k]));
            ImGui::TableNextColumn();
            textLine(par(m.a.steps[k].q - m.a.params.zeroPoint) + " · " + par(m.w.steps[k].q - m.w.params.zeroPoint) +
                     " = " + inum(m.centred[k]));
            ImGui::PopID();
        }
        if (m.error.empty()) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted("Σ");
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            textLine(inum(m.trace.rowSumA));
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            textLine(inum(m.trace.colSumB));
            ImGui::TableNextColumn();
            textLine(inum(m.trace.rawDot));
            ImGui::TableNextColumn();
            textLine(inum(m.trace.exactDot));
        }
        ImGui::EndTable();
    }
}

// [SECTION] accumulator -------------------------------------------------------------------------------------

void MacWalkthrough::drawAccumulator() {
    const MacWalk& m = m_walk;
    const GemmTrace& t = m.trace;
    stepTitle("Step 2. The int32 accumulator and the zero-point corrections");
    ImGui::TextUnformatted("acc = Σ a_q·w_q − zb·Σa_q − za·Σw_q + K·za·zb");
    helpMarker(kHelpCorrections);
    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuter |
                               ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("corrections", 3, tf)) {
        ImGui::TableSetupColumn("term");
        ImGui::TableSetupColumn("numbers");
        ImGui::TableSetupColumn("value");
        ImGui::TableHeadersRow();
        auto row = [](const char* term, const std::string& numbers, int64_t value) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(term);
            ImGui::TableNextColumn();
            textLine(numbers);
            ImGui::TableNextColumn();
            textLine(inum(value));
        };
        row("Σ a_q·w_q", "(the stored integers)", t.rawDot);
        row("− zb·Σa_q", "−" + par(t.bZero) + " · " + par(t.rowSumA), t.rowCorrection);
        row("− za·Σw_q", "−" + par(t.aZero) + " · " + par(t.colSumB), t.colCorrection);
        row("+ K·za·zb", inum(t.K) + " · " + par(t.aZero) + " · " + par(t.bZero), t.constantTerm);
        row("acc (int32)", inum(t.rawDot) + " + " + par(t.rowCorrection) + " + " + par(t.colCorrection) + " + " + par(t.constantTerm),
            t.acc);
        ImGui::EndTable();
    }
    int64_t direct = 0;
    for (int64_t c : m.centred) direct += c;
    if (direct == t.exactDot) {
        ImGui::TextColored(kOkColour, "  = Σ (a_q − za)(w_q − zb) = %" PRId64 "  (the last column): the corrections are exact",
                           direct);
    } else {
        ImGui::TextColored(kClampColour, "  ≠ Σ (a_q − za)(w_q − zb) = %" PRId64, direct);
    }

    stepTitle("Step 3. The float result");
    textLine("acc · s_a · s_w = " + inum(t.acc) + " · " + num(t.aScale) + " · " + num(t.bScale) + " = " +
             num(t.dequantizedAcc));
    textLine("fp32 Σ a·w = " + num(m.fp32Dot) + ",   difference " + num(static_cast<double>(t.dequantizedAcc) - m.fp32Dot) +
             "  (from rounding a and w to their grids)");
}

// [SECTION] requantization ----------------------------------------------------------------------------------

void MacWalkthrough::drawRequantization() {
    const MacWalk& m = m_walk;
    const GemmTrace& t = m.trace;
    const QuantizedMultiplier qm = t.fixedMultiplier;
    stepTitle("Step 4. Requantize to the 8-bit output");
    textLine("M = s_a · s_w / s_y = " + num(t.aScale) + " · " + num(t.bScale) + " / " + num(t.yScale) + " = " +
             num(t.multiplier));
    helpMarker(kHelpMultiplier);
    textLine("fixed point: M = m0 · 2^(shift − 31) with m0 = " + inum(qm.m0) + ", shift = " + inum(qm.shift) + "  (= " +
             num(t.multiplierFromFixed) + ")");
    std::string tie = "acc · M = " + inum(t.acc) + " · " + num(t.multiplier) + " = " + num(t.exactProduct);
    if (m.exactTie) {
        ImGui::TextColored(kTieColour, "%s  — exactly halfway: the rounding rule decides", tie.c_str());
    } else {
        textLine(tie);
    }
    textLine("code = clamp(rounded + zy, " + inum(t.qmin) + ", " + inum(t.qmax) + "),   ŷ = s_y·(code − zy)");

    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("paths", 5, tf)) {
        ImGui::TableSetupColumn("rounding path");
        ImGui::TableSetupColumn("computation");
        ImGui::TableSetupColumn("rounded");
        ImGui::TableSetupColumn("+ zy → code");
        ImGui::TableSetupColumn("ŷ");
        ImGui::TableHeadersRow();
        auto row = [&](const char* name, const char* help, const std::string& how, const RequantStep& s) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(name);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help);
            ImGui::TableNextColumn();
            textLine(how);
            ImGui::TableNextColumn();
            textLine(inum(s.beforeZeroPoint));
            ImGui::TableNextColumn();
            const std::string code = inum(s.beforeZeroPoint) + " + " + inum(t.yZero) + " → " + inum(s.code);
            if (s.saturated) ImGui::TextColored(kClampColour, "%s (saturated)", code.c_str());
            else textLine(code);
            ImGui::TableNextColumn();
            textLine(num(s.dequantized));
        };
        row("(a) float, half to even", kHelpFloat,
            "fl32(acc) · fl32(M) = " + num(t.floatProduct) + " → nearbyint", t.floatPath);
        row("(b) fixed, double rounding", kHelpDouble,
            "round(" + inum(t.acc) + (m.leftShift ? "·2^" + inum(m.leftShift) : std::string()) + " · " + inum(qm.m0) +
                " / 2^31) = " + inum(t.fixedDouble.afterFirstRounding) + ";  " + inum(t.fixedDouble.afterFirstRounding) +
                " / 2^" + inum(m.rightShift) + " = " + num(std::ldexp(static_cast<double>(t.fixedDouble.afterFirstRounding), -m.rightShift)) +
                " → half away from 0",
            t.fixedDouble);
        row("(c) fixed, single rounding", kHelpSingle,
            "(" + inum(m.singleProduct) + " + 2^" + inum(m.singleShiftBits - 1) + ") >> " + inum(m.singleShiftBits) + "  (" +
                num(std::ldexp(static_cast<double>(m.singleProduct), -m.singleShiftBits)) + " → toward +∞ on a tie)",
            t.fixedSingle);
        ImGui::EndTable();
    }
    if (m.pathsDiffer) {
        ImGui::TextColored(kTieColour, "The three paths disagree by 1 here: (a) %d, (b) %d, (c) %d.", t.floatPath.code,
                           t.fixedDouble.code, t.fixedSingle.code);
    } else {
        ImGui::TextDisabled("The three paths agree here (they differ only on or next to a tie).");
    }
    textLine("The fp32 result quantized directly: round(" + num(m.fp32Dot) + " / " + num(t.yScale) + ") + " + inum(t.yZero) +
             " = " + inum(m.fp32Code) + "  (what an ideal fp32 layer would output)");
}

}  // namespace qv
