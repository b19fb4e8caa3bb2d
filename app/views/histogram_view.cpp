// Histogram view-model: rebinning to pixel columns and the initial x range.
#include "app/views/histogram_view.h"

#include <algorithm>

namespace qv {

HistogramColumns histogramColumns(const FineHistogram& h, double xLo, double xHi, int pixels) {
    HistogramColumns c;
    c.xLo = xLo;
    c.xHi = xHi;
    if (pixels <= 0 || !(xHi > xLo)) return c;
    c.counts = h.rebin(xLo, xHi, size_t(pixels), /*clampOutside=*/false);
    for (double v : c.counts) c.maxCount = std::max(c.maxCount, v);
    return c;
}

void histogramFitRange(double min, double max, bool hasFinite, double& lo, double& hi) {
    if (!hasFinite) {
        lo = -1;
        hi = 1;
        return;
    }
    if (!(max > min)) {
        lo = min - 0.5;
        hi = max + 0.5;
        return;
    }
    double pad = 0.02 * (max - min);
    lo = min - pad;
    hi = max + pad;
}

}  // namespace qv
