// QatDemo: controls, the training worker, the accuracy-vs-bits and loss plots, the decision regions, and
// the steps PTQ, QAT and LSQ used.
//
// Index
//   [SECTION] worker     train(), cancel(), the result slot
//   [SECTION] window     placement, controls, the auto-start
//   [SECTION] results    header line, plots, decision-region pictures, the table by bits, the step table
#include "app/panels/qat_demo.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <vector>

#include "app/widgets/help.h"
#include "app/widgets/plot.h"
#include "core/quant/quant_params.h"

namespace qv {

namespace {

constexpr ImU32 kFp32Color = IM_COL32(170, 170, 170, 255);
constexpr ImU32 kPtqColor = IM_COL32(240, 140, 60, 255);
constexpr ImU32 kQatColor = IM_COL32(90, 200, 110, 255);
constexpr ImU32 kLsqColor = IM_COL32(90, 190, 240, 255);

// Region fill (muted) and point colours per class.
ImU32 classColor(int k, bool point) {
    static const int rgb[4][3] = {{70, 130, 230}, {235, 150, 50}, {80, 185, 100}, {185, 105, 225}};
    const int* c = rgb[std::clamp(k, 0, 3)];
    if (point) return IM_COL32(c[0], c[1], c[2], 255);
    return IM_COL32(c[0] / 3 + 20, c[1] / 3 + 20, c[2] / 3 + 20, 255);
}

// A polyline in data coordinates inside the current plot, with a dot at each point when `dots`.
void plotPolyline(const std::vector<double>& xs, const std::vector<double>& ys, ImU32 color, bool dots) {
    const plot::Transform& t = plot::CurrentTransform();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(t.p0, t.p1, true);
    std::vector<ImVec2> pts;
    for (size_t i = 0; i < xs.size() && i < ys.size(); ++i)
        if (std::isfinite(ys[i])) pts.emplace_back(t.x(xs[i]), t.y(ys[i]));
    if (pts.size() >= 2) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), color, 0, 2.0f);
    if (dots)
        for (const ImVec2& p : pts) dl->AddCircleFilled(p, 3.5f, color, 8);
    dl->PopClipRect();
}

const char* kFakeQuantHelp =
    "Fake quantization: x_hat = s * (clamp(round(x / s) + z, qmin, qmax) - z), computed in float. The forward "
    "pass sees exactly the values integer inference would use, while training keeps float 'shadow' weights "
    "that the optimizer updates. Here: weights symmetric per output channel (min-max of each row; at 2 bits "
    "that is ternary {-s, 0, s}), activations asymmetric per tensor, through the same Quantizer as the rest of "
    "quantviz (round half to even, saturating).";
const char* kSteHelp =
    "Straight-through estimator (STE; Bengio, Leonard, Courville 2013): round() has zero gradient almost "
    "everywhere, so backpropagation treats it as the identity. This demo uses the clipped STE of Jacob et al. "
    "2018 and PyTorch's FakeQuantize: the gradient passes where x was inside the clip range and is 0 where the "
    "code saturated. Min-max weight ranges clip nothing, so for weights it is the plain identity.";
const char* kObserverHelp =
    "Activation ranges (observers). PTQ: min and max of each layer's input over the training set, through the "
    "float network. QAT: starts from those, follows an exponential moving average of each batch's min/max "
    "(constant 0.01, as PyTorch's MovingAverageMinMaxObserver) for the first 10 QAT epochs, then freezes "
    "them. LSQ has no observers: it trains each step instead. The network input is quantized at 8 bits; biases "
    "and logits stay in float (int32 in integer inference).";
const char* kLsqHelp =
    "QAT + learned step (LSQ; Esser et al. 2020, arXiv 1902.08153): the step s (scale) of every quantizer is a "
    "trained parameter instead of following min/max. Weights: one step per output channel (z = 0); "
    "activations: one step per layer input, its zero point kept as calibrated (0 after a ReLU). "
    "Start: s = 2 * mean|x| / sqrt(Q_P), Q_P = qmax - z. Gradient, round() passed straight through: "
    "d x_hat / d s = round(x/s) - x/s where the code is inside the grid, the clamp bound (qmin - z or qmax - z) "
    "where it saturated, times g = 1 / sqrt(N * Q_P). A larger step clips less but rounds more coarsely; the "
    "gradient finds the balance the loss prefers: at 2 bits on the spirals it clips the largest 7-11 % of the "
    "hidden activations to keep three usable levels for the rest.";
