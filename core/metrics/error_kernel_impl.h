// Body of the error kernel, included by one .cpp per instruction set (internal linkage, no inline
// library calls, so no AVX-compiled function can leak into portable callers).
#pragma once

#include "core/metrics/error_kernel.h"

namespace qv::detail {
namespace {

// Branch-free so the compiler vectorizes it. Rounding: (v + 1.5·2^23) − 1.5·2^23 rounds to an
// integer with ties to even for |v| < 2^22 (as roundHalfEven); larger |v| always saturates
// (|qmax − z| < 2^17), so v itself is clamped. NaN x gives NaN v, then r = 0: the zero point.
template <int W, bool kReciprocal>
inline void errorKernelBody(const float* x, size_t n, const ErrorKernelParams& p, int32_t* codes, float* err,
                            uint8_t* finite, ErrorRunSums& out) {
    constexpr float kMagic = 0x1.8p23f;
    constexpr float kInf = __builtin_huge_valf();
    const float s = p.scale, inv = p.invScale, lowF = p.lowF, highF = p.highF;
    const int32_t z = p.zeroPoint;
    double sse[W], sae[W], sxx[W], sqq[W], sxq[W];
    double emax[W];
    float emn[W], emx[W];
    uint32_t cnt[W], clip[W];
    for (int j = 0; j < W; ++j) {
        sse[j] = sae[j] = sxx[j] = sqq[j] = sxq[j] = 0;
        emax[j] = 0;
        emn[j] = kInf;
        emx[j] = -kInf;
        cnt[j] = clip[j] = 0;
    }
    auto one = [&](size_t i, int j) {
        const float xv = x[i];
        const bool fin = (xv - xv) == 0.0f;  // false for NaN and ±Inf
        const float v = kReciprocal ? xv * inv : xv / s;
        const float av = v < 0 ? -v : v;
        float r = av < 0x1p22f ? (v + kMagic) - kMagic : v;
        const bool cl = r < lowF || r > highF;
        r = r < lowF ? lowF : r;
        r = r > highF ? highF : r;
        r = r == r ? r : 0.0f;
        const float xq = s * r;
        codes[i] = static_cast<int32_t>(r) + z;
        const float e = fin ? xq - xv : 0.0f;  // float error: histogram key and range only
        const float xf = fin ? xv : 0.0f;
        const float qf = fin ? xq : 0.0f;
        err[i] = e;
        finite[i] = fin ? 1 : 0;
        // Moments in double, with the error taken in double too (x̂ − x of two floats is exact
        // there), so they match a scalar double reference to rounding of the sums.
        const double dx = xf, dq = qf;
        const double de = dq - dx;
        sse[j] += de * de;
        const double ae = de < 0 ? -de : de;
        sae[j] += ae;
        sxx[j] += dx * dx;
        sqq[j] += dq * dq;
        sxq[j] += dx * dq;
        emax[j] = ae > emax[j] ? ae : emax[j];
        const float emnCand = fin ? e : kInf, emxCand = fin ? e : -kInf;
        emn[j] = emnCand < emn[j] ? emnCand : emn[j];
        emx[j] = emxCand > emx[j] ? emxCand : emx[j];
        cnt[j] += fin ? 1u : 0u;
        clip[j] += (fin && cl) ? 1u : 0u;
    };
    size_t i = 0;
    for (; i + W <= n; i += W)
        for (int j = 0; j < W; ++j) one(i + static_cast<size_t>(j), j);
    for (; i < n; ++i) one(i, 0);

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
