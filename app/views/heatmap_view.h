// Heatmap view-model: a 2-D weight matrix as a min/max pyramid (each cell keeps its min and max, never
// the mean, so a single outlier stays visible), per-row and per-column ranges (AIMET-style per-channel
// range bars) with outlier channels flagged, and the top-k largest |x| with their share of the error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/views/minmax_pyramid.h"

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/tensor/tensor_view.h"

namespace qv {

// The matrix a tensor is shown as: 2-D as is, N-D as [shape[0], rest], 1-D as [1, n], 0-D as [1, 1].
void heatmapShape(const std::vector<int64_t>& shape, int64_t& rows, int64_t& cols);

// [SECTION] texture heatmap: a 2-D matrix chosen from the tensor, its min/max pyramid, ranges, top-k.

// How a tensor with more than two dimensions becomes a matrix: as the layer uses it ([O, I·kh·kw] for a
// conv weight [O, I, kh, kw]; [shape[0], rest] in general), or one 2-D slice of the last two dims with
// the leading dims fixed at chosen indices.
enum class NdMode { Reshape = 0, Slice = 1 };

// Element (r, c) of the matrix is flat tensor element offset + r·cols + c (both modes are contiguous).
struct MatrixLayout {
    int64_t rows = 0, cols = 0;
    uint64_t offset = 0;
    bool operator==(const MatrixLayout&) const = default;
};
// `leading`: indices for shape[0 .. n−3] in Slice mode (missing or out-of-range ones are clamped).
MatrixLayout matrixLayout(const std::vector<int64_t>& shape, NdMode mode, const std::vector<int64_t>& leading);

// The quantizer the error/clipped modes use: the active calibrator's parameters per slice.
struct HeatmapQuant {
    QuantScheme scheme;
    QuantParams params;
    SliceLayout slices;  // of the whole tensor (flat index → slice)
};

struct HeatmapEntry {
    uint64_t index = 0;      // flat tensor index
    int64_t row = 0, col = 0;
    float value = 0, error = 0;
};

struct HeatmapData {
    static constexpr size_t kTopK = 32;
    MatrixLayout layout;
    MinMaxPyramid pyramid;
    std::vector<float> rowMin, rowMax, colMin, colMax;  // finite values only; 0,0 when none
    std::vector<HeatmapEntry> top;  // kTopK largest |x| of the matrix, descending
    double sumSqError = 0;          // Σ (x̂ − x)² over the matrix (share of each top entry)
    bool hasError = false;
};

// One pass over the matrix's elements (a job: cancellable, with progress). The error and clipped
// channels are filled when `quant` is given. Rows are read and quantized on `threads` threads (0: all
// cores, parallelFor); the result is the same for any thread count.
Result<std::shared_ptr<const HeatmapData>> buildHeatmapData(const TensorView& view, const MatrixLayout& layout,
                                                            const std::optional<HeatmapQuant>& quant,
                                                            Progress* progress, int threads = 0);
// Same from values in memory (tests): values of the matrix, row-major.
std::shared_ptr<const HeatmapData> buildHeatmapData(const float* values, const MatrixLayout& layout,
                                                    const std::optional<HeatmapQuant>& quant, int threads = 0);

// Channels (rows or columns) whose range max − min exceeds `factor` × the median range.
std::vector<int64_t> outlierChannels(const std::vector<float>& lo, const std::vector<float>& hi, double factor);

}  // namespace qv
