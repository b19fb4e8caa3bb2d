// Calibration as the CLI runs it: thin layer over core/calib (registry, presets, slice calibration).
#include "app/cli/cli_calibration.h"

#include "app/cli/cli_support.h"
#include "core/calib/aciq_calibrator.h"
#include "core/calib/presets.h"
#include "core/calib/slice_calibration.h"

namespace qv::cli {

std::unique_ptr<Calibrator> makeCalibratorOrFail(const std::string& spec) {
    std::string error;
    auto c = makeCalibrator(spec, &error);
    if (!c) failUsage("calibrator '" + spec + "': " + error);
    return c;
}

std::vector<std::string> expandCalibratorList(const std::string& list, const std::string& preset) {
    if (list == "all") {
        if (!preset.empty()) {
            std::string error;
            const Preset* p = findPreset(preset, &error);
            if (!p) failUsage("--preset: " + error);
            return p->calibrators;
        }
        std::vector<std::string> names;
        for (const auto& n : calibratorNames())
            if (n != "histogram") names.push_back(n);
        return names;
    }
    auto names = splitList(list);
    if (names.empty()) failUsage("--calibrators: empty list (use all or a,b,c)");
    return names;
}

QuantParams calibrateParams(const Calibrator& calibrator, const QuantScheme& scheme, const std::vector<int64_t>& shape,
                            std::span<const float> values, const TensorSummary& summary) {
    return calibrateValues(calibrator, values, shape, scheme,
                           scheme.granularity == Granularity::PerTensor ? &summary : nullptr);
}

std::vector<CalibratorNote> calibratorNotes(const Calibrator& calibrator, const TensorSummary& summary,
                                            const QuantScheme& scheme) {
    std::vector<CalibratorNote> notes;
    if (const auto* aciq = dynamic_cast<const AciqCalibrator*>(&calibrator)) {
        const auto fit = aciq->fitChoice(summary, scheme);
        notes.push_back({"fit", fit == AciqCalibrator::Fit::Gauss ? "gauss" : "laplace", aciq->detail(summary, scheme)});
    }
    return notes;
}

}  // namespace qv::cli
