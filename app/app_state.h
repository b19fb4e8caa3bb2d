// AppState: the app's model — open documents, selection, scheme, calibrators, cached results, jobs.
// No ImGui types here: panels read it and call its setters; tests drive it directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/metrics/ggml_requant.h"
#include "core/base/job_queue.h"
#include "app/views/compare_view.h"
#include "app/views/heatmap_view.h"
#include "core/base/progress.h"
#include "core/calib/calibrator.h"
#include "core/formats/imatrix.h"
#include "core/formats/model_file.h"
#include "core/formats/stored_quant.h"
#include "core/metrics/error_stats.h"
#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/stats/tensor_summary.h"

namespace qv {

struct Document {
    uint64_t id = 0;
    std::shared_ptr<const ModelFile> model;
    // Set once the file was seen truncated or rewritten on disk since it was opened: why its
    // values can no longer be trusted (ByteSource::integrityProblem). Reopening clears it.
    std::string changedOnDisk;
};

// Per-slice ranges for per-channel / per-group schemes: one pass over the tensor (a job), plus a
// strided sample that remembers each value's slice so live estimates stay per slice.
struct SliceRanges {
    uint64_t docId = 0;
    size_t tensor = 0;
    QuantScheme layoutScheme;  // granularity, axis, group size it was computed for
    SliceLayout layout;
    std::vector<float> mins, maxs;   // finite values only; 0,0 for an all-NaN or empty slice
    std::vector<float> sampleValues;
    std::vector<uint32_t> sampleSlices;
};

// One calibrator's answer for the selected tensor and scheme (a row of the comparison table).
struct CalibRow {
    std::string spec;           // "minmax", "percentile:99.99", … or "manual"
    std::string label;          // for display
    std::string description;    // tooltip
    ClipRange range;            // per tensor; per slice: the extent over slices
    QuantParams params;
    ErrorReport estimate;       // from the sample ("≈")
    std::shared_ptr<const ErrorReport> exact;  // the exact pass, when it has arrived
    bool perSliceMinMax = false;  // per-slice scheme calibrated with per-slice min/max
};

// Everything the panels draw for the selected tensor under the current scheme. Immutable once
// published; rebuilt (cheaply, from the summary) whenever an input changes.
struct Analysis {
    uint64_t docId = 0;
    size_t tensor = 0;
    QuantScheme scheme;
    std::shared_ptr<const TensorSummary> summary;
    std::shared_ptr<const SliceRanges> slices;  // per-channel/group only
    std::vector<CalibRow> rows;   // enabled calibrators, then "manual" when set
    int active = -1;              // row that drives buckets and the error panel
    std::optional<CalibRow> compare;  // scheme B of the Compare tab (per tensor), when set
    const CalibRow* activeRow() const { return active >= 0 && active < int(rows.size()) ? &rows[active] : nullptr; }
};

// One tensor of the whole-model overview (background sweep: first every tensor's summary with SQNR
// estimated on its sample, then an exact error pass per tensor and calibrator replaces the estimates).
struct OverviewRow {
    size_t tensor = 0;
    double min = 0, max = 0, std = 0, kurtosis = 0;
    double outlierShare = 0;          // share of finite values with |x − mean| > 6σ
    uint64_t nonFinite = 0;
    std::vector<double> sqnrDb;       // per calibrator of Overview::calibrators
    std::vector<uint8_t> sqnrExact;   // per calibrator: 1 once sqnrDb is the exact pass's, 0 while ≈
    int best = -1;                    // calibrator with the highest SQNR
    std::string error;                // the tensor could not be read
};

struct Overview {
    uint64_t docId = 0;
    QuantScheme scheme;
    std::vector<std::string> calibrators;  // specs, in column order
    std::vector<OverviewRow> rows;          // in model order, as far as the sweep got
    size_t total = 0;                       // tensors in the model
    size_t exactRows = 0;                   // rows whose every SQNR is exact (the refinement's progress)
};

// A stored-quantized tensor (GGUF Q4_K, …) against the same tensor of the reference (higher-precision)
// file: the error the file's quantization made, beside quantviz's current scheme and calibrators applied
// to the reference tensor (app_state_reference.cpp).
struct StoredComparison {
    uint64_t docId = 0;
    size_t tensor = 0;
    std::string key;              // inputs it was computed for (tensor, reference, scheme, calibrators)
    std::string referenceType;    // dtype of the reference tensor
    StoredQuantError file;        // x̂ = the file's reconstruction, x = reference
    QuantScheme scheme;
    struct Row {
        std::string spec, label;
        ErrorStats stats;         // quantviz's scheme on the reference tensor (exact pass)
        double relativeRms = 0;   // sqrt(Σe² / Σx²)
    };
    std::vector<Row> quantviz;
    std::string error;            // no twin in the reference, shape mismatch, read failure
    // Which side is stored quantized: the open file's tensor (the usual case: a Q4_K file against its
    // F32 original) or the second file's (the F32 file open, its Q4_K twin as the second file).
    bool storedInSecond = false;
    std::string storedTypeName;   // "q4_K", …
    double storedBitsPerWeight = 0;
};

// Two files, one tensor: the selected tensor of the open file (A) against the tensor of the same name
// in the second file (B), element by element (app_state_reference.cpp; a job).
struct FileTensorComparison {
    uint64_t docId = 0;
    size_t tensor = 0;
    const ModelFile* second = nullptr;  // identity of the second file it was computed for
    std::string name;
    bool pairedByPosition = false;      // two single-tensor files with different names (.npy files)
    std::string typeA, typeB;           // dtype names ("f32", "q4_K", …)
    std::vector<int64_t> shapeA, shapeB;
    FileComparison result;
    std::string error;                  // not in the second file, shapes differ, read failure
};

// The selected tensor re-quantized as llama.cpp's reference quantizers would write it (Q8_0 … Q4_0 and the
// K-quants Q6_K, Q5_K, Q4_K, with llama-quantize's fallbacks for rows that are not whole blocks; read
// back as llama.cpp reads them; core/metrics/ggml_requant.h), for the Compare tab's "llama.cpp types" view
// (app_state_ggml.cpp; a job).
struct GgmlRequantComparison {
    uint64_t docId = 0;
    size_t tensor = 0;
    struct Row {
        DType type = DType::Q4_0;
        DType written = DType::Q4_0;  // what llama-quantize writes (a fallback when rows are not whole blocks)
        std::string typeName;     // "q4_0", "q4_K -> q5_0", …
        double bitsPerWeight = 0; // including the block's f16 scale (and min)
        ErrorStats stats;
        double relativeRms = 0;   // sqrt(Σe² / Σx²)
        std::string error;        // rows not a multiple of 32, NaN/Inf present, …
        bool pending = false;     // not computed yet: the job posts the cheap types first
        // With an importance matrix covering the tensor: encoded as llama-quantize --imatrix does (stats are of
        // that encoding), and √(Σimp·e²/Σimp·x²) — the output error the importance predicts — with it and for
        // the plain encoding.
        bool weighted = false;
        double weightedRel = 0, weightedRelWithout = 0;
    };
    std::vector<Row> rows;        // in ggmlRequantTypes() order
    uint64_t imatrixSerial = 0;   // the importance matrix loaded when computed (AppState::loadImatrix)
    std::string importanceEntry;  // its entry used for this tensor ("" when none covers it)
    bool complete = false;        // every row computed (earlier posts of the same job are partial)
};

// One type of that table in detail, for the selected tensor: per-row error, the worst blocks, the error
// histogram and the error-vs-value envelope of its round trip (ggmlRequantDetail; app_state_ggml.cpp; a job
// started by clicking the type's row).
struct GgmlDetailResult {
    uint64_t docId = 0;
    size_t tensor = 0;
    DType type = DType::Q4_0;         // the row clicked (detail.written says what llama-quantize writes)
    std::string typeName;             // "q4_K", …
    GgmlRequantDetail detail;
    std::string error;                // why there is no detail (the table's reasons; "cancelled" is never posted)
    uint64_t imatrixSerial = 0;       // the importance matrix loaded when computed
    std::string importanceEntry;      // its entry the tensor was encoded with ("" when none covers it)
};

// The whole current model as llama-quantize would write it under each type (app_state_ggml.cpp; a job the
// user starts: it encodes every tensor twelve ways).
// One tensor of it: what each type writes and the round trip's sums (the rows pooled are the totals).
struct GgmlTensorRow {
    size_t tensor = 0;        // index in the model
    uint64_t elements = 0;
    bool kept = false;        // 1-D: kept as stored under every type (no error)
    struct Cell {
        DType written = DType::Q4_0;  // the type asked for, its fallback, or the stored type (kept)
        ErrorAccumulator sums;        // x against its round trip through `written`
        double sqnrDb() const;       // as ggmlRequantError reports it (inf: no error; kept)
        double relativeRms() const;  // sqrt(Σe² / Σx²)
    };
    std::vector<Cell> types;  // one per ggmlRequantTypes()
};

struct GgmlModelComparison {
    uint64_t docId = 0;
    std::vector<GgmlModelTotals> totals;  // one per ggmlRequantTypes()
    std::vector<GgmlTensorRow> rows;      // one per tensor measured, in model order
    size_t tensors = 0;                   // tensors measured
    std::string error;                    // the first tensor that could not be measured, and why
    // With an importance matrix loaded: the tensors it covers were encoded with it; per type, Σimp·e² and Σimp·x²
    // over them (one per ggmlRequantTypes()).
    uint64_t imatrixSerial = 0;
    size_t withImportance = 0;
    std::vector<GgmlWeightedSums> weighted;
};

struct CalibratorChoice {
    std::string name;   // base name as makeCalibrator spells it
    bool enabled = true;
    std::string arg;    // argument a preset gives it ("onnxruntime" for entropy); percentile uses percentile()
};

// What failed, for the error dialog and the status line.
struct UserMessage {
    std::string title;
    std::string text;
    uint64_t serial = 0;  // increments per new message so the UI opens the dialog once
    uint64_t reopenDocId = 0;  // non-zero: the message is about this document's file; offer to reopen it
};

// The tensor a newly opened file shows first: its first weight (a floating or block-quantized tensor of
// two or more dimensions) in the tensor browser's order, else its largest floating tensor, else its first;
// nullopt for an empty file.
std::optional<size_t> firstTensorToShow(const ModelFile& model);

class AppState {
public:
    explicit AppState(int workers = 1);
    ~AppState();
    AppState(const AppState&) = delete;
    AppState& operator=(const AppState&) = delete;

