// NumberExplorer: a teaching window — one real value x stored in fp32, fp16, bf16, FP8 E4M3FN/E5M2, FP4
// E2M1, an N-bit integer and fixed point Qm.n, each row drawing the bits as coloured boxes (sign /
// exponent / mantissa) with the stored value, the error and the value as a formula. Reads only
// core/quant/number_bits.h.
#pragma once

#include <array>
#include <string>

#include "core/quant/number_bits.h"

namespace qv {

class NumberExplorer {
public:
    // Opens the window (brought to the front) showing x.
    void show(double x);
    bool isOpen() const { return m_open; }
    bool& openFlag() { return m_open; }  // for View ▸ Number explorer
    double value() const { return m_x; }
    // The window, when open. Call outside any other window (after the main window's End()).
    void draw();

    // What the last draw() showed (tests): the rows of every float format, the int and Qm.n rows.
    const FloatBits& shownFloat(FloatFormat f) const { return m_float[static_cast<size_t>(f)]; }
    const IntBits& shownInt() const { return m_int; }
    const FixedBits& shownFixed() const { return m_fixed; }
    int drawnFrames() const { return m_drawnFrames; }
    // Screen rectangle of each row's bit boxes in the last frame (rows: the float formats in FloatFormat
    // order, then int, then Qm.n), and the tooltip a hovered box showed ("" when none).
    struct Rect {
        float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    };
    static constexpr int kRows = kFloatFormatCount + 2;
    const Rect& bitsRect(int row) const { return m_bitsRects[static_cast<size_t>(row)]; }
    const std::string& hoveredTip() const { return m_hoveredTip; }

    // Row controls (tests and the sliders).
    void setInt(int bits, bool isSigned) {
        m_intBits = bits;
        m_intSigned = isSigned;
    }
    void setFixed(int intBits, int fracBits) {
        m_qm = intBits;
        m_qn = fracBits;
    }

private:
    void drawHeader();
    void drawFloatRow(FloatFormat f);
    void drawIntRow();
    void drawFixedRow();

    bool m_open = false;
    bool m_focus = false;      // one-shot: place and focus the window on the next draw
    double m_x = 25.125;       // the seeds' example: 11001.001b
    int m_intBits = 8;
    bool m_intSigned = true;
    int m_qm = 8, m_qn = 8;
    std::array<FloatBits, kFloatFormatCount> m_float{};
    IntBits m_int;
    FixedBits m_fixed;
    int m_drawnFrames = 0;
    std::array<Rect, kRows> m_bitsRects{};
    std::string m_hoveredTip;
    int m_fitFrames = 0;       // frames left to size the window to its content (after show())
    float m_fitHeight = 0;     // the content's height measured in the last frame
};

}  // namespace qv
