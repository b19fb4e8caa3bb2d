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

PyramidBuilder::PyramidBuilder(int64_t rows, int64_t cols, int64_t maxStoredCells) {
    m_out.rows = rows;
    m_out.cols = cols;
    if (rows <= 0 || cols <= 0) return;
    int k0 = 0;
    while (ceilShift(rows, k0) * ceilShift(cols, k0) > std::max<int64_t>(1, maxStoredCells)) ++k0;
    m_out.firstLevel = k0;
    allocate(m_first, ceilShift(rows, k0), ceilShift(cols, k0));
}

void PyramidBuilder::addRow(int64_t r, const float* values, const float* errors, const uint8_t* clipped,
                            PyramidExtremes& ext) {
    const int64_t cols = m_out.cols;
    if (r < 0 || r >= m_out.rows || cols <= 0) return;
    const size_t at = m_first.index(r >> m_out.firstLevel, 0);
    float* vmin = m_first.vmin.data() + at;
    float* vmax = m_first.vmax.data() + at;
    float* emin = m_first.emin.data() + at;
    float* emax = m_first.emax.data() + at;
    uint8_t* cl = m_first.clipped.data() + at;
    constexpr float kMax = std::numeric_limits<float>::max();
    float absMax = ext.absMax, errAbsMax = ext.errAbsMax;
    // Branch-free: a non-finite x becomes the ±inf sentinel that min/max pass over (the test
    // |x| <= max is false for NaN and ±inf), so the loops run without a jump per element. A NaN error
    // (not produced for a finite x) is passed over too: `e < lo ? e : lo` keeps lo.
    const int64_t width = int64_t(1) << m_out.firstLevel;
    for (int64_t c0 = 0, j = 0; c0 < cols; c0 += width, ++j) {
        const int64_t c1 = std::min(cols, c0 + width);
        float lo = kInf, hi = -kInf, elo = kInf, ehi = -kInf;
        uint8_t clip = 0;
        for (int64_t c = c0; c < c1; ++c) {
            const float x = values[c];
            const bool finite = std::fabs(x) <= kMax;
            const float xl = finite ? x : kInf, xh = finite ? x : -kInf;
            lo = xl < lo ? xl : lo;
            hi = xh > hi ? xh : hi;
            const float ax = finite ? std::fabs(x) : 0.0f;
            absMax = ax > absMax ? ax : absMax;
            if (errors) {
                const float e = errors[c];
                const float el = finite ? e : kInf, eh = finite ? e : -kInf;
                elo = el < elo ? el : elo;
                ehi = eh > ehi ? eh : ehi;
                const float ae = finite && std::fabs(e) <= kMax ? std::fabs(e) : 0.0f;
                errAbsMax = ae > errAbsMax ? ae : errAbsMax;
            } else {
                // No quantizer: the error is 0 wherever there is a finite value.
                elo = finite && 0.0f < elo ? 0.0f : elo;
                ehi = finite && 0.0f > ehi ? 0.0f : ehi;
            }
            if (clipped) clip |= uint8_t(finite && clipped[c]);
        }
        vmin[j] = lo < vmin[j] ? lo : vmin[j];
        vmax[j] = hi > vmax[j] ? hi : vmax[j];
        emin[j] = elo < emin[j] ? elo : emin[j];
        emax[j] = ehi > emax[j] ? ehi : emax[j];
        cl[j] |= clip;
    }
    ext.absMax = absMax;
    ext.errAbsMax = errAbsMax;
}

MinMaxPyramid PyramidBuilder::finish(const PyramidExtremes& ext) {
    MinMaxPyramid out = std::move(m_out);
    m_out = MinMaxPyramid{};
    if (out.rows <= 0 || out.cols <= 0) return out;
    out.absMax = ext.absMax;
    out.errAbsMax = ext.errAbsMax;
    out.levels.push_back(std::move(m_first));
    while (out.levels.back().rows > 1 || out.levels.back().cols > 1) out.levels.push_back(reduce(out.levels.back()));
    for (auto& l : out.levels) finalize(l);
    return out;
}

bool buildMinMaxPyramid(int64_t rows, int64_t cols, const PyramidRowSource& source, MinMaxPyramid& out,
                        int64_t maxStoredCells) {
    PyramidBuilder builder(rows, cols, maxStoredCells);
    PyramidExtremes ext;
    if (rows > 0 && cols > 0) {
        std::vector<float> values(static_cast<size_t>(cols)), errors(static_cast<size_t>(cols));
        std::vector<uint8_t> clipped(static_cast<size_t>(cols));
        for (int64_t r = 0; r < rows; ++r) {
            std::fill(errors.begin(), errors.end(), 0.0f);
            std::fill(clipped.begin(), clipped.end(), uint8_t(0));
            if (!source(r, values.data(), errors.data(), clipped.data())) {
                out = MinMaxPyramid{};
                out.rows = rows;
                out.cols = cols;
                return false;
            }
            builder.addRow(r, values.data(), errors.data(), clipped.data(), ext);
        }
    }
    out = builder.finish(ext);
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
