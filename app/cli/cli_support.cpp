// Shared plumbing of quantviz-cli: opening tensors, writing arrays, scheme flags, number formatting.
#include "app/cli/cli_support.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/calib/presets.h"
#include "core/formats/npy.h"

namespace qv::cli {

void failData(const std::string& message) { throw CliFailure(kExitBadData, message); }
void failUsage(const std::string& message) { throw CliFailure(kExitBadUsage, message); }

std::shared_ptr<const ModelFile> openOrFail(const std::string& path) {
    auto model = openModel(path);
    if (!model) failData(model.message());
    return std::move(model).value();
}

std::string SelectedTensor::label() const { return model->path + ": tensor '" + info().name + "'"; }

SelectedTensor selectTensor(const std::string& path, const std::string& tensorName) {
    SelectedTensor t;
    t.model = openOrFail(path);
    if (tensorName.empty()) {
        if (t.model->tensors.size() != 1)
            failUsage(path + ": holds " + std::to_string(t.model->tensors.size()) +
                      " tensors; choose one with --tensor NAME (see `quantviz-cli inspect " + path + "`)");
        t.index = 0;
        return t;
    }
    auto found = t.model->find(tensorName);
    if (!found) failData(path + ": no tensor named '" + tensorName + "' (see `quantviz-cli inspect " + path + "`)");
    t.index = *found;
    return t;
}

std::vector<float> readAllFloats(const SelectedTensor& tensor) {
    auto values = tensor.view().toFloat();
    if (!values) failData(tensor.label() + ": " + values.message());
    return std::move(values).value();
}

void writeFloatNpy(const std::string& path, const std::vector<int64_t>& shape, std::span<const float> values) {
    Status st = writeNpy(path, DType::F32, shape, std::as_bytes(values));
    if (!st) failData(st.message());
}

void addSchemeOptions(CLI::App& sub, SchemeFlags& flags, bool withPreset) {
    sub.add_option("--bits", flags.bits, "Code width in bits, 2..16 (default 8)")->check(CLI::Range(2, 16));
    sub.add_option("--scheme", flags.scheme,
                   "sym: signed codes, zero point 0, restricted range ±(2^(B-1)-1) unless --full-range; "
                   "asym: unsigned codes 0..2^B-1 with a zero point (default sym)")
        ->check(CLI::IsMember({"sym", "asym"}));
    sub.add_option("--granularity", flags.granularity,
                   "tensor (one scale), channel[:AXIS] (one scale per index of AXIS, default 0; negative "
                   "counts from the end), or group:SIZE (groups of SIZE along the last axis)");
    sub.add_option("--number-format", flags.format,
                   "Number format of the codes: int (a uniform grid of --bits, default), fp8-e4m3, fp8-e5m2, "
                   "fp6-e2m3, fp6-e3m2, fp4-e2m1 or nf4 (one scale per slice = amax / the format's largest value), "
                   "or mxfp8-e4m3, mxfp8-e5m2, mxfp6-e2m3, mxfp6-e3m2, mxfp4 (OCP MX: a power-of-two scale per "
                   "slice; use --granularity group:32 for "
                   "the spec's blocks), or nvfp4 (E2M1, an E4M3 scale per slice times a float32 tensor scale; "
                   "--granularity group:16 for its blocks). Values round to the nearest level, ties to even; "
                   "--bits, --scheme and "
                   "--full-range do not apply")
        ->check(CLI::IsMember([] {
            std::vector<std::string> names;
            for (NumberFormat f : allNumberFormats()) names.emplace_back(formatName(f));
            return names;
        }()));
    sub.add_flag("--full-range", flags.fullRange,
                 "Symmetric schemes use the full signed range -2^(B-1)..2^(B-1)-1 instead of the restricted one");
    if (withPreset)
        sub.add_option("--preset", flags.preset,
                       "Follow a tool's conventions (scheme and default calibrator list): quantviz (the course's), tensorrt (amax/127, pytorch-quantization calibrators), "
                       "onnxruntime (its calibrator variants and zero-point rules), pytorch (observers: "
                       "amax/127.5, eps floor, x times the float32 reciprocal of the scale)")
            ->check(CLI::IsMember(presetNames()));
}

namespace {

int64_t parseInteger(const std::string& text, const std::string& what) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0) failUsage(what + ": '" + text + "' is not an integer");
    return v;
}

}  // namespace

