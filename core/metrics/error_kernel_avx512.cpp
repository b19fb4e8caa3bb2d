// Error kernel for AVX-512 (per-file flags in metrics/sources.cmake; chosen at run time): one fused
// loop, 16 elements per step, everything in registers — no per-element store unless the caller
// asks for the histogram outputs. Whole vectors take a fast step (one compare finds any lane that
// needs more than the sums) and fall back to the careful step, which handles every case.
// GCC 12 reports its own intrinsics' _mm512_undefined_*() placeholders as "maybe uninitialized"
// once they are inlined (a false positive of the header, not of this code).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cmath>

#include "core/metrics/error_kernel.h"

namespace qv::detail {
namespace {

// The arithmetic is Quantizer's and the portable kernel's (error_kernel_impl.h):
//   v = x/s (or x·fl32(1/s) for PyTorch), r = round-half-even(v) (vrndscaleps, imm 0: nearest
//   even, exact for every magnitude), codes saturate at [qmin − z, qmax − z], NaN → r = 0,
//   x̂ = s·r in float32, e = x̂ − x taken in double (exact there).
// Double sums use FMA: the products x², x·e, e² of float-derived doubles are exact or nearly so,
// and the reference tolerance is the order of summation anyway (tests: 1e−9 relative).
// The fast step takes e = x̂ − x in float32, which is exact for every lane that is not clipped:
// with r ≠ 0, x and x̂ have the same sign and x̂/2 ≤ x ≤ 2x̂ (Sterbenz: the difference of two
// such floats is exact). The tight case is r = 1 (r ≥ 2 has wide margins, r = 0 gives e = −x):
// r = 1 needs v > ½ (½ is a tie and goes to 0), so v ≥ ½ + 2^−24 and x/s > ½ in real numbers,
// while x̂ = fl(s·1) = s: x > x̂/2. With the reciprocal, x < s/2 means x ≤ (s/2)(1 − 2^−24) and
// fl(1/s) ≤ (1/s)(1 + 2^−24) (or s is a power of two and fl(1/s) = 1/s), so x·fl(1/s) < ½ and
// r = 0: the bound holds there too. v < 1.5 gives x < 2s. A clipped lane (x beyond the grid, x̂
// at its end) has no such bound, so the careful step takes e in double, as it always does.
// Software prefetch distance: the loop's arithmetic is long enough per cache line that the
// hardware prefetcher alone does not keep the stream ahead (measured on one core streaming from DRAM).
constexpr int kPrefetchBytes = 1024;

template <bool kReciprocal, bool kOutputs>
void kernel(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
            const ErrorRunOutputs& outs, ErrorRunSums& out) {
    const __m512 vs = _mm512_set1_ps(p.scale), vinv = _mm512_set1_ps(p.invScale);
    const __m512 vlo = _mm512_set1_ps(p.lowF), vhi = _mm512_set1_ps(p.highF);
    const __m512 vhalf = _mm512_set1_ps(0.5f);
    const __m512 absMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
    const __m512d absMaskD = _mm512_castsi512_pd(_mm512_set1_epi64(0x7FFFFFFFFFFFFFFFll));
    const __m512i vOffset = _mm512_set1_epi32(p.zeroPoint - p.qmin);
    const __m512i vOne = _mm512_set1_epi32(1);
    __m512d sseL = _mm512_setzero_pd(), sseH = sseL, saeL = sseL, saeH = sseL, sxxL = sseL, sxxH = sseL;
    __m512d sxeL = sseL, sxeH = sseL, emaxL = sseL, emaxH = sseL;
    __m512 emaxF = _mm512_setzero_ps();  // max |e| of the vectors whose e is exact in float
    uint64_t nonFinite = 0, clipped = 0;
    // The careful step's sums: e in double (exact there for every lane, clipped ones included).
    const auto exactStep = [&](__m512 xf, __m512 qf) __attribute__((always_inline)) {
        const __m512d dxL = _mm512_cvtps_pd(_mm512_castps512_ps256(xf));
        const __m512d dxH = _mm512_cvtps_pd(_mm512_extractf32x8_ps(xf, 1));
        const __m512d deL = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(qf)), dxL);
        const __m512d deH = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(qf, 1)), dxH);
        const __m512d aeL = _mm512_and_pd(deL, absMaskD), aeH = _mm512_and_pd(deH, absMaskD);
        sseL = _mm512_fmadd_pd(deL, deL, sseL);
        sseH = _mm512_fmadd_pd(deH, deH, sseH);
        saeL = _mm512_add_pd(saeL, aeL);
        saeH = _mm512_add_pd(saeH, aeH);
        emaxL = _mm512_max_pd(emaxL, aeL);
        emaxH = _mm512_max_pd(emaxH, aeH);
        sxxL = _mm512_fmadd_pd(dxL, dxL, sxxL);
        sxxH = _mm512_fmadd_pd(dxH, dxH, sxxH);
        sxeL = _mm512_fmadd_pd(dxL, deL, sxeL);
        sxeH = _mm512_fmadd_pd(dxH, deH, sxeH);
    };

    // Code usage in a register when the bitmap has ≤ 16 words; otherwise test-then-set per code.
    uint32_t* bits = usage.bits;
    const bool inRegister = bits && usage.words <= 16;
    const auto wordMask = static_cast<__mmask16>(inRegister ? (1u << usage.words) - 1u : 0u);
    __m512i table = inRegister ? _mm512_maskz_loadu_epi32(wordMask, bits) : _mm512_setzero_si512();
    // Codes known used, as an interval of r (= code index − offset) for the fast step: a lane
    // whose r stays inside needs no code-usage work. Kept between runs in usage.seen; without
    // code tracking it is the whole grid. Empty: NaN bounds, which every lane fails.
    const int32_t indexOffset = p.zeroPoint - p.qmin;
    int32_t seenLo = 1, seenHi = 0;
    if (bits) startSeen(usage, indexOffset, seenLo, seenHi);
    __m512 vSeenLo = vlo, vSeenHi = vhi;
    const auto setSeenVectors = [&] {
        vSeenLo = _mm512_set1_ps(seenLo <= seenHi ? static_cast<float>(seenLo - indexOffset) : NAN);
        vSeenHi = _mm512_set1_ps(seenLo <= seenHi ? static_cast<float>(seenHi - indexOffset) : NAN);
    };
    const auto nbits = static_cast<int32_t>(usage.words * 32);
    if (bits) setSeenVectors();

    // The careful step: 16 lanes (`live`: the lanes inside the run), every case handled lane by
    // lane with masks — non-finite x, ties, codes not seen yet, clipping. The tail of a run and
    // every vector the fast step below finds one of these in go through here.
    const auto careful = [&](size_t i, __mmask16 live) __attribute__((always_inline)) {
        _mm_prefetch(reinterpret_cast<const char*>(x + i) + kPrefetchBytes, _MM_HINT_T0);
        const __m512 xv = _mm512_maskz_loadu_ps(live, x + i);
        // Finite: not NaN (quiet 0x01, signalling 0x80) and not ±Inf (0x08, 0x10) — one vfpclassps.
        const __mmask16 fin = live & static_cast<__mmask16>(~_mm512_fpclass_ps_mask(xv, 0x99));
        const __m512 v = kReciprocal ? _mm512_mul_ps(xv, vinv) : _mm512_div_ps(xv, vs);
        const __m512 rr = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        // vmaxps returns its second operand when the first is NaN, so r is never NaN: a NaN x
        // gets a valid (saturated) code here, fixed to the zero point below where codes are
        // written out; the sums and the code usage skip non-finite lanes anyway.
        __m512 r = _mm512_min_ps(_mm512_max_ps(rr, vlo), vhi);
        const __mmask16 clip = _mm512_mask_cmp_ps_mask(fin, rr, r, _CMP_NEQ_UQ);
        if constexpr (kOutputs) r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), _mm512_setzero_ps());
        const __m512 xq = _mm512_mul_ps(vs, r);
        const __m512i ci = _mm512_add_epi32(_mm512_cvttps_epi32(r), vOffset);

        // Ties: |v − round(v)| = ½ exactly; the boundary must lie strictly inside the grid.
        const __m512 d = _mm512_sub_ps(v, rr);
        const __mmask16 half = _mm512_mask_cmp_ps_mask(fin, _mm512_and_ps(d, absMask), vhalf, _CMP_EQ_OQ);
        if (half) [[unlikely]] {
            const __mmask16 inside =
                _mm512_mask_cmp_ps_mask(half, v, vlo, _CMP_GT_OQ) & _mm512_mask_cmp_ps_mask(half, v, vhi, _CMP_LT_OQ);
            alignas(64) int32_t c[16];
            alignas(64) float dd[16];
            _mm512_store_si512(c, ci);
            _mm512_store_ps(dd, d);
            for (unsigned m = inside; m; m &= m - 1) {
                const int lane = __builtin_ctz(m);
                recordTie(ties, dd[lane] > 0 ? c[lane] : c[lane] - 1);  // rounded down: this code is below
            }
        }

        if (inRegister) {
            const __m512i word = _mm512_permutexvar_epi32(_mm512_srli_epi32(ci, 5), table);
            // vprorvd rotates by the count modulo 32: bit (code mod 32) lands in bit 0.
            const __mmask16 fresh = _mm512_mask_testn_epi32_mask(fin, _mm512_rorv_epi32(word, ci), vOne);
            if (fresh) [[unlikely]] {
                alignas(64) int32_t c[16];
                _mm512_store_si512(c, ci);
                for (unsigned m = fresh; m; m &= m - 1) {
                    const auto code = static_cast<uint32_t>(c[__builtin_ctz(m)]);
                    bits[code >> 5] |= 1u << (code & 31);
                }
                table = _mm512_maskz_loadu_epi32(wordMask, bits);
                if constexpr (!kOutputs) {
                    growSeen(bits, nbits, c[__builtin_ctz(fresh)], seenLo, seenHi);
                    setSeenVectors();
                }
            }
        } else if (bits) {
            alignas(64) int32_t c[16];
            _mm512_store_si512(c, ci);
            int32_t grew = -1;
            for (unsigned m = fin; m; m &= m - 1) {
                const auto code = static_cast<uint32_t>(c[__builtin_ctz(m)]);
                const uint32_t b = 1u << (code & 31);
                if (!(bits[code >> 5] & b)) {
                    bits[code >> 5] |= b;
                    grew = static_cast<int32_t>(code);
                }
            }
            if (!kOutputs && grew >= 0) {
                growSeen(bits, nbits, grew, seenLo, seenHi);
                setSeenVectors();
            }
        }

        __m512 xf = xv, qf = xq;
        if (fin != live) [[unlikely]] {
            xf = _mm512_maskz_mov_ps(fin, xv);
            qf = _mm512_maskz_mov_ps(fin, xq);
            nonFinite += static_cast<uint64_t>(__builtin_popcount(live & ~fin));
        }
        if constexpr (kOutputs) {
            if (outs.codeIndex) _mm512_mask_storeu_epi32(outs.codeIndex + i, live, ci);
            if (outs.err) _mm512_mask_storeu_ps(outs.err + i, live, _mm512_sub_ps(qf, xf));
            if (outs.finite) _mm_mask_storeu_epi8(outs.finite + i, live, _mm512_cvtepi32_epi8(_mm512_maskz_mov_epi32(fin, vOne)));
        }
        // The sums with e in double: no branch on clipping here, which would be taken at random
        // when a fraction of the vectors clip (the fast step's float e is exact only without).
        clipped += static_cast<uint64_t>(__builtin_popcount(clip));
        exactStep(xf, qf);
    };
    // The fast step, for 16 whole lanes. r is clamped to the interval of codes already seen, not
    // to the grid, so one compare, |v − r| < ½, passes exactly the lanes that need nothing but the
    // sums: it fails for a tie (|v − r| = ½), a clipped lane or a code not seen yet (r ≠ round(v),
    // so |v − r| ≥ ½; rounding of the difference cannot take it below ½) and NaN or ±Inf. Any such
    // vector is redone by the careful step; what is left is finite, inside the grid, e exact in
    // float (see the note at the top).
    // Division costs more than the rest of the step: for grids of ≤ 2^10 codes and normal scales,
    // v' = x·fl(1/s) replaces fl(x/s) (the seeds' definition) here. |v' − fl(x/s)| ≤
    // (3·2^−24 + 2^−48)·|x/s| (two roundings in the product, one in the quotient; results below
    // the normal range round to code 0 either way) < ε = gridMax·2^−22 for every lane that can
    // pass (|x/s| < gridMax), so a lane with |v' − r| < ½ − ε has fl(x/s) strictly within ½ of r: the same code
    // and no tie. Lanes in the thin band ½ − ε ≤ |v' − r| < ½ (about 2·ε of all, 0.01 % for int8)
    // go careful, which divides. Example of why the band is needed: s = 0x1.2022eep+9,
    // x = −0x1.1841fap+16 gives x/s = −124.5 (a tie, code −124) but x·fl(1/s) = −124.50000763.
    const float gridMax = (p.highF > -p.lowF ? p.highF : -p.lowF) + 1.5f;
    const bool fastMul = kReciprocal || (gridMax <= 1024.0f && p.scale > 0x1p-125f && p.scale < 0x1p125f);
    const __m512 vOkBound = _mm512_set1_ps(kReciprocal || !fastMul ? 0.5f : 0.5f - gridMax * 0x1p-22f);
    const auto fast = [&](size_t i) __attribute__((always_inline)) {
        _mm_prefetch(reinterpret_cast<const char*>(x + i) + kPrefetchBytes, _MM_HINT_T0);
        const __m512 xv = _mm512_loadu_ps(x + i);
        const __m512 v = fastMul ? _mm512_mul_ps(xv, vinv) : _mm512_div_ps(xv, vs);
        const __m512 rr = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const __m512 r = _mm512_min_ps(_mm512_max_ps(rr, vSeenLo), vSeenHi);
        const __m512 xq = _mm512_mul_ps(vs, r);
        const __mmask16 ok = _mm512_cmp_ps_mask(_mm512_and_ps(_mm512_sub_ps(v, r), absMask), vOkBound, _CMP_LT_OQ);
        if (ok != 0xFFFF) [[unlikely]] {
            careful(i, 0xFFFF);
            return false;
        }
        const __m512 ef = _mm512_sub_ps(xq, xv);
        emaxF = _mm512_max_ps(emaxF, _mm512_and_ps(ef, absMask));
        const __m512d dxL = _mm512_cvtps_pd(_mm512_castps512_ps256(xv));
        const __m512d dxH = _mm512_cvtps_pd(_mm512_extractf32x8_ps(xv, 1));
        const __m512d deL = _mm512_cvtps_pd(_mm512_castps512_ps256(ef));
        const __m512d deH = _mm512_cvtps_pd(_mm512_extractf32x8_ps(ef, 1));
        sseL = _mm512_fmadd_pd(deL, deL, sseL);
        sseH = _mm512_fmadd_pd(deH, deH, sseH);
        saeL = _mm512_add_pd(saeL, _mm512_and_pd(deL, absMaskD));
        saeH = _mm512_add_pd(saeH, _mm512_and_pd(deH, absMaskD));
        sxxL = _mm512_fmadd_pd(dxL, dxL, sxxL);
        sxxH = _mm512_fmadd_pd(dxH, dxH, sxxH);
        sxeL = _mm512_fmadd_pd(dxL, deL, sxeL);
        sxeH = _mm512_fmadd_pd(dxH, deH, sxeH);
        return true;
    };

    size_t i = 0;
    if constexpr (!kOutputs) {
        // When many vectors fall back (heavy clipping: a clipped lane in most vectors), trying
        // the fast step first only adds its work and a mispredicted branch: after more than a
        // quarter of the run's vectors so far (plus a little slack), the rest go careful.
        size_t fallbacks = 0;
        for (; i + 16 <= n; i += 16) {
            if (!fast(i) && 4 * ++fallbacks > i / 16 + 8) {
                i += 16;
                break;
            }
        }
    }
    for (; i + 16 <= n; i += 16) careful(i, 0xFFFF);
    if (i < n) careful(i, static_cast<__mmask16>((1u << (n - i)) - 1u));
    if (bits && usage.seen) {
        usage.seen[0] = seenLo;
        usage.seen[1] = seenHi;
    }

    ErrorRunSums o;
    o.count = n - nonFinite;
    o.clipped = clipped;
    o.sumSqErr = _mm512_reduce_add_pd(_mm512_add_pd(sseL, sseH));
    o.sumAbsErr = _mm512_reduce_add_pd(_mm512_add_pd(saeL, saeH));
    o.sumSqX = _mm512_reduce_add_pd(_mm512_add_pd(sxxL, sxxH));
    const double xe = _mm512_reduce_add_pd(_mm512_add_pd(sxeL, sxeH));
    o.maxAbsErr = _mm512_reduce_max_pd(_mm512_max_pd(emaxL, emaxH));
    const double emaxFloat = _mm512_reduce_max_ps(emaxF);  // exact: each was a float e
    if (emaxFloat > o.maxAbsErr) o.maxAbsErr = emaxFloat;
    // x̂ = x + e: Σx·x̂ = Σx² + Σx·e and Σx̂² = Σx² + 2Σx·e + Σe².
    o.sumXXq = o.sumSqX + xe;
    o.sumSqXq = o.sumSqX + 2 * xe + o.sumSqErr;
    out = o;
}

}  // namespace

void errorKernelAvx512(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                       const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    const bool outs = outputs.codeIndex || outputs.err || outputs.finite;
    if (p.useReciprocal) {
        if (outs) kernel<true, true>(x, n, p, usage, ties, outputs, out);
        else kernel<true, false>(x, n, p, usage, ties, outputs, out);
    } else {
        if (outs) kernel<false, true>(x, n, p, usage, ties, outputs, out);
        else kernel<false, false>(x, n, p, usage, ties, outputs, out);
    }
}

}  // namespace qv::detail
