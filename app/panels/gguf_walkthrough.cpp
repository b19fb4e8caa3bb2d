// Learn ▸ "Walkthrough: one llama.cpp block": one Q4_0 block of 32 floats through llama.cpp's reference
// quantizer to its 18 bytes and back, each step as formula = numbers = result.
//
// Index: [SECTION] text · [SECTION] values · [SECTION] window · [SECTION] steps · [SECTION] Q4_K
#include "app/panels/gguf_walkthrough.h"
#include "app/panels/walkthrough_style.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/app_state.h"
#include "app/widgets/help.h"

namespace qv {

// [SECTION] text -------------------------------------------------------------------------------------------

namespace {

constexpr const char* kHelpMax =
    "llama.cpp keeps the sign of the element of largest |x| (the first one if several tie) and divides it by -8. "
    "The codes run 0..15, i.e. -8..7 after subtracting 8, so the grid has one more step on one side: choosing "
    "d's sign this way puts that extreme element exactly on the -8 end, so it is stored without error.";
constexpr const char* kHelpF16 =
    "The block stores d as an IEEE binary16 (f16): 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits, "
    "rounded to nearest even. The codes are computed with id = 1/d from the unrounded float32 d; only decoding "
    "uses the f16 d, so its rounding adds a small error to every element of the block.";
constexpr const char* kHelpHalfUp =
    "Round half up: (int8_t)(x*id + 8.5) truncates toward zero, and x*id + 8.5 is never negative here, so this "
    "is floor(x*id + 0.5) + 8: a value exactly halfway between two codes goes to the larger code. Round half to "
    "even (PyTorch, ONNX, the rest of quantviz) goes to the even one: at x*id = 0.5 half up gives 1, half even "
    "0; at -1.5 half up gives -1, half even -2. Both errors are the same size (half a step); the choice only "
    "decides which code, and so which bytes, the file holds.";
constexpr const char* kHelpCap =
    "min(15, ...): x*id + 8.5 reaches 16 for an x of the other sign near -m (x*id >= 7.5); the code is capped "
    "at 15, the grid's short end, and that value is clipped to 7*d.";
constexpr const char* kHelpPack =
    "Two 4-bit codes per byte. Element j goes in the low nibble of qs[j], element j+16 in the high nibble "
    "(ggml-common.h block_q4_0; quantize_row_q4_0_ref): qs[j] = q[j] | q[j+16] << 4. The f16 d comes first, "
    "little-endian: 2 + 16 = 18 bytes for 32 weights, 4.5 bits per weight.";
constexpr const char* kHelpSource =
    "Take block b of the selected tensor: its elements 32*b .. 32*b+31 in storage order. When a row's length is "
    "a multiple of 32 (as llama.cpp requires for Q4_0), that is exactly the block llama-quantize would encode.";

constexpr const char* kHelpFit =
    "make_qkx2_quants (llama.cpp ggml-quants.c): a search, not a formula. It fits y = scale*L - min (L = 0..15, "
    "min >= 0 subtracted) to the 32 values by weighted least squares, weights sqrt(mean x^2) + |x| (large values "
    "count more). Candidates: the plain min-max grid, then 21 trial grids iscale = (15 - 1 + 0.1*is)/(max - min), "
    "is = 0..20, each rounded, then solved in closed form for scale and min; the smallest weighted error wins. "
    "The minimum starts at min(x, 0), so a sub-block of positive values gets min 0.";
constexpr const char* kHelpSixBit =
    "Two-level scales: each sub-block's scale and min are stored as 6-bit integers ls, lm (0..63) times one f16 "
    "per super-block: d = max scale / 63, dmin = max min / 63, ls = nearest_int(63/max_scale * scale) (round half "
    "to even). The sub-block with the largest scale gets ls = 63 exactly; small scales lose relative precision.";
constexpr const char* kHelpK4 =
    "get_scale_min_k4 (llama.cpp): 8 six-bit scales and 8 six-bit mins = 96 bits = 12 bytes. Sub-blocks 0-3 keep "
    "their scale in the low 6 bits of bytes 0-3 and their min in bytes 4-7; sub-blocks 4-7 put their low 4 bits of "
    "scale and min in the two nibbles of bytes 8-11 and their top 2 bits in the top 2 bits of bytes 0-3 (scale) "
    "and 4-7 (min).";
constexpr const char* kHelpKCodes =
    "After d and dmin are rounded to f16 and the scales to 6 bits, every weight is rounded again against the "
    "sub-block's final step d*ls and offset dmin*lm: q = nearest_int((x + dmin*lm) / (d*ls)) clamped to 0..15 "
    "(round half to even here, unlike Q4_0). qs holds the codes of sub-blocks 2k (low nibbles) and 2k+1 (high "
    "nibbles) in bytes 32k..32k+31.";

std::string num(double v) {
    if (v == 0) v = 0;  // −0.0 (e.g. −0.5·0) shows as 0
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}
std::string par(double v) { return v < 0 ? "(" + num(v) + ")" : num(v); }
std::string hex2(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02X", v & 0xFFu);
    return buf;
}
std::string bits(unsigned v, int n) {
    std::string s;
    for (int i = n - 1; i >= 0; --i) s += ((v >> i) & 1u) ? '1' : '0';
    return s;
}
void textLine(const std::string& s) { ImGui::TextUnformatted(s.c_str()); }

using walkthrough::kClampColour;
using walkthrough::kTieColour;
using walkthrough::stepTitle;

}  // namespace

// [SECTION] values -----------------------------------------------------------------------------------------

std::vector<float> GgufWalkthrough::exampleValues() {
    // Element 8 (4.0) is the outlier: m = 4, d = −0.5, id = −2, so x·id = −2x exactly. Halves: 0.75 → −1.5,
    // −0.25 → 0.5, −1.25 → 2.5 (half up and half even differ) and 0.25 → −0.5 (they agree: both give code 8).
    return {0.1f,   -0.3f, 0.75f, -0.25f, 0.5f,  1.2f,  -1.0f,  0.05f, 4.0f,  -0.6f, 0.3f, -0.15f, 0.9f,  -1.4f, 0.2f,  0.0f,
            -0.45f, 0.65f, -0.8f, 1.1f,   -0.05f, 0.35f, -1.25f, 0.6f,  0.15f, -0.7f, 1.5f, -0.35f, 0.4f, -0.9f, 0.25f, -0.55f};
}

GgufWalkthrough::GgufWalkthrough() {
    resetToExample();
    resetToExampleK();
}

void GgufWalkthrough::resetToExample() {
    m_values = exampleValues();
    m_source = "the worked example";
    m_takeMessage.clear();
}

void GgufWalkthrough::setValues(std::vector<float> values) {
    values.resize(kQ4_0BlockElements, 0.0f);
    m_values = std::move(values);
    m_source = "typed values";
}

bool GgufWalkthrough::takeValues(const AppState& state, uint64_t first, uint64_t count, const char* unit, uint64_t index,
                                 std::vector<float>& out, std::string& source) {
    const Document* doc = state.currentDocument();
    const auto sel = state.selectedTensor();
    if (!doc || !doc->model || !sel || *sel >= doc->model->tensors.size()) {
        m_takeMessage = "Open a file and select a tensor first.";
        return false;
    }
    const TensorView view = doc->model->view(*sel);
    const uint64_t blocks = view.elements() / count;
    if (index >= blocks) {
        m_takeMessage = blocks == 0 ? "The selected tensor has fewer than " + std::to_string(count) + " elements."
                                    : "The selected tensor has " + std::to_string(blocks) + " " + unit + "s of " +
                                          std::to_string(count) + " (0.." + std::to_string(blocks - 1) + ").";
        return false;
    }
    std::vector<float> v(static_cast<size_t>(count));
    if (!view.read(first, count, v.data())) {
        m_takeMessage = "Could not read " + std::string(unit) + " " + std::to_string(index) + " of " + view.info().name + ".";
        return false;
    }
    out = std::move(v);
    source = view.info().name;
    source += ", " + std::string(unit) + " " + std::to_string(index) + " (elements " + std::to_string(first) + ".." +
              std::to_string(first + count - 1) + ")";
    m_takeMessage.clear();
    return true;
}

bool GgufWalkthrough::takeFromTensor(const AppState& state, uint64_t block) {
    return takeValues(state, block * kQ4_0BlockElements, kQ4_0BlockElements, "block", block, m_values, m_source);
}

bool GgufWalkthrough::takeFromTensorK(const AppState& state, uint64_t block) {
    return takeValues(state, block * kQ4_KBlockElements, kQ4_KBlockElements, "super-block", block, m_kValues, m_kSource);
}

std::vector<float> GgufWalkthrough::exampleValuesK() {
    // Sub-block s, element l: ((37·l + 11·s) mod 29 − 14)/128 · (1 + s/4), a scramble of −14..14 steps of 1/128
    // whose spread grows with s; sub-block 3 shifted up by 0.25 (all positive: its fitted minimum is 0); 1.2 at
    // element 199 (sub-block 6, l = 7), an outlier that makes sub-block 6's scale the largest.
    std::vector<float> v(kQ4_KBlockElements);
    for (int s = 0; s < 8; ++s)
        for (int l = 0; l < 32; ++l) {
            float x = static_cast<float>((37 * l + 11 * s) % 29 - 14) / 128.0f * (1.0f + 0.25f * static_cast<float>(s));
            if (s == 3) x += 0.25f;
            v[static_cast<size_t>(32 * s + l)] = x;
        }
    v[199] = 1.2f;
    return v;
}

void GgufWalkthrough::resetToExampleK() {
    m_kValues = exampleValuesK();
    m_kSource = "the worked example";
    m_takeMessage.clear();
}

void GgufWalkthrough::setValuesK(std::vector<float> values) {
    values.resize(kQ4_KBlockElements, 0.0f);
    m_kValues = std::move(values);
    m_kSource = "typed values";
}

// [SECTION] window ------------------------------------------------------------------------------------------

void GgufWalkthrough::draw(AppState& state) {
    if (!m_open || !beginAutoSizedWindow()) return;
    ++m_drawnFrames;
    if (ImGui::BeginTabBar("##types")) {
        const bool request = m_tabRequest;
        m_tabRequest = false;
        if (ImGui::BeginTabItem("Q4_0: 32 floats → 18 bytes", nullptr,
                                request && m_tab == Tab::Q4_0 ? ImGuiTabItemFlags_SetSelected : 0)) {
            if (!request) m_tab = Tab::Q4_0;
            drawQ4_0(state);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Q4_K: 256 floats → 144 bytes", nullptr,
                                request && m_tab == Tab::Q4_K ? ImGuiTabItemFlags_SetSelected : 0)) {
            if (!request) m_tab = Tab::Q4_K;
            drawQ4_K(state);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

void GgufWalkthrough::drawQ4_0(const AppState& state) {
    drawControls(state);
    m_walk = walkQ4_0(m_values);
    if (!m_walk.finite) {
        ImGui::TextColored(kClampColour, "The block holds NaN or infinity: llama.cpp's result is undefined for it "
                                         "(its float-to-int8 conversion). Edit the values or take another block.");
        return;
    }
    drawScale();
    drawCodes();
    drawBytes();
    drawError();
}

void GgufWalkthrough::drawControls(const AppState& state) {
    const float em = ImGui::GetFontSize();
    ImGui::PushTextWrapPos(em * 62.0f);
    ImGui::TextUnformatted(
        "How llama.cpp stores 32 weights as Q4_0: one f16 scale d and 32 4-bit codes, 18 bytes. Each step below is "
        "its formula, the numbers put in, and the result, computed the way llama.cpp's reference quantizer "
        "(quantize_row_q4_0_ref, what llama-quantize writes without an importance matrix) does: the bytes are "
        "the ones quantviz's GGUF encoder writes. Edit any x in the table.");
    m_exampleNote = m_values == exampleValues();
    if (m_exampleNote) {
        ImGui::TextDisabled(
            "Worked example (docs/walkthroughs.md): small weights and one outlier, 4.0 at x[8]. The outlier sets "
            "the scale for all 32, so most weights use only codes 5..11 of 0..15. 0.75, -0.25 and -1.25 fall "
            "exactly halfway between two codes, where llama.cpp rounds half up and half to even would not.");
    }
    ImGui::PopTextWrapPos();

    if (ImGui::Button("Worked example")) resetToExample();
    ImGui::SameLine();
    const bool haveTensor = state.currentDocument() && state.selectedTensor();
    if (!haveTensor) ImGui::BeginDisabled();
    if (ImGui::Button("Take block b of the selected tensor")) takeFromTensor(state, static_cast<uint64_t>(m_block));
    m_takeRect = {ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y, ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y};
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 7.0f);
    ImGui::InputInt("b", &m_block);
    m_block = std::max(0, m_block);
    if (!haveTensor) ImGui::EndDisabled();
    helpMarker(kHelpSource);
    ImGui::TextDisabled("values: %s", m_source.c_str());
    helpMarker(glossary::kGguf);
    if (!m_takeMessage.empty()) ImGui::TextColored(kClampColour, "%s", m_takeMessage.c_str());
}

// [SECTION] steps -------------------------------------------------------------------------------------------

void GgufWalkthrough::drawScale() {
    const GgmlQ4_0Walk& w = m_walk;
    stepTitle("Step 1. The element of largest |x|, sign kept");
    if (w.maxIndex < 0) {
        textLine("every x is 0: m = 0, d = 0, id = 0, every code is 8 and decodes to 0");
    } else {
        textLine("m = x[" + std::to_string(w.maxIndex) + "] = " + num(w.m) + "   (|m| = " + num(std::fabs(w.m)) +
                 " is the largest |x| of the block)");
    }
    helpMarker(kHelpMax);

    stepTitle("Step 2. The scale d, stored as f16, and id = 1/d");
    textLine("d = m / −8 = " + num(w.m) + " / −8 = " + num(w.d) + "   (float32)");
    helpMarker(glossary::kScale);
    const unsigned b = w.dBits;
    std::string line = "f16(d) = 0x" + hex2(b >> 8) + hex2(b) + " = sign " + bits(b >> 15, 1) + " | exponent " + bits(b >> 10, 5) +
                       " | mantissa " + bits(b, 10) + " = " + num(w.dF16);
    if (w.dF16 == w.d) line += "   (exact: d fits in f16)";
    else line += "   (rounded: f16(d) − d = " + num(static_cast<double>(w.dF16) - w.d) + ")";
    textLine(line);
    helpMarker(kHelpF16);
    textLine("id = 1 / d = 1 / " + par(w.d) + " = " + num(w.id) + "   (from the float32 d, before the f16 rounding)");
}

void GgufWalkthrough::drawCodes() {
    const GgmlQ4_0Walk& w = m_walk;
    const float em = ImGui::GetFontSize();
    stepTitle("Step 3. The codes, two per byte");
    textLine("q = min(15, (int8)(x·id + 8.5)),   qs[j] = q[j] | q[j+16] << 4,   y = d_f16 · (q − 8),   e = y − x");
    helpMarker(kHelpHalfUp);
    ImGui::SameLine();
    ImGui::TextColored(kTieColour, "  blue: exactly halfway (half up)");
    ImGui::SameLine();
    ImGui::TextColored(kClampColour, "  orange: capped at 15");
    helpMarker(kHelpCap);

    auto xCell = [&](int i) {
        ImGui::SetNextItemWidth(em * 5.5f);
        ImGui::PushID(i);
        if (ImGui::InputFloat("##x", &m_values[static_cast<size_t>(i)], 0, 0, "%.6g")) m_source = "typed values";
        ImGui::PopID();
    };
    auto codeCells = [&](const GgmlQ4_0Element& e) {
        ImGui::TableNextColumn();
        textLine(num(e.shifted));
        ImGui::TableNextColumn();
        if (e.capped) {
            ImGui::TextColored(kClampColour, "%d → 15", e.truncated);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kHelpCap);
        } else if (e.half) {
            if (e.qHalfEven != e.q) ImGui::TextColored(kTieColour, "%d (even: %d)", e.q, e.qHalfEven);
            else ImGui::TextColored(kTieColour, "%d (even: same)", e.q);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kHelpHalfUp);
        } else {
            ImGui::Text("%d", e.q);
        }
    };
    auto decodeCells = [&](const GgmlQ4_0Element& e) {
        ImGui::TableNextColumn();
        textLine(num(e.y));
        ImGui::TableNextColumn();
        textLine(num(e.error));
    };

    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("codes", 12, tf)) {
        ImGui::TableSetupColumn("j");
        ImGui::TableSetupColumn("x[j] (edit)");
        ImGui::TableSetupColumn("x·id + 8.5");
        ImGui::TableSetupColumn("q[j]");
        ImGui::TableSetupColumn("x[j+16] (edit)");
        ImGui::TableSetupColumn("x·id + 8.5##hi");
        ImGui::TableSetupColumn("q[j+16]");
        ImGui::TableSetupColumn("qs[j]");
        ImGui::TableSetupColumn("y[j]");
        ImGui::TableSetupColumn("e[j]");
        ImGui::TableSetupColumn("y[j+16]");
        ImGui::TableSetupColumn("e[j+16]");
        ImGui::TableHeadersRow();
        for (int j = 0; j < kQ4_0BlockElements / 2; ++j) {
            const GgmlQ4_0Element& lo = w.el[static_cast<size_t>(j)];
            const GgmlQ4_0Element& hi = w.el[static_cast<size_t>(j + 16)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%d", j);
            ImGui::TableNextColumn();
            xCell(j);
            codeCells(lo);
            ImGui::TableNextColumn();
            xCell(j + 16);
            codeCells(hi);
            ImGui::TableNextColumn();
            const unsigned byte = w.bytes[static_cast<size_t>(2 + j)];
            ImGui::Text("%d | %d<<4 = 0x%s", lo.q, hi.q, hex2(byte).c_str());
            decodeCells(lo);
            decodeCells(hi);
        }
        ImGui::EndTable();
    }
    if (w.halfCount > 0) {
        ImGui::TextColored(kTieColour, "%d element%s exactly halfway; half to even would change %d code%s", w.halfCount,
                           w.halfCount == 1 ? "" : "s", w.halfDiffers, w.halfDiffers == 1 ? "" : "s");
        helpMarker(glossary::kRoundHalfEven);
    }
    if (w.cappedCount > 0) {
        if (w.halfCount > 0) ImGui::SameLine();
        ImGui::TextColored(kClampColour, "   %d capped at 15", w.cappedCount);
        helpMarker(kHelpCap);
    }
}

