// ONNX loader: parse ModelProto with protobuf, collect initializers and Constant tensors recursively.
#include "core/formats/onnx.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h (ONNX_ML=1)

#include <charconv>
#include <cstring>
#include <filesystem>
#include <map>

namespace qv {

namespace {

// Deepest message nesting protobuf accepts (its default is 100); also bounds our graph recursion.
constexpr int kProtoRecursionLimit = 100;
constexpr size_t kMaxDocChars = 2000;

// A span of a parsed protobuf string, keeping the whole parsed model alive (raw_data zero copy).
class ParsedBytes final : public ByteSource {
public:
    ParsedBytes(std::shared_ptr<const void> owner, std::span<const std::byte> bytes)
        : m_owner(std::move(owner)), m_bytes(bytes) {}
    std::span<const std::byte> bytes() const override { return m_bytes; }

private:
    std::shared_ptr<const void> m_owner;
    std::span<const std::byte> m_bytes;
};

// TensorProto.DataType (onnx/onnx.proto) → DType; nullopt for string, complex and later types.
std::optional<DType> onnxDType(int32_t t) {
    switch (t) {
    case onnx::TensorProto_DataType_FLOAT: return DType::F32;
    case onnx::TensorProto_DataType_UINT8: return DType::U8;
    case onnx::TensorProto_DataType_INT8: return DType::I8;
    case onnx::TensorProto_DataType_UINT16: return DType::U16;
    case onnx::TensorProto_DataType_INT16: return DType::I16;
    case onnx::TensorProto_DataType_INT32: return DType::I32;
    case onnx::TensorProto_DataType_INT64: return DType::I64;
    case onnx::TensorProto_DataType_BOOL: return DType::Bool;
    case onnx::TensorProto_DataType_FLOAT16: return DType::F16;
    case onnx::TensorProto_DataType_DOUBLE: return DType::F64;
    case onnx::TensorProto_DataType_UINT32: return DType::U32;
    case onnx::TensorProto_DataType_UINT64: return DType::U64;
    case onnx::TensorProto_DataType_BFLOAT16: return DType::BF16;
    default: return std::nullopt;
    }
}

// Copies typed-field values, each truncated to the element width (little-endian host).
template <class Field>
std::vector<std::byte> packValues(const Field& values, size_t elemSize) {
    std::vector<std::byte> out(static_cast<size_t>(values.size()) * elemSize);
    for (int i = 0; i < values.size(); ++i) {
        const auto v = values.Get(i);
        std::memcpy(out.data() + static_cast<size_t>(i) * elemSize, &v, elemSize);
    }
    return out;
}

std::optional<uint64_t> parseU64(const std::string& s) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

class OnnxLoader {
public:
    OnnxLoader(std::shared_ptr<const onnx::ModelProto> proto, const std::string& path, bool allowExternal)
        : m_proto(std::move(proto)), m_path(path), m_allowExternal(allowExternal) {
        m_model.path = path;
        m_model.format = "onnx";
    }

    Result<ModelFile> load();

private:
    Status graph(const onnx::GraphProto& g, size_t depth);
    Status nodes(const google::protobuf::RepeatedPtrField<onnx::NodeProto>& list, size_t depth);
    Status constant(const onnx::NodeProto& node, size_t index);
    Status tensor(const onnx::TensorProto& t, const std::string& name, const char* kind);
    Status external(const onnx::TensorProto& t, TensorInfo& info, const std::string& where);
    void addOwned(TensorInfo info, std::vector<std::byte> data) {
        info.source = static_cast<uint32_t>(m_model.sources.size());
        info.offset = 0;
        info.bytes = data.size();
        m_model.sources.push_back(std::make_shared<OwnedBytes>(std::move(data)));
        m_model.tensors.push_back(std::move(info));
    }

