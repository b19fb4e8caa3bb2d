// GGUF header parser and loader: every count, length and offset is checked before it is trusted.
//
// Facts: ggml/docs/gguf.md and llama.cpp ggml/src/gguf.cpp (magic, versions, value types, GGML_MAX_DIMS = 4,
// default alignment 32, offsets multiple of the alignment), ggml.h enum ggml_type (type ids).
#include "core/formats/gguf.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>
#include <unordered_set>

namespace qv {
namespace {

struct GgmlTypeEntry {
    uint32_t id;
    DType dtype;
    const char* name;
};

// llama.cpp ggml.h enum ggml_type. Ids 4, 5 (Q4_2, Q4_3), 31–33 (Q4_0_4_4 …) and 36–38 (IQ4_NL_4_4 …)
// were removed upstream and are unknown here.
constexpr GgmlTypeEntry kGgmlTypes[] = {
    {0, DType::F32, "F32"},         {1, DType::F16, "F16"},         {2, DType::Q4_0, "Q4_0"},
    {3, DType::Q4_1, "Q4_1"},       {6, DType::Q5_0, "Q5_0"},       {7, DType::Q5_1, "Q5_1"},
    {8, DType::Q8_0, "Q8_0"},       {9, DType::Q8_1, "Q8_1"},       {10, DType::Q2_K, "Q2_K"},
    {11, DType::Q3_K, "Q3_K"},      {12, DType::Q4_K, "Q4_K"},      {13, DType::Q5_K, "Q5_K"},
    {14, DType::Q6_K, "Q6_K"},      {15, DType::Q8_K, "Q8_K"},      {16, DType::IQ2_XXS, "IQ2_XXS"},
    {17, DType::IQ2_XS, "IQ2_XS"},  {18, DType::IQ3_XXS, "IQ3_XXS"}, {19, DType::IQ1_S, "IQ1_S"},
    {20, DType::IQ4_NL, "IQ4_NL"},  {21, DType::IQ3_S, "IQ3_S"},    {22, DType::IQ2_S, "IQ2_S"},
    {23, DType::IQ4_XS, "IQ4_XS"},  {24, DType::I8, "I8"},          {25, DType::I16, "I16"},
    {26, DType::I32, "I32"},        {27, DType::I64, "I64"},        {28, DType::F64, "F64"},
    {29, DType::IQ1_M, "IQ1_M"},    {30, DType::BF16, "BF16"},      {34, DType::TQ1_0, "TQ1_0"},
    {35, DType::TQ2_0, "TQ2_0"},    {39, DType::MXFP4, "MXFP4"},
};

const GgmlTypeEntry* ggmlEntry(uint32_t id) {
    for (const auto& e : kGgmlTypes)
        if (e.id == id) return &e;
    return nullptr;
}

// Arrays may nest (an array of arrays of …); a hostile file could nest deeply enough to exhaust the
// stack, so depth is bounded. Real files use one level (tokenizer merges) at most.
constexpr int kMaxArrayDepth = 16;

// Largest up-front reservation made from a count read from the file.
constexpr uint64_t kReserveCap = 4096;

// Sanity limits far above real files (llama.cpp writes a few dozen KV pairs; the largest MoE models have
// tens of thousands of tensors). Each parsed entry costs ~10× its minimal encoding in memory, so without a
// limit a hostile multi-GB header of tiny entries would cost tens of GB.
constexpr uint64_t kMaxKvCount = uint64_t{1} << 20;
constexpr uint64_t kMaxTensorCount = uint64_t{1} << 24;

// Smallest encoding of one element of a type (a string is at least its u64 length; an array at least
// its u32 element type and u64 count). Used to bound counts by the bytes that remain.
uint64_t minEncodedSize(GgufType t) {
    if (t == GgufType::String) return 8;
    if (t == GgufType::Array) return 12;
    return ggufTypeSize(t);
}

// A cursor over the header bytes; every read states what it reads, for the error message.
class Reader {
public:
    Reader(std::span<const std::byte> bytes, const std::string& name) : m_bytes(bytes), m_name(name) {}