void GgufWalkthrough::drawBytes() {
    const GgmlQ4_0Walk& w = m_walk;
    stepTitle("Step 4. The 18 bytes of block_q4_0");
    helpMarker(glossary::kQ4_0);
    std::string line = "d: ";
    line += hex2(w.bytes[0]) + " " + hex2(w.bytes[1]) + "   qs: ";
    for (int j = 0; j < 16; ++j) line += hex2(w.bytes[static_cast<size_t>(2 + j)]) + (j == 15 ? "" : " ");
    ImGui::PushStyleColor(ImGuiCol_Text, walkthrough::kStepColour);
    textLine(line);
    ImGui::PopStyleColor();
    helpMarker(kHelpPack);
    ImGui::TextDisabled("d little-endian (0x%s%s → %s %s), then qs[0..15]; 18 bytes / 32 weights = 4.5 bits per weight",
                        hex2(w.bytes[1]).c_str(), hex2(w.bytes[0]).c_str(), hex2(w.bytes[0]).c_str(), hex2(w.bytes[1]).c_str());
    helpMarker(glossary::kBitsPerWeight);
}

void GgufWalkthrough::drawError() {
    const GgmlQ4_0Walk& w = m_walk;
    stepTitle("Step 5. Decode and the block's error");
    textLine("y = d_f16 · (q − 8) = " + num(w.dF16) + " · (q − 8): 16 levels from −8·d = " + num(-8.0 * w.dF16) +
             " to 7·d = " + num(7.0 * w.dF16) + " in steps of |d| = " + num(std::fabs(w.dF16)));
    helpMarker(glossary::kDequantization);
    textLine("MSE = Σ e² / 32 = " + num(w.sumSqErr) + " / 32 = " + num(w.mse) + ",   max |e| = " + num(w.maxAbsError) +
             "   (at most |d|/2 = " + num(std::fabs(w.dF16) / 2) + " unless capped or f16-rounded)");
    helpMarker(glossary::kMse);
}

