// Private to core/tensor/ggml_encode*.cpp and their tests: the choice between the scalar encoders (the
// reference) and the vector ones (AVX-512: 16 lanes, AVX2: 8), which run the scale searches of independent
// sub-blocks at once, one per lane, each lane doing the scalar code's float operations in the scalar code's
// order (so the bytes are the same; tested against the scalar path).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"
#include "core/tensor/ggml_levels.h"

namespace qv {

enum class GgmlEncodePath { Auto, Portable, Avx2, Avx512 };

// Auto: the widest path this CPU runs (AVX-512 F/DQ/BW/VL, then AVX2 with FMA), unless QV_SIMD names another
// one it runs ("portable", "avx2", "avx512"; core/base/simd_dispatch.h). Read at every call.
GgmlEncodePath resolvedGgmlEncodePath();
// False when this CPU cannot run `path`.
bool ggmlEncodePathAvailable(GgmlEncodePath path);
// encodeGgmlBlocks through an explicit path (Auto = resolvedGgmlEncodePath()); the types without a vector
// form (the blocks of 32 but IQ4_NL) take the scalar code on every path. False for an unwritable type or an
// unavailable path.
bool encodeGgmlBlocksWith(GgmlEncodePath path, DType t, const float* src, size_t blocks, std::byte* dst);

namespace detail {

constexpr int kGgmlMaxLanes = 16;

// One instruction set's kernels. Lane-major arrays: element i of lane k at [i·lanes + k]; n ≤ 32 elements per
// lane.
struct GgmlLaneKernels {
    int lanes;
    // make_qkx2_quants (ggml_encode.cpp fitScaleMin) per lane: codes into L, scale and −min per lane.
    void (*fitScaleMin)(int n, int nmax, const float* x, const float* w, uint8_t* L, float* scale, float* theMin,
                        float rmin, float rdelta, int nstep, bool absoluteError);
    // make_qx_quants, rmse_type 1 (fitScaleSigned) per lane: codes l + nmax into L, scale per lane.
    void (*fitScaleSigned)(int n, int nmax, const float* x, int8_t* L, float* scale);
    // make_q3_quants with do_rmse (fitScaleSignedRefined) per lane: codes l + nmax into L, scale per lane.
    void (*fitScaleSignedRefined)(int n, int nmax, const float* x, int8_t* L, float* scale);
    // iq4NlScale (the search of IQ4_NL, and of IQ4_XS's blocks of 32) on blocks of 32: the scale per lane
    // (before any rounding) and, when ntry ≤ 0, the codes of the first fit into L (with ntry > 0 the caller
    // redoes the codes from the final scale).
    void (*iq4NlScale)(const float* x, int ntry, uint8_t* L, float* scale);
    // Contiguous (not lane-major), element by element: L[i] = clamp(nearest_int((x[i] + shift) / d), lo, hi) +
    // offset (x[i] / d when !addShift), n a multiple of 16; and IQ4_NL's codes nearestLevel(id·x[i]) of one
    // block of 32.
    void (*quotientCodes)(const float* x, int n, bool addShift, float shift, float d, int lo, int hi, int offset,
                          uint8_t* L);
    void (*iq4NlCodes)(const float* x, float id, uint8_t* L);
};

// Defined by ggml_encode_avx512.cpp and ggml_encode_avx2.cpp (x86-64 builds only); callers check the CPU.
const GgmlLaneKernels& ggmlLaneKernelsAvx512();
const GgmlLaneKernels& ggmlLaneKernelsAvx2();
// The kernels of a vector path, null for the portable one (and for any path off x86-64). Used by the reference
// and the importance-weighted encoders alike.
const GgmlLaneKernels* ggmlLaneKernels(GgmlEncodePath path);

// [SECTION] The kernels' bodies, written once over the vector width and instantiated by the two files above with
// their instruction set's V:
//   V::kLanes; V::F (float lanes: + − × ÷ are GCC's vector operators, one IEEE operation each — the files are
//   built with -ffp-contract=off, so no a·b + c is fused); V::I (int32 lanes); V::M (a lane mask with &, |, ~
//   and a test for any lane); V::Table16 (16 floats indexed by lane); and load, store, set1, seti, the compares
//   lt/gt/ge/eq (ordered) and neq (unordered), select(m, a, b) = m ? a : b (selectI on ints), nearestInt (round
//   half to even, as nearbyint: INT_MIN for NaN and out-of-range values, as the scalar (int) cast gives on
//   x86-64), toFloat, clampInt, addInt, abs, neg, table16, lookup and storeCodes (the low byte of each lane,
//   lane order). Each lane runs its sub-block element by element in the scalar code's order; the scalar code's
//   branches become per-lane masks.
namespace lanes {

constexpr float kGroupMaxEps = 1e-15f;

template <class V>
typename V::F at(const float* p, int i) {
    return V::load(p + i * V::kLanes);
}

// Per lane, the value of largest |x| over n elements (the first on ties, as the scalar strict compare) and
// that |x|.
template <class V>
void signedAbsMax(int n, const float* x, typename V::F& mx, typename V::F& amax) {
    mx = amax = V::set1(0.0f);
    for (int i = 0; i < n; ++i) {
        const typename V::F xi = at<V>(x, i), ax = V::abs(xi);
        const typename V::M above = V::gt(ax, amax);
        amax = V::select(above, ax, amax);
        mx = V::select(above, xi, mx);
    }
}

// best_index_int8 for a 16-level table, per lane: `pairs` holds the sums of neighbouring levels (entry j − 1:
// levels[j − 1] + levels[j]); v picks level j once 2v reaches that sum (both sides exact).
template <class V>
typename V::I nearestLevel16(typename V::F v, const typename V::Table16& pairs) {
    const typename V::F v2 = v + v;
    typename V::I idx = V::seti(0);
    for (int step = 8; step > 0; step >>= 1) {
        const typename V::F bound = V::lookup(pairs, V::addInt(idx, step - 1));
        idx = V::selectI(V::ge(v2, bound), V::addInt(idx, step), idx);
    }
    return idx;
}

// IQ4_NL's levels as floats, or (pairs) the exact sums of neighbours nearestLevel16 compares against.
template <class V>
typename V::Table16 iq4NlTable(bool pairs) {
    float t[16];
    for (int j = 0; j < 16; ++j)
        t[j] = !pairs ? static_cast<float>(kValuesIq4nl[j])
               : j < 15 ? static_cast<float>(kValuesIq4nl[j] + kValuesIq4nl[j + 1])
                        : 0.0f;
    return V::table16(t);
}

template <class V>
void storeCodesWhere(void* p, typename V::I v, typename V::M keep) {
    V::storeCodes(p, V::selectI(keep, v, V::seti(0)));
}

template <class V>
void fitScaleMin(int n, int nmax, const float* x, const float* w, uint8_t* L, float* scaleOut, float* theMin,
                 float rmin, float rdelta, int nstep, bool absoluteError) {
    using F = typename V::F;
    using I = typename V::I;
    using M = typename V::M;
    const F zero = V::set1(0.0f);
    const auto cost = [absoluteError](F diff) { return absoluteError ? V::abs(diff) : diff * diff; };
    F mn = at<V>(x, 0), mx = mn;
    F sumW = at<V>(w, 0);
    F sumX = sumW * mn;
    for (int i = 1; i < n; ++i) {
        const F xi = at<V>(x, i), wi = at<V>(w, i);
        mn = V::select(V::lt(xi, mn), xi, mn);
        mx = V::select(V::gt(xi, mx), xi, mx);
        sumW = sumW + wi;
        sumX = sumX + wi * xi;
    }
    mn = V::select(V::gt(mn, zero), zero, mn);
    const M flat = V::eq(mx, mn);  // the scalar code returns early there
    F iscale = V::set1(static_cast<float>(nmax)) / (mx - mn);
    F scale = V::set1(1.0f) / iscale;
    F bestError = zero;
    I best[32];
    F aux[32];
    for (int i = 0; i < n; ++i) {
        const F xi = at<V>(x, i);
        best[i] = V::clampInt(V::nearestInt(iscale * (xi - mn)), 0, nmax);
        const F diff = scale * V::toFloat(best[i]) + mn - xi;
        bestError = bestError + at<V>(w, i) * cost(diff);
    }
    for (int is = 0; is <= nstep; ++is) {
        const float num = rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax);
        iscale = V::set1(num) / (mx - mn);
        F sumL = zero, sumL2 = zero, sumXL = zero;
        for (int i = 0; i < n; ++i) {
            const F xi = at<V>(x, i);
            const F fl = V::toFloat(V::clampInt(V::nearestInt(iscale * (xi - mn)), 0, nmax));
            aux[i] = fl;
            const F wfl = at<V>(w, i) * fl;
            sumL = sumL + wfl;
            sumL2 = sumL2 + wfl * fl;
            sumXL = sumXL + wfl * xi;
        }
        const F D = sumW * sumL2 - sumL * sumL;
        const M positive = V::gt(D, zero) & ~flat;
        if (!positive) continue;
        F thisScale = (sumW * sumXL - sumX * sumL) / D;
        F thisMin = (sumL2 * sumX - sumL * sumXL) / D;
        const M minAbove = V::gt(thisMin, zero);
        thisMin = V::select(minAbove, zero, thisMin);
        thisScale = V::select(minAbove, sumXL / sumL2, thisScale);
        F error = zero;
        for (int i = 0; i < n; ++i) {
            const F diff = thisScale * aux[i] + thisMin - at<V>(x, i);
            error = error + at<V>(w, i) * cost(diff);
        }
        const M better = positive & V::lt(error, bestError);
        if (!better) continue;
        for (int i = 0; i < n; ++i) best[i] = V::selectI(better, V::nearestInt(aux[i]), best[i]);
        bestError = V::select(better, error, bestError);
        scale = V::select(better, thisScale, scale);
        mn = V::select(better, thisMin, mn);
    }
    for (int i = 0; i < n; ++i) storeCodesWhere<V>(L + i * V::kLanes, best[i], ~flat);
    V::store(scaleOut, V::select(flat, zero, scale));
    V::store(theMin, V::neg(mn));
}

template <class V>
void fitScaleSigned(int n, int nmax, const float* x, int8_t* L, float* scaleOut) {
    using F = typename V::F;
    using I = typename V::I;
    using M = typename V::M;
    const F zero = V::set1(0.0f);
    F mx, amax;
    signedAbsMax<V>(n, x, mx, amax);
    const M tiny = V::lt(amax, V::set1(kGroupMaxEps));
    // Both sums of one candidate scale; the codes l (−nmax..nmax−1) into l[].
    const auto fit = [&](F iscale, I* l, F& sumLX, F& sumL2) {
        sumLX = sumL2 = zero;
        for (int i = 0; i < n; ++i) {
            const F xi = at<V>(x, i);
            l[i] = V::clampInt(V::nearestInt(iscale * xi), -nmax, nmax - 1);
            const F fl = V::toFloat(l[i]);
            const F w = xi * xi;
            sumLX = sumLX + w * xi * fl;
            sumL2 = sumL2 + w * fl * fl;
        }
    };
    I best[32], cand[32];
    F sumLX, sumL2;
    fit(V::set1(static_cast<float>(-nmax)) / mx, best, sumLX, sumL2);
    F scale = V::select(V::neq(sumL2, zero), sumLX / sumL2, zero);
    F bestFit = scale * sumLX;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        const float num = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is));
        fit(V::set1(num) / mx, cand, sumLX, sumL2);
        const M better = V::gt(sumL2, zero) & V::gt(sumLX * sumLX, bestFit * sumL2);
        if (!better) continue;
        for (int i = 0; i < n; ++i) best[i] = V::selectI(better, cand[i], best[i]);
        scale = V::select(better, sumLX / sumL2, scale);
        bestFit = V::select(better, scale * sumLX, bestFit);
    }
    for (int i = 0; i < n; ++i) storeCodesWhere<V>(L + i * V::kLanes, V::addInt(best[i], nmax), ~tiny);
    V::store(scaleOut, V::select(tiny, zero, scale));
}

