// NumPy .npy reader (v1.0–3.0, strict header parsing) and atomic writer.
//
// Layout (numpy/lib/format.py, NEP 1 "A simple file format for NumPy arrays"):
//   bytes 0–5   magic "\x93NUMPY"
//   byte  6, 7  major, minor version (1.0, 2.0 or 3.0)
//   v1.0: u16 LE header length at 8, header text from 10; v2.0/v3.0: u32 LE length at 8, text from 12
//   header      a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//               padded with spaces and ended by '\n' (v3.0 allows UTF-8; we accept any bytes in strings)
//   data        elements × itemsize bytes, C (row-major) or Fortran (column-major) order.
#include "core/formats/npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <optional>
#include <unistd.h>

#include "core/formats/atomic_file.h"

namespace qv {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kMaxRank = 64;  // numpy 2's NPY_MAXDIMS

// Python-literal tokenizer for the header dict: only what numpy's writer produces (strings in
// single or double quotes, True/False, non-negative integers, tuples, the dict itself).
class HeaderParser {
public:
    HeaderParser(std::string_view text, size_t baseOffset, const std::string& ctx)
        : m_text(text), m_base(baseOffset), m_ctx(ctx) {}

    Result<TensorInfo> parse(const std::string& name) {
        skipSpace();
        if (!consume('{')) return fail("header: expected '{' (a Python dict literal)");
        std::optional<std::string> descr;
        std::optional<bool> fortran;
        std::optional<std::vector<int64_t>> shape;
        for (;;) {
            skipSpace();
            if (consume('}')) break;
            const size_t keyPos = m_pos;
            auto key = parseString();
            if (!key) return key.error();
            skipSpace();
            if (!consume(':')) return fail("header: expected ':' after key '" + *key + "'");
            skipSpace();
            if (*key == "descr") {
                if (descr) return failAt(keyPos, "header: duplicate key 'descr'");
                if (peek() == '[')
                    return failAt(m_pos, "header field 'descr': structured (record) dtypes are not supported");
                auto v = parseString();
                if (!v) return v.error();
                descr = *v;
            } else if (*key == "fortran_order") {
                if (fortran) return failAt(keyPos, "header: duplicate key 'fortran_order'");
                if (matchWord("True")) fortran = true;
                else if (matchWord("False")) fortran = false;
                else return fail("header field 'fortran_order': expected True or False");
            } else if (*key == "shape") {
                if (shape) return failAt(keyPos, "header: duplicate key 'shape'");
                auto v = parseShape();
                if (!v) return v.error();
                shape = std::move(*v);
            } else {
                return failAt(keyPos, "header: unexpected key '" + *key + "' (expected descr, fortran_order, shape)");
            }
            skipSpace();
            if (consume(',')) continue;
            skipSpace();
            if (consume('}')) break;
            return fail("header: expected ',' or '}' after the value of '" + *key + "'");
        }
        // After the dict: only padding spaces and the terminating newline.
        for (; m_pos < m_text.size(); ++m_pos) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\0')
                return fail("header: unexpected text after the dict");
        }
        if (!descr) return fail("header: missing key 'descr'");
        if (!fortran) return fail("header: missing key 'fortran_order'");
        if (!shape) return fail("header: missing key 'shape'");

        auto dtype = dtypeFromDescr(*descr);
        if (!dtype) return dtype.error();
        TensorInfo info;
        info.name = name;
        info.dtype = *dtype;
        info.shape = std::move(*shape);
        info.fortranOrder = *fortran;
        return info;
    }

private:
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    bool consume(char c) {
        if (peek() != c) return false;
        ++m_pos;
        return true;
    }
    void skipSpace() {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n'))
            ++m_pos;
    }
    bool matchWord(std::string_view w) {
        if (m_text.substr(m_pos, w.size()) != w) return false;
        m_pos += w.size();
        return true;
    }
    Error failAt(size_t pos, const std::string& what) const {
        return makeError(m_ctx + ": " + what + " (at byte offset " + std::to_string(m_base + pos) + ")");
    }
    Error fail(const std::string& what) const { return failAt(m_pos, what); }

