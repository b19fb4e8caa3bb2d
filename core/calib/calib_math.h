// Shared numerics of the calibrators: linear histograms from the summary, candidate error
// evaluation on histograms and on data, and 1-D searches used by the exact refinements.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "core/quant/quant_params.h"
#include "core/stats/tensor_summary.h"

namespace qv {

// Bins of the TensorRT/pytorch-quantization calibration histogram (REFERENCE.md §2).
inline constexpr size_t kCalibBins = 2048;

inline ClipRange symmetricRange(double amax) { return {-amax, amax}; }

// |x| histogram over [0, absMax] with `bins` equal bins, derived from the fine histogram
// (pytorch-quantization's torch.histc(|x|, bins, 0, amax)). Empty when there is no finite value.
std::vector<double> absHistogram(const TensorSummary& summary, size_t bins = kCalibBins);
// Histogram of x over [lo, hi] with `bins` equal bins (values outside go to the end bins).
// Both are memoized for the last few (summary, range, bins) asked — several calibrators share
// the same 2048-bin histograms, and re-running them after a control change reuses them.
std::vector<double> linearHistogram(const TensorSummary& summary, double lo, double hi, size_t bins);
// Forgets the memoized histograms (the benchmark's cold runs).
void clearHistogramCache();

// Grid of one slice as the scheme's convention makes it for this range (paramsFromRange).
// Level formats (FP8, FP4, NF4): `table` is set and the levels are scale·table->levels.
struct Grid {
    double scale = 1;
    double zero = 0;
    double qmin = 0, qmax = 0;
    const LevelTable* table = nullptr;
    double lo() const { return table ? scale * table->levels.front() : scale * (qmin - zero); }  // lowest level
    double hi() const { return table ? scale * table->levels.back() : scale * (qmax - zero); }   // highest level
};
Grid gridFor(const QuantScheme& scheme, ClipRange range);

// Σ w_i·(Q(c_i) − c_i)² for points c_i with weights w_i under `grid` (round half to even on c/s).
// Written so that the compiler vectorizes it (the histogram calibrators call it per candidate).
double weightedQuantError(const float* centres, const float* weights, size_t n, const Grid& grid);

// Exact Σ (x̂ − x)² over the finite values under the scheme's quantizer for `range`
// (Quantizer, parallel over the available cores). The objective of the exact refinements.
double exactSquaredError(std::span<const float> values, const QuantScheme& scheme, ClipRange range);

// Minimizes f over [a, b]: a grid of `gridPoints` points, then golden-section search on the
// bracket around the best grid point (`goldenIters` steps). Returns the argmin found.
// f need not be unimodal (quantization error has small ripples); the grid guards against that.
double minimizeScalar(const std::function<double(double)>& f, double a, double b, int gridPoints, int goldenIters);

// Worker threads for the exact passes: hardwareThreads(), asked once (std::thread::
// hardware_concurrency reads /sys on every call, which dominated small per-slice calibrations).
int calibThreads();

// The finite values of a span (NaN/Inf removed), for calibrators that work on data.
std::vector<float> finiteValues(std::span<const float> values);

// Summaries whose range is degenerate (no finite value, or all values equal to 0) get this
// range from every calibrator: the data's own range, which paramsFromRange handles safely.
bool degenerate(const TensorSummary& summary);
ClipRange degenerateRange(const TensorSummary& summary, const QuantScheme& scheme);

}  // namespace qv
