// Heatmap view-model: block min/max grid and per-row/column ranges in one pass.
#include "app/views/heatmap_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qv {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

void prepare(HeatmapGrid& g, int64_t rows, int64_t cols) {
    g.rows = rows;
    g.cols = cols;
    g.rowsPerCell = std::max<int64_t>(1, (rows + HeatmapGrid::kMaxCells - 1) / HeatmapGrid::kMaxCells);
    g.colsPerCell = std::max<int64_t>(1, (cols + HeatmapGrid::kMaxCells - 1) / HeatmapGrid::kMaxCells);
    g.cellRows = rows == 0 ? 0 : (rows + g.rowsPerCell - 1) / g.rowsPerCell;
    g.cellCols = cols == 0 ? 0 : (cols + g.colsPerCell - 1) / g.colsPerCell;
    g.cellMin.assign(size_t(g.cellRows * g.cellCols), kInf);
    g.cellMax.assign(size_t(g.cellRows * g.cellCols), -kInf);
    g.rowMin.assign(size_t(rows), kInf);
    g.rowMax.assign(size_t(rows), -kInf);
    g.colMin.assign(size_t(cols), kInf);
    g.colMax.assign(size_t(cols), -kInf);
}

void addRow(HeatmapGrid& g, int64_t r, const float* v) {
    const int64_t cr = r / g.rowsPerCell;
    float* cmin = g.cellMin.data() + cr * g.cellCols;
    float* cmax = g.cellMax.data() + cr * g.cellCols;
    float rmin = kInf, rmax = -kInf;
    for (int64_t c = 0; c < g.cols; ++c) {
        float x = v[c];
        if (!std::isfinite(x)) continue;
        int64_t cc = c / g.colsPerCell;
        cmin[cc] = std::min(cmin[cc], x);
        cmax[cc] = std::max(cmax[cc], x);
        rmin = std::min(rmin, x);
        rmax = std::max(rmax, x);
        g.colMin[size_t(c)] = std::min(g.colMin[size_t(c)], x);
        g.colMax[size_t(c)] = std::max(g.colMax[size_t(c)], x);
    }
    g.rowMin[size_t(r)] = rmin;
    g.rowMax[size_t(r)] = rmax;
}

void finish(HeatmapGrid& g) {
    auto fix = [](std::vector<float>& lo, std::vector<float>& hi) {
        for (size_t i = 0; i < lo.size(); ++i)
            if (!(lo[i] <= hi[i])) lo[i] = hi[i] = 0;  // no finite value
    };
    fix(g.cellMin, g.cellMax);
    fix(g.rowMin, g.rowMax);
    fix(g.colMin, g.colMax);
    g.absMax = 0;
    for (size_t i = 0; i < g.rowMin.size(); ++i)
        g.absMax = std::max({g.absMax, std::fabs(g.rowMin[i]), std::fabs(g.rowMax[i])});
}

std::vector<int64_t> outliers(const std::vector<float>& lo, const std::vector<float>& hi, double factor) {
    std::vector<double> amax(lo.size());
    for (size_t i = 0; i < lo.size(); ++i) amax[i] = std::max(std::fabs(lo[i]), std::fabs(hi[i]));
    if (amax.empty()) return {};
    std::vector<double> sorted = amax;
    std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
    double median = sorted[sorted.size() / 2];
    std::vector<int64_t> out;
    for (size_t i = 0; i < amax.size(); ++i)
        if (amax[i] > factor * median && median > 0) out.push_back(int64_t(i));
    return out;
}

}  // namespace

std::vector<int64_t> HeatmapGrid::outlierRows(double factor) const { return outliers(rowMin, rowMax, factor); }
std::vector<int64_t> HeatmapGrid::outlierCols(double factor) const { return outliers(colMin, colMax, factor); }

void heatmapShape(const std::vector<int64_t>& shape, int64_t& rows, int64_t& cols) {
    if (shape.empty()) {
        rows = cols = 1;
        return;
    }
    if (shape.size() == 1) {
        rows = 1;
        cols = shape[0];
        return;
    }
    rows = shape[0];
    cols = 1;
    for (size_t i = 1; i < shape.size(); ++i) cols *= shape[i];
}

HeatmapGrid buildHeatmap(const float* values, int64_t rows, int64_t cols) {
    HeatmapGrid g;
    prepare(g, rows, cols);
    for (int64_t r = 0; r < rows; ++r) addRow(g, r, values + r * cols);
    finish(g);
    return g;
}

Result<std::shared_ptr<const HeatmapGrid>> buildHeatmap(const TensorView& view, Progress* progress) {
    int64_t rows, cols;
    heatmapShape(view.info().shape, rows, cols);
    auto g = std::make_shared<HeatmapGrid>();
    prepare(*g, rows, cols);
    if (progress) progress->setTotal(double(rows));
    std::vector<float> buf(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        if (progress && progress->cancelled()) return makeError("cancelled");
        if (!view.read(uint64_t(r * cols), size_t(cols), buf.data()))
            return makeError(view.info().name + ": cannot decode row " + std::to_string(r));
        addRow(*g, r, buf.data());
        if (progress) progress->add(1);
    }
    finish(*g);
    return std::shared_ptr<const HeatmapGrid>(std::move(g));
}

}  // namespace qv