const char* kStepTableHelp =
    "The step s (scale) each method used at the shown bit width, and the range its grid covers, "
    "s * (qmin - z) .. s * (qmax - z). PTQ: from the min-max over the training set. QAT: from the EMA "
    "observer, frozen after 10 epochs. LSQ: the initial step 2 * mean|x| / sqrt(Q_P) and the step after "
    "training. Weights: the mean over the layer's output channels of the per-channel step (PTQ and QAT: "
    "max|row| / Q_P of their float weights).";

}  // namespace

// [SECTION] worker ----------------------------------------------------------------------------------------

QatDemo::~QatDemo() {
    cancel();
    waitIdle();
}

void QatDemo::cancel() {
    if (m_progress) m_progress->cancel();
}

void QatDemo::waitIdle() {
    if (m_worker.joinable()) m_worker.join();
}

std::shared_ptr<const QatExperiment> QatDemo::result() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_result;
}

void QatDemo::train() {
    if (m_busy.load()) return;
    waitIdle();
    m_busy = true;
    m_progress = std::make_shared<Progress>();
    // The worker gets copies: it never touches the window's fields.
    const QatConfig c = config;
    std::shared_ptr<Progress> progress = m_progress;
    m_worker = std::thread([this, c, progress] {
        auto ex = std::make_shared<const QatExperiment>(runQatExperiment(c, progress.get()));
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_result = ex;
        }
        m_busy = false;
    });
}

// [SECTION] window ----------------------------------------------------------------------------------------

void QatDemo::draw(AppState&) {
    if (!m_open) return;
    if (!m_autoStarted) {
        m_autoStarted = true;
        if (!result()) train();
    }
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float fs = ImGui::GetFontSize();
    if (m_focus) m_placeFrames = 3;
    if (!m_placedResult && result()) {
        m_placedResult = true;
        m_placeFrames = std::max(m_placeFrames, 2);
    }
    // Sized to its content as measured in the previous frame (the first frame guesses), centred; then
    // the user may move and resize it.
    const ImGuiCond cond = m_placeFrames > 0 ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    const float height = m_fitHeight > 0 ? m_fitHeight : fs * 50.0f;
    ImGui::SetNextWindowSize(ImVec2(std::min(vp->WorkSize.x - 20.0f, fs * 74.0f), std::min(vp->WorkSize.y - 20.0f, height)),
                             cond);
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f), cond,
                            ImVec2(0.5f, 0.5f));
    if (m_focus) ImGui::SetNextWindowFocus();
    m_focus = false;
    ImGui::SetNextWindowBgAlpha(1.0f);
    if (!ImGui::Begin(title(), &m_open, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    if (m_placeFrames > 0) --m_placeFrames;
    ++m_shown.frames;
    ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x);
    ImGui::TextUnformatted(
        "A tiny ReLU network (2 -> H -> H -> classes) learns a 2-D toy task in float32. Post-training quantization "
        "(PTQ) rounds that trained network to b bits as it is. Quantization-aware training (QAT) starts from the "
        "same float network and fine-tunes it with fake quantization in the forward pass and the straight-through "
        "estimator in the backward pass, so the weights learn to sit well on the b-bit grid. QAT + learned step "
        "(LSQ) fine-tunes the same way but also trains each quantizer's step instead of taking it from min/max.");
    ImGui::PopTextWrapPos();
    ImGui::TextUnformatted("PTQ");
    helpMarker(glossary::kPtq);
    ImGui::SameLine(0, fs * 2);
    ImGui::TextUnformatted("QAT");
    helpMarker(glossary::kQat);
    ImGui::SameLine(0, fs * 2);
    ImGui::TextUnformatted("Fake quantization");
    helpMarker(kFakeQuantHelp);
    ImGui::SameLine(0, fs * 2);
    ImGui::TextUnformatted("Straight-through estimator");
    helpMarker(kSteHelp);
    ImGui::SameLine(0, fs * 2);
    ImGui::TextUnformatted("Activation ranges");
    helpMarker(kObserverHelp);
    ImGui::SameLine(0, fs * 2);
    ImGui::TextUnformatted("Learned step (LSQ)");
    helpMarker(kLsqHelp);
    ImGui::Separator();
    drawControls();
    ImGui::Separator();
    auto ex = result();
    m_shown.bits = 0;
    m_shown.fp32 = m_shown.ptq = m_shown.qat = m_shown.lsq = -1;
    m_shown.lsqStep = -1;
    if (ex) drawResults(*ex);
    else if (!busy()) ImGui::TextDisabled("Press Train.");
    m_fitHeight = ImGui::GetCursorPosY() + ImGui::GetStyle().WindowPadding.y;
    ImGui::End();
}