// [SECTION] Q4_K ------------------------------------------------------------------------------------------------

void GgufWalkthrough::drawQ4_K(const AppState& state) {
    const float em = ImGui::GetFontSize();
    ImGui::PushTextWrapPos(em * 62.0f);
    ImGui::TextUnformatted(
        "Q4_K, the 4-bit K-quant: a super-block of 256 weights = 8 sub-blocks of 32. Each sub-block gets its own "
        "scale and minimum (y = scale*q - min), stored as 6-bit integers under two f16 numbers d and dmin shared "
        "by the super-block: 2 + 2 + 12 + 128 = 144 bytes, 4.5 bits per weight like Q4_0, but with a minimum and "
        "a fitted scale per 32. Computed as llama.cpp's quantize_row_q4_K_ref; the bytes are the ones quantviz's "
        "GGUF encoder writes.");
    if (m_kValues == exampleValuesK()) {
        ImGui::TextDisabled(
            "Worked example (docs/walkthroughs.md): sub-blocks of growing spread, sub-block 3 all positive (its "
            "minimum is 0) and one outlier, 1.2 in sub-block 6, which sets d.");
    }
    ImGui::PopTextWrapPos();
    if (ImGui::Button("Worked example##k")) resetToExampleK();
    ImGui::SameLine();
    const bool haveTensor = state.currentDocument() && state.selectedTensor();
    if (!haveTensor) ImGui::BeginDisabled();
    if (ImGui::Button("Take super-block b of the selected tensor")) takeFromTensorK(state, static_cast<uint64_t>(m_kBlock));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 7.0f);
    ImGui::InputInt("b##k", &m_kBlock);
    m_kBlock = std::max(0, m_kBlock);
    if (!haveTensor) ImGui::EndDisabled();
    helpMarker("Take super-block b of the selected tensor: its elements 256*b .. 256*b+255 in storage order, one "
               "super-block of the converted tensor when a row's length is a multiple of 256.");
    ImGui::TextDisabled("values: %s", m_kSource.c_str());
    helpMarker(glossary::kKQuants);
    if (!m_takeMessage.empty()) ImGui::TextColored(kClampColour, "%s", m_takeMessage.c_str());

    m_kWalk = walkQ4_K(m_kValues);
    if (!m_kWalk.finite) {
        ImGui::TextColored(kClampColour, "The super-block holds NaN or infinity. Take another one.");
        return;
    }
    m_kAsQ4_0Mse = 0;
    for (size_t b = 0; b < 8; ++b)
        m_kAsQ4_0Mse += walkQ4_0(std::span<const float>(m_kWalk.x.data() + 32 * b, 32)).mse / 8.0;
    drawKFits();
    drawKScales();
    drawKCodes();
}

