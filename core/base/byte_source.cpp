// Memory mapping and small-file reads for ByteSource.
#include "core/base/byte_source.h"

#include "core/base/mapping_guard.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qv {

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return makeError(path + ": cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return makeError(path + ": cannot stat (" + std::strerror(e) + ")");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(path + ": not a regular file");
    }
    auto file = std::shared_ptr<MappedFile>(new MappedFile());
    file->m_path = path;
    file->m_size = static_cast<size_t>(st.st_size);
    if (file->m_size > 0) {
        void* p = ::mmap(nullptr, file->m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            return makeError(path + ": cannot map (" + std::strerror(e) + ")");
        }
        file->m_data = static_cast<const std::byte*>(p);
        file->m_guardSlot = MappingGuard::add(p, file->m_size);
    }
    file->m_fd = fd;
    file->m_mtimeSec = static_cast<int64_t>(st.st_mtim.tv_sec);
    file->m_mtimeNsec = static_cast<int64_t>(st.st_mtim.tv_nsec);
    return file;
}

MappedFile::~MappedFile() {
    MappingGuard::remove(m_guardSlot);  // before munmap: the range may be reused at once
    if (m_data) ::munmap(const_cast<std::byte*>(m_data), m_size);
    if (m_fd >= 0) ::close(m_fd);
}

std::string MappedFile::integrityProblem() const {
    const std::string reopen = " Reopen the file to see what it holds now.";
    if (MappingGuard::faults(m_guardSlot) > 0)
        return m_path + " was truncated on disk while open: the part past its new end now reads as zeros, so "
                        "values from it are not the file's." + reopen;
    struct stat st {};
    if (m_fd < 0 || ::fstat(m_fd, &st) != 0) return {};
    if (static_cast<size_t>(st.st_size) != m_size)
        return m_path + " changed size on disk while open (" + std::to_string(m_size) + " → " +
               std::to_string(st.st_size) + " bytes): it is being rewritten, so values read from it may mix old "
                                            "and new contents." + reopen;
    if (static_cast<int64_t>(st.st_mtim.tv_sec) != m_mtimeSec || static_cast<int64_t>(st.st_mtim.tv_nsec) != m_mtimeNsec)
        return m_path + " was modified on disk since it was opened, so values read from it may mix old and new "
                        "contents." + reopen;
    return {};
}

static void advise(const std::byte* base, size_t size, size_t offset, size_t len, int what) {
    if (!base || offset >= size) return;
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    size_t begin = offset / page * page;
    size_t end = std::min(size, offset + len);
    ::madvise(const_cast<std::byte*>(base) + begin, end - begin, what);
}

void MappedFile::adviseSequential(size_t offset, size_t len) const {
    advise(m_data, m_size, offset, len, MADV_SEQUENTIAL);
    advise(m_data, m_size, offset, len, MADV_WILLNEED);
}

void MappedFile::dropResidentPages(const std::byte* begin, size_t len) const {
    if (!m_data || begin < m_data || begin >= m_data + m_size) return;
    // Whole pages inside the range only: the pages at its edges may hold bytes a neighbouring chunk
    // still reads (dropping them would be correct, only slower).
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto lo = (reinterpret_cast<uintptr_t>(begin) + page - 1) & ~(page - 1);
    const auto end = reinterpret_cast<uintptr_t>(std::min(begin + len, m_data + m_size)) & ~(page - 1);
    if (end > lo) ::madvise(reinterpret_cast<void*>(lo), end - lo, MADV_DONTNEED);
}

void MappedFile::adviseDontNeed(size_t offset, size_t len) const {
    advise(m_data, m_size, offset, len, MADV_DONTNEED);
}

Result<std::string> readTextFile(const std::string& path, size_t maxBytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(path + ": cannot open");
    in.seekg(0, std::ios::end);
    auto size = static_cast<std::streamoff>(in.tellg());
    if (size < 0) return makeError(path + ": cannot read");
    if (static_cast<size_t>(size) > maxBytes)
        return makeError(path + ": file too large (" + std::to_string(size) + " bytes)");
    in.seekg(0);
    std::string text(static_cast<size_t>(size), '\0');
    in.read(text.data(), size);
    if (!in) return makeError(path + ": read failed");
    return text;
}

}  // namespace qv
