// Body of the error kernel, included by one .cpp per instruction set (internal linkage, no inline
// library calls, so no AVX-compiled function can leak into portable callers).
#pragma once

#include "core/metrics/error_kernel.h"

namespace qv::detail {
namespace {

// Two vectorizable loops over the run (≤ kErrorRunMax elements, L1-resident): first the
// element-wise quantization (no reductions), then the double-precision reductions over W
// independent lanes. Branch-free so the compiler vectorizes both (the TUs are built with
// -fno-trapping-math so that both arms of a select may be evaluated).
// Rounding: (v + 1.5·2^23) − 1.5·2^23 rounds to an integer with ties to even for |v| < 2^22 (as
// roundHalfEven); larger |v| always saturates (|qmax − z| < 2^17), so v itself is clamped. NaN x
// gives NaN v, then r = 0: the zero point, as AffineQuantizer does.
template <int W, bool kReciprocal>
inline void errorKernelBody(const float* x, size_t n, const ErrorKernelParams& p, int32_t* codes, float* err,
                            uint8_t* finite, ErrorRunSums& out) {
    constexpr float kMagic = 0x1.8p23f;
    const float s = p.scale, inv = p.invScale, lowF = p.lowF, highF = p.highF;
    const int32_t z = p.zeroPoint;
    alignas(64) float xs[kErrorRunMax];
    alignas(64) float qs[kErrorRunMax];
    alignas(64) uint8_t clipped[kErrorRunMax];
    for (size_t i = 0; i < n; ++i) {
        const float xv = x[i];
        const bool fin = (xv - xv) == 0.0f;  // false for NaN and ±Inf
        const float v = kReciprocal ? xv * inv : xv / s;
        const float av = v < 0 ? -v : v;
        float r = av < 0x1p22f ? (v + kMagic) - kMagic : v;
        const bool cl = (r < lowF) | (r > highF);
        r = r < lowF ? lowF : r;
        r = r > highF ? highF : r;
        r = r == r ? r : 0.0f;
        const float xq = s * r;
        codes[i] = static_cast<int32_t>(r) + z;
        const float xf = fin ? xv : 0.0f;
        const float qf = fin ? xq : 0.0f;
        xs[i] = xf;
        qs[i] = qf;
        err[i] = qf - xf;  // float error: histogram key and range only
        finite[i] = fin ? 1 : 0;
        clipped[i] = (fin & cl) ? 1 : 0;
    }
    // Moments in double, with the error taken in double too (x̂ − x of two floats is exact
    // there), so they match a scalar double reference up to the order of the sums. Σx̂² and Σx·x̂
    // follow from Σx², Σx·e and Σe² (x̂ = x + e), which saves two accumulators per lane; the
    // histogram range comes from the error keys, so no per-element min/max either.
    double sse[W], sae[W], sxx[W], sxe[W], emax[W];
    uint32_t cnt[W], clip[W];
    for (int j = 0; j < W; ++j) {
        sse[j] = sae[j] = sxx[j] = sxe[j] = emax[j] = 0;
        cnt[j] = clip[j] = 0;
    }
    size_t i = 0;
    for (; i + W <= n; i += W) {
        for (int j = 0; j < W; ++j) {
            const size_t k = i + static_cast<size_t>(j);
            const double dx = xs[k], dq = qs[k];
            const double de = dq - dx;
            const double ae = de < 0 ? -de : de;
            sse[j] += de * de;
            sae[j] += ae;
            sxx[j] += dx * dx;
            sxe[j] += dx * de;
            emax[j] = ae > emax[j] ? ae : emax[j];
            cnt[j] += finite[k];
            clip[j] += clipped[k];
        }
    }
    for (; i < n; ++i) {
        const double dx = xs[i], dq = qs[i];
        const double de = dq - dx;
        const double ae = de < 0 ? -de : de;
        sse[0] += de * de;
        sae[0] += ae;
        sxx[0] += dx * dx;
        sxe[0] += dx * de;
        emax[0] = ae > emax[0] ? ae : emax[0];
        cnt[0] += finite[i];
        clip[0] += clipped[i];
    }

    ErrorRunSums o;
    double xe = 0;
    for (int j = 0; j < W; ++j) {
        o.sumSqErr += sse[j];
        o.sumAbsErr += sae[j];
        o.sumSqX += sxx[j];
        xe += sxe[j];
        o.maxAbsErr = emax[j] > o.maxAbsErr ? emax[j] : o.maxAbsErr;
        o.count += cnt[j];
        o.clipped += clip[j];
    }
    o.sumXXq = o.sumSqX + xe;
    o.sumSqXq = o.sumSqX + 2 * xe + o.sumSqErr;
    out = o;
}

template <int W>
inline void errorKernelDispatch(const float* x, size_t n, const ErrorKernelParams& p, int32_t* codes, float* err,
                                uint8_t* finite, ErrorRunSums& out) {
    if (p.useReciprocal) errorKernelBody<W, true>(x, n, p, codes, err, finite, out);
    else errorKernelBody<W, false>(x, n, p, codes, err, finite, out);
}

}  // namespace
}  // namespace qv::detail
