// SmoothQuantPanel: follows the selection (the weight), picks the activations (captured, or synthetic when the
// file has none), runs the core's evaluation and α sweep as one job on AppState's queue, and draws channel
// maxima, the SQNR table and the α curve.
//
// [SECTION] weight and activation candidates
// [SECTION] the job
// [SECTION] drawing: controls, table, sweep, channel bars
#include "app/panels/smoothquant_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <set>
#include <utility>

#include "app/app_state.h"
#include "app/ui_state.h"
#include "app/views/gemm_view.h"
#include "app/widgets/help.h"
#include "app/widgets/plot.h"
#include "core/formats/model_file.h"
#include "core/formats/npy.h"

namespace qv {

namespace {

constexpr const char* kSmoothHelp =
    "SmoothQuant (Xiao et al. 2023, arXiv 2211.10438). LLM activations have a few input channels with huge "
    "values (outliers): one per-tensor activation scale then leaves the ordinary channels only a few integer "
    "steps. Weights are small and even. SmoothQuant divides input channel j of the activations by s_j and "
    "multiplies column j of the weight by the same s_j: X' = X / s, W' = W * s, so X'W'^T = XW^T exactly "
    "(up to float rounding). The outliers move into the weights, whose per-output-channel scales absorb them. "
    "Nothing is added at run time: the division folds into the layer before (a LayerNorm gain).";
constexpr const char* kAlphaHelp =
    "alpha, the migration strength: s_j = max|X_j|^alpha / max|W_:,j|^(1-alpha). alpha = 0.5 gives activations "
    "and weights the same channel max, sqrt(max|X_j| * max|W_:,j|); a larger alpha moves more difficulty into the "
    "weights (alpha = 1: every activation channel gets max 1), a smaller one keeps it in the activations "
    "(alpha = 0: every weight column gets max 1, which is not the same as no smoothing, s = 1). The paper uses "
    "0.5 for most models and a larger alpha where activation outliers are stronger. A channel whose activations "
    "or weights are all zero gets s_j = 1 (it adds nothing to the output). Drag the yellow line on the curve too.";
constexpr const char* kTableHelp =
    "Before: the layer as it is (s = 1). After: smoothed with the chosen alpha. Activations: one scale for the "
    "whole tensor (clip +-max|X|) or one per token (row of X, clip +-row max), symmetric min-max. Weights: one "
    "scale per output channel (row of W, clip +-row max) or one for the whole tensor. Output: Y_q = Q(X') Q(W')^T "
    "multiplied in integers by the int8 GEMM core (int32 accumulators) and dequantized (per token: "
    "y_ij = s_a,i * s_w,j * acc_ij), against the fp32 product X W^T of the original layer. Range figures: the activation step s_a = max|X| / qmax (per token: the median row step), "
    "and how many steps the median channel's max|X_j| spans. When an outlier channel sets the step, an ordinary "
    "channel gets only a handful of codes.";
constexpr const char* kScalingHelp =
    "How many scales each operand gets. Activations per tensor: one scale for all of X, fixed for the layer "
    "(the SmoothQuant paper's O2/O3). Per token: one scale per row of X, computed at run time from that row's "
    "max (the paper's O1; LLM.int8()'s vector-wise quantization). A per-token scale is the same along the "
    "whole dot product of a row, so it is applied after the int32 accumulation: y_ij = s_a,i * s_w,j * acc_ij. "
    "It helps when rows have different ranges, but an outlier channel is in every row, so it does not remove "
    "the outlier problem: smoothing still helps on top of it. Weights per channel (one scale per output channel, "
    "a row of W: what int8 GEMM libraries use) or per tensor (the paper's setting).";
constexpr const char* kSyntheticHelp =
    "No activations were captured for this weight, so X is made up: M rows of unit-variance Gaussian or "
    "Laplace noise with a few input channels (spread evenly over C_in) scaled up, like the outlier channels of "
    "real LLM activations (Dettmers et al., LLM.int8(), arXiv 2208.07339; Xiao et al., SmoothQuant). The same "
    "generator as the GEMM tab. The numbers show what SmoothQuant does to this weight against such inputs, not "
    "what it does in the real model: capture the layer's inputs (a .npy [tokens, C_in]) for that.";
constexpr const char* kSyntheticTag = "synthetic X: LLM-like outlier channels, not captured";

const ImU32 kBeforeColor = IM_COL32(235, 140, 60, 255);
const ImU32 kAfterColor = IM_COL32(90, 170, 250, 255);
const ImU32 kAlphaColor = IM_COL32(250, 220, 80, 255);
const ImU32 kBestColor = IM_COL32(110, 220, 110, 255);

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::set<std::string> nameParts(const std::string& name) {
    std::set<std::string> parts;
    std::string cur;
    for (char c : lower(name) + ".") {
        if (c == '.' || c == '_' || c == '/') {
            if (!cur.empty()) parts.insert(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return parts;
}

// A one-line legend of coloured words above a plot (the plot's own legend would cover the curves).
void legendLine(std::initializer_list<std::pair<const char*, ImU32>> items) {
    bool firstItem = true;
    for (const auto& [label, color] : items) {
        if (!firstItem) ImGui::SameLine(0, ImGui::GetFontSize() * 0.8f);
        firstItem = false;
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color), "\u2014 %s", label);
    }
}

// The table's cells: the unit is in the header.
std::string formatNumberDb(double db) {
    if (std::isinf(db)) return db > 0 ? "inf" : "-inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", db);
    return buf;
}

std::string formatDb(double db) {
    if (std::isinf(db)) return db > 0 ? "inf" : "-inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f dB", db);
    return buf;
}

}  // namespace

