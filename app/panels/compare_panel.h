// ComparePanel: two ways to put two things side by side on the selected tensor.
//  - Two schemes: the active scheme and calibrator (A, left controls) against a second scheme and
//    calibrator (B, set here): the metric table with B − A, the error-vs-value sawtooth of both, both
//    error histograms and both code grids overlaid in two colours (≈ while dragging, exact on release).
//  - Two files: the open file's tensor (A) against the tensor of the same name in a second file (B,
//    File > Open second file to compare, or --reference): both histograms overlaid, the distribution of x_B − x_A and
//    MSE/SQNR/max/cosine between them; when a side is stored block-quantized (GGUF Q4_K, …), also that
//    quantization's error beside quantviz's schemes.
//  - llama.cpp types: the selected tensor as llama.cpp's Q8_0 … Q4_0, Q6_K … Q2_K and IQ4_NL would store it
//    (encoded as llama-quantize writes, decoded as llama.cpp reads), beside the active scheme; a clicked row
//    shows where that type hurts: SQNR per row, the error histogram and error-vs-value envelope, the worst blocks.
//    Its whole-model section measures every tensor under each type and, for a llama-quantize preset (Q4_K_M, …),
//    the plan that preset writes tensor by tensor (core/metrics/ggml_quant_mix.h) with the mix's totals.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/app_state.h"
#include "app/ui_state.h"
#include "app/views/compare_view.h"
#include "core/metrics/ggml_quant_mix.h"

namespace qv {

// A llama-quantize preset planned and measured on one document (the whole-model section's mix; made by a job).
struct GgmlMixResult {
    uint64_t docId = 0;
    GgmlMixPlan plan;
    GgmlMixMeasure measure;
    std::string error;  // why there is no measurement (the plan is still there)
    std::shared_ptr<const Imatrix> imatrix;  // the importance matrix planned and encoded with (null: none)
};

class ComparePanel {
public:
    enum class Mode { Schemes = 0, Files = 1, LlamaCpp = 2 };

    void draw(AppState& state, UiState& ui);

