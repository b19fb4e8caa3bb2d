// Per-pixel-column min/max envelopes: how series with more points than pixels are drawn without
// losing an outlier (never decimate by stride — the Tracy habit).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/quant/quantizer.h"

namespace qv {

// Column c covers x in [xLo + c·w, xLo + (c+1)·w), w = (xHi − xLo)/pixels. A column with no point
// has has[c] = 0; otherwise lo[c]/hi[c] are the min/max of the points' y in it.
struct Envelope {
    double xLo = 0, xHi = 0;
    std::vector<double> lo, hi;
    std::vector<uint8_t> has;
    int pixels() const { return int(lo.size()); }
};

// Points (xs[i], ys[i]) in any order; points outside [xLo, xHi] are culled (xHi is included in the last column).
Envelope envelopeOf(std::span<const double> xs, std::span<const double> ys, double xLo, double xHi, int pixels);

// Evenly spaced series y[i] at x = x0 + i·dx (code usage: x = code) — O(visible points).
Envelope envelopeOfSeries(std::span<const double> ys, double x0, double dx, double xLo, double xHi, int pixels);

// The quantization error e(x) = x̂(x) − x over each column, worked out analytically: e is
// piecewise linear with slope −1 and jumps of +s at every decision boundary, so its extremes in a
// column are at the column's ends or at a jump (where it reaches −s/2 from the left and +s/2 from
// the right). Exact at any zoom, O(pixels).
Envelope errorEnvelope(const Quantizer& q, float scale, double xLo, double xHi, int pixels);

}  // namespace qv
