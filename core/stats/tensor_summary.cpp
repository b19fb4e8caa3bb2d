// summarize(): the one parallel pass behind every histogram, calibrator and statistic of a tensor.
#include "core/stats/tensor_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>

#include <sys/mman.h>

#include "core/base/chunked_pass.h"
#include "core/base/parallel.h"
#include "core/stats/summary_kernel.h"

namespace qv {

namespace {

using detail::ChunkStats;
using detail::TopK;

constexpr size_t kChunk = 64 * 1024;  // elements per parallelFor chunk (256 KiB of f32)
// Below this many elements (per-channel slices, samples) sorting the keys is cheaper than
// clearing and scanning a 4 MiB dense count array, so small inputs take a single-threaded path.
constexpr uint64_t kSmallTensor = 16 * 1024;

// Dense per-worker count arrays (2^20 × 4 B = 4 MiB) are reused between passes: allocating and
// faulting in fresh pages each time would cost as much as the histogram itself. Invariant: a
// buffer in the pool is all zeros.
class CountPool {
public:
    CountPool() = default;
    CountPool(const CountPool&) = delete;
    CountPool& operator=(const CountPool&) = delete;
    ~CountPool() {
        for (uint32_t* p : m_free) std::free(p);
    }
    uint32_t* acquire() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_free.empty()) {
                uint32_t* p = m_free.back();
                m_free.pop_back();
                return p;
            }
        }
        // 2 MiB-aligned and backed by transparent huge pages where the kernel allows it: the
        // binning scatters over a few thousand lines spread across the 4 MiB array, which with
        // 4 KiB pages misses the TLB on most increments. Written once here so every page is
        // mapped for good (not zero-page read faults, then copy-on-write faults in the pass).
        constexpr size_t kBytes = FineHistogram::kKeys * sizeof(uint32_t);
        auto* p = static_cast<uint32_t*>(std::aligned_alloc(kHugePage, kBytes));
        if (!p) return nullptr;
#if defined(MADV_HUGEPAGE)
        madvise(p, kBytes, MADV_HUGEPAGE);
#endif
        std::memset(p, 0, kBytes);
        return p;
    }
    void release(uint32_t* p) {
        if (!p) return;
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_free.size() < kKeep) m_free.push_back(p);
        else std::free(p);
    }

private:
    static constexpr size_t kKeep = 4;
    static constexpr size_t kHugePage = size_t{2} << 20;
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

