// The scale searches of ggml_encode.cpp (fitScaleMin = make_qkx2_quants, fitScaleSigned = make_qx_quants,
// iq4NlScale = the search of IQ4_NL and of IQ4_XS's blocks of 32) on 16 independent sub-blocks at once, one
// per AVX-512 lane. Each lane runs its sub-block's computation element by element in the scalar code's
// order — every add, mul, div and compare is the same IEEE single-precision operation on the same operands —
// so the results are bit-identical; the scalar code's branches become per-lane masks. Compiled with
// -ffp-contract=off (no fused a·b + c, which would round once instead of twice). nearestInt(v) = (int)nearbyint(v) is cvtps2dq under round-to-nearest-
// even: both give the RNE integer in range and INT_MIN (0x80000000) for NaN and out-of-range values.
// GCC 12 reports its own intrinsics' _mm512_undefined_*() placeholders as "maybe uninitialized".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstdint>

#include "core/tensor/ggml_encode_impl.h"
#include "core/tensor/ggml_levels.h"

namespace qv::detail {
namespace {

constexpr float kGroupMaxEps = 1e-15f;

__m512i nearestInt(__m512 v) { return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }

__m512i clampInt(__m512i v, int lo, int hi) {
    return _mm512_max_epi32(_mm512_set1_epi32(lo), _mm512_min_epi32(_mm512_set1_epi32(hi), v));
}

__m512 absPs(__m512 v) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7FFFFFFF))); }
__m512 negPs(__m512 v) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_set1_epi32(INT32_MIN))); }

__m512 load(const float* p, int i) { return _mm512_loadu_ps(p + i * kGgmlLanes); }

// Per lane, the value of largest |x| over n elements (the first on ties, as the scalar strict compare) and
// that |x|.
void signedAbsMax(int n, const float* x, __m512& mx, __m512& amax) {
    mx = amax = _mm512_setzero_ps();
    for (int i = 0; i < n; ++i) {
        const __m512 xi = load(x, i), ax = absPs(xi);
        const __mmask16 above = _mm512_cmp_ps_mask(ax, amax, _CMP_GT_OQ);
        amax = _mm512_mask_blend_ps(above, amax, ax);
        mx = _mm512_mask_blend_ps(above, mx, xi);
    }
}

// best_index_int8 for a 16-level table, per lane: `pairs` holds the sums of neighbouring levels (lane j − 1:
// levels[j − 1] + levels[j]); v picks level j once 2v reaches that sum (both sides exact).
__m512i nearestLevel16(__m512 v, __m512 pairs) {
    const __m512 v2 = _mm512_add_ps(v, v);
    __m512i idx = _mm512_setzero_si512();
    for (int step = 8; step > 0; step >>= 1) {
        const __m512i j = _mm512_add_epi32(idx, _mm512_set1_epi32(step));
        const __m512 bound = _mm512_permutexvar_ps(_mm512_sub_epi32(j, _mm512_set1_epi32(1)), pairs);
        idx = _mm512_mask_mov_epi32(idx, _mm512_cmp_ps_mask(v2, bound, _CMP_GE_OQ), j);
    }
    return idx;
}

}  // namespace

