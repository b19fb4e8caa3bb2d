// Decoding of ggml block-quantized storage (GGUF tensors) to float, exactly as llama.cpp does.
#pragma once

#include <cstddef>

#include "core/tensor/dtype.h"

namespace qv {

// Decodes `blocks` consecutive blocks of type t from src into dst (blocks × blockElements floats).
// Decoded: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL, IQ4_XS, MXFP4,
// TQ1_0, TQ2_0, and the IQ grid types IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M (ggml_iq_blocks.h).
// Returns false for plain types.
bool decodeGgmlBlocks(DType t, const std::byte* src, size_t blocks, float* dst);

// True when decodeGgmlBlocks can decode t.
bool ggmlBlocksDecodable(DType t);

// How a block type groups its elements under shared scales: ggml's K-quants are two-level (a super-block
// scale d times a 4–8-bit sub-block scale), so the step that matters is per sub-block of 16 or 32.
// The IQ grid types have no layout here (groupElements 0, ggmlGroupScales false): their codes index 8- or
// 4-dimensional codebook points with per-weight signs (and IQ1's ±0.125 shift), so neither y = step·code +
// offset nor y = step·table[code] with one code per weight describes them.
struct GgmlGroupLayout {
    uint32_t groupElements = 0;   // elements sharing one step (0: t is not a decodable block type)
    uint32_t groupsPerBlock = 0;
    bool levelTable = false;      // the code indexes a non-uniform level table (IQ4_NL/IQ4_XS/MXFP4):
                                  // y = step·table[code]; otherwise y = step·code + offset, code unsigned
};
GgmlGroupLayout ggmlGroupLayout(DType t);

// The effective step and offset of every group in `blocks` blocks (blocks × groupsPerBlock each):
// Q4_0 step d, offset −8d; Q4_1 d, m; Q2_K/Q4_K/Q5_K d·sc, −dmin·m; Q3_K d·S, −4·d·S; Q6_K d·sc, −32·d·sc;
// TQ1_0/TQ2_0 d, −d; the rest offset 0. Returns false for types without a layout.
bool ggmlGroupScales(DType t, const std::byte* src, size_t blocks, float* step, float* offset);

}  // namespace qv