void GgufWalkthrough::drawKFits() {
    const GgmlQ4_KWalk& w = m_kWalk;
    stepTitle("Step 1. Fit a scale and a minimum to each sub-block of 32 (a search)");
    helpMarker(kHelpFit);
    textLine("y ≈ scale · L − min,  L = 0..15;  then 6 bits each:  ls = nearest(63 / " + num(w.maxScale) + " · scale),  lm = nearest(63 / " +
             num(w.maxMin) + " · min)");
    helpMarker(kHelpSixBit);
    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("fits", 10, tf)) {
        ImGui::TableSetupColumn("sub-block");
        ImGui::TableSetupColumn("elements");
        ImGui::TableSetupColumn("x range");
        ImGui::TableSetupColumn("search winner");
        ImGui::TableSetupColumn("scale");
        ImGui::TableSetupColumn("min");
        ImGui::TableSetupColumn("ls (6 bit)");
        ImGui::TableSetupColumn("lm (6 bit)");
        ImGui::TableSetupColumn("y = (d·ls)·q − dmin·lm");
        ImGui::TableSetupColumn("MSE");
        ImGui::TableHeadersRow();
        for (size_t j = 0; j < 8; ++j) {
            const GgmlQ4_KSubBlock& s = w.sub[j];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(static_cast<int>(j));
            if (ImGui::Selectable(std::to_string(j).c_str(), m_kSub == static_cast<int>(j), ImGuiSelectableFlags_SpanAllColumns))
                m_kSub = static_cast<int>(j);
            ImGui::PopID();
            ImGui::TableNextColumn();
            ImGui::Text("%zu..%zu", 32 * j, 32 * j + 31);
            ImGui::TableNextColumn();
            textLine("[" + num(s.xMin) + ", " + num(s.xMax) + "]");
            ImGui::TableNextColumn();
            textLine(s.bestCandidate < 0 ? std::string("min-max grid") : "is = " + std::to_string(s.bestCandidate));
            ImGui::TableNextColumn();
            if (static_cast<int>(j) == w.maxScaleIndex) ImGui::TextColored(walkthrough::kStepColour, "%s (max)", num(s.scale).c_str());
            else textLine(num(s.scale));
            ImGui::TableNextColumn();
            if (static_cast<int>(j) == w.maxMinIndex) ImGui::TextColored(walkthrough::kStepColour, "%s (max)", num(s.min).c_str());
            else textLine(num(s.min));
            ImGui::TableNextColumn();
            textLine(num(w.invScale * s.scale) + " → " + std::to_string(s.ls));
            ImGui::TableNextColumn();
            textLine(num(w.invMin * s.min) + " → " + std::to_string(s.lm));
            ImGui::TableNextColumn();
            textLine(num(s.step) + "·q − " + num(s.offset));
            ImGui::TableNextColumn();
            textLine(num(s.sumSqErr / 32));
        }
        ImGui::EndTable();
    }
}