    // What the last frame showed (headless tests).
    struct Shown {
        Mode mode = Mode::Schemes;
        std::vector<CompareMetric> metrics;  // scheme mode: the A/B table
        bool exactA = false, exactB = false;
        size_t errorCurvesDrawn = 0;         // error-vs-value envelopes drawn (A, B)
        LevelBars levelsA, levelsB;          // the code grids drawn
        std::vector<double> errorSharesA, errorSharesB;  // the error histograms as drawn (per pixel column)
        std::shared_ptr<const FileTensorComparison> files;  // file mode: the comparison drawn
        std::string message;                 // file mode: why nothing is drawn (no second file, error)
        bool storedTable = false;            // file mode: the stored-quantization table was shown
        std::shared_ptr<const GgmlRequantComparison> ggml;  // llama.cpp mode: the rows drawn
        bool ggmlQuantvizRow = false;        // llama.cpp mode: the active scheme's row was drawn beside them
        std::shared_ptr<const GgmlModelComparison> ggmlModel;  // llama.cpp mode: the whole-model table drawn
        std::vector<std::pair<float, float>> ggmlRowCentres;  // llama.cpp mode: screen centre of each type's row
        std::optional<DType> ggmlDetailType;                   // the row whose detail is open
        std::shared_ptr<const GgmlDetailResult> ggmlDetail;    // its detail as drawn (null while computing)
        std::vector<double> ggmlRowSqnr;                       // per-row SQNR bars as drawn (sorted when asked)
        size_t ggmlWorstBlocksDrawn = 0;                       // rows of the worst-block table drawn
        std::vector<std::pair<float, float>> ggmlWorstBlockCentres;  // their clickable rows (2-D tensors)
        // llama.cpp mode, whole model, per tensor: the type columns shown, the tensors of the rows drawn (in table
        // order, only the rows the scrolled table drew), the screen centre of each name, and the 1-D tensors left out.
        std::vector<DType> ggmlModelColumns;
        std::vector<size_t> ggmlModelTensorsDrawn;
        std::vector<std::pair<float, float>> ggmlModelNameCentres;
        std::vector<std::pair<float, float>> ggmlModelHeaderCentres;  // tensor, elements, then one per type column
        size_t ggmlModelKept = 0;
        // llama.cpp mode, whole model, preset: the mix drawn (null: no preset, or still computing), whether its row
        // was drawn in the totals table, and the plan rows drawn (tensor indices, in table order).
        std::shared_ptr<const GgmlMixResult> ggmlMix;
        bool ggmlMixInTotals = false;
        std::vector<size_t> ggmlMixTensorsDrawn;
        bool ggmlImportanceColumns = false;  // llama.cpp mode: the imatrix columns were drawn
        std::string imatrixMessage;          // why the last imatrix load failed ("" after a good one)
        std::vector<size_t> imatrixCandidates;  // "from activations": the tensors offered, best first
    };
    const Shown& shown() const { return m_shown; }
    void setMode(Mode m) { m_mode = int(m); }
    // Opens the detail of one llama.cpp type (as a click on its row does; --llamacpp-type). False when `name`
    // ("q4_K", case as dtypeName spells it, or any case) is not one of ggmlRequantTypes().
    bool setLlamaCppDetail(std::string_view name);
    void setLlamaCppDetail(DType type);
    // Which of the detail's tabs to bring forward on the next frame (as a click on it does).
    enum class DetailView { Rows, Errors, Blocks };
    void showLlamaCppDetailView(DetailView v) { m_detailViewRequest = int(v); }
    // Starts the whole-model job on the next llama.cpp frame (as its button does; for screenshots).
    // Starts the whole-model job (as its button does) and scrolls the tab to its section (--llamacpp-model).
    void requestWholeModel() { m_modelRequest = m_modelScroll = true; }
    // The llama-quantize preset the whole-model section plans and measures ("Q4_K_M", any case, Q4_K = Q4_K_M; ""
    // or "none": no preset). False when `name` is not one of ggmlPresets(). Brings the section into view
    // (--llamacpp-preset).
    bool setLlamaCppPreset(std::string_view name);
    // The types the per-tensor table shows a column for (ggmlRequantTypes() order; default q8_0, q6_K, q4_K, q4_0).
    void setWholeModelColumns(std::vector<DType> types) { m_modelTypes = std::move(types); }

private:
    void drawSchemes(AppState& state, UiState& ui);
    void drawFiles(AppState& state, UiState& ui);
    void drawLlamaCpp(AppState& state, UiState& ui);
    void drawLlamaCppModel(AppState& state, UiState& ui);
    void drawLlamaCppModelTensors(AppState& state, UiState& ui, const std::shared_ptr<const GgmlModelComparison>& m);
    std::shared_ptr<const GgmlMixResult> drawLlamaCppPreset(AppState& state);
    void drawLlamaCppMixPlan(AppState& state, const GgmlMixResult& mix);
    void drawLlamaCppDetail(AppState& state, UiState& ui);
    void drawImatrixLine(AppState& state, const GgmlRequantComparison* g);
    void drawDetailRows(AppState& state, UiState& ui, const GgmlDetailResult& d);
    void drawDetailErrors(const GgmlDetailResult& d);
    void drawDetailBlocks(AppState& state, UiState& ui, const GgmlDetailResult& d);

    char m_imatrixInput[1024] = {};  // the path typed for an importance matrix
    int m_mode = -1;  // first frame: files when a second file is open, else schemes
    bool m_enabled = false;
    int m_bits = 4;
    int m_sym = 0;  // 0 symmetric restricted, 1 symmetric full range, 2 asymmetric
    NumberFormat m_format = NumberFormat::Int;  // scheme B's number format (int: m_bits, m_sym apply)
    std::string m_calibrator = "mse";
    std::optional<DType> m_detailType;  // llama.cpp mode: the type whose detail is shown
    bool m_detailScroll = false;        // one-shot: scroll the detail into view (a new type was picked)
    int m_detailViewRequest = -1;  // DetailView to select once, -1: none
    bool m_detailSorted = true;         // per-row SQNR worst first
    bool m_modelScroll = false;  // bring the whole-model section to the top once
    bool m_modelRequest = false;        // one-shot: start the whole-model job
    std::vector<DType> m_modelTypes = {DType::Q8_0, DType::Q6_K, DType::Q4_K, DType::Q4_0};  // per-tensor columns
    int m_modelSortColumn = 0;          // per-tensor table: 0 model order, 1 elements, 2 + k: SQNR of type k
    bool m_modelAscending = true;
    // Whole model, preset: the one picked (index into ggmlPresets(), −1 none); the job's result slot (shared with
    // the job, so a job outliving the panel writes into memory it owns) and what the last submitted job is for.
    struct MixSlot {
        std::mutex mutex;
        std::shared_ptr<const GgmlMixResult> result;
        int preset = -1;
        bool running = false;
    };
    int m_preset = -1;
    std::shared_ptr<MixSlot> m_mixSlot = std::make_shared<MixSlot>();
    std::shared_ptr<Progress> m_mixProgress;
    uint64_t m_mixJobDoc = 0;
    int m_mixJobPreset = -1;
    const Imatrix* m_mixJobImatrix = nullptr;  // identity only: what the last submitted job used
    Shown m_shown;
};

}  // namespace qv
