// GgufWalkthrough: Learn ▸ "Walkthrough: one llama.cpp block" — how GGUF's Q4_0 turns 32 floats into 18
// bytes: the value of largest |x|, d = m/−8 and its f16 bits, id = 1/d, every code q = min(15, trunc(x·id +
// 8.5)) (round half up, compared with half to even), the nibble packing, the bytes in hex, the decoded values
// and the block's error. Numbers from core/tensor/walkthrough_ggml.h (the same bytes as encodeGgmlBlocks).
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
        return "How llama.cpp's Q4_0 turns 32 floats into 18 bytes: scale, f16, codes, nibbles, bytes, error";
    }
    void draw(AppState& state) override;

    // The worked example (docs/walkthroughs.md): small weights with one outlier 4.0 at element 8, so
    // m = 4, d = −0.5 (exact in f16, bits 0xB800), id = −2 and every x·id is exact; 0.75, −0.25 and −1.25
    // land on x·id + 8.5 = integer, where truncation rounds half up and half to even would differ.
    static std::vector<float> exampleValues();

    // Controls (the widgets and tests).
    void resetToExample();
    void setValues(std::vector<float> values);  // 32 values (padded with 0 / cut)
    // Replaces the values by block `block` (elements 32·block … 32·block + 31) of the selected tensor.
    // False (and a message in the window) without one or when the tensor is too short.
    bool takeFromTensor(const AppState& state, uint64_t block);

    // What the last draw() showed (tests).
    const GgmlQ4_0Walk& shown() const { return m_walk; }
    const std::vector<float>& values() const { return m_values; }
    const std::string& source() const { return m_source; }
    bool showsExampleNote() const { return m_exampleNote; }
    int drawnFrames() const { return m_drawnFrames; }
    // Screen rectangle of the "Take block" button in the last frame (tests click it).
    struct Rect {
        float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    };
    const Rect& takeButtonRect() const { return m_takeRect; }

private:
    void drawControls(const AppState& state);
    void drawScale();
    void drawCodes();
    void drawBytes();
    void drawError();

    std::vector<float> m_values;
    int m_block = 0;
    std::string m_source;
    std::string m_takeMessage;
    GgmlQ4_0Walk m_walk;
    bool m_exampleNote = false;
    int m_drawnFrames = 0;
    Rect m_takeRect;
};

}  // namespace qv
