// Heatmap view-model: min/max pyramid, per-row/column ranges and top-k in one pass on all cores.
#include "app/views/heatmap_view.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>

#include "core/base/parallel.h"
#include "core/quant/quantizer.h"

namespace qv {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

}  // namespace

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

// [SECTION] texture heatmap data

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

// Min-heap on |x| (ties: the later index is "smaller", so the earliest index of equal |x| stays): the
// order is total, so the union of per-worker top-k lists holds the global top-k.
bool smaller(const HeatmapEntry& a, const HeatmapEntry& b) {
    float x = std::fabs(a.value), y = std::fabs(b.value);
    return x != y ? x > y : a.index < b.index;
}

// Rows are read, quantized, reduced to ranges/top-k and fed to the pyramid by parallelFor's workers, in
// chunks of whole pyramid cell rows (so no two workers write the same cell). Everything a worker adds to
// is its own (columns, top-k, extremes), its row's (row ranges, Σe² per row) or its cell row's, and all
// of it is min/max, a union or a sum taken in row order, so the result does not depend on the thread
// count. (Before, the pyramid took the rows one by one on the job's thread while the next band was
// prepared on the other cores; that sequential feed was half the work and 2 threads gained 12 %.)
class HeatmapBuilder {
public:
    using RowReader = std::function<bool(int64_t row, float* values, std::string* error)>;

    HeatmapBuilder(const MatrixLayout& layout, const std::optional<HeatmapQuant>& quant, RowReader read,
                   Progress* progress, int threads)
        : m_quant(quant), m_read(std::move(read)), m_progress(progress), m_pyramid(layout.rows, layout.cols) {
        m_data = std::make_shared<HeatmapData>();
        m_data->layout = layout;
        m_data->hasError = quant.has_value();
        m_data->rowMin.assign(size_t(std::max<int64_t>(0, layout.rows)), kInf);
        m_data->rowMax.assign(size_t(std::max<int64_t>(0, layout.rows)), -kInf);
        m_rowSqError.assign(size_t(std::max<int64_t>(0, layout.rows)), 0.0);
        if (quant)
            for (const auto& sp : quant->params.slices) m_quantizers.emplace_back(quant->scheme, sp);
        const size_t cols = size_t(std::max<int64_t>(1, layout.cols));
        // About 16K elements per chunk, rounded up to whole cell rows of the pyramid.
        const size_t cellRows = size_t(m_pyramid.rowsPerCell());
        m_rowChunk = std::max<size_t>(1, 16384 / cols);
        m_rowChunk = (m_rowChunk + cellRows - 1) / cellRows * cellRows;
        m_threads = threads > 0 ? threads : hardwareThreads();
        m_workers.resize(size_t(parallelWorkers(size_t(std::max<int64_t>(0, layout.rows)), m_rowChunk, m_threads)));
        for (auto& w : m_workers) {
            w.colMin.assign(size_t(std::max<int64_t>(0, layout.cols)), kInf);
            w.colMax.assign(size_t(std::max<int64_t>(0, layout.cols)), -kInf);
        }
    }

    bool build() {
        const auto& L = m_data->layout;
        if (m_progress) m_progress->setTotal(double(L.rows));
        if (L.rows <= 0 || L.cols <= 0) {
            m_data->pyramid = m_pyramid.finish({});
            return true;
        }
        const size_t cols = size_t(L.cols);
        std::atomic<bool> failed{false};
        std::mutex errorMutex;
        auto fail = [&](std::string why) {
            failed = true;
            std::lock_guard lock(errorMutex);
            if (m_error.empty()) m_error = std::move(why);
        };
        parallelFor(size_t(L.rows), m_rowChunk, m_threads, [&](size_t begin, size_t end, int wi) {
            if (failed.load(std::memory_order_relaxed)) return;
            if (m_progress && m_progress->cancelled()) return fail("cancelled");
            Worker& w = m_workers[size_t(wi)];
            w.values.resize(cols);
            if (!m_quantizers.empty()) {
                w.errors.resize(cols);
                w.clipped.resize(cols);
            }
            for (size_t i = begin; i < end; ++i) {
                const int64_t row = int64_t(i);
                std::string err;
                if (!m_read(row, w.values.data(), &err)) return fail(err);
                reduceRow(row, w);
            }
            if (m_progress) m_progress->add(double(end - begin));
        });
        if (failed.load()) return false;
        PyramidExtremes ext;
        for (const auto& w : m_workers) ext.merge(w.extremes);
        m_data->pyramid = m_pyramid.finish(ext);
        return true;
    }

