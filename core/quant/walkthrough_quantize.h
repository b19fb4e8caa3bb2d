// Quantizing a short vector step by step (the Learn ▸ "quantize a vector" walkthrough): every
// intermediate number, made by the core's own paramsFromRange, Quantizer and ErrorAccumulator so the
// steps show exactly what the rest of the app computes. Header-only, GUI-free.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "core/metrics/error_stats.h"
#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/quant/quantizer.h"

namespace qv {

// The three integer grids the walkthrough offers (REFERENCE.md §1).
enum class WalkGrid { SymmetricRestricted, SymmetricFull, Asymmetric };

inline QuantScheme walkScheme(int bits, WalkGrid grid) {
    QuantScheme s;
    s.bits = std::clamp(bits, 2, 16);
    s.symmetry = grid == WalkGrid::Asymmetric ? Symmetry::Asymmetric : Symmetry::Symmetric;
    s.fullRange = grid == WalkGrid::SymmetricFull;
    s.convention = Convention::Seeds;  // x/s divides in float32, as the app's default convention does
    return s;
}

// One element through q = clamp(round_half_even(x/s) + z, qmin, qmax) and back, x̂ = s·(q − z).
struct QuantizeWalkStep {
    float x = 0;
    float xOverS = 0;      // fl32(x / s), as the quantizer divides
    float rounded = 0;     // roundHalfEven(x/s)
    bool tie = false;      // x/s had fraction exactly ½: half to even chose `rounded`
    double shifted = 0;    // rounded + z, before the clamp
    int32_t q = 0;         // the code (Quantizer::quantize)
    bool clamped = false;  // the clamp changed it (saturation)
    float xhat = 0;        // Quantizer::dequantize(q)
    float error = 0;       // x̂ − x (float32, as the error pass computes it)
};

struct QuantizeWalk {
    QuantScheme scheme;
    ClipRange clip;           // [β, α] as given (min-max of the values, or typed)
    // Step 1: the range the scale is made from. Asymmetric: [min(β, 0), max(α, 0)] (widened to include
    // 0 so that 0 is exactly representable); symmetric: [−amax, amax] with amax = max(|β|, |α|).
    float rangeLo = 0, rangeHi = 0;
    bool widened = false;     // asymmetric and the range did not contain 0
    float amax = 0;
    // Step 2: s and z (paramsFromRange), the code range, and the zero point's pieces β/s and
    // round(β/s) (asymmetric only).
    SliceParams params;
    int32_t qmin = 0, qmax = 0;
    float loOverS = 0, loOverSRounded = 0;
    // Steps 3 and 4, one per element.
    std::vector<QuantizeWalkStep> steps;
    int ties = 0, clampedCount = 0;
    // Step 5: over the finite elements (ErrorAccumulator: MSE, max |e|, SQNR = 20·log10(‖x‖/‖e‖)).
    ErrorStats stats;
    double sumSqX = 0, sumSqErr = 0;  // the SQNR's two sums, shown substituted
};

// Min and max of the finite values ([0, 0] when there are none).
inline ClipRange walkMinMax(std::span<const float> x) {
    bool any = false;
    ClipRange r;
    for (float v : x) {
        if (!std::isfinite(v)) continue;
        r.lo = any ? std::min<double>(r.lo, v) : v;
        r.hi = any ? std::max<double>(r.hi, v) : v;
        any = true;
    }
    return r;
}

// `params` as paramsFromRange(scheme, clip) makes them, or changed on purpose (a chosen zero point).
inline QuantizeWalk walkQuantize(std::span<const float> x, const QuantScheme& scheme, ClipRange clip,
                                 const SliceParams& params) {
    QuantizeWalk w;
    w.scheme = scheme;
    w.clip = clip;
    const auto lo = static_cast<float>(std::min(clip.lo, clip.hi)), hi = static_cast<float>(std::max(clip.lo, clip.hi));
    w.amax = std::max(std::fabs(lo), std::fabs(hi));
    if (scheme.symmetry == Symmetry::Asymmetric) {
        w.rangeLo = std::min(lo, 0.0f);
        w.rangeHi = std::max(hi, 0.0f);
        w.widened = w.rangeLo != lo || w.rangeHi != hi;
    } else {
        w.rangeLo = -w.amax;
        w.rangeHi = w.amax;
    }
    w.params = params;
    w.qmin = scheme.qmin();
    w.qmax = scheme.qmax();
    w.loOverS = w.rangeLo / w.params.scale;
    w.loOverSRounded = roundHalfEven(w.loOverS);

    const Quantizer quant(scheme, w.params);
    ErrorAccumulator acc;
    std::vector<bool> used(static_cast<size_t>(w.qmax - w.qmin + 1), false);
    for (float v : x) {
        QuantizeWalkStep s;
        s.x = v;
        s.xOverS = v / quant.scale();
        s.rounded = roundHalfEven(s.xOverS);
        s.tie = std::isfinite(s.xOverS) && s.xOverS - std::floor(s.xOverS) == 0.5f;
        s.shifted = static_cast<double>(s.rounded) + quant.zeroPoint();
        s.q = quant.quantize(v, s.clamped);
        s.xhat = quant.dequantize(s.q);
        s.error = s.xhat - v;
        w.ties += s.tie ? 1 : 0;
        w.clampedCount += s.clamped ? 1 : 0;
        if (std::isfinite(v)) {
            acc.add(v, s.xhat, s.clamped);
            used[static_cast<size_t>(s.q - w.qmin)] = true;
        }
        w.steps.push_back(s);
    }
    w.stats = acc.finish(static_cast<uint64_t>(std::count(used.begin(), used.end(), true)), used.size());
    w.sumSqX = acc.sumSqX;
    w.sumSqErr = acc.sumSqErr;
    return w;
}

inline QuantizeWalk walkQuantize(std::span<const float> x, const QuantScheme& scheme, ClipRange clip) {
    return walkQuantize(x, scheme, clip, paramsFromRange(scheme, clip));
}

}  // namespace qv