void GgufWalkthrough::drawKScales() {
    const GgmlQ4_KWalk& w = m_kWalk;
    stepTitle("Step 2. d and dmin (f16), and the 12 bytes of scales and mins");
    helpMarker(kHelpF16);
    auto f16Line = [](const char* name, float v, uint16_t bitsV, float back) {
        std::string line = std::string(name) + " = " + num(v) + " / 63 = " + num(v / 63.0f) + "  → f16 0x" + hex2(bitsV >> 8u) + hex2(bitsV) +
                           " = " + num(back);
        textLine(line);
    };
    f16Line("d = max scale", w.maxScale, w.dBits, w.d);
    f16Line("dmin = max min", w.maxMin, w.dminBits, w.dmin);
    std::string line = "scales[0..3]  = ls[j] | (ls[j+4] >> 4) << 6:    ";
    for (size_t j = 0; j < 4; ++j) line += hex2(w.scales[j]) + " ";
    textLine(line);
    helpMarker(kHelpK4);
    line = "scales[4..7]  = lm[j] | (lm[j+4] >> 4) << 6:    ";
    for (size_t j = 4; j < 8; ++j) line += hex2(w.scales[j]) + " ";
    textLine(line);
    line = "scales[8..11] = (ls[j+4] & 15) | (lm[j+4] & 15) << 4: ";
    for (size_t j = 8; j < 12; ++j) line += hex2(w.scales[j]) + " ";
    textLine(line);
}