void QatDemo::drawControls() {
    const float fs = ImGui::GetFontSize();
    const bool running = busy();
    if (running) ImGui::BeginDisabled();
    int task = static_cast<int>(config.task);
    ImGui::SetNextItemWidth(fs * 7);
    if (ImGui::Combo("task", &task, "spirals\0moons\0blobs\0")) config.task = static_cast<ToyTask>(task);
    helpMarker("The toy data: three interleaved spiral arms (hard), two moons, or four Gaussian blobs. "
               "Seeded: the same seed gives the same points, initial weights and batch order, hence the same numbers. "
               "Two thirds of the points train, one third tests.");
    ImGui::SameLine(0, fs);
    ImGui::SetNextItemWidth(fs * 6);
    ImGui::SliderInt("hidden width", &config.hidden, 4, 64);
    helpMarker("H, the width of both hidden layers.");
    ImGui::SameLine(0, fs);
    ImGui::SetNextItemWidth(fs * 5);
    int seed = static_cast<int>(config.seed);
    if (ImGui::InputInt("seed", &seed, 0)) config.seed = static_cast<uint64_t>(std::max(0, seed));
    ImGui::SetNextItemWidth(fs * 6);
    ImGui::SliderInt("fp32 epochs", &config.fp32Epochs, 10, 400);
    ImGui::SameLine(0, fs);
    ImGui::SetNextItemWidth(fs * 6);
    ImGui::SliderFloat("learning rate", &config.learningRate, 0.0005f, 0.05f, "%.4f", ImGuiSliderFlags_Logarithmic);
    helpMarker("Adam (Kingma & Ba 2015) step size for the float training, mini-batches of 32.");
    ImGui::SetNextItemWidth(fs * 6);
    ImGui::SliderInt("QAT epochs", &config.qatEpochs, 1, 100);
    helpMarker("Fine-tuning epochs per bit width, each starting from the trained float network.");
    ImGui::SameLine(0, fs);
    ImGui::SetNextItemWidth(fs * 6);
    ImGui::SliderFloat("QAT learning rate", &config.qatLearningRate, 0.0001f, 0.02f, "%.4f", ImGuiSliderFlags_Logarithmic);
    helpMarker("Adam step size for QAT fine-tuning; smaller than the float one, since QAT only adjusts a trained network.");
    ImGui::SameLine(0, fs);
    ImGui::Checkbox("quantize activations", &config.quantizeActivations);
    helpMarker("Off: only the weights are quantized (activations stay float), which is much easier at 2 bits.");
    if (running) ImGui::EndDisabled();
    if (running) {
        const float f = m_progress ? static_cast<float>(m_progress->fraction()) : 0.0f;
        char label[48];
        std::snprintf(label, sizeof label, "training… %.0f %%", 100.0 * f);
        ImGui::ProgressBar(f, ImVec2(fs * 20, 0), label);
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) cancel();
    } else if (ImGui::Button("Train")) {
        train();
    }
    ImGui::SameLine(0, fs * 2);
    ImGui::SetNextItemWidth(fs * 8);
    ImGui::SliderInt("show bits", &shownBits, 2, 8);
    helpMarker("Which bit width the loss curve and the three pictures show (no retraining: every run covers 2..8 "
               "bits). Clicking the accuracy plot picks it too.");
}