// [SECTION] weight and activation candidates

std::string smoothWeightProblem(const TensorInfo& t) {
    if (t.shape.size() != 2) {
        std::string why = t.name;
        why += " is ";
        why += std::to_string(t.shape.size());
        why += "-D ";
        why += t.shapeString();
        why += ": SmoothQuant needs a Linear weight W [C_out, C_in], a 2-D matrix. Select one (e.g. an mlp.up_proj "
               "or self_attn.q_proj weight).";
        return why;
    }
    if (t.elements() == 0) return t.name + " is empty.";
    if (t.elements() > kMaxSmoothElements) {
        std::string why = t.name;
        why += " has more than 64M elements: too large for this tab.";
        return why;
    }
    return {};
}

int smoothActivationScore(const std::string& weightName, const TensorInfo& candidate) {
    const std::string n = lower(candidate.name);
    int score = 0;
    if (n.find("activation") != std::string::npos || n.find("act_scale") != std::string::npos) score += 100;
    if (candidate.shape.size() >= 2) score += 10;
    const std::set<std::string> a = nameParts(weightName), b = nameParts(candidate.name);
    for (const auto& p : b)
        if (a.count(p)) ++score;
    return score;
}

SmoothQuantPanel::SmoothQuantPanel() = default;

SmoothQuantPanel::~SmoothQuantPanel() {
    if (m_progress) m_progress->cancel();
}

std::shared_ptr<const SmoothQuantPanel::Result> SmoothQuantPanel::result() const {
    std::lock_guard lock(m_slot->mutex);
    return m_slot->result;
}

void SmoothQuantPanel::followSelection(const AppState& state) {
    const Document* d = state.currentDocument();
    const uint64_t docId = d ? d->id : 0;
    const size_t sel = state.selectedTensor().value_or(size_t(-1));
    if (docId == m_docId && sel == m_weight) return;
    const bool sameDoc = docId == m_docId;
    m_docId = docId;
    m_weight = sel;
    m_model = d ? d->model : nullptr;
    m_weightName.clear();
    m_weightProblem.clear();
    m_candidates.clear();
    m_cOut = m_cIn = 0;
    if (!m_model || sel >= m_model->tensors.size()) {
        m_weightProblem = "Select a Linear weight [C_out, C_in] in the model browser.";
        return;
    }
    const TensorInfo& w = m_model->tensors[sel];
    m_weightName = w.name;
    m_weightProblem = smoothWeightProblem(w);
    if (!m_weightProblem.empty()) return;
    m_cOut = w.shape[0];
    m_cIn = w.shape[1];
    int bestScore = -1;
    size_t best = 0;
    for (size_t i = 0; i < m_model->tensors.size(); ++i) {
        const TensorInfo& t = m_model->tensors[i];
        if (i == sel || t.shape.empty() || t.shape.back() != m_cIn || t.elements() == 0) continue;
        m_candidates.push_back(i);
        const int s = smoothActivationScore(m_weightName, t);
        if (s > bestScore) {
            bestScore = s;
            best = i;
        }
    }
    // Keep the user's choice while it still fits; otherwise pick a tensor named like activations, and
    // synthetic activations when none is (most model files carry no captured activations).
    const bool keep = m_source == Source::Npy || (m_source == Source::Synthetic && m_syntheticChosen) ||
                      (m_source == Source::Tensor && sameDoc &&
                       std::find(m_candidates.begin(), m_candidates.end(), m_actTensor) != m_candidates.end());
    if (keep) return;
    m_source = bestScore >= 100 ? Source::Tensor : Source::Synthetic;
    m_actTensor = bestScore >= 100 ? best : 0;
}

bool SmoothQuantPanel::selectActivations(const std::string& tensorName) {
    if (!m_model) return false;
    for (size_t i : m_candidates)
        if (m_model->tensors[i].name == tensorName) {
            m_source = Source::Tensor;
            m_syntheticChosen = false;
            m_actTensor = i;
            return true;
        }
    return false;
}

void SmoothQuantPanel::useSyntheticActivations() {
    m_source = Source::Synthetic;
    m_syntheticChosen = true;
}

void SmoothQuantPanel::setNpyPath(const std::string& path) {
    m_npyPath = path;
    std::snprintf(m_npyBuf, sizeof m_npyBuf, "%s", path.c_str());
    m_source = Source::Npy;
    m_syntheticChosen = false;
}

