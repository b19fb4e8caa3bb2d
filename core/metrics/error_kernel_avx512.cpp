// Error kernel for AVX-512 (per-file flags in metrics/sources.cmake; chosen at run time): one fused
// loop, 16 elements per step, everything in registers — no per-element store unless the caller
// asks for the histogram outputs.
// GCC 12 reports its own intrinsics' _mm512_undefined_*() placeholders as "maybe uninitialized"
// once they are inlined (a false positive of the header, not of this code).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "core/metrics/error_kernel.h"

namespace qv::detail {
namespace {

// The arithmetic is AffineQuantizer's and the portable kernel's (error_kernel_impl.h):
//   v = x/s (or x·fl32(1/s) for PyTorch), r = round-half-even(v) (vrndscaleps, imm 0: nearest
//   even, exact for every magnitude), codes saturate at [qmin − z, qmax − z], NaN → r = 0,
//   x̂ = s·r in float32, e = x̂ − x taken in double (exact there).
// Double sums use FMA: the products x², x·e, e² of float-derived doubles are exact or nearly so,
// and the reference tolerance is the order of summation anyway (tests: 1e−9 relative).
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
    uint64_t count = 0, clipped = 0;

    // Code usage in a register when the bitmap has ≤ 16 words; otherwise test-then-set per code.
    uint32_t* bits = usage.bits;
    const bool inRegister = bits && usage.words <= 16;
    const auto wordMask = static_cast<__mmask16>(inRegister ? (1u << usage.words) - 1u : 0u);
    __m512i table = inRegister ? _mm512_maskz_loadu_epi32(wordMask, bits) : _mm512_setzero_si512();

    for (size_t i = 0; i < n; i += 16) {
        const auto live = static_cast<__mmask16>(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1u);
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
            }
        } else if (bits) {
            alignas(64) int32_t c[16];
            _mm512_store_si512(c, ci);
            for (unsigned m = fin; m; m &= m - 1) {
                const auto code = static_cast<uint32_t>(c[__builtin_ctz(m)]);
                const uint32_t b = 1u << (code & 31);
                if (!(bits[code >> 5] & b)) bits[code >> 5] |= b;
            }
        }

        __m512 xf = xv, qf = xq;
        if (fin != 0xFFFF) [[unlikely]] {
            xf = _mm512_maskz_mov_ps(fin, xv);
            qf = _mm512_maskz_mov_ps(fin, xq);
        }
        if constexpr (kOutputs) {
            if (outs.codeIndex) _mm512_mask_storeu_epi32(outs.codeIndex + i, live, ci);
            if (outs.err) _mm512_mask_storeu_ps(outs.err + i, live, _mm512_sub_ps(qf, xf));
            if (outs.finite) _mm_mask_storeu_epi8(outs.finite + i, live, _mm512_cvtepi32_epi8(_mm512_maskz_mov_epi32(fin, vOne)));
        }
        {
            const __m512d dx = _mm512_cvtps_pd(_mm512_castps512_ps256(xf));
            const __m512d dq = _mm512_cvtps_pd(_mm512_castps512_ps256(qf));
            const __m512d de = _mm512_sub_pd(dq, dx);
            const __m512d ae = _mm512_and_pd(de, absMaskD);
            sseL = _mm512_fmadd_pd(de, de, sseL);
            saeL = _mm512_add_pd(saeL, ae);
            emaxL = _mm512_max_pd(emaxL, ae);
            sxxL = _mm512_fmadd_pd(dx, dx, sxxL);
            sxeL = _mm512_fmadd_pd(dx, de, sxeL);
        }
        {
            const __m512d dx = _mm512_cvtps_pd(_mm512_extractf32x8_ps(xf, 1));
            const __m512d dq = _mm512_cvtps_pd(_mm512_extractf32x8_ps(qf, 1));
            const __m512d de = _mm512_sub_pd(dq, dx);
            const __m512d ae = _mm512_and_pd(de, absMaskD);
            sseH = _mm512_fmadd_pd(de, de, sseH);
            saeH = _mm512_add_pd(saeH, ae);
            emaxH = _mm512_max_pd(emaxH, ae);
            sxxH = _mm512_fmadd_pd(dx, dx, sxxH);
            sxeH = _mm512_fmadd_pd(dx, de, sxeH);
        }
        count += static_cast<uint64_t>(__builtin_popcount(fin));
        clipped += static_cast<uint64_t>(__builtin_popcount(clip));
    }

    ErrorRunSums o;
    o.count = count;
    o.clipped = clipped;
    o.sumSqErr = _mm512_reduce_add_pd(_mm512_add_pd(sseL, sseH));
    o.sumAbsErr = _mm512_reduce_add_pd(_mm512_add_pd(saeL, saeH));
    o.sumSqX = _mm512_reduce_add_pd(_mm512_add_pd(sxxL, sxxH));
    const double xe = _mm512_reduce_add_pd(_mm512_add_pd(sxeL, sxeH));
    o.maxAbsErr = _mm512_reduce_max_pd(_mm512_max_pd(emaxL, emaxH));
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