void fitScaleMinLanesAvx512(int n, int nmax, const float* x, const float* w, uint8_t* L, float* scaleOut, float* theMin,
                            float rmin, float rdelta, int nstep, bool absoluteError) {
    const __m512 zero = _mm512_setzero_ps();
    const auto cost = [absoluteError](__m512 diff) { return absoluteError ? absPs(diff) : _mm512_mul_ps(diff, diff); };
    __m512 mn = load(x, 0), mx = mn;
    __m512 sumW = load(w, 0);
    __m512 sumX = _mm512_mul_ps(sumW, mn);
    for (int i = 1; i < n; ++i) {
        const __m512 xi = load(x, i), wi = load(w, i);
        mn = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(xi, mn, _CMP_LT_OQ), mn, xi);
        mx = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(xi, mx, _CMP_GT_OQ), mx, xi);
        sumW = _mm512_add_ps(sumW, wi);
        sumX = _mm512_add_ps(sumX, _mm512_mul_ps(wi, xi));
    }
    mn = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(mn, zero, _CMP_GT_OQ), mn, zero);
    const __mmask16 flat = _mm512_cmp_ps_mask(mx, mn, _CMP_EQ_OQ);  // the scalar code returns early there
    __m512 iscale = _mm512_div_ps(_mm512_set1_ps(static_cast<float>(nmax)), _mm512_sub_ps(mx, mn));
    __m512 scale = _mm512_div_ps(_mm512_set1_ps(1.0f), iscale);
    __m512 bestError = zero;
    __m512i best[32];
    __m512 aux[32];
    for (int i = 0; i < n; ++i) {
        const __m512 xi = load(x, i);
        best[i] = clampInt(nearestInt(_mm512_mul_ps(iscale, _mm512_sub_ps(xi, mn))), 0, nmax);
        const __m512 diff = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(scale, _mm512_cvtepi32_ps(best[i])), mn), xi);
        bestError = _mm512_add_ps(bestError, _mm512_mul_ps(load(w, i), cost(diff)));
    }
    for (int is = 0; is <= nstep; ++is) {
        const float num = rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax);
        iscale = _mm512_div_ps(_mm512_set1_ps(num), _mm512_sub_ps(mx, mn));
        __m512 sumL = zero, sumL2 = zero, sumXL = zero;
        for (int i = 0; i < n; ++i) {
            const __m512 xi = load(x, i);
            const __m512 fl = _mm512_cvtepi32_ps(clampInt(nearestInt(_mm512_mul_ps(iscale, _mm512_sub_ps(xi, mn))), 0, nmax));
            aux[i] = fl;
            const __m512 wfl = _mm512_mul_ps(load(w, i), fl);
            sumL = _mm512_add_ps(sumL, wfl);
            sumL2 = _mm512_add_ps(sumL2, _mm512_mul_ps(wfl, fl));
            sumXL = _mm512_add_ps(sumXL, _mm512_mul_ps(wfl, xi));
        }
        const __m512 D = _mm512_sub_ps(_mm512_mul_ps(sumW, sumL2), _mm512_mul_ps(sumL, sumL));
        const __mmask16 positive = _mm512_cmp_ps_mask(D, zero, _CMP_GT_OQ) & static_cast<__mmask16>(~flat);
        if (!positive) continue;
        __m512 thisScale = _mm512_div_ps(_mm512_sub_ps(_mm512_mul_ps(sumW, sumXL), _mm512_mul_ps(sumX, sumL)), D);
        __m512 thisMin = _mm512_div_ps(_mm512_sub_ps(_mm512_mul_ps(sumL2, sumX), _mm512_mul_ps(sumL, sumXL)), D);
        const __mmask16 minAbove = _mm512_cmp_ps_mask(thisMin, zero, _CMP_GT_OQ);
        thisMin = _mm512_mask_blend_ps(minAbove, thisMin, zero);
        thisScale = _mm512_mask_blend_ps(minAbove, thisScale, _mm512_div_ps(sumXL, sumL2));
        __m512 error = zero;
        for (int i = 0; i < n; ++i) {
            const __m512 diff = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(thisScale, aux[i]), thisMin), load(x, i));
            error = _mm512_add_ps(error, _mm512_mul_ps(load(w, i), cost(diff)));
        }
        const __mmask16 better = positive & _mm512_cmp_ps_mask(error, bestError, _CMP_LT_OQ);
        if (!better) continue;
        for (int i = 0; i < n; ++i) best[i] = _mm512_mask_mov_epi32(best[i], better, _mm512_cvtps_epi32(aux[i]));
        bestError = _mm512_mask_blend_ps(better, bestError, error);
        scale = _mm512_mask_blend_ps(better, scale, thisScale);
        mn = _mm512_mask_blend_ps(better, mn, thisMin);
    }
    for (int i = 0; i < n; ++i)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(L + i * kGgmlLanes),
                         _mm512_cvtepi32_epi8(_mm512_maskz_mov_epi32(static_cast<__mmask16>(~flat), best[i])));
    _mm512_storeu_ps(scaleOut, _mm512_mask_blend_ps(flat, scale, zero));
    _mm512_storeu_ps(theMin, negPs(mn));
}

