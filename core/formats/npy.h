// NumPy .npy loader (format v1.0–3.0) and writer (used by the CLI's export and by tests).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/formats/model_file.h"

namespace qv {

// One tensor named after the file's stem. Little-endian numeric dtypes, C and Fortran order.
Result<ModelFile> openNpy(const std::string& path);

// Parses an .npy image held in memory (an .npz member); `name` becomes the tensor name.
// `source` is the index the TensorInfo will carry.
Result<TensorInfo> parseNpyHeader(std::span<const std::byte> bytes, const std::string& name,
                                  const std::string& context);

// Writes a C-order .npy of the given dtype (F32, F64, I8, U8, I16, I32, I64, …) atomically
// (temporary file then rename, so a failure leaves no partial file).
Status writeNpy(const std::string& path, DType dtype, const std::vector<int64_t>& shape,
                std::span<const std::byte> data);

}  // namespace qv
