// ErrorStats: what quantization did to a tensor — MSE, SQNR, max/mean |e|, cosine, clipped share, codes used.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/quant/quantizer.h"
#include "core/tensor/tensor_view.h"

namespace qv {

// Over finite elements; x̂ = dequantize(quantize(x)), e = x̂ − x.
struct ErrorStats {
    uint64_t count = 0;
    double mse = 0;
    double rmse = 0;
    double sqnrDb = 0;          // 20·log10(‖x‖/‖x − x̂‖); +inf when the error is 0, 0 when ‖x‖ = 0
    double maxAbsError = 0;
    double meanAbsError = 0;
    double cosine = 1;          // cos(x, x̂); 1 when both are 0
    double clippedFraction = 0; // share of values outside the clip range (saturated codes)
    uint64_t clippedCount = 0;
    uint64_t codesUsed = 0;     // distinct integer codes that occur (per tensor: over all slices)
    uint64_t codesAvailable = 0;
};

// Running sums that make ErrorStats; mergeable across threads and slices.
struct ErrorAccumulator {
    uint64_t count = 0, clipped = 0;
    double sumSqErr = 0, sumAbsErr = 0, maxAbsErr = 0;
    double sumSqX = 0, sumSqXq = 0, sumXXq = 0;
    void add(float x, float xq, bool clipped);
    void merge(const ErrorAccumulator& o);
    ErrorStats finish(uint64_t codesUsed, uint64_t codesAvailable) const;
};

// Finite values exactly on the decision boundary between codes codeBelow and codeBelow + 1:
// x/s (as the quantizer computes it in float32) has fraction ½ inside the grid, so
// round-half-to-even decides their code. boundary = s·(codeBelow − z + ½).
struct BoundaryTie {
    int32_t codeBelow = 0;
    double boundary = 0;
    uint64_t count = 0;
};

struct ErrorReport {
    ErrorStats total;
    std::vector<ErrorStats> perSlice;  // one per slice of the scheme's layout (empty for per-tensor)
    // The histogram views (filled only when ErrorPassOptions::histograms; hasHistograms says so):
    bool hasHistograms = false;
    std::vector<uint64_t> codeHistogram;  // per-tensor code usage: count per code, index = code − qmin
                                          // (only when all slices share one code range)
    std::vector<double> errorHistogram;   // histogram of e over [errorLo, errorHi]
    double errorLo = 0, errorHi = 0;
    // Ties, counted exactly on every element: the total over all slices, and per boundary
    // (increasing) for per-tensor schemes, at most kMaxTieBoundaries of them (tiesTruncated
    // when more boundaries had ties; the total stays exact).
    uint64_t tieCount = 0;
    std::vector<BoundaryTie> ties;
    bool tiesTruncated = false;
    static constexpr size_t kMaxTieBoundaries = 4096;
};

struct ErrorPassOptions {
    int threads = 0;
    size_t errorBins = 256;
    // The code and error histograms cost a scatter per element into two tables (about 4× the
    // metrics-only pass); the calibrator table needs only the metrics.
    bool histograms = true;
};

// The exact pass: quantizes every element with `params` and measures. Cancellable, with progress.
Result<std::shared_ptr<const ErrorReport>> measureError(const TensorView& view, const QuantParams& params,
                                                        Progress* progress = nullptr,
                                                        const ErrorPassOptions& options = {});

// Same over values in memory (samples for live estimates, tests).
ErrorReport measureErrorValues(std::span<const float> values, const std::vector<int64_t>& shape,
                               const QuantParams& params, size_t errorBins = 256);
ErrorReport measureErrorValues(std::span<const float> values, const std::vector<int64_t>& shape,
                               const QuantParams& params, const ErrorPassOptions& options);

}  // namespace qv
