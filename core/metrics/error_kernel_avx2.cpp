// Error kernel for AVX2 + FMA (per-file flags in metrics/sources.cmake; chosen at run time): the
// AVX-512 kernel's fused loop (error_kernel_avx512.cpp) on 8 lanes, with compare vectors for masks.
#include <immintrin.h>

#include "core/metrics/error_kernel.h"

namespace qv::detail {
namespace {

constexpr int kPrefetchBytes = 1024;

inline uint32_t laneMask(__m256 m) { return static_cast<uint32_t>(_mm256_movemask_ps(m)); }

// One group of 8 doubles-worth of sums (the low or high 4 lanes of a vector are converted apart).
struct Sums {
    __m256d sse = _mm256_setzero_pd(), sae = sse, sxx = sse, sxe = sse, emax = sse;
    void add(__m128 x, __m128 q, __m256d absMask) {
        const __m256d dx = _mm256_cvtps_pd(x);
        const __m256d de = _mm256_sub_pd(_mm256_cvtps_pd(q), dx);
        const __m256d ae = _mm256_and_pd(de, absMask);
        sse = _mm256_fmadd_pd(de, de, sse);
        sae = _mm256_add_pd(sae, ae);
        emax = _mm256_max_pd(emax, ae);
        sxx = _mm256_fmadd_pd(dx, dx, sxx);
        sxe = _mm256_fmadd_pd(dx, de, sxe);
    }
};

inline double hsum(__m256d v) {
    alignas(32) double t[4];
    _mm256_store_pd(t, v);
    return (t[0] + t[1]) + (t[2] + t[3]);
}
inline double hmax(__m256d v) {
    alignas(32) double t[4];
    _mm256_store_pd(t, v);
    const double a = t[0] > t[1] ? t[0] : t[1], b = t[2] > t[3] ? t[2] : t[3];
    return a > b ? a : b;
}

template <bool kReciprocal, bool kOutputs>
void kernel(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
            const ErrorRunOutputs& outs, ErrorRunSums& out) {
    const __m256 vs = _mm256_set1_ps(p.scale), vinv = _mm256_set1_ps(p.invScale);
    const __m256 vlo = _mm256_set1_ps(p.lowF), vhi = _mm256_set1_ps(p.highF);
    const __m256 vinf = _mm256_set1_ps(__builtin_huge_valf()), vhalf = _mm256_set1_ps(0.5f);
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256d absMaskD = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFFll));
    const __m256i vOffset = _mm256_set1_epi32(p.zeroPoint - p.qmin);
    const __m256i v31 = _mm256_set1_epi32(31), vOne = _mm256_set1_epi32(1);
    Sums lo, hi;
    uint64_t count = 0, clipped = 0;

    // Code usage in a register when the bitmap has ≤ 8 words (codes of ≤ 8 bits).
    uint32_t* bits = usage.bits;
    const bool inRegister = bits && usage.words <= 8;
    alignas(32) uint32_t tableWords[8] = {};
    auto loadTable = [&] {
        for (uint32_t w = 0; w < 8; ++w) tableWords[w] = w < usage.words ? bits[w] : 0u;
        return _mm256_load_si256(reinterpret_cast<const __m256i*>(tableWords));
    };
    __m256i table = inRegister ? loadTable() : _mm256_setzero_si256();