    const std::string& error() const { return m_error; }

    std::shared_ptr<const HeatmapData> finish() {
        auto fix = [](std::vector<float>& lo, std::vector<float>& hi) {
            for (size_t i = 0; i < lo.size(); ++i)
                if (!(lo[i] <= hi[i])) lo[i] = hi[i] = 0;
        };
        const auto& L = m_data->layout;
        m_data->colMin.assign(size_t(std::max<int64_t>(0, L.cols)), kInf);
        m_data->colMax.assign(size_t(std::max<int64_t>(0, L.cols)), -kInf);
        std::vector<HeatmapEntry> all;
        for (auto& w : m_workers) {
            for (size_t c = 0; c < w.colMin.size(); ++c) {
                m_data->colMin[c] = std::min(m_data->colMin[c], w.colMin[c]);
                m_data->colMax[c] = std::max(m_data->colMax[c], w.colMax[c]);
            }
            all.insert(all.end(), w.heap.begin(), w.heap.end());
        }
        fix(m_data->rowMin, m_data->rowMax);
        fix(m_data->colMin, m_data->colMax);
        std::sort(all.begin(), all.end(), smaller);
        if (all.size() > HeatmapData::kTopK) all.resize(HeatmapData::kTopK);
        m_data->top = std::move(all);
        m_data->sumSqError = 0;
        for (double s : m_rowSqError) m_data->sumSqError += s;  // in row order: independent of threads
        return m_data;
    }

private:
    struct Worker {
        std::vector<float> colMin, colMax;
        std::vector<HeatmapEntry> heap;
        std::vector<float> values, errors;  // the row being reduced
        std::vector<uint8_t> clipped;
        PyramidExtremes extremes;
    };