// [SECTION] results ---------------------------------------------------------------------------------------

void QatDemo::drawResults(const QatExperiment& ex) {
    const float fs = ImGui::GetFontSize();
    shownBits = std::clamp(shownBits, 2, 8);
    const QatBitsResult* r = ex.at(shownBits);
    m_shown.fp32 = ex.fp32Accuracy;
    if (ex.cancelled) ImGui::TextColored(ImVec4(1, 0.75f, 0.3f, 1), "Cancelled: showing what finished.");
    ImGui::Text("%s, %zu training / %zu test points, %zu parameters.  Test accuracy: fp32 %.1f %%", toyTaskName(ex.config.task),
                ex.data.train.size(), ex.data.test.size(), ex.fp32Net.parameterCount(), 100.0 * ex.fp32Accuracy);
    if (r) {
        m_shown.bits = r->bits;
        m_shown.ptq = r->ptqAccuracy;
        m_shown.qat = r->qatAccuracy;
        m_shown.lsq = r->lsqAccuracy;
        ImGui::SameLine();
        ImGui::Text("|  at %d bits: PTQ %.1f %%, QAT %.1f %%, LSQ %.1f %%", r->bits, 100.0 * r->ptqAccuracy,
                    100.0 * r->qatAccuracy, 100.0 * r->lsqAccuracy);
    }
    const float avail = ImGui::GetContentRegionAvail().x;
    const float plotH = fs * 13;
    drawAccuracyPlot(ex, avail * 0.45f, plotH);
    ImGui::SameLine();
    drawLossPlot(ex, ImGui::GetContentRegionAvail().x, plotH);

    // Four square pictures across, as large as fits: at most a quarter of the width, and short enough that
    // the captions and the tables below still fit on the screen (the window is at most the viewport's
    // height; measured from the viewport, not the window, so the fitted height cannot feed back). The step
    // table (a caption and 4 rows) stays open below when the pictures can still be 10 lines tall with it;
    // on a smaller screen it folds into a tree node of one line.
    const ImGuiStyle& st = ImGui::GetStyle();
    const float rowH = ImGui::GetTextLineHeight() + 2 * st.CellPadding.y;
    const float accTableH = 5 * rowH + 4;
    const float stepTableH = ImGui::GetTextLineHeightWithSpacing() + 4 * rowH + 4 + st.ItemSpacing.y;
    const float below = ImGui::GetTextLineHeightWithSpacing() + 3 * st.ItemSpacing.y + accTableH + st.WindowPadding.y;
    const float room = ImGui::GetMainViewport()->WorkSize.y - 20.0f - ImGui::GetCursorPosY() - below;
    const bool stepsOpen = room - stepTableH >= fs * 10;
    const float fitH = room - (stepsOpen ? stepTableH : ImGui::GetFrameHeightWithSpacing());
    const float side = std::max(fs * 6, std::min({fs * 20, (avail - 3 * st.ItemSpacing.x) / 4.0f, fitH}));
    char caption[64];
    drawRegion("fp32", ex.fp32Region, ex.data, ex.fp32Accuracy, side);
    ImGui::SameLine();
    std::snprintf(caption, sizeof caption, "PTQ %d bits", shownBits);
    if (r) drawRegion(caption, r->ptqRegion, ex.data, r->ptqAccuracy, side);
    ImGui::SameLine();
    std::snprintf(caption, sizeof caption, "QAT %d bits", shownBits);
    if (r) drawRegion(caption, r->qatRegion, ex.data, r->qatAccuracy, side);
    ImGui::SameLine();
    std::snprintf(caption, sizeof caption, "LSQ %d bits", shownBits);
    if (r) drawRegion(caption, r->lsqRegion, ex.data, r->lsqAccuracy, side);

    // Test accuracy by bits, one column per bit width.
    const int n = static_cast<int>(ex.bits.size());
    if (n > 0 && ImGui::BeginTable("acc_by_bits", n + 1,
                                   ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("test accuracy");
        for (const auto& b : ex.bits) {
            char h[16];
            std::snprintf(h, sizeof h, "%d bits", b.bits);
            ImGui::TableSetupColumn(h);
        }
        ImGui::TableHeadersRow();
        auto row = [&](const char* name, ImU32 color, auto value) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushStyleColor(ImGuiCol_Text, color);
            ImGui::TextUnformatted(name);
            ImGui::PopStyleColor();
            for (const auto& b : ex.bits) {
                ImGui::TableNextColumn();
                ImGui::Text("%.1f %%", 100.0 * value(b));
            }
        };
        row("fp32", kFp32Color, [&](const QatBitsResult&) { return ex.fp32Accuracy; });
        row("PTQ", kPtqColor, [](const QatBitsResult& b) { return b.ptqAccuracy; });
        row("QAT", kQatColor, [](const QatBitsResult& b) { return b.qatAccuracy; });
        row("LSQ", kLsqColor, [](const QatBitsResult& b) { return b.lsqAccuracy; });
        ImGui::EndTable();
    }
    if (r) {
        if (stepsOpen) {
            drawStepTable(ex, *r);
        } else if (ImGui::TreeNode("steps", "Steps at %d bits: min-max ranges against learned steps", r->bits)) {
            drawStepTable(ex, *r);
            ImGui::TreePop();
        }
    }
}

