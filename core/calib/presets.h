// Tool presets: reproduce TensorRT / ONNX Runtime / PyTorch calibration conventions end to end.
#pragma once

#include <string>
#include <vector>

#include "core/quant/quant_scheme.h"

namespace qv {

// A preset fixes what the tool fixes — the arithmetic convention (scale divisor, degenerate
// ranges, zero points), the range shape — and offers the calibrators the tool has, with the
// tool's default arguments. docs/presets.md explains where they differ and why.
struct Preset {
    std::string name;         // CLI spelling: "tensorrt", "onnxruntime", "pytorch", "quantviz"
    std::string title;        // "TensorRT / pytorch-quantization"
    std::string description;  // one paragraph for the tooltip
    Convention convention = Convention::Seeds;
    std::vector<std::string> calibrators;  // makeCalibrator specs, e.g. "percentile:99.99"

    // The scheme as the tool would run it: the user's bits, granularity and axis are kept;
    // convention and range shape follow the tool (TensorRT: symmetric only, ±127 at int8;
    // PyTorch: full range −128..127 when symmetric, amax/127.5).
    QuantScheme apply(QuantScheme scheme) const;
};

// All presets in display order; "quantviz" (the seeds' conventions, every calibrator) first.
const std::vector<Preset>& presets();
// nullptr for an unknown name (`error` then lists the names).
const Preset* findPreset(const std::string& name, std::string* error = nullptr);
std::vector<std::string> presetNames();

}  // namespace qv
