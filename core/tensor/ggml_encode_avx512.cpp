// The scale searches of ggml_encode.cpp (fitScaleMin = make_qkx2_quants, fitScaleSigned = make_qx_quants,
// iq4NlScale = the search of IQ4_NL and of IQ4_XS's blocks of 32) on 16 independent sub-blocks at once, one
// per AVX-512 lane: the bodies in ggml_encode_impl.h (namespace lanes) over the operations below. Each lane
// runs its sub-block's computation element by element in the scalar code's order — every add, mul, div and
// compare is the same IEEE single-precision operation on the same operands — so the results are
// bit-identical. Compiled with -ffp-contract=off (no fused a·b + c, which would round once instead of twice).
// nearestInt(v) = (int)nearbyint(v) is cvtps2dq under round-to-nearest-even: both give the RNE integer in range
// and INT_MIN (0x80000000) for NaN and out-of-range values.
// GCC 12 reports its own intrinsics' _mm512_undefined_*() placeholders as "maybe uninitialized".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstdint>

#include "core/tensor/ggml_encode_impl.h"

namespace qv::detail {
namespace {

struct Avx512 {
    using F = __m512;
    using I = __m512i;
    using Table16 = __m512;
    struct M {
        __mmask16 m;
        M operator&(M o) const { return {static_cast<__mmask16>(m & o.m)}; }
        M operator|(M o) const { return {static_cast<__mmask16>(m | o.m)}; }
        M operator~() const { return {static_cast<__mmask16>(~m)}; }
        explicit operator bool() const { return m != 0; }
    };
    static constexpr int kLanes = 16;

    static F load(const float* p) { return _mm512_loadu_ps(p); }
    static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
    static F set1(float v) { return _mm512_set1_ps(v); }
    static I seti(int v) { return _mm512_set1_epi32(v); }
    static M lt(F a, F b) { return {_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)}; }
    static M gt(F a, F b) { return {_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)}; }
    static M ge(F a, F b) { return {_mm512_cmp_ps_mask(a, b, _CMP_GE_OQ)}; }
    static M eq(F a, F b) { return {_mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ)}; }
    static M neq(F a, F b) { return {_mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ)}; }
    static F select(M m, F a, F b) { return _mm512_mask_blend_ps(m.m, b, a); }
    static I selectI(M m, I a, I b) { return _mm512_mask_blend_epi32(m.m, b, a); }
    static I nearestInt(F v) { return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
    static F toFloat(I v) { return _mm512_cvtepi32_ps(v); }
    static I clampInt(I v, int lo, int hi) { return _mm512_max_epi32(seti(lo), _mm512_min_epi32(seti(hi), v)); }
    static I addInt(I v, int k) { return _mm512_add_epi32(v, seti(k)); }
    static F abs(F v) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), seti(0x7FFFFFFF))); }
    static F neg(F v) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), seti(INT32_MIN))); }
    static Table16 table16(const float* t) { return _mm512_loadu_ps(t); }
    static F lookup(Table16 t, I idx) { return _mm512_permutexvar_ps(idx, t); }
    static void storeCodes(void* p, I v) { _mm_storeu_si128(static_cast<__m128i*>(p), _mm512_cvtepi32_epi8(v)); }
};

}  // namespace

const GgmlLaneKernels& ggmlLaneKernelsAvx512() {
    static constexpr GgmlLaneKernels k = lanes::kernels<Avx512>();
    return k;
}

}  // namespace qv::detail

#pragma GCC diagnostic pop