    // Called from worker threads when a job finishes (the app posts an empty GLFW event).
    void setWake(std::function<void()> wake);

    // [SECTION] documents and selection
    bool openFile(const std::string& path);  // false: error() says why; the app keeps running
    const std::vector<Document>& documents() const { return m_documents; }
    const Document* currentDocument() const;
    int currentDocumentIndex() const { return m_currentDoc; }
    void setCurrentDocument(int index);
    void closeDocument(int index);
    // Opens the document's file again in place (same tab, same tensor selected by name): after the
    // file changed on disk. False: message() says why; the old document stays.
    bool reopenDocument(int index);
    int documentIndex(uint64_t docId) const;  // −1 when no open document has that id
    // Looks at every open file (and the reference) for a change on disk and reports the first one
    // per document. update() calls it at most twice a second; tests call it directly.
    void checkFilesOnDisk();
    // After a failed pass: when `model`'s file changed on disk, the message offers to reopen it.
    void offerReopenIfChanged(const ModelFile& model);
    std::optional<size_t> selectedTensor() const { return m_selected; }
    void selectTensor(size_t index);
    bool selectTensorByName(const std::string& name);
    void selectRelative(int delta, const std::vector<size_t>& visibleOrder);

    // [SECTION] scheme and calibrators
    const QuantScheme& scheme() const { return m_scheme; }
    void setScheme(const QuantScheme& scheme);
    void setBits(int bits);
    const std::string& activeCalibrator() const { return m_activeCalibrator; }  // base name or "manual"
    void setActiveCalibrator(const std::string& name);
    std::vector<CalibratorChoice>& calibrators() { return m_calibrators; }
    void setCalibratorEnabled(size_t i, bool enabled);
    double percentile() const { return m_percentile; }
    void setPercentile(double p);
    std::string specFor(const std::string& name) const;  // adds the percentile argument
    // Applies a tool preset (core/calib/presets.h): its convention and range shape, its calibrators
    // (with their arguments) enabled and the others hidden. "" or an unknown name: false.
    bool applyPreset(const std::string& name);
    const std::string& preset() const { return m_preset; }
    std::optional<ClipRange> manualRange() const { return m_manual; }
    void setManualRange(ClipRange r);   // also makes "manual" the active row
    void clearManualRange();

