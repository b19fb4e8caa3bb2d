// ONNX loader: graph initializers and Constant-node tensors (subgraphs included), via Debian's onnx_proto.
#pragma once

#include <memory>
#include <string>

#include "core/base/byte_source.h"
#include "core/base/result.h"
#include "core/formats/model_file.h"

namespace qv {

// Parses the ModelProto (protobuf; onnx/onnx.proto of ONNX 1.12) and lists, in graph order:
// initializers of the main graph and of every subgraph (If/Loop/Scan bodies, recursively), then
// the `value` tensors of Constant nodes anywhere, named by the node's output, and Constant nodes
// of model-local functions. Numeric element types only (float, double, f16, bf16, int8…int64,
// uint8…uint64, bool); string/complex/float8 tensors are skipped and listed in the metadata.
// raw_data tensors are zero-copy views into the parsed message (kept alive by the sources);
// typed fields (float_data, int32_data, …) are converted once; external data is mapped from
// files beside the model (location relative to the model's directory, never outside it).
Result<ModelFile> openOnnx(const std::string& path);

// The same on bytes in memory; external data files are resolved against `path`'s directory
// only when allowExternal (the fuzzer turns it off).
Result<ModelFile> openOnnxBytes(std::span<const std::byte> bytes, const std::string& path,
                                bool allowExternal = true);

// protobuf refuses messages of 2 GiB and more; larger models must keep weights as external data.
inline constexpr uint64_t kOnnxMaxFileBytes = (uint64_t{1} << 31) - 1;

}  // namespace qv
