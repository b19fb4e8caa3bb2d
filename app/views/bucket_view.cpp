// Bucket view-model: which levels and decision boundaries of the grid are visible.
#include "app/views/bucket_view.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/quant/quantizer.h"

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

BoundaryHits boundaryHits(const QuantScheme& scheme, const SliceParams& p, std::span<const float> values) {
    BoundaryHits out;
    out.examined = values.size();
    const float s = p.scale;
    if (!(s > 0) || !std::isfinite(s)) return out;
    // The same float32 expression as Quantizer::quantize (PyTorch convention: x · (1/s)).
    const bool reciprocal = scheme.convention == Convention::PyTorch;
    const float inv = 1.0f / s;
    const int64_t qmin = scheme.qmin(), qmax = scheme.qmax(), z = p.zeroPoint;
    std::map<int64_t, uint64_t> byCode;
    for (float x : values) {
        float v = reciprocal ? x * inv : x / s;
        if (!std::isfinite(v) || std::fabs(v) >= 8388608.0f) continue;  // ≥ 2^23: no fraction left
        float f = std::floor(v);
        if (v - f != 0.5f) continue;
        int64_t q = int64_t(f) + z;  // the boundary between q and q + 1
        if (q < qmin || q >= qmax) continue;  // beyond the grid the code saturates either way
        ++byCode[q];
    }
    for (auto [q, n] : byCode) {
        out.hits.push_back(BoundaryHit{double(s) * (double(q - z) + 0.5), int32_t(q), n});
        out.total += n;
    }
    return out;
}

ClipRange saturationRange(const QuantScheme& scheme, const SliceParams& params) {
    const Quantizer q(scheme, params);
    return {q.dequantize(q.qmin()), q.dequantize(q.qmax())};
}

}  // namespace qv
