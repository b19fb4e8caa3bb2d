// GGUF loader: llama.cpp's model container (v2/v3) — metadata, tensor infos, aligned data — read header-only.
//
// Layout (gguf docs in ggml/docs/gguf.md; REFERENCE.md §4), little-endian throughout:
//   "GGUF" u32 version  u64 tensor_count  u64 kv_count
//   kv_count × { string key; u32 value_type; value }          string = u64 length + bytes (no NUL)
//   tensor_count × { string name; u32 n_dims (≤ 4); u64 ne[n_dims]; u32 ggml_type; u64 offset }
//   padding to general.alignment (u32, default 32, a power of two); then the data section, in which every
//   tensor's offset is relative to the section start and a multiple of the alignment.
// GGUF's ne[0] is the fastest-varying axis, so shapes are reversed into numpy order: a tensor with GGUF
// dims [64, 512] (64 per row, 512 rows) has shape [512, 64] here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/result.h"
#include "core/formats/gguf_metadata.h"
#include "core/formats/model_file.h"
#include "core/tensor/dtype.h"

namespace qv {

constexpr uint32_t kGgufMaxDims = 4;           // GGML_MAX_DIMS
constexpr uint64_t kGgufDefaultAlignment = 32;  // GGUF_DEFAULT_ALIGNMENT

// ggml_type ids (llama.cpp ggml.h enum ggml_type) → DType; nullopt for ids that are unknown or were removed
// (4, 5, 31–33, 36–38). Every known id maps to a DType, and every such DType is decoded (ggml_blocks.h).
std::optional<DType> dtypeFromGgmlType(uint32_t id);
// "Q4_K", "IQ2_XXS", … or "type 99" for an unknown id.
std::string ggmlTypeName(uint32_t id);

struct GgufTensorInfo {
    std::string name;
    uint32_t ggmlType = 0;
    DType dtype = DType::F32;
    std::vector<uint64_t> dims;  // as stored: dims[0] is the fastest axis (row length)
    uint64_t offset = 0;         // relative to the data section
    uint64_t bytes = 0;          // storageBytes(dtype, elements)
};

// What the header says, validated against the bytes that back it.
struct GgufHeader {
    uint32_t version = 0;
    uint64_t alignment = kGgufDefaultAlignment;
    uint64_t dataOffset = 0;     // absolute offset of the data section
    std::vector<GgufKeyValue> metadata;
    std::vector<GgufTensorInfo> tensors;
    const GgufValue* find(std::string_view key) const;
};

// Parses and validates the header in `bytes` (the whole file: tensor extents are checked against its
// size). `name` prefixes every error message. Counts, lengths and offsets are checked against the bytes
// that remain before anything is allocated or read.
Result<GgufHeader> parseGgufHeader(std::span<const std::byte> bytes, const std::string& name);

// Builds a ModelFile (format "gguf", shapes in numpy order, metadata rendered for display, preceded by
// "GGUF.version", "GGUF.alignment" and "GGUF.tensor_count") from bytes already in memory or mapped —
// the entry point for fuzzing and for tests that build files in memory.
Result<ModelFile> openGgufFromBytes(std::shared_ptr<const ByteSource> source, const std::string& name);

// Memory-maps `path` and reads its header only.
Result<ModelFile> openGguf(const std::string& path);

}  // namespace qv
