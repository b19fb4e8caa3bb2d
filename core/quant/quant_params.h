// QuantParams: scale and zero point per slice, and how they follow from a clip range (REFERENCE.md §1).
#pragma once

#include <cstdint>
#include <vector>

#include "core/quant/quant_scheme.h"

namespace qv {

// A clip range [lo, hi] chosen by a calibrator (or by the user dragging it on the plot).
struct ClipRange {
    double lo = 0;
    double hi = 0;
    bool operator==(const ClipRange&) const = default;
};

struct SliceParams {
    float scale = 1.0f;      // float32, as every framework stores it
    int32_t zeroPoint = 0;
    ClipRange clip;          // the range the parameters were made from
};

// Scale and zero point for one slice. Asymmetric: the range is widened to include 0, then
// s = (hi − lo)/(qmax − qmin), z = clamp(qmin − round_half_even(lo/s)). Symmetric: amax = max(|lo|,|hi|),
// s = amax/qmax (restricted) or amax/((qmax−qmin)/2) (full range / PyTorch), z = 0.
// Degenerate ranges (lo = hi, amax = 0, non-finite) follow the scheme's convention and never
// divide by zero.
SliceParams paramsFromRange(const QuantScheme& scheme, ClipRange range);

struct QuantParams {
    QuantScheme scheme;
    std::vector<SliceParams> slices;  // one per slice of the tensor's SliceLayout
};

// paramsFromRange applied to each slice's range (per-channel / per-group calibration).
QuantParams paramsFromRanges(const QuantScheme& scheme, const std::vector<ClipRange>& ranges);

}  // namespace qv
