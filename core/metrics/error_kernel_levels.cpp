// The exact error pass for level formats (FP8, FP4, NF4): one table lookup per element.
#include <cmath>

#include "core/metrics/error_kernel.h"
#include "core/quant/number_format.h"

namespace qv::detail {

// The arithmetic is Quantizer's for a level format: v = fl32(x / s), the level v rounds to, x̂ =
// fl32(s·level); sums in double as the integer kernels keep them. Four interleaved sets of sums (one
// per element mod 4) so that consecutive elements' additions do not wait on each other; they are
// combined in a fixed order, so a run's result does not depend on anything but its values.
void errorKernelLevels(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                       const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    constexpr int kLanes = 4;
    const LevelTable& t = *p.table;
    const float s = p.scale;
    const int32_t last = t.size() - 1;
    uint64_t count[kLanes] = {}, clipped[kLanes] = {};
    double sqErr[kLanes] = {}, absErr[kLanes] = {}, sqX[kLanes] = {}, sqXq[kLanes] = {}, xXq[kLanes] = {};
    double maxErr[kLanes] = {};
    // Levels seen, one byte each (≤ 256 levels): a plain store per element. Setting bits of
    // usage.bits directly would chain each element's read-modify-write on the previous one whenever
    // their codes share a word (most of the time), through store-to-load forwarding.
    uint8_t seen[256] = {};
    for (size_t k = 0; k < n; ++k) {
        const int lane = static_cast<int>(k % kLanes);
        const float xv = x[k];
        const bool finite = std::isfinite(xv);
        const float v = xv / s;
        const int32_t index = t.index(v);
        const float xq = s * t.levels[static_cast<size_t>(index)];
        if (outputs.codeIndex) {
            outputs.codeIndex[k] = index;
            outputs.err[k] = finite ? xq - xv : 0.0f;
            outputs.finite[k] = finite ? 1 : 0;
        }
        if (!finite) continue;
        // A tie: v exactly on a decision point (all of them lie inside the table's range).
        if (t.mayBeTie(v)) {
            const int32_t below = v < t.levels[static_cast<size_t>(index)] ? index - 1 : index;
            if (below >= 0 && below + 1 < t.size() && v == t.midpoints[static_cast<size_t>(below)]) recordTie(ties, below);
        }
        seen[static_cast<uint8_t>(index)] = 1;
        const double e = static_cast<double>(xq) - static_cast<double>(xv);
        const double ae = std::fabs(e);
        ++count[lane];
        if ((index == 0 || index == last) && t.clipped(v)) ++clipped[lane];  // only the end levels saturate
        sqErr[lane] += e * e;
        absErr[lane] += ae;
        sqX[lane] += static_cast<double>(xv) * xv;
        sqXq[lane] += static_cast<double>(xq) * xq;
        xXq[lane] += static_cast<double>(xv) * xq;
        maxErr[lane] = ae > maxErr[lane] ? ae : maxErr[lane];
    }
    if (usage.bits)
        for (int32_t i = 0; i <= last; ++i)
            if (seen[i]) usage.bits[static_cast<uint32_t>(i) >> 5] |= 1u << (static_cast<uint32_t>(i) & 31);
    ErrorRunSums sums;
    for (int l = 0; l < kLanes; ++l) {
        sums.count += count[l];
        sums.clipped += clipped[l];
        sums.sumSqErr += sqErr[l];
        sums.sumAbsErr += absErr[l];
        sums.sumSqX += sqX[l];
        sums.sumSqXq += sqXq[l];
        sums.sumXXq += xXq[l];
        sums.maxAbsErr = maxErr[l] > sums.maxAbsErr ? maxErr[l] : sums.maxAbsErr;
    }
    out = sums;
}

}  // namespace qv::detail
