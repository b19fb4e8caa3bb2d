// GGUF metadata value names, sizes and display rendering (arrays abbreviated).
#include "core/formats/gguf_metadata.h"

#include <charconv>

namespace qv {
namespace {

// Arrays up to this many elements are shown whole; longer ones as "[N types: a, b, c, …]".
constexpr uint64_t kInlineItems = 8;
constexpr size_t kPreviewItems = 3;
constexpr size_t kItemStringMax = 48;  // strings inside arrays are cut here

template <class T>
std::string shortest(T v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string cut(const std::string& s, size_t max) {
    if (s.size() <= max) return s;
    // Do not split a UTF-8 sequence: back up to a lead byte.
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n) + "…";
}

std::string renderItem(const GgufValue& v, size_t maxString, bool inArray) {
    switch (v.type) {
        case GgufType::U8: case GgufType::U16: case GgufType::U32: case GgufType::U64:
            return std::to_string(v.u);
        case GgufType::I8: case GgufType::I16: case GgufType::I32: case GgufType::I64:
            return std::to_string(v.i);
        case GgufType::F32: return shortest(static_cast<float>(v.f));
        case GgufType::F64: return shortest(v.f);
        case GgufType::Bool: return v.u ? "true" : "false";
        case GgufType::String: {
            if (!inArray) return cut(v.s, maxString);
            std::string q(1, '"');  // appended piecewise: GCC 12 -O3 warns (-Wrestrict) on "\"" + s
            q.append(cut(v.s, kItemStringMax));
            q.push_back('"');
            return q;
        }
        case GgufType::Array: {
            if (v.count == 0) return "[]";
            std::string out = "[";
            const bool whole = v.count <= kInlineItems && v.items.size() == v.count;
            if (!whole) {
                out += std::to_string(v.count) + " " + std::string(ggufTypeName(v.elementType)) + "s: ";
            }
            const size_t shown = whole ? v.items.size() : std::min(kPreviewItems, v.items.size());
            for (size_t k = 0; k < shown; ++k) {
                if (k) out += ", ";
                out += renderItem(v.items[k], maxString, true);
            }
            if (!whole) out += ", …";
            return out + "]";
        }
    }
    return "?";
}

}  // namespace

std::string_view ggufTypeName(GgufType t) {
    switch (t) {
        case GgufType::U8: return "u8";
        case GgufType::I8: return "i8";
        case GgufType::U16: return "u16";
        case GgufType::I16: return "i16";
        case GgufType::U32: return "u32";
        case GgufType::I32: return "i32";
        case GgufType::F32: return "f32";
        case GgufType::Bool: return "bool";
        case GgufType::String: return "string";
        case GgufType::Array: return "array";
        case GgufType::U64: return "u64";
        case GgufType::I64: return "i64";
        case GgufType::F64: return "f64";
    }
    return "?";
}

size_t ggufTypeSize(GgufType t) {
    switch (t) {
        case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
        case GgufType::U16: case GgufType::I16: return 2;
        case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
        case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
        case GgufType::String: case GgufType::Array: return 0;
    }
    return 0;
}

std::string renderGgufValue(const GgufValue& v, size_t maxString) { return renderItem(v, maxString, false); }

}  // namespace qv
