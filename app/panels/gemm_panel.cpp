// GemmPanel: controls, the worker that quantizes and runs both GEMMs, the plots and the one-element trace.
#include "app/panels/gemm_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "app/widgets/help.h"
#include "app/widgets/plot.h"
#include "core/calib/calibrator.h"
#include "core/formats/npy.h"
#include "core/quant/quant_params.h"

namespace qv {

GemmPanel::~GemmPanel() { waitIdle(); }

void GemmPanel::waitIdle() {
    if (m_worker.joinable()) m_worker.join();
}

std::shared_ptr<const GemmPanel::Result> GemmPanel::result() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_result;
}

void GemmPanel::run(const std::shared_ptr<const GemmWeights>& weightsIn) {
    if (m_busy.load()) return;
    waitIdle();
    m_busy = true;
    // Copy the settings: the worker never touches the panel's fields.
    const int M = std::max(1, batchM), shape = activationShape, outliers = outlierChannels, nThreads = threads;
    const float scale = outlierScale;
    const GemmOperandChoice aCh = aChoice, bCh = bChoice;
    const std::string npy = npyPath;
    std::shared_ptr<const GemmWeights> weights = weightsIn;
    m_worker = std::thread([this, M, shape, outliers, nThreads, scale, aCh, bCh, npy, weights] {
        auto res = std::make_shared<Result>();
        std::shared_ptr<const GemmWeights> w = weights;
        if (w && w->values.empty() && w->model) {
            auto values = w->model->view(w->tensor).toFloat(kMaxGemmWeights);
            if (!values) {
                res->error = "weights " + w->name + ": " + values.message();
                std::lock_guard<std::mutex> lock(m_mutex);
                m_result = res;
                m_busy = false;
                return;
            }
            auto loaded = std::make_shared<GemmWeights>(*w);
            loaded->values = std::move(*values);
            loaded->model.reset();
            w = loaded;
        }
        if (!w || w->synthetic()) {
            auto synth = std::make_shared<GemmWeights>();
            synth->name = "synthetic 256×256 N(0, 0.05²)";
            synth->rows = synth->cols = 256;
            synth->values = syntheticActivations(256, 256, ActivationShape::Gaussian, 0, 1.0f, 7);
            for (auto& v : synth->values) v *= 0.05f;
            w = synth;
        }
        const int64_t K = w->outInLayout ? w->cols : w->rows, N = w->outInLayout ? w->rows : w->cols;
        const std::vector<float> b = weightsAsB(w->values, w->rows, w->cols, w->outInLayout);
        std::vector<float> a;
        int64_t rowsA = M;
        if (shape == 2) {
            auto file = openNpy(npy);
            if (!file) res->error = file.message();
            else {
                auto values = file->view(0).toFloat();
                if (!values) res->error = values.message();
                else if (values->size() % static_cast<size_t>(K) != 0)
                    res->error = npy + ": " + std::to_string(values->size()) + " values are not rows of K = " + std::to_string(K);
                else {
                    a = std::move(*values);
                    rowsA = static_cast<int64_t>(a.size()) / K;
                }
            }
        } else {
            a = syntheticActivations(M, K, shape == 1 ? ActivationShape::Laplace : ActivationShape::Gaussian, outliers,
                                     scale, 1234);
        }
        if (res->error.empty()) {
            // A per tensor: a scale per input channel (column of A) would sit inside the K-sum and
            // could not be applied after the int32 accumulation. B per output column when chosen,
            // symmetric (one zero point for all of B, REFERENCE.md §5).
            GemmOperandChoice aUse = aCh, bUse = bCh;
            aUse.perChannel = false;
            bUse.asymmetric = false;
            auto ap = gemmOperandParams(aUse, a, rowsA, K, nThreads);
            auto bp = gemmOperandParams(bUse, b, K, N, nThreads);
            if (!ap) res->error = "activations: " + ap.message();
            else if (!bp) res->error = "weights: " + bp.message();
            else {
                res->aParams = describeOperandParams("A (activations)", aUse, *ap);
                res->bParams = describeOperandParams("B (weights)", bUse, *bp);
            }
            auto run = res->error.empty() ? quantizeAndRunGemm(a, b, rowsA, N, K, *ap, *bp, nThreads)
                                          : qv::Result<QuantizedGemmRun>(makeError(res->error));
            if (!run) res->error = run.message();
            else {
                auto shared = std::make_shared<QuantizedGemmRun>(std::move(*run));
                res->view = buildGemmView(*shared);
                res->run = shared;
            }
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_result = res;
        }
        m_busy = false;
    });
}

