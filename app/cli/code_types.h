// Integer storage types for quantized codes (--dtype) and helpers to read and write code arrays.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/tensor/dtype.h"
#include "core/tensor/tensor_view.h"

namespace qv::cli {

struct CodeType {
    const char* name;  // numpy spelling: "int8", "uint8", …
    DType dtype;
    int width;         // bits of the storage type
    bool isSigned;
};

// int8, uint8, int16, uint16, int32 (the types ONNX QuantizeLinear and PyTorch quantized tensors use).
const CodeType* codeTypeFromName(const std::string& name);
const CodeType* codeTypeFromDType(DType dtype);  // nullptr when not one of the above
const CodeType& defaultCodeType(int bits, bool isSigned);  // smallest of the above holding `bits`

// Full range of a `bits`-wide code of the given signedness: −2^(b−1)..2^(b−1)−1 or 0..2^b−1.
int64_t codeMin(int bits, bool isSigned);
int64_t codeMax(int bits, bool isSigned);

// Packs codes (already inside the type's range) as the storage type's little-endian bytes.
std::vector<std::byte> packCodes(std::span<const int64_t> codes, const CodeType& type);

// Reads an integer tensor exactly (no float round trip), in logical row-major order, whatever
// its storage order. nullopt when the tensor's dtype is not a plain integer type.
std::optional<std::vector<int64_t>> readIntegers(const TensorView& view);

}  // namespace qv::cli
