// Calibration as the CLI runs it: calibrator lists, presets, and the exact per-slice calibration.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/calib/calibrator.h"
#include "core/metrics/error_stats.h"
#include "core/quant/quant_params.h"
#include "core/stats/tensor_summary.h"

namespace qv::cli {

// makeCalibrator or a usage failure (exit 2) listing the known names.
std::unique_ptr<Calibrator> makeCalibratorOrFail(const std::string& spec);
// "all" → with a preset, the calibrators that tool has (its default arguments); without one,
// every registered calibrator except histogram (PyTorch HistogramObserver belongs to the pytorch
// preset). Otherwise the comma list as given.
std::vector<std::string> expandCalibratorList(const std::string& list, const std::string& preset);

// The exact calibration (core calibrateValues): per tensor from `summary`, refined on the values
// when the calibrator can; per channel / group every slice calibrated on its own values.
QuantParams calibrateParams(const Calibrator& calibrator, const QuantScheme& scheme, const std::vector<int64_t>& shape,
                            std::span<const float> values, const TensorSummary& summary);

// Extra facts a calibrator reports about its choice (plain aciq: which fit it used), or null.
struct CalibratorNote {
    std::string key;    // JSON key, e.g. "fit"
    std::string value;  // e.g. "laplace"
    std::string detail; // one line for humans
};
std::vector<CalibratorNote> calibratorNotes(const Calibrator& calibrator, const TensorSummary& summary,
                                            const QuantScheme& scheme);

// Options of the exact error pass when only the totals are printed: no code or error histograms
// (those cost a scatter per element, several times the metrics-only pass).
inline ErrorPassOptions metricsOnly() {
    ErrorPassOptions o;
    o.histograms = false;
    return o;
}

}  // namespace qv::cli