namespace {

double meanOf(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x;
    return v.empty() ? 0.0 : s / double(v.size());
}

// Mean over the rows of the min-max step max|row| / Q_P (qatWeightScheme, as fakeQuantWeights sets it).
double meanMinMaxWeightStep(const DenseLayer& d, int bits) {
    const QuantScheme scheme = qatWeightScheme(bits);
    std::vector<float> steps;
    for (int row = 0; row < d.out; ++row) {
        const std::span<const float> w = std::span<const float>(d.w).subspan(size_t(row) * size_t(d.in), size_t(d.in));
        steps.push_back(paramsFromRange(scheme, minMaxOf(w)).scale);
    }
    return meanOf(steps);
}

// "s 0.364  [0, 1.09]": a step and the range its grid covers, s·(qmin − z) .. s·(qmax − z).
void stepCell(const QuantScheme& scheme, double step, int32_t zero) {
    ImGui::TableNextColumn();
    ImGui::Text("s %.3g  [%.3g, %.3g]", step, step * double(scheme.qmin() - zero), step * double(scheme.qmax() - zero));
}

}  // namespace

void QatDemo::drawStepTable(const QatExperiment& ex, const QatBitsResult& r) {
    const size_t L = ex.fp32Net.layers.size();
    if (r.lsqQuant.steps.size() != L || r.lsqInitial.size() != L || L < 2) return;
    ImGui::Text("Steps at %d bits: the min-max ranges against the learned steps", r.bits);
    helpMarker(kStepTableHelp);
    if (!ImGui::BeginTable("steps", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg))
        return;
    ImGui::TableSetupColumn("quantizer");
    ImGui::TableSetupColumn("PTQ: min-max");
    ImGui::TableSetupColumn("QAT: EMA observer");
    ImGui::TableSetupColumn("LSQ: initial step");
    ImGui::TableSetupColumn("LSQ: learned step");
    ImGui::TableHeadersRow();
    const QuantScheme aScheme = qatActivationScheme(r.bits);
    if (ex.config.quantizeActivations) {
        // The hidden activations (the inputs of layers 2..L); the network input is at 8 bits in all three.
        for (size_t l = 1; l < L; ++l) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("hidden %zu (layer %zu input)", l, l + 1);
            const SliceParams ptq = paramsFromRange(aScheme, r.ptqQuant.inputRanges[l]);
            const SliceParams qat = paramsFromRange(aScheme, r.qatQuant.inputRanges[l]);
            stepCell(aScheme, ptq.scale, ptq.zeroPoint);
            stepCell(aScheme, qat.scale, qat.zeroPoint);
            stepCell(aScheme, r.lsqInitial[l].input, r.lsqInitial[l].inputZero);
            stepCell(aScheme, r.lsqQuant.steps[l].input, r.lsqQuant.steps[l].inputZero);
            if (l + 1 == L) m_shown.lsqStep = r.lsqQuant.steps[l].input;
        }
    }
    // One weight row: the middle layer's per-channel steps, averaged.
    const size_t w = L / 2;
    const QuantScheme wScheme = qatWeightScheme(r.bits);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("layer %zu weights (mean)", w + 1);
    stepCell(wScheme, meanMinMaxWeightStep(ex.fp32Net.layers[w], r.bits), 0);
    stepCell(wScheme, meanMinMaxWeightStep(r.qatNet.layers[w], r.bits), 0);
    stepCell(wScheme, meanOf(r.lsqInitial[w].weight), 0);
    stepCell(wScheme, meanOf(r.lsqQuant.steps[w].weight), 0);
    ImGui::EndTable();
}

