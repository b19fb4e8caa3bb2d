// safetensors loader (single file, and sharded models through model.safetensors.index.json).
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/formats/model_file.h"

namespace qv {

// Format: u64 little-endian header size N, N bytes of JSON {name: {dtype, shape, data_offsets}, …,
// "__metadata__": {str: str}}, then the data; offsets are relative to the end of the header.
Result<ModelFile> openSafetensors(const std::string& path);

// A sharded model: {"weight_map": {tensor: shard file}} — every shard is mapped, tensors merged.
Result<ModelFile> openSafetensorsIndex(const std::string& path);

// Writes a safetensors file (tests, the sample generator). Tensors are written in the given order.
struct SafetensorsEntry {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> data;
};
Status writeSafetensors(const std::string& path, const std::vector<SafetensorsEntry>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace qv