    // Compare tab: a second scheme and calibrator evaluated on the same tensor (per tensor only).
    void setCompare(const QuantScheme& scheme, const std::string& calibrator);
    void clearCompare();
    std::optional<std::pair<QuantScheme, std::string>> compare() const { return m_compare; }

    // [SECTION] per-frame
    // Applies finished jobs' results (main thread only).
    void poll();
    // Rebuilds the analysis when an input changed; while `interacting` (a slider or a plot handle
    // is held) only estimates are made; once released the exact pass is queued.
    void update(bool interacting);
    // No job is queued or running and nothing more will be queued for the current inputs.
    bool settled() const;
    // Blocks until jobs are done and applies them (tests, screenshot mode).
    void waitSettled();

    // [SECTION] results for the panels
    std::shared_ptr<const TensorSummary> summary() const;  // of the selected tensor, when ready
    std::string summaryError() const;
    std::shared_ptr<const Analysis> analysis() const { return m_analysis; }
    bool exactPending() const { return m_exactProgress != nullptr; }
    std::shared_ptr<Progress> exactProgress() const { return m_exactProgress; }
    uint64_t analysisSerial() const { return m_analysisSerial; }

    // [SECTION] reference model (the same model in higher precision) and stored quantization
    bool openReference(const std::string& path);  // false: message() says why
    void clearReference();
    std::shared_ptr<const ModelFile> reference() const { return m_reference; }
    // Queues the comparison for the selected tensor when it is stored block-quantized and a reference is open.
    void requestStoredComparison();
    std::shared_ptr<const StoredComparison> storedComparison() const;  // current inputs only
    bool storedComparisonPending() const { return m_storedProgress != nullptr; }
    std::string storedComparisonKey() const;
    // The selected tensor against the same tensor of the second ("reference") file, any dtypes: overlaid
    // histograms and the distribution of x_B − x_A (Compare tab). Queued when missing.
    void requestFileComparison();
    std::shared_ptr<const FileTensorComparison> fileComparison() const;  // current inputs only
    bool fileComparisonPending() const { return m_fileCompareProgress != nullptr; }
    // The selected tensor as llama.cpp's Q8_0 … Q4_0 would store it (Compare tab). Queued when missing.
    void requestGgmlRequant();
    std::shared_ptr<const GgmlRequantComparison> ggmlRequant() const;  // current tensor only
    bool ggmlRequantPending() const { return m_ggmlProgress != nullptr; }
    // An importance matrix (llama-imatrix output, GGUF or legacy .dat) for the llama.cpp types: the tensors it
    // covers are encoded as llama-quantize --imatrix does. Replaces the one loaded; a refused file leaves it
    // and returns why. clearImatrix: back to the plain encoders.
    Result<size_t> loadImatrix(const std::string& path);  // entries read
    // One made in the app (app/views/importance_source.h), shown as `label`.
    void useImatrix(std::shared_ptr<const Imatrix> imatrix, std::string label);
    void clearImatrix();
    std::shared_ptr<const Imatrix> imatrix() const { return m_imatrix; }
    const std::string& imatrixLabel() const { return m_imatrixLabel; }  // the file's name, or what it was made from
    // Every tensor of the current document under each type (started by the user; cancellable).
    void requestGgmlModel();
    std::shared_ptr<const GgmlModelComparison> ggmlModel() const;  // current document only
    std::shared_ptr<Progress> ggmlModelProgress() const { return m_ggmlModelProgress; }
    // One type's round trip of the selected tensor in detail (a clicked row of the table). Queued when the
    // current tensor has no detail for `type` and none is running for it; a running one for another type or
    // tensor is cancelled.
    void requestGgmlDetail(DType type);
    std::shared_ptr<const GgmlDetailResult> ggmlDetail() const;  // current tensor only (any type: check ->type)
    std::shared_ptr<Progress> ggmlDetailProgress() const { return m_ggmlDetailProgress; }
    // Every tensor of the current document against the reference (matched by name), for the whole-model line.
    void requestStoredModelComparison();
    std::shared_ptr<const StoredQuantComparison> storedModelComparison() const;  // current document + reference
    // A summary already computed for any tensor (selection or overview sweep); null otherwise.
    std::shared_ptr<const TensorSummary> cachedSummary(uint64_t docId, size_t tensor) const;

