// The exact error pass for level formats (FP8, FP4, NF4): one table search per element.
#include <cmath>

#include "core/metrics/error_kernel.h"
#include "core/quant/number_format.h"

namespace qv::detail {

// The arithmetic is Quantizer's for a level format: v = fl32(x / s), the level v rounds to, x̂ =
// fl32(s·level); sums in double as the integer kernels keep them.
void errorKernelLevels(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                       const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    const LevelTable& t = *p.table;
    const float s = p.scale;
    ErrorRunSums sums;
    for (size_t k = 0; k < n; ++k) {
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
        const int32_t below = v < t.levels[static_cast<size_t>(index)] ? index - 1 : index;
        if (below >= 0 && below + 1 < t.size() && v == t.midpoints[static_cast<size_t>(below)]) recordTie(ties, below);
        if (usage.bits) usage.bits[static_cast<uint32_t>(index) >> 5] |= 1u << (static_cast<uint32_t>(index) & 31);
        const double e = static_cast<double>(xq) - static_cast<double>(xv);
        const double ae = std::fabs(e);
        ++sums.count;
        if (t.clipped(v)) ++sums.clipped;
        sums.sumSqErr += e * e;
        sums.sumAbsErr += ae;
        sums.sumSqX += static_cast<double>(xv) * xv;
        sums.sumSqXq += static_cast<double>(xq) * xq;
        sums.sumXXq += static_cast<double>(xv) * xq;
        if (ae > sums.maxAbsErr) sums.maxAbsErr = ae;
    }
    out = sums;
}

}  // namespace qv::detail
