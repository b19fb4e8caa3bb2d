// Private to core/tensor/ggml_encode*.cpp and their tests: the choice between the scalar encoders (the
// reference) and the AVX-512 ones, which run the scale searches of 16 independent sub-blocks at once, one
// per lane, each lane doing the scalar code's float operations in the scalar code's order (so the bytes are
// the same; tested against the scalar path).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"

namespace qv {

enum class GgmlEncodePath { Auto, Portable, Avx512 };

// Auto: AVX-512 when the CPU has it (F, DQ, BW, VL) and QV_SIMD does not force "portable" or "avx2".
GgmlEncodePath resolvedGgmlEncodePath();
// False when this CPU cannot run `path`.
bool ggmlEncodePathAvailable(GgmlEncodePath path);
// encodeGgmlBlocks through an explicit path (Auto = resolvedGgmlEncodePath()); the types without a vector
// form (the blocks of 32 but IQ4_NL) take the scalar code on every path. False for an unwritable type or an
// unavailable path.
bool encodeGgmlBlocksWith(GgmlEncodePath path, DType t, const float* src, size_t blocks, std::byte* dst);

namespace detail {

constexpr int kGgmlLanes = 16;

// Lane-major arrays: element i of lane k at [i·16 + k]; n ≤ 32 elements per lane.
// make_qkx2_quants (ggml_encode.cpp fitScaleMin) on 16 sub-blocks: codes into L, scale and −min per lane.
void fitScaleMinLanesAvx512(int n, int nmax, const float* x, const float* w, uint8_t* L, float* scale, float* theMin,
                            float rmin, float rdelta, int nstep, bool absoluteError);
// make_qx_quants, rmse_type 1 (fitScaleSigned) on 16 sub-blocks: codes l + nmax into L, scale per lane.
void fitScaleSignedLanesAvx512(int n, int nmax, const float* x, int8_t* L, float* scale);
// iq4NlScale (the search of IQ4_NL, and of IQ4_XS's blocks of 32) on 16 blocks of 32: the scale per lane
// (before any rounding) and, when ntry ≤ 0, the codes of the first fit into L (with ntry > 0 the caller redoes
// the codes from the final scale).
void iq4NlScaleLanesAvx512(const float* x, int ntry, uint8_t* L, float* scale);
// make_q3_quants with do_rmse (fitScaleSignedRefined) on 16 sub-blocks: codes l + nmax into L, scale per lane.
void fitScaleSignedRefinedLanesAvx512(int n, int nmax, const float* x, int8_t* L, float* scale);

// Contiguous (not lane-major), element by element: L[i] = clamp(nearest_int((x[i] + shift) / d), lo, hi) + offset
// (x[i] / d when !addShift), n a multiple of 16; and IQ4_NL's codes nearestLevel(id·x[i]) of one block of 32.
void quotientCodesAvx512(const float* x, int n, bool addShift, float shift, float d, int lo, int hi, int offset, uint8_t* L);
void iq4NlCodesAvx512(const float* x, float id, uint8_t* L);

}  // namespace detail
}  // namespace qv
