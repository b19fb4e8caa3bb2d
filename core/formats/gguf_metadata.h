// GGUF metadata values: the typed key/value pairs of a GGUF header, and how they are shown to users.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qv {

// Value type ids as stored in the file (gguf docs, llama.cpp gguf.h enum gguf_type).
enum class GgufType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};
constexpr uint32_t kGgufTypeCount = 13;

// "u8", "i32", "f32", "bool", "string", "array", …
std::string_view ggufTypeName(GgufType t);
// Bytes of one fixed-size value (0 for String and Array).
size_t ggufTypeSize(GgufType t);

// One metadata value. Scalars keep their exact value; arrays keep their element type, their full length
// and only the first kGgufArrayPreview items (a vocabulary of 150 000 strings is summarized, not copied).
struct GgufValue {
    GgufType type = GgufType::U8;
    uint64_t u = 0;          // U8/U16/U32/U64/Bool
    int64_t i = 0;           // I8/I16/I32/I64
    double f = 0;            // F32/F64 (F32 widened exactly)
    std::string s;           // String
    GgufType elementType = GgufType::U8;  // Array
    uint64_t count = 0;                   // Array: number of elements in the file
    std::vector<GgufValue> items;         // Array: the first min(count, kGgufArrayPreview) elements
};
constexpr size_t kGgufArrayPreview = 16;

struct GgufKeyValue {
    std::string key;
    GgufValue value;
};

// Display form: numbers in shortest round-trip decimal, strings verbatim at top level and quoted inside
// arrays, arrays as "[1, 2, 3]" or, when long, "[512 strings: "<unk>", "<s>", "</s>", …]". Strings longer
// than maxString characters are cut with "…".
std::string renderGgufValue(const GgufValue& v, size_t maxString = 4096);

}  // namespace qv
