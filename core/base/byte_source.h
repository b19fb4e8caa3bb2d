// ByteSource: read-only bytes a tensor lives in — a memory-mapped file, or a buffer a loader owns
// (decompressed zip member, ONNX typed field). Views borrow from it; shared_ptr keeps it alive.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace qv {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual std::span<const std::byte> bytes() const = 0;
    size_t size() const { return bytes().size(); }
    const std::byte* data() const { return bytes().data(); }
    // Empty while the bytes are what was opened; otherwise why values read from them can no
    // longer be trusted (a mapped file truncated or rewritten on disk). Cheap: one fstat.
    virtual std::string integrityProblem() const { return {}; }
    // Says that [begin, begin + len) of bytes() will not be needed again soon: a mapped file unmaps
    // the whole pages inside it from this process (they stay in the page cache while memory allows
    // and come back on the next read). No effect on bytes held in memory.
    virtual void dropResidentPages(const std::byte* begin, size_t len) const {
        (void)begin;
        (void)len;
    }
};

// Read-only private mapping of a whole file. Opening costs one mmap, no reads: pages come in
// only when a tensor is looked at, so a 10 GB model opens as fast as a 1 MB one.
class MappedFile final : public ByteSource {
public:
    static Result<std::shared_ptr<MappedFile>> open(const std::string& path);
    ~MappedFile() override;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const override { return {m_data, m_size}; }
    const std::string& path() const { return m_path; }
    // A truncation shows as pages read as zeros (MappingGuard); a rewrite in place as a new size or
    // modification time of the inode we mapped (a file replaced by rename keeps our inode intact).
    std::string integrityProblem() const override;
    void dropResidentPages(const std::byte* begin, size_t len) const override;
    // Hint that [offset, offset+len) is about to be read sequentially / is no longer needed, so
    // the kernel reads ahead and memory stays flat while a large tensor streams through.
    void adviseSequential(size_t offset, size_t len) const;
    void adviseDontNeed(size_t offset, size_t len) const;

private:
    MappedFile() = default;
    std::string m_path;
    const std::byte* m_data = nullptr;
    size_t m_size = 0;
    int m_fd = -1;          // kept open for fstat: the inode we mapped, not whatever the path names now
    int m_guardSlot = -1;   // MappingGuard slot
    int64_t m_mtimeSec = 0, m_mtimeNsec = 0;
};

// Bytes owned in memory.
class OwnedBytes final : public ByteSource {
public:
    explicit OwnedBytes(std::vector<std::byte> data) : m_data(std::move(data)) {}
    std::span<const std::byte> bytes() const override { return {m_data.data(), m_data.size()}; }

private:
    std::vector<std::byte> m_data;
};

// Reads a whole (small) file, e.g. a JSON index. Refuses files above maxBytes.
Result<std::string> readTextFile(const std::string& path, size_t maxBytes = 64u << 20);

}  // namespace qv
