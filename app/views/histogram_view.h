// Histogram view-model: the summary's fine histogram re-binned to one bar per pixel column.
#pragma once

#include <vector>

#include "core/stats/fine_histogram.h"

namespace qv {

struct HistogramColumns {
    double xLo = 0, xHi = 0;
    std::vector<double> counts;  // one per pixel column over [xLo, xHi]
    double maxCount = 0;
};

// One bar per pixel: every fine bin's count is spread over the columns it overlaps (never
// decimated), values outside [xLo, xHi] are dropped. O(fine bins + pixels).
HistogramColumns histogramColumns(const FineHistogram& h, double xLo, double xHi, int pixels);

// The x range a histogram plot opens on: the finite data range padded by 2% on both sides
// (a constant tensor gets ±0.5 around its value, an empty one [−1, 1]).
void histogramFitRange(double min, double max, bool hasFinite, double& lo, double& hi);

}  // namespace qv
