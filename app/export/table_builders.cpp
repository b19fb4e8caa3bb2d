// Table builders: AppState results and panel data → ExportTable (one function per table of the GUI).
#include "app/export/table_builders.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "app/panels/model_browser.h"
#include "app/views/metrics_table.h"

namespace qv {

namespace {

const ErrorReport& reportOf(const CalibRow& row) { return row.exact ? *row.exact : row.estimate; }

// Context every per-tensor table carries in its JSON "info": scheme and the row the numbers are for.
void addSchemeInfo(ExportTable& t, const Analysis& a) {
    t.info.emplace_back("scheme", cellText(a.scheme.describe()));
    if (const CalibRow* row = a.activeRow()) {
        t.info.emplace_back("calibrator", cellText(row->spec));
        t.info.emplace_back("exact", cellBool(row->exact != nullptr));
    }
}

std::string shapeJoined(const std::vector<int64_t>& shape) {
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
    return s;
}

}  // namespace

std::string selectedTensorName(const AppState& state) {
    const Document* d = state.currentDocument();
    auto sel = state.selectedTensor();
    return d && sel && *sel < d->model->tensors.size() ? d->model->tensors[*sel].name : std::string("tensor");
}

std::string modelSubject(const ModelFile& model) { return std::filesystem::path(model.path).filename().string(); }

ExportTable calibratorsExport(const Analysis& a, const std::string& tensorName) {
    MetricsTable m = calibratorTable(a);
    ExportTable t;
    t.name = "calibrators";
    t.subject = tensorName;
    t.info.emplace_back("scheme", cellText(a.scheme.describe()));
    t.columns = {"calibrator", "spec"};
    for (const auto& c : m.columns) t.columns.push_back(c.name);
    t.columns.push_back("exact");
    t.columns.push_back("best_in");
    for (size_t r = 0; r < m.rows.size(); ++r) {
        std::vector<TableCell> row{cellText(m.rows[r]), cellText(a.rows[r].spec)};
        for (size_t c = 0; c < m.columns.size(); ++c) {
            double v = m.values[r][c];
            // Zero point and codes used are integers; keep them integral (NaN: per slice, left empty).
            bool integral = m.columns[c].name == "zero_point" || m.columns[c].name == "codes_used";
            row.push_back(integral && std::isfinite(v) ? cellInt(int64_t(v)) : cellNum(v));
        }
        row.push_back(cellBool(m.exact[r]));
        std::string best;
        for (size_t c = 0; c < m.columns.size(); ++c)
            if (m.best[c] == int(r)) best += (best.empty() ? "" : " ") + m.columns[c].name;
        row.push_back(cellText(best));
        t.addRow(std::move(row));
    }
    return t;
}

ExportTable codeUsageExport(const Analysis& a, const std::string& tensorName) {
    ExportTable t;
    t.name = "code-usage";
    t.subject = tensorName;
    addSchemeInfo(t, a);
    t.columns = {"code", "count", "share"};
    const CalibRow* row = a.activeRow();
    if (!row) return t;
    const auto& h = reportOf(*row).codeHistogram;
    uint64_t total = 0;
    for (uint64_t c : h) total += c;
    if (const LevelTable* table = a.scheme.levelTable()) {
        // Level formats: the histogram is by level index; name each level by what a file stores for it
        // (its bit pattern, or NF4's code) and by its value in the format.
        t.columns = {"code", "level", "count", "share"};
        for (size_t i = 0; i < h.size() && i < table->levels.size(); ++i)
            t.addRow({cellInt(table->patterns[i]), cellNum(table->levels[i]), cellUint(h[i]),
                      cellNum(total ? double(h[i]) / double(total) : 0.0)});
        return t;
    }
    const int64_t qmin = a.scheme.qmin();  // index = code − qmin (ErrorReport::codeHistogram)
    for (size_t i = 0; i < h.size(); ++i)
        t.addRow({cellInt(qmin + int64_t(i)), cellUint(h[i]), cellNum(total ? double(h[i]) / double(total) : 0.0)});
    return t;
}

ExportTable channelsExport(const Analysis& a, const std::string& tensorName) {
    ExportTable t;
    t.name = "channels";
    t.subject = tensorName;
    addSchemeInfo(t, a);
    t.columns = {"slice", "scale", "zero_point", "clip_min", "clip_max", "count", "mse", "sqnr_db", "max_abs_error",
                 "mean_abs_error", "cosine", "clipped_fraction", "codes_used"};
    const CalibRow* row = a.activeRow();
    if (!row) return t;
    const auto& per = reportOf(*row).perSlice;
    const auto& params = row->params.slices;
    for (size_t i = 0; i < per.size(); ++i) {
        const ErrorStats& e = per[i];
        std::vector<TableCell> row{cellUint(i)};
        row.reserve(t.columns.size());
        if (params.size() == per.size()) {
            const SliceParams& p = params[i];
            // A level format has no zero point (0 is one of its levels): an empty cell.
            const TableCell zero = a.scheme.levelTable() ? TableCell{} : cellInt(p.zeroPoint);
            row.insert(row.end(), {cellNum(p.scale), zero, cellNum(p.clip.lo), cellNum(p.clip.hi)});
        } else {
            row.resize(5);  // no per-slice parameters: those four cells stay empty
        }
        row.insert(row.end(), {cellUint(e.count), cellNum(e.mse), cellNum(e.sqnrDb), cellNum(e.maxAbsError),
                               cellNum(e.meanAbsError), cellNum(e.cosine), cellNum(e.clippedFraction),
                               cellUint(e.codesUsed)});
        t.addRow(std::move(row));
    }
    return t;
}

ExportTable compareExport(const Analysis& a, const std::string& tensorName) {
    ExportTable t;
    t.name = "compare";
    t.subject = tensorName;
    t.columns = {"metric", "a", "b", "b_minus_a"};
    const CalibRow* ra = a.activeRow();
    if (!ra || !a.compare) return t;
    const CalibRow& rb = *a.compare;
    t.info.emplace_back("a", cellText(ra->spec + ", " + a.scheme.describe()));
    t.info.emplace_back("b", cellText(rb.spec + ", " + rb.params.scheme.describe()));
    t.info.emplace_back("a_exact", cellBool(ra->exact != nullptr));
    t.info.emplace_back("b_exact", cellBool(rb.exact != nullptr));
    const ErrorStats& ea = reportOf(*ra).total;
    const ErrorStats& eb = reportOf(rb).total;
    auto line = [&](const char* name, double va, double vb) {
        double d = std::isfinite(va) && std::isfinite(vb) ? vb - va : NAN;
        t.addRow({cellText(name), cellNum(va), cellNum(vb), cellNum(d)});
    };
    line("clip_min", ra->range.lo, rb.range.lo);
    line("clip_max", ra->range.hi, rb.range.hi);
    line("mse", ea.mse, eb.mse);
    line("sqnr_db", ea.sqnrDb, eb.sqnrDb);
    line("max_abs_error", ea.maxAbsError, eb.maxAbsError);
    line("cosine", ea.cosine, eb.cosine);
    line("clipped_percent", 100 * ea.clippedFraction, 100 * eb.clippedFraction);
    line("codes_used", double(ea.codesUsed), double(eb.codesUsed));
    return t;
}

ExportTable fileComparisonExport(const FileTensorComparison& fc) {
    ExportTable t;
    t.name = "compare-files";
    t.subject = fc.name;
    t.info.emplace_back("type_a", cellText(fc.typeA));
    t.info.emplace_back("type_b", cellText(fc.typeB));
    t.info.emplace_back("shape_a", cellText(shapeJoined(fc.shapeA)));
    t.info.emplace_back("shape_b", cellText(shapeJoined(fc.shapeB)));
    if (fc.second) t.info.emplace_back("file_b", cellText(fc.second->path));
    // SQNR and relative RMS are relative to the higher-precision side (the signal).
    t.info.emplace_back("signal", cellText(fc.result.signalIsB ? "b" : "a"));
    if (!fc.error.empty()) t.info.emplace_back("error", cellText(fc.error));
    t.columns = {"metric", "value"};
    if (!fc.error.empty()) return t;
    const FileComparison& r = fc.result;
    auto add = [&](const char* m, TableCell v) { t.addRow({cellText(m), std::move(v)}); };
    add("count", cellUint(r.count));
    add("skipped_non_finite", cellUint(r.skipped));
    add("equal", cellUint(r.equal));
    add("a_min", cellNum(r.aMin));
    add("a_max", cellNum(r.aMax));
    add("b_min", cellNum(r.bMin));
    add("b_max", cellNum(r.bMax));
    add("mean_b_minus_a", cellNum(r.meanDiff));
    add("mse", cellNum(r.stats.mse));
    add("sqnr_db", cellNum(r.stats.sqnrDb));
    add("relative_rms", cellNum(r.relativeRms));
    add("max_abs_error", cellNum(r.stats.maxAbsError));
    add("mean_abs_error", cellNum(r.stats.meanAbsError));
    add("cosine", cellNum(r.stats.cosine));
    return t;
}

ExportTable heatmapTopKExport(const HeatmapData& d, const std::string& tensorName) {
    ExportTable t;
    t.name = "heatmap-topk";
    t.subject = tensorName;
    t.info.emplace_back("matrix_rows", cellInt(d.layout.rows));
    t.info.emplace_back("matrix_cols", cellInt(d.layout.cols));
    // NaN cells are written empty / null, like missing ones (and keep GCC's -Wmaybe-uninitialized quiet
    // about variant temporaries in braced lists).
    t.info.emplace_back("sum_sq_error", cellNum(d.hasError ? d.sumSqError : NAN));
    t.columns = {"rank", "index", "row", "col", "value", "error", "error_share"};
    for (size_t k = 0; k < d.top.size(); ++k) {
        const HeatmapEntry& e = d.top[k];
        double share = d.sumSqError > 0 ? double(e.error) * double(e.error) / d.sumSqError : 0.0;
        t.addRow({cellUint(k + 1), cellUint(e.index), cellInt(e.row), cellInt(e.col), cellNum(e.value),
                  cellNum(d.hasError ? double(e.error) : NAN), cellNum(d.hasError ? share : NAN)});
    }
    return t;
}

ExportTable heatmapRangesExport(const HeatmapData& d, HeatmapAxis axis, double outlierFactor,
                                const std::string& tensorName) {
    const bool rows = axis == HeatmapAxis::Rows;
    const auto& lo = rows ? d.rowMin : d.colMin;
    const auto& hi = rows ? d.rowMax : d.colMax;
    std::vector<int64_t> flagged = outlierChannels(lo, hi, outlierFactor);
    ExportTable t;
    t.name = rows ? "heatmap-row-ranges" : "heatmap-column-ranges";
    t.subject = tensorName;
    t.info.emplace_back("outlier_factor", cellNum(outlierFactor));
    t.columns = {rows ? "row" : "col", "min", "max", "range", "outlier"};
    for (size_t i = 0; i < lo.size() && i < hi.size(); ++i) {
        bool out = std::binary_search(flagged.begin(), flagged.end(), int64_t(i));
        t.addRow({cellUint(i), cellNum(lo[i]), cellNum(hi[i]), cellNum(double(hi[i]) - double(lo[i])), cellBool(out)});
    }
    return t;
}

ExportTable overviewExport(const Overview& o, const ModelFile& model) {
    ExportTable t;
    t.name = "overview";
    t.subject = modelSubject(model);
    t.info.emplace_back("scheme", cellText(o.scheme.describe()));
    t.info.emplace_back("tensors_swept", cellUint(o.rows.size()));
    t.info.emplace_back("tensors_total", cellUint(o.total));
    t.info.emplace_back("tensors_exact", cellUint(o.exactRows));
    t.columns = {"tensor", "dtype", "shape", "elements", "min", "max", "std", "kurtosis", "outlier_share", "non_finite"};
    for (const auto& c : o.calibrators) t.columns.push_back("sqnr_db:" + c);
    t.columns.push_back("best_calibrator");
    t.columns.push_back("best_sqnr_db");
    t.columns.push_back("sqnr_exact");  // every SQNR of the row is from the exact pass (else ≈, from the sample)
    t.columns.push_back("error");
    for (const auto& r : o.rows) {
        if (r.tensor >= model.tensors.size()) continue;
        const TensorInfo& info = model.tensors[r.tensor];
        std::vector<TableCell> row{cellText(info.name), cellText(std::string(dtypeName(info.dtype))),
                                   cellText(shapeJoined(info.shape)), cellUint(info.elements())};
        bool ok = r.error.empty();
        for (double v : {r.min, r.max, r.std, r.kurtosis, r.outlierShare}) row.push_back(ok ? cellNum(v) : TableCell{});
        row.push_back(ok ? cellUint(r.nonFinite) : TableCell{});
        for (size_t c = 0; c < o.calibrators.size(); ++c)
            row.push_back(ok && c < r.sqnrDb.size() ? cellNum(r.sqnrDb[c]) : TableCell{});
        bool best = ok && r.best >= 0 && size_t(r.best) < o.calibrators.size() && size_t(r.best) < r.sqnrDb.size();
        row.push_back(best ? cellText(o.calibrators[size_t(r.best)]) : TableCell{});
        row.push_back(best ? cellNum(r.sqnrDb[size_t(r.best)]) : TableCell{});
        bool exact = ok && !r.sqnrExact.empty() && r.sqnrExact.size() == r.sqnrDb.size();
        for (uint8_t e : r.sqnrExact) exact = exact && e != 0;
        row.push_back(ok ? cellBool(exact) : TableCell{});
        row.push_back(ok ? TableCell{} : cellText(r.error));
        t.addRow(std::move(row));
    }
    return t;
}

ExportTable storedComparisonExport(const StoredComparison& c, const TensorInfo& tensor) {
    ExportTable t;
    t.name = "stored-quant";
    t.subject = tensor.name;
    // The stored-quantized side is the open tensor, or the second file's twin when the open file holds
    // the higher-precision version (then `tensor` is the reference and the facts come from the comparison).
    StoredQuantFacts f = storedQuantFacts(tensor);
    if (c.storedInSecond) {
        f.typeName = c.storedTypeName;
        f.bitsPerWeight = c.storedBitsPerWeight;
    }
    t.info.emplace_back("stored_type", cellText(f.typeName));
    t.info.emplace_back("stored_in", cellText(c.storedInSecond ? "second file" : "open file"));
    t.info.emplace_back("bits_per_weight", cellNum(f.bitsPerWeight));
    t.info.emplace_back("reference_type", cellText(c.referenceType));
    t.info.emplace_back("quantviz_scheme", cellText(c.scheme.describe()));
    if (!c.error.empty()) t.info.emplace_back("error", cellText(c.error));
    t.columns = {"quantization", "source", "mse", "sqnr_db", "relative_rms", "max_abs_error"};
    if (!c.error.empty()) return t;
    t.addRow({cellText(f.typeName), cellText("file"), cellNum(c.file.mse), cellNum(c.file.sqnrDb),
              cellNum(c.file.relativeRms), cellNum(c.file.maxAbsError)});
    for (const auto& q : c.quantviz)
        t.addRow({cellText(q.label), cellText("quantviz"), cellNum(q.stats.mse), cellNum(q.stats.sqnrDb),
                  cellNum(q.relativeRms), cellNum(q.stats.maxAbsError)});
    return t;
}

ExportTable ggmlRequantExport(const GgmlRequantComparison& c, const std::string& tensorName) {
    ExportTable t;
    t.name = "llamacpp-types";
    t.subject = tensorName;
    t.info.emplace_back("complete", cellBool(c.complete));
    // With an importance matrix covering the tensor: the entry used, and the importance-weighted error with it
    // and for the plain encoding (the rows' other numbers are the imatrix encoding's).
    const bool importance = !c.importanceEntry.empty();
    if (importance) t.info.emplace_back("imatrix_entry", cellText(c.importanceEntry));
    t.columns = {"type", "written_as", "bits_per_weight", "mse", "sqnr_db", "relative_rms", "max_abs_error", "cosine"};
    if (importance) {
        t.columns.push_back("weighted_relative_rms");
        t.columns.push_back("weighted_relative_rms_without_imatrix");
    }
    t.columns.push_back("note");
    for (const auto& r : c.rows) {
        const std::string type(dtypeName(r.type)), written(dtypeName(r.written));
        std::vector<TableCell> row;
        if (r.pending || !r.error.empty()) {
            row = {cellText(type), cellText(written), cellNum(r.bitsPerWeight), {}, {}, {}, {}, {}};
            if (importance) row.insert(row.end(), 2, TableCell{});
            row.push_back(cellText(r.pending ? "not computed yet" : r.error));
        } else {
            row = {cellText(type), cellText(written), cellNum(r.bitsPerWeight), cellNum(r.stats.mse),
                   cellNum(r.stats.sqnrDb), cellNum(r.relativeRms), cellNum(r.stats.maxAbsError), cellNum(r.stats.cosine)};
            if (importance) {
                row.push_back(r.weighted ? cellNum(r.weightedRel) : TableCell{});
                row.push_back(r.weighted ? cellNum(r.weightedRelWithout) : TableCell{});
            }
            row.push_back({});
        }
        t.addRow(std::move(row));
    }
    return t;
}

ExportTable ggmlModelExport(const GgmlModelComparison& c, const ModelFile& model) {
    ExportTable t;
    t.name = "llamacpp-model";
    t.subject = model.path;
    t.info.emplace_back("tensors", cellUint(c.tensors));
    if (!c.error.empty()) t.info.emplace_back("error", cellText(c.error));
    t.columns = {"type", "bits_per_weight", "relative_rms", "elements"};
    // With an importance matrix: how many tensors it covered and, per type, the weighted error over them.
    const bool weighted = c.withImportance > 0 && c.weighted.size() == c.totals.size();
    if (weighted) {
        t.info.emplace_back("tensors_with_importance", cellUint(c.withImportance));
        t.columns.push_back("weighted_relative_rms");
    }
    for (size_t k = 0; k < c.totals.size(); ++k) {
        const auto& m = c.totals[k];
        std::vector<TableCell> row{cellText(std::string(dtypeName(m.type))), cellNum(m.bitsPerWeight()),
                                   cellNum(m.relativeRms()), cellUint(m.elements)};
        if (weighted) row.push_back(cellNum(std::sqrt(c.weighted[k].relative())));
        t.addRow(std::move(row));
    }
    return t;
}

ExportTable ggmlModelTensorsExport(const GgmlModelComparison& c, const ModelFile& model) {
    ExportTable t;
    t.name = "llamacpp-model-tensors";
    t.subject = model.path;
    t.info.emplace_back("tensors", cellUint(c.tensors));
    if (!c.error.empty()) t.info.emplace_back("error", cellText(c.error));
    t.columns = {"tensor", "elements", "type", "written_as", "kept", "sqnr_db", "relative_rms", "sum_sq_err", "sum_sq_x"};
    const auto& types = ggmlRequantTypes();
    for (const auto& r : c.rows)
        for (size_t k = 0; k < r.types.size() && k < types.size(); ++k) {
            const GgmlTensorRow::Cell& cell = r.types[k];
            t.addRow({cellText(r.tensor < model.tensors.size() ? model.tensors[r.tensor].name : std::to_string(r.tensor)),
                      cellUint(r.elements), cellText(std::string(dtypeName(types[k]))),
                      cellText(std::string(dtypeName(cell.written))), cellBool(r.kept), cellNum(cell.sqnrDb()),
                      cellNum(cell.relativeRms()), cellNum(cell.sums.sumSqErr), cellNum(cell.sums.sumSqX)});
        }
    return t;
}

namespace {
void addGgmlDetailInfo(ExportTable& t, const GgmlDetailResult& d) {
    t.info.emplace_back("type", cellText(d.typeName));
    t.info.emplace_back("written_as", cellText(std::string(dtypeName(d.detail.written))));
    t.info.emplace_back("row_length", cellUint(d.detail.rowLength));
    if (!d.error.empty()) t.info.emplace_back("error", cellText(d.error));
    if (d.detail.kept) t.info.emplace_back("note", cellText("1-D: kept as stored, nothing quantized"));
}
}  // namespace

ExportTable ggmlDetailRowsExport(const GgmlDetailResult& d, const std::string& tensorName) {
    ExportTable t;
    t.name = "llamacpp-rows";
    t.subject = tensorName;
    addGgmlDetailInfo(t, d);
    t.columns = {"row", "count", "mse", "sqnr_db", "max_abs_error", "mean_abs_error", "cosine"};
    for (size_t i = 0; i < d.detail.rows.size(); ++i) {
        const ErrorStats& e = d.detail.rows[i];
        t.addRow({cellUint(i), cellUint(e.count), cellNum(e.mse), cellNum(e.sqnrDb), cellNum(e.maxAbsError),
                  cellNum(e.meanAbsError), cellNum(e.cosine)});
    }
    return t;
}

ExportTable ggmlDetailBlocksExport(const GgmlDetailResult& d, const std::string& tensorName) {
    ExportTable t;
    t.name = "llamacpp-blocks";
    t.subject = tensorName;
    addGgmlDetailInfo(t, d);
    t.info.emplace_back("block_elements", cellUint(d.detail.blockElements));
    t.info.emplace_back("blocks", cellUint(d.detail.blocks));
    t.columns = {"rank", "row", "column_first", "column_last", "max_abs_x", "step", "offset", "max_abs_error",
                 "sum_sq_error", "share_of_sum_sq_error"};
    for (size_t i = 0; i < d.detail.worstBlocks.size(); ++i) {
        const GgmlBlockError& b = d.detail.worstBlocks[i];
        t.addRow({cellUint(i + 1), cellUint(b.row), cellUint(b.column), cellUint(b.column + d.detail.blockElements - 1),
                  cellNum(b.maxAbsX), cellNum(b.step), cellNum(b.offset), cellNum(b.maxAbsErr), cellNum(b.sumSqErr),
                  cellNum(b.share)});
    }
    return t;
}

ExportTable gemmChannelsExport(const QuantizedGemmRun& run, const std::string& subject) {
    ExportTable t;
    t.name = "gemm-channels";
    t.subject = subject;
    t.info.emplace_back("m", cellInt(run.M));
    t.info.emplace_back("n", cellInt(run.N));
    t.info.emplace_back("k", cellInt(run.K));
    t.columns = {"channel", "count", "mse", "rmse", "sqnr_db", "cosine", "max_abs_error", "mean_abs_error"};
    const auto& per = run.comparison.perChannel;
    for (size_t j = 0; j < per.size(); ++j) {
        const OutputError& e = per[j];
        t.addRow({cellUint(j), cellUint(e.count), cellNum(e.mse), cellNum(std::sqrt(e.mse)), cellNum(e.sqnrDb),
                  cellNum(e.cosine), cellNum(e.maxAbsError), cellNum(e.meanAbsError)});
    }
    return t;
}

ExportTable gemmTimingsExport(const QuantizedGemmRun& run, const std::string& subject) {
    ExportTable t;
    t.name = "gemm-timings";
    t.subject = subject;
    t.info.emplace_back("kernel", cellText(run.info.describe()));
    t.columns = {"quantity", "value", "unit"};
    const OutputError& e = run.comparison.total;
    auto add = [&](const char* q, TableCell v, const char* unit) { t.addRow({cellText(q), std::move(v), cellText(unit)}); };
    add("m", cellInt(run.M), "");
    add("n", cellInt(run.N), "");
    add("k", cellInt(run.K), "");
    add("seconds_quantize", cellNum(run.secondsQuantize), "s");
    add("seconds_int8", cellNum(run.secondsInt8), "s");
    add("seconds_fp32", cellNum(run.secondsFp32), "s");
    // 2·M·N·K operations (a multiply and an add per term), the usual GEMM count.
    double ops = 2.0 * double(run.M) * double(run.N) * double(run.K);
    add("gops_int8", cellNum(run.secondsInt8 > 0 ? ops / run.secondsInt8 * 1e-9 : NAN), "Gop/s");
    add("gflops_fp32", cellNum(run.secondsFp32 > 0 ? ops / run.secondsFp32 * 1e-9 : NAN), "Gflop/s");
    add("mse", cellNum(e.mse), "");
    add("sqnr_db", cellNum(e.sqnrDb), "dB");
    add("cosine", cellNum(e.cosine), "");
    add("max_abs_error", cellNum(e.maxAbsError), "");
    add("mean_abs_error", cellNum(e.meanAbsError), "");
    return t;
}

ExportTable metadataExport(const ModelFile& model) {
    ExportTable t;
    t.name = "metadata";
    t.subject = modelSubject(model);
    t.info.emplace_back("format", cellText(model.format));
    t.columns = {"key", "value"};
    for (const auto& e : model.metadata) t.addRow({cellText(e.key), cellText(e.value)});
    return t;
}

ExportTable tensorListExport(const ModelFile& model,
                             const std::function<std::shared_ptr<const TensorSummary>(size_t)>& summaryOf) {
    ExportTable t;
    t.name = "tensors";
    t.subject = modelSubject(model);
    t.info.emplace_back("format", cellText(model.format));
    t.columns = {"tensor", "dtype", "shape", "elements", "bytes", "min", "max", "std", "outlier_share"};
    for (size_t i = 0; i < model.tensors.size(); ++i) {
        const TensorInfo& info = model.tensors[i];
        std::vector<TableCell> row{cellText(info.name), cellText(std::string(dtypeName(info.dtype))),
                                   cellText(shapeJoined(info.shape)), cellUint(info.elements()), cellUint(info.bytes)};
        if (auto s = summaryOf ? summaryOf(i) : nullptr) {
            TensorStatsCell c = statsFromSummary(*s);  // the browser's own cells: min, max, std, > 6σ share
            row.insert(row.end(), {cellNum(c.min), cellNum(c.max), cellNum(c.std), cellNum(c.outlierShare)});
        }
        t.addRow(std::move(row));
    }
    return t;
}

}  // namespace qv
