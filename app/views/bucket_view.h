// Bucket view-model: the quantization grid (levels and decision boundaries) inside the visible range.
#pragma once

#include <cstdint>
#include <vector>

#include "core/quant/quant_params.h"

namespace qv {

struct BucketLines {
    std::vector<double> levels;      // reconstruction values s·(q − z) inside [xLo, xHi]
    std::vector<double> boundaries;  // decision boundaries s·(q − z + ½) between adjacent codes
    std::vector<int32_t> levelCodes; // the code q of each level
    double lowest = 0, highest = 0;  // the grid's end levels s·(qmin − z), s·(qmax − z)
    bool dense = false;              // buckets narrower than the threshold: lines omitted, draw a band
    double pixelsPerBucket = 0;
};

// Only codes whose level or boundary falls inside the view are visited: O(visible buckets).
// When a bucket is narrower than minPixels the individual lines are left out (dense = true).
BucketLines bucketLines(const QuantScheme& scheme, const SliceParams& params, double xLo, double xHi, int pixels,
                        double minPixels = 6.0);

}  // namespace qv