void GemmPanel::draw(const std::shared_ptr<const GemmWeights>& weights) {
    ImGui::Text("Weights: %s", weights && !weights->synthetic() ? weights->name.c_str() : "synthetic 256×256");
    helpMarker("The GEMM Y = A·B: A are activations (M rows of K inputs), B the layer's weights (K×N). "
               "Both are quantized to 8 bits, multiplied in integers (int32 accumulators), and compared "
               "with the same product in fp32.");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    ImGui::Combo("activations", &activationShape, "Gaussian\0Laplace\0from .npy\0");
    if (activationShape == 2) {
        if (m_npyBuf[0] == 0 && !npyPath.empty()) std::snprintf(m_npyBuf, sizeof m_npyBuf, "%s", npyPath.c_str());
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 20);
        if (ImGui::InputText(".npy path", m_npyBuf, sizeof m_npyBuf)) npyPath = m_npyBuf;
    } else {
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
        ImGui::SliderInt("batch M", &batchM, 1, 512);
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
        ImGui::SliderInt("outlier channels", &outlierChannels, 0, 32);
        helpMarker("A few input channels with much larger values, as in real LLM activations: they stretch "
                   "the per-tensor activation scale, so every other channel gets coarse codes.");
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
        ImGui::SliderFloat("outlier scale", &outlierScale, 1.0f, 100.0f, "%.0f×");
    }
    drawOperandControls("A (activations)", aChoice, false);
    drawOperandControls("B (weights)", bChoice, true);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    ImGui::SliderInt("threads", &threads, 1, 2);
    ImGui::SameLine();
    if (busy()) ImGui::TextDisabled("running…");
    else if (ImGui::Button("Run int8 and fp32")) run(weights);

    auto r = result();
    if (!r) return;
    if (!r->error.empty()) {
        ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", r->error.c_str());
        return;
    }
    ImGui::TextUnformatted(r->aParams.c_str());
    ImGui::TextUnformatted(r->bParams.c_str());
    ImGui::TextUnformatted(r->view.summary.c_str());
    const auto& t = r->run->comparison.total;
    ImGui::Text("MSE %.4g   max |e| %.4g   mean |e| %.4g   (M=%lld, N=%lld, K=%lld)", t.mse, t.maxAbsError,
                t.meanAbsError, static_cast<long long>(r->run->M), static_cast<long long>(r->run->N),
                static_cast<long long>(r->run->K));
    drawPlots(*r);
    drawTrace(*r->run);
}

