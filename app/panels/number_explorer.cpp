// NumberExplorer: the bits of one value in every format, as a table of coloured bit boxes.
//
// [SECTION] help texts
// [SECTION] bit boxes
// [SECTION] window
// [SECTION] float rows
// [SECTION] int and fixed-point rows
#include "app/panels/number_explorer.h"

#include <imgui.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/widgets/help.h"

namespace qv {

namespace {

// [SECTION] help texts --------------------------------------------------------------------------------

constexpr const char* kHelpX =
    "The real value x to store. Every row rounds it to the nearest value its format can hold and shows the "
    "bits it stores. Type a number (1e-7 works) or pick an example; -0, inf and nan are buttons because the "
    "field only accepts digits.";
constexpr const char* kHelpSign =
    "Sign bit s: 0 for positive, 1 for negative; the value is multiplied by (-1)^s. So +0 and -0 are two "
    "different patterns that compare equal.";
constexpr const char* kHelpExponent =
    "Exponent field E, stored with a bias: E is an unsigned integer and the power of two is E - bias "
    "(bias = 2^(e-1) - 1 for e exponent bits: 127 for fp32 and bf16, 15 for fp16 and E5M2, 7 for E4M3, 1 for "
    "E2M1). The bias lets negative and positive exponents share one unsigned field, so patterns sort like the "
    "values. E = 0 is reserved for zero and the subnormals; in the IEEE-like formats E = all ones means Inf "
    "(mantissa 0) or NaN.";
constexpr const char* kHelpMantissa =
    "Mantissa M (the trailing significand): the bits after the binary point. A normal number is "
    "(-1)^s x 2^(E - bias) x 1.M: the leading 1 is implied, not stored. With m mantissa bits each binade "
    "[2^e, 2^(e+1)) holds 2^m evenly spaced values, so the step doubles from one binade to the next and the "
    "relative rounding error stays below 2^-(m+1).";
constexpr const char* kHelpNormal =
    "Normal: the exponent field E is neither 0 nor (in the IEEE-like formats) all ones. The value is "
    "(-1)^s x 2^(E - bias) x 1.M, with the leading 1 implied, so every normal number keeps all m + 1 "
    "significant bits.";
constexpr const char* kHelpZero =
    "Zero: exponent and mantissa all 0. The sign bit still counts: -0 is a different pattern from +0. A value "
    "below half the smallest subnormal rounds to zero (underflow) and its relative error is 100%.";
constexpr const char* kHelpSubnormal =
    "Subnormal: exponent field E = 0. The value is (-1)^s x 2^(1 - bias) x 0.M, with no implied leading 1, so "
    "the numbers fill the gap between 0 and the smallest normal number with the same step (gradual underflow). "
    "The closer to 0, the fewer significant bits they keep: the relative error grows.";
constexpr const char* kHelpTies =
    "Round to nearest, ties to even: x becomes the nearest value the format holds; exactly halfway between two "
    "it takes the one whose last bit is 0 (the even pattern). Rounding halves always up would bias sums "
    "upwards; ties to even does not on average. It is IEEE 754's default and the OCP FP8 conversion's rule. "
    "Integers and fixed point here round the same way (2.5 -> 2, 3.5 -> 4).";
constexpr const char* kHelpSaturation =
    "Saturation: a value beyond the largest one the format holds is clamped to it instead of becoming Inf or "
    "wrapping around. E4M3FN (max 448) and E2M1 (max 6) have no Inf; this explorer converts them as OCP's "
    "saturating mode does (Inf saturates too). Integers and fixed point clamp to their range's ends. fp32, "
    "fp16, bf16 and E5M2 round an overflow to Inf instead.";
constexpr const char* kHelpInf =
    "Inf: exponent field all ones and mantissa 0. A finite x becomes Inf when it is at or beyond the largest "
    "finite value plus half a step (65520 in fp16: the tie between 65504 and the missing 65536 goes to the even "
    "pattern, which is Inf).";
constexpr const char* kHelpNaN =
    "NaN (not a number): exponent all ones and a nonzero mantissa in the IEEE formats, the single pattern "
    "S.1111.111 in E4M3FN. E2M1 has no NaN pattern at all, nor do integers (shown as 0 here).";
constexpr const char* kHelpTwos =
    "Two's complement: in an N-bit signed integer the top bit is worth -2^(N-1) instead of +2^(N-1); every other "
    "bit keeps its positive weight 2^i. So -1 is all ones, the range is -2^(N-1) .. 2^(N-1) - 1, and the same "
    "adder works for signed and unsigned codes. Unsigned integers give every bit a positive weight: "
    "0 .. 2^N - 1. Quantized tensors store such integer codes (int8, int4).";
constexpr const char* kHelpFixed =
    "Fixed point Qm.n: a two's-complement integer code of m + n bits read as code / 2^n (m integer bits, the sign "
    "included, and n fraction bits). The step is 2^-n everywhere and the range is -2^(m-1) .. 2^(m-1) - 2^-n. "
    "Unlike a float, the absolute error is the same for small and large values, so small values lose relative "
    "precision; an int8 code with a scale of 2^-n is Q(8-n).n.";
constexpr const char* kHelpError =
    "Error: |stored - x|, and in brackets relative to |x| (|stored - x| / |x|). Floats keep the relative error about constant "
    "(below half a step relative to the value); integers and fixed point keep the absolute error below half a "
    "step (2^-n) unless they saturate.";
constexpr const char* kHelpStep =
    "Step: the distance between neighbouring values the format holds around this one; rounding to nearest "
    "errs by at most half a step.";

const char* formatHelp(FloatFormat f) {
    switch (f) {
        case FloatFormat::Fp32:
            return "fp32, IEEE 754 binary32: 1 sign, 8 exponent (bias 127) and 23 mantissa bits. About 7 decimal "
                   "digits; largest 3.4e38, smallest normal 2^-126 (1.2e-38), smallest subnormal 2^-149. The "
                   "precision models are trained in and quantization starts from.";
        case FloatFormat::Fp16:
            return "fp16, IEEE 754 binary16: 1 / 5 / 10 bits, bias 15. About 3 decimal digits; largest 65504, "
                   "smallest normal 2^-14 (6.1e-5), smallest subnormal 2^-24 (6e-8). Large activations overflow "
                   "to Inf.";
        case FloatFormat::Bf16:
            return "bf16, bfloat16: the top half of an fp32, 1 / 8 / 7 bits, bias 127. fp32's range (no overflow "
                   "where fp32 has none) with only 8 significant bits (2-3 decimal digits): converting from fp32 "
                   "rounds away 16 mantissa bits.";
        case FloatFormat::Fp8E4M3:
            return "FP8 E4M3FN (OCP OFP8): 1 / 4 / 3 bits, bias 7. No Inf, and only S.1111.111 is NaN, so the top "
                   "binade reaches 448 (1.75 x 2^8). Smallest normal 2^-6, smallest subnormal 2^-9. Used for "
                   "weights and activations, with a scale that maps a tensor's range onto +-448.";
        case FloatFormat::Fp8E5M2:
            return "FP8 E5M2 (OCP OFP8): 1 / 5 / 2 bits, bias 15, IEEE-like Inf and NaN: fp16 with 8 mantissa bits "
                   "cut off. Largest 57344, smallest subnormal 2^-16. More range and less precision than E4M3: "
                   "used for gradients.";
        case FloatFormat::Fp4E2M1:
            return "FP4 E2M1 (OCP Microscaling): 1 / 2 / 1 bits, bias 1. Its 16 patterns are +-{0, 0.5, 1, 1.5, "
                   "2, 3, 4, 6}; no Inf or NaN. The element of MXFP4 and NVFP4, always used with a scale per block "
                   "of 16 or 32 values, so 25.125 alone does not fit.";
    }
    return "";
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// A value for a cell: "%.10g", with -0 kept, "inf"/"nan" as such.
std::string valueText(double v) { return fmt("%.10g", v); }

// The error cell: |stored − x| on the first line, the relative error below it (two short lines keep the
// column narrow, leaving room for the formulas).
// The "kind" cell of the integer and fixed-point rows: what happened to x on its way to a code.
void kindCell(bool isNaN, bool saturated, double absError) {
    if (isNaN) {
        ImGui::TextUnformatted("NaN -> 0");
        helpMarker(kHelpNaN);
    } else if (saturated) {
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.3f, 1), "saturated");
        helpMarker(kHelpSaturation);
    } else if (absError > 0) {
        ImGui::TextDisabled("rounded");
        helpMarker(kHelpTies);
    } else {
        ImGui::TextColored(ImVec4(0.5f, 0.85f, 0.5f, 1), "exact");
    }
}

void errorCell(double absError, double relError) {
    if (std::isnan(absError)) ImGui::TextUnformatted("-");
    else if (absError == 0) ImGui::TextUnformatted("exact");
    else if (std::isinf(absError)) ImGui::TextUnformatted("inf");  // overflowed to Inf
    else {
        ImGui::TextUnformatted(fmt("%.3g", absError).c_str());
        if (std::isinf(relError)) ImGui::TextDisabled("x = 0");
        else ImGui::TextDisabled("(%s%%)", fmt("%.3g", relError * 100).c_str());
    }
}

// A formula on one line when it fits the cell, else broken after its last " × " (fp32's significand has
// up to 24 digits).
void formulaCell(const std::string& formula) {
    const size_t cut = formula.rfind(" \xc3\x97 ");
    if (cut == std::string::npos || ImGui::CalcTextSize(formula.c_str()).x <= ImGui::GetContentRegionAvail().x) {
        ImGui::TextUnformatted(formula.c_str());
        return;
    }
    const size_t next = cut + 4;  // past " × " (the sign is two bytes)
    ImGui::TextUnformatted(formula.c_str(), formula.c_str() + next);
    ImGui::TextUnformatted(("   " + formula.substr(next)).c_str());
}

std::string hexText(uint32_t bits, int width) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%0*X", (width + 3) / 4, static_cast<unsigned>(bits));
    return buf;
}

