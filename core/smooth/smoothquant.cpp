// SmoothQuant's smoothing factors and their application to activations and weights (arXiv 2211.10438 §4).
#include "core/smooth/smoothquant.h"

#include <algorithm>
#include <cmath>

namespace qv {

std::vector<float> columnAbsMax(std::span<const float> m, int64_t rows, int64_t cols) {
    std::vector<float> out(cols > 0 ? static_cast<size_t>(cols) : 0, 0.0f);
    if (rows <= 0 || cols <= 0 || m.size() < static_cast<size_t>(rows) * static_cast<size_t>(cols)) return out;
    for (int64_t i = 0; i < rows; ++i) {
        const float* row = m.data() + static_cast<size_t>(i) * static_cast<size_t>(cols);
        for (int64_t j = 0; j < cols; ++j) {
            const float a = std::fabs(row[j]);
            if (std::isfinite(a) && a > out[static_cast<size_t>(j)]) out[static_cast<size_t>(j)] = a;
        }
    }
    return out;
}

std::vector<float> smoothingFactors(std::span<const float> actAbsMax, std::span<const float> weightAbsMax,
                                    double alpha) {
    const size_t n = std::min(actAbsMax.size(), weightAbsMax.size());
    std::vector<float> s(n, 1.0f);
    for (size_t j = 0; j < n; ++j) {
        const double a = actAbsMax[j], w = weightAbsMax[j];
        if (!(a > 0) || !(w > 0) || !std::isfinite(a) || !std::isfinite(w)) continue;  // the zero-channel rule
        const double v = std::pow(a, alpha) / std::pow(w, 1.0 - alpha);
        // a ≤ 2^128 and w ≥ 2^−149 (subnormal) bound v to [2^−149, 2^149], beyond float at both ends for
        // pathological inputs; keep s (and so X/s and W·s) inside the normal float range.
        s[j] = static_cast<float>(std::clamp(v, 0x1p-126, 0x1p126));
    }
    return s;
}

std::vector<float> smoothActivations(std::span<const float> x, int64_t rows, int64_t cols, std::span<const float> s) {
    std::vector<float> out(x.begin(), x.end());
    if (rows <= 0 || cols <= 0 || s.size() != static_cast<size_t>(cols) ||
        x.size() != static_cast<size_t>(rows) * static_cast<size_t>(cols))
        return out;
    const size_t c = static_cast<size_t>(cols);
    for (size_t row = 0; row < out.size(); row += c)
        for (size_t j = 0; j < c; ++j) out[row + j] /= s[j];
    return out;
}

std::vector<float> smoothAbsMax(std::span<const float> actAbsMax, std::span<const float> s) {
    std::vector<float> out(actAbsMax.begin(), actAbsMax.end());
    for (size_t j = 0; j < out.size() && j < s.size(); ++j) out[j] /= s[j];
    return out;
}

std::vector<float> smoothWeights(std::span<const float> w, int64_t cOut, int64_t cIn, std::span<const float> s) {
    std::vector<float> out(w.begin(), w.end());
    if (cOut <= 0 || cIn <= 0 || s.size() != static_cast<size_t>(cIn) ||
        w.size() != static_cast<size_t>(cOut) * static_cast<size_t>(cIn))
        return out;
    const size_t c = static_cast<size_t>(cIn);
    for (size_t row = 0; row < out.size(); row += c)
        for (size_t j = 0; j < c; ++j) out[row + j] *= s[j];
    return out;
}

}  // namespace qv
