// Per-pixel-column min/max envelopes of point series and of the analytic quantization error.
#include "app/views/envelope.h"

#include <algorithm>
#include <cmath>

namespace qv {

namespace {

Envelope emptyEnvelope(double xLo, double xHi, int pixels) {
    Envelope e;
    e.xLo = xLo;
    e.xHi = xHi;
    size_t n = size_t(std::max(0, pixels));
    e.lo.assign(n, 0.0);
    e.hi.assign(n, 0.0);
    e.has.assign(n, 0);
    return e;
}

void addPoint(Envelope& e, int c, double y) {
    if (!e.has[size_t(c)]) {
        e.lo[size_t(c)] = e.hi[size_t(c)] = y;
        e.has[size_t(c)] = 1;
    } else {
        e.lo[size_t(c)] = std::min(e.lo[size_t(c)], y);
        e.hi[size_t(c)] = std::max(e.hi[size_t(c)], y);
    }
}

int columnOf(double x, double xLo, double xHi, int pixels) {
    if (!(x >= xLo && x <= xHi)) return -1;
    int c = int(std::floor((x - xLo) / (xHi - xLo) * pixels));
    return std::min(c, pixels - 1);
}

}  // namespace

Envelope envelopeOf(std::span<const double> xs, std::span<const double> ys, double xLo, double xHi, int pixels) {
    Envelope e = emptyEnvelope(xLo, xHi, pixels);
    if (pixels <= 0 || !(xHi > xLo)) return e;
    size_t n = std::min(xs.size(), ys.size());
    for (size_t i = 0; i < n; ++i) {
        int c = columnOf(xs[i], xLo, xHi, pixels);
        if (c >= 0 && std::isfinite(ys[i])) addPoint(e, c, ys[i]);
    }
    return e;
}

Envelope envelopeOfSeries(std::span<const double> ys, double x0, double dx, double xLo, double xHi, int pixels) {
    Envelope e = emptyEnvelope(xLo, xHi, pixels);
    if (pixels <= 0 || !(xHi > xLo) || !(dx > 0) || ys.empty()) return e;
    // Only the indices inside the view are visited.
    double iLo = std::ceil((xLo - x0) / dx), iHi = std::floor((xHi - x0) / dx);
    long first = long(std::max(0.0, iLo));
    long last = long(std::min(double(ys.size()) - 1, iHi));
    for (long i = first; i <= last; ++i) {
        int c = columnOf(x0 + double(i) * dx, xLo, xHi, pixels);
        if (c >= 0) addPoint(e, c, ys[size_t(i)]);
    }
    return e;
}

Envelope errorEnvelope(const Quantizer& q, float scale, double xLo, double xHi, int pixels) {
    Envelope e = emptyEnvelope(xLo, xHi, pixels);
    if (pixels <= 0 || !(xHi > xLo)) return e;
    const double w = (xHi - xLo) / pixels;
    const double half = 0.5 * double(scale);
    auto err = [&](double x) { return double(q.fakeQuantize(float(x))) - double(float(x)); };
    for (int c = 0; c < pixels; ++c) {
        double a = xLo + c * w, b = xLo + (c + 1) * w;
        double ea = err(a), eb = err(b);
        addPoint(e, c, ea);
        addPoint(e, c, eb);
        // A code change inside the column means a decision boundary: e jumps from −g/2 to +g/2, g the gap
        // between the two levels — s on a uniform grid; on a level format (FP8, NF4) each boundary's own
        // gap, so the widest one crossed in the column sets the extremes.
        const int32_t qa = q.quantize(float(a)), qb = q.quantize(float(b));
        if (qa != qb) {
            double h = half;
            if (q.levelTable()) {
                h = 0;
                for (int32_t k = std::min(qa, qb); k < std::max(qa, qb); ++k)
                    h = std::max(h, 0.5 * (double(q.dequantize(k + 1)) - double(q.dequantize(k))));
            }
            addPoint(e, c, -h);
            addPoint(e, c, h);
        }
    }
    return e;
}

}  // namespace qv
