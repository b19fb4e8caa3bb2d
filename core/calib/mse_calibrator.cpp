// MseCalibrator: pytorch-quantization's histogram MSE search, then an exact search on the data.
#include "core/calib/mse_calibrator.h"

#include <algorithm>
#include <cmath>

#include "core/calib/calib_math.h"

namespace qv {

std::string MseCalibrator::description() const {
    return "MSE: the clip range with the least expected squared error. Estimate: every 2048-bin |x| "
           "histogram centre from bin 128 up is tried as amax and the histogram is fake-quantized "
           "(pytorch-quantization 'mse'); on release, an exact search of sum (x - Q(x))^2 on the data.";
}

namespace {

// Non-empty bins of a histogram over [lo, hi] as (centre, count), in increasing order, with
// prefix sums of w, w·c, w·c² so that the clipped bins of a candidate (all mapped to the end
// level L: Σ w·(c − L)²) cost O(1); only the bins inside the range run through the rounding loop.
struct Points {
    std::vector<float> centre, weight;
    std::vector<double> w0, w1, w2;  // prefix sums, size + 1

    Points(const std::vector<double>& hist, double lo, double hi) {
        const double w = (hi - lo) / static_cast<double>(hist.size());
        for (size_t i = 0; i < hist.size(); ++i) {
            if (hist[i] <= 0) continue;
            centre.push_back(static_cast<float>(lo + w * (static_cast<double>(i) + 0.5)));
            weight.push_back(static_cast<float>(hist[i]));
        }
        w0.assign(centre.size() + 1, 0.0);
        w1 = w2 = w0;
        for (size_t k = 0; k < centre.size(); ++k) {
            const double c = centre[k], m = weight[k];
            w0[k + 1] = w0[k] + m;
            w1[k + 1] = w1[k] + m * c;
            w2[k + 1] = w2[k] + m * c * c;
        }
    }
    // Σ m·(c − L)² over points [a, b).
    double clipped(size_t a, size_t b, double level) const {
        return (w2[b] - w2[a]) - 2 * level * (w1[b] - w1[a]) + level * level * (w0[b] - w0[a]);
    }
    double error(const QuantScheme& scheme, ClipRange r) const {
        const Grid g = gridFor(scheme, r);
        if (!(g.scale > 0) || !std::isfinite(g.scale) || g.scale > 1e30)
            return weightedQuantError(centre.data(), weight.data(), centre.size(), g);
        // Centres at or beyond the end levels clamp to them (the rounding loop would give the same).
        const double lowLevel = g.lo(), highLevel = g.hi();
        const size_t a = static_cast<size_t>(std::upper_bound(centre.begin(), centre.end(), static_cast<float>(lowLevel)) - centre.begin());
        const size_t b = std::max(a, static_cast<size_t>(std::lower_bound(centre.begin(), centre.end(), static_cast<float>(highLevel)) - centre.begin()));
        return clipped(0, a, lowLevel) + clipped(b, centre.size(), highLevel) +
               weightedQuantError(centre.data() + a, weight.data() + a, b - a, g);
    }
};

ClipRange symmetricEstimate(const TensorSummary& summary, const QuantScheme& scheme) {
    const std::vector<double> hist = absHistogram(summary, kCalibBins);
    const double width = summary.absMax / static_cast<double>(kCalibBins);
    const Points pts(hist, 0.0, summary.absMax);
    // |x| centres are all ≥ 0, so only the positive half of the grid matters: the same as
    // pytorch-quantization, which fake-quantizes the non-negative centres.
    double best = HUGE_VAL;
    double bestAmax = summary.absMax;
    // Small summaries (channel and group slices, whose estimate the exact refinement replaces):
    // every 8th candidate. Whole tensors: every candidate, as pytorch-quantization.
    const size_t stride = summary.finite < MseCalibrator::kFullSearchMinValues ? 8 : 1;
    for (size_t i = MseCalibrator::kStartBin; i < kCalibBins; i += stride) {
        const double amax = width * (static_cast<double>(i) + 0.5);
        const double e = pts.error(scheme, symmetricRange(amax));
        if (e < best) {  // strict: np.argmin keeps the first minimum
            best = e;
            bestAmax = amax;
        }
    }
    return symmetricRange(bestAmax);
}

ClipRange asymmetricEstimate(const TensorSummary& summary, const QuantScheme& scheme) {
    constexpr size_t kBins = 1024, kCandidates = 128;
    const double lo0 = summary.min, hi0 = summary.max;
    const std::vector<double> hist = linearHistogram(summary, lo0, hi0, kBins);
    const Points pts(hist, lo0, hi0);
    ClipRange r{lo0, hi0};
    double best = pts.error(scheme, r);
    for (int round = 0; round < 2; ++round) {
        for (int end = 0; end < 2; ++end) {
            // Candidates: the end moves toward 0 (or toward the other end) over half its span.
            const double from = end == 0 ? lo0 : hi0;
            const double other = end == 0 ? r.hi : r.lo;
            const double towards = (from < 0) == (other < 0) ? other : 0.0;
            for (size_t k = 0; k < kCandidates; ++k) {
                const double v = from + (towards - from) * 0.75 * static_cast<double>(k) / kCandidates;
                ClipRange c = r;
                (end == 0 ? c.lo : c.hi) = v;
                const double e = pts.error(scheme, c);
                if (e < best) {
                    best = e;
                    r = c;
                }
            }
        }
    }
    return r;
}

}  // namespace

ClipRange MseCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary)) return degenerateRange(summary, scheme);
    if (scheme.symmetric()) return symmetricEstimate(summary, scheme);
    return asymmetricEstimate(summary, scheme);
}

ClipRange refineSquaredError(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) {
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (float x : values) {
        if (!std::isfinite(x)) continue;
        lo = std::min(lo, double(x));
        hi = std::max(hi, double(x));
    }
    if (!(hi >= lo) || lo == hi) return estimate;
    constexpr int kGrid = 9, kGolden = 12;
    if (scheme.symmetric()) {
        const double absMax = std::max(-lo, hi);
        double est = std::max(std::abs(estimate.lo), std::abs(estimate.hi));
        if (!(est > 0)) return estimate;
        auto f = [&](double a) { return exactSquaredError(values, scheme, symmetricRange(a)); };
        double a = minimizeScalar(f, 0.8 * est, std::min(1.25 * est, absMax), kGrid, kGolden);
        // Keep the estimate when the search cannot beat it (never return something worse).
        return f(a) <= f(est) ? symmetricRange(a) : estimate;
    }
    ClipRange r = estimate;
    double best = exactSquaredError(values, scheme, r);
    for (int round = 0; round < 2; ++round) {
        for (int end = 0; end < 2; ++end) {
            double& moving = end == 0 ? r.lo : r.hi;
            const double cur = moving;
            const double limit = end == 0 ? lo : hi;
            // Search between 0.8× and 1.25× the current end, never beyond the data.
            double a = cur * 0.8, b = cur * 1.25;
            if (a > b) std::swap(a, b);
            if (end == 0) a = std::max(a, limit); else b = std::min(b, limit);
            if (!(b > a)) continue;
            auto f = [&](double v) {
                ClipRange c = r;
                (end == 0 ? c.lo : c.hi) = v;
                return exactSquaredError(values, scheme, c);
            };
            const double v = minimizeScalar(f, a, b, kGrid, kGolden);
            const double e = f(v);
            if (e < best) {
                best = e;
                moving = v;
            } else {
                moving = cur;
            }
        }
    }
    return r;
}

ClipRange MseCalibrator::refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const {
    return refineSquaredError(values, scheme, estimate);
}

}  // namespace qv