std::string SmoothQuantPanel::syntheticKey() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "s%d/%d/%d/%.6g/%d", std::clamp(synthTokens, 1, kMaxSmoothSynthTokens),
                  synthShape == 1 ? 1 : 0, std::max(0, synthOutliers), double(synthOutlierScale), synthSeed);
    return buf;
}

std::string SmoothQuantPanel::layerKey() const {
    std::string k = std::to_string(m_docId) + ":" + std::to_string(m_weight) + ":";
    if (m_source == Source::Tensor) k += "t" + std::to_string(m_actTensor);
    else if (m_source == Source::Npy) k += "n" + m_npyPath;
    else k += syntheticKey();
    return k;
}

std::string SmoothQuantPanel::wantedKey() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "|%d|%d%d|%.4f", std::clamp(bits, 2, 8), int(scaling.activations),
                  int(scaling.weights), double(std::clamp(alpha, 0.0f, 1.0f)));
    return layerKey() + buf;
}

// [SECTION] the job

namespace {

// What the synthetic activations are, for the job (by value) and the banner.
struct SyntheticSpec {
    int64_t tokens = 128;
    ActivationShape shape = ActivationShape::Gaussian;
    int outliers = 4;
    float outlierScale = 30.0f;
    uint32_t seed = 1;
    std::string describe(int64_t cIn) const {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s [%lld, %lld], %d outlier ch. x%.3g, seed %u",
                      shape == ActivationShape::Laplace ? "Laplace" : "Gaussian", static_cast<long long>(tokens),
                      static_cast<long long>(cIn), outliers, double(outlierScale), seed);
        return buf;
    }
};

// The weight with synthetic activations X [tokens, C_in] (the GEMM tab's generator).
Result<SmoothLayer> syntheticLayer(const ModelFile& model, size_t weight, int64_t cOut, int64_t cIn,
                                   const SyntheticSpec& spec, int threads) {
    auto w = model.view(weight).toFloat(kMaxSmoothElements);
    if (!w) return makeError("weight " + model.tensors[weight].name + ": " + w.message());
    if (uint64_t(spec.tokens) * uint64_t(cIn) > kMaxSmoothElements)
        return makeError("synthetic activations of " + std::to_string(spec.tokens) + " tokens x " + std::to_string(cIn) +
                         " channels exceed 64M values: use fewer tokens");
    std::vector<float> x =
        syntheticActivations(spec.tokens, cIn, spec.shape, spec.outliers, spec.outlierScale, spec.seed);
    return makeSmoothLayer(std::move(*w), cOut, cIn, std::move(x), spec.tokens, threads);
}

// Reads the activations (a tensor of `model` or the .npy at `npyPath`) and builds the layer.
Result<SmoothLayer> loadLayer(const ModelFile& model, size_t weight, int64_t cOut, int64_t cIn, bool fromNpy,
                              size_t actTensor, const std::string& npyPath, int threads, std::string& actName) {
    auto w = model.view(weight).toFloat(kMaxSmoothElements);
    if (!w) return makeError("weight " + model.tensors[weight].name + ": " + w.message());
    std::shared_ptr<const ModelFile> npy;
    const ModelFile* src = &model;
    size_t idx = actTensor;
    if (fromNpy) {
        auto f = openNpy(npyPath);
        if (!f) return f.error();
        npy = std::make_shared<const ModelFile>(std::move(*f));
        src = npy.get();
        idx = 0;
    }
    const TensorInfo& t = src->tensors[idx];
    actName = fromNpy ? npyPath : t.name;
    if (t.shape.empty() || t.shape.back() != cIn || t.elements() == 0) {
        return makeError(actName + " has shape " + t.shapeString() + ": the activations must be [tokens, C_in] or a [C_in] " +
                         "absmax vector with C_in = " + std::to_string(cIn) + " (the weight's last dimension)");
    }
    auto x = src->view(idx).toFloat(kMaxSmoothElements);
    if (!x) return makeError(actName + ": " + x.message());
    if (t.shape.size() == 1) return makeSmoothLayerFromAbsMax(std::move(*w), cOut, cIn, std::move(*x));
    const int64_t tokens = static_cast<int64_t>(x->size()) / cIn;  // leading dimensions flattened
    return makeSmoothLayer(std::move(*w), cOut, cIn, std::move(*x), tokens, threads);
}

}  // namespace

