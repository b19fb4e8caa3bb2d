// MacWalkthrough: Learn ▸ "Walkthrough: one int8 MAC" — one output element y = Σ_k a_k·w_k of an int8
// dot product, step by step: quantize a (uint8, zero point za) and w (int8), the integer products, the
// int32 accumulator and its zero-point corrections, the float result against fp32, and requantization to
// an 8-bit output by the three rounding paths side by side. Numbers from core/gemm/walkthrough_mac.h
// (traceGemmElement, requantize.h).
#pragma once

#include <vector>

#include "app/panels/learn_window.h"
#include "core/gemm/walkthrough_mac.h"

namespace qv {

class MacWalkthrough : public LearnWindow {
public:
    MacWalkthrough();
    const char* id() const override { return "mac"; }
    const char* title() const override { return "Walkthrough: one int8 MAC"; }
    const char* summary() const override { return "One int8 dot product step by step: zero points, int32 accumulation, requantization"; }
    void draw(AppState& state) override;

    // The worked example (docs/walkthroughs.md): K = 4, scales that are powers of two (s_a = 1/64,
    // s_w = 1/128, s_y = 1/64) so every step is exact on paper, and acc·M = 4928/128 = 38.5 exactly: a
    // tie, where float rounding (half to even) gives 38 and both fixed-point paths 39.
    static MacWalkInput example();
    static constexpr int kMaxK = 16;

    // Controls (the widgets and tests).
    void resetToExample() { m_in = example(); }
    void setInput(const MacWalkInput& in) { m_in = in; }
    const MacWalkInput& input() const { return m_in; }
    // Negates every weight: acc changes sign, and a positive tie becomes a negative one, where the
    // rounding paths disagree differently.
    void negateWeights();

    // What the last draw() showed (tests).
    const MacWalk& shown() const { return m_walk; }
    int drawnFrames() const { return m_drawnFrames; }
    // Screen rectangle of the "Negate w" button in the last frame (tests click it).
    const ScreenRect& negateButtonRect() const { return m_negateRect; }

private:
    void drawControls();
    void drawOperands();
    void drawAccumulator();
    void drawRequantization();

    MacWalkInput m_in;
    MacWalk m_walk;
    int m_drawnFrames = 0;
    ScreenRect m_negateRect;
};

}  // namespace qv
