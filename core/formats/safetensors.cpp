// safetensors reader (single file and sharded index) and writer, with every header field checked.
//
// Layout (huggingface/safetensors README "Format", and its Rust reference implementation):
//   bytes 0–7    N: u64 little-endian, the size of the JSON header
//   bytes 8…8+N  UTF-8 JSON object {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}, …,
//                "__metadata__": {"key": "value"}}; the writer pads it with spaces to a multiple of 8
//   then         the byte buffer; tensor data is [b, e) relative to the first byte after the header.
// The reference implementation also refuses overlapping tensors and sizes that differ from
// elements × dtype size; we do the same and say exactly which field is wrong.
#include "core/formats/safetensors.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/formats/atomic_file.h"

namespace qv {
namespace {

using Json = nlohmann::ordered_json;  // keeps the header's key order, which is the file's tensor order

// Headers above this are refused before anything is allocated (the reference implementation
// caps them at 100 MB too: safetensors/src/tensor.rs MAX_HEADER_SIZE).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeName {
    const char* name;
    DType type;
};
// safetensors Dtype enum spelling (safetensors/src/tensor.rs).
constexpr DtypeName kDtypes[] = {
    {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
    {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16}, {"I8", DType::I8},
    {"U64", DType::U64}, {"U32", DType::U32}, {"U16", DType::U16}, {"U8", DType::U8},
    {"BOOL", DType::Bool},
};

// A safetensors header nests three levels ({tensor: {"shape": [..]}}); anything much deeper is hostile.
// Checked by a linear scan before parsing, because building and destroying a DOM of millions of
// nested arrays costs seconds and deep recursion in consumers.
constexpr int kMaxJsonDepth = 16;
// numpy 2 allows 64 dimensions (NPY_MAXDIMS); no real tensor comes near it.
constexpr size_t kMaxRank = 64;

// Byte index (within text) where nesting first exceeds kMaxJsonDepth, or npos.
size_t tooDeepAt(std::string_view text) {
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\') ++i;
            else if (c == '"') inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxJsonDepth) return i;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return std::string_view::npos;
}

const char* safetensorsName(DType t) {
    for (const auto& d : kDtypes)
        if (d.type == t) return d.name;
    return nullptr;
}

uint64_t readU64Le(const std::byte* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

std::string renderValue(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Parses one tensor entry; offsets stay relative to the data buffer here.
// Byte offset of a tensor's key in the file, for messages; found by searching the header text for
// the quoted name (names with JSON escapes are not found and get no offset).
std::string keyOffset(std::string_view headerText, const std::string& name) {
    const size_t pos = headerText.find("\"" + name + "\"");
    return pos == std::string_view::npos ? std::string() : " (header entry at byte offset " + std::to_string(8 + pos) + ")";
}

// Messages start with "<ctx>: tensor '<name>'"; the caller inserts the entry's byte offset after
// that prefix on failure (searching the header for every tensor would cost O(tensors × header)).
Result<TensorInfo> parseEntry(const std::string& ctx, const std::string& name, const Json& e, uint64_t dataSize,
                              uint64_t dataStart) {
    const std::string where = ctx + ": tensor '" + name + "'";
    if (!e.is_object()) return makeError(where + ": entry is not a JSON object");
    TensorInfo info;
    info.name = name;

    auto dt = e.find("dtype");
    if (dt == e.end() || !dt->is_string()) return makeError(where + ": field 'dtype' missing or not a string");
    const std::string dname = dt->get<std::string>();
    bool found = false;
    for (const auto& d : kDtypes)
        if (dname == d.name) info.dtype = d.type, found = true;
    if (!found) {
        if (dname.rfind("F8_", 0) == 0 || dname == "F4" || dname == "F6_E2M3" || dname == "F6_E3M2" || dname == "E8M0")
            return makeError(where + ": field 'dtype': unsupported dtype '" + dname +
                             "' (FP8/FP4 storage is planned, see ROADMAP: number formats beyond intN)");
        return makeError(where + ": field 'dtype': unknown dtype '" + dname + "'");
    }

    auto sh = e.find("shape");
    if (sh == e.end() || !sh->is_array()) return makeError(where + ": field 'shape' missing or not an array");
    if (sh->size() > kMaxRank)
        return makeError(where + ": field 'shape' has " + std::to_string(sh->size()) + " dimensions (limit " +
                         std::to_string(kMaxRank) + ")");
    for (size_t i = 0; i < sh->size(); ++i) {
        const Json& d = (*sh)[i];
        if (d.is_number_integer() && !d.is_number_unsigned() && d.get<int64_t>() < 0)
            return makeError(where + ": field 'shape'[" + std::to_string(i) + "] is negative (" + d.dump() + ")");
        if (!d.is_number_unsigned()) return makeError(where + ": field 'shape'[" + std::to_string(i) + "] is not a non-negative integer (" + d.dump() + ")");
        const uint64_t v = d.get<uint64_t>();
        if (v > static_cast<uint64_t>(INT64_MAX))
            return makeError(where + ": field 'shape'[" + std::to_string(i) + "] is too large (" + d.dump() + ")");
        info.shape.push_back(static_cast<int64_t>(v));
    }
    const auto elements = checkedElements(info.shape);
    const auto need = elements ? storageBytes(info.dtype, *elements) : std::nullopt;
    if (!need) return makeError(where + ": field 'shape' " + info.shapeString() + ": byte size overflows 64 bits");

    auto off = e.find("data_offsets");
    if (off == e.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
        !(*off)[1].is_number_unsigned())
        return makeError(where + ": field 'data_offsets' must be an array of two non-negative integers");
    const uint64_t begin = (*off)[0].get<uint64_t>();
    const uint64_t end = (*off)[1].get<uint64_t>();
    if (begin > end)
        return makeError(where + ": field 'data_offsets': begin " + std::to_string(begin) + " > end " + std::to_string(end) +
                         " (relative to the data at byte offset " + std::to_string(dataStart) + ")");
    if (end > dataSize)
        return makeError(where + ": field 'data_offsets': end " + std::to_string(end) + " (byte offset " +
                         std::to_string(dataStart + end) + ") is past the end of the data (" + std::to_string(dataSize) +
                         " bytes from byte offset " + std::to_string(dataStart) + ")");
    if (end - begin != *need)
        return makeError(where + ": field 'data_offsets' spans " + std::to_string(end - begin) + " bytes (byte offset " +
                         std::to_string(dataStart + begin) + "), but shape " + info.shapeString() + " of " + dname +
                         " needs " + std::to_string(*need));
    info.offset = begin;
    info.bytes = *need;
    return info;
}

}  // namespace

Result<ModelFile> openSafetensors(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    const auto bytes = (*mapped)->bytes();
    const uint64_t size = bytes.size();
    if (size == 0) return makeError(path + ": file is empty");
    if (size < 8)
        return makeError(path + ": truncated: the 8-byte header length at byte offset 0 needs 8 bytes, file has " +
                         std::to_string(size));
    const uint64_t n = readU64Le(bytes.data());
    if (n > kMaxHeaderBytes)
        return makeError(path + ": header length " + std::to_string(n) + " (u64 at byte offset 0) is absurd (limit " +
                         std::to_string(kMaxHeaderBytes) + " bytes)");
    if (n > size - 8)
        return makeError(path + ": header length " + std::to_string(n) + " (u64 at byte offset 0) runs past the end of the file (" +
                         std::to_string(size - 8) + " bytes after byte offset 8)");
    if (n < 2) return makeError(path + ": header length " + std::to_string(n) + " is too small for a JSON object");

    const char* text = reinterpret_cast<const char*>(bytes.data()) + 8;
    if (const size_t deep = tooDeepAt(std::string_view(text, n)); deep != std::string_view::npos)
        return makeError(path + ": header JSON nests deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels at byte offset " + std::to_string(8 + deep));
    Json header;
    try {
        header = Json::parse(text, text + n);
    } catch (const Json::parse_error& e) {
        return makeError(path + ": header JSON is invalid near byte offset " + std::to_string(8 + e.byte) + " (" + e.what() + ")");
    } catch (const Json::exception& e) {
        // e.g. out_of_range 406: a number literal that overflows (found by fuzzing)
        return makeError(path + ": header JSON is invalid (" + e.what() + ")");
    }
    if (!header.is_object()) return makeError(path + ": header JSON at byte offset 8 is not an object");

    const uint64_t dataStart = 8 + n;
    const uint64_t dataSize = size - dataStart;
    ModelFile model;
    model.path = path;
    model.format = "safetensors";
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it.value().is_object()) return makeError(path + ": field '__metadata__' is not an object");
            for (auto m = it.value().begin(); m != it.value().end(); ++m)
                model.metadata.push_back({m.key(), renderValue(m.value())});
            continue;
        }
        auto info = parseEntry(path, it.key(), it.value(), dataSize, dataStart);
        if (!info) {
            std::string msg = info.message();
            const size_t prefix = path.size() + 10 + it.key().size() + 1;  // "<path>: tensor '<name>'"
            msg.insert(std::min(prefix, msg.size()), keyOffset(std::string_view(text, n), it.key()));
            return makeError(std::move(msg));
        }
        model.tensors.push_back(std::move(*info));
    }

    // No two tensors may share bytes: sort by begin and compare neighbours.
    std::vector<size_t> order(model.tensors.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return model.tensors[a].offset < model.tensors[b].offset;
    });
    for (size_t k = 1; k < order.size(); ++k) {
        const TensorInfo& prev = model.tensors[order[k - 1]];
        const TensorInfo& cur = model.tensors[order[k]];
        if (cur.offset < prev.offset + prev.bytes && cur.bytes > 0 && prev.bytes > 0)
            return makeError(path + ": tensor '" + cur.name + "': field 'data_offsets' [" + std::to_string(cur.offset) + ", " +
                             std::to_string(cur.offset + cur.bytes) + ") overlaps tensor '" + prev.name + "' [" +
                             std::to_string(prev.offset) + ", " + std::to_string(prev.offset + prev.bytes) +
                             ") (byte offset " + std::to_string(dataStart + cur.offset) + ")");
    }
    for (auto& t : model.tensors) t.offset += dataStart;  // absolute offsets in the mapped file
    model.sources.push_back(std::move(*mapped));
    return model;
}

