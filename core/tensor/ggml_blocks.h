// Decoding of ggml block-quantized storage (GGUF tensors) to float, exactly as llama.cpp does.
#pragma once

#include <cstddef>

#include "core/tensor/dtype.h"

namespace qv {

// Decodes `blocks` consecutive blocks of type t from src into dst (blocks × blockElements floats).
// Decoded: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL, IQ4_XS, MXFP4,
// TQ1_0, TQ2_0. Returns false for any other type (plain types, and the IQ grid types IQ2_XXS … IQ1_M,
// which are listed but not decoded).
bool decodeGgmlBlocks(DType t, const std::byte* src, size_t blocks, float* dst);

// True when decodeGgmlBlocks can decode t.
bool ggmlBlocksDecodable(DType t);

}  // namespace qv