void fitScaleSignedLanesAvx512(int n, int nmax, const float* x, int8_t* L, float* scaleOut) {
    const __m512 zero = _mm512_setzero_ps();
    __m512 mx, amax;
    signedAbsMax(n, x, mx, amax);
    const __mmask16 tiny = _mm512_cmp_ps_mask(amax, _mm512_set1_ps(kGroupMaxEps), _CMP_LT_OQ);
    // Both sums of one candidate scale; the codes l (−nmax..nmax−1) into l[].
    const auto fit = [&](__m512 iscale, __m512i* l, __m512& sumLX, __m512& sumL2) {
        sumLX = sumL2 = zero;
        for (int i = 0; i < n; ++i) {
            const __m512 xi = load(x, i);
            l[i] = clampInt(nearestInt(_mm512_mul_ps(iscale, xi)), -nmax, nmax - 1);
            const __m512 fl = _mm512_cvtepi32_ps(l[i]);
            const __m512 w = _mm512_mul_ps(xi, xi);
            sumLX = _mm512_add_ps(sumLX, _mm512_mul_ps(_mm512_mul_ps(w, xi), fl));
            sumL2 = _mm512_add_ps(sumL2, _mm512_mul_ps(_mm512_mul_ps(w, fl), fl));
        }
    };
    __m512i best[32], cand[32];
    __m512 sumLX, sumL2;
    fit(_mm512_div_ps(_mm512_set1_ps(static_cast<float>(-nmax)), mx), best, sumLX, sumL2);
    __m512 scale = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(sumL2, zero, _CMP_NEQ_UQ), zero, _mm512_div_ps(sumLX, sumL2));
    __m512 bestFit = _mm512_mul_ps(scale, sumLX);
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        const float num = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is));
        fit(_mm512_div_ps(_mm512_set1_ps(num), mx), cand, sumLX, sumL2);
        const __mmask16 better = _mm512_cmp_ps_mask(sumL2, zero, _CMP_GT_OQ) &
                                 _mm512_cmp_ps_mask(_mm512_mul_ps(sumLX, sumLX), _mm512_mul_ps(bestFit, sumL2), _CMP_GT_OQ);
        if (!better) continue;
        for (int i = 0; i < n; ++i) best[i] = _mm512_mask_mov_epi32(best[i], better, cand[i]);
        scale = _mm512_mask_blend_ps(better, scale, _mm512_div_ps(sumLX, sumL2));
        bestFit = _mm512_mask_blend_ps(better, bestFit, _mm512_mul_ps(scale, sumLX));
    }
    const __m512i offset = _mm512_set1_epi32(nmax);
    for (int i = 0; i < n; ++i)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(L + i * kGgmlLanes),
                         _mm512_cvtepi32_epi8(_mm512_maskz_add_epi32(static_cast<__mmask16>(~tiny), best[i], offset)));
    _mm512_storeu_ps(scaleOut, _mm512_mask_blend_ps(tiny, scale, zero));
}

