// Calibration of a whole tensor under a scheme: per tensor from the cached summary, or per slice.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/calib/calibrator.h"
#include "core/quant/quant_params.h"
#include "core/tensor/tensor_view.h"

namespace qv {

// The live path (microseconds for the histogram calibrators): per-tensor parameters from the
// cached summary, no pass over the data. The "≈" answer while a control is dragged.
QuantParams calibrateFromSummary(const Calibrator& calibrator, const TensorSummary& summary, const QuantScheme& scheme);

struct SliceCalibrationOptions {
    bool refine = true;   // run the calibrator's exact refinement when it has one
    int threads = 0;      // slices in parallel; 0: all hardware threads
};

// The exact path, off the UI thread. PerTensor: the estimate from `summary` (or from a summary
// of the values when null), refined on all the values. PerChannel / PerGroup: every slice's
// values are gathered (SliceLayout), summarized (summarizeValues) and calibrated, refined when
// the calibrator can. One SliceParams per slice. Cancellable; progress counts slices.
QuantParams calibrateValues(const Calibrator& calibrator, std::span<const float> values,
                            const std::vector<int64_t>& shape, const QuantScheme& scheme,
                            const TensorSummary* summary = nullptr, const SliceCalibrationOptions& options = {},
                            Progress* progress = nullptr);

// The same over a tensor view (converted to float once; f32 tensors are used in place).
Result<QuantParams> calibrateSlices(const Calibrator& calibrator, const TensorView& view, const QuantScheme& scheme,
                                    Progress* progress = nullptr, const TensorSummary* summary = nullptr,
                                    const SliceCalibrationOptions& options = {});

}  // namespace qv
