// Bucket view-model: which levels and decision boundaries of the grid are visible.
#include "app/views/bucket_view.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/quant/quantizer.h"

namespace qv {

namespace {

// Level formats: buckets of unequal width (FP8's are 2^−9·s wide next to 0 and 32·s at ±448·s), so
// lines are drawn where the buckets are wide enough and the narrow middle becomes a band.
BucketLines levelBucketLines(const LevelTable& table, const SliceParams& p, double xLo, double xHi, int pixels,
                             double minPixels) {
    BucketLines b;
    const double s = double(p.scale > 0.0f && std::isfinite(p.scale) ? p.scale : 1.0f);
    b.lowest = s * double(table.levels.front());
    b.highest = s * double(table.levels.back());
    if (pixels <= 0 || !(xHi > xLo)) return b;
    const double pxPerUnit = pixels / (xHi - xLo);
    const auto n = static_cast<size_t>(table.size());
    // The width of the bucket around level i (between its decision points; end buckets: the gap
    // to their one neighbour).
    auto width = [&](size_t i) {
        const double lo = i > 0 ? double(table.midpoints[i - 1]) : double(table.levels[0]) - (double(table.midpoints[0]) - double(table.levels[0]));
        const double hi = i + 1 < n ? double(table.midpoints[i]) : double(table.levels[n - 1]) + (double(table.levels[n - 1]) - double(table.midpoints[n - 2]));
        return s * (hi - lo) * pxPerUnit;
    };
    const auto first = static_cast<size_t>(std::lower_bound(table.levels.begin(), table.levels.end(), float(xLo / s)) - table.levels.begin());
    b.pixelsPerBucket = 1e30;
    bool band = false;
    for (size_t i = first > 0 ? first - 1 : 0; i < n; ++i) {
        const double level = s * double(table.levels[i]);
        if (i > 0 && s * double(table.midpoints[i - 1]) > xHi) break;  // this bucket starts right of the view
        const double w = width(i);
        if (w < minPixels) {
            const double lo = i > 0 ? s * double(table.midpoints[i - 1]) : level;
            const double hi = i + 1 < n ? s * double(table.midpoints[i]) : level;
            if (!band) b.bandLo = lo;
            b.bandHi = hi;
            band = true;
            continue;
        }
        b.pixelsPerBucket = std::min(b.pixelsPerBucket, w);
        if (level >= xLo && level <= xHi) {
            b.levels.push_back(level);
            b.levelCodes.push_back(int32_t(i));
        }
        if (i + 1 < n && width(i + 1) >= minPixels) {
            const double boundary = s * double(table.midpoints[i]);
            if (boundary >= xLo && boundary <= xHi) b.boundaries.push_back(boundary);
        }
    }
    b.hasBand = band;
    if (b.levels.empty() && band) b.dense = true;
    if (b.pixelsPerBucket > 1e29) b.pixelsPerBucket = 0;
    return b;
}

}  // namespace

BucketLines bucketLines(const QuantScheme& scheme, const SliceParams& p, double xLo, double xHi, int pixels,
                        double minPixels) {
    if (const LevelTable* table = scheme.levelTable()) return levelBucketLines(*table, p, xLo, xHi, pixels, minPixels);
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
    if (const LevelTable* table = scheme.levelTable()) {
        // Level formats: x/s exactly on one of the table's decision points.
        // A midpoint v lies next to the level it rounds to (either side, by the tie rule).
        const auto mids = static_cast<int32_t>(table->midpoints.size());
        for (float x : values) {
            const float v = x / s;
            if (!std::isfinite(v)) continue;
            const int32_t i = table->index(v);
            if (i > 0 && table->midpoints[size_t(i - 1)] == v) ++byCode[i - 1];
            else if (i < mids && table->midpoints[size_t(i)] == v) ++byCode[i];
        }
        for (auto [q, n] : byCode) {
            out.hits.push_back(BoundaryHit{double(s) * double(table->midpoints[size_t(q)]), int32_t(q), n});
            out.total += n;
        }
        return out;
    }
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
