// Decoding of ggml block-quantized storage (GGUF tensors) to float, exactly as llama.cpp does.
#pragma once

#include <cstddef>

#include "core/tensor/dtype.h"

namespace qv {

// Decodes `blocks` consecutive blocks of type t from src into dst (blocks × blockElements floats).
// Returns false for a type this build cannot decode.
bool decodeGgmlBlocks(DType t, const std::byte* src, size_t blocks, float* dst);

}  // namespace qv
