// GgufWriter: builds GGUF files byte by byte for the tests — valid ones, and hostile ones with lying fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace qv::test {

// Little-endian byte buffer with typed appends.
class ByteWriter {
public:
    template <class T>
    void put(T v) {
        putRaw(&v, sizeof v);
    }
    void putString(const std::string& s) {
        put<uint64_t>(s.size());
        putRaw(s.data(), s.size());
    }
    // resize + memcpy rather than vector::insert: GCC 12 at -O3 reports a false -Wstringop-overflow there.
    void putRaw(const void* p, size_t n) {
        const size_t at = m_bytes.size();
        m_bytes.resize(at + n);
        if (n) std::memcpy(m_bytes.data() + at, p, n);
    }
    void padTo(size_t alignment) {
        while (m_bytes.size() % alignment) m_bytes.push_back(std::byte{0});
    }
    std::vector<std::byte>& bytes() { return m_bytes; }
    size_t size() const { return m_bytes.size(); }

private:
    std::vector<std::byte> m_bytes;
};

// GGUF value type ids (gguf docs).
enum GgufTypeId : uint32_t {
    kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
    kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};

struct GgufTestTensor {
    std::string name;
    std::vector<uint64_t> dims;   // GGUF order: dims[0] is the row length
    uint32_t type = 0;            // ggml type id
    std::vector<std::byte> data;  // stored bytes
    std::optional<uint64_t> offsetOverride;  // lie about the offset
    std::optional<uint32_t> nDimsOverride;   // lie about n_dims (dims written as given)
};

// Builds a GGUF file: header, KV pairs (payload bytes written by the caller through the ByteWriter
// helpers below), tensor infos, padding, data.
class GgufWriter {
public:
    uint32_t version = 3;
    uint32_t alignment = 32;  // used for layout; write a "general.alignment" KV to make it known to readers
    std::optional<uint64_t> tensorCountOverride, kvCountOverride;

    // Raw KV: key, type id, then `payload` (already encoded value bytes).
    void addKv(const std::string& key, uint32_t type, const std::vector<std::byte>& payload) {
        ByteWriter w;
        w.putString(key);
        w.put<uint32_t>(type);
        w.putRaw(payload.data(), payload.size());
        m_kv.push_back(std::move(w.bytes()));
    }
    template <class T>
    void addScalar(const std::string& key, uint32_t type, T v) {
        ByteWriter w;
        w.put(v);
        addKv(key, type, w.bytes());
    }
    void addString(const std::string& key, const std::string& s) {
        ByteWriter w;
        w.putString(s);
        addKv(key, kString, w.bytes());
    }
    void addStringArray(const std::string& key, const std::vector<std::string>& items) {
        ByteWriter w;
        w.put<uint32_t>(kString);
        w.put<uint64_t>(items.size());
        for (const auto& s : items) w.putString(s);
        addKv(key, kArray, w.bytes());
    }
    void addTensor(GgufTestTensor t) { m_tensors.push_back(std::move(t)); }

    std::vector<std::byte> build() const {
        ByteWriter w;
        w.putRaw("GGUF", 4);
        w.put<uint32_t>(version);
        w.put<uint64_t>(tensorCountOverride.value_or(m_tensors.size()));
        w.put<uint64_t>(kvCountOverride.value_or(m_kv.size()));
        for (const auto& kv : m_kv) w.putRaw(kv.data(), kv.size());
        // Data layout: each tensor at the next multiple of the alignment.
        std::vector<uint64_t> offsets;
        uint64_t cursor = 0;
        for (const auto& t : m_tensors) {
            offsets.push_back(cursor);
            cursor += t.data.size();
            cursor = (cursor + alignment - 1) / alignment * alignment;
        }
        for (size_t i = 0; i < m_tensors.size(); ++i) {
            const auto& t = m_tensors[i];
            w.putString(t.name);
            w.put<uint32_t>(t.nDimsOverride.value_or(static_cast<uint32_t>(t.dims.size())));
            for (uint64_t d : t.dims) w.put<uint64_t>(d);
            w.put<uint32_t>(t.type);
            w.put<uint64_t>(t.offsetOverride.value_or(offsets[i]));
        }
        w.padTo(alignment);
        const size_t dataStart = w.size();
        for (size_t i = 0; i < m_tensors.size(); ++i) {
            w.bytes().resize(dataStart + offsets[i]);
            w.putRaw(m_tensors[i].data.data(), m_tensors[i].data.size());
        }
        return std::move(w.bytes());
    }

private:
    std::vector<std::vector<std::byte>> m_kv;
    std::vector<GgufTestTensor> m_tensors;
};

inline std::vector<std::byte> f32Bytes(const std::vector<float>& v) {
    std::vector<std::byte> b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());
    return b;
}

}  // namespace qv::test
