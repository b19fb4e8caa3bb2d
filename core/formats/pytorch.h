// PyTorch checkpoint loader: torch.save zip archives (.pt/.pth/.bin) of state dicts.
#pragma once

#include <memory>
#include <string>

#include "core/base/byte_source.h"
#include "core/base/result.h"
#include "core/formats/model_file.h"

namespace qv {

class ZipArchive;

// Layout written by torch.save since PyTorch 1.6 (torch/serialization.py _save, with
// caffe2/serialize/inline_container.cc writing the zip): members "<archive>/data.pkl" (the pickle),
// "<archive>/data/<key>" (one raw little-endian storage per key, stored uncompressed and 64-byte
// aligned), "<archive>/byteorder" ("little"; absent before PyTorch 2.1), "<archive>/version".
// Tensors are named by their state-dict keys verbatim; nested dicts/lists join keys with '.'.
// Contiguous tensors are zero-copy windows of the mapped file; non-contiguous ones (a saved view)
// are gathered into memory, at most kPytorchMaxGatherBytes per file. Scalars in the pickle (epoch,
// learning rate, …) become metadata.
Result<ModelFile> openPytorch(const std::string& path);

// The same on bytes in memory (fuzzing, tests); `path` only names the file in messages.
Result<ModelFile> openPytorchBytes(std::shared_ptr<const ByteSource> bytes, const std::string& path);

// The same on an archive already opened over `bytes`.
Result<ModelFile> openPytorchArchive(const ZipArchive& zip, std::shared_ptr<const ByteSource> bytes,
                                     const std::string& path);

// True when the archive has a pickle member named "data.pkl" (any directory): torch.save's layout.
bool isPytorchArchive(const ZipArchive& zip);

inline constexpr uint64_t kPytorchMaxGatherBytes = uint64_t{256} << 20;
inline constexpr uint64_t kPytorchMaxInflatedBytes = uint64_t{4} << 30;

}  // namespace qv
