// GgufWalkthrough: Learn ▸ "Walkthrough: one llama.cpp block" — how GGUF's Q4_0 turns 32 floats into 18
// bytes: the value of largest |x|, d = m/−8 and its f16 bits, id = 1/d, every code q = min(15, trunc(x·id +
// 8.5)) (round half up, compared with half to even), the nibble packing, the bytes in hex, the decoded values
// and the block's error; and, on a second tab, how Q4_K turns 256 into 144 bytes: the 8 sub-block fits, the
// 6-bit scales and mins against f16 d and dmin, their 12-byte packing, codes, bytes and error. Numbers from
// core/tensor/walkthrough_ggml.h (the same bytes as encodeGgmlBlocks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/panels/learn_window.h"
#include "core/tensor/walkthrough_ggml.h"

namespace qv {

class GgufWalkthrough : public LearnWindow {
public:
    GgufWalkthrough();
    const char* id() const override { return "gguf"; }
    const char* title() const override { return "Walkthrough: one llama.cpp block"; }
    const char* summary() const override {
        return "How llama.cpp's Q4_0 (32 floats -> 18 bytes) and Q4_K (256 -> 144) are made: scales, f16, codes, "
               "nibbles, bytes, error";
    }
    void draw(AppState& state) override;

    // The worked example (docs/walkthroughs.md): small weights with one outlier 4.0 at element 8, so
    // m = 4, d = −0.5 (exact in f16, bits 0xB800), id = −2 and every x·id is exact; 0.75, −0.25 and −1.25
    // land on x·id + 8.5 = integer, where truncation rounds half up and half to even would differ.
    static std::vector<float> exampleValues();
    // Q4_K's example: 256 small values on a 1/128 grid whose spread grows by sub-block, sub-block 3 all
    // positive (its fitted minimum is 0) and one outlier, 1.2 at element 199 (sub-block 6).
    static std::vector<float> exampleValuesK();

    enum class Tab { Q4_0, Q4_K };
    void selectTab(Tab t) {
        m_tab = t;
        m_tabRequest = true;
    }
    Tab tab() const { return m_tab; }

    // Controls (the widgets and tests).
    void resetToExample();
    void setValues(std::vector<float> values);  // 32 values (padded with 0 / cut)
    // Replaces the values by block `block` (elements 32·block … 32·block + 31) of the selected tensor.
    // False (and a message in the window) without one or when the tensor is too short.
    bool takeFromTensor(const AppState& state, uint64_t block);
    // Q4_K: the 256 values and super-block `block` (elements 256·block …) of the selected tensor.
    void resetToExampleK();
    void setValuesK(std::vector<float> values);
    bool takeFromTensorK(const AppState& state, uint64_t block);
    void setSubBlock(int s) { m_kSub = s < 0 ? 0 : s > 7 ? 7 : s; }

    // What the last draw() showed (tests).
    const GgmlQ4_0Walk& shown() const { return m_walk; }
    const GgmlQ4_KWalk& shownK() const { return m_kWalk; }
    const std::vector<float>& valuesK() const { return m_kValues; }
    const std::string& sourceK() const { return m_kSource; }
    const std::vector<float>& values() const { return m_values; }
    const std::string& source() const { return m_source; }
    bool showsExampleNote() const { return m_exampleNote; }
    int drawnFrames() const { return m_drawnFrames; }
    // Screen rectangle of the "Take block" button in the last frame (tests click it).
    const ScreenRect& takeButtonRect() const { return m_takeRect; }

private:
    void drawControls(const AppState& state);
    void drawScale();
    void drawCodes();
    void drawBytes();
    void drawError();
    void drawQ4_0(const AppState& state);
    void drawQ4_K(const AppState& state);
    void drawKFits();
    void drawKScales();
    void drawKCodes();
    bool takeValues(const AppState& state, uint64_t first, uint64_t count, const char* unit, uint64_t index,
                    std::vector<float>& out, std::string& source);

    std::vector<float> m_values;
    int m_block = 0;
    std::string m_source;
    std::string m_takeMessage;
    GgmlQ4_0Walk m_walk;
    bool m_exampleNote = false;
    int m_drawnFrames = 0;
    ScreenRect m_takeRect;
    Tab m_tab = Tab::Q4_0;
    bool m_tabRequest = false;
    std::vector<float> m_kValues;
    int m_kBlock = 0, m_kSub = 6;
    std::string m_kSource;
    GgmlQ4_KWalk m_kWalk;
    double m_kAsQ4_0Mse = 0;  // the same 256 values as 8 Q4_0 blocks
};

}  // namespace qv
