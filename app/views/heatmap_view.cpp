// Heatmap view-model: block min/max grid and per-row/column ranges in one pass.
#include "app/views/heatmap_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/quant/quantizer.h"

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

// [SECTION] texture heatmap data

namespace qv {

MatrixLayout matrixLayout(const std::vector<int64_t>& shape, NdMode mode, const std::vector<int64_t>& leading) {
    MatrixLayout m;
    if (shape.size() <= 2 || mode == NdMode::Reshape) {
        heatmapShape(shape, m.rows, m.cols);
        return m;
    }
    const size_t n = shape.size();
    m.rows = shape[n - 2];
    m.cols = shape[n - 1];
    // Row-major flat offset of (leading..., 0, 0).
    uint64_t offset = 0;
    for (size_t d = 0; d + 2 < n; ++d) {
        int64_t i = d < leading.size() ? leading[d] : 0;
        i = std::clamp<int64_t>(i, 0, std::max<int64_t>(0, shape[d] - 1));
        offset = offset * uint64_t(std::max<int64_t>(shape[d], 1)) + uint64_t(i);
    }
    m.offset = offset * uint64_t(m.rows) * uint64_t(m.cols);
    return m;
}

namespace {

class HeatmapAccumulator {
public:
    HeatmapAccumulator(const MatrixLayout& layout, const std::optional<HeatmapQuant>& quant) : m_quant(quant) {
        m_data = std::make_shared<HeatmapData>();
        m_data->layout = layout;
        m_data->hasError = quant.has_value();
        m_data->rowMin.assign(size_t(layout.rows), kInf);
        m_data->rowMax.assign(size_t(layout.rows), -kInf);
        m_data->colMin.assign(size_t(layout.cols), kInf);
        m_data->colMax.assign(size_t(layout.cols), -kInf);
        if (quant)
            for (const auto& sp : quant->params.slices) m_quantizers.emplace_back(quant->scheme, sp);
    }
    // Fills errors/clipped for one row of values and accumulates ranges and the top-k.
    void row(int64_t r, const float* v, float* err, uint8_t* clipped) {
        const auto& L = m_data->layout;
        float rmin = kInf, rmax = -kInf;
        const uint64_t base = L.offset + uint64_t(r) * uint64_t(L.cols);
        for (int64_t c = 0; c < L.cols; ++c) {
            float x = v[c];
            if (!std::isfinite(x)) continue;
            float e = 0;
            if (!m_quantizers.empty()) {
                uint64_t s = m_quant->slices.sliceOf(base + uint64_t(c));
                const AffineQuantizer& q = m_quantizers[std::min<size_t>(size_t(s), m_quantizers.size() - 1)];
                bool cl = false;
                e = q.dequantize(q.quantize(x, cl)) - x;
                err[c] = e;
                clipped[c] = cl ? 1 : 0;
                m_data->sumSqError += double(e) * double(e);
            }
            rmin = std::min(rmin, x);
            rmax = std::max(rmax, x);
            m_data->colMin[size_t(c)] = std::min(m_data->colMin[size_t(c)], x);
            m_data->colMax[size_t(c)] = std::max(m_data->colMax[size_t(c)], x);
            float a = std::fabs(x);
            if (m_heap.size() < HeatmapData::kTopK || a > std::fabs(m_heap.front().value)) {
                m_heap.push_back(HeatmapEntry{base + uint64_t(c), r, c, x, e});
                std::push_heap(m_heap.begin(), m_heap.end(), smaller);
                if (m_heap.size() > HeatmapData::kTopK) {
                    std::pop_heap(m_heap.begin(), m_heap.end(), smaller);
                    m_heap.pop_back();
                }
            }
        }
        m_data->rowMin[size_t(r)] = rmin;
        m_data->rowMax[size_t(r)] = rmax;
    }
    MinMaxPyramid& pyramid() { return m_data->pyramid; }
    std::shared_ptr<const HeatmapData> finish() {
        auto fix = [](std::vector<float>& lo, std::vector<float>& hi) {
            for (size_t i = 0; i < lo.size(); ++i)
                if (!(lo[i] <= hi[i])) lo[i] = hi[i] = 0;
        };
        fix(m_data->rowMin, m_data->rowMax);
        fix(m_data->colMin, m_data->colMax);
        std::sort(m_heap.begin(), m_heap.end(), [](const HeatmapEntry& a, const HeatmapEntry& b) {
            float x = std::fabs(a.value), y = std::fabs(b.value);
            return x != y ? x > y : a.index < b.index;
        });
        m_data->top = std::move(m_heap);
        return m_data;
    }

private:
    // Min-heap on |x| (ties: the later index is "smaller", so the earliest index of equal |x| stays).
    static bool smaller(const HeatmapEntry& a, const HeatmapEntry& b) {
        float x = std::fabs(a.value), y = std::fabs(b.value);
        return x != y ? x > y : a.index < b.index;
    }
    std::shared_ptr<HeatmapData> m_data;
    const std::optional<HeatmapQuant>& m_quant;
    std::vector<AffineQuantizer> m_quantizers;
    std::vector<HeatmapEntry> m_heap;
};

}  // namespace

Result<std::shared_ptr<const HeatmapData>> buildHeatmapData(const TensorView& view, const MatrixLayout& layout,
                                                            const std::optional<HeatmapQuant>& quant,
                                                            Progress* progress) {
    HeatmapAccumulator acc(layout, quant);
    if (progress) progress->setTotal(double(layout.rows));
    std::string error;
    bool ok = buildMinMaxPyramid(layout.rows, layout.cols, [&](int64_t r, float* v, float* e, uint8_t* cl) {
        if (progress && progress->cancelled()) {
            error = "cancelled";
            return false;
        }
        if (!view.read(layout.offset + uint64_t(r) * uint64_t(layout.cols), size_t(layout.cols), v)) {
            error = view.info().name + ": cannot decode row " + std::to_string(r);
            return false;
        }
        acc.row(r, v, e, cl);
        if (progress) progress->add(1);
        return true;
    }, acc.pyramid());
    if (!ok) return makeError(error);
    return acc.finish();
}

std::shared_ptr<const HeatmapData> buildHeatmapData(const float* values, const MatrixLayout& layout,
                                                    const std::optional<HeatmapQuant>& quant) {
    HeatmapAccumulator acc(layout, quant);
    buildMinMaxPyramid(layout.rows, layout.cols, [&](int64_t r, float* v, float* e, uint8_t* cl) {
        std::copy(values + r * layout.cols, values + (r + 1) * layout.cols, v);
        acc.row(r, v, e, cl);
        return true;
    }, acc.pyramid());
    return acc.finish();
}

std::vector<int64_t> outlierChannels(const std::vector<float>& lo, const std::vector<float>& hi, double factor) {
    if (lo.empty()) return {};
    std::vector<double> range(lo.size());
    for (size_t i = 0; i < lo.size(); ++i) range[i] = double(hi[i]) - double(lo[i]);
    std::vector<double> sorted = range;
    std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
    const double median = sorted[sorted.size() / 2];
    std::vector<int64_t> out;
    if (!(median > 0)) return out;
    for (size_t i = 0; i < range.size(); ++i)
        if (range[i] > factor * median) out.push_back(int64_t(i));
    return out;
}

}  // namespace qv
