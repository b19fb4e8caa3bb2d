// Integer storage types for quantized codes, and exact integer reads of integer tensors.
#include "app/cli/code_types.h"

#include <cstring>

namespace qv::cli {

namespace {

constexpr CodeType kCodeTypes[] = {
    {"int8", DType::I8, 8, true},     {"uint8", DType::U8, 8, false},  {"int16", DType::I16, 16, true},
    {"uint16", DType::U16, 16, false}, {"int32", DType::I32, 32, true},
};

template <class T>
int64_t load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return static_cast<int64_t>(v);
}

template <class T>
void store(std::byte* p, int64_t v) {
    const T t = static_cast<T>(v);
    std::memcpy(p, &t, sizeof t);
}

}  // namespace

const CodeType* codeTypeFromName(const std::string& name) {
    for (const auto& t : kCodeTypes)
        if (name == t.name) return &t;
    return nullptr;
}

const CodeType* codeTypeFromDType(DType dtype) {
    for (const auto& t : kCodeTypes)
        if (dtype == t.dtype) return &t;
    return nullptr;
}

const CodeType& defaultCodeType(int bits, bool isSigned) {
    for (const auto& t : kCodeTypes)
        if (t.isSigned == isSigned && bits <= t.width) return t;
    return kCodeTypes[4];
}

int64_t codeMin(int bits, bool isSigned) { return isSigned ? -(int64_t{1} << (bits - 1)) : 0; }
int64_t codeMax(int bits, bool isSigned) {
    return isSigned ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
}

std::vector<std::byte> packCodes(std::span<const int64_t> codes, const CodeType& type) {
    const size_t size = static_cast<size_t>(type.width / 8);
    std::vector<std::byte> out(codes.size() * size);
    for (size_t i = 0; i < codes.size(); ++i) {
        std::byte* p = out.data() + i * size;
        switch (type.dtype) {
            case DType::I8: store<int8_t>(p, codes[i]); break;
            case DType::U8: store<uint8_t>(p, codes[i]); break;
            case DType::I16: store<int16_t>(p, codes[i]); break;
            case DType::U16: store<uint16_t>(p, codes[i]); break;
            default: store<int32_t>(p, codes[i]); break;
        }
    }
    return out;
}

std::optional<std::vector<int64_t>> readIntegers(const TensorView& view) {
    const TensorInfo& info = view.info();
    int64_t (*loader)(const std::byte*) = nullptr;
    switch (info.dtype) {
        case DType::I8: loader = load<int8_t>; break;
        case DType::U8: loader = load<uint8_t>; break;
        case DType::Bool: loader = load<uint8_t>; break;
        case DType::I16: loader = load<int16_t>; break;
        case DType::U16: loader = load<uint16_t>; break;
        case DType::I32: loader = load<int32_t>; break;
        case DType::U32: loader = load<uint32_t>; break;
        case DType::I64: loader = load<int64_t>; break;
        case DType::U64: loader = load<uint64_t>; break;  // values ≥ 2^63 wrap; rejected as out of range later
        default: return std::nullopt;
    }
    const size_t size = traits(info.dtype).blockBytes;
    const uint64_t n = view.elements();
    const auto raw = view.rawBytes();
    if (raw.size() < n * size) return std::nullopt;
    std::vector<int64_t> out(n);
    if (!info.fortranOrder || info.shape.size() < 2) {
        for (uint64_t i = 0; i < n; ++i) out[i] = loader(raw.data() + i * size);
        return out;
    }
    // Fortran order: storage index = Σ idx_d · Π_{e<d} shape_e; walk the row-major multi-index.
    const size_t rank = info.shape.size();
    std::vector<uint64_t> stride(rank, 1);
    for (size_t d = 1; d < rank; ++d) stride[d] = stride[d - 1] * static_cast<uint64_t>(info.shape[d - 1]);
    std::vector<int64_t> idx(rank, 0);
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t s = 0;
        for (size_t d = 0; d < rank; ++d) s += static_cast<uint64_t>(idx[d]) * stride[d];
        out[i] = loader(raw.data() + s * size);
        for (size_t d = rank; d-- > 0;) {
            if (++idx[d] < info.shape[d]) break;
            idx[d] = 0;
        }
    }
    return out;
}

}  // namespace qv::cli