void QatDemo::drawAccuracyPlot(const QatExperiment& ex, float width, float height) {
    // The legend sits in the bottom right: every method is near its best at 6–8 bits, so the curves leave
    // that corner empty and the y axis can stop a label-height above accuracy 1.
    if (!plot::BeginPlot("##qat_accuracy", ImVec2(width, height), plot::kLegendBottomRight)) return;
    plot::SetupX(1.5, 8.5, "bits");
    plot::SetupY(0.0, 1.15, "test accuracy");  // room above 1 for the axis label
    std::vector<double> xs, ptq, qat, lsq;
    for (const auto& b : ex.bits) {
        xs.push_back(b.bits);
        ptq.push_back(b.ptqAccuracy);
        qat.push_back(b.qatAccuracy);
        lsq.push_back(b.lsqAccuracy);
    }
    plot::PlotVLine("##shown", shownBits, IM_COL32(255, 255, 255, 60), 6.0f);
    plot::LegendEntry("fp32", kFp32Color);
    if (!plot::IsItemHidden("fp32")) plot::PlotHLine("##fp32", ex.fp32Accuracy, kFp32Color, 2.0f);
    plot::LegendEntry("PTQ", kPtqColor);
    if (!plot::IsItemHidden("PTQ")) plotPolyline(xs, ptq, kPtqColor, true);
    plot::LegendEntry("QAT", kQatColor);
    if (!plot::IsItemHidden("QAT")) plotPolyline(xs, qat, kQatColor, true);
    plot::LegendEntry("LSQ", kLsqColor);
    if (!plot::IsItemHidden("LSQ")) plotPolyline(xs, lsq, kLsqColor, true);
    if (plot::IsPlotHovered() && ImGui::IsMouseClicked(ImGuiMouseButton_Left))
        shownBits = std::clamp(static_cast<int>(std::lround(plot::MouseX())), 2, 8);
    plot::EndPlot();
}

