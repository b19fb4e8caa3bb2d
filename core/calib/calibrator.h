// Calibrator: chooses a clip range for a tensor (or one slice of it) under a QuantScheme.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/quant/quant_params.h"
#include "core/stats/tensor_summary.h"

namespace qv {

// Histogram-based calibrators work from the cached TensorSummary only, so moving a slider costs
// microseconds. A calibrator that can improve its answer on the data (MSE's exact refinement)
// overrides refine(); it runs in the exact pass, off the UI thread.
class Calibrator {
public:
    virtual ~Calibrator() = default;
    virtual std::string name() const = 0;          // base name, as in the CLI: "minmax", "percentile", …
    virtual std::string arg() const { return {}; } // e.g. "99.99" for percentile:99.99
    virtual std::string label() const;             // name[:arg] for display
    virtual std::string description() const = 0;   // one paragraph for the "(?)" tooltip: what and source

    virtual ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const = 0;
    virtual bool hasRefinement() const { return false; }
    virtual ClipRange refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const {
        (void)values; (void)scheme;
        return estimate;
    }
};

// Builds a calibrator from its CLI spelling "name[:arg]"; nullptr for an unknown name
// (`error` then says which names exist).
std::unique_ptr<Calibrator> makeCalibrator(const std::string& spec, std::string* error = nullptr);
// The names makeCalibrator accepts, in display order.
std::vector<std::string> calibratorNames();

}  // namespace qv
