// ModelFile accessors and the format sniffer that routes a path to its loader.
#include "core/formats/model_file.h"

#include <cstring>
#include <fstream>

#include "core/formats/gguf.h"
#include "core/formats/npy.h"
#include "core/formats/onnx.h"
#include "core/formats/safetensors.h"
#include "core/formats/zip_model.h"

namespace qv {

TensorView ModelFile::view(size_t index) const {
    const TensorInfo& info = tensors.at(index);
    return TensorView(info, info.source < sources.size() ? sources[info.source] : nullptr);
}

std::optional<size_t> ModelFile::find(std::string_view name) const {
    for (size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].name == name) return i;
    return std::nullopt;
}

uint64_t ModelFile::totalElements() const {
    uint64_t n = 0;
    for (const auto& t : tensors) n += t.elements();
    return n;
}

namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::shared_ptr<const ModelFile>> openModel(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(path + ": cannot open (missing or unreadable)");
    char head[16] = {};
    in.read(head, sizeof head);
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) return makeError(path + ": file is empty");

    Result<ModelFile> model = makeError("");
    if (endsWith(path, ".index.json")) {
        model = openSafetensorsIndex(path);
    } else if ((got >= 4 && std::memcmp(head, "GGUF", 4) == 0) || endsWith(path, ".gguf")) {
        model = openGguf(path);  // before the safetensors test: a GGUF with 123 tensors has '{' at byte 8
    } else if (got >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) {
        model = openZipModel(path);  // .npz, or a torch.save checkpoint (.pt/.pth/.bin): by contents
    } else if (endsWith(path, ".onnx")) {
        model = openOnnx(path);  // protobuf has no magic number
    } else if ((got >= 6 && std::memcmp(head, "\x93NUMPY", 6) == 0) || endsWith(path, ".npy")) {
        model = openNpy(path);  // by name too, so a damaged .npy gets the loader's precise message
    } else if ((got >= 9 && head[8] == '{') || endsWith(path, ".safetensors")) {
        model = openSafetensors(path);  // u64 header length, then a JSON object
    } else {
        return makeError(path + ": unrecognized file format (supported: " + [] {
            std::string s;
            for (const auto& e : supportedExtensions()) s += (s.empty() ? "" : ", ") + e;
            return s;
        }() + ")");
    }
    if (!model) return model.error();
    return std::make_shared<const ModelFile>(std::move(model).value());
}

const std::vector<std::string>& supportedExtensions() {
    static const std::vector<std::string> kExt = {".safetensors", ".index.json", ".npy", ".gguf",
                                                  ".onnx", ".npz", ".pt", ".pth", ".bin"};
    return kExt;
}

}  // namespace qv
