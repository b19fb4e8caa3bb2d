// MinMaxCalibrator: the clip range is the finite data's exact range (never clips a value).
//
// Algorithm: asymmetric → [min, max] of the finite values; symmetric → ±max|x|. This is
// TensorRT's/pytorch-quantization's MaxCalibrator, ONNX Runtime's MinMax calibrator and
// PyTorch's MinMaxObserver / PerChannelMinMaxObserver (REFERENCE.md §2). The widening of an
// asymmetric range to include 0 is done by paramsFromRange, as all those tools do.
// Exact from the summary (min/max are exact there), so there is nothing to refine.
#include "core/calib/minmax_calibrator.h"

#include <algorithm>
#include <cmath>

#include "core/calib/calib_math.h"

namespace qv {

std::string MinMaxCalibrator::description() const {
    return "Min-max: the clip range is the data's range [min, max] (symmetric: ±max|x|). Nothing is "
           "clipped, so a single outlier stretches the grid for every other value. TensorRT "
           "MaxCalibrator, ONNX Runtime MinMax, PyTorch MinMaxObserver.";
}

ClipRange MinMaxCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (!summary.hasFinite()) return {0.0, 0.0};
    if (scheme.symmetric()) return symmetricRange(summary.absMax);
    return {summary.min, summary.max};
}

}  // namespace qv
