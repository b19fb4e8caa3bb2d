// ModelFile: an opened model — its tensors (headers only), metadata and the bytes they live in.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/result.h"
#include "core/tensor/tensor_info.h"
#include "core/tensor/tensor_view.h"

namespace qv {

struct MetadataEntry {
    std::string key;
    std::string value;  // rendered for display (arrays abbreviated)
};

struct ModelFile {
    std::string path;
    std::string format;                       // "safetensors", "npy", "gguf", "onnx", "npz", "pytorch"
    std::vector<TensorInfo> tensors;          // in file order
    std::vector<MetadataEntry> metadata;      // file-level key/values (GGUF KV, __metadata__, producer…)
    std::vector<std::shared_ptr<const ByteSource>> sources;  // TensorInfo::source indexes this

    TensorView view(size_t index) const;
    std::optional<size_t> find(std::string_view name) const;
    uint64_t totalElements() const;
};

// Opens any supported file by sniffing its first bytes (and the name for .index.json / .onnx).
// Reads headers only. Errors name the file and what is wrong.
Result<std::shared_ptr<const ModelFile>> openModel(const std::string& path);

// Extensions the open dialog offers.
const std::vector<std::string>& supportedExtensions();

}  // namespace qv
