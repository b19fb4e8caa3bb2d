// SmoothQuantPanel: SmoothQuant (arXiv 2211.10438) on the selected Linear weight and its activations (captured,
// or synthetic with LLM-like outlier channels when the file has none) — per-channel maxima before/after, the
// SQNR table and the output-SQNR-vs-α curve at per-tensor or per-token activation scales, on AppState's jobs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/smooth/smooth_eval.h"

namespace qv {

class AppState;
class Progress;
struct ModelFile;
struct TensorInfo;
struct UiState;

// Largest weight or activation matrix the panel converts to float (as the GEMM panel: 64M elements).
constexpr uint64_t kMaxSmoothElements = uint64_t(64) << 20;
constexpr int kMaxSmoothSynthTokens = 2048;

// Why `t` cannot be SmoothQuant's weight W [C_out, C_in] ("" when it can).
std::string smoothWeightProblem(const TensorInfo& t);
// How well `candidate` fits as the activations of `weight` (its last dimension must equal C_in; that is the
// caller's filter): names that say "activation" score highest, then names sharing more dotted parts with
// the weight's. ≥ 100 means "pick it without asking".
int smoothActivationScore(const std::string& weightName, const TensorInfo& candidate);

class SmoothQuantPanel {
public:
    SmoothQuantPanel();
    ~SmoothQuantPanel();  // cancels a running job; its result is dropped
    SmoothQuantPanel(const SmoothQuantPanel&) = delete;
    SmoothQuantPanel& operator=(const SmoothQuantPanel&) = delete;

    void draw(AppState& state, UiState& ui);
    // The panel's current job is queued or running (it runs on AppState's queue, so AppState::settled() and
    // the screenshot mode wait for it too). A job abandoned for another weight does not count.
    bool busy() const { return m_jobDone && !m_jobDone->load(); }

    // Settings (public so that tests and screenshots can set them).
    float alpha = 0.5f;  // migration strength
    int bits = 8;        // activations and weights, 2..8
    SmoothScaling scaling;  // per-tensor or per-token activations, per-out-channel or per-tensor weights
    int threads = 2;     // GEMM and error passes inside the job

    // Synthetic activations (syntheticActivations, app/views/gemm_view.h, as the GEMM tab): X [tokens, C_in]
    // of unit-variance noise with `synthOutliers` input channels scaled by `synthOutlierScale`.
    int synthTokens = 128;           // M, 1..kMaxSmoothSynthTokens
    int synthShape = 0;              // 0 Gaussian, 1 Laplace
    int synthOutliers = 4;           // 0..C_in, spread evenly over the input channels
    float synthOutlierScale = 30.0f;
    int synthSeed = 1;

    // Activations: synthetic, a tensor of the open model (last dimension C_in) or a .npy file ([tokens, C_in]
    // or [C_in]). The default for a new weight: a tensor whose name says "activation" (score ≥ 100), else
    // synthetic, so that any 2-D weight shows results at once.
    bool selectActivations(const std::string& tensorName);  // false: not a candidate for the current weight
    void setNpyPath(const std::string& path);
    void useSyntheticActivations();  // kept across weights until another source is chosen

    struct Result {
        std::string key;        // everything it was computed for
        std::string layerKey;   // weight and activation source only
        std::string weightName, activationName;  // activationName: a description when synthetic
        bool synthetic = false;
        std::shared_ptr<const SmoothLayer> layer;
        std::shared_ptr<const SmoothSweep> sweep;  // for `bits`
        std::shared_ptr<const SmoothEvaluation> eval;
        std::string error;      // a read failure or a shape that does not fit
    };
    std::shared_ptr<const Result> result() const;

    // What the last frame showed, for the headless tests.
    struct Shown {
        std::string message;       // why nothing is computed (e.g. the tensor cannot be the weight)
        std::string weight, activations;
        bool synthetic = false;    // the result's X is synthetic (and the tab says so)
        std::string syntheticBanner;  // the line that says it, as drawn
        SmoothScaling scaling;     // of the result drawn
        bool result = false;       // a finished result was drawn
        bool stale = false;        // … computed for other inputs, while the new one computes
        bool hasOutput = false;
        double alpha = 0;
        int bits = 0;
        double activationSqnrBefore = 0, activationSqnrAfter = 0;
        double weightSqnrBefore = 0, weightSqnrAfter = 0;
        double outputSqnrBefore = 0, outputSqnrAfter = 0;
        double bestAlpha = -1, bestSqnr = 0;
        std::string note;
    };
    const Shown& shown() const { return m_shown; }

private:
    struct Slot {
        std::mutex mutex;
        std::shared_ptr<const Result> result;
    };
    enum class Source { Synthetic, Tensor, Npy };

    void followSelection(const AppState& state);
    void drawControls();
    void drawScalingControls();
    std::string syntheticKey() const;
    void submitIfNeeded(AppState& state);
    void drawResult(const Result& r);
    void drawTable(const SmoothEvaluation& e, const SmoothSweep* sweep);
    void drawSweep(const SmoothSweep& sw, const SmoothEvaluation& e);
    void drawChannelBars(const char* id, const char* yLabel, const std::vector<float>& before,
                         const std::vector<float>& after, float height);
    std::string layerKey() const;
    std::string wantedKey() const;

    // The weight: the selected tensor of the current document.
    uint64_t m_docId = 0;
    size_t m_weight = size_t(-1);
    std::shared_ptr<const ModelFile> m_model;
    std::string m_weightName, m_weightProblem;
    int64_t m_cOut = 0, m_cIn = 0;
    std::vector<size_t> m_candidates;  // tensors whose last dimension is C_in (not the weight itself)

    Source m_source = Source::Synthetic;
    bool m_syntheticChosen = false;  // by the user: kept when the weight changes
    size_t m_actTensor = 0;
    std::string m_npyPath;
    char m_npyBuf[512] = {};

    std::shared_ptr<Slot> m_slot = std::make_shared<Slot>();
    std::shared_ptr<Progress> m_progress;  // of the current job
    // Set by the current job when it ends. A job cancelled while still queued never runs (JobQueue skips
    // it), so an abandoned job's flag is dropped rather than waited for.
    std::shared_ptr<std::atomic<bool>> m_jobDone;
    std::string m_submittedKey;
    Shown m_shown;
};

}  // namespace qv
