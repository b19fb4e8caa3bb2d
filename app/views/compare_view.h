// Compare view-models: scheme A against scheme B on one tensor (metric differences, overlaid error
// histograms, both code grids on the value axis) and one tensor of two files (overlaid histograms, the
// distribution of x_B − x_A and the metrics between them). Pure: no ImGui; the file comparison is a job.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/metrics/error_stats.h"
#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/tensor/tensor_view.h"

namespace qv {

// [SECTION] scheme A vs scheme B

// A histogram (counts in equal bins over [lo, hi]) redistributed over `columns` equal columns of
// [viewLo, viewHi] as shares of its total; a bin cut by a column edge is split in proportion to the
// overlap. Histograms with different totals (a sample estimate vs an exact pass) and different ranges
// then overlay on one axis. Mass outside the view is dropped (the shares then sum to less than 1).
std::vector<double> rebinShares(std::span<const double> counts, double lo, double hi, double viewLo, double viewHi,
                                int columns);

// Code usage placed on the value axis: one bar per code q at its level x̂ = s·(q − z), its height the
// share of values that landed on it — so a 4-bit grid and an 8-bit grid can be read on one plot.
// Level formats (FP8, NF4, …) have buckets of unequal width: each bar spans its own bucket [lo, hi]
// (between its decision boundaries; the end buckets mirror their inner half), and share / (hi − lo)
// is a density comparable across formats.
struct LevelBars {
    std::vector<double> x, share;
    std::vector<double> lo, hi;  // each bar's bucket
    double width = 0;      // the scale s: bars touch at the decision boundaries (integer grids)
    uint64_t used = 0;     // codes with at least one value
    uint64_t available = 0;
};
LevelBars levelBars(const QuantScheme& scheme, const SliceParams& params, std::span<const uint64_t> codeHistogram);

// One line of the A/B table. better: −1 when A is better, +1 when B is, 0 for a tie or when "better"
// does not apply (clip ends, codes used).
struct CompareMetric {
    std::string name;
    double a = 0, b = 0, diff = 0;  // diff = b − a
    int better = 0;
};
std::vector<CompareMetric> compareMetrics(const ClipRange& ra, const ErrorStats& ea, const ClipRange& rb,
                                          const ErrorStats& eb);

// [SECTION] one tensor of two files

// x_A from the open file and x_B from the second file, element by element (both decoded to float: a
// stored-quantized tensor is its reconstruction). e = x_B − x_A; the signal is A unless `signalIsB`
// (the caller's choice: the higher-precision side when the other one is stored quantized), so
// SQNR = 10·log10(Σx_signal² / Σe²) and relative RMS = sqrt(Σe² / Σx_signal²).
struct FileComparison {
    static constexpr int kBins = 256;
    std::string tensor;
    uint64_t count = 0;             // pairs where both values are finite
    uint64_t skipped = 0;           // pairs with a NaN/Inf on either side
    double lo = 0, hi = 0;          // common finite range of A and B (the histograms' range)
    std::vector<double> histA, histB;  // kBins counts over [lo, hi]
    double aMin = 0, aMax = 0, bMin = 0, bMax = 0;
    double dLo = 0, dHi = 0;        // symmetric range ±max|x_B − x_A| of histDiff
    std::vector<double> histDiff;   // kBins counts of x_B − x_A
    double meanDiff = 0;            // mean of x_B − x_A (a bias shows here)
    bool signalIsB = false;         // which side SQNR and relative RMS are relative to
    double relativeRms = 0;         // sqrt(Σe² / Σx_signal²); 0 when Σx_signal² = 0
    uint64_t equal = 0;             // pairs with x_B == x_A exactly
    ErrorStats stats;               // x = the signal, x̂ = the other side: MSE, SQNR, max/mean |e|, cosine
};

// Shapes must agree up to leading 1s ([1, 128] matches [128]); otherwise an error naming both shapes.
// Two passes (ranges, then histograms) over chunks on `threads` threads (0: all); cancellable.
Result<FileComparison> compareTensorFiles(const TensorView& a, const TensorView& b, Progress* progress = nullptr,
                                          int threads = 0, bool signalIsB = false);

// "[64, 512]"
std::string shapeText(const std::vector<int64_t>& shape);

}  // namespace qv
