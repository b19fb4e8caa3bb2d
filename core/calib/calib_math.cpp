// Shared numerics of the calibrators (see calib_math.h).
#include "core/calib/calib_math.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>

#include "core/base/parallel.h"
#include "core/quant/quantizer.h"

namespace qv {

namespace {

// A summary is identified by its address AND its statistics, so that a new summary allocated
// at a freed one's address never hits a stale entry.
struct HistogramKey {
    const void* summary;
    uint64_t elements, finite, zeros, fineBins;
    double min, max, mean, std, meanAbsDeviation, kurtosis;
    bool abs;
    double lo, hi;
    size_t bins;
    bool operator==(const HistogramKey&) const = default;
};

std::mutex& cacheMutex() {
    static std::mutex m;
    return m;
}
std::list<std::pair<HistogramKey, std::shared_ptr<const std::vector<double>>>>& histogramCache() {
    static std::list<std::pair<HistogramKey, std::shared_ptr<const std::vector<double>>>> cache;  // most recent first
    return cache;
}

std::vector<double> cachedRebin(const TensorSummary& s, bool abs, double lo, double hi, size_t bins) {
    std::mutex& mutex = cacheMutex();
    auto& cache = histogramCache();
    constexpr size_t kEntries = 16;
    const HistogramKey key{&s,     s.elements, s.finite, s.zeroCount, s.histogram.bins().size(), s.min, s.max, s.mean,
                           s.std,  s.meanAbsDeviation, s.kurtosis, abs, lo, hi, bins};
    {
        std::lock_guard<std::mutex> lock(mutex);
        for (auto it = cache.begin(); it != cache.end(); ++it) {
            if (it->first == key) {
                cache.splice(cache.begin(), cache, it);
                return *cache.front().second;
            }
        }
    }
    auto h = std::make_shared<const std::vector<double>>(abs ? s.histogram.rebinAbs(hi, bins) : s.histogram.rebin(lo, hi, bins));
    std::lock_guard<std::mutex> lock(mutex);
    cache.emplace_front(key, h);
    if (cache.size() > kEntries) cache.pop_back();
    return *h;
}

}  // namespace

void clearHistogramCache() {
    std::lock_guard<std::mutex> lock(cacheMutex());
    histogramCache().clear();
}

std::vector<double> absHistogram(const TensorSummary& summary, size_t bins) {
    if (!summary.hasFinite() || !(summary.absMax > 0)) return {};
    return cachedRebin(summary, true, 0.0, summary.absMax, bins);
}

std::vector<double> linearHistogram(const TensorSummary& summary, double lo, double hi, size_t bins) {
    if (!summary.hasFinite()) return std::vector<double>(bins, 0.0);
    return cachedRebin(summary, false, lo, hi, bins);
}

Grid gridFor(const QuantScheme& scheme, ClipRange range) {
    SliceParams p = paramsFromRange(scheme, range);
    Grid g;
    g.scale = p.scale;
    g.zero = p.zeroPoint;
    g.qmin = scheme.qmin();
    g.qmax = scheme.qmax();
    g.table = scheme.levelTable();
    return g;
}

namespace {

// Σ w·(Q(c) − c)² on a level format's grid: the quantizer's own rounding (nearest level, the
// format's ties, saturation), one binary search per point.
double weightedLevelError(const float* centres, const float* weights, size_t n, const Grid& grid) {
    const auto scale = static_cast<float>(grid.scale);
    const LevelTable& t = *grid.table;
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
        const float c = centres[i];
        const float e = scale * t.levels[static_cast<size_t>(t.index(c / scale))] - c;
        total += static_cast<double>(weights[i]) * static_cast<double>(e) * static_cast<double>(e);
    }
    return total;
}

}  // namespace

