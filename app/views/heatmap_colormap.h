// Heatmap colours: a diverging map (value, error), a sequential map (|value|), and the RGBA texels of a
// window of one MinMaxPyramid level in a chosen mode. Pure (no ImGui/GL), so the mapping is unit-tested.
#pragma once

#include <cstdint>
#include <vector>

#include "app/views/minmax_pyramid.h"

namespace qv {

enum class HeatmapMode { Value = 0, AbsValue = 1, Error = 2, Clipped = 3 };

// Packed as ImGui's IM_COL32 (R in the low byte), i.e. RGBA bytes in memory: uploadable as GL_RGBA8.
constexpr uint32_t packRgba(uint32_t r, uint32_t g, uint32_t b, uint32_t a = 255) {
    return r | (g << 8) | (b << 16) | (a << 24);
}

// t in [−1, 1] (clamped): blue at −1, dark grey at 0, orange-red at +1, linear in between.
uint32_t divergingColor(float t);
// t in [0, 1] (clamped): dark blue-violet at 0 → violet → red → yellow at 1, piecewise linear.
uint32_t sequentialColor(float t);

inline constexpr uint32_t kClippedColor = packRgba(240, 60, 60);
inline constexpr uint32_t kEmptyColor = packRgba(0, 0, 0);

// Colour of cell i of `level`. Value/error: the extreme of larger magnitude (so a cell holding −9 and
// +1 shows −9), normalized by absMax / errAbsMax, then sqrt of the magnitude so small weights remain
// visible beside outliers. |value|: max |x| of the cell. Clipped: red if any element saturated, else
// a dim grey that follows |value|.
uint32_t cellColor(const PyramidLevel& level, size_t i, HeatmapMode mode, float absMax, float errAbsMax);

// Extremes of a group of cells (one screen pixel's worth).
struct CellExtremes {
    float vmin = 0, vmax = 0, emin = 0, emax = 0;
    bool clipped = false, empty = true;
};
uint32_t extremesColor(const CellExtremes& x, HeatmapMode mode, float absMax, float errAbsMax);

// Texels for cells [r0, r0+h) × [c0, c0+w) of `level` (clamped to the level), row-major, into `out`.
void renderLevelWindow(const PyramidLevel& level, int64_t r0, int64_t c0, int64_t h, int64_t w, HeatmapMode mode,
                       float absMax, float errAbsMax, std::vector<uint32_t>& out);

// Texels at screen resolution: pixel (py, px) of a w × h picture covers matrix rows
// [r0 + py·sy, r0 + (py+1)·sy) and columns [c0 + px·sx, …) (sy, sx: elements per pixel); its colour is
// that of the extremes of every cell of `level` (cells of 2^k elements on a side) the span touches. No
// texel is then ever skipped by the GPU's nearest sampling, so a single outlier always shows.
void renderResampled(const PyramidLevel& level, int k, double r0, double c0, double sy, double sx, int h, int w,
                     HeatmapMode mode, float absMax, float errAbsMax, std::vector<uint32_t>& out);

}  // namespace qv
