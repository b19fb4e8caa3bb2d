// The scale searches of ggml_encode.cpp on 8 independent sub-blocks at once, one per AVX2 lane, for CPUs
// without AVX-512: the bodies in ggml_encode_impl.h (namespace lanes), as the AVX-512 file runs them on 16
// lanes, over the operations below — the same IEEE single-precision operations on the same operands, so the
// same bytes as the scalar code. Compiled with -ffp-contract=off (no fused a·b + c). AVX2 has no mask
// registers: a lane mask is a compare's all-ones/all-zeros lanes, blends pick by its sign bit.
// nearestInt(v) = (int)nearbyint(v) is cvtps2dq under the MXCSR's rounding, round-to-nearest-even unless a
// caller changed it (nearbyint follows the same mode): both give INT_MIN for NaN and out-of-range values.
#include <immintrin.h>

#include <cstdint>

#include "core/tensor/ggml_encode_impl.h"

namespace qv::detail {
namespace {

struct Avx2 {
    using F = __m256;
    using I = __m256i;
    struct Table16 {
        __m256 lo, hi;  // entries 0–7, 8–15
    };
    struct M {
        __m256 m;
        M operator&(M o) const { return {_mm256_and_ps(m, o.m)}; }
        M operator|(M o) const { return {_mm256_or_ps(m, o.m)}; }
        M operator~() const { return {_mm256_xor_ps(m, _mm256_castsi256_ps(_mm256_set1_epi32(-1)))}; }
        explicit operator bool() const { return _mm256_movemask_ps(m) != 0; }
    };
    static constexpr int kLanes = 8;

    static F load(const float* p) { return _mm256_loadu_ps(p); }
    static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
    static F set1(float v) { return _mm256_set1_ps(v); }
    static I seti(int v) { return _mm256_set1_epi32(v); }
    static M lt(F a, F b) { return {_mm256_cmp_ps(a, b, _CMP_LT_OQ)}; }
    static M gt(F a, F b) { return {_mm256_cmp_ps(a, b, _CMP_GT_OQ)}; }
    static M ge(F a, F b) { return {_mm256_cmp_ps(a, b, _CMP_GE_OQ)}; }
    static M eq(F a, F b) { return {_mm256_cmp_ps(a, b, _CMP_EQ_OQ)}; }
    static M neq(F a, F b) { return {_mm256_cmp_ps(a, b, _CMP_NEQ_UQ)}; }
    static F select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m.m); }
    static I selectI(M m, I a, I b) {
        return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m.m));
    }
    static I nearestInt(F v) { return _mm256_cvtps_epi32(v); }
    static F toFloat(I v) { return _mm256_cvtepi32_ps(v); }
    static I clampInt(I v, int lo, int hi) { return _mm256_max_epi32(seti(lo), _mm256_min_epi32(seti(hi), v)); }
    static I addInt(I v, int k) { return _mm256_add_epi32(v, seti(k)); }
    static F abs(F v) { return _mm256_and_ps(v, _mm256_castsi256_ps(seti(0x7FFFFFFF))); }
    static F neg(F v) { return _mm256_xor_ps(v, _mm256_castsi256_ps(seti(INT32_MIN))); }
    static Table16 table16(const float* t) { return {_mm256_loadu_ps(t), _mm256_loadu_ps(t + 8)}; }
    // idx 0..15: both halves permuted by its low three bits, the upper one taken where bit 3 (shifted to the
    // sign) is set.
    static F lookup(const Table16& t, I idx) {
        return _mm256_blendv_ps(_mm256_permutevar8x32_ps(t.lo, idx), _mm256_permutevar8x32_ps(t.hi, idx),
                                _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28)));
    }
    // Codes are 0..255, so the saturating packs keep each lane's low byte.
    static void storeCodes(void* p, I v) {
        const __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64(static_cast<__m128i*>(p), _mm_packus_epi16(words, words));
    }
};

}  // namespace

const GgmlLaneKernels& ggmlLaneKernelsAvx2() {
    static constexpr GgmlLaneKernels k = lanes::kernels<Avx2>();
    return k;
}

}  // namespace qv::detail