void SmoothQuantPanel::submitIfNeeded(AppState& state) {
    const std::string key = wantedKey();
    auto current = result();
    if (current && current->key == key) return;
    const std::string lk = layerKey();
    if (busy()) {
        // An α or bits change waits for the running job (the finished result is shown meanwhile). A job for
        // another weight or source is useless now: cancel and abandon it (it publishes nothing).
        if (m_submittedKey.compare(0, lk.size() + 1, lk + "|") == 0) return;
        m_progress->cancel();
        m_jobDone.reset();
    }
    m_submittedKey = key;
    auto done = std::make_shared<std::atomic<bool>>(false);
    m_jobDone = done;
    // Everything the job needs, by value: it never touches the panel.
    std::shared_ptr<const SmoothLayer> layer;
    std::shared_ptr<const SmoothSweep> sweep;
    std::string actName;
    const int b = std::clamp(bits, 2, 8);
    if (current && current->layerKey == lk && current->layer) {
        layer = current->layer;
        actName = current->activationName;
        if (current->sweep && current->sweep->bits == b && current->sweep->scaling == scaling) sweep = current->sweep;
    }
    auto slot = m_slot;
    auto model = m_model;
    const size_t weight = m_weight, actTensor = m_actTensor;
    const int64_t cOut = m_cOut, cIn = m_cIn;
    const bool fromNpy = m_source == Source::Npy, synthetic = m_source == Source::Synthetic;
    SyntheticSpec spec;
    spec.tokens = std::clamp(synthTokens, 1, kMaxSmoothSynthTokens);
    spec.shape = synthShape == 1 ? ActivationShape::Laplace : ActivationShape::Gaussian;
    spec.outliers = int(std::clamp<int64_t>(synthOutliers, 0, cIn));
    spec.outlierScale = synthOutlierScale;
    spec.seed = static_cast<uint32_t>(synthSeed);
    const SmoothScaling sc = scaling;
    const std::string npyPath = m_npyPath, weightName = m_weightName;
    const double a = std::clamp(double(alpha), 0.0, 1.0);
    const int nThreads = std::max(1, threads);
    m_progress = state.jobs().submit("SmoothQuant", [=](Progress& progress) mutable {
        auto res = std::make_shared<Result>();
        res->key = key;
        res->layerKey = lk;
        res->weightName = weightName;
        res->activationName = actName;
        res->synthetic = synthetic;
        auto finish = [&] {
            if (!progress.cancelled()) {
                std::lock_guard lock(slot->mutex);
                slot->result = res;
            }
            done->store(true);  // after publishing: once busy() is false, result() has it
        };
        if (progress.cancelled()) return finish();
        if (!layer) {
            if (synthetic) res->activationName = spec.describe(cIn);
            auto l = synthetic ? syntheticLayer(*model, weight, cOut, cIn, spec, nThreads)
                               : loadLayer(*model, weight, cOut, cIn, fromNpy, actTensor, npyPath, nThreads,
                                           res->activationName);
            if (!l) {
                res->error = l.message();
                return finish();
            }
            layer = std::make_shared<const SmoothLayer>(std::move(*l));
        }
        res->layer = layer;
        if (progress.cancelled()) return finish();
        if (!sweep) {
            SmoothSettings sweepSet;
            sweepSet.bits = b;
            sweepSet.scaling = sc;
            sweepSet.threads = nThreads;
            auto s = sweepSmoothing(*layer, sweepSet, &progress);
            if (!s) {
                res->error = s.message();
                return finish();
            }
            sweep = std::make_shared<const SmoothSweep>(std::move(*s));
        }
        res->sweep = sweep;
        SmoothSettings set;
        set.alpha = a;
        set.bits = b;
        set.scaling = sc;
        set.threads = nThreads;
        auto e = evaluateSmoothing(*layer, set, &sweep->before);
        if (!e) res->error = e.message();
        else res->eval = std::make_shared<const SmoothEvaluation>(std::move(*e));
        finish();
    });
}

// [SECTION] drawing: controls, table, sweep, channel bars

void SmoothQuantPanel::draw(AppState& state, UiState& ui) {
    (void)ui;
    followSelection(state);
    m_shown = Shown{};

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("SmoothQuant");
    ImGui::SameLine();
    helpMarker(kSmoothHelp);
    ImGui::SameLine();
    if (!m_weightProblem.empty()) {
        m_shown.message = m_weightProblem;
        ImGui::TextWrapped("%s", m_weightProblem.c_str());
        return;
    }
    m_shown.weight = m_weightName;
    ImGui::Text("W = %s [%lld, %lld]", m_weightName.c_str(), static_cast<long long>(m_cOut),
                static_cast<long long>(m_cIn));
    drawControls();
    if (m_source == Source::Npy && m_npyPath.empty()) {
        m_shown.message = "Enter the path of a .npy file ([tokens, C_in] activations or a [C_in] vector of max|X_j|, "
                          "C_in = " + std::to_string(m_cIn) + ") and press Enter or Load.";
        ImGui::TextWrapped("%s", m_shown.message.c_str());
        return;
    }
    submitIfNeeded(state);
    auto r = result();
    if (!r || r->layerKey.rfind(std::to_string(m_docId) + ":", 0) != 0) {
        ImGui::TextDisabled("computing…");
        return;
    }
    drawResult(*r);
}

