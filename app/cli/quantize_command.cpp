// `quantviz-cli quantize`: codes and/or dequantized values of one tensor, from a calibrator or explicit params.
//
// Arithmetic (docs/cli.md): scales are float32; q = clamp(round_half_even(fl32(x / s)) + z, qmin, qmax)
// as ONNX QuantizeLinear defines it (onnx.ai Operators/QuantizeLinear: "y = saturate((x / y_scale) +
// y_zero_point)", rounding to nearest even); with --preset pytorch, x · fl32(1/s) as PyTorch's
// quantize_val does (aten/src/ATen/native/quantized/AffineQuantizerBase.cpp). Dequantization is
// (fl32(q) − fl32(z)) · s, ONNX DequantizeLinear.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <unordered_set>

#include "app/cli/cli_calibration.h"
#include "app/cli/cli_support.h"
#include "app/cli/code_types.h"
#include "core/formats/npy.h"
#include "core/metrics/error_stats.h"
#include "core/quant/quantizer.h"

namespace qv::cli {

namespace {

struct QuantizeOptions {
    std::string file;
    std::string tensor;
    SchemeFlags scheme;
    std::string calibrator;
    std::string scale;
    std::string zeroPoint;
    std::string dtype;
    std::string codesOut;
    std::string dequantOut;
    bool json = false;
    CLI::App* app = nullptr;
    bool given(const char* flag) const { return app->count(flag) > 0; }
};

// Everything the command computed, ready to print and write.
struct Outcome {
    std::string mode;               // "calibrated", "explicit", "dequantize"
    const CodeType* type = nullptr;
    int bits = 8;
    int64_t qmin = 0, qmax = 0;     // stored-code range
    std::vector<float> scales;
    std::vector<int64_t> zeros;     // stored zero points
    std::vector<ClipRange> clips;   // representable (explicit) or calibrated range per slice
    std::vector<int64_t> codes;
    std::vector<float> dequant;
    bool hasMetrics = false;
    ErrorStats metrics;
    Json schemeJson;
    std::string calibratorName, calibratorArg;
    std::vector<CalibratorNote> notes;  // plain aciq: which fit it used
    bool levelFormat = false;       // codes are FP8/FP4 bit patterns or NF4 codes; no zero point
};

std::vector<float> parseScales(const std::string& text) {
    std::vector<float> out;
    for (const auto& item : splitList(text)) {
        char* end = nullptr;
        // strtof: the decimal is rounded once, straight to float32, as a framework stores its scale.
        const float v = std::strtof(item.c_str(), &end);
        if (*end != '\0' || !std::isfinite(v) || !(v > 0))
            failUsage("--scale: '" + item + "' is not a finite positive number");
        out.push_back(v);
    }
    if (out.empty()) failUsage("--scale: no value given");
    return out;
}

std::vector<int64_t> parseZeros(const std::string& text) {
    std::vector<int64_t> out;
    for (const auto& item : splitList(text)) {
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(item.c_str(), &end, 10);
        if (*end != '\0' || errno != 0) failUsage("--zero-point: '" + item + "' is not an integer");
        out.push_back(v);
    }
    if (out.empty()) failUsage("--zero-point: no value given");
    return out;
}

// Writes the requested arrays; if the second write fails the first is removed, so a failed run
// leaves no output behind.
void writeOutputs(const QuantizeOptions& o, const TensorInfo& info, const Outcome& r) {
    if (!o.codesOut.empty()) {
        const auto bytes = packCodes(r.codes, *r.type);
        Status st = writeNpy(o.codesOut, r.type->dtype, info.shape, bytes);
        if (!st) failData(st.message());
    }
    if (!o.dequantOut.empty()) {
        Status st = writeNpy(o.dequantOut, DType::F32, info.shape, std::as_bytes(std::span<const float>(r.dequant)));
        if (!st) {
            if (!o.codesOut.empty()) {
                std::error_code ec;
                std::filesystem::remove(o.codesOut, ec);
            }
            failData(st.message());
        }
    }
}

// ---- explicit scale / zero point -------------------------------------------------------------

Outcome runExplicit(const QuantizeOptions& o, const SelectedTensor& t) {
    const TensorInfo& info = t.info();
    const bool intInput = traits(info.dtype).isInteger;
    Outcome r;

    // Storage type: --dtype; else an integer input's own type (codes); else by --scheme and --bits.
    if (o.given("--dtype")) {
        r.type = codeTypeFromName(o.dtype);
    } else if (intInput && codeTypeFromDType(info.dtype) && !o.given("--bits")) {
        r.type = codeTypeFromDType(info.dtype);
    } else {
        if (o.scheme.bits > 16) failUsage("--bits must be at most 16 without --dtype int32");
        r.type = &defaultCodeType(o.scheme.bits, o.scheme.scheme != "asym");
    }
    r.bits = o.given("--bits") ? o.scheme.bits : r.type->width;
    if (r.bits > r.type->width)
        failUsage("--bits " + std::to_string(r.bits) + " does not fit --dtype " + r.type->name);
    // Explicit parameters saturate to the full range of the code type (ONNX/PyTorch saturation).
    r.qmin = codeMin(r.bits, r.type->isSigned);
    r.qmax = codeMax(r.bits, r.type->isSigned);

    // Slices: the granularity flag decides; the lists must match its slice count (or give one value).
    SchemeFlags layoutFlags = o.scheme;
    layoutFlags.bits = 8;  // only the layout is used from this scheme
    const QuantScheme layoutScheme = makeScheme(layoutFlags, info.shape);
    const SliceLayout layout = SliceLayout::make(layoutScheme, info.shape);
    r.scales = parseScales(o.scale);
    r.zeros = o.given("--zero-point") ? parseZeros(o.zeroPoint) : std::vector<int64_t>{0};
    const uint64_t slices = layout.slices;
    if (layoutScheme.granularity == Granularity::PerTensor && (r.scales.size() > 1 || r.zeros.size() > 1))
        failUsage("several --scale/--zero-point values need --granularity channel:AXIS or group:SIZE");
    auto broadcast = [&](auto& list, const char* flag) {
        if (list.size() == 1 && slices > 1) list.assign(slices, list[0]);
        if (list.size() != slices)
            failUsage(std::string(flag) + ": " + std::to_string(list.size()) + " values for " + std::to_string(slices) +
                      " slices (" + info.name + " has shape " + info.shapeString() + ")");
    };
    broadcast(r.scales, "--scale");
    broadcast(r.zeros, "--zero-point");
    for (int64_t z : r.zeros)
        if (z < r.qmin || z > r.qmax)
            failUsage("--zero-point " + std::to_string(z) + " is outside the code range [" + std::to_string(r.qmin) +
                      ", " + std::to_string(r.qmax) + "] of " + r.type->name);
    for (uint64_t s = 0; s < slices; ++s)
        r.clips.push_back({double(r.scales[s]) * double(r.qmin - r.zeros[s]), double(r.scales[s]) * double(r.qmax - r.zeros[s])});

    r.schemeJson = schemeJson(layoutScheme);
    r.schemeJson["bits"] = r.bits;
    r.schemeJson["symmetry"] = r.type->isSigned ? "sym" : "asym";
    r.schemeJson["full_range"] = true;
    r.schemeJson["qmin"] = r.qmin;
    r.schemeJson["qmax"] = r.qmax;
    r.schemeJson["convention"] = o.scheme.preset == "pytorch" ? "pytorch" : "onnx";

    const uint64_t n = t.view().elements();
    r.dequant.resize(n);
    if (intInput) {
        // Integer input with explicit parameters: these are codes (ONNX DequantizeLinear).
        r.mode = "dequantize";
        auto ints = readIntegers(t.view());
        if (!ints) failData(t.label() + ": cannot read integer values");
        r.codes = std::move(*ints);
        for (uint64_t i = 0; i < n; ++i) {
            const int64_t q = r.codes[i];
            if (q < r.qmin || q > r.qmax)
                failData(t.label() + ": element " + std::to_string(i) + " = " + std::to_string(q) +
                         " is outside the code range [" + std::to_string(r.qmin) + ", " + std::to_string(r.qmax) +
                         "] of " + r.type->name);
            const uint64_t s = layout.sliceOf(i);
            r.dequant[i] = (static_cast<float>(q) - static_cast<float>(r.zeros[s])) * r.scales[s];
        }
        return r;
    }

    r.mode = "explicit";
    const std::vector<float> values = readAllFloats(t);
    r.codes.resize(n);
    const bool reciprocal = o.scheme.preset == "pytorch";
    if (r.type->width <= 16) {
        // The core quantizer, with a scheme whose code range is exactly [qmin, qmax].
        QuantParams params;
        params.scheme = layoutScheme;
        params.scheme.bits = r.bits;
        params.scheme.symmetry = r.type->isSigned ? Symmetry::Symmetric : Symmetry::Asymmetric;
        params.scheme.fullRange = true;
        params.scheme.convention = reciprocal ? Convention::PyTorch : Convention::Seeds;
        if (params.scheme.qmin() != r.qmin || params.scheme.qmax() != r.qmax)
            failData("internal: scheme range mismatch for " + std::string(r.type->name));
        for (uint64_t s = 0; s < slices; ++s)
            params.slices.push_back({r.scales[s], static_cast<int32_t>(r.zeros[s]), r.clips[s]});
        std::vector<int32_t> codes32(n);
        quantizeSpan(params, layout, 0, values, codes32, r.dequant);
        for (uint64_t i = 0; i < n; ++i) r.codes[i] = codes32[i];
        r.metrics = measureErrorValues(values, info.shape, params, 16).total;
        r.hasMetrics = true;
        return r;
    }
    // int32 codes (beyond QuantScheme's 16 bits): the same formula, saturated in 64-bit arithmetic.
    ErrorAccumulator acc;
    std::unordered_set<int64_t> used;
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t s = layout.sliceOf(i);
        const float x = values[i];
        const float v = reciprocal ? x * (1.0f / r.scales[s]) : x / r.scales[s];
        int64_t q;
        bool clipped = false;
        if (std::isnan(v)) {
            q = r.zeros[s];
        } else {
            const double rv = std::nearbyint(static_cast<double>(v)) + static_cast<double>(r.zeros[s]);
            clipped = rv < double(r.qmin) || rv > double(r.qmax);
            q = rv < double(r.qmin) ? r.qmin : (rv > double(r.qmax) ? r.qmax : static_cast<int64_t>(rv));
        }
        r.codes[i] = q;
        r.dequant[i] = (static_cast<float>(q) - static_cast<float>(r.zeros[s])) * r.scales[s];
        if (std::isfinite(x)) {
            acc.add(x, r.dequant[i], clipped);
            used.insert(q);
        }
    }
    r.metrics = acc.finish(used.size(), static_cast<uint64_t>(r.qmax - r.qmin) + 1);
    r.hasMetrics = true;
    return r;
}

// ---- calibrated ------------------------------------------------------------------------------

// Calibrates the tensor under `scheme`; fills r's scales, clips, notes, dequantized values, metrics and
// scheme JSON; returns each element's code index (code for integers, the level index for level formats).
std::vector<int32_t> calibrateAndQuantize(const Calibrator& calibrator, const QuantScheme& scheme,
                                          const SelectedTensor& t, Outcome& r, QuantParams& params) {
    const TensorInfo& info = t.info();
    const std::vector<float> values = readAllFloats(t);
    auto summary = summarize(t.view());
    if (!summary) failData(t.label() + ": " + summary.message());
    params = calibrateParams(calibrator, scheme, info.shape, values, **summary);
    if (scheme.granularity == Granularity::PerTensor) r.notes = calibratorNotes(calibrator, **summary, scheme);
    for (const auto& s : params.slices) {
        r.scales.push_back(s.scale);
        r.clips.push_back(s.clip);
    }
    const SliceLayout layout = SliceLayout::make(scheme, info.shape);
    std::vector<int32_t> codes(values.size());
    r.dequant.resize(values.size());
    quantizeSpan(params, layout, 0, values, codes, r.dequant);
    r.metrics = measureErrorValues(values, info.shape, params, 16).total;
    r.hasMetrics = true;
    r.schemeJson = schemeJson(scheme);
    return codes;
}

Outcome runCalibrated(const QuantizeOptions& o, const SelectedTensor& t) {
    const TensorInfo& info = t.info();
    Outcome r;
    r.mode = "calibrated";
    const QuantScheme scheme = makeScheme(o.scheme, info.shape);
    auto calibrator = makeCalibratorOrFail(o.calibrator);
    r.calibratorName = calibrator->name();
    r.calibratorArg = calibrator->arg();
    r.bits = scheme.bits;

    const bool schemeSigned = scheme.symmetry == Symmetry::Symmetric;
    r.type = o.given("--dtype") ? codeTypeFromName(o.dtype) : &defaultCodeType(scheme.bits, schemeSigned);
    if (scheme.bits > r.type->width)
        failUsage("--bits " + std::to_string(scheme.bits) + " does not fit --dtype " + r.type->name);
    // A scheme stored in a type of the other signedness is shifted by 2^(b−1), codes and zero point
    // alike, so q − z (and every dequantized value) is unchanged: asymmetric int8 (ONNX Runtime's
    // QInt8 activations) or symmetric uint8 with zero point 128.
    int64_t shift = 0;
    if (schemeSigned && !r.type->isSigned) shift = int64_t{1} << (scheme.bits - 1);
    if (!schemeSigned && r.type->isSigned) shift = -(int64_t{1} << (scheme.bits - 1));
    r.qmin = scheme.qmin() + shift;
    r.qmax = scheme.qmax() + shift;

    QuantParams params;
    const std::vector<int32_t> codes32 = calibrateAndQuantize(*calibrator, scheme, t, r, params);
    for (const auto& s : params.slices) r.zeros.push_back(s.zeroPoint + shift);
    r.codes.resize(codes32.size());
    for (size_t i = 0; i < codes32.size(); ++i) r.codes[i] = codes32[i] + shift;
    r.schemeJson["qmin"] = r.qmin;
    r.schemeJson["qmax"] = r.qmax;
    return r;
}

// ---- level formats ---------------------------------------------------------------------------

// FP8/FP4/NF4 and their MX/NVFP4 variants: one uint8 per element holding what a file stores for the
// level — the FP8 bit pattern, the FP6/FP4 pattern or NF4 code in the low bits (unpacked; ggml and
// bitsandbytes pack two per byte, in opposite nibble orders) — and float32 scales; no zero point.
Outcome runLevelFormat(const QuantizeOptions& o, const SelectedTensor& t) {
    const TensorInfo& info = t.info();
    Outcome r;
    r.mode = "calibrated";
    const QuantScheme scheme = makeScheme(o.scheme, info.shape);
    const LevelTable& table = *scheme.levelTable();
    if (o.given("--dtype") && o.dtype != "uint8")
        failUsage("--number-format " + o.scheme.format + " stores its codes as uint8 bit patterns (--dtype uint8)");
    r.type = codeTypeFromName("uint8");
    auto calibrator = makeCalibratorOrFail(o.calibrator);
    r.calibratorName = calibrator->name();
    r.calibratorArg = calibrator->arg();
    r.bits = table.bits;
    r.qmin = 0;
    r.qmax = (int64_t{1} << table.bits) - 1;
    r.levelFormat = true;

    QuantParams params;
    const std::vector<int32_t> index = calibrateAndQuantize(*calibrator, scheme, t, r, params);
    r.codes.resize(index.size());
    for (size_t i = 0; i < index.size(); ++i) r.codes[i] = table.patterns[static_cast<size_t>(index[i])];
    return r;
}

// ---- output ----------------------------------------------------------------------------------

template <class T>
Json scalarOrArray(const std::vector<T>& v, bool array) {
    if (!array) return Json(v.at(0));
    return Json(v);
}

Json metricsJson(const ErrorStats& m) {
    Json j;
    j["mse"] = m.mse;
    j["rmse"] = m.rmse;
    j["sqnr_db"] = jsonNumber(m.sqnrDb);
    j["max_abs_error"] = m.maxAbsError;
    j["mean_abs_error"] = m.meanAbsError;
    j["cosine"] = m.cosine;
    j["clipped_fraction"] = m.clippedFraction;
    j["codes_used"] = m.codesUsed;
    j["codes_available"] = m.codesAvailable;
    return j;
}

template <class T, class F>
std::string listText(const std::vector<T>& v, F&& fmt) {
    std::string s;
    const size_t shown = std::min<size_t>(v.size(), 8);
    for (size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + fmt(v[i]);
    if (v.size() > shown) s += ", … (" + std::to_string(v.size()) + " values)";
    return s;
}

void printOutcome(const QuantizeOptions& o, const SelectedTensor& t, const Outcome& r) {
    const bool array = r.scales.size() > 1 || o.scheme.granularity != "tensor";
    std::vector<double> clipLo, clipHi;
    for (const auto& c : r.clips) {
        clipLo.push_back(c.lo);
        clipHi.push_back(c.hi);
    }
    if (o.json) {
        Json j;
        j["file"] = t.model->path;
        j["tensor"] = t.info().name;
        j["input_dtype"] = std::string(dtypeName(t.info().dtype));
        j["shape"] = t.info().shape;
        j["mode"] = r.mode;
        if (!r.calibratorName.empty()) {
            j["calibrator"] = r.calibratorName;
            if (!r.calibratorArg.empty()) j["arg"] = r.calibratorArg;
            for (const auto& n : r.notes) j[n.key] = n.value;
        }
        j["scheme"] = r.schemeJson;
        j["dtype"] = r.type->name;
        j["clip_min"] = scalarOrArray(clipLo, array);
        j["clip_max"] = scalarOrArray(clipHi, array);
        std::vector<double> scales(r.scales.begin(), r.scales.end());  // float32 values, printed exactly
        j["scale"] = scalarOrArray(scales, array);
        if (r.levelFormat) j["zero_point"] = nullptr;
        else j["zero_point"] = scalarOrArray(r.zeros, array);
        if (r.hasMetrics) j["metrics"] = metricsJson(r.metrics);
        if (!o.codesOut.empty()) j["codes"] = o.codesOut;
        if (!o.dequantOut.empty()) j["dequant"] = o.dequantOut;
        std::cout << j.dump(2) << "\n";
        return;
    }
    auto num = [](double v) { return formatNumber(v, 9); };
    std::cout << "tensor      " << t.info().name << " (" << dtypeName(t.info().dtype) << " " << t.info().shapeString()
              << ", " << t.model->path << ")\n";
    std::cout << "mode        " << r.mode;
    if (!r.calibratorName.empty())
        std::cout << " with " << r.calibratorName << (r.calibratorArg.empty() ? "" : ":" + r.calibratorArg);
    for (const auto& n : r.notes) std::cout << " (" << n.detail << ")";
    std::cout << "\n";
    if (r.levelFormat)
        std::cout << "codes       " << r.type->name << ", the " << o.scheme.format << " bit pattern of each value ("
                  << r.bits << " bits" << (r.bits < 8 ? ", in the low bits" : "") << ")\n";
    else
        std::cout << "codes       " << r.type->name << ", " << r.bits << " bits, range [" << r.qmin << ", " << r.qmax << "]\n";
    std::cout << "scale       " << listText(r.scales, [&](float v) { return num(v); }) << "\n";
    if (!r.levelFormat)
        std::cout << "zero_point  " << listText(r.zeros, [](int64_t v) { return std::to_string(v); }) << "\n";
    std::cout << "clip        " << listText(r.clips, [&](const ClipRange& c) {
        return "[" + num(c.lo) + ", " + num(c.hi) + "]";
    }) << "\n";
    if (r.hasMetrics) {
        const ErrorStats& m = r.metrics;
        std::cout << "mse         " << num(m.mse) << "\n"
                  << "sqnr_db     " << formatNumber(m.sqnrDb, 6) << "\n"
                  << "max_abs_err " << num(m.maxAbsError) << "\n"
                  << "cosine      " << num(m.cosine) << "\n"
                  << "clipped     " << formatNumber(100.0 * m.clippedFraction, 4) << "%\n"
                  << "codes_used  " << m.codesUsed << " of " << m.codesAvailable << "\n";
    }
    if (!o.codesOut.empty()) std::cout << "wrote       " << o.codesOut << " (" << r.type->name << " codes)\n";
    if (!o.dequantOut.empty()) std::cout << "wrote       " << o.dequantOut << " (float32 dequantized)\n";
}

int runQuantize(const QuantizeOptions& o) {
    const bool explicitParams = o.given("--scale");
    if (o.given("--zero-point") && !explicitParams) failUsage("--zero-point needs --scale");
    if (explicitParams && o.given("--calibrator"))
        failUsage("give either --calibrator NAME or --scale S --zero-point Z, not both");
    if (!explicitParams && !o.given("--calibrator"))
        failUsage("give --calibrator NAME[:ARG] or --scale S [--zero-point Z]");
    if (o.given("--full-range") && explicitParams)
        failUsage("--full-range applies to calibrated symmetric schemes; explicit parameters always saturate "
                  "to the full range of --dtype");
    const bool levelFormat = o.scheme.format != "int";
    if (levelFormat && explicitParams)
        failUsage("--number-format " + o.scheme.format + " takes its scales from a calibrator (--calibrator NAME), "
                  "not --scale");
    const SelectedTensor t = selectTensor(o.file, o.tensor);
    Outcome r = levelFormat ? runLevelFormat(o, t) : explicitParams ? runExplicit(o, t) : runCalibrated(o, t);
    writeOutputs(o, t.info(), r);
    printOutcome(o, t, r);
    return kExitOk;
}

}  // namespace

Command addQuantizeCommand(CLI::App& root) {
    auto o = std::make_shared<QuantizeOptions>();
    CLI::App* sub = root.add_subcommand(
        "quantize",
        "Quantize one tensor with a calibrator or with explicit scale/zero point; write codes and/or dequantized "
        "values; print the parameters and the error. Explicit parameters reproduce ONNX QuantizeLinear/"
        "DequantizeLinear (PyTorch quantize_per_tensor/per_channel with --preset pytorch).");
    o->app = sub;
    sub->add_option("IN", o->file, "An .npy, or a model file with --tensor NAME")->required();
    sub->add_option("--tensor", o->tensor, "Tensor name inside IN (optional when IN holds one tensor)");
    addSchemeOptions(*sub, o->scheme, true);
    sub->add_option("--calibrator", o->calibrator,
                    "Choose the clip range with this calibrator: minmax, percentile[:P], mse, entropy, "
                    "cross-entropy, aciq[:laplace|gauss], omse, histogram (see `calibrate`)");
    sub->add_option("--scale", o->scale,
                    "Explicit float32 scale: q = clamp(round_half_even(fl32(x/s)) + z) as ONNX QuantizeLinear (x·fl32(1/s) "
                    "with --preset pytorch); an integer IN is taken as codes and dequantized, (q - z)·s. A comma list "
                    "gives one per channel/group (with --granularity)");
    sub->add_option("--zero-point", o->zeroPoint,
                    "Explicit zero point (default 0), or a comma list matching --scale; must lie in the code range");
    sub->add_option("--dtype", o->dtype,
                    "Storage type of the codes: int8, uint8, int16, uint16, int32. With --scale, values saturate to "
                    "its full range (or to the --bits range inside it). Default: int8/int16 for sym, uint8/uint16 "
                    "for asym; codes under 8 bits are stored one per element")
        ->check(CLI::IsMember({"int8", "uint8", "int16", "uint16", "int32"}));
    sub->add_option("--codes", o->codesOut, "Write the integer codes here (.npy of --dtype, the tensor's shape)");
    sub->add_option("--dequant", o->dequantOut, "Write the dequantized values here (float32 .npy, the tensor's shape)");
    sub->add_flag("--json", o->json,
                  "Print {file, tensor, mode, scheme, dtype, clip_min, clip_max, scale, zero_point, metrics} as JSON "
                  "(scale/zero point arrays per channel or group)");
    return {sub, [o] { return runQuantize(*o); }};
}

}  // namespace qv::cli