// [SECTION] bit boxes ---------------------------------------------------------------------------------

enum class BitRole { Sign, Exponent, Mantissa, Integer };

ImU32 roleColor(BitRole r, bool set) {
    switch (r) {
        case BitRole::Sign: return set ? IM_COL32(214, 78, 78, 255) : IM_COL32(105, 44, 44, 255);
        case BitRole::Exponent: return set ? IM_COL32(58, 168, 88, 255) : IM_COL32(30, 84, 46, 255);
        case BitRole::Mantissa: return set ? IM_COL32(72, 122, 218, 255) : IM_COL32(36, 58, 108, 255);
        case BitRole::Integer: return set ? IM_COL32(212, 142, 48, 255) : IM_COL32(104, 70, 26, 255);
    }
    return 0;
}

float boxWidth() { return std::round(ImGui::GetFontSize() * 0.85f); }
float boxHeight() { return std::round(ImGui::GetFontSize() * 1.3f); }

// One box per bit, most significant first, a small gap where the role changes. `valid` false draws "-"
// (no pattern). Hovering a box outlines it and shows tip(bit). Returns nothing; lays out like one item.
template <class RoleFn, class TipFn>
void drawBitBoxes(uint32_t bits, int width, bool valid, RoleFn role, TipFn tip, NumberExplorer::Rect& rect,
                  std::string& hoveredTip) {
    const float bw = boxWidth(), bh = boxHeight(), pad = 1.0f, gap = std::round(ImGui::GetFontSize() * 0.35f);
    std::vector<float> xs(static_cast<size_t>(width));
    float x = 0;
    for (int k = 0; k < width; ++k) {
        const int bit = width - 1 - k;
        if (k > 0 && role(bit) != role(bit + 1)) x += gap;
        xs[static_cast<size_t>(k)] = x;
        x += bw + pad;
    }
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(x, bh));
    const bool hovered = ImGui::IsItemHovered();
    rect = {p0.x, p0.y, p0.x + x, p0.y + bh};
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int k = 0; k < width; ++k) {
        const int bit = width - 1 - k;
        const bool set = valid && ((bits >> bit) & 1u);
        const ImVec2 a(p0.x + xs[static_cast<size_t>(k)], p0.y), b(a.x + bw, a.y + bh);
        dl->AddRectFilled(a, b, roleColor(role(bit), set), 2.0f);
        const char* label = !valid ? "-" : set ? "1" : "0";
        const ImVec2 ts = ImGui::CalcTextSize(label);
        dl->AddText(ImVec2(std::round(a.x + (bw - ts.x) * 0.5f), std::round(a.y + (bh - ts.y) * 0.5f)),
                    set ? IM_COL32(255, 255, 255, 255) : IM_COL32(190, 190, 190, 255), label);
        if (hovered && mouse.x >= a.x && mouse.x < b.x + pad && mouse.y >= a.y && mouse.y < b.y) {
            dl->AddRect(a, b, IM_COL32(255, 255, 255, 255), 2.0f, 0, 1.5f);
            const std::string t = tip(bit);
            hoveredTip = t;
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
            ImGui::TextUnformatted(t.c_str());
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
        }
    }
}