void GemmPanel::drawOperandControls(const char* id, GemmOperandChoice& choice, bool isWeights) {
    static const std::vector<std::string> names = calibratorNames();
    ImGui::PushID(id);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(id);
    ImGui::SameLine(ImGui::GetFontSize() * 8);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::BeginCombo("##calibrator", choice.calibrator.c_str())) {
        for (const auto& n : names)
            if (ImGui::Selectable(n.c_str(), n == choice.calibrator)) choice.calibrator = n;
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) {
        if (auto c = makeCalibrator(choice.calibrator)) ImGui::SetTooltip("%s", c->description().c_str());
    }
    if (choice.calibrator == "percentile") {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4);
        float p = static_cast<float>(choice.percentile);
        if (ImGui::InputFloat("pct", &p, 0.0f, 0.0f, "%.3f"))
            choice.percentile = std::clamp<double>(p, 50.0, 100.0);
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 11);
    if (isWeights) {
        int g = choice.perChannel ? 1 : 0;
        if (ImGui::Combo("##scheme", &g, "int8 per tensor\0int8 per out-channel\0")) choice.perChannel = g == 1;
    } else {
        int g = choice.asymmetric ? 1 : 0;
        if (ImGui::Combo("##scheme", &g, "int8 symmetric\0uint8 zero point\0")) choice.asymmetric = g == 1;
    }
    ImGui::SameLine();
    helpMarker(isWeights ? "Calibrator (hover it for what it does) and scheme of the weights. "
                           "B = W transposed (K×N). Per out-channel: one symmetric scale per column of B (per row of the "
                           "stored [out, in] weight), applied after the int32 accumulation."
                         : "Calibrator (hover it for what it does; pct: the percentile) and scheme of the "
                           "activations. A (M×K), one scale for all of it. uint8 with a zero point uses the full code range "
                           "for one-sided activations (after ReLU); int8 symmetric wastes half of it there.");
    ImGui::PopID();
}

void GemmPanel::drawPlots(const Result& r) {
    const float h = ImGui::GetFontSize() * 12;
    const GemmView& v = r.view;
    if (plot::BeginPlot("##gemm_scatter", ImVec2(h * 1.2f, h))) {
        plot::SetupX(v.scatter.lo, v.scatter.hi, "y fp32");
        plot::SetupY(v.scatter.lo, v.scatter.hi, "y int8");
        const plot::Transform& tr = plot::CurrentTransform();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->PushClipRect(tr.p0, tr.p1, true);
        dl->AddLine(ImVec2(tr.x(v.scatter.lo), tr.y(v.scatter.lo)), ImVec2(tr.x(v.scatter.hi), tr.y(v.scatter.hi)),
                    IM_COL32(160, 160, 160, 160));
        for (size_t i = 0; i < v.scatter.fp32.size(); ++i)
            dl->AddRectFilled(ImVec2(tr.x(v.scatter.fp32[i]) - 1, tr.y(v.scatter.int8[i]) - 1),
                              ImVec2(tr.x(v.scatter.fp32[i]) + 1, tr.y(v.scatter.int8[i]) + 1), IM_COL32(90, 170, 250, 200));
        dl->PopClipRect();
        plot::EndPlot();
    }
    ImGui::SameLine();
    if (plot::BeginPlot("##gemm_error_hist", ImVec2(h * 1.4f, h), plot::kYFromZero)) {
        double ymax = 1;
        for (double c : v.histogram.counts) ymax = std::max(ymax, c);
        plot::SetupX(v.histogram.lo, v.histogram.hi, "y int8 − y fp32");
        plot::SetupY(0, ymax * 1.05, "outputs");
        plot::PlotColumns("error", v.histogram.lo, v.histogram.hi, v.histogram.counts.data(),
                          static_cast<int>(v.histogram.counts.size()), IM_COL32(250, 150, 60, 255));
        plot::EndPlot();
    }
    if (plot::BeginPlot("##gemm_channels", ImVec2(-1, h * 0.8f), plot::kYFromZero)) {
        double ymax = 1e-30;
        for (double c : v.channels.rmse) ymax = std::max(ymax, c);
        plot::SetupX(0, static_cast<double>(v.channels.rmse.size()), "output channel");
        plot::SetupY(0, ymax * 1.05, "RMSE");
        plot::PlotColumns("RMSE per output channel", 0, static_cast<double>(v.channels.rmse.size()), v.channels.rmse.data(),
                          static_cast<int>(v.channels.rmse.size()), IM_COL32(120, 200, 120, 255));
        plot::EndPlot();
    }
    if (v.channels.worst >= 0) {
        const auto w = static_cast<size_t>(v.channels.worst);
        ImGui::Text("worst channel %lld: RMSE %.4g, SQNR %.2f dB", static_cast<long long>(v.channels.worst),
                    v.channels.rmse[w], v.channels.sqnrDb[w]);
    }
}

