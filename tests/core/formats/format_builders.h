// Byte-level builders for hand-made (and deliberately broken) .npy and safetensors images in tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace qv::test {

inline void appendBytes(std::vector<std::byte>& out, const void* p, size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    out.insert(out.end(), b, b + n);
}

template <class T>
std::vector<std::byte> rawBytes(const std::vector<T>& v) {
    std::vector<std::byte> out;
    appendBytes(out, v.data(), v.size() * sizeof(T));
    return out;
}

// safetensors image: u64 LE `declaredLength` (defaults to the header's size), header text, data.
inline std::vector<std::byte> safetensorsImage(const std::string& header, const std::vector<std::byte>& data,
                                               uint64_t declaredLength = UINT64_MAX) {
    const uint64_t n = declaredLength == UINT64_MAX ? header.size() : declaredLength;
    std::vector<std::byte> out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::byte>((n >> (8 * i)) & 0xFF));
    appendBytes(out, header.data(), header.size());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

// .npy image of format `major`.0 with the given dict text (padded to 64 bytes and '\n'-terminated
// as numpy does), followed by data.
inline std::vector<std::byte> npyImage(int major, const std::string& dict, const std::vector<std::byte>& data) {
    const size_t prefix = major == 1 ? 10 : 12;
    std::string header = dict;
    const size_t total = prefix + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::vector<std::byte> out;
    appendBytes(out, "\x93NUMPY", 6);
    out.push_back(static_cast<std::byte>(major));
    out.push_back(std::byte{0});
    const size_t len = header.size();
    for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out.push_back(static_cast<std::byte>((len >> (8 * i)) & 0xFF));
    appendBytes(out, header.data(), header.size());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

}  // namespace qv::test