double weightedQuantError(const float* centres, const float* weights, size_t n, const Grid& grid) {
    if (!(grid.scale > 0) || !std::isfinite(grid.scale)) {
        double s = 0;  // a zero grid maps everything to 0 (TensorRT's amax ≤ 2^-24 rule)
        for (size_t i = 0; i < n; ++i) s += double(weights[i]) * double(centres[i]) * double(centres[i]);
        return s;
    }
    if (grid.table) return weightedLevelError(centres, weights, n, grid);
    const float scale = static_cast<float>(grid.scale);
    const float inv = 1.0f / scale;
    const float lo = static_cast<float>(grid.qmin - grid.zero);
    const float hi = static_cast<float>(grid.qmax - grid.zero);
    // Adding and subtracting 1.5·2^23 rounds a float of magnitude < 2^22 to the nearest integer,
    // ties to even, in the default rounding mode — the same as nearbyint, but vectorizable.
    constexpr float kMagic = 12582912.0f;
    constexpr size_t kLanes = 16;
    float acc[kLanes] = {};
    size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (size_t k = 0; k < kLanes; ++k) {
            float c = centres[i + k];
            float v = std::min(std::max(c * inv, lo), hi);
            float r = (v + kMagic) - kMagic;
            float e = r * scale - c;
            acc[k] += weights[i + k] * e * e;
        }
    }
    double total = 0;
    for (size_t k = 0; k < kLanes; ++k) total += acc[k];
    for (; i < n; ++i) {
        float c = centres[i];
        float v = std::min(std::max(c * inv, lo), hi);
        float r = (v + kMagic) - kMagic;
        double e = double(r) * scale - c;
        total += double(weights[i]) * e * e;
    }
    return total;
}

namespace {

// Σ (x̂ − x)² over the finite x of one block, bit-exact with Quantizer's x̂:
// v = fl32(x / s) (PyTorch: x·fl32(1/s)), round half to even, clamp to the codes, x̂ = s·(q − z).
// Clamping before rounding gives the same code (the bounds are integers), keeps |v| < 2^22 for
// the 1.5·2^23 rounding trick, and lets the compiler vectorize the loop; NaN/Inf are masked out.
// NaN/±Inf → 0 (whose error is 0), by the exponent bits: a select on integers, which the
// vectorizer if-converts (a float compare or a masked e² would count as control flow).
inline float finiteOrZero(float x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return (b & 0x7f800000u) != 0x7f800000u ? x : 0.0f;
}

template <bool kReciprocal>
double blockSquaredError(const float* x, size_t n, float scale, float inv, float lo, float hi) {
    constexpr float kMagic = 12582912.0f;
    constexpr size_t kLanes = 16;
    double total = 0;
    size_t i = 0;
    while (i < n) {
        const size_t end = std::min(n, i + 4096);  // float lanes summed into double every 4096 values
        float acc[kLanes] = {};
        for (; i + kLanes <= end; i += kLanes) {
            for (size_t k = 0; k < kLanes; ++k) {
                const float xv = finiteOrZero(x[i + k]);
                float v = kReciprocal ? xv * inv : xv / scale;
                v = std::min(std::max(v, lo), hi);
                const float r = (v + kMagic) - kMagic;
                const float e = r * scale - xv;
                acc[k] += e * e;
            }
        }
        for (; i < end; ++i) {
            const float xv = finiteOrZero(x[i]);
            float v = kReciprocal ? xv * inv : xv / scale;
            v = std::min(std::max(v, lo), hi);
            const float r = (v + kMagic) - kMagic;
            const float e = r * scale - xv;
            acc[0] += e * e;
        }
        for (float a : acc) total += a;
    }
    return total;
}

}  // namespace