void SmoothQuantPanel::drawControls() {
    const float em = ImGui::GetFontSize();
    // Activations.
    std::string current = "synthetic (not captured)";
    if (m_source == Source::Tensor && m_model && m_actTensor < m_model->tensors.size())
        current = m_model->tensors[m_actTensor].name;
    else if (m_source == Source::Npy)
        current = "from .npy file";
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("X =");
    ImGui::SameLine();
    // Narrow windows: the combo gives way so that α and bits stay on the line.
    ImGui::SetNextItemWidth(std::clamp(ImGui::GetContentRegionAvail().x - em * 20, em * 8, em * 17));
    if (ImGui::BeginCombo("##activations", current.c_str(), ImGuiComboFlags_HeightLarge)) {
        if (ImGui::Selectable("synthetic: LLM-like outlier channels, not captured", m_source == Source::Synthetic))
            useSyntheticActivations();
        for (size_t i : m_candidates) {
            const TensorInfo& t = m_model->tensors[i];
            const std::string label = t.name + " " + t.shapeString();
            if (ImGui::Selectable(label.c_str(), m_source == Source::Tensor && m_actTensor == i)) {
                m_source = Source::Tensor;
                m_syntheticChosen = false;
                m_actTensor = i;
            }
        }
        if (ImGui::Selectable("from .npy file", m_source == Source::Npy)) {
            m_source = Source::Npy;
            m_syntheticChosen = false;
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    helpMarker("The activations X that feed this layer: a tensor of the open model whose last dimension equals C_in "
               "(captured inputs [tokens, C_in], or a [C_in] vector of per-channel max|X_j|, SmoothQuant's act_scales), "
               "a .npy file captured elsewhere, or synthetic activations with LLM-like outlier channels (the default "
               "when no tensor of the file is named like activations). With the maxima only, the activation SQNR and "
               "the output error cannot be computed; the tab then shows the range figures.");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 8);
    ImGui::SliderFloat("\u03b1", &alpha, 0.0f, 1.0f, "%.2f");
    ImGui::SameLine();
    helpMarker(kAlphaHelp);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 5);
    ImGui::SliderInt("bits", &bits, 2, 8);
    bits = std::clamp(bits, 2, 8);
    alpha = std::clamp(alpha, 0.0f, 1.0f);
    drawScalingControls();
    if (busy()) {
        ImGui::SameLine();
        // The α sweep reports its points; a single α (the sweep kept) is too quick to need a bar.
        const float f = m_progress ? float(m_progress->fraction()) : 0.0f;
        if (f > 0 && f < 1) ImGui::ProgressBar(f, ImVec2(ImGui::GetFontSize() * 6, 0), "sweep");
        else ImGui::TextDisabled("computing…");
    }
    if (m_source == Source::Npy) {
        ImGui::SetNextItemWidth(em * 24);
        if (ImGui::InputTextWithHint("##npy", "path/to/activations.npy", m_npyBuf, sizeof m_npyBuf,
                                     ImGuiInputTextFlags_EnterReturnsTrue))
            m_npyPath = m_npyBuf;
        ImGui::SameLine();
        if (ImGui::Button("Load")) m_npyPath = m_npyBuf;
    }
}

// One line: the scale granularity of each operand and, for synthetic X, a button to the generator's settings.
void SmoothQuantPanel::drawScalingControls() {
    const float em = ImGui::GetFontSize();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("scales: X");
    ImGui::SameLine();
    // Each combo as wide as its longest entry and the arrow.
    auto comboWidth = [](const char* longest) {
        return ImGui::CalcTextSize(longest).x + ImGui::GetFrameHeight() + ImGui::GetStyle().FramePadding.x * 2;
    };
    int a = scaling.activations == ActivationScaling::PerToken ? 1 : 0;
    ImGui::SetNextItemWidth(comboWidth("per tensor"));
    if (ImGui::Combo("##smooth_xscale", &a, "per tensor\0per token\0"))
        scaling.activations = a == 1 ? ActivationScaling::PerToken : ActivationScaling::PerTensor;
    ImGui::SameLine();
    ImGui::TextUnformatted("W");
    ImGui::SameLine();
    int w = scaling.weights == WeightScaling::PerTensor ? 1 : 0;
    ImGui::SetNextItemWidth(comboWidth("per channel"));
    if (ImGui::Combo("##smooth_wscale", &w, "per channel\0per tensor\0"))
        scaling.weights = w == 1 ? WeightScaling::PerTensor : WeightScaling::PerChannel;
    ImGui::SameLine();
    helpMarker(kScalingHelp);
    if (m_source != Source::Synthetic) return;
    ImGui::SameLine();
    if (ImGui::Button("synthetic X...")) ImGui::OpenPopup("##smooth_synth");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Tokens, distribution, outlier channels and seed of the synthetic X");
    if (ImGui::BeginPopup("##smooth_synth")) {
        ImGui::TextUnformatted("Synthetic activations (LLM-like outlier channels, not captured)");
        ImGui::SameLine();
        helpMarker(kSyntheticHelp);
        ImGui::SetNextItemWidth(em * 10);
        ImGui::Combo("distribution", &synthShape, "Gaussian\0Laplace\0");
        ImGui::SetNextItemWidth(em * 10);
        ImGui::SliderInt("tokens M", &synthTokens, 1, kMaxSmoothSynthTokens, "%d", ImGuiSliderFlags_Logarithmic);
        ImGui::SetNextItemWidth(em * 10);
        ImGui::SliderInt("outlier channels", &synthOutliers, 0, int(std::min<int64_t>(m_cIn, 64)));
        ImGui::SetNextItemWidth(em * 10);
        ImGui::SliderFloat("outlier scale", &synthOutlierScale, 1.0f, 100.0f, "x%.0f");
        ImGui::SetNextItemWidth(em * 10);
        ImGui::InputInt("seed", &synthSeed);
        ImGui::EndPopup();
    }
    synthTokens = std::clamp(synthTokens, 1, kMaxSmoothSynthTokens);
    synthOutliers = std::clamp(synthOutliers, 0, int(std::max<int64_t>(m_cIn, 0)));
    synthOutlierScale = std::clamp(synthOutlierScale, 1.0f, 1000.0f);
    synthShape = synthShape == 1 ? 1 : 0;
}

