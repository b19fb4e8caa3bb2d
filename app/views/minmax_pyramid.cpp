// MinMaxPyramid: streamed build of the finest stored level, then 2×2 min/max reductions to 1×1.
#include "app/views/minmax_pyramid.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qv {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

int64_t ceilShift(int64_t n, int k) { return (n + (int64_t(1) << k) - 1) >> k; }

void allocate(PyramidLevel& l, int64_t rows, int64_t cols) {
    l.rows = rows;
    l.cols = cols;
    size_t n = size_t(rows * cols);
    l.vmin.assign(n, kInf);
    l.vmax.assign(n, -kInf);
    l.emin.assign(n, kInf);
    l.emax.assign(n, -kInf);
    l.clipped.assign(n, 0);
    l.empty.assign(n, 0);
}

// Next level: each cell takes the extremes of the (up to) 2×2 cells beneath it.
PyramidLevel reduce(const PyramidLevel& f) {
    PyramidLevel c;
    allocate(c, (f.rows + 1) / 2, (f.cols + 1) / 2);
    for (int64_t r = 0; r < f.rows; ++r)
        for (int64_t j = 0; j < f.cols; ++j) {
            size_t s = f.index(r, j), d = c.index(r / 2, j / 2);
            c.vmin[d] = std::min(c.vmin[d], f.vmin[s]);
            c.vmax[d] = std::max(c.vmax[d], f.vmax[s]);
            c.emin[d] = std::min(c.emin[d], f.emin[s]);
            c.emax[d] = std::max(c.emax[d], f.emax[s]);
            c.clipped[d] |= f.clipped[s];
        }
    return c;
}

// ±inf sentinels of cells without a finite value become 0 and the cell is marked empty.
void finalize(PyramidLevel& l) {
    for (size_t i = 0; i < l.vmin.size(); ++i) {
        if (!(l.vmin[i] <= l.vmax[i])) {
            l.vmin[i] = l.vmax[i] = 0;
            l.empty[i] = 1;
        }
        if (!(l.emin[i] <= l.emax[i])) l.emin[i] = l.emax[i] = 0;
    }
}

}  // namespace

int MinMaxPyramid::levelFor(double elementsPerPixel) const {
    int k = 0;
    while (k < 62 && double(int64_t(1) << (k + 1)) <= elementsPerPixel) ++k;
    return std::clamp(k, firstLevel, std::max(firstLevel, topLevel()));
}

bool buildMinMaxPyramid(int64_t rows, int64_t cols, const PyramidRowSource& source, MinMaxPyramid& out,
                        int64_t maxStoredCells) {
    out = MinMaxPyramid{};
    out.rows = rows;
    out.cols = cols;
    if (rows <= 0 || cols <= 0) return true;
    int k0 = 0;
    while (ceilShift(rows, k0) * ceilShift(cols, k0) > std::max<int64_t>(1, maxStoredCells)) ++k0;
    out.firstLevel = k0;
    PyramidLevel first;
    allocate(first, ceilShift(rows, k0), ceilShift(cols, k0));
    std::vector<float> values(static_cast<size_t>(cols)), errors(static_cast<size_t>(cols));
    std::vector<uint8_t> clipped(static_cast<size_t>(cols));
    float absMax = 0, errAbsMax = 0;
    for (int64_t r = 0; r < rows; ++r) {
        std::fill(errors.begin(), errors.end(), 0.0f);
        std::fill(clipped.begin(), clipped.end(), uint8_t(0));
        if (!source(r, values.data(), errors.data(), clipped.data())) return false;
        const int64_t cr = r >> k0;
        for (int64_t c = 0; c < cols; ++c) {
            float x = values[size_t(c)];
            if (!std::isfinite(x)) continue;
            float e = errors[size_t(c)];
            size_t d = first.index(cr, c >> k0);
            first.vmin[d] = std::min(first.vmin[d], x);
            first.vmax[d] = std::max(first.vmax[d], x);
            first.emin[d] = std::min(first.emin[d], e);
            first.emax[d] = std::max(first.emax[d], e);
            first.clipped[d] |= clipped[size_t(c)] ? 1 : 0;
            absMax = std::max(absMax, std::fabs(x));
            if (std::isfinite(e)) errAbsMax = std::max(errAbsMax, std::fabs(e));
        }
    }
    out.absMax = absMax;
    out.errAbsMax = errAbsMax;
    out.levels.push_back(std::move(first));
    while (out.levels.back().rows > 1 || out.levels.back().cols > 1) out.levels.push_back(reduce(out.levels.back()));
    for (auto& l : out.levels) finalize(l);
    return true;
}

MinMaxPyramid buildMinMaxPyramid(const float* values, int64_t rows, int64_t cols, const float* errors,
                                 const uint8_t* clipped, int64_t maxStoredCells) {
    MinMaxPyramid p;
    buildMinMaxPyramid(
        rows, cols,
        [&](int64_t r, float* v, float* e, uint8_t* cl) {
            std::copy(values + r * cols, values + (r + 1) * cols, v);
            if (errors) std::copy(errors + r * cols, errors + (r + 1) * cols, e);
            if (clipped) std::copy(clipped + r * cols, clipped + (r + 1) * cols, cl);
            return true;
        },
        p, maxStoredCells);
    return p;
}

}  // namespace qv
