// Heatmap view-model: a 2-D weight matrix reduced to at most kMaxCells×kMaxCells blocks that keep each
// block's min and max (never the mean), so a single outlier stays visible; plus per-row and per-column
// ranges (AIMET-style per-channel range bars) with outlier rows/columns flagged.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/tensor/tensor_view.h"

namespace qv {

struct HeatmapGrid {
    static constexpr int64_t kMaxCells = 256;
    int64_t rows = 0, cols = 0;        // the matrix as shown: shape[0] × product of the other dims
    int64_t cellRows = 0, cellCols = 0;
    int64_t rowsPerCell = 1, colsPerCell = 1;
    std::vector<float> cellMin, cellMax;   // cellRows × cellCols, row-major; finite values only
    std::vector<float> rowMin, rowMax;     // per matrix row
    std::vector<float> colMin, colMax;     // per matrix column
    float absMax = 0;
    // Matrix rows/columns whose max |x| exceeds `factor` × the median over rows/columns.
    std::vector<int64_t> outlierRows(double factor = 6.0) const;
    std::vector<int64_t> outlierCols(double factor = 6.0) const;
};

// The matrix a tensor is shown as: 2-D as is, N-D as [shape[0], rest], 1-D as [1, n], 0-D as [1, 1].
void heatmapShape(const std::vector<int64_t>& shape, int64_t& rows, int64_t& cols);

// From values already in memory (tests) or streamed from a view (job: cancellable, with progress).
HeatmapGrid buildHeatmap(const float* values, int64_t rows, int64_t cols);
Result<std::shared_ptr<const HeatmapGrid>> buildHeatmap(const TensorView& view, Progress* progress);

}  // namespace qv