    // [SECTION] whole-model overview
    void startSweep();
    void cancelSweep();
    std::shared_ptr<const Overview> overview() const { return m_overview; }
    std::shared_ptr<Progress> sweepProgress() const { return m_sweepProgress; }

    JobQueue& jobs() { return *m_jobs; }
    const UserMessage& message() const { return m_message; }
    void report(std::string title, std::string text);
    const std::string& status() const { return m_status; }
    void setStatus(std::string s) { m_status = std::move(s); }

    // Last-opened files, newest first (persisted by Settings).
    std::vector<std::string>& recentFiles() { return m_recent; }

private:
    struct SummaryEntry {
        std::shared_ptr<const TensorSummary> value;
        std::shared_ptr<Progress> progress;
        std::string error;
    };
    using TensorKey = std::pair<uint64_t, size_t>;

    void post(std::function<void()> fn);  // from a worker: run fn on the main thread in poll()
    // openModel, or a "title" message naming the file and null.
    std::shared_ptr<const ModelFile> openOrReport(const std::string& path, const char* title);
    void forgetSummaries(uint64_t docId);  // cancels and drops a document's summaries
    void requestSummary(uint64_t docId, size_t tensor);
    void requestSlices();
    void rebuildAnalysis(bool interacting);
    ClipRange cachedRange(const Calibrator& cal, const std::string& spec, const TensorSummary& sum);
    void submitExact();
    void submitSliceCalibration();
    std::string sliceCalKey(const std::string& spec) const;
    std::string exactKey(const CalibRow& row) const;
    void invalidate() { m_dirty = true; }