    std::shared_ptr<const onnx::ModelProto> m_proto;
    const std::string& m_path;
    bool m_allowExternal;
    ModelFile m_model;
    std::map<std::string, uint32_t> m_externalFiles;  // location → source index
    std::vector<std::string> m_skipped;
    size_t m_initializers = 0;
    size_t m_constants = 0;
};

Status OnnxLoader::tensor(const onnx::TensorProto& t, const std::string& name, const char* kind) {
    const std::string where = m_path + ": " + kind + " '" + name + "'";
    auto dtype = onnxDType(t.data_type());
    if (!dtype) {
        m_skipped.push_back(name + " (data_type " + std::to_string(t.data_type()) + ")");
        return Ok{};
    }
    if (t.has_segment()) return makeError(where + ": segmented tensors are not supported");
    TensorInfo info;
    info.name = name;
    info.dtype = *dtype;
    info.shape.assign(t.dims().begin(), t.dims().end());
    auto elements = checkedElements(info.shape);
    const uint64_t elemSize = traits(*dtype).blockBytes;
    if (!elements || *elements > UINT64_MAX / elemSize)
        return makeError(where + ": invalid dims " + info.shapeString());
    const uint64_t need = *elements * elemSize;

    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
        info.bytes = need;
        auto r = external(t, info, where);
        if (!r) return r;
        m_model.tensors.push_back(std::move(info));
        return Ok{};
    }
    if (t.has_raw_data()) {
        const std::string& raw = t.raw_data();
        if (raw.size() != need)
            return makeError(where + ": raw_data holds " + std::to_string(raw.size()) + " bytes, dims " +
                             info.shapeString() + " of " + std::string(dtypeName(*dtype)) + " need " +
                             std::to_string(need));
        info.source = static_cast<uint32_t>(m_model.sources.size());
        info.offset = 0;
        info.bytes = need;
        m_model.sources.push_back(std::make_shared<ParsedBytes>(
            m_proto, std::span(reinterpret_cast<const std::byte*>(raw.data()), raw.size())));
        m_model.tensors.push_back(std::move(info));
        return Ok{};
    }
    // Typed fields (onnx.proto TensorProto comments): float_data for FLOAT; int32_data for INT32,
    // INT16, INT8, UINT16, UINT8, BOOL, FLOAT16 and BFLOAT16 (the latter two as their bit
    // patterns); int64_data for INT64; double_data for DOUBLE; uint64_data for UINT32 and UINT64.
    int count = 0;
    std::vector<std::byte> data;
    switch (*dtype) {
    case DType::F32: count = t.float_data_size(); break;
    case DType::F64: count = t.double_data_size(); break;
    case DType::I64: count = t.int64_data_size(); break;
    case DType::U32: case DType::U64: count = t.uint64_data_size(); break;
    default: count = t.int32_data_size(); break;
    }
    if (static_cast<uint64_t>(count) != *elements)
        return makeError(where + ": typed data holds " + std::to_string(count) + " values, dims " +
                         info.shapeString() + " need " + std::to_string(*elements));
    switch (*dtype) {
    case DType::F32: data = packValues(t.float_data(), 4); break;
    case DType::F64: data = packValues(t.double_data(), 8); break;
    case DType::I64: data = packValues(t.int64_data(), 8); break;
    case DType::U32: case DType::U64: data = packValues(t.uint64_data(), elemSize); break;
    default: data = packValues(t.int32_data(), elemSize); break;
    }
    addOwned(std::move(info), std::move(data));
    return Ok{};
}

Status OnnxLoader::external(const onnx::TensorProto& t, TensorInfo& info, const std::string& where) {
    // onnx/onnx.proto external_data keys: "location" (relative path), "offset", "length", "checksum".
    std::string location;
    std::optional<uint64_t> offset = 0, length;
    for (const auto& kv : t.external_data()) {
        if (kv.key() == "location") location = kv.value();
        else if (kv.key() == "offset") offset = parseU64(kv.value());
        else if (kv.key() == "length") length = parseU64(kv.value());
        if (!offset || (kv.key() == "length" && !length))
            return makeError(where + ": external_data '" + kv.key() + "' = '" + kv.value() + "' is not a byte count");
    }
    if (location.empty()) return makeError(where + ": external data without a location");
    if (!m_allowExternal) return makeError(where + ": external data is not available here");
    const std::filesystem::path rel(location);
    if (rel.is_absolute() || location.find('\0') != std::string::npos)
        return makeError(where + ": external data location '" + location + "' must be relative to the model");
    for (const auto& part : rel)
        if (part == "..")
            return makeError(where + ": external data location '" + location + "' leaves the model's directory");
    if (length && *length != info.bytes)
        return makeError(where + ": external data length " + std::to_string(*length) + " does not match dims " +
                         info.shapeString() + " (" + std::to_string(info.bytes) + " bytes)");
    auto it = m_externalFiles.find(location);
    if (it == m_externalFiles.end()) {
        const auto full = std::filesystem::path(m_path).parent_path() / rel;
        auto mapped = MappedFile::open(full.string());
        if (!mapped) return makeError(where + ": external data: " + mapped.message());
        it = m_externalFiles.emplace(location, static_cast<uint32_t>(m_model.sources.size())).first;
        m_model.sources.push_back(std::move(*mapped));
    }
    const uint64_t fileSize = m_model.sources[it->second]->size();
    if (*offset > fileSize || info.bytes > fileSize - *offset)
        return makeError(where + ": external data [" + std::to_string(*offset) + ", +" + std::to_string(info.bytes) +
                         ") lies outside '" + location + "' (" + std::to_string(fileSize) + " bytes)");
    info.source = it->second;
    info.offset = *offset;
    return Ok{};
}

Status OnnxLoader::constant(const onnx::NodeProto& node, size_t index) {
    // Constant (ai.onnx, opset 1–19): exactly one of value, value_float(s), value_int(s),
    // value_string(s), sparse_value; the tensor is named by the node's single output.
    const std::string name = node.output_size() > 0 && !node.output(0).empty() ? node.output(0)
                             : !node.name().empty() ? node.name()
                                                    : "Constant#" + std::to_string(index);
    for (const auto& a : node.attribute()) {
        TensorInfo info;
        info.name = name;
        if (a.name() == "value" && a.has_t()) {
            ++m_constants;
            return tensor(a.t(), name, "Constant");
        }
        if (a.name() == "value_float" || a.name() == "value_floats") {
            info.dtype = DType::F32;
            std::vector<std::byte> data;
            if (a.name() == "value_float") {
                const float f = a.f();
                data.resize(4);
                std::memcpy(data.data(), &f, 4);
            } else {
                info.shape = {a.floats_size()};
                data = packValues(a.floats(), 4);
            }
            ++m_constants;
            addOwned(std::move(info), std::move(data));
            return Ok{};
        }
        if (a.name() == "value_int" || a.name() == "value_ints") {
            info.dtype = DType::I64;
            std::vector<std::byte> data;
            if (a.name() == "value_int") {
                const int64_t v = a.i();
                data.resize(8);
                std::memcpy(data.data(), &v, 8);
            } else {
                info.shape = {a.ints_size()};
                data = packValues(a.ints(), 8);
            }
            ++m_constants;
            addOwned(std::move(info), std::move(data));
            return Ok{};
        }
        if (a.name() == "value_string" || a.name() == "value_strings" || a.name() == "sparse_value") {
            m_skipped.push_back(name + " (Constant " + a.name() + ")");
            return Ok{};
        }
    }
    return Ok{};
}

Status OnnxLoader::nodes(const google::protobuf::RepeatedPtrField<onnx::NodeProto>& list, size_t depth) {
    size_t index = 0;
    for (const auto& node : list) {
        if (node.op_type() == "Constant" && (node.domain().empty() || node.domain() == "ai.onnx")) {
            auto r = constant(node, index);
            if (!r) return r;
        }
        ++index;
        // Control-flow bodies (If then/else_branch, Loop/Scan body) are graph attributes.
        for (const auto& a : node.attribute()) {
            if (a.has_g()) {
                auto r = graph(a.g(), depth + 1);
                if (!r) return r;
            }
            for (const auto& g : a.graphs()) {
                auto r = graph(g, depth + 1);
                if (!r) return r;
            }
        }
    }
    return Ok{};
}

Status OnnxLoader::graph(const onnx::GraphProto& g, size_t depth) {
    if (depth > static_cast<size_t>(kProtoRecursionLimit))
        return makeError(m_path + ": subgraphs nest too deeply");
    for (const auto& init : g.initializer()) {
        ++m_initializers;
        auto r = tensor(init, init.name(), "initializer");
        if (!r) return r;
    }
    for (const auto& sparse : g.sparse_initializer())
        m_skipped.push_back(sparse.values().name() + " (sparse initializer)");
    return nodes(g.node(), depth);
}

Result<ModelFile> OnnxLoader::load() {
    const onnx::ModelProto& m = *m_proto;
    auto r = graph(m.graph(), 0);
    if (!r) return r.error();
    for (const auto& f : m.functions()) {
        auto rf = nodes(f.node(), 1);
        if (!rf) return rf.error();
    }
    auto& md = m_model.metadata;
    md.push_back({"onnx.ir_version", std::to_string(m.ir_version())});
    if (!m.producer_name().empty()) md.push_back({"onnx.producer_name", m.producer_name()});
    if (!m.producer_version().empty()) md.push_back({"onnx.producer_version", m.producer_version()});
    if (!m.domain().empty()) md.push_back({"onnx.domain", m.domain()});
    if (m.has_model_version()) md.push_back({"onnx.model_version", std::to_string(m.model_version())});
    for (const auto& op : m.opset_import())
        md.push_back({"onnx.opset." + (op.domain().empty() ? std::string("ai.onnx") : op.domain()),
                      std::to_string(op.version())});
    if (!m.graph().name().empty()) md.push_back({"onnx.graph_name", m.graph().name()});
    if (!m.doc_string().empty())
        md.push_back({"onnx.doc_string", m.doc_string().substr(0, kMaxDocChars)});
    for (const auto& kv : m.metadata_props()) md.push_back({kv.key(), kv.value()});
    md.push_back({"onnx.initializers", std::to_string(m_initializers)});
    md.push_back({"onnx.constants", std::to_string(m_constants)});
    if (!m_skipped.empty()) {
        std::string list;
        for (const auto& s : m_skipped) {
            if (list.size() > 1000) {
                list += ", …";
                break;
            }
            list += (list.empty() ? "" : ", ") + s;
        }
        md.push_back({"onnx.skipped", std::to_string(m_skipped.size()) + ": " + list});
    }
    return std::move(m_model);
}

}  // namespace

Result<ModelFile> openOnnxBytes(std::span<const std::byte> bytes, const std::string& path, bool allowExternal) {
    if (bytes.size() > kOnnxMaxFileBytes)
        return makeError(path + ": ONNX file of " + std::to_string(bytes.size()) +
                         " bytes exceeds protobuf's 2 GiB limit (large models keep weights as external data)");
    auto proto = std::make_shared<onnx::ModelProto>();
    google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                              static_cast<int>(bytes.size()));
    in.SetRecursionLimit(kProtoRecursionLimit);
    if (!proto->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
        return makeError(path + ": not a valid ONNX model (protobuf ModelProto parse failed)");
    if (!proto->has_graph()) return makeError(path + ": ONNX model has no graph");
    return OnnxLoader(std::move(proto), path, allowExternal).load();
}

Result<ModelFile> openOnnx(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    if ((*mapped)->size() == 0) return makeError(path + ": file is empty");
    return openOnnxBytes((*mapped)->bytes(), path, true);
}

}  // namespace qv
