// Shared numerics of the calibrators (see calib_math.h).
#include "core/calib/calib_math.h"

#include <algorithm>
#include <cmath>

#include "core/base/parallel.h"
#include "core/quant/quantizer.h"

namespace qv {

std::vector<double> absHistogram(const TensorSummary& summary, size_t bins) {
    if (!summary.hasFinite() || !(summary.absMax > 0)) return {};
    return summary.histogram.rebinAbs(summary.absMax, bins);
}

Grid gridFor(const QuantScheme& scheme, ClipRange range) {
    SliceParams p = paramsFromRange(scheme, range);
    Grid g;
    g.scale = p.scale;
    g.zero = p.zeroPoint;
    g.qmin = scheme.qmin();
    g.qmax = scheme.qmax();
    return g;
}

double weightedQuantError(const float* centres, const float* weights, size_t n, const Grid& grid) {
    if (!(grid.scale > 0) || !std::isfinite(grid.scale)) {
        double s = 0;  // a zero grid maps everything to 0 (TensorRT's amax ≤ 2^-24 rule)
        for (size_t i = 0; i < n; ++i) s += double(weights[i]) * double(centres[i]) * double(centres[i]);
        return s;
    }
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

double exactSquaredError(std::span<const float> values, const QuantScheme& scheme, ClipRange range) {
    const AffineQuantizer q(scheme, paramsFromRange(scheme, range));
    const int threads = hardwareThreads();
    std::vector<double> partial(static_cast<size_t>(threads) + 1, 0.0);
    parallelFor(values.size(), size_t{1} << 16, threads, [&](size_t begin, size_t end, int worker) {
        double s = 0;
        for (size_t i = begin; i < end; ++i) {
            float x = values[i];
            if (!std::isfinite(x)) continue;
            double e = double(q.fakeQuantize(x)) - double(x);
            s += e * e;
        }
        partial[static_cast<size_t>(worker)] += s;
    });
    double total = 0;
    for (double p : partial) total += p;
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
    if (scheme.symmetry == Symmetry::Symmetric) return symmetricRange(summary.absMax);
    return {summary.min, summary.max};
}

}  // namespace qv
