// ZipArchive: read-only access to the members of a zip held in memory (mmap), via libzip.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/result.h"

namespace qv {

struct ZipMember {
    std::string name;
    uint64_t size = 0;            // uncompressed bytes
    uint64_t compressedSize = 0;  // stored bytes
    uint16_t method = 0;          // 0 stored, 8 deflate (APPNOTE 4.4.5)
    bool encrypted = false;
};

// A member's bytes, wherever they live: a window of the archive itself (stored members, zero copy)
// or a buffer inflated at read time (compressed members).
struct ZipBytes {
    std::shared_ptr<const ByteSource> source;
    uint64_t offset = 0;  // of the first byte in source
    uint64_t size = 0;
    std::span<const std::byte> span() const { return source->bytes().subspan(offset, size); }
};

class ZipArchive {
public:
    // Parses the central directory of `bytes` (libzip checks it for consistency). `context` names
    // the file in error messages. The archive borrows `bytes` and keeps it alive.
    static Result<std::unique_ptr<ZipArchive>> open(std::shared_ptr<const ByteSource> bytes,
                                                    std::string context);
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    const std::vector<ZipMember>& members() const { return m_members; }
    std::optional<size_t> find(std::string_view name) const;
    const std::string& context() const { return m_context; }

    // A member's whole contents. Stored members are returned as a window into the archive's bytes
    // (no copy, any size; the CRC is not verified, so opening stays instant). Compressed members are
    // inflated into an owned buffer (CRC verified by libzip) — refused above maxInflatedBytes, or
    // when the declared size is impossible for the compressed size (deflate expands at most
    // 1032:1), before any allocation.
    Result<ZipBytes> read(size_t member, uint64_t maxInflatedBytes) const;

    // The first min(n, size) bytes of a member (header sniffing without inflating everything).
    Result<std::vector<std::byte>> readPrefix(size_t member, size_t n) const;

    struct Impl;

private:
    ZipArchive() = default;
    Result<uint64_t> storedDataOffset(size_t member) const;

    std::unique_ptr<Impl> m_impl;
    std::shared_ptr<const ByteSource> m_bytes;
    std::string m_context;
    std::vector<ZipMember> m_members;
};

}  // namespace qv
