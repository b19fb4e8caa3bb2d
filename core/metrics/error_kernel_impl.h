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
    constexpr float kInf = __builtin_huge_valf();
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
    // there), so they match a scalar double reference up to the order of the sums.
    double sse[W], sae[W], sxx[W], sqq[W], sxq[W], emax[W];
    float emn[W], emx[W];
    uint32_t cnt[W], clip[W];
    for (int j = 0; j < W; ++j) {
        sse[j] = sae[j] = sxx[j] = sqq[j] = sxq[j] = emax[j] = 0;
        emn[j] = kInf;
        emx[j] = -kInf;
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
            sqq[j] += dq * dq;
            sxq[j] += dx * dq;
            emax[j] = ae > emax[j] ? ae : emax[j];
            const bool fin = finite[k] != 0;
            const float e = err[k];
            const float lo = fin ? e : kInf, hi = fin ? e : -kInf;
            emn[j] = lo < emn[j] ? lo : emn[j];
            emx[j] = hi > emx[j] ? hi : emx[j];
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
        sqq[0] += dq * dq;
        sxq[0] += dx * dq;
        emax[0] = ae > emax[0] ? ae : emax[0];
        if (finite[i]) {
            emn[0] = err[i] < emn[0] ? err[i] : emn[0];
            emx[0] = err[i] > emx[0] ? err[i] : emx[0];
        }
        cnt[0] += finite[i];
        clip[0] += clipped[i];
    }

    ErrorRunSums o;
    o.errMin = kInf;
    o.errMax = -kInf;
    for (int j = 0; j < W; ++j) {
        o.sumSqErr += sse[j];
        o.sumAbsErr += sae[j];
        o.sumSqX += sxx[j];
        o.sumSqXq += sqq[j];
        o.sumXXq += sxq[j];
        o.maxAbsErr = emax[j] > o.maxAbsErr ? emax[j] : o.maxAbsErr;
        o.errMin = emn[j] < o.errMin ? emn[j] : o.errMin;
        o.errMax = emx[j] > o.errMax ? emx[j] : o.errMax;
        o.count += cnt[j];
        o.clipped += clip[j];
    }
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
