// Decoding of ggml's IQ grid block types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M) to float,
// value for value as llama.cpp's dequantize_row_iq* does. Reached through decodeGgmlBlocks (ggml_blocks.h).
#pragma once

#include <cstddef>

#include "core/tensor/dtype.h"

namespace qv {

// True for the seven IQ grid types.
bool ggmlIqGridType(DType t);

// Decodes `blocks` consecutive blocks of the IQ grid type t from src (blocks × traits(t).blockBytes bytes, all
// of which are read and no more) into dst (blocks × 256 floats). Returns false when t is not an IQ grid type.
bool decodeGgmlIqGridBlocks(DType t, const std::byte* src, size_t blocks, float* dst);

}  // namespace qv
