// Table builders: every table of the GUI as an ExportTable, built from AppState's results and the
// panels' data (no ImGui, so each is unit-tested on a known tensor). Column names are snake_case with units.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/app_state.h"
#include "app/export/table.h"
#include "app/views/heatmap_view.h"
#include "core/gemm/gemm_quantized_run.h"

namespace qv {

// Calibrator comparison (the Calibrators tab): range, scale, zero point, MSE, SQNR, max |e|, clipped %,
// codes used per calibrator, whether the row is exact, and the columns in which the row is best.
ExportTable calibratorsExport(const Analysis& analysis, const std::string& tensorName);

// Code usage of the active row: one row per integer code (count and share of the values). Empty table
// when the scheme has no single code range (per-slice ranges differ).
ExportTable codeUsageExport(const Analysis& analysis, const std::string& tensorName);

// Per-slice (channel / group) error of the active row, in slice order, with each slice's scale and zero point.
ExportTable channelsExport(const Analysis& analysis, const std::string& tensorName);

// Compare tab: metric, A, B, B − A. Empty table when no scheme B is set.
ExportTable compareExport(const Analysis& analysis, const std::string& tensorName);

// Compare tab, two files: the selected tensor (A) against its twin in the second file (B) — counts,
// ranges, bias and the error metrics of B taken as a reconstruction of A.
ExportTable fileComparisonExport(const FileTensorComparison& comparison);

// Heatmap lists: the top-k largest |x| (index, row, column, value, error, share of Σe²) and the per-row /
// per-column ranges with outlier channels flagged (range > `outlierFactor` × the median range).
ExportTable heatmapTopKExport(const HeatmapData& data, const std::string& tensorName);
enum class HeatmapAxis { Rows, Columns };
ExportTable heatmapRangesExport(const HeatmapData& data, HeatmapAxis axis, double outlierFactor,
                                const std::string& tensorName);

// Whole-model overview: every swept tensor with its statistics, SQNR per calibrator, the best one, and
// whether the row's SQNRs are exact yet (the sweep estimates on the sample first, then refines).
ExportTable overviewExport(const Overview& overview, const ModelFile& model);

// Stored quantization (GGUF block types) against the reference: the file's row, then quantviz's rows.
ExportTable storedComparisonExport(const StoredComparison& comparison, const TensorInfo& tensor);
// Compare ▸ llama.cpp types: one row per type (what is written, bits per weight, the round trip's error), and
// the whole model per type.
ExportTable ggmlRequantExport(const GgmlRequantComparison& comparison, const std::string& tensorName);
ExportTable ggmlModelExport(const GgmlModelComparison& comparison, const ModelFile& model);
// The whole model per tensor: one row per (tensor, type) in model order and ggmlRequantTypes() order — what is
// written (the type, its fallback, or the stored type of a kept 1-D tensor), SQNR, relative RMS and the sums
// Σe², Σx² (pooled over the tensors they give the totals above).
ExportTable ggmlModelTensorsExport(const GgmlModelComparison& comparison, const ModelFile& model);
// One type in detail (a clicked row): the error of every row of the tensor, and the worst blocks (position,
// max |x|, decoded step and offset, max |e|, Σe² and share of the tensor's Σe²).
ExportTable ggmlDetailRowsExport(const GgmlDetailResult& detail, const std::string& tensorName);
ExportTable ggmlDetailBlocksExport(const GgmlDetailResult& detail, const std::string& tensorName);

// GEMM: per-output-channel int8-vs-fp32 error, and the run's timings and totals.
ExportTable gemmChannelsExport(const QuantizedGemmRun& run, const std::string& subject);
ExportTable gemmTimingsExport(const QuantizedGemmRun& run, const std::string& subject);

// File metadata (key, value) and the browser's tensor list (dtype, shape, elements, bytes and, once a
// summary exists, min/max/std/outlier share; `summaryOf` returns null for tensors not summarized yet).
ExportTable metadataExport(const ModelFile& model);
ExportTable tensorListExport(const ModelFile& model,
                             const std::function<std::shared_ptr<const TensorSummary>(size_t)>& summaryOf);

// The selected tensor's name ("tensor" when none), the subject of per-tensor tables.
std::string selectedTensorName(const AppState& state);

// The model file's name without directories, for subjects of model-wide tables.
std::string modelSubject(const ModelFile& model);

}  // namespace qv
