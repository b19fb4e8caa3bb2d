// ZipArchive over libzip: a read-only libzip source on our mapped bytes, member listing, reads.
#include "core/formats/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <cstring>

namespace qv {

// [SECTION] A libzip source reading from a ByteSource held in memory.
//
// libzip 1.7 has no public call that returns where a member's data starts in the archive, yet a
// stored (method 0) member is best handed out as a window of the mapped file. The source below
// records the position of the first read after it is armed: opening a member with
// ZIP_FL_COMPRESSED makes libzip parse the local header (APPNOTE 4.3.7: 30 bytes + name + extra
// field) and then read the raw data through a window starting exactly at the data, so the first
// read after zip_fopen_index returns is at the data offset. The offset is then cross-checked
// against the bytes libzip returned, and against the archive size.
struct ZipArchive::Impl {
    std::span<const std::byte> data;
    zip_uint64_t pos = 0;
    zip_error_t error{};
    bool armed = false;
    bool sawRead = false;
    zip_uint64_t firstReadPos = 0;
    zip_t* archive = nullptr;

    static zip_int64_t callback(void* user, void* buf, zip_uint64_t len, zip_source_cmd_t cmd) {
        auto* self = static_cast<Impl*>(user);
        switch (cmd) {
        case ZIP_SOURCE_OPEN:
            self->pos = 0;
            return 0;
        case ZIP_SOURCE_READ: {
            if (self->armed && !self->sawRead) {
                self->sawRead = true;
                self->firstReadPos = self->pos;
            }
            const zip_uint64_t left = self->pos < self->data.size() ? self->data.size() - self->pos : 0;
            const zip_uint64_t n = std::min(len, left);
            if (n) std::memcpy(buf, self->data.data() + self->pos, n);
            self->pos += n;
            return static_cast<zip_int64_t>(n);
        }
        case ZIP_SOURCE_CLOSE:
            return 0;
        case ZIP_SOURCE_STAT: {
            if (len < sizeof(zip_stat_t)) {
                zip_error_set(&self->error, ZIP_ER_INVAL, 0);
                return -1;
            }
            auto* st = static_cast<zip_stat_t*>(buf);
            zip_stat_init(st);
            st->size = self->data.size();
            st->comp_size = self->data.size();
            st->comp_method = ZIP_CM_STORE;
            st->encryption_method = ZIP_EM_NONE;
            st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD |
                        ZIP_STAT_ENCRYPTION_METHOD;
            return sizeof(zip_stat_t);
        }
        case ZIP_SOURCE_ERROR:
            return zip_error_to_data(&self->error, buf, len);
        case ZIP_SOURCE_FREE:
            return 0;
        case ZIP_SOURCE_SEEK: {
            const zip_int64_t to =
                zip_source_seek_compute_offset(self->pos, self->data.size(), buf, len, &self->error);
            if (to < 0) return -1;
            self->pos = static_cast<zip_uint64_t>(to);
            return 0;
        }
        case ZIP_SOURCE_TELL:
            return static_cast<zip_int64_t>(self->pos);
        case ZIP_SOURCE_SUPPORTS:
            return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                                  ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                                  ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
                                                  ZIP_SOURCE_SUPPORTS, -1);
        default:
            zip_error_set(&self->error, ZIP_ER_OPNOTSUPP, 0);
            return -1;
        }
    }
};

namespace {

std::string zipErrorText(zip_error_t* e) { return zip_error_strerror(e); }

// Closes a zip_file_t on every path out of a read.
struct FileCloser {
    zip_file_t* f;
    ~FileCloser() {
        if (f) zip_fclose(f);
    }
};

// Deflate's best case is 258 bytes from 2 bits per 8-bit symbol pair: about 1032:1
// (zlib technical details, "Maximum compression factor"). Any larger claim is a lie.
constexpr uint64_t kMaxDeflateRatio = 1032;

}  // namespace

ZipArchive::~ZipArchive() {
    if (m_impl && m_impl->archive) zip_discard(m_impl->archive);
    if (m_impl) zip_error_fini(&m_impl->error);
}

Result<std::unique_ptr<ZipArchive>> ZipArchive::open(std::shared_ptr<const ByteSource> bytes,
                                                     std::string context) {
    std::unique_ptr<ZipArchive> zip(new ZipArchive());
    zip->m_bytes = std::move(bytes);
    zip->m_context = std::move(context);
    zip->m_impl = std::make_unique<Impl>();
    Impl& impl = *zip->m_impl;
    impl.data = zip->m_bytes->bytes();
    zip_error_init(&impl.error);

    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_function_create(&Impl::callback, &impl, &err);
    if (!src) {
        std::string msg = zip->m_context + ": cannot read zip (" + zipErrorText(&err) + ")";
        zip_error_fini(&err);
        return makeError(msg);
    }
    // ZIP_CHECKCONS: libzip compares every local header with its central directory entry.
    impl.archive = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!impl.archive) {
        zip_source_free(src);
        std::string msg = zip->m_context + ": not a valid zip archive (" + zipErrorText(&err) + ")";
        zip_error_fini(&err);
        return makeError(msg);
    }
    zip_error_fini(&err);

    const zip_int64_t count = zip_get_num_entries(impl.archive, 0);
    if (count < 0) return makeError(zip->m_context + ": cannot list zip members");
    // Every central directory entry takes at least 46 bytes (APPNOTE 4.3.12), so the count is
    // bounded by the archive size; libzip has checked this already, reserve() relies on it.
    if (static_cast<uint64_t>(count) > impl.data.size() / 46)
        return makeError(zip->m_context + ": zip member count " + std::to_string(count) +
                         " exceeds what the file can hold");
    zip->m_members.reserve(static_cast<size_t>(count));
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t st;
        if (zip_stat_index(impl.archive, static_cast<zip_uint64_t>(i), 0, &st) != 0)
            return makeError(zip->m_context + ": cannot read zip member #" + std::to_string(i) + " (" +
                             zip_strerror(impl.archive) + ")");
        ZipMember m;
        m.name = (st.valid & ZIP_STAT_NAME) && st.name ? st.name : "";
        m.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
        m.compressedSize = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
        m.method = (st.valid & ZIP_STAT_COMP_METHOD) ? st.comp_method : 0;
        m.encrypted = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE;
        zip->m_members.push_back(std::move(m));
    }
    return zip;
}