void QatDemo::drawLossPlot(const QatExperiment& ex, float width, float height) {
    if (!plot::BeginPlot("##qat_loss", ImVec2(width, height))) return;
    // x: fp32 epochs 1..E, then the QAT epochs at the shown bits E+1..E+Q. y: log10 of the mean training
    // loss (cross-entropy falls over two decades; the plot widget's log axis is for counts).
    const QatBitsResult* r = ex.at(shownBits);
    const double E = static_cast<double>(ex.fp32Loss.size());
    const double Q = r ? static_cast<double>(r->qatLoss.size()) : 0.0;
    std::vector<double> fx, fy, qx, qy, lx, ly;
    double lo = 0, hi = 0;
    auto add = [&](std::vector<double>& xs, std::vector<double>& ys, double x, double loss) {
        const double y = std::log10(std::max(loss, 1e-6));
        xs.push_back(x);
        ys.push_back(y);
        lo = std::min(lo, y);
        hi = std::max(hi, y);
    };
    for (size_t i = 0; i < ex.fp32Loss.size(); ++i) add(fx, fy, double(i + 1), ex.fp32Loss[i]);
    if (r) {
        add(qx, qy, E, r->ptqTrainLoss);  // the QAT curve starts from the PTQ network
        for (size_t i = 0; i < r->qatLoss.size(); ++i) add(qx, qy, E + double(i + 1), r->qatLoss[i]);
        add(lx, ly, E, r->lsqStartLoss);  // LSQ starts from the fp32 weights with its initial steps
        for (size_t i = 0; i < r->lsqLoss.size(); ++i) add(lx, ly, E + double(i + 1), r->lsqLoss[i]);
    }
    plot::SetupX(0, std::max(1.0, E + Q), "epoch (fp32, then QAT)");
    plot::SetupY(std::floor(lo * 2) / 2 - 0.5, std::max(0.5, std::ceil(hi * 2) / 2) + 0.5, "log10 train loss");
    plot::PlotVLine("##qat_start", E, IM_COL32(255, 255, 255, 50), 1.0f);
    plot::LegendEntry("fp32", kFp32Color);
    if (!plot::IsItemHidden("fp32")) plotPolyline(fx, fy, kFp32Color, false);
    char label[32];
    std::snprintf(label, sizeof label, "QAT %d bits", shownBits);
    plot::LegendEntry(label, kQatColor);
    if (r && !plot::IsItemHidden(label)) plotPolyline(qx, qy, kQatColor, false);
    std::snprintf(label, sizeof label, "LSQ %d bits", shownBits);
    plot::LegendEntry(label, kLsqColor);
    if (r && !plot::IsItemHidden(label)) plotPolyline(lx, ly, kLsqColor, false);
    if (r) {
        std::snprintf(label, sizeof label, "PTQ %d bits", shownBits);
        plot::LegendEntry(label, kPtqColor);
        if (!plot::IsItemHidden(label)) {
            const plot::Transform& t = plot::CurrentTransform();
            ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(t.x(qx[0]), t.y(qy[0])), 4.5f, kPtqColor, 10);
        }
    }
    plot::EndPlot();
}

void QatDemo::drawRegion(const char* caption, const DecisionRegion& r, const ToySplit& data, double accuracy,
                         float size) {
    ImGui::BeginGroup();
    ImGui::Text("%s: %.1f %%", caption, 100.0 * accuracy);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const ImVec2 p1(p0.x + size, p0.y + size);
    ImGui::Dummy(ImVec2(size, size));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (r.grid > 0 && r.cls.size() == size_t(r.grid) * size_t(r.grid)) {
        // One rectangle per run of equal cells in a row (a few per row instead of grid).
        const float cell = size / float(r.grid);
        for (int row = 0; row < r.grid; ++row) {
            const uint8_t* c = r.cls.data() + size_t(row) * size_t(r.grid);
            int start = 0;
            for (int col = 1; col <= r.grid; ++col) {
                if (col < r.grid && c[col] == c[start]) continue;
                dl->AddRectFilled(ImVec2(p0.x + start * cell, p0.y + row * cell),
                                  ImVec2(p0.x + col * cell, p0.y + (row + 1) * cell), classColor(c[start], false));
                start = col;
            }
        }
        // The test points, coloured by their true class.
        const float sx = size / (r.xMax - r.xMin), sy = size / (r.yMax - r.yMin);
        for (size_t i = 0; i < data.test.size(); ++i) {
            const ImVec2 c(p0.x + (data.test.x[2 * i] - r.xMin) * sx, p0.y + (r.yMax - data.test.x[2 * i + 1]) * sy);
            dl->AddRectFilled(ImVec2(c.x - 1.5f, c.y - 1.5f), ImVec2(c.x + 1.5f, c.y + 1.5f), classColor(data.test.y[i], true));
        }
    }
    dl->AddRect(p0, p1, IM_COL32(120, 120, 120, 255));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Background: the class the network predicts at each point of the plane (%d x %d grid).\n"
                          "Dots: the test points, coloured by their true class.", r.grid, r.grid);
    ImGui::EndGroup();
}

}  // namespace qv
