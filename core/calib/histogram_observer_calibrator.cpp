// HistogramObserverCalibrator: PyTorch HistogramObserver's greedy L2 narrowing (see header).
#include "core/calib/histogram_observer_calibrator.h"

#include <algorithm>
#include <cmath>

#include "core/calib/calib_math.h"

namespace qv {

std::string HistogramObserverCalibrator::description() const {
    return "Histogram (PyTorch HistogramObserver): narrows [min, max] from whichever tail sheds more "
           "bins per 1e-5 quantile step while the L2 error of quantizing the histogram (uniform "
           "density within each bin) keeps falling; stops at the first increase.";
}

namespace {

// density · ∫_{a}^{b} x² dx, the error of mapping a uniform stretch [a, b] (relative to its
// destination level) to that level (PyTorch `_get_norm`).
inline double norm(double a, double b, double density) { return density * (b * b * b - a * a * a) / 3.0; }

}  // namespace

double HistogramObserverCalibrator::quantizationError(const std::vector<double>& hist, size_t start, size_t end,
                                                      size_t dstBins) {
    const double binWidth = 1.0;
    const double dstWidth = binWidth * static_cast<double>(end - start + 1) / static_cast<double>(dstBins);
    if (dstWidth == 0.0) return 0.0;
    const double top = static_cast<double>(dstBins - 1);
    double total = 0;
    for (size_t k = 0; k < hist.size(); ++k) {
        if (hist[k] == 0) continue;
        const double density = hist[k] / binWidth;
        const double begin = (static_cast<double>(k) - static_cast<double>(start)) * binWidth;
        const double finish = begin + binWidth;
        const double dstBegin = std::clamp(std::floor(begin / dstWidth), 0.0, top);
        const double dstEnd = std::clamp(std::floor(finish / dstWidth), 0.0, top);
        const double beginCentre = (dstBegin + 0.5) * dstWidth;
        const double endCentre = dstEnd * dstWidth + dstWidth / 2;
        double e = norm(begin - beginCentre, dstWidth / 2, density);
        e += (dstEnd - dstBegin - 1) * norm(-dstWidth / 2, dstWidth / 2, density);
        e += norm(-dstWidth / 2, finish - endCentre, density);
        total += e;
    }
    return total;
}

std::pair<size_t, size_t> HistogramObserverCalibrator::search(const std::vector<double>& hist, size_t dstBins) {
    const size_t n = hist.size();
    if (n == 0) return {0, 0};
    std::vector<double> cSum(n);
    double acc = 0;
    for (size_t k = 0; k < n; ++k) cSum[k] = (acc += hist[k]);
    const double total = acc;
    double alpha = 0.0, beta = 1.0;
    size_t start = 0, end = n - 1;
    double normMin = HUGE_VAL;
    // The tool rescans l from start_bin and r from end_bin at every step; both only move one
    // way (the bounds are monotone), so pointers kept across steps give the same l and r.
    size_t lp = 0, rp = n - 1;
    while (alpha < beta) {
        const double nextAlpha = alpha + kStepSize;
        const double nextBeta = beta - kStepSize;
        lp = std::max(lp, start);
        while (lp < end && cSum[lp] < nextAlpha * total) ++lp;
        const size_t l = std::min(lp, end);
        rp = std::min(rp, end);
        while (rp > start && cSum[rp] > nextBeta * total) --rp;
        const size_t r = std::max(rp, start);
        size_t nextStart = start, nextEnd = end;
        if (l - start > end - r) {
            nextStart = l;
            alpha = nextAlpha;
        } else {
            nextEnd = r;
            beta = nextBeta;
        }
        if (nextStart == start && nextEnd == end) continue;
        const double e = quantizationError(hist, nextStart, nextEnd, dstBins);
        if (e > normMin) break;
        normMin = e;
        start = nextStart;
        end = nextEnd;
    }
    return {start, end};
}

ClipRange HistogramObserverCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary)) return degenerateRange(summary, scheme);
    const std::vector<double> hist = linearHistogram(summary, summary.min, summary.max, kBins);
    const size_t dst = size_t{1} << std::clamp(scheme.codeBits(), 1, 24);
    const auto [s, e] = search(hist, dst);
    const double w = (summary.max - summary.min) / static_cast<double>(kBins);
    const ClipRange r{summary.min + w * static_cast<double>(s), summary.min + w * static_cast<double>(e + 1)};
    if (scheme.symmetric()) return symmetricRange(std::max(std::abs(r.lo), std::abs(r.hi)));
    return r;
}

}  // namespace qv
