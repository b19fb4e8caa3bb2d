// Heatmap colours and the texels of a pyramid window.
#include "app/views/heatmap_colormap.h"

#include <algorithm>
#include <cmath>

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

uint32_t cellColor(const PyramidLevel& l, size_t i, HeatmapMode mode, float absMax, float errAbsMax) {
    if (l.empty[i]) return kEmptyColor;
    switch (mode) {
        case HeatmapMode::Value: return divergingColor(signedSqrt(extreme(l.vmin[i], l.vmax[i]), absMax));
        case HeatmapMode::AbsValue:
            return sequentialColor(signedSqrt(std::max(std::fabs(l.vmin[i]), std::fabs(l.vmax[i])), absMax));
        case HeatmapMode::Error: return divergingColor(signedSqrt(extreme(l.emin[i], l.emax[i]), errAbsMax));
        case HeatmapMode::Clipped: {
            if (l.clipped[i]) return kClippedColor;
            float a = signedSqrt(std::max(std::fabs(l.vmin[i]), std::fabs(l.vmax[i])), absMax);
            uint32_t g = uint32_t(std::lround(35 + 50 * a));
            return packRgba(g, g, uint32_t(std::lround(45 + 55 * a)));
        }
    }
    return kEmptyColor;
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

}  // namespace qv