    uint64_t pos() const { return m_pos; }
    uint64_t remaining() const { return m_bytes.size() - m_pos; }
    Error error(const std::string& what) const { return makeError(m_name + ": GGUF " + what); }
    Error errorAt(uint64_t at, const std::string& what) const {
        return error(what + " (at byte " + std::to_string(at) + ")");
    }

    // Copies n bytes into out, or reports that the file ends before them.
    Status read(void* out, uint64_t n, const std::string& what) {
        if (n > remaining())
            return errorAt(m_pos, what + ": needs " + std::to_string(n) + " bytes but the file ends after " +
                                      std::to_string(remaining()) + " (truncated)");
        std::memcpy(out, m_bytes.data() + m_pos, n);
        m_pos += n;
        return Ok{};
    }
    template <class T>
    Result<T> get(const std::string& what) {
        T v{};
        if (auto s = read(&v, sizeof v, what); !s) return s.error();
        return v;
    }
    Status skip(uint64_t n, const std::string& what) {
        if (n > remaining())
            return errorAt(m_pos, what + ": needs " + std::to_string(n) + " bytes but the file ends after " +
                                      std::to_string(remaining()) + " (truncated)");
        m_pos += n;
        return Ok{};
    }
    // u64 length + bytes; the length is checked against what remains before any allocation.
    Result<std::string> string(const std::string& what) {
        const uint64_t at = m_pos;
        auto len = get<uint64_t>(what + " length");
        if (!len) return len.error();
        if (*len > remaining())
            return errorAt(at, what + ": string length " + std::to_string(*len) + " runs past the end of the file (" +
                                   std::to_string(remaining()) + " bytes left)");
        std::string s(reinterpret_cast<const char*>(m_bytes.data() + m_pos), static_cast<size_t>(*len));
        m_pos += *len;
        return s;
    }

private:
    std::span<const std::byte> m_bytes;
    const std::string& m_name;
    uint64_t m_pos = 0;
};

Result<GgufValue> readValue(Reader& r, GgufType type, const std::string& key, int depth, bool keep);

// Reads a scalar of `type` into v.
Status readScalar(Reader& r, GgufType type, GgufValue& v, const std::string& what) {
    v.type = type;
    auto load = [&](auto tag, auto& dst) -> Status {
        using T = decltype(tag);
        auto x = r.get<T>(what);
        if (!x) return x.error();
        dst = static_cast<std::remove_reference_t<decltype(dst)>>(*x);
        return Ok{};
    };
    switch (type) {
        case GgufType::U8: return load(uint8_t{}, v.u);
        case GgufType::I8: return load(int8_t{}, v.i);
        case GgufType::U16: return load(uint16_t{}, v.u);
        case GgufType::I16: return load(int16_t{}, v.i);
        case GgufType::U32: return load(uint32_t{}, v.u);
        case GgufType::I32: return load(int32_t{}, v.i);
        case GgufType::U64: return load(uint64_t{}, v.u);
        case GgufType::I64: return load(int64_t{}, v.i);
        case GgufType::F32: return load(float{}, v.f);
        case GgufType::F64: return load(double{}, v.f);
        case GgufType::Bool: {
            const uint64_t at = r.pos();
            auto b = r.get<uint8_t>(what);
            if (!b) return b.error();
            if (*b > 1) return r.errorAt(at, what + ": bool value " + std::to_string(*b) + " is neither 0 nor 1");
            v.u = *b;
            return Ok{};
        }
        default: return r.error(what + ": not a scalar type");
    }
}

Result<GgufType> readType(Reader& r, const std::string& what) {
    const uint64_t at = r.pos();
    auto t = r.get<uint32_t>(what);
    if (!t) return t.error();
    if (*t >= kGgufTypeCount) return r.errorAt(at, what + ": unknown value type " + std::to_string(*t));
    return static_cast<GgufType>(*t);
}

// keep = false skips the value (array elements past the preview) without allocating for it.
Result<GgufValue> readValue(Reader& r, GgufType type, const std::string& key, int depth, bool keep) {
    GgufValue v;
    v.type = type;
    const std::string what = "metadata '" + key + "'";
    if (type == GgufType::String) {
        if (!keep) {
            auto len = r.get<uint64_t>(what + " string length");
            if (!len) return len.error();
            if (*len > r.remaining())
                return r.errorAt(r.pos() - 8, what + ": string length " + std::to_string(*len) +
                                                  " runs past the end of the file (" + std::to_string(r.remaining()) +
                                                  " bytes left)");
            if (auto s = r.skip(*len, what); !s) return s.error();
            return v;
        }
        auto s = r.string(what);
        if (!s) return s.error();
        v.s = std::move(*s);
        return v;
    }
    if (type != GgufType::Array) {
        if (auto s = readScalar(r, type, v, what); !s) return s.error();
        return v;
    }
    if (depth >= kMaxArrayDepth)
        return r.errorAt(r.pos(), what + ": arrays nested deeper than " + std::to_string(kMaxArrayDepth));
    auto et = readType(r, what + " array element type");
    if (!et) return et.error();
    const uint64_t countAt = r.pos();
    auto count = r.get<uint64_t>(what + " array length");
    if (!count) return count.error();
    v.elementType = *et;
    v.count = *count;
    // Bound the count by the bytes left before looping or allocating: each element takes at least
    // minEncodedSize bytes.
    const uint64_t minSize = minEncodedSize(*et);
    if (*count > r.remaining() / minSize)
        return r.errorAt(countAt, what + ": array of " + std::to_string(*count) + " " + std::string(ggufTypeName(*et)) +
                                      " elements cannot fit in the " + std::to_string(r.remaining()) +
                                      " bytes left in the file");
    if (*et != GgufType::String && *et != GgufType::Array) {
        // Fixed-size elements: read the preview, skip the rest in one step.
        const uint64_t preview = keep ? std::min<uint64_t>(*count, kGgufArrayPreview) : 0;
        v.items.reserve(preview);
        for (uint64_t k = 0; k < preview; ++k) {
            GgufValue item;
            if (auto s = readScalar(r, *et, item, what + " element " + std::to_string(k)); !s) return s.error();
            v.items.push_back(std::move(item));
        }
        if (auto s = r.skip((*count - preview) * minSize, what + " array data"); !s) return s.error();
        return v;
    }
    for (uint64_t k = 0; k < *count; ++k) {
        const bool keepItem = keep && k < kGgufArrayPreview;
        auto item = readValue(r, *et, key, depth + 1, keepItem);
        if (!item) return item.error();
        if (keepItem) v.items.push_back(std::move(*item));
    }
    return v;
}

bool isPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

std::optional<DType> dtypeFromGgmlType(uint32_t id) {
    if (const auto* e = ggmlEntry(id)) return e->dtype;
    return std::nullopt;
}

std::string ggmlTypeName(uint32_t id) {
    if (const auto* e = ggmlEntry(id)) return e->name;
    return "type " + std::to_string(id);
}

const GgufValue* GgufHeader::find(std::string_view key) const {
    for (const auto& kv : metadata)
        if (kv.key == key) return &kv.value;
    return nullptr;
}

Result<GgufHeader> parseGgufHeader(std::span<const std::byte> bytes, const std::string& name) {
    Reader r(bytes, name);
    GgufHeader h;

    char magic[4];
    if (auto s = r.read(magic, 4, "magic"); !s) return s.error();
    if (std::memcmp(magic, "GGUF", 4) != 0) return r.errorAt(0, "magic: expected \"GGUF\"");
    auto version = r.get<uint32_t>("version");
    if (!version) return version.error();
    h.version = *version;
    if (h.version == 1)
        return r.errorAt(4, "version 1 is not supported (v1 used 32-bit lengths; re-convert the model with a current "
                            "llama.cpp)");
    if ((h.version & 0xFFFF) == 0 && h.version != 0)
        return r.errorAt(4, "version field " + std::to_string(h.version) +
                                " looks byte-swapped: big-endian GGUF files are not supported");
    if (h.version != 2 && h.version != 3)
        return r.errorAt(4, "version " + std::to_string(h.version) + " is not supported (only 2 and 3)");

    auto tensorCount = r.get<uint64_t>("tensor_count");
    if (!tensorCount) return tensorCount.error();
    auto kvCount = r.get<uint64_t>("kv_count");
    if (!kvCount) return kvCount.error();
    // A key/value pair takes at least 8 (key length) + 4 (type) + 1 bytes; a tensor info at least
    // 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset) bytes.
    if (*kvCount > r.remaining() / 13)
        return r.errorAt(16, "kv_count " + std::to_string(*kvCount) + " cannot fit in the " +
                                 std::to_string(r.remaining()) + " bytes left in the file");
    if (*tensorCount > r.remaining() / 24)
        return r.errorAt(8, "tensor_count " + std::to_string(*tensorCount) + " cannot fit in the " +
                                std::to_string(r.remaining()) + " bytes left in the file");
    if (*kvCount > kMaxKvCount)
        return r.errorAt(16, "kv_count " + std::to_string(*kvCount) + " exceeds the limit of " +
                                 std::to_string(kMaxKvCount) + " key/value pairs");
    if (*tensorCount > kMaxTensorCount)
        return r.errorAt(8, "tensor_count " + std::to_string(*tensorCount) + " exceeds the limit of " +
                                std::to_string(kMaxTensorCount) + " tensors");

    // Counts are bounded by the bytes left, but a multi-GB file can still "fit" hundreds of millions of
    // entries: reserve only a small head start and let real entries grow the vectors.
    h.metadata.reserve(static_cast<size_t>(std::min<uint64_t>(*kvCount, kReserveCap)));
    std::unordered_set<std::string> keys;
    for (uint64_t k = 0; k < *kvCount; ++k) {
        const uint64_t at = r.pos();
        auto key = r.string("metadata key " + std::to_string(k));
        if (!key) return key.error();
        if (!keys.insert(*key).second) return r.errorAt(at, "metadata key '" + *key + "' appears twice");
        auto type = readType(r, "metadata '" + *key + "' type");
        if (!type) return type.error();
        auto value = readValue(r, *type, *key, 0, true);
        if (!value) return value.error();
        h.metadata.push_back({std::move(*key), std::move(*value)});
    }

    if (const GgufValue* a = h.find("general.alignment")) {
        if (a->type != GgufType::U32)
            return r.error("general.alignment must be a u32, found " + std::string(ggufTypeName(a->type)));
        if (!isPowerOfTwo(a->u))
            return r.error("general.alignment " + std::to_string(a->u) + " is not a power of two");
        h.alignment = a->u;
    }

    h.tensors.reserve(static_cast<size_t>(std::min<uint64_t>(*tensorCount, kReserveCap)));
    std::unordered_set<std::string> names;
    for (uint64_t t = 0; t < *tensorCount; ++t) {
        GgufTensorInfo info;
        const uint64_t at = r.pos();
        auto tname = r.string("tensor " + std::to_string(t) + " name");
        if (!tname) return tname.error();
        info.name = std::move(*tname);
        const std::string what = "tensor '" + info.name + "'";
        if (!names.insert(info.name).second) return r.errorAt(at, what + ": name appears twice");
        const uint64_t dimsAt = r.pos();
        auto nDims = r.get<uint32_t>(what + " n_dims");
        if (!nDims) return nDims.error();
        if (*nDims > kGgufMaxDims)
            return r.errorAt(dimsAt, what + ": n_dims " + std::to_string(*nDims) + " exceeds the maximum of " +
                                         std::to_string(kGgufMaxDims));
        info.dims.resize(*nDims);
        for (uint32_t d = 0; d < *nDims; ++d) {
            auto dim = r.get<uint64_t>(what + " dimension " + std::to_string(d));
            if (!dim) return dim.error();
            if (*dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                return r.errorAt(r.pos() - 8, what + ": dimension " + std::to_string(d) + " = " + std::to_string(*dim) +
                                                  " is negative as ggml's int64 ne");
            info.dims[d] = *dim;
        }
        const uint64_t typeAt = r.pos();
        auto type = r.get<uint32_t>(what + " type");
        if (!type) return type.error();
        info.ggmlType = *type;
        auto dtype = dtypeFromGgmlType(*type);
        if (!dtype) return r.errorAt(typeAt, what + ": unknown ggml type id " + std::to_string(*type));
        info.dtype = *dtype;
        auto offset = r.get<uint64_t>(what + " offset");
        if (!offset) return offset.error();
        info.offset = *offset;

        uint64_t elements = 1;
        for (uint64_t d : info.dims) {
            if (d != 0 && elements > std::numeric_limits<uint64_t>::max() / d)
                return r.errorAt(dimsAt, what + ": element count overflows 64 bits");
            elements *= d;
        }
        if (elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return r.errorAt(dimsAt, what + ": element count overflows ggml's int64");
        const auto& tr = traits(info.dtype);
        const uint64_t rowLength = info.dims.empty() ? 1 : info.dims[0];
        if (rowLength % tr.blockElements != 0)
            return r.errorAt(dimsAt, what + ": row length " + std::to_string(rowLength) + " is not a multiple of the " +
                                         ggmlTypeName(*type) + " block size " + std::to_string(tr.blockElements));
        auto bytesNeeded = storageBytes(info.dtype, elements);
        if (!bytesNeeded) return r.errorAt(dimsAt, what + ": byte size overflows 64 bits");
        info.bytes = *bytesNeeded;
        h.tensors.push_back(std::move(info));
    }

    // The data section starts at the next multiple of the alignment after the tensor infos.
    const uint64_t end = r.pos();
    h.dataOffset = (end + h.alignment - 1) / h.alignment * h.alignment;
    const uint64_t fileSize = bytes.size();
    for (const auto& info : h.tensors) {
        const std::string what = "tensor '" + info.name + "'";
        if (info.offset % h.alignment != 0)
            return r.error(what + ": data offset " + std::to_string(info.offset) + " is not a multiple of the alignment " +
                           std::to_string(h.alignment));
        if (h.dataOffset > fileSize || info.offset > fileSize - h.dataOffset ||
            info.bytes > fileSize - h.dataOffset - info.offset)
            return r.error(what + ": data [" + std::to_string(info.offset) + ", +" + std::to_string(info.bytes) +
                           ") at file offset " + std::to_string(h.dataOffset) + "+" + std::to_string(info.offset) +
                           " runs past the end of the file (" + std::to_string(fileSize) + " bytes)");
    }
    return h;
}

Result<ModelFile> openGgufFromBytes(std::shared_ptr<const ByteSource> source, const std::string& name) {
    if (!source) return makeError(name + ": no data");
    auto header = parseGgufHeader(source->bytes(), name);
    if (!header) return header.error();
    ModelFile m;
    m.path = name;
    m.format = "gguf";
    m.metadata.push_back({"GGUF.version", std::to_string(header->version)});
    m.metadata.push_back({"GGUF.tensor_count", std::to_string(header->tensors.size())});
    m.metadata.push_back({"GGUF.alignment", std::to_string(header->alignment)});
    for (const auto& kv : header->metadata) m.metadata.push_back({kv.key, renderGgufValue(kv.value)});
    m.tensors.reserve(header->tensors.size());
    for (const auto& g : header->tensors) {
        TensorInfo t;
        t.name = g.name;
        t.dtype = g.dtype;
        t.shape.assign(g.dims.rbegin(), g.dims.rend());  // ne[0] is the fastest axis: reverse to numpy order
        t.source = 0;
        t.offset = header->dataOffset + g.offset;
        t.bytes = g.bytes;
        m.tensors.push_back(std::move(t));
    }
    m.sources.push_back(std::move(source));
    return m;
}

Result<ModelFile> openGguf(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    auto model = openGgufFromBytes(std::shared_ptr<const ByteSource>(std::move(*mapped)), path);
    if (!model) return model.error();
    model->path = path;
    return model;
}

}  // namespace qv
