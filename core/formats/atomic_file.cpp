// Temporary-file-then-rename output shared by the .npy and safetensors writers.
#include "core/formats/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace qv {

bool AtomicWriter::write(const void* data, size_t size) const {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(m_fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

Status writeFileAtomically(const std::string& path, const std::function<bool(const AtomicWriter&)>& body) {
    std::string tmpl = path + ".tmp-XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) return makeError(path + ": cannot create temporary file (" + std::strerror(errno) + ")");
    // mkstemp creates 0600; output files are ordinary documents (0644). Querying the umask would
    // need umask(2), which changes process-wide state under other threads.
    (void)::fchmod(fd, 0644);
    bool ok = body(AtomicWriter(fd));
    int err = ok ? 0 : (errno ? errno : EIO);
    if (ok && ::fsync(fd) != 0) ok = false, err = errno;
    if (::close(fd) != 0 && ok) ok = false, err = errno;
    if (ok && std::rename(name.data(), path.c_str()) != 0) ok = false, err = errno;
    if (!ok) {
        ::unlink(name.data());
        return makeError(path + ": write failed (" + std::strerror(err) + "); no file written");
    }
    return Ok{};
}

}  // namespace qv