    const char* end = reinterpret_cast<const char*>(x + n);
    for (size_t i = 0; i < n; i += 8) {
        const size_t left = n - i;
        const uint32_t live = left >= 8 ? 0xFFu : (1u << left) - 1u;
        __m256 xv;
        if (left >= 8) {
            const char* ahead = reinterpret_cast<const char*>(x + i) + kPrefetchBytes;
            if (ahead < end) _mm_prefetch(ahead, _MM_HINT_T0);
            xv = _mm256_loadu_ps(x + i);
        } else {
            alignas(32) float t[8] = {};
            for (size_t k = 0; k < left; ++k) t[k] = x[i + k];
            xv = _mm256_load_ps(t);
        }
        const uint32_t fin = live & laneMask(_mm256_cmp_ps(_mm256_and_ps(xv, absMask), vinf, _CMP_LT_OQ));
        const __m256 v = kReciprocal ? _mm256_mul_ps(xv, vinv) : _mm256_div_ps(xv, vs);
        const __m256 rr = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        // vmaxps returns its second operand when the first is NaN: r is never NaN (see AVX-512).
        __m256 r = _mm256_min_ps(_mm256_max_ps(rr, vlo), vhi);
        const uint32_t clip = fin & laneMask(_mm256_cmp_ps(rr, r, _CMP_NEQ_UQ));
        if constexpr (kOutputs) r = _mm256_andnot_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q), r);
        const __m256 xq = _mm256_mul_ps(vs, r);
        const __m256i ci = _mm256_add_epi32(_mm256_cvttps_epi32(r), vOffset);

        const __m256 d = _mm256_sub_ps(v, rr);
        const uint32_t half = fin & laneMask(_mm256_cmp_ps(_mm256_and_ps(d, absMask), vhalf, _CMP_EQ_OQ));
        if (half) [[unlikely]] {
            const uint32_t inside =
                half & laneMask(_mm256_and_ps(_mm256_cmp_ps(v, vlo, _CMP_GT_OQ), _mm256_cmp_ps(v, vhi, _CMP_LT_OQ)));
            alignas(32) int32_t c[8];
            alignas(32) float dd[8];
            _mm256_store_si256(reinterpret_cast<__m256i*>(c), ci);
            _mm256_store_ps(dd, d);
            for (uint32_t m = inside; m; m &= m - 1) {
                const int lane = __builtin_ctz(m);
                recordTie(ties, dd[lane] > 0 ? c[lane] : c[lane] - 1);
            }
        }

        if (inRegister) {
            const __m256i word = _mm256_permutevar8x32_epi32(table, _mm256_srli_epi32(ci, 5));
            const __m256i bit = _mm256_and_si256(_mm256_srlv_epi32(word, _mm256_and_si256(ci, v31)), vOne);
            const uint32_t seen = laneMask(_mm256_castsi256_ps(_mm256_cmpeq_epi32(bit, vOne)));
            const uint32_t fresh = fin & ~seen;
            if (fresh) [[unlikely]] {
                alignas(32) int32_t c[8];
                _mm256_store_si256(reinterpret_cast<__m256i*>(c), ci);
                for (uint32_t m = fresh; m; m &= m - 1) {
                    const auto code = static_cast<uint32_t>(c[__builtin_ctz(m)]);
                    bits[code >> 5] |= 1u << (code & 31);
                }
                table = loadTable();
            }
        } else if (bits) {
            alignas(32) int32_t c[8];
            _mm256_store_si256(reinterpret_cast<__m256i*>(c), ci);
            for (uint32_t m = fin; m; m &= m - 1) {
                const auto code = static_cast<uint32_t>(c[__builtin_ctz(m)]);
                const uint32_t b = 1u << (code & 31);
                if (!(bits[code >> 5] & b)) bits[code >> 5] |= b;
            }
        }

        __m256 xf = xv, qf = xq;
        if (fin != 0xFFu) [[unlikely]] {
            alignas(32) int32_t keep[8];
            for (int k = 0; k < 8; ++k) keep[k] = (fin >> k) & 1 ? -1 : 0;
            const __m256 m = _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(keep)));
            xf = _mm256_and_ps(xv, m);
            qf = _mm256_and_ps(xq, m);
        }
        if constexpr (kOutputs) {
            alignas(32) int32_t c[8];
            alignas(32) float e[8];
            _mm256_store_si256(reinterpret_cast<__m256i*>(c), ci);
            _mm256_store_ps(e, _mm256_sub_ps(qf, xf));
            const size_t m = left < 8 ? left : 8;
            for (size_t k = 0; k < m; ++k) {
                if (outs.codeIndex) outs.codeIndex[i + k] = c[k];
                if (outs.err) outs.err[i + k] = e[k];
                if (outs.finite) outs.finite[i + k] = static_cast<uint8_t>((fin >> k) & 1);
            }
        }
        lo.add(_mm256_castps256_ps128(xf), _mm256_castps256_ps128(qf), absMaskD);
        hi.add(_mm256_extractf128_ps(xf, 1), _mm256_extractf128_ps(qf, 1), absMaskD);
        count += static_cast<uint64_t>(__builtin_popcount(fin));
        clipped += static_cast<uint64_t>(__builtin_popcount(clip));
    }

    ErrorRunSums o;
    o.count = count;
    o.clipped = clipped;
    o.sumSqErr = hsum(_mm256_add_pd(lo.sse, hi.sse));
    o.sumAbsErr = hsum(_mm256_add_pd(lo.sae, hi.sae));
    o.sumSqX = hsum(_mm256_add_pd(lo.sxx, hi.sxx));
    const double xe = hsum(_mm256_add_pd(lo.sxe, hi.sxe));
    o.maxAbsErr = hmax(_mm256_max_pd(lo.emax, hi.emax));
    // x̂ = x + e: Σx·x̂ = Σx² + Σx·e and Σx̂² = Σx² + 2Σx·e + Σe².
    o.sumXXq = o.sumSqX + xe;
    o.sumSqXq = o.sumSqX + 2 * xe + o.sumSqErr;
    out = o;
}

}  // namespace

void errorKernelAvx2(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
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
