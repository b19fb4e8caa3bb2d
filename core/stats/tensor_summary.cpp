// summarize(): the one parallel pass behind every histogram, calibrator and statistic of a tensor.
#include "core/stats/tensor_summary.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>

#include "core/base/parallel.h"
#include "core/stats/summary_kernel.h"

namespace qv {

namespace {

using detail::ChunkStats;
using detail::TopK;

constexpr size_t kChunk = 64 * 1024;  // elements per parallelFor chunk (256 KiB of f32)

// Dense per-worker count arrays (2^20 × 4 B = 4 MiB) are reused between passes: allocating and
// faulting in fresh pages each time would cost as much as the histogram itself. Invariant: a
// buffer in the pool is all zeros.
class CountPool {
public:
    uint32_t* acquire() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_free.empty()) {
                uint32_t* p = m_free.back();
                m_free.pop_back();
                return p;
            }
        }
        return static_cast<uint32_t*>(std::calloc(FineHistogram::kKeys, sizeof(uint32_t)));
    }
    void release(uint32_t* p) {
        if (!p) return;
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_free.size() < kKeep) m_free.push_back(p);
        else std::free(p);
    }

private:
    static constexpr size_t kKeep = 4;
    std::mutex m_mutex;
    std::vector<uint32_t*> m_free;
};

CountPool& countPool() {
    static CountPool pool;
    return pool;
}

// Running (count, mean, M2) of finite values, merged with Chan et al.'s pairwise update so that
// per-chunk sums taken about a pivot combine without cancellation.
struct Moments {
    uint64_t n = 0;
    double mean = 0, m2 = 0;
    void merge(uint64_t nb, double meanB, double m2b) {
        if (nb == 0) return;
        if (n == 0) {
            n = nb;
            mean = meanB;
            m2 = m2b;
            return;
        }
        const double na = static_cast<double>(n), nbd = static_cast<double>(nb);
        const double total = na + nbd;
        const double delta = meanB - mean;
        mean += delta * nbd / total;
        m2 += m2b + delta * delta * na * nbd / total;
        n += nb;
    }
};

struct Worker {
    uint32_t* hist = nullptr;
    uint64_t sinceFlush = 0;          // counts added to hist since it was last folded into wide
    std::vector<uint64_t> wide;       // only for tensors of ≥ 2^32 elements per worker
    Moments moments;
    float mn = std::numeric_limits<float>::infinity();
    float mx = -std::numeric_limits<float>::infinity();
    uint64_t nan = 0, posInf = 0, negInf = 0, zeros = 0;
    TopK top;
    std::vector<float> buffer;        // conversion buffer when the view is not plain f32
};

// Redoes a chunk's moments over finite values only (the chunk holds NaN or Inf).
void carefulChunk(const float* x, size_t n, float pivot, Worker& w, uint64_t& finite, double& s1, double& s2,
                  float& mn, float& mx) {
    finite = 0;
    s1 = s2 = 0;
    mn = std::numeric_limits<float>::infinity();
    mx = -mn;
    for (size_t i = 0; i < n; ++i) {
        const float v = x[i];
        if (std::isnan(v)) { ++w.nan; continue; }
        if (std::isinf(v)) { ++(v > 0 ? w.posInf : w.negInf); continue; }
        ++finite;
        mn = std::min(mn, v);
        mx = std::max(mx, v);
        const double d = static_cast<double>(v) - pivot;
        s1 += d;
        s2 += d * d;
    }
}

// Bins in value order from merged dense counts (non-finite keys dropped).
template <class T>
std::vector<FineHistogram::Bin> binsFromCounts(const T* counts) {
    constexpr uint32_t kSign = FineHistogram::kKeys / 2;
    std::vector<FineHistogram::Bin> bins;
    auto emit = [&](uint32_t key) {
        if (counts[key] == 0 || !FineHistogram::keyIsFinite(key)) return;
        FineHistogram::Bin b{0, 0, static_cast<uint64_t>(counts[key])};
        FineHistogram::keyEdges(key, b.lo, b.hi);
        bins.push_back(b);
    };
    // Skip empty runs 64 keys at a time: real tensors touch a few thousand of the 2^20 keys.
    auto anyIn = [&](uint32_t first) {
        T acc = 0;
        for (uint32_t k = 0; k < 64; ++k) acc |= counts[first + k];
        return acc != 0;
    };
    for (uint32_t g = kSign; g > 0; g -= 64) {  // negative keys, decreasing magnitude
        const uint32_t first = kSign + g - 64;
        if (!anyIn(first)) continue;
        for (uint32_t k = 64; k-- > 0;) emit(first + k);
    }
    for (uint32_t first = 0; first < kSign; first += 64) {
        if (!anyIn(first)) continue;
        for (uint32_t k = 0; k < 64; ++k) emit(first + k);
    }
    return bins;
}

