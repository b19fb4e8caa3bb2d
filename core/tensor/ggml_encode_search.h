// Private to core/tensor/ggml_encode*.cpp and their tests: the pieces of the reference encoders
// (ggml_encode.cpp) that llama.cpp's importance-weighted quantizers (ggml-quants.c quantize_row_*_impl,
// ggml_encode_weighted.cpp) share with them — the searches that take weights, and everything after a
// super-block's scales are chosen (scale packing, the codes redone against the decoded scales, the bit packing).
// One definition each, so both paths write the same bytes from the same choices. Scalar code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"
#include "core/tensor/ggml_encode_impl.h"

namespace qv {

// encodeGgmlBlocksWeighted (ggml_encode_weighted.h) through an explicit path, for the tests that hold the vector
// paths to the portable one (the sub-block fits of Q2_K, Q4_K and Q5_K have lane forms). False for an
// unavailable path too.
bool encodeGgmlBlocksWeightedWith(GgmlEncodePath path, DType t, const float* src, const float* importance, size_t rows,
                                  size_t rowLength, std::byte* dst);

}  // namespace qv

namespace qv::detail {

// ggml's nearest_int: round half to even.
int ggmlNearestInt(float v);
// Stores f16(v) at dst (little-endian).
void ggmlPutHalf(std::byte* dst, float v);

// make_qx_quants(n, nmax, x, L, rmse_type 1, qw): the symmetric fit onto −nmax..nmax−1 under weights qw[i] (x² when
// qw is null), best of 19 candidate scales; L receives l + nmax; returns the scale (0 for a group below 1e-15).
float ggmlFitScaleSigned(int n, int nmax, const float* x, int8_t* L, const float* qw);
// quantize_row_iq4_nl_impl's search on one block of 32 (ntry candidates each side) under weights (x² when null);
// returns the scale, codes of the first fit in L.
float ggmlIq4NlScale(const float* x, int ntry, uint8_t* L, const float* weights);

// Bytes of one block from its chosen scales:
// IQ4_NL (ntry 7): f16 scale, codes redone against it, nibbles.
void ggmlFinishIq4Nl(const float* x, float scale, std::byte* y);
// IQ4_XS: the 8 block scales to 6 bits under −max/32, codes redone against d·l, packing.
void ggmlFinishIq4Xs(const float* x, const float* scales, std::byte* y);
// Q6_K: the 16 scales to int8 under −128/max, codes redone, packing (L: scratch of 256).
void ggmlFinishQ6_K(const float* x, const float* scales, int8_t* L, std::byte* y);
// Q4_K / Q5_K (nmax 15 / 31): 6-bit scales ls and minima lm with their f16 d and dmin — packed, then the codes
// redone into L (0..nmax, 256) — and the codes' packing.
void ggmlWriteScaleMinSuperBlock(const float* x, int nmax, const uint8_t* ls, const uint8_t* lm, float d, float dmin,
                                 std::byte* y, uint8_t* L);
void ggmlPackQ4_K(const uint8_t* L, std::byte* y);
void ggmlPackQ5_K(const uint8_t* L, std::byte* y);
// Q2_K once scales (bytes 0..15) and f16 d, dmin (80..83) are written: codes redone and packed (L: scratch of 256).
void ggmlRoundPackQ2_K(const float* x, std::byte* y, uint8_t* L);
// Q3_K: the 16 six-bit scales (0..63) packed into bytes 96..107; then, once f16 d (108) is written, the codes
// redone, hmask and the 2-bit planes (L: scratch of 256).
void ggmlPackQ3_KScales(const int* ls, std::byte* y);
void ggmlRoundPackQ3_K(const float* x, std::byte* y, int8_t* L);
// Blocks of 32: codes q[0..31] as nibbles (element j low, j + 16 high, in qs[j]); fifth bits as a u32 bitmask.
void ggmlPackNibbles(const int* q, std::byte* qs);
void ggmlPackHighBits(const int* q, std::byte* qh);

}  // namespace qv::detail