// A coloured square and a label, for the legend line.
void legendItem(BitRole role, const char* label, const char* help) {
    const float s = std::round(ImGui::GetFontSize() * 0.8f);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float y = p.y + std::round((ImGui::GetTextLineHeight() - s) * 0.5f);
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, y), ImVec2(p.x + s, y + s), roleColor(role, true), 2.0f);
    ImGui::Dummy(ImVec2(s, ImGui::GetTextLineHeight()));
    ImGui::SameLine();
    ImGui::TextUnformatted(label);
    helpMarker(help);
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.2f);
}

// A help-marked word in the terms line.
void term(const char* label, const char* help) {
    ImGui::TextUnformatted(label);
    helpMarker(help);
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.2f);
}

}  // namespace

// [SECTION] window ----------------------------------------------------------------------------------------

void NumberExplorer::show(double x) {
    m_x = x;
    m_open = true;
    m_focus = true;
    m_fitFrames = 3;
}

void NumberExplorer::draw() {
    if (!m_open) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // Opened: wide enough for fp32's 32 boxes and the formulas, as tall as the content measured in the
    // previous frame (the first frame guesses), centred; afterwards the user may move and resize it.
    const float height = m_fitHeight > 0 ? m_fitHeight : ImGui::GetFontSize() * 40.0f;
    const ImVec2 size(std::min(vp->WorkSize.x - 40.0f, ImGui::GetFontSize() * 104.0f),
                      std::min(vp->WorkSize.y - 40.0f, height));
    const ImGuiCond cond = m_fitFrames > 0 ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    ImGui::SetNextWindowSize(size, cond);
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f), cond,
                            ImVec2(0.5f, 0.5f));
    if (m_focus) ImGui::SetNextWindowFocus();
    m_focus = false;
    ImGui::SetNextWindowBgAlpha(1.0f);  // the histogram behind must not show through the bit boxes
    if (!ImGui::Begin("Number explorer", &m_open, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    if (m_fitFrames > 0) --m_fitFrames;
    ++m_drawnFrames;
    m_hoveredTip.clear();
    drawHeader();

    for (int i = 0; i < kFloatFormatCount; ++i) m_float[static_cast<size_t>(i)] = toFloatBits(m_x, static_cast<FloatFormat>(i));
    m_int = toIntBits(m_x, m_intBits, m_intSigned);
    m_fixed = toFixedBits(m_x, m_qm, m_qn);

    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuterH |
                               ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_PadOuterX;
    if (ImGui::BeginTable("rows", 6, tf)) {
        ImGui::TableSetupColumn("Format");
        ImGui::TableSetupColumn("Bits (hover a box: its weight)");
        ImGui::TableSetupColumn("Stored value");
        ImGui::TableSetupColumn("Kind");
        ImGui::TableSetupColumn("Error (relative)");
        ImGui::TableSetupColumn("Stored value as a formula", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();
        for (int i = 0; i < kFloatFormatCount; ++i) drawFloatRow(static_cast<FloatFormat>(i));
        drawIntRow();
        drawFixedRow();
        ImGui::EndTable();
    }

    ImGui::Spacing();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled(
        "Reading a row: the boxes are the stored bits, most significant first (bright = 1). A float is "
        "(-1)^sign x 2^(exponent - bias) x 1.mantissa; the formula column spells it out with the numbers of this "
        "row. Fewer mantissa bits give a coarser step (see E4M3's step of 2 around 25), fewer exponent bits a "
        "smaller range (E2M1 stops at 6).");
    ImGui::PopTextWrapPos();
    m_fitHeight = ImGui::GetCursorPosY() + ImGui::GetStyle().WindowPadding.y;
    ImGui::End();
}

void NumberExplorer::drawHeader() {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("x =");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12.0f);
    ImGui::InputDouble("##x", &m_x, 0.0, 0.0, "%.15g");
    helpMarker(kHelpX);
    struct Example {
        const char* label;
        double value;
    };
    static const Example kExamples[] = {
        {"25.125", 25.125}, {"0.1", 0.1}, {"-2.5", -2.5}, {"1e-7", 1e-7}, {"65520", 65520.0},
        {"1e6", 1e6},       {"-0", -0.0}, {"inf", HUGE_VAL}, {"nan", std::nan("")},
    };
    for (const Example& e : kExamples) {
        ImGui::SameLine();
        if (ImGui::SmallButton(e.label)) m_x = e.value;
    }
    ImGui::Spacing();
    legendItem(BitRole::Sign, "sign", kHelpSign);
    legendItem(BitRole::Exponent, "exponent (biased)", kHelpExponent);
    legendItem(BitRole::Mantissa, "mantissa / fraction", kHelpMantissa);
    legendItem(BitRole::Integer, "integer bits", kHelpTwos);
    term("ties to even", kHelpTies);
    term("subnormal", kHelpSubnormal);
    term("saturation", kHelpSaturation);
    term("two's complement", kHelpTwos);
    term("fixed point", kHelpFixed);
    ImGui::NewLine();
    ImGui::Spacing();
}

// [SECTION] float rows --------------------------------------------------------------------------------------

void NumberExplorer::drawFloatRow(FloatFormat f) {
    const FloatFormatInfo& info = floatFormatInfo(f);
    const FloatBits& b = m_float[static_cast<size_t>(f)];
    const int m = b.mantissaWidth;
    ImGui::PushID(static_cast<int>(f));
    ImGui::TableNextRow();

    ImGui::TableNextColumn();
    ImGui::TextUnformatted(info.name);
    helpMarker(formatHelp(f));
    ImGui::TextDisabled("1 / %d / %d, bias %d", info.exponentBits, info.mantissaBits, info.bias);

    ImGui::TableNextColumn();
    auto role = [&](int bit) {
        return bit >= b.width - 1 ? BitRole::Sign : bit >= m ? BitRole::Exponent : BitRole::Mantissa;
    };
    auto tip = [&](int bit) {
        char buf[320];
        if (bit == b.width - 1) {
            std::snprintf(buf, sizeof buf, "bit %d: the sign s = %u, the value is multiplied by (-1)^%u = %s.", bit,
                          b.sign, b.sign, b.sign ? "-1" : "+1");
        } else if (bit >= m) {
            const int j = bit - m;
            if (b.cls == NumberClass::Normal)
                std::snprintf(buf, sizeof buf,
                              "bit %d: exponent field bit %d, adds 2^%d = %u to E.\nE = %u, bias %d: the value's "
                              "power of two is 2^(%u - %d) = 2^%d.",
                              bit, j, j, 1u << j, b.exponentField, info.bias, b.exponentField, info.bias, b.exponent);
            else
                std::snprintf(buf, sizeof buf,
                              "bit %d: exponent field bit %d, adds 2^%d = %u to E.\nE = %u: %s", bit, j, j, 1u << j,
                              b.exponentField,
                              b.exponentField == 0 ? "zero or subnormal, the power of two is fixed at 2^(1 - bias) and "
                                                     "there is no implied leading 1."
                                                   : "all ones, Inf or NaN (or, in E4M3FN and E2M1, the top binade).");
        } else {
            const double w = std::ldexp(1.0, bit - m);
            const bool finite = b.cls != NumberClass::Inf && b.cls != NumberClass::NaN;
            std::snprintf(buf, sizeof buf,
                          "bit %d: mantissa bit worth 2^%d = %.10g of the significand (%s)%s%s", bit, bit - m, w,
                          b.cls == NumberClass::Normal ? "1.M" : "0.M", finite ? ",\ntimes 2^" : ".",
                          finite ? (std::to_string(b.exponent) + " here: " + fmt("%.10g", std::ldexp(w, b.exponent)) +
                                    " of the value.")
                                       .c_str()
                                 : "");
        }
        return std::string(buf);
    };
    drawBitBoxes(b.bits, b.width, b.hasPattern, role, tip, m_bitsRects[static_cast<size_t>(f)], m_hoveredTip);
    if (b.hasPattern)
        ImGui::TextDisabled("%s   s=%u  E=%u  M=0x%X", hexText(b.bits, b.width).c_str(), b.sign, b.exponentField,
                            b.mantissaField);
    else
        ImGui::TextDisabled("no pattern");

    ImGui::TableNextColumn();
    ImGui::TextUnformatted(valueText(b.value).c_str());
    if (b.step > 0) {
        ImGui::TextDisabled("step %s", fmt("%.4g", b.step).c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kHelpStep);
    }

    ImGui::TableNextColumn();
    ImGui::TextUnformatted(numberClassName(b.cls));
    if (b.cls == NumberClass::Normal && f == FloatFormat::Fp32) helpMarker(kHelpNormal);
    if (b.cls == NumberClass::Zero) helpMarker(kHelpZero);
    if (b.cls == NumberClass::Subnormal) helpMarker(kHelpSubnormal);
    if (b.cls == NumberClass::Inf) helpMarker(kHelpInf);
    if (b.cls == NumberClass::NaN) helpMarker(kHelpNaN);
    if (b.saturated) {
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.3f, 1), "saturated to max");
        helpMarker(kHelpSaturation);
    } else if (b.overflowed) {
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1), "overflow to Inf");
        helpMarker(kHelpInf);
    } else if (b.absError > 0) {
        ImGui::TextDisabled("rounded");
        helpMarker(kHelpTies);
    } else if (b.absError == 0) {
        ImGui::TextColored(ImVec4(0.5f, 0.85f, 0.5f, 1), "exact");
    }

    ImGui::TableNextColumn();
    errorCell(b.absError, b.relError);
    if (f == FloatFormat::Fp32) helpMarker(kHelpError);

    ImGui::TableNextColumn();
    formulaCell(b.formula);
    if (b.cls == NumberClass::Normal || b.cls == NumberClass::Subnormal)
        ImGui::TextDisabled("= %s", valueText(b.value).c_str());
    ImGui::PopID();
}