std::optional<size_t> ZipArchive::find(std::string_view name) const {
    for (size_t i = 0; i < m_members.size(); ++i)
        if (m_members[i].name == name) return i;
    return std::nullopt;
}

Result<uint64_t> ZipArchive::storedDataOffset(size_t member) const {
    const ZipMember& m = m_members[member];
    Impl& impl = *m_impl;
    zip_file_t* f = zip_fopen_index(impl.archive, member, ZIP_FL_COMPRESSED);
    FileCloser closer{f};
    if (!f)
        return makeError(m_context + ": cannot open zip member '" + m.name + "' (" +
                         zip_strerror(impl.archive) + ")");
    impl.armed = true;
    impl.sawRead = false;
    std::byte first{};
    const zip_int64_t got = zip_fread(f, &first, 1);
    impl.armed = false;
    if (got != 1 || !impl.sawRead)
        return makeError(m_context + ": cannot read zip member '" + m.name + "'");
    const uint64_t offset = impl.firstReadPos;
    if (offset > impl.data.size() || m.size > impl.data.size() - offset || impl.data[offset] != first)
        return makeError(m_context + ": zip member '" + m.name + "' data lies outside the file");
    return offset;
}

Result<ZipBytes> ZipArchive::read(size_t member, uint64_t maxInflatedBytes) const {
    if (member >= m_members.size()) return makeError(m_context + ": no such zip member");
    const ZipMember& m = m_members[member];
    const std::string where = m_context + ": zip member '" + m.name + "'";
    if (m.encrypted) return makeError(where + " is encrypted (not supported)");
    if (m.size == 0) return ZipBytes{std::make_shared<OwnedBytes>(std::vector<std::byte>{}), 0, 0};

    if (m.method == ZIP_CM_STORE) {
        if (m.compressedSize != m.size)
            return makeError(where + ": stored member sizes disagree (" + std::to_string(m.size) +
                             " vs " + std::to_string(m.compressedSize) + ")");
        auto offset = storedDataOffset(member);
        if (!offset) return offset.error();
        return ZipBytes{m_bytes, *offset, m.size};
    }

    if (m.size > maxInflatedBytes)
        return makeError(where + " is too large to inflate into memory (" + std::to_string(m.size) +
                         " bytes, limit " + std::to_string(maxInflatedBytes) + ")");
    if (!zip_compression_method_supported(m.method, 0))
        return makeError(where + " uses compression method " + std::to_string(m.method) +
                         " (supported: stored, deflate)");
    if (m.compressedSize > m_bytes->size() ||
        m.size / kMaxDeflateRatio > m.compressedSize + 1)
        return makeError(where + ": declared size " + std::to_string(m.size) +
                         " is impossible for " + std::to_string(m.compressedSize) + " compressed bytes");
    zip_file_t* f = zip_fopen_index(m_impl->archive, member, 0);
    FileCloser closer{f};
    if (!f) return makeError(where + ": cannot open (" + zip_strerror(m_impl->archive) + ")");
    std::vector<std::byte> out(static_cast<size_t>(m.size));
    uint64_t done = 0;
    while (done < m.size) {
        const zip_int64_t n = zip_fread(f, out.data() + done, m.size - done);
        if (n < 0) return makeError(where + ": decompression failed (" + zip_file_strerror(f) + ")");
        if (n == 0) break;
        done += static_cast<uint64_t>(n);
    }
    if (done != m.size)
        return makeError(where + ": truncated (" + std::to_string(done) + " of " +
                         std::to_string(m.size) + " bytes)");
    // One more read reaches the end of the stream, where libzip checks the CRC-32.
    std::byte extra{};
    if (zip_fread(f, &extra, 1) != 0)
        return makeError(where + ": data does not match its size or checksum (" +
                         zip_file_strerror(f) + ")");
    return ZipBytes{std::make_shared<OwnedBytes>(std::move(out)), 0, m.size};
}

Result<std::vector<std::byte>> ZipArchive::readPrefix(size_t member, size_t n) const {
    if (member >= m_members.size()) return makeError(m_context + ": no such zip member");
    const ZipMember& m = m_members[member];
    const std::string where = m_context + ": zip member '" + m.name + "'";
    if (m.encrypted) return makeError(where + " is encrypted (not supported)");
    const size_t want = static_cast<size_t>(std::min<uint64_t>(n, m.size));
    std::vector<std::byte> out(want);
    if (want == 0) return out;
    zip_file_t* f = zip_fopen_index(m_impl->archive, member, 0);
    FileCloser closer{f};
    if (!f) return makeError(where + ": cannot open (" + zip_strerror(m_impl->archive) + ")");
    size_t done = 0;
    while (done < want) {
        const zip_int64_t got = zip_fread(f, out.data() + done, want - done);
        if (got < 0) return makeError(where + ": read failed (" + zip_file_strerror(f) + ")");
        if (got == 0) break;
        done += static_cast<size_t>(got);
    }
    if (done != want) return makeError(where + ": truncated");
    return out;
}

}  // namespace qv
