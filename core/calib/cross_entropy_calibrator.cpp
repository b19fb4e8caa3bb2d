// CrossEntropyCalibrator: softmax-preserving clip search on the histogram, exact on the data (see header).
#include "core/calib/cross_entropy_calibrator.h"

#include <algorithm>
#include <cmath>

#include "core/base/parallel.h"
#include "core/calib/calib_math.h"

namespace qv {

std::string CrossEntropyCalibrator::description() const {
    return "Cross-entropy (seeds): treats the tensor as one logits vector and picks the clip that keeps "
           "softmax(x) closest to softmax(Q(x)) - minimum CE(softmax(v), softmax(v^)). For softmax "
           "inputs, whose largest values must keep their order.";
}

namespace {

constexpr double kMagic = 6755399441055744.0;  // 1.5·2^52: (x + M) − M rounds half to even for |x| < 2^51

// The tensor as one logits vector of values v_i with multiplicities w_i: p = softmax once,
// then CE for any grid. CE(p, softmax(v̂)) = logsumexp(v̂) − Σ p_i·v̂_i, and v̂ takes one
// value per code, so logsumexp only needs the number of elements per code.
struct SoftmaxTarget {
    std::vector<float> v;
    std::vector<double> w, p;  // multiplicity, softmax mass (w·e^v / Z)

    SoftmaxTarget(std::vector<float> values, std::vector<double> weights) : v(std::move(values)), w(std::move(weights)) {
        double m = -HUGE_VAL;
        for (float x : v) m = std::max(m, double(x));
        p.resize(v.size());
        double z = 0;
        for (size_t i = 0; i < v.size(); ++i) z += (p[i] = w[i] * std::exp(double(v[i]) - m));
        for (double& x : p) x /= z;
    }
    double total() const {
        double t = 0;
        for (double x : w) t += x;
        return t;
    }