template <class V>
void iq4NlScale(const float* x, int ntry, uint8_t* L, float* scaleOut) {
    using F = typename V::F;
    using I = typename V::I;
    using M = typename V::M;
    const F zero = V::set1(0.0f);
    const typename V::Table16 levels = iq4NlTable<V>(false), pairs = iq4NlTable<V>(true);
    F mx, amax;
    signedAbsMax<V>(32, x, mx, amax);
    const M fitted = V::ge(amax, V::set1(kGroupMaxEps));
    const F v0 = V::set1(static_cast<float>(kValuesIq4nl[0]));
    F d = ntry > 0 ? V::neg(mx) / v0 : mx / v0;
    F id = V::set1(1.0f) / d;
    // Both sums of the fit on the levels nearest id·x; the first fit's codes into L.
    const auto fit = [&](F inv, bool keepCodes, F& sumQX, F& sumQ2) __attribute__((always_inline)) {
        sumQX = sumQ2 = zero;
        for (int i = 0; i < 32; ++i) {
            const F xi = at<V>(x, i);
            const I l = nearestLevel16<V>(inv * xi, pairs);
            if (keepCodes) storeCodesWhere<V>(L + i * V::kLanes, l, fitted);
            const F q = V::lookup(levels, l);
            const F wq = xi * xi * q;
            sumQX = sumQX + wq * xi;
            sumQ2 = sumQ2 + wq * q;
        }
    };
    F sumQX, sumQ2;
    fit(id, true, sumQX, sumQ2);
    d = V::select(V::gt(sumQ2, zero), sumQX / sumQ2, zero);
    F bestFit = d * sumQX;
    for (int itry = -ntry; itry <= ntry; ++itry) {
        id = V::set1(static_cast<float>(itry + kValuesIq4nl[0])) / mx;
        fit(id, false, sumQX, sumQ2);
        const M better = V::gt(sumQ2, zero) & V::gt(sumQX * sumQX, bestFit * sumQ2);
        d = V::select(better, sumQX / sumQ2, d);
        bestFit = V::select(better, d * sumQX, bestFit);
    }
    V::store(scaleOut, V::select(fitted, d, zero));
}