// floor(k·n/S) without overflow for k < S ≤ 2^16.
struct SamplePlan {
    uint64_t n = 0, size = 0, q = 0, r = 0;
    SamplePlan(uint64_t elements, uint64_t maxSize) : n(elements), size(std::min(elements, maxSize)) {
        if (size) {
            q = n / size;
            r = n % size;
        }
    }
    uint64_t pos(uint64_t k) const { return k * q + (k * r) / size; }
    uint64_t firstAtOrAfter(uint64_t begin) const {
        if (size == 0) return 0;
        auto k = static_cast<uint64_t>(static_cast<double>(begin) * static_cast<double>(size) / static_cast<double>(n));
        k = std::min(k, size);
        while (k > 0 && pos(k - 1) >= begin) --k;
        while (k < size && pos(k) < begin) ++k;
        return k;
    }
};

using ChunkSource = std::function<const float*(uint64_t begin, size_t count, Worker& w, bool& ok)>;

Result<std::shared_ptr<const TensorSummary>> summarizeImpl(uint64_t n, size_t chunk, const ChunkSource& source,
                                                           Progress* progress, int threads, const std::string& name) {
    auto summary = std::make_shared<TensorSummary>();
    TensorSummary& s = *summary;
    s.elements = n;
    if (progress) progress->setTotal(static_cast<double>(n));
    if (n == 0) return std::shared_ptr<const TensorSummary>(summary);

    const detail::SummaryKernelFn kernel = detail::selectSummaryKernel();
    const int workers = parallelWorkers(n, chunk, threads);
    std::vector<Worker> ws(static_cast<size_t>(workers));
    for (auto& w : ws) w.hist = countPool().acquire();
    const bool allocated = std::all_of(ws.begin(), ws.end(), [](const Worker& w) { return w.hist != nullptr; });

    const SamplePlan plan(n, TensorSummary::kSampleSize);
    std::vector<float> sampleSlots(plan.size);
    std::vector<uint8_t> sampleValid(plan.size, 0);

    std::atomic<bool> cancelled{false}, failed{false};
    if (allocated) {
        parallelFor(n, chunk, threads, [&](size_t begin, size_t end, int wi) {
            if (cancelled.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed)) return;
            if (progress && progress->cancelled()) {
                cancelled.store(true);
                return;
            }
            Worker& w = ws[static_cast<size_t>(wi)];
            const size_t len = end - begin;
            bool ok = true;
            const float* x = source(begin, len, w, ok);
            if (!ok) {
                failed.store(true);
                return;
            }
            // uint32 counts cannot overflow: fold them into 64-bit ones before 2^32 additions.
            if (w.sinceFlush + len > std::numeric_limits<uint32_t>::max()) {
                if (w.wide.empty()) w.wide.assign(FineHistogram::kKeys, 0);
                for (uint32_t k = 0; k < FineHistogram::kKeys; ++k) {
                    w.wide[k] += w.hist[k];
                    w.hist[k] = 0;
                }
                w.sinceFlush = 0;
            }
            const float pivot = std::isfinite(x[0]) ? x[0] : 0.0f;
            ChunkStats cs;
            kernel(x, len, pivot, w.hist, cs, w.top, begin);
            w.sinceFlush += len;
            w.zeros += cs.zeros;
            uint64_t finite = len;
            double s1 = cs.s1, s2 = cs.s2;
            float mn = cs.mn, mx = cs.mx;
            if (!std::isfinite(s1) || !std::isfinite(s2)) carefulChunk(x, len, pivot, w, finite, s1, s2, mn, mx);
            if (finite > 0) {
                const double fn = static_cast<double>(finite);
                w.moments.merge(finite, pivot + s1 / fn, std::max(0.0, s2 - s1 * s1 / fn));
                w.mn = std::min(w.mn, mn);
                w.mx = std::max(w.mx, mx);
            }
            // The evenly strided sample: slots whose position falls in this chunk.
            for (uint64_t k = plan.firstAtOrAfter(begin); k < plan.size; ++k) {
                const uint64_t pos = plan.pos(k);
                if (pos >= end) break;
                const float v = x[pos - begin];
                if (std::isfinite(v)) {
                    sampleSlots[k] = v;
                    sampleValid[k] = 1;
                }
            }
            if (progress) progress->add(static_cast<double>(len));
        });
    }

    // Fold the per-worker counts into worker 0's array (or 64-bit ones for huge tensors), build
    // the bins, and leave every array zeroed for the pool.
    const bool needWide = n > std::numeric_limits<uint32_t>::max() ||
                          std::any_of(ws.begin(), ws.end(), [](const Worker& w) { return !w.wide.empty(); });
    if (allocated && !cancelled && !failed) {
        if (needWide) {
            std::vector<uint64_t> total(FineHistogram::kKeys, 0);
            for (auto& w : ws) {
                for (uint32_t k = 0; k < FineHistogram::kKeys; ++k) total[k] += w.hist[k];
                if (!w.wide.empty())
                    for (uint32_t k = 0; k < FineHistogram::kKeys; ++k) total[k] += w.wide[k];
            }
            s.histogram = FineHistogram::fromBins(binsFromCounts(total.data()));
        } else {
            uint32_t* dst = ws[0].hist;
            for (size_t i = 1; i < ws.size(); ++i) {
                uint32_t* src = ws[i].hist;
                for (uint32_t k = 0; k < FineHistogram::kKeys; ++k) dst[k] += src[k];
            }
            s.histogram = FineHistogram::fromBins(binsFromCounts(dst));
        }
    }
    for (auto& w : ws) {
        if (w.hist) std::memset(w.hist, 0, FineHistogram::kKeys * sizeof(uint32_t));
        countPool().release(w.hist);
        w.hist = nullptr;
    }
    if (!allocated) return makeError(name + ": out of memory for the histogram");
    if (cancelled) return makeError("cancelled");
    if (failed) return makeError(name + ": cannot decode the tensor's elements");

    Moments m;
    float mn = std::numeric_limits<float>::infinity(), mx = -mn;
    std::vector<TopK::Entry> top;
    for (const auto& w : ws) {
        m.merge(w.moments.n, w.moments.mean, w.moments.m2);
        mn = std::min(mn, w.mn);
        mx = std::max(mx, w.mx);
        s.nanCount += w.nan;
        s.posInfCount += w.posInf;
        s.negInfCount += w.negInf;
        s.zeroCount += w.zeros;
        top.insert(top.end(), w.top.begin(), w.top.end());
    }
    s.finite = m.n;
    if (m.n > 0) {
        s.min = mn;
        s.max = mx;
        s.absMax = std::max(std::fabs(s.min), std::fabs(s.max));
        s.mean = m.mean;
        s.std = std::sqrt(m.m2 / static_cast<double>(m.n));
        // Higher moments from the fine histogram (bin centres, relative width 2^−11): the hot
        // loop stays at two sums, and kurtosis / mean |x − mean| are shape statistics for which
        // that resolution is far below what they are used for (ACIQ's b, outlier flags).
        const double mean = s.mean;
        const double fn = static_cast<double>(m.n);
        s.meanAbsDeviation = s.histogram.sumOver([mean](double c) { return std::fabs(c - mean); }) / fn;
        const double var = s.std * s.std;
        if (var > 0) {
            const double m4 = s.histogram.sumOver([mean](double c) {
                const double d = (c - mean) * (c - mean);
                return d * d;
            }) / fn;
            s.kurtosis = m4 / (var * var) - 3.0;
        }
    }
    std::sort(top.begin(), top.end(), [](const TopK::Entry& a, const TopK::Entry& b) {
        return a.absValue != b.absValue ? a.absValue > b.absValue : a.index < b.index;
    });
    if (top.size() > TensorSummary::kTopK) top.resize(TensorSummary::kTopK);
    for (const auto& e : top) s.topAbs.push_back({e.index, e.value});
    s.sample.reserve(plan.size);
    for (uint64_t k = 0; k < plan.size; ++k)
        if (sampleValid[k]) s.sample.push_back(sampleSlots[k]);
    return std::shared_ptr<const TensorSummary>(summary);
}

}  // namespace

Result<std::shared_ptr<const TensorSummary>> summarize(const TensorView& view, Progress* progress,
                                                       const SummaryOptions& options) {
    const std::string& name = view.info().name;
    if (!view.valid()) return makeError(name + ": tensor has no data");
    const float* direct = view.directF32();
    if (direct) {
        return summarizeImpl(
            view.elements(), kChunk,
            [direct](uint64_t begin, size_t, Worker&, bool&) { return direct + begin; }, progress, options.threads, name);
    }
    const size_t chunk = view.chunkElements();
    return summarizeImpl(
        view.elements(), chunk,
        [&view, chunk](uint64_t begin, size_t count, Worker& w, bool& ok) -> const float* {
            if (w.buffer.size() < chunk) w.buffer.resize(chunk);
            ok = view.read(begin, count, w.buffer.data());
            return w.buffer.data();
        },
        progress, options.threads, name);
}

TensorSummary summarizeValues(const float* values, size_t n) {
    auto r = summarizeImpl(
        n, kChunk, [values](uint64_t begin, size_t, Worker&, bool&) { return values + begin; }, nullptr, 0, "values");
    if (!r.ok()) {
        TensorSummary s;
        s.elements = n;
        return s;
    }
    return *r.value();
}

}  // namespace qv
