// Error kernel for AVX2 + FMA (per-file flags in metrics/sources.cmake; chosen at run time): the
// AVX-512 kernel's fused loop (error_kernel_avx512.cpp) on 8 lanes, with compare vectors and
// movemask for masks. Whole vectors of the metrics-only pass take the same fast step as there.
#include <immintrin.h>

#include <cmath>

#include "core/metrics/error_kernel.h"

namespace qv::detail {
namespace {

// The arithmetic and the fast step's proofs are the AVX-512 kernel's (see the notes at the top of
// error_kernel_avx512.cpp): r = round-half-even(v) (vroundps, imm 0: exact for every magnitude),
// x̂ = s·r in float32, e = x̂ − x in double — or, in the fast step, in float32, where it is exact
// for every lane that passes (not clipped: Sterbenz), so its conversion to double is the same e.
constexpr int kPrefetchBytes = 1024;

inline uint32_t laneMask(__m256 m) { return static_cast<uint32_t>(_mm256_movemask_ps(m)); }

// The low or high 4 lanes of a vector's sums, in double. `add` takes e = x̂ − x in double (the
// careful step) and keeps max |e| here; `addExact` takes an e already exact in float (the fast
// step, which keeps its max |e| in float) — the same double e, so both leave Σ with the same bits.
struct Sums {
    __m256d sse = _mm256_setzero_pd(), sae = sse, sxx = sse, sxe = sse, emax = sse;
    __m256d accumulate(__m256d dx, __m256d de, __m256d absMask) {
        const __m256d ae = _mm256_and_pd(de, absMask);
        sse = _mm256_fmadd_pd(de, de, sse);
        sae = _mm256_add_pd(sae, ae);
        sxx = _mm256_fmadd_pd(dx, dx, sxx);
        sxe = _mm256_fmadd_pd(dx, de, sxe);
        return ae;
    }
    void add(__m128 x, __m128 q, __m256d absMask) {
        const __m256d dx = _mm256_cvtps_pd(x);
        emax = _mm256_max_pd(emax, accumulate(dx, _mm256_sub_pd(_mm256_cvtps_pd(q), dx), absMask));
    }
    void addExact(__m128 x, __m128 e, __m256d absMask) {
        accumulate(_mm256_cvtps_pd(x), _mm256_cvtps_pd(e), absMask);
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
    __m256 emaxF = _mm256_setzero_ps();  // max |e| of the fast step's lanes, in float (exact there): one max per 8
    uint64_t nonFinite = 0, clipped = 0;

    // Code usage in a register when the bitmap has ≤ 8 words (codes of ≤ 8 bits).
    uint32_t* bits = usage.bits;
    const bool inRegister = bits && usage.words <= 8;
    alignas(32) uint32_t tableWords[8] = {};
    auto loadTable = [&] {
        for (uint32_t w = 0; w < 8; ++w) tableWords[w] = w < usage.words ? bits[w] : 0u;
        return _mm256_load_si256(reinterpret_cast<const __m256i*>(tableWords));
    };
    __m256i table = inRegister ? loadTable() : _mm256_setzero_si256();
    // Codes known used, as an interval of r (= code index − offset) for the fast step: a lane
    // whose r stays inside needs no code-usage work. Kept between runs in usage.seen; without
    // code tracking it is the whole grid. Empty: NaN bounds, which every lane fails.
    const int32_t indexOffset = p.zeroPoint - p.qmin;
    int32_t seenLo = 1, seenHi = 0;
    if (bits) startSeen(usage, indexOffset, seenLo, seenHi);
    __m256 vSeenLo = vlo, vSeenHi = vhi;
    const auto setSeenVectors = [&] {
        vSeenLo = _mm256_set1_ps(seenLo <= seenHi ? static_cast<float>(seenLo - indexOffset) : NAN);
        vSeenHi = _mm256_set1_ps(seenLo <= seenHi ? static_cast<float>(seenHi - indexOffset) : NAN);
    };
    const auto nbits = static_cast<int32_t>(usage.words * 32);
    if (bits) setSeenVectors();

    // The careful step: the `left` (≤ 8) elements from x + i, every case handled lane by lane —
    // non-finite x, ties, codes not seen yet, clipping. The tail of a run and every vector the
    // fast step below finds one of these in go through here.
    const auto careful = [&](size_t i, size_t left) __attribute__((always_inline)) {
        const uint32_t live = left >= 8 ? 0xFFu : (1u << left) - 1u;
        __m256 xv;
        if (left >= 8) {
            _mm_prefetch(reinterpret_cast<const char*>(x + i) + kPrefetchBytes, _MM_HINT_T0);
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
            const uint32_t known = laneMask(_mm256_castsi256_ps(_mm256_cmpeq_epi32(bit, vOne)));
            const uint32_t fresh = fin & ~known;
            if (fresh) [[unlikely]] {
                alignas(32) int32_t c[8];
                _mm256_store_si256(reinterpret_cast<__m256i*>(c), ci);
                for (uint32_t m = fresh; m; m &= m - 1) {
                    const auto code = static_cast<uint32_t>(c[__builtin_ctz(m)]);
                    bits[code >> 5] |= 1u << (code & 31);
                }
                table = loadTable();
                if constexpr (!kOutputs) {
                    growSeen(bits, nbits, c[__builtin_ctz(fresh)], seenLo, seenHi);
                    setSeenVectors();
                }
            }
        } else if (bits) {
            alignas(32) int32_t c[8];
            _mm256_store_si256(reinterpret_cast<__m256i*>(c), ci);
            int32_t grew = -1;
            for (uint32_t m = fin; m; m &= m - 1) {
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

        __m256 xf = xv, qf = xq;
        if (fin != 0xFFu) [[unlikely]] {
            alignas(32) int32_t keep[8];
            for (int k = 0; k < 8; ++k) keep[k] = (fin >> k) & 1 ? -1 : 0;
            const __m256 m = _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(keep)));
            xf = _mm256_and_ps(xv, m);
            qf = _mm256_and_ps(xq, m);
            nonFinite += static_cast<uint64_t>(__builtin_popcount(live & ~fin));
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
        // The sums with e in double: no branch on clipping here (the fast step's float e is
        // exact only without).
        lo.add(_mm256_castps256_ps128(xf), _mm256_castps256_ps128(qf), absMaskD);
        hi.add(_mm256_extractf128_ps(xf, 1), _mm256_extractf128_ps(qf, 1), absMaskD);
        clipped += static_cast<uint64_t>(__builtin_popcount(clip));
    };

    // The fast step, for 16 whole lanes (two vectors: one cache line, one prefetch). r is clamped
    // to the interval of codes already seen, not to the grid, so one compare, |v − r| < ½, passes
    // exactly the lanes that need nothing but the sums: it fails for a tie, a clipped lane or a
    // code not seen yet (r ≠ round(v), so |v − r| ≥ ½) and NaN or ±Inf (an ordered compare). If
    // any lane of the 16 fails, both vectors are redone by the careful step.
    // For grids of ≤ 2^10 codes and normal scales, v' = x·fl(1/s) replaces fl(x/s), and the bound
    // shrinks to ½ − gridMax·2^−22: a lane within it has fl(x/s) strictly within ½ of r too (same
    // code, no tie; proof in error_kernel_avx512.cpp). Without the band, s = 0x1.2022eep+9,
    // x = −0x1.1841fap+16 (x/s = −124.5, a tie, code −124; x·fl(1/s) = −124.50000763) would
    // pass with code −125.
    const float gridMax = (p.highF > -p.lowF ? p.highF : -p.lowF) + 1.5f;
    const bool fastMul = kReciprocal || (gridMax <= 1024.0f && p.scale > 0x1p-125f && p.scale < 0x1p125f);
    const __m256 vOkBound = _mm256_set1_ps(kReciprocal || !fastMul ? 0.5f : 0.5f - gridMax * 0x1p-22f);
    const auto fast = [&](size_t i) __attribute__((always_inline)) {
        _mm_prefetch(reinterpret_cast<const char*>(x + i) + kPrefetchBytes, _MM_HINT_T0);
        const __m256 xa = _mm256_loadu_ps(x + i), xb = _mm256_loadu_ps(x + i + 8);
        const __m256 va = fastMul ? _mm256_mul_ps(xa, vinv) : _mm256_div_ps(xa, vs);
        const __m256 vb = fastMul ? _mm256_mul_ps(xb, vinv) : _mm256_div_ps(xb, vs);
        const __m256 ra = _mm256_min_ps(
            _mm256_max_ps(_mm256_round_ps(va, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vSeenLo), vSeenHi);
        const __m256 rb = _mm256_min_ps(
            _mm256_max_ps(_mm256_round_ps(vb, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vSeenLo), vSeenHi);
        const __m256 oka = _mm256_cmp_ps(_mm256_and_ps(_mm256_sub_ps(va, ra), absMask), vOkBound, _CMP_LT_OQ);
        const __m256 okb = _mm256_cmp_ps(_mm256_and_ps(_mm256_sub_ps(vb, rb), absMask), vOkBound, _CMP_LT_OQ);
        if (laneMask(_mm256_and_ps(oka, okb)) != 0xFFu) [[unlikely]] {
            careful(i, 8);
            careful(i + 8, 8);
            return false;
        }
        const __m256 ea = _mm256_sub_ps(_mm256_mul_ps(vs, ra), xa);
        const __m256 eb = _mm256_sub_ps(_mm256_mul_ps(vs, rb), xb);
        emaxF = _mm256_max_ps(emaxF, _mm256_max_ps(_mm256_and_ps(ea, absMask), _mm256_and_ps(eb, absMask)));
        lo.addExact(_mm256_castps256_ps128(xa), _mm256_castps256_ps128(ea), absMaskD);
        hi.addExact(_mm256_extractf128_ps(xa, 1), _mm256_extractf128_ps(ea, 1), absMaskD);
        lo.addExact(_mm256_castps256_ps128(xb), _mm256_castps256_ps128(eb), absMaskD);
        hi.addExact(_mm256_extractf128_ps(xb, 1), _mm256_extractf128_ps(eb, 1), absMaskD);
        return true;
    };

    size_t i = 0;
    if constexpr (!kOutputs) {
        // When many steps fall back (heavy clipping: a clipped lane in most vectors), trying the
        // fast step first only adds its work and a mispredicted branch: after more than a quarter
        // of the run's steps so far (plus a little slack), the rest go careful.
        size_t fallbacks = 0;
        for (; i + 16 <= n; i += 16) {
            if (!fast(i) && 4 * ++fallbacks > i / 16 + 8) {
                i += 16;
                break;
            }
        }
    }
    for (; i + 8 <= n; i += 8) careful(i, 8);
    if (i < n) careful(i, n - i);
    if (bits && usage.seen) {
        usage.seen[0] = seenLo;
        usage.seen[1] = seenHi;
    }

    ErrorRunSums o;
    o.count = n - nonFinite;
    o.clipped = clipped;
    o.sumSqErr = hsum(_mm256_add_pd(lo.sse, hi.sse));
    o.sumAbsErr = hsum(_mm256_add_pd(lo.sae, hi.sae));
    o.sumSqX = hsum(_mm256_add_pd(lo.sxx, hi.sxx));
    const double xe = hsum(_mm256_add_pd(lo.sxe, hi.sxe));
    o.maxAbsErr = hmax(_mm256_max_pd(lo.emax, hi.emax));
    alignas(32) float ef[8];
    _mm256_store_ps(ef, emaxF);
    for (float e : ef) o.maxAbsErr = e > o.maxAbsErr ? e : o.maxAbsErr;  // exact: each was a float e
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