Result<ModelFile> openSafetensorsIndex(const std::string& path) {
    auto text = readTextFile(path);
    if (!text) return text.error();
    if (const size_t deep = tooDeepAt(*text); deep != std::string_view::npos)
        return makeError(path + ": index JSON nests deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels at byte offset " + std::to_string(deep));
    Json index;
    try {
        index = Json::parse(*text);
    } catch (const Json::parse_error& e) {
        return makeError(path + ": index JSON is invalid near byte offset " + std::to_string(e.byte) + " (" + e.what() + ")");
    } catch (const Json::exception& e) {
        return makeError(path + ": index JSON is invalid (" + e.what() + ")");
    }
    if (!index.is_object()) return makeError(path + ": index JSON is not an object");
    auto wm = index.find("weight_map");
    if (wm == index.end() || !wm->is_object()) return makeError(path + ": field 'weight_map' missing or not an object");

    ModelFile model;
    model.path = path;
    model.format = "safetensors";
    if (auto md = index.find("metadata"); md != index.end()) {
        if (!md->is_object()) return makeError(path + ": field 'metadata' is not an object");
        for (auto m = md->begin(); m != md->end(); ++m) model.metadata.push_back({m.key(), renderValue(m.value())});
    }

    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::vector<std::string> shardNames;
    std::vector<ModelFile> shards;
    for (auto it = wm->begin(); it != wm->end(); ++it) {
        if (!it.value().is_string())
            return makeError(path + ": field 'weight_map': tensor '" + it.key() + "': shard is not a string");
        const std::string shard = it.value().get<std::string>();
        const std::filesystem::path rel(shard);
        if (shard.empty() || rel.is_absolute() || std::find(rel.begin(), rel.end(), "..") != rel.end())
            return makeError(path + ": field 'weight_map': tensor '" + it.key() + "': shard '" + shard +
                             "' must be a file name beside the index");
        size_t s = std::find(shardNames.begin(), shardNames.end(), shard) - shardNames.begin();
        if (s == shardNames.size()) {  // first mention: map the shard once
            auto opened = openSafetensors((dir / rel).string());
            if (!opened) return makeError(path + ": shard '" + shard + "' (for tensor '" + it.key() + "'): " + opened.message());
            shardNames.push_back(shard);
            shards.push_back(std::move(*opened));
            model.sources.push_back(shards.back().sources.at(0));
        }
        auto idx = shards[s].find(it.key());
        if (!idx)
            return makeError(path + ": field 'weight_map': tensor '" + it.key() + "' is missing from shard '" + shard + "'");
        TensorInfo info = shards[s].tensors[*idx];
        info.source = static_cast<uint32_t>(s);
        model.tensors.push_back(std::move(info));
    }
    model.metadata.push_back({"shards", std::to_string(shardNames.size())});
    return model;
}

