// Bucket view-model: which levels and decision boundaries of the grid are visible.
#include "app/views/bucket_view.h"

#include <algorithm>
#include <cmath>

namespace qv {

BucketLines bucketLines(const QuantScheme& scheme, const SliceParams& p, double xLo, double xHi, int pixels,
                        double minPixels) {
    BucketLines b;
    const double s = double(p.scale);
    const int64_t qmin = scheme.qmin(), qmax = scheme.qmax(), z = p.zeroPoint;
    b.lowest = s * double(qmin - z);
    b.highest = s * double(qmax - z);
    if (!(s > 0) || pixels <= 0 || !(xHi > xLo)) return b;
    b.pixelsPerBucket = s / (xHi - xLo) * pixels;
    if (b.pixelsPerBucket < minPixels) {
        b.dense = true;
        return b;
    }
    // Codes whose level lies in the view: xLo ≤ s(q − z) ≤ xHi.
    int64_t qLo = std::max<int64_t>(qmin, int64_t(std::ceil(xLo / s)) + z - 1);
    int64_t qHi = std::min<int64_t>(qmax, int64_t(std::floor(xHi / s)) + z + 1);
    for (int64_t q = qLo; q <= qHi; ++q) {
        double level = s * double(q - z);
        if (level >= xLo && level <= xHi) {
            b.levels.push_back(level);
            b.levelCodes.push_back(int32_t(q));
        }
        if (q < qmax) {
            double boundary = s * (double(q - z) + 0.5);
            if (boundary >= xLo && boundary <= xHi) b.boundaries.push_back(boundary);
        }
    }
    return b;
}

}  // namespace qv
