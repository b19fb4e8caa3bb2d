// torch.save checkpoints: unpickle data.pkl (restricted), walk the dicts, map tensors onto storages.
#include "core/formats/pytorch.h"

#include <cstring>
#include <map>
#include <unordered_set>

#include "core/formats/pickle.h"
#include "core/formats/zip_archive.h"

namespace qv {

namespace {

constexpr size_t kMaxWalkDepth = 64;
constexpr size_t kMaxScalarMetadata = 256;
constexpr uint64_t kMaxPickleBytes = uint64_t{1} << 30;

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<size_t> pickleMember(const ZipArchive& zip) {
    for (size_t i = 0; i < zip.members().size(); ++i) {
        const std::string& n = zip.members()[i].name;
        if (n == "data.pkl" || endsWith(n, "/data.pkl")) return i;
    }
    return std::nullopt;
}

std::string renderScalar(const PickleValue& v) {
    using K = PickleValue::Kind;
    switch (v.kind) {
    case K::None: return "None";
    case K::Bool: return v.integer ? "True" : "False";
    case K::Int: return std::to_string(v.integer);
    case K::Float: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", v.real);
        return buf;
    }
    case K::String: return v.text.size() > 200 ? v.text.substr(0, 200) + "…" : v.text;
    default: return "";
    }
}

// dst[j] = src[j · stride] for j < n, elements of `size` bytes (fixed sizes so memcpy inlines).
template <size_t N>
void copyStridedN(std::byte* dst, const std::byte* src, uint64_t n, uint64_t stride) {
    for (uint64_t j = 0; j < n; ++j) std::memcpy(dst + j * N, src + j * stride * N, N);
}

void copyStrided(std::byte* dst, const std::byte* src, uint64_t n, uint64_t stride, uint64_t size) {
    switch (size) {
    case 1: return copyStridedN<1>(dst, src, n, stride);
    case 2: return copyStridedN<2>(dst, src, n, stride);
    case 4: return copyStridedN<4>(dst, src, n, stride);
    default: return copyStridedN<8>(dst, src, n, stride);
    }
}

struct Loader {
    const ZipArchive& zip;
    std::shared_ptr<const ByteSource> bytes;
    const std::string& path;
    std::string prefix;  // "<archive>/"
    PickleProgram program;
    ModelFile model;
    std::unordered_set<uint32_t> expanded;  // containers already walked (a pickle may share or loop them)
    struct Storage {
        ZipBytes bytes;
        uint32_t source = 0;
    };
    std::map<std::string, Storage> storages;
    uint64_t gatheredBytes = 0;  // non-contiguous tensors copied so far

    Result<const Storage*> storage(const std::string& key) {
        auto it = storages.find(key);
        if (it != storages.end()) return &it->second;
        const std::string memberName = prefix + "data/" + key;
        auto index = zip.find(memberName);
        if (!index) return makeError(path + ": storage '" + memberName + "' is missing from the archive");
        auto got = zip.read(*index, kPytorchMaxInflatedBytes);
        if (!got) return got.error();
        Storage s{*got, 0};
        if (got->source != bytes) {
            s.source = static_cast<uint32_t>(model.sources.size());
            model.sources.push_back(got->source);
        }
        return &storages.emplace(key, std::move(s)).first->second;
    }

    Status addTensor(const std::string& name, const PickleValue& t) {
        const PickleValue& ref = program.values[t.storage];
        const std::string where = path + ": tensor '" + name + "'";
        auto st = storage(ref.text);
        if (!st) return st.error();
        const Storage& s = **st;
        const uint64_t elemSize = traits(t.dtype).blockBytes;
        const uint64_t storageElems = s.bytes.size / elemSize;
        if (ref.integer >= 0 && static_cast<uint64_t>(ref.integer) > storageElems)
            return makeError(where + ": storage '" + ref.text + "' holds " + std::to_string(storageElems) +
                             " elements, the pickle says " + std::to_string(ref.integer));

        TensorInfo info;
        info.name = name;
        info.dtype = t.dtype;
        info.shape = t.size;
        auto elements = checkedElements(t.size);
        if (!elements) return makeError(where + ": shape " + info.shapeString() + " overflows");
        const auto offset = static_cast<uint64_t>(t.integer);
        if (*elements == 0) {
            info.source = s.source;
            info.offset = s.bytes.offset;
            info.bytes = 0;
            model.tensors.push_back(std::move(info));
            return Ok{};
        }
        // Highest storage element the tensor touches: offset + Σ (size_i − 1)·stride_i, checked.
        uint64_t last = offset;
        bool contiguous = true;
        uint64_t expected = 1;  // row-major stride of the current axis
        for (size_t a = t.size.size(); a-- > 0;) {
            const auto d = static_cast<uint64_t>(t.size[a]);
            const auto str = static_cast<uint64_t>(t.stride[a]);
            if (str != 0 && d - 1 > (UINT64_MAX - last) / str)
                return makeError(where + ": strides reach beyond 64-bit offsets");
            last += (d - 1) * str;
            if (d != 1 && str != expected) contiguous = false;
            expected *= d;  // cannot overflow: bounded by *elements
        }
        if (last >= storageElems)
            return makeError(where + ": size " + info.shapeString() + " at storage offset " +
                             std::to_string(offset) + " reaches element " + std::to_string(last) +
                             " of storage '" + ref.text + "' which holds " + std::to_string(storageElems));
        if (contiguous) {
            info.source = s.source;
            info.offset = s.bytes.offset + offset * elemSize;
            info.bytes = *elements * elemSize;
            model.tensors.push_back(std::move(info));
            return Ok{};
        }
        // A view saved with its storage (e.g. a transposed weight): gather it into row-major order.
        // The budget is per file: a pickle can reference one expanded (stride 0) tensor many times.
        if (*elements > (kPytorchMaxGatherBytes - gatheredBytes) / elemSize)
            return makeError(where + ": non-contiguous tensor of " + std::to_string(*elements) +
                             " elements does not fit the " + std::to_string(kPytorchMaxGatherBytes >> 20) +
                             " MiB gather budget");
        gatheredBytes += *elements * elemSize;
        std::vector<std::byte> out(static_cast<size_t>(*elements * elemSize));
        const std::byte* base = s.bytes.span().data();
        // Row by row along the last axis (rank ≥ 1 here: a 0-d tensor is always contiguous).
        const size_t outer = t.size.size() - 1;
        const auto inner = static_cast<uint64_t>(t.size[outer]);
        const auto innerStride = static_cast<uint64_t>(t.stride[outer]);
        std::vector<uint64_t> index(outer, 0);
        for (uint64_t written = 0; written < *elements; written += inner) {
            uint64_t at = offset;
            for (size_t a = 0; a < outer; ++a) at += index[a] * static_cast<uint64_t>(t.stride[a]);
            copyStrided(out.data() + written * elemSize, base + at * elemSize, inner, innerStride, elemSize);
            for (size_t a = outer; a-- > 0;) {
                if (++index[a] < static_cast<uint64_t>(t.size[a])) break;
                index[a] = 0;
            }
        }
        info.source = static_cast<uint32_t>(model.sources.size());
        model.sources.push_back(std::make_shared<OwnedBytes>(std::move(out)));
        info.offset = 0;
        info.bytes = *elements * elemSize;
        model.tensors.push_back(std::move(info));
        return Ok{};
    }

