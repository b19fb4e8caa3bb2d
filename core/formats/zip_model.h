// Routes a zip file to its loader: a PyTorch checkpoint (has data.pkl) or a NumPy .npz.
#pragma once

#include <memory>
#include <string>

#include "core/base/byte_source.h"
#include "core/base/result.h"
#include "core/formats/model_file.h"

namespace qv {

Result<ModelFile> openZipModel(const std::string& path);
Result<ModelFile> openZipModelBytes(std::shared_ptr<const ByteSource> bytes, const std::string& path);

}  // namespace qv
