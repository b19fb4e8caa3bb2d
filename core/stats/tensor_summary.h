// TensorSummary: everything one parallel pass over a tensor learns, cached per tensor.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/stats/fine_histogram.h"
#include "core/tensor/tensor_view.h"

namespace qv {

struct OutlierEntry {
    uint64_t index;  // flat row-major element index
    float value;
};

// Statistics are over finite values only: NaN/Inf are counted, never poison a range.
struct TensorSummary {
    uint64_t elements = 0;
    uint64_t finite = 0;
    uint64_t nanCount = 0;
    uint64_t posInfCount = 0;
    uint64_t negInfCount = 0;
    uint64_t zeroCount = 0;
    double min = 0, max = 0;   // 0 when no finite value
    double absMax = 0;
    double mean = 0, std = 0;  // population std
    double kurtosis = 0;       // excess kurtosis (0 for a Gaussian); 0 when std = 0
    double meanAbsDeviation = 0;  // mean |x − mean|, the Laplace scale estimate b (ACIQ)
    FineHistogram histogram;
    std::vector<OutlierEntry> topAbs;  // the kTopK largest |x|, descending
    std::vector<float> sample;         // up to kSampleSize finite values, evenly strided, for live estimates

    static constexpr size_t kTopK = 64;
    static constexpr size_t kSampleSize = 65536;

    bool hasFinite() const { return finite > 0; }
};

struct SummaryOptions {
    int threads = 0;  // 0: all hardware threads
};

// One pass: exact min/max, moments, NaN/Inf counts, the fine histogram, top-k |x| and a sample.
// Cancellable (returns an Error "cancelled") and reports progress in elements.
Result<std::shared_ptr<const TensorSummary>> summarize(const TensorView& view, Progress* progress = nullptr,
                                                       const SummaryOptions& options = {});

// The same over values already in memory (per-channel slices, tests).
TensorSummary summarizeValues(const float* values, size_t n);

}  // namespace qv
