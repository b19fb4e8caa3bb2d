// CrossEntropyCalibrator: softmax-preserving clip search on the sample, exact on the data (see header).
#include "core/calib/cross_entropy_calibrator.h"

#include <algorithm>
#include <cmath>

#include "core/calib/calib_math.h"

namespace qv {

std::string CrossEntropyCalibrator::description() const {
    return "Cross-entropy (seeds): treats the tensor as one logits vector and picks the clip that keeps "
           "softmax(x) closest to softmax(Q(x)) — minimum CE(softmax(v), softmax(v^)). For softmax "
           "inputs, whose largest values must keep their order. Estimate on the summary's sample.";
}

namespace {

// Precomputed p = softmax(v) (once per search), then CE for any grid in one pass.
struct SoftmaxTarget {
    std::vector<float> v;
    std::vector<double> p;
    double entropyFloor = 0;
    explicit SoftmaxTarget(std::span<const float> values) : v(finiteValues(values)) {
        double m = -HUGE_VAL;
        for (float x : v) m = std::max(m, double(x));
        p.resize(v.size());
        double z = 0;
        for (size_t i = 0; i < v.size(); ++i) z += (p[i] = std::exp(double(v[i]) - m));
        for (double& x : p) x /= z;
    }
    double ce(const QuantScheme& scheme, ClipRange range) const {
        if (v.empty()) return 0;
        const Grid g = gridFor(scheme, range);
        const long codes = static_cast<long>(g.qmax - g.qmin) + 1;
        std::vector<double> count(static_cast<size_t>(codes), 0.0);
        double dot = 0;  // Σ p_i v̂_i
        const bool zeroGrid = !(g.scale > 0) || !std::isfinite(g.scale);
        const double inv = zeroGrid ? 0.0 : 1.0 / g.scale;
        for (size_t i = 0; i < v.size(); ++i) {
            double q = zeroGrid ? g.zero : std::nearbyint(double(v[i]) * inv) + g.zero;
            q = std::clamp(q, g.qmin, g.qmax);
            const double vq = zeroGrid ? 0.0 : g.scale * (q - g.zero);
            dot += p[i] * vq;
            count[static_cast<size_t>(q - g.qmin)] += 1;
        }
        // logsumexp over v̂: Σ_codes count·e^(level), shifted by the top occupied level.
        double top = -HUGE_VAL;
        for (long k = 0; k < codes; ++k)
            if (count[static_cast<size_t>(k)] > 0) top = std::max(top, zeroGrid ? 0.0 : g.scale * (g.qmin + k - g.zero));
        double s = 0;
        for (long k = 0; k < codes; ++k) {
            const double c = count[static_cast<size_t>(k)];
            if (c > 0) s += c * std::exp((zeroGrid ? 0.0 : g.scale * (g.qmin + k - g.zero)) - top);
        }
        return top + std::log(s) - dot;
    }
};

ClipRange scaled(ClipRange full, double f) { return {full.lo * f, full.hi * f}; }

ClipRange search(const SoftmaxTarget& t, const QuantScheme& scheme, ClipRange full) {
    constexpr int kSteps = 48;
    auto f = [&](double s) { return t.ce(scheme, scaled(full, s)); };
    // Grid from 0.04 to 1 in steps of 0.02 (48 points), then golden-section around the best.
    const double s = minimizeScalar(f, 0.04, 1.0, kSteps + 1, 14);
    return f(s) < f(1.0) ? scaled(full, s) : full;
}

ClipRange fullRange(double lo, double hi, const QuantScheme& scheme) {
    if (scheme.symmetry == Symmetry::Symmetric) return symmetricRange(std::max(std::abs(lo), std::abs(hi)));
    return {lo, hi};
}

}  // namespace

double CrossEntropyCalibrator::crossEntropy(std::span<const float> v, const QuantScheme& scheme, ClipRange range) {
    return SoftmaxTarget(v).ce(scheme, range);
}

ClipRange CrossEntropyCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary) || summary.sample.empty()) return degenerateRange(summary, scheme);
    const SoftmaxTarget t(summary.sample);
    return search(t, scheme, fullRange(summary.min, summary.max, scheme));
}

ClipRange CrossEntropyCalibrator::refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const {
    const SoftmaxTarget t(values);
    if (t.v.empty()) return estimate;
    auto [mn, mx] = std::minmax_element(t.v.begin(), t.v.end());
    if (*mn == *mx) return estimate;
    const ClipRange full = fullRange(*mn, *mx, scheme);
    const ClipRange r = search(t, scheme, full);
    return t.ce(scheme, r) <= t.ce(scheme, estimate) ? r : estimate;
}

}  // namespace qv
