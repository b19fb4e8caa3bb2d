// Heatmap view-model: min/max pyramid, per-row/column ranges and top-k in one pass on all cores.
#include "app/views/heatmap_view.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <future>
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

// Rows are read, quantized and reduced to ranges/top-k in bands of about kBandElements (parallelFor
// over the band's rows); the pyramid takes the bands' rows in order. With two or more threads the two
// stages overlap: while the pyramid consumes band k on the job's thread, band k + 1 is prepared on the
// other cores (the pyramid's min/max feed is about half of the work, so splitting only the preparation
// would leave one core idle half the time). Everything a worker adds to is its own (columns, top-k) or
// its row's (row ranges, Σe² per row), and bands are prepared one at a time, so the result does not
// depend on the thread count.
class HeatmapBuilder {
public:
    static constexpr size_t kBandElements = size_t(1) << 19;

    using RowReader = std::function<bool(int64_t row, float* values, std::string* error)>;

    HeatmapBuilder(const MatrixLayout& layout, const std::optional<HeatmapQuant>& quant, RowReader read,
                   Progress* progress, int threads)
        : m_quant(quant), m_read(std::move(read)), m_progress(progress) {
        m_data = std::make_shared<HeatmapData>();
        m_data->layout = layout;
        m_data->hasError = quant.has_value();
        m_data->rowMin.assign(size_t(layout.rows), kInf);
        m_data->rowMax.assign(size_t(layout.rows), -kInf);
        m_rowSqError.assign(size_t(layout.rows), 0.0);
        if (quant)
            for (const auto& sp : quant->params.slices) m_quantizers.emplace_back(quant->scheme, sp);
        const size_t cols = size_t(std::max<int64_t>(1, layout.cols));
        m_bandRows = int64_t(std::max<size_t>(1, kBandElements / cols));
        m_rowChunk = std::max<size_t>(1, 16384 / cols);
        const int all = threads > 0 ? threads : hardwareThreads();
        m_pipelined = all >= 2;
        m_prepThreads = m_pipelined ? all - 1 : 1;  // one core feeds the pyramid meanwhile
        m_workers.resize(size_t(std::max(1, parallelWorkers(size_t(m_bandRows), m_rowChunk, all))));
        for (auto& w : m_workers) {
            w.colMin.assign(size_t(layout.cols), kInf);
            w.colMax.assign(size_t(layout.cols), -kInf);
        }
    }

    bool build() {
        const auto& L = m_data->layout;
        if (m_progress) m_progress->setTotal(double(L.rows));
        bool ok = buildMinMaxPyramid(L.rows, L.cols, [this](int64_t r, float* v, float* e, uint8_t* cl) {
            if (r < m_cur.begin || r >= m_cur.begin + m_cur.count)
                if (!nextBand(r)) return false;
            const size_t cols = size_t(m_data->layout.cols);
            const size_t at = size_t(r - m_cur.begin) * cols;
            std::copy_n(m_cur.values.data() + at, cols, v);
            std::copy_n(m_cur.errors.data() + at, cols, e);
            std::copy_n(m_cur.clipped.data() + at, cols, cl);
            return true;
        }, m_data->pyramid);
        if (m_ahead.valid()) m_ahead.wait();  // an aborted build may leave a band in flight
        return ok;
    }

    const std::string& error() const { return m_error; }

    std::shared_ptr<const HeatmapData> finish() {
        auto fix = [](std::vector<float>& lo, std::vector<float>& hi) {
            for (size_t i = 0; i < lo.size(); ++i)
                if (!(lo[i] <= hi[i])) lo[i] = hi[i] = 0;
        };
        const auto& L = m_data->layout;
        m_data->colMin.assign(size_t(L.cols), kInf);
        m_data->colMax.assign(size_t(L.cols), -kInf);
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
    };

    struct Band {
        int64_t begin = 0, count = 0;
        std::vector<float> values, errors;
        std::vector<uint8_t> clipped;
    };

