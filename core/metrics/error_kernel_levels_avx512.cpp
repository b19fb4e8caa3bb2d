// Error kernel for level formats (FP8, FP6, FP4, NF4 and their MX/NVFP4 forms) with AVX-512 (per-file
// flags in metrics/sources.cmake; chosen at run time): 16 elements per step, the sums in double as in
// the scalar kernel. The level is found without a table search where the grid allows:
// - floating-point grids (LevelTable::fpMantissaBits ≥ 0): rounding done by arithmetic, exactly as on
//   the format — y = |v|·2^(m − E) with E = max(floor(log2 |v|), emin) is exact (a power-of-two
//   scaling), round-half-even(y)·2^(E − m) is the nearest value of the grid with ties to the even
//   mantissa, which is the even bit pattern (a carry into the next binade gives its first value);
// - other grids of ≤ 16 levels (NF4): the index is the count of midpoints below v (15 compares);
// - anything else: the table's 16-bit-key accelerator read with vector gathers.
// Values exactly on a midpoint go through the scalar definition (LevelTable::index), tie log included.
// Only the metrics pass runs here; a run that asks for per-element outputs (the histogram views,
// ≤ 1024 elements) goes to the scalar kernel.
// GCC 12 reports its own intrinsics' _mm512_undefined_*() placeholders as "maybe uninitialized"
// once they are inlined (a false positive of the header, not of this code).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cmath>

#include "core/metrics/error_kernel.h"
#include "core/quant/number_format.h"