void iq4NlScaleLanesAvx512(const float* x, int ntry, uint8_t* L, float* scaleOut) {
    const __m512 zero = _mm512_setzero_ps();
    const int8_t* values = kValuesIq4nl;
    // Level l as a float, and the exact sum values[j − 1] + values[j] at index j − 1 (nearestLevel's compares).
    float level[16], pair[16] = {};
    for (int j = 0; j < 16; ++j) level[j] = static_cast<float>(values[j]);
    for (int j = 1; j < 16; ++j) pair[j - 1] = static_cast<float>(values[j - 1] + values[j]);
    const __m512 levels = _mm512_loadu_ps(level), pairs = _mm512_loadu_ps(pair);
    const auto nearestLevel = [&](__m512 v) { return nearestLevel16(v, pairs); };
    __m512 mx, amax;
    signedAbsMax(32, x, mx, amax);
    const __mmask16 fitted = _mm512_cmp_ps_mask(amax, _mm512_set1_ps(kGroupMaxEps), _CMP_GE_OQ);
    const __m512 v0 = _mm512_set1_ps(static_cast<float>(values[0]));
    __m512 d = ntry > 0 ? _mm512_div_ps(negPs(mx), v0) : _mm512_div_ps(mx, v0);
    __m512 id = _mm512_div_ps(_mm512_set1_ps(1.0f), d);
    __m512 sumQX = zero, sumQ2 = zero;
    for (int i = 0; i < 32; ++i) {
        const __m512 xi = load(x, i);
        const __m512i l = nearestLevel(_mm512_mul_ps(id, xi));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(L + i * kGgmlLanes), _mm512_cvtepi32_epi8(_mm512_maskz_mov_epi32(fitted, l)));
        const __m512 q = _mm512_permutexvar_ps(l, levels);
        const __m512 wq = _mm512_mul_ps(_mm512_mul_ps(xi, xi), q);
        sumQX = _mm512_add_ps(sumQX, _mm512_mul_ps(wq, xi));
        sumQ2 = _mm512_add_ps(sumQ2, _mm512_mul_ps(wq, q));
    }
    d = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(sumQ2, zero, _CMP_GT_OQ), zero, _mm512_div_ps(sumQX, sumQ2));
    __m512 bestFit = _mm512_mul_ps(d, sumQX);
    for (int itry = -ntry; itry <= ntry; ++itry) {
        id = _mm512_div_ps(_mm512_set1_ps(static_cast<float>(itry + values[0])), mx);
        sumQX = sumQ2 = zero;
        for (int i = 0; i < 32; ++i) {
            const __m512 xi = load(x, i);
            const __m512 q = _mm512_permutexvar_ps(nearestLevel(_mm512_mul_ps(id, xi)), levels);
            const __m512 wq = _mm512_mul_ps(_mm512_mul_ps(xi, xi), q);
            sumQX = _mm512_add_ps(sumQX, _mm512_mul_ps(wq, xi));
            sumQ2 = _mm512_add_ps(sumQ2, _mm512_mul_ps(wq, q));
        }
        const __mmask16 better = _mm512_cmp_ps_mask(sumQ2, zero, _CMP_GT_OQ) &
                                 _mm512_cmp_ps_mask(_mm512_mul_ps(sumQX, sumQX), _mm512_mul_ps(bestFit, sumQ2), _CMP_GT_OQ);
        d = _mm512_mask_blend_ps(better, d, _mm512_div_ps(sumQX, sumQ2));
        bestFit = _mm512_mask_blend_ps(better, bestFit, _mm512_mul_ps(d, sumQX));
    }
    _mm512_storeu_ps(scaleOut, _mm512_maskz_mov_ps(fitted, d));
}