// [SECTION] int and fixed-point rows --------------------------------------------------------------------------

void NumberExplorer::drawIntRow() {
    const IntBits& r = m_int;
    ImGui::PushID("int");
    ImGui::TableNextRow();

    ImGui::TableNextColumn();
    ImGui::Text("%s%d", r.isSigned ? "int" : "uint", r.width);
    helpMarker(kHelpTwos);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.0f);
    if (ImGui::SliderInt("##bits", &m_intBits, 2, 16, "%d bits")) m_intBits = std::clamp(m_intBits, 2, 16);
    ImGui::SameLine();
    ImGui::Checkbox("signed", &m_intSigned);

    ImGui::TableNextColumn();
    auto role = [&](int bit) { return r.isSigned && bit == r.width - 1 ? BitRole::Sign : BitRole::Integer; };
    auto tip = [&](int bit) {
        const double w = fixedBitWeight(bit, r.width, 0, r.isSigned);
        std::string t = "bit " + std::to_string(bit) + ": worth " + fmt("%.0f", w);
        if (r.isSigned && bit == r.width - 1)
            t += " = -2^" + std::to_string(bit) + ".\nIn two's complement the top bit's weight is negative.";
        else
            t += " = 2^" + std::to_string(bit) + ".";
        return t;
    };
    drawBitBoxes(r.bits, r.width, true, role, tip, m_bitsRects[kFloatFormatCount], m_hoveredTip);
    ImGui::TextDisabled("%s", hexText(r.bits, r.width).c_str());

    ImGui::TableNextColumn();
    ImGui::Text("%" PRId64, r.code);
    ImGui::TextDisabled("step 1");

    ImGui::TableNextColumn();
    kindCell(r.isNaN, r.saturated, r.absError);

    ImGui::TableNextColumn();
    errorCell(r.absError, r.relError);

    ImGui::TableNextColumn();
    const double lo = r.isSigned ? -std::ldexp(1.0, r.width - 1) : 0.0;
    const double hi = r.isSigned ? std::ldexp(1.0, r.width - 1) - 1 : std::ldexp(1.0, r.width) - 1;
    if (r.isNaN) {
        ImGui::TextUnformatted("NaN has no integer code");
    } else {
        std::string s = "round(x) = " + fmt("%.10g", roundHalfEven(m_x) + 0.0);
        if (r.saturated) s += "  ->  clamp to [" + fmt("%.0f", lo) + ", " + fmt("%.0f", hi) + "]";
        ImGui::TextUnformatted(s.c_str());
    }
    if (r.isSigned && r.code < 0) {
        const double top = std::ldexp(1.0, r.width - 1);
        ImGui::TextDisabled("= -%.0f + %.0f (top bit + the rest)", top, static_cast<double>(r.code) + top);
    } else {
        ImGui::TextDisabled("range %.0f .. %.0f", lo, hi);
    }
    ImGui::PopID();
}

