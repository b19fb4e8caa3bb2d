// imatrix files. Facts from llama.cpp tools/imatrix/imatrix.cpp (save_imatrix: tensors "<name>.in_sum2" of
// ggml dims [nval/nmat, nmat], "<name>.counts" of dims [1, nmat], F32; keys imatrix.datasets,
// imatrix.chunk_count, imatrix.chunk_size; save_imatrix_legacy: the .dat layout with values (Σx²/count)·ncall)
// and tools/quantize/quantize.cpp load_imatrix (GGUF: in_sum2/count per matrix, 1 where the count is 0;
// legacy: value/ncall when ncall > 0).
#include "core/formats/imatrix.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include "core/formats/gguf.h"

namespace qv {
namespace {

// Little-endian cursor for the legacy format; every read checks what remains.
class LegacyReader {
public:
    LegacyReader(std::span<const std::byte> bytes, const std::string& name) : m_bytes(bytes), m_name(name) {}
    size_t remaining() const { return m_bytes.size() - m_pos; }
    size_t pos() const { return m_pos; }
    Error error(const std::string& what) const {
        return makeError(m_name + ": imatrix (legacy .dat) " + what + " (at byte " + std::to_string(m_pos) + ")");
    }
    bool i32(int32_t& v) {
        if (remaining() < 4) return false;
        std::memcpy(&v, m_bytes.data() + m_pos, 4);
        m_pos += 4;
        return true;
    }
    const std::byte* take(size_t n) {
        if (n > remaining()) return nullptr;
        const std::byte* p = m_bytes.data() + m_pos;
        m_pos += n;
        return p;
    }

private:
    std::span<const std::byte> m_bytes;
    const std::string& m_name;
    size_t m_pos = 0;
};

std::string badValue(const std::string& entry, size_t i, float v) {
    return "entry \"" + entry + "\" value " + std::to_string(i) + " is " + std::to_string(v) +
           " (importance must be finite and ≥ 0)";
}

Result<Imatrix> parseLegacy(std::span<const std::byte> bytes, const std::string& name) {
    LegacyReader r(bytes, name);
    Imatrix m;
    m.legacy = true;
    int32_t n = 0;
    if (!r.i32(n)) return r.error("file too short for the entry count");
    // Smallest entry: name length 1 + 1 byte + ncall + nval + one value = 17 bytes.
    if (n <= 0) return r.error("entry count " + std::to_string(n) + " (no data)");
    if (static_cast<uint64_t>(n) * 17 > r.remaining())
        return r.error("entry count " + std::to_string(n) + " cannot fit in the " + std::to_string(r.remaining()) +
                       " bytes that follow (truncated or not an imatrix)");
    std::map<std::string, ImatrixEntry> byName;
    for (int32_t e = 0; e < n; ++e) {
        const std::string which = "entry " + std::to_string(e + 1) + " of " + std::to_string(n);
        int32_t len = 0;
        if (!r.i32(len)) return r.error(which + ": the file ends before its name length (truncated)");
        if (len <= 0 || static_cast<size_t>(len) > r.remaining())
            return r.error(which + ": name length " + std::to_string(len) + " with " + std::to_string(r.remaining()) +
                           " bytes left");
        const std::byte* p = r.take(static_cast<size_t>(len));
        ImatrixEntry entry;
        entry.name.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
        int32_t ncall = 0, nval = 0;
        if (!r.i32(ncall) || !r.i32(nval))
            return r.error(which + " (\"" + entry.name + "\"): the file ends before ncall and nval (truncated)");
        if (nval < 1 || static_cast<uint64_t>(nval) * 4 > r.remaining())
            return r.error(which + " (\"" + entry.name + "\"): " + std::to_string(nval) + " values with " +
                           std::to_string(r.remaining()) + " bytes left");
        p = r.take(static_cast<size_t>(nval) * 4);
        entry.values.resize(static_cast<size_t>(nval));
        std::memcpy(entry.values.data(), p, entry.values.size() * 4);
        for (size_t i = 0; i < entry.values.size(); ++i) {
            float& v = entry.values[i];
            if (!std::isfinite(v) || v < 0) return r.error(badValue(entry.name, i, v));
            if (ncall > 0) v /= static_cast<float>(ncall);
        }
        entry.columns = static_cast<uint64_t>(nval);
        entry.counts = {static_cast<double>(ncall)};
        byName[entry.name] = std::move(entry);  // a repeated name replaces the earlier entry, as in llama-quantize
    }
    // Optional trailer: the last chunk, then the dataset's name. A partial trailer is ignored, as llama.cpp does.
    int32_t lastChunk = 0, len = 0;
    if (r.i32(lastChunk)) {
        m.chunkCount = lastChunk;
        if (r.i32(len) && len > 0 && static_cast<size_t>(len) <= r.remaining())
            m.datasets.emplace_back(reinterpret_cast<const char*>(r.take(static_cast<size_t>(len))), static_cast<size_t>(len));
    }
    for (auto& [k, v] : byName) m.entries.push_back(std::move(v));
    return m;
}

bool removeSuffix(std::string& s, std::string_view suffix) {
    if (s.size() < suffix.size() || s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    s.erase(s.size() - suffix.size());
    return true;
}

Result<Imatrix> parseGgufImatrix(std::span<const std::byte> bytes, const std::string& name) {
    auto header = parseGgufHeader(bytes, name);
    if (!header) return header.error();
    const std::string prefix = name + ": imatrix (GGUF) ";
    Imatrix m;
    if (const GgufValue* v = header->find("imatrix.chunk_count"); v && v->type == GgufType::U32)
        m.chunkCount = static_cast<int64_t>(v->u);
    if (const GgufValue* v = header->find("imatrix.chunk_size"); v && v->type == GgufType::U32)
        m.chunkSize = static_cast<int64_t>(v->u);
    if (const GgufValue* v = header->find("imatrix.datasets"); v && v->type == GgufType::Array)
        for (const auto& item : v->items)
            if (item.type == GgufType::String) m.datasets.push_back(item.s);
    struct Pair {
        const GgufTensorInfo* sum2 = nullptr;
        const GgufTensorInfo* counts = nullptr;
    };
    std::map<std::string, Pair> pairs;
    for (const auto& t : header->tensors) {
        std::string base = t.name;
        if (removeSuffix(base, ".in_sum2")) pairs[base].sum2 = &t;
        else if (removeSuffix(base, ".counts")) pairs[base].counts = &t;
        // ".in_sum" (Σx) and anything else: not needed for the importance.
    }
    if (pairs.empty()) return makeError(prefix + "holds no <name>.in_sum2 / <name>.counts tensors (not an imatrix?)");
    const auto floats = [&](const GgufTensorInfo& t, std::vector<float>& out) -> Status {
        if (t.dtype != DType::F32)
            return makeError(prefix + "tensor \"" + t.name + "\" is " + ggmlTypeName(t.ggmlType) + ", not F32");
        uint64_t n = 1;
        for (uint64_t d : t.dims) n *= d;  // parseGgufHeader checked the extent against the file
        out.resize(static_cast<size_t>(n));
        std::memcpy(out.data(), bytes.data() + header->dataOffset + t.offset, static_cast<size_t>(n) * 4);
        return Ok{};
    };
    for (const auto& [base, p] : pairs) {
        if (!p.sum2 || !p.counts)
            return makeError(prefix + "\"" + base + "\" has " + (p.sum2 ? "in_sum2 but no counts" : "counts but no in_sum2"));
        ImatrixEntry e;
        e.name = base;
        std::vector<float> sums, counts;
        if (auto s = floats(*p.sum2, sums); !s) return s.error();
        if (auto s = floats(*p.counts, counts); !s) return s.error();
        if (counts.empty() || sums.empty() || sums.size() % counts.size() != 0)
            return makeError(prefix + "\"" + base + "\": " + std::to_string(sums.size()) + " sums do not split into " +
                             std::to_string(counts.size()) + " matrices");
        e.matrices = counts.size();
        e.columns = sums.size() / counts.size();
        if (!p.sum2->dims.empty() && p.sum2->dims[0] != e.columns)
            return makeError(prefix + "\"" + base + "\": in_sum2 rows of " + std::to_string(p.sum2->dims[0]) +
                             " for " + std::to_string(counts.size()) + " counts");
        e.values.resize(sums.size());
        for (size_t k = 0; k < counts.size(); ++k) {
            const float c = counts[k];
            if (!std::isfinite(c) || c < 0)
                return makeError(prefix + "\"" + base + "\": count " + std::to_string(c) + " of matrix " + std::to_string(k));
            e.counts.push_back(c);
            for (size_t j = 0; j < e.columns; ++j) {
                const size_t i = k * e.columns + j;
                if (!std::isfinite(sums[i]) || sums[i] < 0) return makeError(prefix + badValue(base, i, sums[i]));
                e.values[i] = c > 0 ? sums[i] / c : 1.0f;
            }
        }
        m.entries.push_back(std::move(e));
    }
    return m;
}

}  // namespace

const ImatrixEntry* Imatrix::find(std::string_view tensorName) const {
    const auto it = std::lower_bound(entries.begin(), entries.end(), tensorName,
                                     [](const ImatrixEntry& e, std::string_view n) { return e.name < n; });
    return it != entries.end() && it->name == tensorName ? &*it : nullptr;
}

Result<Imatrix> parseImatrix(std::span<const std::byte> bytes, const std::string& name) {
    if (bytes.size() >= 4 && std::memcmp(bytes.data(), "GGUF", 4) == 0) return parseGgufImatrix(bytes, name);
    return parseLegacy(bytes, name);
}

Result<Imatrix> readImatrix(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return makeError(path + ": cannot open the imatrix file");
    const std::streamoff size = in.tellg();
    if (size < 0) return makeError(path + ": cannot read the imatrix file");
    std::vector<std::byte> bytes(static_cast<size_t>(size));
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) return makeError(path + ": cannot read the imatrix file");
    return parseImatrix(bytes, path);
}

std::vector<float> importanceFromActivations(const float* x, size_t tokens, size_t inFeatures) {
    if (tokens == 0) return {};
    std::vector<double> sums(inFeatures, 0.0);
    for (size_t t = 0; t < tokens; ++t)
        for (size_t j = 0; j < inFeatures; ++j) {
            const double v = x[t * inFeatures + j];
            sums[j] += v * v;
        }
    std::vector<float> out(inFeatures);
    for (size_t j = 0; j < inFeatures; ++j) out[j] = static_cast<float>(sums[j] / static_cast<double>(tokens));
    return out;
}

}  // namespace qv