double exactSquaredError(std::span<const float> values, const QuantScheme& scheme, ClipRange range) {
    const SliceParams p = paramsFromRange(scheme, range);
    if (scheme.levelTable()) {
        // Level formats: the quantizer itself (a table search per value; no vectorized shortcut).
        const Quantizer q(scheme, p);
        const int threads = values.size() > (size_t{1} << 16) ? calibThreads() : 1;
        std::vector<double> partial(static_cast<size_t>(threads) + 1, 0.0);
        parallelFor(values.size(), size_t{1} << 16, threads, [&](size_t begin, size_t end, int worker) {
            double s = 0;
            for (size_t i = begin; i < end; ++i) {
                const float x = values[i];
                if (!std::isfinite(x)) continue;
                const double e = static_cast<double>(q.fakeQuantize(x)) - static_cast<double>(x);
                s += e * e;
            }
            partial[static_cast<size_t>(worker)] += s;
        });
        double total = 0;
        for (double v : partial) total += v;
        return total;
    }
    // The same sanitizing as Quantizer (a scale that is not a positive finite float → 1).
    const float scale = (p.scale > 0.0f && p.scale <= FLT_MAX) ? p.scale : 1.0f;
    const int32_t zero = std::clamp(p.zeroPoint, scheme.qmin(), scheme.qmax());
    const float lo = static_cast<float>(scheme.qmin() - zero), hi = static_cast<float>(scheme.qmax() - zero);
    const bool reciprocal = scheme.convention == Convention::PyTorch;
    const float inv = 1.0f / scale;
    const int threads = values.size() > (size_t{1} << 18) ? calibThreads() : 1;
    std::vector<double> partial(static_cast<size_t>(threads) + 1, 0.0);
    parallelFor(values.size(), size_t{1} << 18, threads, [&](size_t begin, size_t end, int worker) {
        const float* x = values.data() + begin;
        partial[static_cast<size_t>(worker)] += reciprocal ? blockSquaredError<true>(x, end - begin, scale, inv, lo, hi)
                                                           : blockSquaredError<false>(x, end - begin, scale, inv, lo, hi);
    });
    double total = 0;
    for (double v : partial) total += v;
    return total;
}

double minimizeScalar(const std::function<double(double)>& f, double a, double b, int gridPoints, int goldenIters) {
    if (!(b > a)) return a;
    gridPoints = std::max(gridPoints, 3);
    const double step = (b - a) / (gridPoints - 1);
    int best = 0;
    double bestF = f(a);
    for (int k = 1; k < gridPoints; ++k) {
        double v = f(a + step * k);
        if (v < bestF) { bestF = v; best = k; }
    }
    double lo = a + step * std::max(best - 1, 0);
    double hi = a + step * std::min(best + 1, gridPoints - 1);
    double bestX = a + step * best;
    // Golden-section search on [lo, hi] (Kiefer 1953); keep the best point ever seen, since the
    // ripples of the quantization error can make the bracket's interior slightly worse.
    const double invPhi = (std::sqrt(5.0) - 1.0) / 2.0;
    double x1 = hi - invPhi * (hi - lo), x2 = lo + invPhi * (hi - lo);
    double f1 = f(x1), f2 = f(x2);
    for (int it = 0; it < goldenIters; ++it) {
        if (f1 < bestF) { bestF = f1; bestX = x1; }
        if (f2 < bestF) { bestF = f2; bestX = x2; }
        if (f1 <= f2) {
            hi = x2; x2 = x1; f2 = f1;
            x1 = hi - invPhi * (hi - lo); f1 = f(x1);
        } else {
            lo = x1; x1 = x2; f1 = f2;
            x2 = lo + invPhi * (hi - lo); f2 = f(x2);
        }
    }
    if (f1 < bestF) { bestF = f1; bestX = x1; }
    if (f2 < bestF) { bestX = x2; }
    return bestX;
}

int calibThreads() {
    static const int threads = hardwareThreads();
    return threads;
}

std::vector<float> finiteValues(std::span<const float> values) {
    std::vector<float> out;
    out.reserve(values.size());
    for (float x : values)
        if (std::isfinite(x)) out.push_back(x);
    return out;
}

bool degenerate(const TensorSummary& summary) {
    return !summary.hasFinite() || !(summary.absMax > 0) || summary.min == summary.max;
}

ClipRange degenerateRange(const TensorSummary& summary, const QuantScheme& scheme) {
    if (!summary.hasFinite()) return {0.0, 0.0};
    if (scheme.symmetric()) return symmetricRange(summary.absMax);
    return {summary.min, summary.max};
}

}  // namespace qv