Status writeSafetensors(const std::string& path, const std::vector<SafetensorsEntry>& tensors,
                        const std::map<std::string, std::string>& metadata) {
    Json header = Json::object();
    if (!metadata.empty()) {
        Json md = Json::object();
        for (const auto& [k, v] : metadata) md[k] = v;
        header["__metadata__"] = std::move(md);
    }
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        const char* dname = safetensorsName(t.dtype);
        if (!dname) return makeError(path + ": tensor '" + t.name + "': dtype " + std::string(dtypeName(t.dtype)) + " has no safetensors name");
        if (t.name == "__metadata__" || header.contains(t.name))
            return makeError(path + ": tensor '" + t.name + "': duplicate or reserved name");
        const auto elements = checkedElements(t.shape);
        const auto need = elements ? storageBytes(t.dtype, *elements) : std::nullopt;
        if (!need || *need != t.data.size())
            return makeError(path + ": tensor '" + t.name + "': " + std::to_string(t.data.size()) +
                             " data bytes do not match its shape and dtype");
        header[t.name] = Json{{"dtype", dname}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.data.size()}}};
        offset += t.data.size();
    }
    // Invalid UTF-8 in a name would make dump() throw; replace it (U+FFFD) instead.
    std::string text = header.dump(-1, ' ', false, Json::error_handler_t::replace);
    text.append((8 - text.size() % 8) % 8, ' ');  // the reference writer pads with spaces to 8-byte alignment
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((uint64_t{text.size()} >> (8 * i)) & 0xFF);
    return writeFileAtomically(path, [&](const AtomicWriter& w) {
        if (!w.write(len, 8) || !w.write(text.data(), text.size())) return false;
        for (const auto& t : tensors)
            if (!w.write(t.data.data(), t.data.size())) return false;
        return true;
    });
}

}  // namespace qv
