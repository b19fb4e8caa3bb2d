// Summary kernel for AVX-512 (F/DQ/BW/VL; per-file flags in stats/sources.cmake; chosen at run
// time): the statistics of 16 elements per step in registers, interleaved with the histogram
// increments of the same 16 elements so that the out-of-order core overlaps the vector work with
// the scatter (the scatter's loads/stores and the vector arithmetic use different ports).
// GCC 12 reports its own intrinsics' _mm512_undefined_*() placeholders as "maybe uninitialized"
// once they are inlined (a false positive of the header, not of this code).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "core/stats/summary_kernel.h"

namespace qv::detail {
namespace {

constexpr size_t kBlock = 1024;        // top-k is offered whole blocks whose max |x| can enter
constexpr int kPrefetchBytes = 1024;   // software prefetch distance (the hardware prefetcher alone
                                       // falls behind when the loop is busy with the scatter)

}  // namespace

// Same results as summaryKernelBody (summary_kernel_impl.h): s1/s2 are sums of double(x) − pivot
// (non-finite x poisons them, which tells the caller to redo the chunk carefully), min/max skip
// NaN (vminps returns its second operand when the first is NaN), zeros count ±0, and every
// element's key (top 20 bits) is incremented — except ±0, which are added per block to the keys of
// +0 and −0 (a run of zeros would otherwise chain increments of one counter through
// store-to-load forwarding).
void summaryKernelAvx512(const float* x, size_t n, float pivot, uint32_t* hist, ChunkStats& out, TopK& top,
                         uint64_t baseIndex) {
    const __m512d vp = _mm512_set1_pd(pivot);
    const __m512 vinf = _mm512_set1_ps(__builtin_huge_valf());
    __m512d s1a = _mm512_setzero_pd(), s1b = s1a, s2a = s1a, s2b = s1a;
    __m512 cmn = vinf, cmx = _mm512_set1_ps(-__builtin_huge_valf());
    uint64_t zerosTotal = 0;
    const char* end = reinterpret_cast<const char*>(x + n);
    for (size_t b0 = 0; b0 < n; b0 += kBlock) {
        const size_t len = n - b0 < kBlock ? n - b0 : kBlock;
        const float* blk = x + b0;
        __m512 bmn = vinf, bmx = _mm512_set1_ps(-__builtin_huge_valf());
        uint32_t posZeros = 0, negZeros = 0;
        for (size_t i = 0; i < len; i += 16) {
            const auto live = static_cast<__mmask16>(len - i >= 16 ? 0xFFFFu : (1u << (len - i)) - 1u);
            const char* ahead = reinterpret_cast<const char*>(blk + i) + kPrefetchBytes;
            if (ahead < end) _mm_prefetch(ahead, _MM_HINT_T0);
            const __m512 v = _mm512_maskz_loadu_ps(live, blk + i);
            bmn = _mm512_mask_min_ps(bmn, live, v, bmn);
            bmx = _mm512_mask_max_ps(bmx, live, v, bmx);
            const __m512d lo = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(v)), vp);
            const __m512d hi = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)), vp);
            // Lanes past the end hold 0 − pivot: masked out of the sums.
            const auto liveLo = static_cast<__mmask8>(live & 0xFF), liveHi = static_cast<__mmask8>(live >> 8);
            s1a = _mm512_mask_add_pd(s1a, liveLo, s1a, lo);
            s1b = _mm512_mask_add_pd(s1b, liveHi, s1b, hi);
            s2a = _mm512_mask3_fmadd_pd(lo, lo, s2a, liveLo);
            s2b = _mm512_mask3_fmadd_pd(hi, hi, s2b, liveHi);
            const __mmask16 zero = _mm512_mask_cmp_ps_mask(live, v, _mm512_setzero_ps(), _CMP_EQ_OQ);
            const __m512i keys = _mm512_srli_epi32(_mm512_castps_si512(v), 12);
            alignas(64) uint32_t k[16];
            _mm512_store_si512(k, keys);
            if (zero == 0 && live == 0xFFFF) {
                // Two keys per 64-bit load: the loop is bound by its loads (a key and the counter
                // per element) and stores, and the ALU splits a pair for free.
                uint64_t pair[8];
                __builtin_memcpy(pair, k, sizeof pair);
                for (int j = 0; j < 8; ++j) {
                    ++hist[static_cast<uint32_t>(pair[j])];
                    ++hist[pair[j] >> 32];
                }
            } else {
                const auto negative = static_cast<__mmask16>(_mm512_movepi32_mask(_mm512_castps_si512(v)));
                negZeros += static_cast<uint32_t>(__builtin_popcount(zero & negative));
                posZeros += static_cast<uint32_t>(__builtin_popcount(zero & ~negative & 0xFFFF));
                for (unsigned m = live & ~zero & 0xFFFFu; m; m &= m - 1) ++hist[k[__builtin_ctz(m)]];
            }
        }
        hist[0] += posZeros;
        hist[0x80000u] += negZeros;  // key of −0: the sign bit alone
        zerosTotal += posZeros + negZeros;
        cmn = _mm512_min_ps(bmn, cmn);
        cmx = _mm512_max_ps(bmx, cmx);
        const float mn = _mm512_reduce_min_ps(bmn), mx = _mm512_reduce_max_ps(bmx);
        const float absMax = -mn > mx ? -mn : mx;
        if (absMax > top.threshold) top.scan(blk, len, baseIndex + b0);
    }
    out.s1 = _mm512_reduce_add_pd(_mm512_add_pd(s1a, s1b));
    out.s2 = _mm512_reduce_add_pd(_mm512_add_pd(s2a, s2b));
    out.mn = _mm512_reduce_min_ps(cmn);
    out.mx = _mm512_reduce_max_ps(cmx);
    out.zeros = zerosTotal;
}

}  // namespace qv::detail
