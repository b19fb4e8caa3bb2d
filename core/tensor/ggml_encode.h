// Encoding floats into ggml block types as llama.cpp's reference quantizers do (ggml-quants.c
// quantize_row_*_ref: what `llama-quantize` writes for a tensor when no importance matrix is given), so
// that quantviz can show what converting a layer to Q4_0, Q8_0, … would cost — the same bytes a GGUF file
// would hold, decoded back by decodeGgmlBlocks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"

namespace qv {

// The block types encodeGgmlBlocks writes: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 (blocks of 32 along a row) and the
// K-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (super-blocks of 256), IQ4_NL (blocks of 32 on a 16-level grid) and
// IQ4_XS (super-blocks of 256: 8 IQ4_NL-style blocks of 32 with 6-bit scales under one f16 scale).
bool ggmlEncodable(DType t);
// Encodes `blocks` blocks of traits(t).blockElements floats from src into dst (blocks × blockBytes
// bytes). Returns false for a type it cannot write. Non-finite inputs are written as llama.cpp would
// (its float-to-int conversions on NaN are undefined; callers check finiteness first).
bool encodeGgmlBlocks(DType t, const float* src, size_t blocks, std::byte* dst);

// The K-quants' scale-and-minimum search as the encoder runs it (llama.cpp make_qkx2_quants, squared error),
// for the walkthrough that shows one super-block: fits x (n ≤ 32 values, weights w) with nmax + 1 levels,
// writes the codes to L and −min ≥ 0 to *theMin, returns the scale; *winner (when given) is the candidate
// is = 0..nstep whose iscale = (rmin + rdelta·is + nmax)/(max − min) won, −1 when none beat nmax/(max − min).
float ggmlFitScaleMin(int n, int nmax, const float* x, const float* w, uint8_t* L, float* theMin, float rmin,
                      float rdelta, int nstep, int* winner = nullptr);

}  // namespace qv
