// Atomic file output: write to a temporary file beside the target, then rename over it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "core/base/result.h"

namespace qv {

// Handed to the body of writeFileAtomically; writes go to the temporary file.
class AtomicWriter {
public:
    explicit AtomicWriter(int fd) : m_fd(fd) {}
    // Writes all `size` bytes; false on any error (disk full, I/O error).
    bool write(const void* data, size_t size) const;

private:
    int m_fd;
};

// Creates "<path>.tmp-XXXXXX" in the same directory (so rename is atomic on POSIX), runs body,
// fsyncs and renames it to path. On any failure the temporary file is removed and path is left
// untouched — no partial output file is ever visible under the final name.
Status writeFileAtomically(const std::string& path, const std::function<bool(const AtomicWriter&)>& body);

}  // namespace qv