    std::vector<Document> m_documents;
    int m_currentDoc = -1;
    uint64_t m_nextDocId = 1;
    std::optional<size_t> m_selected;

    QuantScheme m_scheme;
    std::string m_activeCalibrator = "minmax";
    std::vector<CalibratorChoice> m_calibrators;
    double m_percentile = 99.99;
    std::string m_preset = "quantviz";
    std::optional<ClipRange> m_manual;
    std::optional<std::pair<QuantScheme, std::string>> m_compare;

    std::map<TensorKey, SummaryEntry> m_summaries;
    std::shared_ptr<const SliceRanges> m_slices;
    std::shared_ptr<Progress> m_slicesProgress;
    std::string m_slicesRequestKey;
    std::map<std::string, std::shared_ptr<const ErrorReport>> m_exactCache;
    // Exact passes that failed (key → why), e.g. a file truncated under the pass: not asked for again
    // for the same inputs, or the pass would be resubmitted every frame.
    std::map<std::string, std::string> m_exactFailed;
    bool exactMissing(const CalibRow& row) const;  // no result yet and not known to fail
    int64_t m_lastDiskCheckMs = -1;
    bool m_referenceChangeReported = false;
    std::map<std::string, ClipRange> m_rangeCache;  // calibrator answers per (summary, scheme, spec)
    std::mutex m_rangeCacheMutex;
    std::shared_ptr<Progress> m_exactProgress;
    // Per-slice parameters of the non-min-max calibrators (calibrateSlices: a pass over the data).
    std::map<std::string, std::shared_ptr<const QuantParams>> m_sliceCalCache;
    std::vector<std::string> m_sliceCalMissing;  // specs still to compute for the current inputs
    std::shared_ptr<Progress> m_sliceCalProgress;
    std::vector<std::string> m_sliceCalRunning;  // keys the running job computes
    std::vector<std::string> m_sliceCalWanted;   // keys of the current per-slice rows
    std::string m_exactSubmittedFor;