template <class V>
void fitScaleSignedRefined(int n, int nmax, const float* x, int8_t* L, float* scaleOut) {
    using F = typename V::F;
    using M = typename V::M;
    const F zero = V::set1(0.0f);
    F mx, amax;
    signedAbsMax<V>(n, x, mx, amax);
    const M tiny = V::lt(amax, V::set1(kGroupMaxEps));
    const F iscale = V::set1(static_cast<float>(-nmax)) / mx;
    F sumLX = zero, sumL2 = zero;
    F l[16];
    for (int i = 0; i < n; ++i) {
        const F xi = at<V>(x, i);
        l[i] = V::toFloat(V::clampInt(V::nearestInt(iscale * xi), -nmax, nmax - 1));
        const F w = xi * xi;
        sumLX = sumLX + w * xi * l[i];
        sumL2 = sumL2 + w * l[i] * l[i];
    }
    // The scalar code's passes stop, per sub-block, after the first that changes nothing.
    M active = ~tiny;
    for (int itry = 0; itry < 5 && active; ++itry) {
        M changed{};  // no lane
        for (int i = 0; i < n; ++i) {
            const F xi = at<V>(x, i);
            const F w = xi * xi, wx = w * xi;
            F slx = sumLX - wx * l[i];
            const M positive = active & V::gt(slx, zero);
            if (!positive) continue;
            F sl2 = sumL2 - w * l[i] * l[i];
            const F newL = V::toFloat(V::clampInt(V::nearestInt(xi * sl2 / slx), -nmax, nmax - 1));
            const M moved = positive & V::neq(newL, l[i]);
            if (!moved) continue;
            slx = slx + wx * newL;
            sl2 = sl2 + w * newL * newL;
            const M better = moved & V::gt(sl2, zero) & V::gt(slx * slx * sumL2, sumLX * sumLX * sl2);
            l[i] = V::select(better, newL, l[i]);
            sumLX = V::select(better, slx, sumLX);
            sumL2 = V::select(better, sl2, sumL2);
            changed = changed | better;
        }
        active = active & changed;
    }
    for (int i = 0; i < n; ++i) storeCodesWhere<V>(L + i * V::kLanes, V::addInt(V::nearestInt(l[i]), nmax), ~tiny);
    const F scale = V::select(V::gt(sumL2, zero), sumLX / sumL2, zero);
    V::store(scaleOut, V::select(tiny, zero, scale));
}

// Element by element (no sums), so any grouping gives the scalar code's values.
template <class V>
void quotientCodes(const float* x, int n, bool addShift, float shift, float d, int lo, int hi, int offset, uint8_t* L) {
    const typename V::F vs = V::set1(shift), vd = V::set1(d);
    for (int i = 0; i < n; i += V::kLanes) {
        typename V::F v = V::load(x + i);
        if (addShift) v = v + vs;
        V::storeCodes(L + i, V::addInt(V::clampInt(V::nearestInt(v / vd), lo, hi), offset));
    }
}

template <class V>
void iq4NlCodes(const float* x, float id, uint8_t* L) {
    const typename V::Table16 pairs = iq4NlTable<V>(true);
    const typename V::F vid = V::set1(id);
    for (int i = 0; i < 32; i += V::kLanes) V::storeCodes(L + i, nearestLevel16<V>(vid * V::load(x + i), pairs));
}

template <class V>
constexpr GgmlLaneKernels kernels() {
    return {V::kLanes,        fitScaleMin<V>,   fitScaleSigned<V>, fitScaleSignedRefined<V>,
            iq4NlScale<V>,    quotientCodes<V>, iq4NlCodes<V>};
}

}  // namespace lanes
}  // namespace detail
}  // namespace qv