void NumberExplorer::drawFixedRow() {
    const FixedBits& r = m_fixed;
    ImGui::PushID("fixed");
    ImGui::TableNextRow();

    ImGui::TableNextColumn();
    ImGui::Text("Q%d.%d", r.intBits, r.fracBits);
    helpMarker(kHelpFixed);
    const float w = ImGui::GetFontSize() * 4.0f;
    ImGui::SetNextItemWidth(w);
    ImGui::SliderInt("##m", &m_qm, 1, 16, "m %d");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(w);
    ImGui::SliderInt("##n", &m_qn, 0, 16, "n %d");
    m_qm = std::clamp(m_qm, 1, 16);
    m_qn = std::clamp(m_qn, 0, 16);

    ImGui::TableNextColumn();
    const int width = r.width();
    auto role = [&](int bit) {
        return bit == width - 1 ? BitRole::Sign : bit >= r.fracBits ? BitRole::Integer : BitRole::Mantissa;
    };
    auto tip = [&](int bit) {
        const double wt = fixedBitWeight(bit, width, r.fracBits, true);
        std::string t = "bit " + std::to_string(bit) + ": worth " + fmt("%.10g", wt) + " = " +
                        (bit == width - 1 ? "-" : "") + "2^" + std::to_string(bit - r.fracBits);
        if (bit == width - 1) t += ".\nThe sign bit of two's complement: its weight is negative.";
        else if (bit < r.fracBits) t += ", a fraction bit.";
        else t += ", an integer bit.";
        return t;
    };
    drawBitBoxes(r.bits, width, true, role, tip, m_bitsRects[kFloatFormatCount + 1], m_hoveredTip);
    ImGui::TextDisabled("%s   code %" PRId64, hexText(r.bits, width).c_str(), r.code);

    ImGui::TableNextColumn();
    ImGui::TextUnformatted(valueText(r.value).c_str());
    ImGui::TextDisabled("step %s", fmt("%.4g", std::ldexp(1.0, -r.fracBits)).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kHelpStep);

    ImGui::TableNextColumn();
    kindCell(r.isNaN, r.saturated, r.absError);

    ImGui::TableNextColumn();
    errorCell(r.absError, r.relError);

    ImGui::TableNextColumn();
    const double lo = -std::ldexp(1.0, width - 1), hi = std::ldexp(1.0, width - 1) - 1;
    if (r.isNaN) {
        ImGui::TextUnformatted("NaN has no code");
    } else {
        std::string s = "round(x * 2^" + std::to_string(r.fracBits) + ") = " +
                        fmt("%.10g", roundHalfEven(std::ldexp(m_x, r.fracBits)) + 0.0);
        if (r.saturated) s += "  ->  clamp to [" + fmt("%.0f", lo) + ", " + fmt("%.0f", hi) + "]";
        ImGui::TextUnformatted(s.c_str());
    }
    ImGui::TextDisabled("value = code / 2^%d = %" PRId64 " / %.0f", r.fracBits, r.code, std::ldexp(1.0, r.fracBits));
    ImGui::PopID();
}

}  // namespace qv