void GgufWalkthrough::drawKCodes() {
    const GgmlQ4_KWalk& w = m_kWalk;
    const size_t sb = static_cast<size_t>(std::clamp(m_kSub, 0, 7));
    const GgmlQ4_KSubBlock& s = w.sub[sb];
    stepTitle("Step 3. The codes of one sub-block (click a row above to choose)");
    helpMarker(kHelpKCodes);
    textLine("sub-block " + std::to_string(sb) + ": q = clamp(nearest((x + " + num(s.offset) + ") / " + num(s.step) +
             "), 0, 15),   y = " + num(s.step) + "·q − " + num(s.offset));
    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("kcodes", 17, tf)) {
        ImGui::TableSetupColumn("l");
        for (int g = 0; g < 4; ++g) {
            ImGui::TableSetupColumn(g == 0 ? "x" : g == 1 ? "x##1" : g == 2 ? "x##2" : "x##3");
            ImGui::TableSetupColumn(g == 0 ? "q" : g == 1 ? "q##1" : g == 2 ? "q##2" : "q##3");
            ImGui::TableSetupColumn(g == 0 ? "y" : g == 1 ? "y##1" : g == 2 ? "y##2" : "y##3");
            ImGui::TableSetupColumn(g == 0 ? "e" : g == 1 ? "e##1" : g == 2 ? "e##2" : "e##3");
        }
        ImGui::TableHeadersRow();
        for (size_t r = 0; r < 8; ++r) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%zu+", r);
            for (size_t g = 0; g < 4; ++g) {
                const size_t l = r + 8 * g;
                ImGui::TableNextColumn();
                textLine(num(w.x[32 * sb + l]));
                ImGui::TableNextColumn();
                ImGui::Text("%d", s.q[l]);
                ImGui::TableNextColumn();
                textLine(num(s.y[l]));
                ImGui::TableNextColumn();
                textLine(num(s.error[l]));
            }
        }
        ImGui::EndTable();
    }
    ImGui::TextDisabled("row r, column group g: element l = r + 8·g of the sub-block");

    stepTitle("Step 4. The 144 bytes of block_q4_K, and the error");
    std::string line = "d: " + hex2(w.bytes[0]) + " " + hex2(w.bytes[1]) + "   dmin: " + hex2(w.bytes[2]) + " " + hex2(w.bytes[3]) + "   scales: ";
    for (size_t i = 4; i < 16; ++i) line += hex2(w.bytes[i]) + " ";
    ImGui::PushStyleColor(ImGuiCol_Text, walkthrough::kStepColour);
    textLine(line);
    const size_t k = sb / 2;
    line = "qs[" + std::to_string(32 * k) + ".." + std::to_string(32 * k + 31) + "] (sub-block " + std::to_string(sb) +
           (sb % 2 == 0 ? " in the low nibbles): " : " in the high nibbles): ");
    for (size_t i = 0; i < 32; ++i) line += hex2(w.bytes[16 + 32 * k + i]) + (i == 15 ? "  " : " ");
    textLine(line);
    ImGui::PopStyleColor();
    helpMarker(kHelpKCodes);
    textLine("MSE = Σ e² / 256 = " + num(w.sumSqErr) + " / 256 = " + num(w.mse) + ",   max |e| = " + num(w.maxAbsError) +
             ";   the same 256 values as 8 Q4_0 blocks: MSE " + num(m_kAsQ4_0Mse));
    helpMarker(glossary::kMse);
}

}  // namespace qv