void SmoothQuantPanel::drawResult(const Result& r) {
    const float em = ImGui::GetFontSize();
    m_shown.result = true;
    m_shown.stale = r.key != wantedKey();
    m_shown.activations = r.activationName;
    if (!r.error.empty()) {
        ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", r.error.c_str());
        m_shown.message = r.error;
        return;
    }
    if (!r.eval) return;
    const SmoothEvaluation& e = *r.eval;
    m_shown.alpha = e.alpha;
    m_shown.bits = e.bits;
    m_shown.scaling = e.scaling;
    m_shown.hasOutput = e.hasOutput;
    m_shown.note = e.note;
    m_shown.synthetic = r.synthetic;
    if (r.synthetic) {
        // Above every number and plot of the tab: these are not the model's activations.
        m_shown.syntheticBanner = std::string(kSyntheticTag) + ": " + r.activationName;
        // Wrapped short of the right edge so that the "(?)" after it stays inside the tab.
        const float marker = ImGui::CalcTextSize("(?)").x + ImGui::GetStyle().ItemSpacing.x;
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::max(em * 10, ImGui::GetContentRegionAvail().x - marker));
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.78f, 0.35f, 1.0f));
        ImGui::TextUnformatted(m_shown.syntheticBanner.c_str());
        ImGui::PopStyleColor();
        ImGui::PopTextWrapPos();
        helpMarker(kSyntheticHelp);
    }

    // Left: the numbers and the α curve; right: the channel maxima.
    const float avail = ImGui::GetContentRegionAvail().x;
    // 25 em holds the table and the legend; narrow tabs give up to 4 em of it, wide ones give half.
    const float leftW = std::max(em * 21, std::min(avail * 0.56f, std::max(em * 25, avail * 0.5f)));
    const float height = ImGui::GetContentRegionAvail().y;
    ImGui::BeginChild("##smooth_left", ImVec2(leftW, height), false);
    if (r.weightName != m_weightName)
        ImGui::TextDisabled("(showing %s while the new weight computes)", r.weightName.c_str());
    drawTable(e, r.sweep.get());
    if (r.sweep) drawSweep(*r.sweep, e);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##smooth_right", ImVec2(0, height), false);
    legendLine({{"before (s = 1)", kBeforeColor}, {"after", kAfterColor}});
    const float barH = std::max(em * 5, (ImGui::GetContentRegionAvail().y - ImGui::GetStyle().ItemSpacing.y) * 0.5f);
    drawChannelBars("##smooth_x", r.synthetic ? "log10 max|X_j|, synthetic" : "log10 max|X_j|", r.layer->actAbsMax,
                    e.actAbsMaxAfter, barH);
    drawChannelBars("##smooth_w", "log10 max|W_:,j|", r.layer->weightAbsMax, e.weightAbsMaxAfter, barH);
    ImGui::EndChild();
}

