// Memory mapping and small-file reads for ByteSource.
#include "core/base/byte_source.h"

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
    }
    ::close(fd);  // the mapping keeps the file alive
    return file;
}

MappedFile::~MappedFile() {
    if (m_data) ::munmap(const_cast<std::byte*>(m_data), m_size);
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
