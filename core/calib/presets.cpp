// The tool presets (facts: REFERENCE.md §1–2 and each tool's calibration code; see docs/presets.md).
#include "core/calib/presets.h"

namespace qv {

QuantScheme Preset::apply(QuantScheme scheme) const {
    // Every preset is a tool's integer quantization: a level format (FP8, FP4, NF4) gives way to it.
    scheme.format = NumberFormat::Int;
    scheme.convention = convention;
    switch (convention) {
        case Convention::TensorRT:
            // pytorch-quantization TensorQuantizer: amax only (symmetric), scale = amax/(2^(b−1)−1).
            scheme.symmetry = Symmetry::Symmetric;
            scheme.fullRange = false;
            break;
        case Convention::OnnxRuntime:
            // ORT QuantizeLinear: int8 symmetric uses −127..127 (restricted), asymmetric uint8 0..255.
            scheme.fullRange = false;
            break;
        case Convention::PyTorch:
            // MinMaxObserver / HistogramObserver: quant_min..quant_max = −128..127 (qint8) —
            // symmetric scale = amax/((qmax − qmin)/2) = amax/127.5 at 8 bits.
            scheme.fullRange = true;
            break;
        case Convention::Seeds:
            break;
    }
    return scheme;
}

const std::vector<Preset>& presets() {
    static const std::vector<Preset> all = {
        {"quantviz", "quantviz (course conventions)",
         "The course's conventions: restricted symmetric range +-(2^(b-1)-1), x/s in float32; every "
         "calibrator quantviz has.",
         Convention::Seeds,
         {"minmax", "percentile", "mse", "entropy", "cross-entropy", "aciq", "omse", "histogram"}},
        {"tensorrt", "TensorRT / pytorch-quantization",
         "NVIDIA pytorch-quantization (TensorRT's calibration): symmetric only, scale = amax/127, "
         "amax <= 2^-24 quantizes to 0; calibrators max, percentile 99.99, mse and entropy on a "
         "2048-bin |x| histogram.",
         Convention::TensorRT,
         {"minmax", "percentile:99.99", "mse", "entropy"}},
        {"onnxruntime", "ONNX Runtime",
         "ONNX Runtime quantization tool: MinMax, Percentile (99.999, 2048 bins) and Entropy (128-bin "
         "histogram of x, windows around the zero bin, eps smoothing); int8 symmetric -127..127, a "
         "too-small scale becomes s = 1, z = 0.",
         Convention::OnnxRuntime,
         {"minmax", "percentile:99.999", "entropy:onnxruntime"}},
        {"pytorch", "PyTorch observers",
         "torch.ao.quantization observers: MinMaxObserver / PerChannelMinMaxObserver and "
         "HistogramObserver (greedy L2 search); symmetric int8 uses -128..127 with scale = amax/127.5, "
         "scale = max(scale, float eps), x multiplied by the float32 reciprocal.",
         Convention::PyTorch,
         {"minmax", "histogram"}},
    };
    return all;
}

const Preset* findPreset(const std::string& name, std::string* error) {
    for (const auto& p : presets())
        if (p.name == name) return &p;
    if (error) {
        std::string list;
        for (const auto& n : presetNames()) list += (list.empty() ? "" : ", ") + n;
        *error = "unknown preset '" + name + "' (known: " + list + ")";
    }
    return nullptr;
}

std::vector<std::string> presetNames() {
    std::vector<std::string> names;
    for (const auto& p : presets()) names.push_back(p.name);
    return names;
}

}  // namespace qv
