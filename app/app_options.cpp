// Parsing of the quantviz command line: `quantviz [FILE] [--tensor NAME] [--screenshot PNG] …`.
#include "app/app_options.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "app/export/view_capture.h"
#include "core/metrics/ggml_quant_mix.h"
#include "core/metrics/ggml_requant.h"
#include "core/tensor/dtype.h"

namespace qv {

namespace {

bool parseInt(const std::string& s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

const char* appUsage() {
    return "usage: quantviz [FILE] [--tensor NAME] [--screenshot OUT.png] [--frames N] [--size WxH]\n"
           "                [--bits B] [--scheme sym|asym] [--granularity tensor|channel[:AXIS]|group:SIZE]\n"
           "                [--number-format int|fp8-e4m3|fp8-e5m2|fp6-e2m3|fp6-e3m2|fp4-e2m1|nf4|\n"
           "                 mxfp8-e4m3|mxfp8-e5m2|mxfp6-e2m3|mxfp6-e3m2|mxfp4|nvfp4]\n"
           "                [--preset tensorrt|onnxruntime|pytorch] [--calibrator NAME[:ARG]] [--tab calibrators|codes|errorplot|channels|compare|overview|heatmap|gemm|smoothquant] [--log-y]\n"
           "                [--reference FILE] [--compare-scheme BITS|FORMAT[:sym|sym-full|asym][:CALIBRATOR]]\n"
           "                [--compare-mode schemes|files|llamacpp] [--llamacpp-type TYPE] [--llamacpp-model]\n"
           "                [--llamacpp-preset Q4_K_M|Q3_K_M|...] [--imatrix FILE]\n"
           "                [--screenshot-view window|histogram|tab|browser|controls]\n"
           "                [--export-dir DIR] [--export-tables] [--number-explorer VALUE]\n"
           "                [--learn glossary|quantize|mac|gguf|qat]...\n"
           "                [--script drag-controls [--script-seconds S] --frame-times OUT.json]\n"
           "  FILE          .safetensors (or sharded .index.json), .npy, and the formats the core reads;\n"
           "                without FILE the bundled assets/sample.safetensors opens.\n"
           "  --number-format  the codes' number format: int (uniform grid of --bits, the default),\n"
           "                fp8-e4m3, fp8-e5m2, fp6-e2m3, fp6-e3m2, fp4-e2m1 or nf4 (one scale per slice maps amax onto the\n"
           "                format's largest value; buckets become the format's non-uniform levels), or\n"
           "                mxfp8-e4m3, mxfp8-e5m2, mxfp6-e2m3, mxfp6-e3m2, mxfp4 (OCP MX: power-of-two scales; with\n"
           "                --granularity group:32 the spec's blocks), nvfp4 (E2M1 with an E4M3 scale per\n"
           "                slice and a tensor scale; --granularity group:16 for its blocks).\n"
           "  --reference   a second file to compare with FILE, tensor by tensor (matched by name): two\n"
           "                float files show both histograms and x_B − x_A; when one side is stored\n"
           "                quantized (GGUF Q4_K, …) the Compare tab shows the error that quantization\n"
           "                made beside quantviz's schemes.\n"
           "  --compare-scheme BITS|FORMAT[:sym|sym-full|asym][:CALIBRATOR]  turn on scheme B of the Compare tab\n"
           "                (per tensor; calibrator default mse), e.g. --compare-scheme 8:sym:minmax or\n"
           "                --compare-scheme fp8-e4m3:minmax (a --number-format name instead of the bit width).\n"
           "  --compare-mode schemes|files|llamacpp  the Compare tab's view: two schemes, two files, or the tensor\n"
           "                as llama.cpp's Q8_0 ... Q4_0 would store it (default: files when --reference is given).\n"
           "  --llamacpp-type TYPE  Compare > llama.cpp types with the detail of TYPE open (q8_0 ... q2_K, iq4_nl,\n"
           "                iq4_xs): where that type hurts the tensor - per-row SQNR, errors, the worst blocks.\n"
           "  --llamacpp-model  Compare > llama.cpp types: measure the whole model under every type at start\n"
           "                (totals and the per-tensor table; a screenshot waits for it).\n"
           "  --llamacpp-preset NAME  also plan and measure llama-quantize's preset NAME (Q4_K_M, Q3_K_S, ...; Q4_K\n"
           "                means Q4_K_M): which type each tensor gets and the mix's totals (implies --llamacpp-model).\n"
           "  --imatrix FILE  load a llama.cpp importance matrix (llama-imatrix output, .gguf or legacy .dat): Compare >\n"
           "                llama.cpp types encodes the tensors it covers as llama-quantize --imatrix does.\n"
           "  --screenshot  render until background work has settled, write the window as PNG, exit 0\n"
           "                (exit 1, with the message on stderr, when FILE cannot be opened — the PNG then\n"
           "                shows the error dialog).\n"
           "  --screenshot-view  crop the screenshot to one region: the histogram plot, the bottom tab\n"
           "                (with its tab bar), the tensor browser or the controls (default: the window).\n"
           "  --export-dir  where PNG, CSV and JSON exports go (File > Save ... as PNG, the CSV/JSON\n"
           "                buttons beside every table, File > Export all tables); default: the current directory.\n"
           "  --export-tables  with --screenshot: also write every table of the selected tensor and the\n"
           "                model (CSV and JSON) into the export directory before exiting.\n"
           "  Export formats: CSV per RFC 4180 (quoted when a field holds a comma, quote or line break);\n"
           "                JSON with numbers as numbers. NaN is an empty field / null, infinity \"inf\".\n"
           "  --number-explorer VALUE  open the Number explorer (View menu) showing VALUE's bits in fp32,\n"
           "                fp16, bf16, FP8, FP4, intN and fixed point (e.g. 25.125, 1e-7, inf, nan).\n"
           "  --learn ID    open a window of the Learn menu (repeatable): glossary, quantize (walkthrough:\n"
           "                quantize a vector), mac (walkthrough: one int8 MAC), gguf (walkthrough: one llama.cpp\n"
           "                Q4_0 block and Q4_K super-block), qat (QAT demo).\n"
           "  --script drag-controls  move the bit-width and percentile controls every frame through the\n"
           "                same state setters the widgets use, and record frame times (benchmark).\n";
}

bool parseGranularity(const std::string& spec, QuantScheme& s) {
    if (spec == "tensor") {
        s.granularity = Granularity::PerTensor;
        return true;
    }
    if (spec == "channel") {
        s.granularity = Granularity::PerChannel;
        s.axis = 0;
        return true;
    }
    int v = 0;
    if (spec.rfind("channel:", 0) == 0 && parseInt(spec.substr(8), v) && v >= 0) {
        s.granularity = Granularity::PerChannel;
        s.axis = v;
        return true;
    }
    if (spec.rfind("group:", 0) == 0 && parseInt(spec.substr(6), v) && v >= 1) {
        s.granularity = Granularity::PerGroup;
        s.groupSize = v;
        return true;
    }
    return false;
}

std::optional<AppOptions> parseAppOptions(const std::vector<std::string>& args, std::string* error) {
    AppOptions o;
    auto fail = [&](const std::string& msg) -> std::optional<AppOptions> {
        if (error) *error = msg;
        return std::nullopt;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto next = [&](std::string& out) -> bool {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        std::string v;
        if (a == "-h" || a == "--help") {
            o.help = true;
        } else if (a == "--reference") {
            if (!next(o.reference)) return fail("--reference needs a model file");
        } else if (a == "--tensor") {
            if (!next(o.tensor)) return fail("--tensor needs a tensor name");
        } else if (a == "--screenshot") {
            if (!next(o.screenshot)) return fail("--screenshot needs an output path");
        } else if (a == "--screenshot-view") {
            if (!next(o.screenshotView) || !parseCaptureView(o.screenshotView))
                return fail("--screenshot-view needs window|histogram|tab|browser|controls");
        } else if (a == "--export-dir") {
            if (!next(o.exportDir) || o.exportDir.empty()) return fail("--export-dir needs a directory");
        } else if (a == "--export-tables") {
            o.exportTables = true;
        } else if (a == "--frames") {
            if (!next(v) || !parseInt(v, o.frames) || o.frames < 1) return fail("--frames needs a positive integer");
        } else if (a == "--size") {
            if (!next(v)) return fail("--size needs WxH");
            auto x = v.find('x');
            if (x == std::string::npos || !parseInt(v.substr(0, x), o.width) || !parseInt(v.substr(x + 1), o.height) ||
                o.width < 200 || o.height < 150 || o.width > 8192 || o.height > 8192)
                return fail("--size needs WxH between 200x150 and 8192x8192, got '" + v + "'");
        } else if (a == "--bits") {
            if (!next(v) || !parseInt(v, o.bits) || o.bits < 2 || o.bits > 16) return fail("--bits needs 2..16");
        } else if (a == "--scheme") {
            if (!next(o.scheme) || (o.scheme != "sym" && o.scheme != "asym")) return fail("--scheme needs sym or asym");
        } else if (a == "--number-format") {
            NumberFormat f;
            if (!next(o.format) || !parseNumberFormat(o.format, f)) {
                std::string why = "--number-format needs ";
                why += numberFormatChoices();
                return fail(why);
            }
        } else if (a == "--granularity") {
            QuantScheme probe;
            if (!next(o.granularity) || !parseGranularity(o.granularity, probe))
                return fail("--granularity needs tensor|channel[:AXIS]|group:SIZE");
        } else if (a == "--preset") {
            if (!next(o.preset)) return fail("--preset needs a name");
        } else if (a == "--calibrator") {
            if (!next(o.calibrator)) return fail("--calibrator needs a name");
        } else if (a == "--compare-scheme") {
            QuantScheme probe;
            std::string cal;
            if (!next(o.compareScheme) || !parseCompareScheme(o.compareScheme, QuantScheme{}, probe, cal))
                return fail("--compare-scheme needs BITS[:sym|sym-full|asym][:CALIBRATOR], e.g. 8:sym:mse");
        } else if (a == "--llamacpp-model") {
            o.llamacppModel = true;
        } else if (a == "--llamacpp-preset") {
            if (!next(o.llamacppPreset)) return fail("--llamacpp-preset needs a preset name, e.g. Q4_K_M");
            if (auto p = ggmlPresetFromName(o.llamacppPreset); !p) return fail("--llamacpp-preset: " + p.message());
            o.llamacppModel = true;  // the mix stands beside the pure types' totals
        } else if (a == "--imatrix") {
            if (!next(o.imatrix)) return fail("--imatrix needs a file (llama-imatrix output)");
        } else if (a == "--llamacpp-type") {
            // DType::Count: no type (not a name, or no value), never in the list.
            const DType t = next(o.llamacppType) ? dtypeFromName(o.llamacppType).value_or(DType::Count) : DType::Count;
            const auto& types = ggmlRequantTypes();
            if (std::find(types.begin(), types.end(), t) == types.end()) {
                std::string names;
                for (DType d : types) {
                    if (!names.empty()) names += ", ";
                    names += dtypeName(d);
                }
                return fail("--llamacpp-type needs one of " + names);
            }
        } else if (a == "--compare-mode") {
            if (!next(o.compareMode) || (o.compareMode != "schemes" && o.compareMode != "files" && o.compareMode != "llamacpp"))
                return fail("--compare-mode needs schemes|files|llamacpp");
        } else if (a == "--tab") {
            if (!next(o.tab)) return fail("--tab needs a name");
        } else if (a == "--log-y") {
            o.logY = true;
        } else if (a == "--number-explorer") {
            // The whole argument must be a number: 25.125, 1e-7, -0, inf, nan.
            char* end = nullptr;
            if (!next(v) || v.empty()) return fail("--number-explorer needs a value, e.g. 25.125");
            o.numberExplorerValue = std::strtod(v.c_str(), &end);
            if (end != v.c_str() + v.size()) return fail("--number-explorer needs a number, got '" + v + "'");
            o.numberExplorer = true;
        } else if (a == "--learn") {
            // The ids of the Learn menu's windows (app/panels/learn_windows.cpp).
            if (!next(v) || (v != "glossary" && v != "quantize" && v != "mac" && v != "gguf" && v != "qat"))
                return fail("--learn needs glossary|quantize|mac|gguf|qat");
            o.learn.push_back(v);
        } else if (a == "--script") {
            if (!next(o.script) || o.script != "drag-controls") return fail("--script supports: drag-controls");
        } else if (a == "--script-seconds") {
            int s = 0;
            if (!next(v) || !parseInt(v, s) || s < 1) return fail("--script-seconds needs a positive integer");
            o.scriptSeconds = s;
        } else if (a == "--frame-times") {
            if (!next(o.frameTimes)) return fail("--frame-times needs an output path");
        } else if (!a.empty() && a[0] == '-') {
            return fail("unknown option '" + a + "'");
        } else if (o.file.empty()) {
            o.file = a;
        } else {
            return fail("more than one FILE given ('" + o.file + "', '" + a + "')");
        }
    }
    if ((!o.screenshotView.empty() || o.exportTables) && o.screenshot.empty())
        return fail(std::string(o.exportTables ? "--export-tables" : "--screenshot-view") + " needs --screenshot OUT.png");
    return o;
}

bool parseCompareScheme(const std::string& spec, const QuantScheme& base, QuantScheme& scheme,
                        std::string& calibrator) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t colon = spec.find(':', start);
        parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    int bits = 0;
    NumberFormat format = NumberFormat::Int;
    // The first part is the bit width of an integer scheme, or a level format's name ("fp8-e4m3").
    if (parts.empty()) return false;
    if (!parseInt(parts[0], bits)) {
        if (!parseNumberFormat(parts[0], format) || format == NumberFormat::Int) return false;
        bits = base.bits;
    } else if (bits < 2 || bits > 16) {
        return false;
    }
    scheme = base;
    scheme.granularity = Granularity::PerTensor;
    scheme.bits = bits;
    scheme.format = format;
    calibrator = "mse";
    size_t i = 1;
    if (i < parts.size() && (parts[i] == "sym" || parts[i] == "sym-full" || parts[i] == "asym")) {
        scheme.symmetry = parts[i] == "asym" ? Symmetry::Asymmetric : Symmetry::Symmetric;
        scheme.fullRange = parts[i] == "sym-full";
        ++i;
    }
    if (i < parts.size()) {
        // The calibrator is the rest ("percentile:99.9" keeps its own colon).
        std::string rest = parts[i];
        for (size_t j = i + 1; j < parts.size(); ++j) {
            rest += ':';
            rest += parts[j];
        }
        if (rest.empty()) return false;
        calibrator = rest;
    }
    return true;
}

}  // namespace qv