    // The band starting at row r becomes m_cur: prepared now (first band, or one thread), or taken from
    // the band prepared ahead; then the band after it is started on the other cores.
    bool nextBand(int64_t r) {
        const auto& L = m_data->layout;
        // m_aheadBegin, not m_next.begin: the band in flight writes m_next (the pyramid's rows are asked
        // for in order, so the band ahead is always the one wanted next).
        if (m_ahead.valid() && m_aheadBegin == r) {
            if (!m_ahead.get()) return false;
            std::swap(m_cur, m_next);
        } else if (m_ahead.valid()) {
            m_ahead.wait();  // never two bands at once: they share the workers' accumulators
            if (!fillBand(r, m_cur, m_prepThreads + (m_pipelined ? 1 : 0))) return false;
        } else if (!fillBand(r, m_cur, m_prepThreads + (m_pipelined ? 1 : 0))) {  // nothing to overlap yet
            return false;
        }
        const int64_t after = m_cur.begin + m_cur.count;
        if (m_pipelined && after < L.rows) {
            m_aheadBegin = after;
            m_ahead = std::async(std::launch::async, [this, after] { return fillBand(after, m_next, m_prepThreads); });
        }
        return true;
    }

    // Reads and reduces rows [r, r + bandRows) into `band` (parallelFor over its rows).
    bool fillBand(int64_t r, Band& band, int threads) {
        const auto& L = m_data->layout;
        const size_t cols = size_t(L.cols);
        band.begin = r;
        band.count = std::min<int64_t>(m_bandRows, L.rows - r);
        const size_t n = size_t(band.count) * cols;
        band.values.resize(n);
        band.errors.assign(n, 0.0f);
        band.clipped.assign(n, uint8_t(0));
        std::atomic<bool> failed{false};
        std::mutex errorMutex;
        parallelFor(size_t(band.count), m_rowChunk, threads, [&](size_t begin, size_t end, int w) {
            if (failed.load(std::memory_order_relaxed)) return;
            if (m_progress && m_progress->cancelled()) {
                failed = true;
                std::lock_guard lock(errorMutex);
                if (m_error.empty()) m_error = "cancelled";
                return;
            }
            for (size_t i = begin; i < end; ++i) {
                const int64_t row = band.begin + int64_t(i);
                std::string err;
                if (!m_read(row, band.values.data() + i * cols, &err)) {
                    failed = true;
                    std::lock_guard lock(errorMutex);
                    if (m_error.empty()) m_error = err;
                    return;
                }
                reduceRow(row, band.values.data() + i * cols, band.errors.data() + i * cols, band.clipped.data() + i * cols,
                          m_workers[size_t(w)]);
            }
            if (m_progress) m_progress->add(double(end - begin));
        });
        return !failed.load();
    }

    // Fills errors/clipped for one row of values and accumulates its range, the columns' and the top-k.
    // Three loops rather than one: the ranges loop is branch-free (non-finite values become ±inf
    // sentinels, which min/max pass over), so it vectorizes; and the top-k loop runs only for rows whose
    // largest |x| can enter the heap, which after the first rows is almost none. (One fused loop with
    // the heap test per element cost 4.3 ns per element, the bulk of the heatmap job.)
    void reduceRow(int64_t r, const float* v, float* err, uint8_t* clipped, Worker& w) {
        const auto& L = m_data->layout;
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
    }

    std::shared_ptr<HeatmapData> m_data;
    const std::optional<HeatmapQuant>& m_quant;
    RowReader m_read;
    Progress* m_progress;
    std::vector<Quantizer> m_quantizers;
    std::vector<Worker> m_workers;
    std::vector<double> m_rowSqError;
    int64_t m_bandRows = 1;
    size_t m_rowChunk = 1;
    bool m_pipelined = false;
    int m_prepThreads = 1;
    int64_t m_aheadBegin = -1;  // first row of the band in flight (main thread only)
    Band m_cur{0, 0, {}, {}, {}}, m_next{-1, 0, {}, {}, {}};
    std::string m_error;
    std::future<bool> m_ahead;  // last: a band in flight finishes before the buffers go
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
