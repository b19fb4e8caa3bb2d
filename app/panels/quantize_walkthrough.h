// QuantizeWalkthrough: Learn ▸ "Walkthrough: quantize a vector" — a few values quantized step by step
// (range, scale and zero point, x/s, round half to even, + z, clamp, dequantize, error, MSE/SQNR), each
// step as its formula, the numbers substituted and the result. The numbers come from
// core/quant/walkthrough_quantize.h, i.e. from the same paramsFromRange and Quantizer as the rest of the app.
#pragma once

#include <string>
#include <vector>

#include "app/panels/learn_window.h"
#include "core/quant/walkthrough_quantize.h"

namespace qv {

class QuantizeWalkthrough : public LearnWindow {
public:
    QuantizeWalkthrough();
    const char* id() const override { return "quantize"; }
    const char* title() const override { return "Walkthrough: quantize a vector"; }
    const char* summary() const override { return "Quantize a few values step by step: range, scale, zero point, round, clamp, dequantize, error"; }
    void draw(AppState& state) override;

    // The worked example (docs/walkthroughs.md): int4 asymmetric, clip range typed as [−1, 2.75], so
    // s = 0.25 and z = 4; −0.375 and 0.625 are ties, 3.5 saturates, 0 maps to z exactly.
    static std::vector<float> exampleValues();
    static constexpr int kExampleBits = 4;
    static constexpr WalkGrid kExampleGrid = WalkGrid::Asymmetric;
    static constexpr float kExampleClipLo = -1.0f, kExampleClipHi = 2.75f;
    static constexpr int kMaxValues = 16;

    // Controls (the widgets and tests).
    void resetToExample();
    void setValues(std::vector<float> values);
    void setBits(int bits) { m_bits = bits; }
    void setGrid(WalkGrid grid) { m_grid = grid; }
    void setClipTyped(float lo, float hi) {
        m_clipTyped = true;
        m_clipLo = lo;
        m_clipHi = hi;
    }
    void setClipMinMax() { m_clipTyped = false; }
    // Replaces the values by 8 evenly spaced elements of the selected tensor (elements i·n/8) and
    // switches the clip range to their min-max. False (and a message in the window) without one.
    bool takeFromTensor(const AppState& state);

    // What the last draw() showed (tests).
    const QuantizeWalk& shown() const { return m_walk; }
    const std::vector<float>& values() const { return m_values; }
    const std::string& source() const { return m_source; }
    bool showsExampleNote() const { return m_exampleNote; }
    int drawnFrames() const { return m_drawnFrames; }
    // Screen rectangle of the "Take 8 values" button in the last frame (tests click it).
    const ScreenRect& takeButtonRect() const { return m_takeRect; }

private:
    QuantizeWalk compute() const;
    void drawControls(const AppState& state);
    void drawRangeAndParams();
    void drawSteps();
    void drawTotals();
    void drawNumberLine();
    bool isExample() const;

    std::vector<float> m_values;
    int m_bits = kExampleBits;
    WalkGrid m_grid = kExampleGrid;
    bool m_clipTyped = true;
    float m_clipLo = kExampleClipLo, m_clipHi = kExampleClipHi;
    std::string m_source;        // where the values came from
    std::string m_takeMessage;   // why "take 8 values" did nothing
    QuantizeWalk m_walk;
    bool m_exampleNote = false;
    int m_drawnFrames = 0;
    ScreenRect m_takeRect;
};

}  // namespace qv