    Result<std::string> parseString() {
        const char q = peek();
        if (q != '\'' && q != '"') return fail("header: expected a quoted string");
        const size_t start = ++m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] != q) {
            if (m_text[m_pos] == '\\') return fail("header: escapes in strings are not supported");
            ++m_pos;
        }
        if (m_pos >= m_text.size()) return failAt(start - 1, "header: unterminated string");
        std::string s(m_text.substr(start, m_pos - start));
        ++m_pos;
        return s;
    }

    // "()" | "(n,)" | "(n, m, …)" with an optional trailing comma; non-negative decimal integers.
    Result<std::vector<int64_t>> parseShape() {
        if (!consume('(')) return fail("header field 'shape': expected a tuple '(…)'");
        std::vector<int64_t> dims;
        for (;;) {
            skipSpace();
            if (consume(')')) break;
            if (peek() == '-') return fail("header field 'shape': negative dimension");
            if (peek() < '0' || peek() > '9') return fail("header field 'shape': expected a non-negative integer");
            uint64_t v = 0;
            while (peek() >= '0' && peek() <= '9') {
                const auto digit = static_cast<uint64_t>(peek() - '0');
                if (v > (static_cast<uint64_t>(INT64_MAX) - digit) / 10)
                    return fail("header field 'shape': dimension overflows 64 bits");
                v = v * 10 + digit;
                ++m_pos;
            }
            if (peek() == 'L') ++m_pos;  // Python 2 long suffix, written by old numpy
            if (dims.size() == kMaxRank) return fail("header field 'shape': more than 64 dimensions (numpy's NPY_MAXDIMS)");
            dims.push_back(static_cast<int64_t>(v));
            skipSpace();
            if (consume(',')) continue;
            skipSpace();
            if (consume(')')) break;
            return fail("header field 'shape': expected ',' or ')'");
        }
        return dims;
    }

    // numpy dtype.str: byte order ('<' little, '>' big, '|' not applicable, '=' native), kind, size.
    Result<DType> dtypeFromDescr(const std::string& d) const {
        const std::string quoted = "'" + d + "'";
        if (d.size() < 3) return makeError(m_ctx + ": header field 'descr': unsupported dtype " + quoted);
        const char order = d[0];
        const std::string ks = d.substr(1);
        struct Known { const char* code; DType type; };
        static constexpr Known kKnown[] = {
            {"f2", DType::F16}, {"f4", DType::F32}, {"f8", DType::F64},
            {"i1", DType::I8},  {"u1", DType::U8},  {"b1", DType::Bool},
            {"i2", DType::I16}, {"u2", DType::U16}, {"i4", DType::I32},
            {"u4", DType::U32}, {"i8", DType::I64}, {"u8", DType::U64},
        };
        std::optional<DType> t;
        for (const auto& k : kKnown)
            if (ks == k.code) t = k.type;
        if (!t) {
            const char kind = ks[0];
            std::string why = "unsupported dtype " + quoted;
            if (kind == 'c') why += " (complex numbers are not supported)";
            else if (kind == 'O') why += " (Python objects are not supported)";
            else if (kind == 'U' || kind == 'S' || kind == 'a') why += " (strings are not supported)";
            else if (kind == 'M' || kind == 'm') why += " (datetimes are not supported)";
            else if (kind == 'V') why += " (raw void/record data is not supported)";
            else if (kind == 'f') why += " (only f2, f4 and f8 floats are supported)";
            return makeError(m_ctx + ": header field 'descr': " + why);
        }
        const bool oneByte = traits(*t).blockBytes == 1;
        if (order == '<' || order == '|') return *t;
        if (order == '>' && oneByte) return *t;  // byte order is meaningless for single bytes
        if (order == '>')
            return makeError(m_ctx + ": header field 'descr': big-endian dtype " + quoted +
                             " is not supported (convert with arr.astype(arr.dtype.newbyteorder('<')))");
        return makeError(m_ctx + ": header field 'descr': unsupported byte order in dtype " + quoted);
    }

    std::string_view m_text;
    size_t m_base;
    const std::string& m_ctx;
    size_t m_pos = 0;
};

uint32_t readLe(const std::byte* p, size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
    return v;
}

std::string fileStem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

const char* descrFor(DType t) {
    switch (t) {
        case DType::F16: return "<f2";
        case DType::F32: return "<f4";
        case DType::F64: return "<f8";
        case DType::I8: return "|i1";
        case DType::U8: return "|u1";
        case DType::Bool: return "|b1";
        case DType::I16: return "<i2";
        case DType::U16: return "<u2";
        case DType::I32: return "<i4";
        case DType::U32: return "<u4";
        case DType::I64: return "<i8";
        case DType::U64: return "<u8";
        default: return nullptr;
    }
}

}  // namespace