namespace qv::detail {
namespace {

constexpr int kPrefetchBytes = 1024;

// How the level of v is found (see the note at the top).
enum class Search { Arithmetic, Compare16, Gather };
// Same arithmetic and results as errorKernelLevels (error_kernel_levels.cpp): v = fl32(x/s) (vdivps
// is the IEEE quotient, as the scalar division), the index LevelTable::index(v) gives, x̂ = fl32(s·level),
// e = x̂ − x in double; ties exactly on a midpoint recorded against the level below; clipped as
// LevelTable::clipped; the sums differ from the scalar kernel's only in the order of addition.
template <Search kSearch>
void kernel(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties, ErrorRunSums& out) {
    const LevelTable& t = *p.table;
    const int32_t size = t.size();
    const auto* keyRange = reinterpret_cast<const int*>(t.keyRange.data());
    const float* levelData = t.levels.data();
    const float* midData = t.midpoints.data();
    // Compare16: the midpoints broadcast once, the levels in one register (permute by index).
    __m512 midB[15];
    int32_t nMid = 0;
    __m512 levelReg = _mm512_setzero_ps();
    if constexpr (kSearch == Search::Compare16) {
        nMid = size - 1;
        for (int32_t m = 0; m < nMid; ++m) midB[m] = _mm512_set1_ps(t.midpoints[static_cast<size_t>(m)]);
        levelReg = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << size) - 1u), levelData);
    }
    // Arithmetic: the grid's constants.
    const int mBits = t.fpMantissaBits;
    const __m512 vMant = _mm512_set1_ps(static_cast<float>(mBits));
    const __m512 vEmin = _mm512_set1_ps(static_cast<float>(t.fpMinExponent));
    const __m512 vMaxAbs = _mm512_set1_ps(t.maxAbs), vTop = _mm512_set1_ps(2 * t.maxAbs);
    const __m512 vMinNormal = _mm512_set1_ps(std::ldexp(1.0f, t.fpMinExponent));
    const __m512 vSubScale = _mm512_set1_ps(std::ldexp(1.0f, mBits - t.fpMinExponent));
    const __m512i vRebias = _mm512_set1_epi32((126 + t.fpMinExponent) << (mBits > 0 ? mBits : 0));
    const __m512i vZeroIndex = _mm512_set1_epi32(t.zeroIndex);
    const __m512 vHalf = _mm512_set1_ps(0.5f);
    const __m512 absMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7FFFFFFF));
    const __m512i signMask = _mm512_set1_epi32(static_cast<int>(0x80000000u));
    const __m512 vs = _mm512_set1_ps(p.scale);
    const __m512 vLowClip = _mm512_set1_ps(t.lowClip), vHighClip = _mm512_set1_ps(t.highClip);
    const __m512d absMaskD = _mm512_castsi512_pd(_mm512_set1_epi64(0x7FFFFFFFFFFFFFFFll));
    const __m512i vByte = _mm512_set1_epi32(0xFF), vOne = _mm512_set1_epi32(1), vLow16 = _mm512_set1_epi32(0xFFFF);
    __m512d sseL = _mm512_setzero_pd(), sseH = sseL, saeL = sseL, saeH = sseL, sxxL = sseL, sxxH = sseL;
    __m512d sxeL = sseL, sxeH = sseL, emaxL = sseL, emaxH = sseL;
    uint64_t count = 0, clipped = 0;

    // Levels used, as a bitmap of ≤ 8 words (≤ 256 levels) held in a register: each vector tests its
    // 16 indices against it (a permute and a rotate), and only an index not seen before (rare after
    // the first vectors) stores. Not an interval of known levels as the integer kernel keeps: an FP
    // format's used levels have holes (the subnormals near 0 are hit rarely), and lanes in the holes
    // would take the slow path on every vector.
    uint32_t* bits = usage.bits;
    const auto wordMask = static_cast<__mmask16>(bits ? (1u << usage.words) - 1u : 0u);
    __m512i used = _mm512_maskz_loadu_epi32(wordMask, bits);

    const auto step = [&](size_t i, __mmask16 live) __attribute__((always_inline)) {
        _mm_prefetch(reinterpret_cast<const char*>(x + i) + kPrefetchBytes, _MM_HINT_T0);
        const __m512 xv = _mm512_maskz_loadu_ps(live, x + i);
        // Finite: not NaN (quiet 0x01, signalling 0x80) and not ±Inf (0x08, 0x10).
        const __mmask16 fin = live & static_cast<__mmask16>(~_mm512_fpclass_ps_mask(xv, 0x99));
        const __m512 v = _mm512_div_ps(xv, vs);
        const __m512i vb = _mm512_castps_si512(v);
        __m512i k;
        __m512 level;
        __mmask16 slow;  // lanes that take the scalar definition: on (or possibly on) a midpoint
        if constexpr (kSearch == Search::Arithmetic) {
            // a ≤ 2·maxAbs keeps y finite (v may be ±Inf when x/s overflows); beyond the end level the
            // result saturates to maxAbs either way (clipping is decided below, on v itself).
            const __m512 a = _mm512_min_ps(_mm512_and_ps(v, absMask), vTop);
            const __m512 e = _mm512_max_ps(_mm512_getexp_ps(a), vEmin);  // getexp(0) = −∞ → emin
            const __m512 y = _mm512_scalef_ps(a, _mm512_sub_ps(vMant, e));
            const __m512 ry = _mm512_roundscale_ps(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            slow = _mm512_mask_cmp_ps_mask(fin, _mm512_and_ps(_mm512_sub_ps(y, ry), absMask), vHalf, _CMP_EQ_OQ);
            const __m512 r = _mm512_min_ps(_mm512_scalef_ps(ry, _mm512_sub_ps(e, vMant)), vMaxAbs);
            // Magnitude pattern: subnormal r·2^(m − emin); normal (fp32 bits >> (23 − m)) − ((126 + emin) << m).
            const __m512i pNormal = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(r), 23 - mBits), vRebias);
            const __m512i pSub = _mm512_cvttps_epi32(_mm512_mul_ps(r, vSubScale));
            const __m512i pat = _mm512_mask_mov_epi32(pNormal, _mm512_cmp_ps_mask(r, vMinNormal, _CMP_LT_OQ), pSub);
            const __mmask16 neg = _mm512_movepi32_mask(vb);
            k = _mm512_mask_sub_epi32(_mm512_add_epi32(vZeroIndex, pat), neg, vZeroIndex, pat);
            level = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(r), _mm512_and_si512(vb, signMask)));
        } else if constexpr (kSearch == Search::Compare16) {
            // The index is the number of midpoints below v; a lane equal to one is a tie.
            k = _mm512_setzero_si512();
            slow = 0;
            for (int32_t m = 0; m < nMid; ++m) {
                k = _mm512_mask_add_epi32(k, _mm512_cmp_ps_mask(midB[m], v, _CMP_LT_OQ), k, vOne);
                slow |= _mm512_mask_cmp_ps_mask(fin, midB[m], v, _CMP_EQ_OQ);
            }
            level = _mm512_permutexvar_ps(k, levelReg);
        } else {
            const __m512i range = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), fin, _mm512_srli_epi32(vb, 16),
                                                              keyRange, 2);
            const __m512i hi = _mm512_and_si512(_mm512_srli_epi32(range, 8), vByte);
            k = _mm512_and_si512(range, vByte);
            // LevelTable::index: from the key's lowest index, step past every midpoint below v.
            __mmask16 act = _mm512_mask_cmpgt_epi32_mask(fin, hi, k);
            __mmask16 onMid = 0;
            while (act) {
                const __m512 m = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), act, k, midData, 4);
                const __mmask16 below = _mm512_mask_cmp_ps_mask(act, m, v, _CMP_LT_OQ);
                onMid |= _mm512_mask_cmp_ps_mask(act & ~below, m, v, _CMP_EQ_OQ);
                k = _mm512_mask_add_epi32(k, below, k, vOne);
                act = _mm512_mask_cmpgt_epi32_mask(below, hi, k);
            }
            // A tie found above, or possible where the key is one index but v is the key's first value
            // (LevelTable::mayBeTie).
            slow = onMid | _mm512_mask_testn_epi32_mask(fin, vb, vLow16);
            level = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), fin, k, levelData, 4);
        }
        if (slow) [[unlikely]] {
            alignas(64) float vv[16], ll[16];
            alignas(64) int32_t kk[16];
            _mm512_store_ps(vv, v);
            _mm512_store_ps(ll, level);
            _mm512_store_si512(kk, k);
            for (unsigned m = slow; m; m &= m - 1) {
                const int lane = __builtin_ctz(m);
                const float vl = vv[lane];
                const int32_t index = t.index(vl);
                const int32_t below = vl < t.levels[static_cast<size_t>(index)] ? index - 1 : index;
                if (below >= 0 && below + 1 < size && vl == t.midpoints[static_cast<size_t>(below)]) recordTie(ties, below);
                kk[lane] = index;
                ll[lane] = t.levels[static_cast<size_t>(index)];
            }
            k = _mm512_load_si512(kk);
            level = _mm512_load_ps(ll);
        }
        const __m512 xq = _mm512_mul_ps(vs, level);
        if (bits) {
            const __m512i word = _mm512_permutexvar_epi32(_mm512_srli_epi32(k, 5), used);
            // vprorvd rotates by the count modulo 32: bit (index mod 32) lands in bit 0.
            const __mmask16 fresh = _mm512_mask_testn_epi32_mask(fin, _mm512_rorv_epi32(word, k), vOne);
            if (fresh) [[unlikely]] {
                alignas(64) int32_t kk[16];
                _mm512_store_si512(kk, k);
                for (unsigned m = fresh; m; m &= m - 1) {
                    const auto c = static_cast<uint32_t>(kk[__builtin_ctz(m)]);
                    bits[c >> 5] |= 1u << (c & 31);
                }
                used = _mm512_maskz_loadu_epi32(wordMask, bits);
            }
        }
        __mmask16 clip = _mm512_mask_cmp_ps_mask(fin, v, vLowClip, _CMP_LT_OQ) |
                         _mm512_mask_cmp_ps_mask(fin, v, vHighClip, _CMP_GT_OQ);
        if (t.lowClipTieOut) clip |= _mm512_mask_cmp_ps_mask(fin, v, vLowClip, _CMP_EQ_OQ);
        if (t.highClipTieOut) clip |= _mm512_mask_cmp_ps_mask(fin, v, vHighClip, _CMP_EQ_OQ);
        clipped += static_cast<uint64_t>(__builtin_popcount(clip));
        count += static_cast<uint64_t>(__builtin_popcount(fin));

        const __m512 xf = _mm512_maskz_mov_ps(fin, xv), qf = _mm512_maskz_mov_ps(fin, xq);
        const __m512d dxL = _mm512_cvtps_pd(_mm512_castps512_ps256(xf));
        const __m512d dxH = _mm512_cvtps_pd(_mm512_extractf32x8_ps(xf, 1));
        const __m512d dqL = _mm512_cvtps_pd(_mm512_castps512_ps256(qf));
        const __m512d dqH = _mm512_cvtps_pd(_mm512_extractf32x8_ps(qf, 1));
        const __m512d deL = _mm512_sub_pd(dqL, dxL), deH = _mm512_sub_pd(dqH, dxH);
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
    size_t i = 0;
    for (; i + 16 <= n; i += 16) step(i, 0xFFFF);
    if (i < n) step(i, static_cast<__mmask16>((1u << (n - i)) - 1u));

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

void errorKernelLevelsAvx512(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                             const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    if (outputs.codeIndex || outputs.err || outputs.finite) {
        errorKernelLevels(x, n, p, usage, ties, outputs, out);
        return;
    }
    const LevelTable& t = *p.table;
    if (t.fpMantissaBits >= 0) kernel<Search::Arithmetic>(x, n, p, usage, ties, out);
    else if (t.size() <= 16) kernel<Search::Compare16>(x, n, p, usage, ties, out);
    else kernel<Search::Gather>(x, n, p, usage, ties, out);
}

}  // namespace qv::detail