    std::shared_ptr<const Overview> m_overview;
    std::shared_ptr<const ModelFile> m_reference;
    std::shared_ptr<const StoredComparison> m_stored;
    std::shared_ptr<Progress> m_storedProgress;
    std::shared_ptr<const FileTensorComparison> m_fileCompare;
    std::shared_ptr<Progress> m_fileCompareProgress;
    std::tuple<uint64_t, size_t, const ModelFile*> m_fileCompareFor{0, 0, nullptr};  // what the job computes
    std::shared_ptr<const StoredQuantComparison> m_storedModel;
    std::shared_ptr<const GgmlRequantComparison> m_ggml;
    std::shared_ptr<const Imatrix> m_imatrix;
    std::string m_imatrixLabel;
    uint64_t m_imatrixSerial = 0;  // bumped on every load or clear: results computed under another are stale
    std::shared_ptr<Progress> m_ggmlProgress;
    std::pair<uint64_t, size_t> m_ggmlFor{0, 0};  // what the running job computes
    std::shared_ptr<const GgmlModelComparison> m_ggmlModel;
    std::shared_ptr<Progress> m_ggmlModelProgress;
    std::shared_ptr<const GgmlDetailResult> m_ggmlDetail;
    uint64_t m_ggmlDetailSerial = 0;  // the importance matrix the running detail job uses
    std::shared_ptr<Progress> m_ggmlDetailProgress;
    std::tuple<uint64_t, size_t, DType> m_ggmlDetailFor{0, 0, DType::Q4_0};  // what the running job computes
    std::pair<uint64_t, const ModelFile*> m_storedModelKey{0, nullptr};
    std::shared_ptr<Progress> m_storedModelProgress;
    std::shared_ptr<Progress> m_sweepProgress;
    std::shared_ptr<const Analysis> m_analysis;
    uint64_t m_analysisSerial = 0;
    bool m_dirty = true;
    bool m_wantExact = false;

    UserMessage m_message;
    std::string m_status;
    std::vector<std::string> m_recent;

    std::function<void()> m_wake;
    std::mutex m_inboxMutex;
    std::vector<std::function<void()>> m_inbox;
    std::unique_ptr<JobQueue> m_jobs;  // last: destroyed first (joins workers before the rest goes)
};

// Estimate of the error of `params` on sampled values (slice of each value given, or all 0).
// `stride` > 1 uses every stride-th sampled value (while a control is held: 4× cheaper).
ErrorReport estimateOnSample(std::span<const float> values, std::span<const uint32_t> slices,
                             const QuantParams& params, size_t errorBins = 128, size_t stride = 1);

}  // namespace qv