QuantScheme makeScheme(const SchemeFlags& flags, const std::vector<int64_t>& shape) {
    QuantScheme s;
    if (flags.bits < 2 || flags.bits > 16) failUsage("--bits must be between 2 and 16");
    s.bits = flags.bits;
    s.symmetry = flags.scheme == "asym" ? Symmetry::Asymmetric : Symmetry::Symmetric;
    s.fullRange = flags.fullRange;
    if (!parseNumberFormat(flags.format, s.format)) {
        std::string why = "--number-format: '";
        why += flags.format;
        why += "' is not a number format";
        failUsage(why);
    }
    const std::string& g = flags.granularity;
    if (g == "tensor") {
        s.granularity = Granularity::PerTensor;
    } else if (g == "channel" || g.rfind("channel:", 0) == 0) {
        s.granularity = Granularity::PerChannel;
        int64_t axis = g == "channel" ? 0 : parseInteger(g.substr(8), "--granularity channel:AXIS");
        const auto rank = static_cast<int64_t>(shape.size());
        if (rank == 0) failUsage("--granularity channel needs a tensor with at least one axis (this one is 0-d)");
        if (axis < -rank || axis >= rank)
            failUsage("--granularity channel:" + std::to_string(axis) + ": axis out of range for shape " +
                      shapeJoined(shape));
        s.axis = static_cast<int>(axis < 0 ? axis + rank : axis);
    } else if (g.rfind("group:", 0) == 0) {
        s.granularity = Granularity::PerGroup;
        s.groupSize = parseInteger(g.substr(6), "--granularity group:SIZE");
        if (s.groupSize < 1) failUsage("--granularity group:SIZE needs SIZE >= 1");
        if (shape.empty()) failUsage("--granularity group needs a tensor with at least one axis (this one is 0-d)");
    } else {
        failUsage("--granularity: '" + g + "' is not tensor, channel[:AXIS] or group:SIZE");
    }
    // A preset keeps bits and granularity and imposes the tool's convention and range shape.
    if (!flags.preset.empty()) {
        if (s.format != NumberFormat::Int)
            failUsage("--preset sets a tool's integer conventions; it does not combine with --number-format " +
                      flags.format);
        std::string error;
        const Preset* preset = findPreset(flags.preset, &error);
        if (!preset) failUsage("--preset: " + error);
        s = preset->apply(s);
    }
    return s;
}

Json schemeJson(const QuantScheme& s) {
    Json j;
    j["format"] = formatName(s.format);
    j["bits"] = s.codeBits();
    j["symmetry"] = s.symmetric() ? "sym" : "asym";
    j["full_range"] = s.fullRange;
    j["qmin"] = s.qmin();
    j["qmax"] = s.qmax();
    switch (s.granularity) {
        case Granularity::PerTensor: j["granularity"] = "tensor"; break;
        case Granularity::PerChannel:
            j["granularity"] = "channel";
            j["axis"] = s.axis;
            break;
        case Granularity::PerGroup:
            j["granularity"] = "group";
            j["group_size"] = s.groupSize;
            break;
    }
    const char* conv = "seeds";
    switch (s.convention) {
        case Convention::Seeds: conv = "seeds"; break;
        case Convention::TensorRT: conv = "tensorrt"; break;
        case Convention::OnnxRuntime: conv = "onnxruntime"; break;
        case Convention::PyTorch: conv = "pytorch"; break;
    }
    j["convention"] = conv;
    return j;
}

std::vector<std::string> splitList(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(sep, start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string formatNumber(double v, int precision) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    return buf;
}

std::string shapeJoined(const std::vector<int64_t>& shape) {
    if (shape.empty()) return "scalar";
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
    return s;
}

Json jsonNumber(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

}  // namespace qv::cli