void SmoothQuantPanel::drawTable(const SmoothEvaluation& e, const SmoothSweep* sweep) {
    const SmoothSide &b = e.before, &a = e.after;
    m_shown.weightSqnrBefore = b.weight.sqnrDb;
    m_shown.weightSqnrAfter = a.weight.sqnrDb;
    if (e.hasOutput) {
        m_shown.activationSqnrBefore = b.activation.sqnrDb;
        m_shown.activationSqnrAfter = a.activation.sqnrDb;
        m_shown.outputSqnrBefore = b.output.sqnrDb;
        m_shown.outputSqnrAfter = a.output.sqnrDb;
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("##smooth_numbers", 4, flags)) {
        char first[40], after[48];
        const bool perToken = e.scaling.activations == ActivationScaling::PerToken;
        std::snprintf(first, sizeof first, "int%d dB, X per %s", e.bits, perToken ? "token" : "tensor");
        std::snprintf(after, sizeof after, "after, \u03b1 %.2f", e.alpha);
        ImGui::TableSetupColumn(first);
        ImGui::TableSetupColumn("before");
        ImGui::TableSetupColumn(after);
        ImGui::TableSetupColumn("change");
        ImGui::TableHeadersRow();
        auto row = [](const char* name, const std::string& before, const std::string& afterText, const std::string& change,
                      bool better) {
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(name);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(before.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(afterText.c_str());
            ImGui::TableNextColumn();
            ImGui::TextColored(better ? ImVec4(0.45f, 0.9f, 0.45f, 1) : ImVec4(1, 0.6f, 0.4f, 1), "%s", change.c_str());
        };
        auto dbRow = [&](const char* name, double before, double afterDb) {
            char d[32];
            std::snprintf(d, sizeof d, "%+.2f", afterDb - before);
            row(name, formatNumberDb(before), formatNumberDb(afterDb), d, afterDb >= before);
        };
        const char* na = "needs X";
        if (e.hasOutput) {
            dbRow("activ. SQNR", b.activation.sqnrDb, a.activation.sqnrDb);
        } else {
            row("activ. SQNR", na, na, "", true);
        }
        dbRow("weight SQNR", b.weight.sqnrDb, a.weight.sqnrDb);
        if (e.hasOutput) dbRow("output SQNR", b.output.sqnrDb, a.output.sqnrDb);
        else row("output SQNR", na, na, "", true);
        char sb[32], sa[32], ch[32];
        std::snprintf(sb, sizeof sb, "%.4g", b.activationScale);
        std::snprintf(sa, sizeof sa, "%.4g", a.activationScale);
        // X' is rescaled too: the step alone is not comparable. Per token: the median of the row steps.
        row(perToken ? "median row step" : "activ. step", sb, sa, "", true);
        std::snprintf(sb, sizeof sb, "%.1f", b.medianChannelSteps);
        std::snprintf(sa, sizeof sa, "%.1f", a.medianChannelSteps);
        std::snprintf(ch, sizeof ch, "x%.1f", b.medianChannelSteps > 0 ? a.medianChannelSteps / b.medianChannelSteps : 0.0);
        row("median ch. steps", sb, sa, ch, a.medianChannelSteps >= b.medianChannelSteps);
        ImGui::EndTable();
    }
    if (!e.hasOutput) {
        ImGui::TextWrapped("%s.", e.note.c_str());
        ImGui::SameLine();
        helpMarker(kTableHelp);
        return;
    }
    if (sweep && sweep->best >= 0) {
        m_shown.bestAlpha = sweep->bestAlpha();
        m_shown.bestSqnr = sweep->outputSqnrDb[static_cast<size_t>(sweep->best)];
        ImGui::Text("best \u03b1 %.2f: output %s (s = 1: %s)", m_shown.bestAlpha, formatDb(m_shown.bestSqnr).c_str(),
                    formatDb(sweep->noSmoothingOutputSqnrDb).c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("use")) alpha = float(m_shown.bestAlpha);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Set alpha to the best of the sweep (0, 0.05, ..., 1)");
    }
    ImGui::SameLine();
    helpMarker(kTableHelp);
}

void SmoothQuantPanel::drawSweep(const SmoothSweep& sw, const SmoothEvaluation& e) {
    if (ImGui::GetContentRegionAvail().y < ImGui::GetFontSize() * 5) return;
    if (sw.outputSqnrDb.empty()) legendLine({{"weight SQNR", kBeforeColor}, {"\u03b1", kAlphaColor}});
    else legendLine({{"output", IM_COL32(235, 235, 235, 255)}, {"activ.", kAfterColor}, {"weights", kBeforeColor},
                     {"\u03b1", kAlphaColor}, {"best", kBestColor}, {"s = 1", IM_COL32(160, 160, 160, 255)}});
    if (!plot::BeginPlot("##smooth_sweep", ImVec2(-1, ImGui::GetContentRegionAvail().y), plot::kNoLegend)) return;
    // y range over every curve shown, with a margin.
    double lo = INFINITY, hi = -INFINITY;
    auto extend = [&](const std::vector<double>& v) {
        for (double d : v)
            if (std::isfinite(d)) {
                lo = std::min(lo, d);
                hi = std::max(hi, d);
            }
    };
    extend(sw.outputSqnrDb);
    extend(sw.activationSqnrDb);
    extend(sw.weightSqnrDb);
    if (!(hi >= lo)) lo = 0, hi = 1;
    const double pad = std::max(1.0, 0.06 * (hi - lo));
    plot::SetupX(0.0, 1.0, "\u03b1");
    plot::SetupY(lo - pad, hi + pad, "SQNR dB");
    const plot::Transform& tr = plot::CurrentTransform();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    auto curve = [&](const char* label, const std::vector<double>& ys, ImU32 color, float thickness) {
        plot::LegendEntry(label, color);
        if (plot::IsItemHidden(label) || ys.size() != sw.alphas.size()) return;
        dl->PushClipRect(tr.p0, tr.p1, true);
        for (size_t k = 1; k < ys.size(); ++k)
            if (std::isfinite(ys[k - 1]) && std::isfinite(ys[k]))
                dl->AddLine(ImVec2(tr.x(sw.alphas[k - 1]), tr.y(ys[k - 1])), ImVec2(tr.x(sw.alphas[k]), tr.y(ys[k])), color,
                            thickness);
        for (size_t k = 0; k < ys.size(); ++k)
            if (std::isfinite(ys[k])) dl->AddCircleFilled(ImVec2(tr.x(sw.alphas[k]), tr.y(ys[k])), thickness + 0.5f, color);
        dl->PopClipRect();
    };
    curve("output", sw.outputSqnrDb, IM_COL32(235, 235, 235, 255), 2.0f);
    curve("activations", sw.activationSqnrDb, kAfterColor, 1.0f);
    curve("weights", sw.weightSqnrDb, kBeforeColor, 1.0f);
    if (!sw.outputSqnrDb.empty()) plot::PlotHLine("no smoothing", sw.noSmoothingOutputSqnrDb, IM_COL32(160, 160, 160, 200));
    if (sw.best >= 0) plot::PlotVLine("best alpha", sw.bestAlpha(), kBestColor, 1.5f);
    double x = e.alpha;
    if (plot::DragVLine("alpha", &x, kAlphaColor)) alpha = float(std::clamp(x, 0.0, 1.0));
    plot::EndPlot();
}

void SmoothQuantPanel::drawChannelBars(const char* id, const char* yLabel, const std::vector<float>& before,
                                       const std::vector<float>& after, float height) {
    const size_t n = std::min(before.size(), after.size());
    if (n == 0) return;
    // log10 on a linear axis: the maxima span decades (outliers ×60 beside channels near 1), and the plot
    // widget's own log scale is made for counts ≥ 1.
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < n; ++j)
        for (float v : {before[j], after[j]})
            if (v > 0 && std::isfinite(v)) {
                lo = std::min(lo, std::log10(double(v)));
                hi = std::max(hi, std::log10(double(v)));
            }
    if (!(hi >= lo)) lo = -1, hi = 1;
    lo = std::floor(lo * 2) / 2 - 0.25;
    hi += 0.15;
    if (!plot::BeginPlot(id, ImVec2(-1, height), plot::kNoLegend)) return;
    plot::SetupX(0.0, double(n), "input channel j");
    plot::SetupY(lo, hi, yLabel);
    plot::LegendEntry("before", kBeforeColor);
    plot::LegendEntry("after", kAfterColor);
    const plot::Transform& tr = plot::CurrentTransform();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(tr.p0, tr.p1, true);
    // One slot per channel, or per group of channels when they are narrower than 3 pixels, drawn at the
    // group's largest value (outliers never drop out, the Tracy habit).
    const double x0 = plot::ViewXLo(), x1 = plot::ViewXHi();
    const int px = std::max(1, plot::PixelWidth());
    const double perPixel = (x1 - x0) / px;
    const double group = std::max(1.0, std::ceil(perPixel * 3));  // channels per drawn slot: ≥ 3 px each
    const bool showBefore = !plot::IsItemHidden("before"), showAfter = !plot::IsItemHidden("after");
    const size_t first = size_t(std::clamp(std::floor(x0 / group) * group, 0.0, double(n)));
    const size_t last = size_t(std::clamp(std::ceil(x1), 0.0, double(n)));
    const float base = tr.p1.y;
    for (size_t j = first; j < last; j += size_t(group)) {
        float mb = 0, ma = 0;
        for (size_t k = j; k < std::min(n, j + size_t(group)); ++k) {
            mb = std::max(mb, before[k]);
            ma = std::max(ma, after[k]);
        }
        // Both bars over the whole slot, the taller behind: each stays visible where it exceeds the other.
        const float xa = tr.x(double(j)), xb = std::max(tr.x(double(j) + group) - 1.0f, xa + 1.0f);
        auto bar = [&](float v, ImU32 color) {
            if (v > 0) dl->AddRectFilled(ImVec2(xa, tr.y(std::log10(double(v)))), ImVec2(xb, base), color);
        };
        const bool beforeBehind = mb >= ma;
        if (beforeBehind) {
            if (showBefore) bar(mb, kBeforeColor);
            if (showAfter) bar(ma, kAfterColor);
        } else {
            if (showAfter) bar(ma, kAfterColor);
            if (showBefore) bar(mb, kBeforeColor);
        }
    }
    dl->PopClipRect();
    if (plot::IsPlotHovered()) {
        const double mx = plot::MouseX();
        if (mx >= 0 && mx < double(n)) {
            const size_t j = size_t(mx);
            ImGui::SetTooltip("channel %zu: before %.4g, after %.4g", j, double(before[j]), double(after[j]));
        }
    }
    plot::EndPlot();
}

}  // namespace qv