    Status walk(uint32_t index, const std::string& name, size_t depth) {
        using K = PickleValue::Kind;
        const PickleValue& v = program.values[index];
        if (depth > kMaxWalkDepth) return makeError(path + ": pickle nests deeper than " + std::to_string(kMaxWalkDepth) + " levels");
        switch (v.kind) {
        case K::Tensor: return addTensor(name.empty() ? "tensor" : name, v);
        case K::Dict: case K::List: case K::Tuple: {
            if (!expanded.insert(index).second) return Ok{};
            const bool dict = v.kind == K::Dict;
            const size_t step = dict ? 2 : 1;
            for (size_t i = 0; i + step <= v.items.size(); i += step) {
                std::string key;
                if (dict) {
                    const PickleValue& k = program.values[v.items[i]];
                    if (k.kind == K::String) key = k.text;
                    else if (k.kind == K::Int) key = std::to_string(k.integer);
                    else continue;  // not a name a state dict would use
                } else {
                    key = std::to_string(i);
                }
                auto r = walk(v.items[i + step - 1], name.empty() ? key : name + "." + key, depth + 1);
                if (!r) return r;
            }
            return Ok{};
        }
        case K::None: case K::Bool: case K::Int: case K::Float: case K::String:
            if (!name.empty() && model.metadata.size() < kMaxScalarMetadata)
                model.metadata.push_back({name, renderScalar(v)});
            return Ok{};
        default:
            return Ok{};  // a bare storage or class reference holds no tensor
        }
    }
};

}  // namespace

bool isPytorchArchive(const ZipArchive& zip) { return pickleMember(zip).has_value(); }

Result<ModelFile> openPytorchArchive(const ZipArchive& zip, std::shared_ptr<const ByteSource> bytes,
                                     const std::string& path) {
    auto pkl = pickleMember(zip);
    if (!pkl) return makeError(path + ": not a PyTorch checkpoint (no data.pkl member in the zip)");
    Loader loader{zip, bytes, path};
    const std::string& pklName = zip.members()[*pkl].name;
    loader.prefix = pklName.substr(0, pklName.size() - std::string_view("data.pkl").size());
    loader.model.path = path;
    loader.model.format = "pytorch";
    loader.model.sources.push_back(bytes);

    // "byteorder" (torch/serialization.py, PyTorch ≥ 2.1): storages are in this machine order.
    if (auto bo = zip.find(loader.prefix + "byteorder")) {
        auto text = zip.readPrefix(*bo, 16);
        if (!text) return text.error();
        const std::string order(reinterpret_cast<const char*>(text->data()), text->size());
        if (order != "little")
            return makeError(path + ": byteorder '" + order + "' is not supported (only little-endian storages)");
    }
    auto pickleBytes = zip.read(*pkl, kMaxPickleBytes);
    if (!pickleBytes) return pickleBytes.error();
    auto program = unpickleTorch(pickleBytes->span(), path + ": " + pklName);
    if (!program) return program.error();
    loader.program = std::move(*program);
    auto walked = loader.walk(loader.program.root, "", 0);
    if (!walked) return walked.error();
    loader.model.metadata.insert(loader.model.metadata.begin(),
                                 {"pytorch.archive", loader.prefix.empty() ? "(root)" : loader.prefix});
    return std::move(loader.model);
}

Result<ModelFile> openPytorchBytes(std::shared_ptr<const ByteSource> bytes, const std::string& path) {
    auto zip = ZipArchive::open(bytes, path);
    if (!zip) return zip.error();
    return openPytorchArchive(**zip, std::move(bytes), path);
}

Result<ModelFile> openPytorch(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    return openPytorchBytes(std::move(*mapped), path);
}

}  // namespace qv