void GemmPanel::drawTrace(const QuantizedGemmRun& run) {
    if (!ImGui::CollapsingHeader("Step by step: one output element")) return;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputInt("row i", &m_traceRow);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputInt("column j", &m_traceCol);
    m_traceRow = std::clamp<int>(m_traceRow, 0, static_cast<int>(run.M - 1));
    m_traceCol = std::clamp<int>(m_traceCol, 0, static_cast<int>(run.N - 1));
    // Output scale from the fp32 output's range (uint8, asymmetric), as a requantizing layer would use.
    float lo = 0, hi = 0;
    for (float y : run.yFp32) {
        lo = std::min(lo, y);
        hi = std::max(hi, y);
    }
    QuantScheme ys;
    ys.symmetry = Symmetry::Asymmetric;
    const SliceParams yp = paramsFromRange(ys, ClipRange{lo, hi});
    GemmParams p = run.params;
    p.out.mode = GemmOutput::Quantized8;
    p.out.yScale = yp.scale;
    p.out.yZero = yp.zeroPoint;
    auto t = traceGemmElement(p, run.aCodes.data(), run.bCodes.data(), run.bSigned, run.bZero, m_traceRow, m_traceCol);
    if (!t) {
        ImGui::TextUnformatted(t.message().c_str());
        return;
    }
    const size_t idx = static_cast<size_t>(m_traceRow) * static_cast<size_t>(run.N) + static_cast<size_t>(m_traceCol);
    ImGui::Text("1. integer dot product  Σ a·b = %lld", static_cast<long long>(t->rawDot));
    ImGui::Text("2. zero points  −zb·Σa = %lld,  −za·Σb = %lld,  K·za·zb = %lld", static_cast<long long>(t->rowCorrection),
                static_cast<long long>(t->colCorrection), static_cast<long long>(t->constantTerm));
    helpMarker("gemmlowp's trick: Σ(a − za)(b − zb) expands into the raw product and three corrections made "
               "from row and column sums, so the inner loop multiplies the stored bytes only.");
    ImGui::Text("3. int32 accumulator  %d   (dequantized: %.6g, fp32: %.6g)", t->acc, t->dequantizedAcc,
                idx < run.yFp32.size() ? run.yFp32[idx] : 0.0f);
    ImGui::Text("4. multiplier M = s_a·s_b/s_y = %.9g = %d · 2^(%d − 31)  (s_y = %.6g, zy = %d)", t->multiplier,
                t->fixedMultiplier.m0, t->fixedMultiplier.shift, t->yScale, t->yZero);
    ImGui::Text("   acc·M = %.6f", t->exactProduct);
    if (ImGui::BeginTable("##paths", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("rounding path");
        ImGui::TableSetupColumn("rounded");
        ImGui::TableSetupColumn("8-bit code");
        ImGui::TableSetupColumn("dequantized");
        ImGui::TableHeadersRow();
        auto row = [](const char* name, const RequantStep& s) {
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(name);
            ImGui::TableNextColumn();
            ImGui::Text("%lld", static_cast<long long>(s.beforeZeroPoint));
            ImGui::TableNextColumn();
            ImGui::Text("%d%s", s.code, s.saturated ? " (saturated)" : "");
            ImGui::TableNextColumn();
            ImGui::Text("%.6g", s.dequantized);
        };
        row("float, half to even", t->floatPath);
        row("fixed, double rounding", t->fixedDouble);
        row("fixed, single rounding", t->fixedSingle);
        ImGui::EndTable();
    }
    if (t->floatPath.code != t->fixedDouble.code || t->fixedDouble.code != t->fixedSingle.code)
        ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "The three paths disagree here: acc·M sits on (or next to) a tie.");
}

}  // namespace qv