Result<TensorInfo> parseNpyHeader(std::span<const std::byte> bytes, const std::string& name,
                                  const std::string& context) {
    const size_t size = bytes.size();
    if (size < kMagicLen + 2 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
        return makeError(context + ": not an .npy file (magic \"\\x93NUMPY\" missing at byte offset 0)");
    const auto major = static_cast<unsigned>(bytes[6]);
    const auto minor = static_cast<unsigned>(bytes[7]);
    if (major < 1 || major > 3 || minor != 0)
        return makeError(context + ": unsupported .npy format version " + std::to_string(major) + "." +
                         std::to_string(minor) + " at byte offset 6 (supported: 1.0, 2.0, 3.0)");
    const size_t lenBytes = major == 1 ? 2 : 4;
    const size_t headerStart = 8 + lenBytes;
    if (size < headerStart)
        return makeError(context + ": truncated: header length field at byte offset 8 needs " +
                         std::to_string(lenBytes) + " bytes, file has " + std::to_string(size));
    const size_t headerLen = readLe(bytes.data() + 8, lenBytes);
    if (headerLen > size - headerStart)
        return makeError(context + ": header length " + std::to_string(headerLen) + " (field at byte offset 8) runs past the end of the file (" +
                         std::to_string(size - headerStart) + " bytes after byte offset " + std::to_string(headerStart) + ")");
    std::string_view text(reinterpret_cast<const char*>(bytes.data()) + headerStart, headerLen);
    auto info = HeaderParser(text, headerStart, context).parse(name);
    if (!info) return info;

    auto elements = checkedElements(info->shape);
    const uint64_t itemSize = traits(info->dtype).blockBytes;
    if (!elements || (itemSize && *elements > UINT64_MAX / itemSize))
        return makeError(context + ": header field 'shape' " + info->shapeString() + ": element count overflows 64 bits");
    const uint64_t need = *elements * itemSize;
    const uint64_t dataStart = headerStart + headerLen;
    const uint64_t have = size - dataStart;
    if (need != have)
        return makeError(context + ": data at byte offset " + std::to_string(dataStart) + " is " + std::to_string(have) +
                         " bytes, but shape " + info->shapeString() + " × " + std::to_string(itemSize) + "-byte '" +
                         std::string(dtypeName(info->dtype)) + "' needs " + std::to_string(need) +
                         (need > have ? " (file truncated)" : " (trailing bytes)"));
    info->offset = dataStart;
    info->bytes = need;
    return info;
}

Result<ModelFile> openNpy(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    if ((*mapped)->size() == 0) return makeError(path + ": file is empty");
    auto info = parseNpyHeader((*mapped)->bytes(), fileStem(path), path);
    if (!info) return info.error();
    ModelFile model;
    model.path = path;
    model.format = "npy";
    info->source = 0;
    model.tensors.push_back(std::move(*info));
    model.sources.push_back(std::move(*mapped));
    return model;
}

Status writeNpy(const std::string& path, DType dtype, const std::vector<int64_t>& shape,
                std::span<const std::byte> data) {
    const char* descr = descrFor(dtype);
    if (!descr) return makeError(path + ": cannot write dtype " + std::string(dtypeName(dtype)) + " to .npy");
    auto elements = checkedElements(shape);
    const uint64_t itemSize = traits(dtype).blockBytes;
    if (!elements || *elements > UINT64_MAX / itemSize) return makeError(path + ": invalid shape for .npy");
    if (data.size() != *elements * itemSize)
        return makeError(path + ": " + std::to_string(data.size()) + " data bytes do not match shape × itemsize (" +
                         std::to_string(*elements * itemSize) + ")");

    std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
    for (size_t i = 0; i < shape.size(); ++i) dict += (i ? ", " : "") + std::to_string(shape[i]);
    dict += shape.size() == 1 ? ",), }" : "), }";  // Python's one-element tuple "(n,)"
    // numpy pads magic + length + header to a multiple of 64 bytes (format.py ARRAY_ALIGN) and ends
    // the header with '\n'. Version 1.0 while the header fits a u16, else 2.0.
    const bool v1 = dict.size() + 1 + 64 <= 65535;
    const size_t prefix = v1 ? 10 : 12;
    size_t total = prefix + dict.size() + 1;
    const size_t padded = (total + 63) / 64 * 64;
    std::string header = dict + std::string(padded - total, ' ') + "\n";
    std::string pre(kMagic, kMagicLen);
    pre += static_cast<char>(v1 ? 1 : 2);
    pre += '\0';
    const size_t hl = header.size();
    for (size_t i = 0; i < (v1 ? 2u : 4u); ++i) pre += static_cast<char>((hl >> (8 * i)) & 0xFF);

    return writeFileAtomically(path, [&](const AtomicWriter& w) -> bool {
        return w.write(pre.data(), pre.size()) && w.write(header.data(), header.size()) &&
               w.write(data.data(), data.size());
    });
}

}  // namespace qv