    // Fills errors/clipped for one row of values and accumulates its range, the columns' and the top-k.
    // Three loops rather than one: the ranges loop is branch-free (non-finite values become ±inf
    // sentinels, which min/max pass over), so it vectorizes; and the top-k loop runs only for rows whose
    // largest |x| can enter the heap, which after the first rows is almost none. (One fused loop with
    // the heap test per element cost 4.3 ns per element, the bulk of the heatmap job.)
    void reduceRow(int64_t r, Worker& w) {
        const auto& L = m_data->layout;
        const float* v = w.values.data();
        float* err = w.errors.data();
        uint8_t* clipped = w.clipped.data();
        const size_t cols = size_t(L.cols);
        const uint64_t base = L.offset + uint64_t(r) * uint64_t(L.cols);
        double sq = 0;
        if (!m_quantizers.empty()) {
            // Runs of columns that share a slice (the whole row per tensor, or per output channel of a
            // weight matrix), each through the quantizer's vectorized errorRun.
            for (size_t c = 0; c < cols;) {
                const uint64_t flat = base + uint64_t(c);
                const size_t end = size_t(std::min<uint64_t>(cols, m_quant->slices.runEnd(flat) - base));
                const uint64_t s = m_quant->slices.sliceOf(flat);
                m_quantizers[std::min<size_t>(size_t(s), m_quantizers.size() - 1)].errorRun(v + c, end - c, err + c,
                                                                                         clipped + c);
                c = std::max(end, c + 1);
            }
            // Four partial sums in a fixed pattern (the same for every thread count); non-finite
            // values have e = 0.
            double part[4] = {0, 0, 0, 0};
            size_t c = 0;
            for (; c + 4 <= cols; c += 4)
                for (size_t k = 0; k < 4; ++k) part[k] += double(err[c + k]) * double(err[c + k]);
            for (; c < cols; ++c) part[0] += double(err[c]) * double(err[c]);
            sq = (part[0] + part[1]) + (part[2] + part[3]);
        }
        float rmin = kInf, rmax = -kInf, amax = 0;
        float* cmin = w.colMin.data();
        float* cmax = w.colMax.data();
        for (size_t c = 0; c < cols; ++c) {
            const float x = v[c];
            const bool finite = std::fabs(x) <= std::numeric_limits<float>::max();  // false for NaN and ±inf
            const float lo = finite ? x : kInf, hi = finite ? x : -kInf;
            rmin = lo < rmin ? lo : rmin;
            rmax = hi > rmax ? hi : rmax;
            cmin[c] = lo < cmin[c] ? lo : cmin[c];
            cmax[c] = hi > cmax[c] ? hi : cmax[c];
            const float a = finite ? std::fabs(x) : 0.0f;
            amax = a > amax ? a : amax;
        }
        if (w.heap.size() < HeatmapData::kTopK || amax > std::fabs(w.heap.front().value)) {
            for (size_t c = 0; c < cols; ++c) {
                const float x = v[c];
                if (!std::isfinite(x)) continue;
                const float a = std::fabs(x);
                if (w.heap.size() < HeatmapData::kTopK || a > std::fabs(w.heap.front().value)) {
                    w.heap.push_back(HeatmapEntry{base + uint64_t(c), r, int64_t(c), x, m_quantizers.empty() ? 0.0f : err[c]});
                    std::push_heap(w.heap.begin(), w.heap.end(), smaller);
                    if (w.heap.size() > HeatmapData::kTopK) {
                        std::pop_heap(w.heap.begin(), w.heap.end(), smaller);
                        w.heap.pop_back();
                    }
                }
            }
        }
        m_data->rowMin[size_t(r)] = rmin;
        m_data->rowMax[size_t(r)] = rmax;
        m_rowSqError[size_t(r)] = sq;
        m_pyramid.addRow(r, v, m_quantizers.empty() ? nullptr : err, m_quantizers.empty() ? nullptr : clipped,
                         w.extremes);
    }

    std::shared_ptr<HeatmapData> m_data;
    const std::optional<HeatmapQuant>& m_quant;
    RowReader m_read;
    Progress* m_progress;
    PyramidBuilder m_pyramid;
    std::vector<Quantizer> m_quantizers;
    std::vector<Worker> m_workers;
    std::vector<double> m_rowSqError;
    size_t m_rowChunk = 1;
    int m_threads = 1;
    std::string m_error;
};

}  // namespace

Result<std::shared_ptr<const HeatmapData>> buildHeatmapData(const TensorView& view, const MatrixLayout& layout,
                                                            const std::optional<HeatmapQuant>& quant,
                                                            Progress* progress, int threads) {
    // Rows are copied into the band buffers as they are read, so their pages can go at once (very
    // large tensors only: TensorView::releasesPages).
    const auto cols = uint64_t(std::max<int64_t>(layout.cols, 1));
    PageReleaser release = view.pageReleaser(uint64_t(std::max<int64_t>(layout.rows, 0)) * cols, cols, layout.offset);
    HeatmapBuilder b(layout, quant, [&](int64_t r, float* v, std::string* error) {
        if (view.read(layout.offset + uint64_t(r) * cols, size_t(layout.cols), v)) {
            release.chunkDone(uint64_t(r) * cols);
            return true;
        }
        *error = view.info().name + ": cannot decode row " + std::to_string(r);
        return false;
    }, progress, threads);
    if (!b.build()) return makeError(b.error());
    return b.finish();
}

std::shared_ptr<const HeatmapData> buildHeatmapData(const float* values, const MatrixLayout& layout,
                                                    const std::optional<HeatmapQuant>& quant, int threads) {
    HeatmapBuilder b(layout, quant, [&](int64_t r, float* v, std::string*) {
        std::copy(values + r * layout.cols, values + (r + 1) * layout.cols, v);
        return true;
    }, nullptr, threads);
    b.build();
    return b.finish();
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
