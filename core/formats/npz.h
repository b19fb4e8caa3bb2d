// NumPy .npz loader: a zip of .npy members (np.savez stores them, np.savez_compressed deflates them).
#pragma once

#include <memory>
#include <string>

#include "core/base/byte_source.h"
#include "core/base/result.h"
#include "core/formats/model_file.h"

namespace qv {

class ZipArchive;

// Opens an .npz: every member whose name ends in ".npy" becomes a tensor named after the member
// without ".npy" (issue 6 naming). Stored members are zero-copy windows of the mapped file;
// deflated members are inflated at open (each refused above kNpzMaxInflatedBytes).
Result<ModelFile> openNpz(const std::string& path);

// The same on bytes already in memory (fuzzing, tests); `path` only names the file in messages.
Result<ModelFile> openNpzBytes(std::shared_ptr<const ByteSource> bytes, const std::string& path);

// The same on an archive already opened over `bytes` (openModel's zip dispatch).
Result<ModelFile> openNpzArchive(const ZipArchive& zip, std::shared_ptr<const ByteSource> bytes,
                                 const std::string& path);

// Largest member inflated into memory (a deflated member has to live in RAM).
inline constexpr uint64_t kNpzMaxInflatedBytes = uint64_t{4} << 30;

}  // namespace qv