    double ce(const QuantScheme& scheme, ClipRange range) const {
        if (v.empty()) return 0;
        const Grid g = gridFor(scheme, range);
        if (!(g.scale > 0) || !std::isfinite(g.scale) || g.scale > 1e30) return std::log(total());  // every v̂ = 0
        const double lo = g.qmin - g.zero, hi = g.qmax - g.zero;
        // Level formats (FP8, FP4, NF4): the code is the table index and v̂/s its level.
        const LevelTable* table = g.table;
        const size_t codes = table ? static_cast<size_t>(table->size()) : static_cast<size_t>(hi - lo) + 1;
        auto levelOf = [&](size_t k) { return table ? double(table->levels[k]) : lo + double(k); };
        const double inv = 1.0 / g.scale;
        const auto scaleF = static_cast<float>(g.scale);
        // Per-thread code tallies (the exact pass runs this over whole tensors).
        const int threads = v.size() > (size_t{1} << 16) ? calibThreads() : 1;
        const int workers = parallelWorkers(v.size(), size_t{1} << 16, threads);
        std::vector<std::vector<double>> count(static_cast<size_t>(workers), std::vector<double>(codes, 0.0));
        std::vector<double> dot(static_cast<size_t>(workers), 0.0);
        parallelFor(v.size(), size_t{1} << 16, threads, [&](size_t begin, size_t end, int wk) {
            auto& c = count[static_cast<size_t>(wk)];
            double d = 0;
            if (table) {
                for (size_t i = begin; i < end; ++i) {
                    const auto k = static_cast<size_t>(table->index(v[i] / scaleF));
                    c[k] += w[i];
                    d += p[i] * double(table->levels[k]);
                }
            } else {
                for (size_t i = begin; i < end; ++i) {
                    const double r = std::clamp((double(v[i]) * inv + kMagic) - kMagic, lo, hi);
                    c[static_cast<size_t>(r - lo)] += w[i];
                    d += p[i] * r;
                }
            }
            dot[static_cast<size_t>(wk)] += d;
        });
        for (int k = 1; k < workers; ++k)
            for (size_t c = 0; c < codes; ++c) count[0][c] += count[static_cast<size_t>(k)][c];
        double sumDot = 0;
        for (double d : dot) sumDot += d;
        double top = -HUGE_VAL;
        for (size_t k = 0; k < codes; ++k)
            if (count[0][k] > 0) top = std::max(top, g.scale * levelOf(k));
        double s = 0;
        for (size_t k = 0; k < codes; ++k)
            if (count[0][k] > 0) s += count[0][k] * std::exp(g.scale * levelOf(k) - top);
        return top + std::log(s) - g.scale * sumDot;
    }
};

SoftmaxTarget fromValues(std::span<const float> values) {
    std::vector<float> v = finiteValues(values);
    std::vector<double> w(v.size(), 1.0);
    return SoftmaxTarget(std::move(v), std::move(w));
}

ClipRange scaled(ClipRange full, double f) { return {full.lo * f, full.hi * f}; }

ClipRange fullRange(double lo, double hi, const QuantScheme& scheme) {
    if (scheme.symmetric()) return symmetricRange(std::max(std::abs(lo), std::abs(hi)));
    return {lo, hi};
}

// Scale factor f of the full range in [a, b] minimizing CE: a grid, then golden-section search.
ClipRange search(const SoftmaxTarget& t, const QuantScheme& scheme, ClipRange full, double a, double b, int grid,
                 int golden) {
    auto f = [&](double s) { return t.ce(scheme, scaled(full, s)); };
    const double s = minimizeScalar(f, a, b, grid, golden);
    return scaled(full, s);
}

}  // namespace

double CrossEntropyCalibrator::crossEntropy(std::span<const float> v, const QuantScheme& scheme, ClipRange range) {
    return fromValues(v).ce(scheme, range);
}

ClipRange CrossEntropyCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary)) return degenerateRange(summary, scheme);
    // All values through a 2048-bin histogram over [min, max] (bin centres with their counts),
    // not the strided sample: the softmax is dominated by the few largest values, which a
    // sample usually misses, while the histogram's top bin holds the maximum.
    const std::vector<double> hist = linearHistogram(summary, summary.min, summary.max, kCalibBins);
    std::vector<float> centre;
    std::vector<double> count;
    const double width = (summary.max - summary.min) / static_cast<double>(kCalibBins);
    for (size_t i = 0; i < hist.size(); ++i) {
        if (hist[i] <= 0) continue;
        centre.push_back(static_cast<float>(summary.min + width * (static_cast<double>(i) + 0.5)));
        count.push_back(hist[i]);
    }
    const SoftmaxTarget t(std::move(centre), std::move(count));
    const ClipRange full = fullRange(summary.min, summary.max, scheme);
    const ClipRange r = search(t, scheme, full, 0.04, 1.0, 25, 10);
    return t.ce(scheme, r) < t.ce(scheme, full) ? r : full;
}

ClipRange CrossEntropyCalibrator::refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const {
    const SoftmaxTarget t = fromValues(values);
    if (t.v.empty()) return estimate;
    auto [mn, mx] = std::minmax_element(t.v.begin(), t.v.end());
    if (*mn == *mx) return estimate;
    const ClipRange full = fullRange(*mn, *mx, scheme);
    // Around the estimate's scale factor (±10%), on every value.
    const double f0 = full.hi != 0 ? estimate.hi / full.hi : (full.lo != 0 ? estimate.lo / full.lo : 1.0);
    const double a = std::clamp(f0 * 0.9, 0.01, 1.0), b = std::clamp(f0 * 1.1, 0.01, 1.0);
    ClipRange r = b > a ? search(t, scheme, full, a, b, 7, 8) : estimate;
    double best = t.ce(scheme, r);
    for (const ClipRange& c : {estimate, full}) {
        const double e = t.ce(scheme, c);
        if (e < best) { best = e; r = c; }
    }
    return r;
}

}  // namespace qv