void fitScaleSignedRefinedLanesAvx512(int n, int nmax, const float* x, int8_t* L, float* scaleOut) {
    const __m512 zero = _mm512_setzero_ps();
    __m512 mx, amax;
    signedAbsMax(n, x, mx, amax);
    const __mmask16 tiny = _mm512_cmp_ps_mask(amax, _mm512_set1_ps(kGroupMaxEps), _CMP_LT_OQ);
    const __m512 iscale = _mm512_div_ps(_mm512_set1_ps(static_cast<float>(-nmax)), mx);
    __m512 sumLX = zero, sumL2 = zero;
    __m512 l[16];
    for (int i = 0; i < n; ++i) {
        const __m512 xi = load(x, i);
        l[i] = _mm512_cvtepi32_ps(clampInt(nearestInt(_mm512_mul_ps(iscale, xi)), -nmax, nmax - 1));
        const __m512 w = _mm512_mul_ps(xi, xi);
        sumLX = _mm512_add_ps(sumLX, _mm512_mul_ps(_mm512_mul_ps(w, xi), l[i]));
        sumL2 = _mm512_add_ps(sumL2, _mm512_mul_ps(_mm512_mul_ps(w, l[i]), l[i]));
    }
    // The scalar code's passes stop, per sub-block, after the first that changes nothing.
    __mmask16 active = static_cast<__mmask16>(~tiny);
    for (int itry = 0; itry < 5 && active; ++itry) {
        __mmask16 changed = 0;
        for (int i = 0; i < n; ++i) {
            const __m512 xi = load(x, i);
            const __m512 w = _mm512_mul_ps(xi, xi), wx = _mm512_mul_ps(w, xi);
            __m512 slx = _mm512_sub_ps(sumLX, _mm512_mul_ps(wx, l[i]));
            const __mmask16 positive = active & _mm512_cmp_ps_mask(slx, zero, _CMP_GT_OQ);
            if (!positive) continue;
            __m512 sl2 = _mm512_sub_ps(sumL2, _mm512_mul_ps(_mm512_mul_ps(w, l[i]), l[i]));
            const __m512 newL =
                _mm512_cvtepi32_ps(clampInt(nearestInt(_mm512_div_ps(_mm512_mul_ps(xi, sl2), slx)), -nmax, nmax - 1));
            const __mmask16 moved = positive & _mm512_cmp_ps_mask(newL, l[i], _CMP_NEQ_UQ);
            if (!moved) continue;
            slx = _mm512_add_ps(slx, _mm512_mul_ps(wx, newL));
            sl2 = _mm512_add_ps(sl2, _mm512_mul_ps(_mm512_mul_ps(w, newL), newL));
            const __mmask16 better =
                moved & _mm512_cmp_ps_mask(sl2, zero, _CMP_GT_OQ) &
                _mm512_cmp_ps_mask(_mm512_mul_ps(_mm512_mul_ps(slx, slx), sumL2),
                                   _mm512_mul_ps(_mm512_mul_ps(sumLX, sumLX), sl2), _CMP_GT_OQ);
            l[i] = _mm512_mask_blend_ps(better, l[i], newL);
            sumLX = _mm512_mask_blend_ps(better, sumLX, slx);
            sumL2 = _mm512_mask_blend_ps(better, sumL2, sl2);
            changed |= better;
        }
        active &= changed;
    }
    const __m512i offset = _mm512_set1_epi32(nmax);
    for (int i = 0; i < n; ++i)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(L + i * kGgmlLanes),
                         _mm512_cvtepi32_epi8(_mm512_maskz_add_epi32(static_cast<__mmask16>(~tiny), _mm512_cvtps_epi32(l[i]), offset)));
    const __m512 scale = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(sumL2, zero, _CMP_GT_OQ), zero, _mm512_div_ps(sumLX, sumL2));
    _mm512_storeu_ps(scaleOut, _mm512_mask_blend_ps(tiny, scale, zero));
}

// Element by element (no sums), so any grouping gives the scalar code's values.
void quotientCodesAvx512(const float* x, int n, bool addShift, float shift, float d, int lo, int hi, int offset, uint8_t* L) {
    const __m512 vs = _mm512_set1_ps(shift), vd = _mm512_set1_ps(d);
    const __m512i off = _mm512_set1_epi32(offset);
    for (int i = 0; i < n; i += kGgmlLanes) {
        __m512 v = _mm512_loadu_ps(x + i);
        if (addShift) v = _mm512_add_ps(v, vs);
        const __m512i q = _mm512_add_epi32(clampInt(nearestInt(_mm512_div_ps(v, vd)), lo, hi), off);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(L + i), _mm512_cvtepi32_epi8(q));
    }
}

void iq4NlCodesAvx512(const float* x, float id, uint8_t* L) {
    const int8_t* values = kValuesIq4nl;
    float pair[16] = {};
    for (int j = 1; j < 16; ++j) pair[j - 1] = static_cast<float>(values[j - 1] + values[j]);
    const __m512 pairs = _mm512_loadu_ps(pair), vid = _mm512_set1_ps(id);
    for (int i = 0; i < 32; i += kGgmlLanes) {
        const __m512 v = _mm512_mul_ps(vid, _mm512_loadu_ps(x + i));
        const __m512i idx = nearestLevel16(v, pairs);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(L + i), _mm512_cvtepi32_epi8(idx));
    }
}

}  // namespace qv::detail

#pragma GCC diagnostic pop
