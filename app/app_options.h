// AppOptions: the quantviz command line (file to open, screenshot mode, scripted runs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/quant/quant_scheme.h"

namespace qv {

struct AppOptions {
    std::string file;            // model to open ("" → the bundled sample when it exists)
    std::string tensor;          // tensor to select after opening
    std::string reference;       // the same model in higher precision (stored-quantization error)
    std::string screenshot;      // write a PNG after background work settles, then exit
    std::string screenshotView;  // crop the screenshot to "histogram" | "tab" | "browser" | "controls" ("" / "window": all)
    std::string exportDir;       // where File ▸ Save … as PNG and the CSV/JSON exports write ("" → ".")
    bool exportTables = false;   // screenshot mode: also write every table (CSV + JSON) into exportDir
    int frames = 3;              // frames rendered after settling before the screenshot
    int width = 1600, height = 1000;
    int bits = 0;                // 0: keep the default scheme
    std::string scheme;          // "sym" | "asym" ("" keeps the default)
    std::string format;          // number format: "int" | "fp8-e4m3" | "fp8-e5m2" | "fp4-e2m1" | "nf4" ("" → int)
    std::string granularity;     // "tensor" | "channel[:AXIS]" | "group:SIZE"
    std::string preset;          // "tensorrt" | "onnxruntime" | "pytorch" | "quantviz"
    std::string calibrator;      // active calibrator spec ("" keeps the default)
    // Scheme B of the Compare tab: "BITS[:sym|sym-full|asym][:CALIBRATOR]" ("" leaves B off).
    std::string compareScheme;
    std::string compareMode;     // Compare tab view: "schemes" | "files" | "llamacpp" ("": chosen by what is open)
    // Compare ▸ llama.cpp types: the type whose detail (per row, errors, worst blocks) is open ("q4_K", …);
    // implies --compare-mode llamacpp and, without --tab, the Compare tab.
    std::string llamacppType;
    bool llamacppModel = false;  // --llamacpp-model: start Compare ▸ llama.cpp types ▸ whole model (and show it)
    // --llamacpp-preset: the llama-quantize preset ("Q4_K_M", …) the whole-model section plans (implies llamacppModel).
    std::string llamacppPreset;
    std::string imatrix;  // --imatrix: an importance matrix for Compare ▸ llama.cpp types (AppState::loadImatrix)
    std::string tab;             // bottom tab to show: "error", "calibrators", "codes", "errorplot", "channels"
    bool logY = false;
    bool numberExplorer = false;       // open the Number explorer window …
    double numberExplorerValue = 0;    // … showing this value (--number-explorer VALUE)
    std::vector<std::string> learn;    // Learn windows to open (--learn ID, repeatable)
    std::string script;          // scripted interaction: "drag-controls"
    double scriptSeconds = 4.0;
    std::string frameTimes;      // JSON output of the scripted run's frame times
    bool help = false;
};

// Parses argv; on bad usage returns nullopt and fills `error`.
std::optional<AppOptions> parseAppOptions(const std::vector<std::string>& args, std::string* error);
const char* appUsage();
// "tensor" | "channel[:AXIS]" | "group:SIZE" into the scheme; false on a malformed spec.
bool parseGranularity(const std::string& spec, QuantScheme& scheme);
// "BITS[:sym|sym-full|asym][:CALIBRATOR]" into scheme B (per tensor, starting from `base`) and its
// calibrator (default "mse"); false on a malformed spec.
bool parseCompareScheme(const std::string& spec, const QuantScheme& base, QuantScheme& scheme,
                        std::string& calibrator);

}  // namespace qv