// Merges the workers' dense counts into bins (value order, non-finite keys dropped) and leaves
// every array zeroed for the pool — in one sweep that reads each array once and writes only the
// 64-key groups that were touched (a few thousand of 2^20 keys for real tensors). The negative
// and positive halves run on two threads.
std::vector<FineHistogram::Bin> mergeCounts(std::vector<Worker>& ws, int threads) {
    constexpr uint32_t kSign = FineHistogram::kKeys / 2;
    constexpr uint32_t kMag = kSign - 1;
    constexpr uint32_t kGroup = 64;
    // Keys beyond the data's largest magnitude on each side were never touched — unless NaN/Inf
    // were present (their keys sit above every finite key and must be cleared too).
    uint32_t limit[2] = {0, 0};  // highest magnitude key touched: [0] negative side, [1] positive side
    bool nonFinite = false, wide = false;
    std::vector<uint32_t*> hists;
    for (auto& w : ws) {
        hists.push_back(w.hist);
        nonFinite = nonFinite || w.nan || w.posInf || w.negInf;
        wide = wide || !w.wide.empty();
        if (w.moments.n == 0) continue;  // no finite value (or no chunk at all)
        if (w.mn <= 0) limit[0] = std::max(limit[0], FineHistogram::keyOf(-w.mn) & kMag);
        if (w.mx >= 0) limit[1] = std::max(limit[1], FineHistogram::keyOf(w.mx) & kMag);
        if (w.mn > 0) limit[1] = std::max(limit[1], FineHistogram::keyOf(w.mx) & kMag);
        if (w.mx < 0) limit[0] = std::max(limit[0], FineHistogram::keyOf(-w.mn) & kMag);
    }
    if (nonFinite || wide) limit[0] = limit[1] = kMag;
    std::vector<FineHistogram::Bin> halves[2];
    // Sized up front (at most one bin per key up to each side's limit; only the pages written
    // are ever mapped): grown by push_back, the bins were copied several times and every larger
    // buffer faulted in afresh — measured as most of the merge's time on a 64M Gaussian.
    halves[0].reserve(size_t{limit[0]} + 1 + size_t{limit[1]} + 1);
    halves[1].reserve(size_t{limit[1]} + 1);
    auto sweep = [&](int half) {
        auto& bins = halves[half];
        const uint32_t base = half == 0 ? kSign : 0;
        const uint32_t groups = limit[half] / kGroup + 1;
        uint64_t sum[kGroup];
        for (uint32_t gi = groups; gi-- > 0;) {
            // Negative side: groups by decreasing magnitude (value order); positive: increasing.
            const uint32_t g = half == 0 ? gi : groups - 1 - gi;
            const uint32_t first = base + g * kGroup;
            uint32_t any = 0;
            for (const uint32_t* h : hists) {
                uint32_t a = 0;
                for (uint32_t k = 0; k < kGroup; ++k) a |= h[first + k];
                any |= a;
            }
            if (!any && !wide) continue;
            for (uint32_t k = 0; k < kGroup; ++k) sum[k] = 0;
            for (auto& w : ws) {
                for (uint32_t k = 0; k < kGroup; ++k) sum[k] += w.hist[first + k];
                std::memset(w.hist + first, 0, kGroup * sizeof(uint32_t));
                if (!w.wide.empty())
                    for (uint32_t k = 0; k < kGroup; ++k) sum[k] += w.wide[first + k];
            }
            for (uint32_t i = 0; i < kGroup; ++i) {
                const uint32_t k = half == 0 ? kGroup - 1 - i : i;
                const uint32_t key = first + k;
                if (sum[k] == 0 || !FineHistogram::keyIsFinite(key)) continue;
                FineHistogram::Bin b{0, 0, sum[k]};
                FineHistogram::keyEdges(key, b.lo, b.hi);
                bins.push_back(b);
            }
        }
    };
    parallelFor(2, 1, std::min(threads <= 0 ? hardwareThreads() : threads, 2),
                [&](size_t begin, size_t, int) { sweep(static_cast<int>(begin)); });
    halves[0].insert(halves[0].end(), halves[1].begin(), halves[1].end());
    return std::move(halves[0]);
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

Result<std::shared_ptr<const TensorSummary>> summarizeImpl(uint64_t n, ChunkReader& reader, Progress* progress,
                                                           int threads, const std::string& name) {
    auto summary = std::make_shared<TensorSummary>();
    TensorSummary& s = *summary;
    s.elements = n;
    if (progress) progress->setTotal(static_cast<double>(n));
    if (n == 0) return std::shared_ptr<const TensorSummary>(summary);

    const detail::SummaryKernelFn kernel = detail::selectSummaryKernel();
    const bool small = n <= kSmallTensor;
    const int workers = small ? 1 : parallelWorkers(n, reader.chunk(), threads);
    std::vector<Worker> ws(static_cast<size_t>(workers));
    if (!small)
        for (auto& w : ws) w.hist = countPool().acquire();
    const bool allocated = small || std::all_of(ws.begin(), ws.end(), [](const Worker& w) { return w.hist != nullptr; });

    const SamplePlan plan(n, TensorSummary::kSampleSize);
    std::vector<float> sampleSlots(plan.size);
    std::vector<uint8_t> sampleValid(plan.size, 0);

    // Per-chunk moments, merged in chunk order after the pass: which worker took which chunk varies
    // from run to run, and merging per worker made the mean and std differ in their last bits between
    // two passes over the same tensor.
    struct ChunkMoments {
        uint64_t n = 0;
        double mean = 0, m2 = 0;
    };
    std::vector<ChunkMoments> chunkMoments(small ? 0 : static_cast<size_t>((n + reader.chunk() - 1) / reader.chunk()));
    bool cancelled = false, failed = false;
    if (small) {
        // The same statistics by plain loops; n ≤ kSmallTensor < kSampleSize, so the sample is
        // every finite value.
        Worker& w = ws[0];
        reader.prepare(1);
        const float* x = reader.get(0, static_cast<size_t>(n), 0);
        if (!x) {
            failed = true;
        } else if (progress && progress->cancelled()) {
            cancelled = true;
        } else {
            const auto len = static_cast<size_t>(n);
            const float pivot = std::isfinite(x[0]) ? x[0] : 0.0f;
            uint64_t finite = 0;
            double s1 = 0, s2 = 0;
            float mn = 0, mx = 0;
            carefulChunk(x, len, pivot, w, finite, s1, s2, mn, mx);
            if (finite > 0) {
                const double fn = static_cast<double>(finite);
                w.moments.merge(finite, pivot + s1 / fn, std::max(0.0, s2 - s1 * s1 / fn));
                w.mn = mn;
                w.mx = mx;
            }
            for (size_t i = 0; i < len; ++i) {
                w.zeros += x[i] == 0.0f ? 1u : 0u;
                if (std::isfinite(x[i])) {
                    sampleSlots[i] = x[i];
                    sampleValid[i] = 1;
                }
            }
            w.top.scan(x, len, 0);
            s.histogram = FineHistogram::fromValues(x, len);
            if (progress) progress->add(static_cast<double>(len));
        }
    } else if (allocated) {
        const PassStatus status = chunkedPass(n, threads, progress, reader, [&](const float* x, uint64_t begin,
                                                                                size_t len, int wi) {
            Worker& w = ws[static_cast<size_t>(wi)];
            const uint64_t end = begin + len;
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
                chunkMoments[begin / reader.chunk()] = {finite, pivot + s1 / fn, std::max(0.0, s2 - s1 * s1 / fn)};
                w.moments.n += finite;  // the worker saw finite values (mergeCounts' key limits)
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
        });
        cancelled = status == PassStatus::Cancelled;
        failed = status == PassStatus::Failed;
    }

    if (!small && allocated && !cancelled && !failed) s.histogram = FineHistogram::fromBins(mergeCounts(ws, threads));
    const bool merged = !small && allocated && !cancelled && !failed;
    for (auto& w : ws) {
        if (w.hist && !merged) std::memset(w.hist, 0, FineHistogram::kKeys * sizeof(uint32_t));
        countPool().release(w.hist);
        w.hist = nullptr;
    }
    if (!allocated) return makeError(name + ": out of memory for the histogram");
    if (cancelled) return makeError("cancelled");
    if (failed) return makeError(name + ": cannot decode the tensor's elements");

    Moments m;
    if (small) m.merge(ws[0].moments.n, ws[0].moments.mean, ws[0].moments.m2);
    for (const auto& c : chunkMoments) m.merge(c.n, c.mean, c.m2);
    float mn = std::numeric_limits<float>::infinity(), mx = -mn;
    std::vector<TopK::Entry> top;
    for (const auto& w : ws) {
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
    ChunkReader reader = ChunkReader::forView(view, kChunk);
    auto result = summarizeImpl(view.elements(), reader, progress, options.threads, name);
    // A file cut short under the pass reads as zeros from that point (MappingGuard): the counts
    // would describe zeros that are not the file's, so the pass says what happened instead.
    if (std::string why = view.source()->integrityProblem(); !why.empty()) return makeError(name + ": " + why);
    return result;
}

TensorSummary summarizeValues(const float* values, size_t n) {
    ChunkReader reader = ChunkReader::direct(values, kChunk);
    auto r = summarizeImpl(n, reader, nullptr, 0, "values");
    if (!r.ok()) {
        TensorSummary s;
        s.elements = n;
        return s;
    }
    return *r.value();
}

}  // namespace qv
