// Heatmap colours and the texels of a pyramid window.
#include "app/views/heatmap_colormap.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qv {

namespace {

struct Rgb { float r, g, b; };

uint32_t mix(Rgb a, Rgb b, float u) {
    auto ch = [u](float x, float y) { return uint32_t(std::lround(x + (y - x) * u)); };
    return packRgba(ch(a.r, b.r), ch(a.g, b.g), ch(a.b, b.b));
}

// The larger-magnitude of two extremes, with its sign.
float extreme(float lo, float hi) { return std::fabs(lo) > std::fabs(hi) ? lo : hi; }

float signedSqrt(float x, float scale) {
    if (!(scale > 0)) return 0;
    float t = std::clamp(x / scale, -1.0f, 1.0f);
    return std::copysign(std::sqrt(std::fabs(t)), t);
}

}  // namespace

uint32_t divergingColor(float t) {
    if (t != t) t = 0;
    t = std::clamp(t, -1.0f, 1.0f);
    const Rgb neg{40, 120, 255}, mid{28, 28, 36}, pos{255, 90, 40};
    return t < 0 ? mix(mid, neg, -t) : mix(mid, pos, t);
}

uint32_t sequentialColor(float t) {
    if (t != t) t = 0;
    t = std::clamp(t, 0.0f, 1.0f);
    const Rgb stops[4] = {{18, 18, 40}, {90, 40, 150}, {220, 80, 60}, {250, 235, 90}};
    float f = t * 3.0f;
    int i = std::min(2, int(f));
    return mix(stops[i], stops[i + 1], f - float(i));
}

uint32_t extremesColor(const CellExtremes& x, HeatmapMode mode, float absMax, float errAbsMax) {
    if (x.empty) return kEmptyColor;
    switch (mode) {
        case HeatmapMode::Value: return divergingColor(signedSqrt(extreme(x.vmin, x.vmax), absMax));
        case HeatmapMode::AbsValue:
            return sequentialColor(signedSqrt(std::max(std::fabs(x.vmin), std::fabs(x.vmax)), absMax));
        case HeatmapMode::Error: return divergingColor(signedSqrt(extreme(x.emin, x.emax), errAbsMax));
        case HeatmapMode::Clipped: {
            if (x.clipped) return kClippedColor;
            float a = signedSqrt(std::max(std::fabs(x.vmin), std::fabs(x.vmax)), absMax);
            uint32_t g = uint32_t(std::lround(35 + 50 * a));
            return packRgba(g, g, uint32_t(std::lround(45 + 55 * a)));
        }
    }
    return kEmptyColor;
}

uint32_t cellColor(const PyramidLevel& l, size_t i, HeatmapMode mode, float absMax, float errAbsMax) {
    CellExtremes x{l.vmin[i], l.vmax[i], l.emin[i], l.emax[i], l.clipped[i] != 0, l.empty[i] != 0};
    return extremesColor(x, mode, absMax, errAbsMax);
}

void renderLevelWindow(const PyramidLevel& l, int64_t r0, int64_t c0, int64_t h, int64_t w, HeatmapMode mode,
                       float absMax, float errAbsMax, std::vector<uint32_t>& out) {
    r0 = std::clamp<int64_t>(r0, 0, l.rows);
    c0 = std::clamp<int64_t>(c0, 0, l.cols);
    h = std::clamp<int64_t>(h, 0, l.rows - r0);
    w = std::clamp<int64_t>(w, 0, l.cols - c0);
    out.resize(size_t(h * w));
    for (int64_t r = 0; r < h; ++r)
        for (int64_t c = 0; c < w; ++c)
            out[size_t(r * w + c)] = cellColor(l, l.index(r0 + r, c0 + c), mode, absMax, errAbsMax);
}

namespace {
// Cell spans [first, last) of level k touched by each pixel along one axis.
void spans(double start, double perPixel, int pixels, int k, int64_t cells, std::vector<int64_t>& first,
           std::vector<int64_t>& last) {
    first.resize(size_t(pixels));
    last.resize(size_t(pixels));
    const int64_t elements = cells << k;
    for (int p = 0; p < pixels; ++p) {
        int64_t a = int64_t(std::floor(start + double(p) * perPixel));
        int64_t b = std::max(a + 1, int64_t(std::ceil(start + double(p + 1) * perPixel)));
        a = std::clamp<int64_t>(a, 0, elements);
        b = std::clamp<int64_t>(b, 0, elements);
        first[size_t(p)] = std::min(a >> k, cells);
        last[size_t(p)] = std::min((b + (int64_t(1) << k) - 1) >> k, cells);
    }
}
}  // namespace

void renderResampled(const PyramidLevel& l, int k, double r0, double c0, double sy, double sx, int h, int w,
                     HeatmapMode mode, float absMax, float errAbsMax, std::vector<uint32_t>& out) {
    h = std::max(h, 0);
    w = std::max(w, 0);
    out.assign(size_t(h) * size_t(w), kEmptyColor);
    std::vector<int64_t> rf, rl, cf, cl;
    spans(r0, sy, h, k, l.rows, rf, rl);
    spans(c0, sx, w, k, l.cols, cf, cl);
    for (int py = 0; py < h; ++py)
        for (int px = 0; px < w; ++px) {
            CellExtremes x;
            x.vmin = x.emin = std::numeric_limits<float>::infinity();
            x.vmax = x.emax = -std::numeric_limits<float>::infinity();
            for (int64_t r = rf[size_t(py)]; r < rl[size_t(py)]; ++r)
                for (int64_t c = cf[size_t(px)]; c < cl[size_t(px)]; ++c) {
                    size_t i = l.index(r, c);
                    if (l.empty[i]) continue;
                    x.empty = false;
                    x.vmin = std::min(x.vmin, l.vmin[i]);
                    x.vmax = std::max(x.vmax, l.vmax[i]);
                    x.emin = std::min(x.emin, l.emin[i]);
                    x.emax = std::max(x.emax, l.emax[i]);
                    x.clipped = x.clipped || l.clipped[i];
                }
            out[size_t(py) * size_t(w) + size_t(px)] = extremesColor(x, mode, absMax, errAbsMax);
        }
}

}  // namespace qv
