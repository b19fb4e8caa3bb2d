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

// paramsFromRange applied to each slice's range (per-channel / per-group calibration), then
// applyTensorScale.
QuantParams paramsFromRanges(const QuantScheme& scheme, const std::vector<ClipRange>& ranges);

// Formats with a second, tensor-wide scale finish their slice scales once every slice's range is known
// (a no-op for every other scheme). NVFP4: tensor scale s_t = fl32(amax_t / (448·6)) with amax_t the
// largest |clip| over the slices; each slice's scale is s_t · E4M3(amax_b / (6·s_t)), its block scale
// rounded to FP8 E4M3 (nearest, ties to even, saturating at 448). paramsFromRange alone treats its one
// range as the whole tensor (then s = amax/6 up to that rounding). Code that fills QuantParams::slices
// one by one calls this after the last slice.
void applyTensorScale(QuantParams& params);

}  // namespace qv
