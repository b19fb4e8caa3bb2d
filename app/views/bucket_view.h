// Bucket view-model: the quantization grid (levels and decision boundaries) inside the visible range.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/quant/quant_params.h"

namespace qv {

struct BucketLines {
    std::vector<double> levels;      // reconstruction values s·(q − z) inside [xLo, xHi]
    std::vector<double> boundaries;  // decision boundaries s·(q − z + ½) between adjacent codes
    std::vector<int32_t> levelCodes; // the code q of each level
    double lowest = 0, highest = 0;  // the grid's end levels s·(qmin − z), s·(qmax − z)
    bool dense = false;              // buckets narrower than the threshold: lines omitted, draw a band
    double pixelsPerBucket = 0;      // (level formats: the narrowest bucket drawn with lines)
    // Level formats (unequal buckets): the narrow buckets around 0 get no lines but this band.
    bool hasBand = false;
    double bandLo = 0, bandHi = 0;
};

// Only codes whose level or boundary falls inside the view are visited: O(visible buckets).
// Level formats (FP8, FP4, NF4): levelCodes are table indices; buckets narrower than minPixels are
// left out individually and covered by the band [bandLo, bandHi] instead.
// When a bucket is narrower than minPixels the individual lines are left out (dense = true).
BucketLines bucketLines(const QuantScheme& scheme, const SliceParams& params, double xLo, double xHi, int pixels,
                        double minPixels = 6.0);

// Values that land exactly on a decision boundary: x/s − z (as the quantizer computes it in float32)
// has fraction exactly ½, so round-half-to-even decides their code (issue 7 item 1). Counted on the
// values given (the summary's sample for a live view; all values when the sample is the whole tensor).
struct BoundaryHit {
    double boundary = 0;   // s·(q − z + ½)
    int32_t codeBelow = 0; // q: the tie rounds to q or q + 1, whichever is even
    uint64_t count = 0;
};
struct BoundaryHits {
    std::vector<BoundaryHit> hits;  // by boundary, increasing
    uint64_t total = 0;
    uint64_t examined = 0;
};
BoundaryHits boundaryHits(const QuantScheme& scheme, const SliceParams& params, std::span<const float> values);

// The values a per-tensor quantizer saturates beyond: its lowest and highest levels s·(qmin − z) and
// s·(qmax − z). This, not the calibrator's clip range, is what the histogram shades as clipped: an
// asymmetric range is widened to include 0 and a degenerate one (a constant or all-zero tensor) falls
// back to scale 1, so the calibrator's [lo, hi] can be far narrower than what is really clipped.
ClipRange saturationRange(const QuantScheme& scheme, const SliceParams& params);

}  // namespace qv
