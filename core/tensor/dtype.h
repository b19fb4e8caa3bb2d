// DType: every element type a tensor can be stored in, with a traits table that drives conversion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace qv {

// Plain element types first, then block-quantized storage types (ggml's, as found in GGUF files).
enum class DType : uint8_t {
    F32, F16, BF16, F64,
    I8, U8, I16, U16, I32, U32, I64, U64, Bool,
    // ggml block types (REFERENCE.md §4; llama.cpp ggml-common.h)
    Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1,
    Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K,
    IQ4_NL, IQ4_XS,
    // More ggml types GGUF files may hold, all decoded: the IQ grid types (ggml_iq_blocks.h), TQ1_0, TQ2_0, MXFP4.
    IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ3_S, IQ2_S, IQ1_M, TQ1_0, TQ2_0, MXFP4,
    Count
};

struct DTypeTraits {
    DType type;
    std::string_view name;       // as shown to users: "f32", "bf16", "q4_K", …
    uint32_t blockElements;      // 1 for plain types; 32 or 256 for ggml blocks
    uint32_t blockBytes;         // bytes per block (element size for plain types)
    bool isFloat;                // plain floating type
    bool isInteger;              // plain integer type (bool counts as integer)
    bool isSigned;
    bool isBlockQuantized;       // decoded through decodeBlocks (ggml)
};

const DTypeTraits& traits(DType t);
inline std::string_view dtypeName(DType t) { return traits(t).name; }
// Case-insensitive lookup by name ("f32", "float32", "Q4_K", …).
std::optional<DType> dtypeFromName(std::string_view name);
// Bits per stored element, including block scales (e.g. 4.5 for Q4_0).
double bitsPerElement(DType t);
// Stored bytes for `elements` values; nullopt when `elements` is not a whole number of blocks
// or the product overflows.
std::optional<uint64_t> storageBytes(DType t, uint64_t elements);

// Converts `count` consecutive stored elements starting at element `first` of `src` to float.
// For block types, `first` and `count` need not be block-aligned. Returns false when the type
// cannot be decoded (unknown block type). 64-bit integers and f64 are rounded to nearest float.
bool convertToFloat(DType t, const std::byte* src, uint64_t first, size_t count, float* dst);

}  // namespace qv
