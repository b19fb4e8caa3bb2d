// Learn ▸ "Walkthrough: one llama.cpp block": one Q4_0 block of 32 floats through llama.cpp's reference
// quantizer to its 18 bytes and back, each step as formula = numbers = result.
//
// Index: [SECTION] text · [SECTION] values · [SECTION] window · [SECTION] steps
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

GgufWalkthrough::GgufWalkthrough() { resetToExample(); }

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

bool GgufWalkthrough::takeFromTensor(const AppState& state, uint64_t block) {
    const Document* doc = state.currentDocument();
    const auto sel = state.selectedTensor();
    if (!doc || !doc->model || !sel || *sel >= doc->model->tensors.size()) {
        m_takeMessage = "Open a file and select a tensor first.";
        return false;
    }
    const TensorView view = doc->model->view(*sel);
    const uint64_t n = view.elements();
    const uint64_t blocks = n / kQ4_0BlockElements;
    if (blocks == 0) {
        m_takeMessage = "The selected tensor has fewer than 32 elements.";
        return false;
    }
    if (block >= blocks) {
        m_takeMessage = "The selected tensor has " + std::to_string(blocks) + " blocks of 32 (0.." +
                        std::to_string(blocks - 1) + ").";
        return false;
    }
    std::vector<float> v(kQ4_0BlockElements);
    if (!view.read(block * kQ4_0BlockElements, kQ4_0BlockElements, v.data())) {
        m_takeMessage = "Could not read block " + std::to_string(block) + " of " + view.info().name + ".";
        return false;
    }
    m_values = std::move(v);
    m_source = view.info().name;
    m_source += ", block " + std::to_string(block) + " (elements " + std::to_string(block * kQ4_0BlockElements) + ".." +
                std::to_string(block * kQ4_0BlockElements + kQ4_0BlockElements - 1) + ")";
    m_takeMessage.clear();
    return true;
}

// [SECTION] window ------------------------------------------------------------------------------------------

void GgufWalkthrough::draw(AppState& state) {
    if (!m_open || !beginAutoSizedWindow()) return;
    ++m_drawnFrames;
    drawControls(state);
    m_walk = walkQ4_0(m_values);
    if (!m_walk.finite) {
        ImGui::TextColored(kClampColour, "The block holds NaN or infinity: llama.cpp's result is undefined for it "
                                         "(its float-to-int8 conversion). Edit the values or take another block.");
    } else {
        drawScale();
        drawCodes();
        drawBytes();
        drawError();
    }
    ImGui::End();
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

}  // namespace qv
