// Body of the portable error kernel (error_kernel.cpp). The AVX2 and AVX-512 kernels
// (error_kernel_avx2.cpp, error_kernel_avx512.cpp) do the same arithmetic with intrinsics in one
// fused loop; this one is the reference they are tested against.
#pragma once

#include "core/metrics/error_kernel.h"

namespace qv::detail {
namespace {

// Two vectorizable loops over the run (≤ kErrorRunMax elements, L1-resident): first the
// element-wise quantization (no reductions), then the double-precision reductions over W
// independent lanes; code usage and ties follow as rarely-writing scalar loops. Branch-free
// so the compiler vectorizes both (the TUs are built with -fno-trapping-math so that both arms of
// a select may be evaluated).
// Rounding: (v + 1.5·2^23) − 1.5·2^23 rounds to an integer with ties to even for |v| < 2^22 (as
// roundHalfEven); larger |v| always saturates (|qmax − z| < 2^17), so v itself is clamped. NaN x
// gives NaN v, then r = 0: the zero point, as Quantizer does.
template <int W, bool kReciprocal>
inline void errorKernelBody(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                            const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    constexpr float kMagic = 0x1.8p23f;
    const float s = p.scale, inv = p.invScale, lowF = p.lowF, highF = p.highF;
    const int32_t indexOffset = p.zeroPoint - p.qmin;
    alignas(64) float xs[kErrorRunMax];
    alignas(64) float qs[kErrorRunMax];
    alignas(64) int32_t idx[kErrorRunMax];
    alignas(64) uint8_t fins[kErrorRunMax];
    alignas(64) uint8_t clipped[kErrorRunMax];
    alignas(64) uint8_t tie[kErrorRunMax];
    uint32_t anyTie = 0;
    for (size_t i = 0; i < n; ++i) {
        const float xv = x[i];
        const bool fin = (xv - xv) == 0.0f;  // false for NaN and ±Inf
        const float v = kReciprocal ? xv * inv : xv / s;
        const float av = v < 0 ? -v : v;
        float r = av < 0x1p22f ? (v + kMagic) - kMagic : v;
        // A tie: v is exactly halfway (|v − round(v)| = ½) strictly inside the grid, so the
        // boundary lies between two codes (as boundaryHits in the app counts them).
        const float d = v - r;
        const bool inside = fin & (v > lowF) & (v < highF);
        // 1: rounded down (code below = this code), 2: rounded up (code below = this code − 1).
        const uint8_t t = static_cast<uint8_t>((inside & (d == 0.5f)) | ((inside & (d == -0.5f)) << 1));
        const bool cl = (r < lowF) | (r > highF);
        r = r < lowF ? lowF : r;
        r = r > highF ? highF : r;
        r = r == r ? r : 0.0f;
        const float xq = s * r;
        idx[i] = static_cast<int32_t>(r) + indexOffset;
        const float xf = fin ? xv : 0.0f;
        const float qf = fin ? xq : 0.0f;
        xs[i] = xf;
        qs[i] = qf;
        fins[i] = fin ? 1 : 0;
        clipped[i] = (fin & cl) ? 1 : 0;
        tie[i] = t;
        anyTie |= t;
    }
    if (outputs.codeIndex)
        for (size_t i = 0; i < n; ++i) outputs.codeIndex[i] = idx[i];
    if (outputs.err)
        for (size_t i = 0; i < n; ++i) outputs.err[i] = qs[i] - xs[i];  // float error: histogram key only
    if (outputs.finite)
        for (size_t i = 0; i < n; ++i) outputs.finite[i] = fins[i];
    if (usage.bits) {
        // Test before setting: after the first blocks every code is known, so this only loads.
        uint32_t* bits = usage.bits;
        for (size_t i = 0; i < n; ++i) {
            const auto c = static_cast<uint32_t>(idx[i]);
            const uint32_t m = 1u << (c & 31);
            if (fins[i] && !(bits[c >> 5] & m)) bits[c >> 5] |= m;
        }
    }
    if (anyTie)
        for (size_t i = 0; i < n; ++i)
            if (tie[i]) recordTie(ties, tie[i] == 1 ? idx[i] : idx[i] - 1);
    // Moments in double, with the error taken in double too (x̂ − x of two floats is exact
    // there), so they match a scalar double reference up to the order of the sums. Σx̂² and Σx·x̂
    // follow from Σx², Σx·e and Σe² (x̂ = x + e), which saves two accumulators per lane.
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
            cnt[j] += fins[k];
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
        cnt[0] += fins[i];
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
inline void errorKernelDispatch(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                                const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    if (p.useReciprocal) errorKernelBody<W, true>(x, n, p, usage, ties, outputs, out);
    else errorKernelBody<W, false>(x, n, p, usage, ties, outputs, out);
}

}  // namespace
}  // namespace qv::detail
