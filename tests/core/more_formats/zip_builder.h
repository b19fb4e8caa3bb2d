// Test helpers: zips written with libzip (stored or deflated members) and hand-made .npy images.
#pragma once

#include <zip.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace qv::test {

struct ZipEntry {
    std::string name;
    std::vector<std::byte> data;
    bool deflate = false;
};

// Writes `entries` in order to `path` (libzip's writer: local headers, central directory, EOCD).
inline void writeZip(const std::string& path, const std::vector<ZipEntry>& entries) {
    int err = 0;
    zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!za) throw std::runtime_error("zip_open failed");
    for (const auto& e : entries) {
        zip_source_t* src = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
        const zip_int64_t idx = zip_file_add(za, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) throw std::runtime_error("zip_file_add failed");
        zip_set_file_compression(za, static_cast<zip_uint64_t>(idx), e.deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 9);
    }
    if (zip_close(za) != 0) throw std::runtime_error("zip_close failed");
}

inline std::vector<std::byte> toBytes(const std::string& s) {
    std::vector<std::byte> out(s.size());
    std::memcpy(out.data(), s.data(), s.size());
    return out;
}

template <class T>
std::vector<std::byte> rawBytes(const std::vector<T>& v) {
    std::vector<std::byte> out(v.size() * sizeof(T));
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

// An .npy v1.0 image (numpy/lib/format.py: magic, version, u16 header length, dict padded with
// spaces and '\n' so the data starts at a multiple of 64).
inline std::vector<std::byte> npyImage(const std::string& descr, const std::string& shapeTuple,
                                       const std::vector<std::byte>& data, bool fortran = false) {
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shapeTuple + ", }";
    size_t total = 10 + dict.size() + 1;
    dict += std::string((total + 63) / 64 * 64 - total, ' ') + "\n";
    std::string head = "\x93NUMPY";
    head += '\x01';
    head += '\0';
    head += static_cast<char>(dict.size() & 0xFF);
    head += static_cast<char>(dict.size() >> 8);
    auto out = toBytes(head + dict);
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

}  // namespace qv::test
