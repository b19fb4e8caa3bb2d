// ComparePanel: scheme A vs B (table, error curves, error histograms, code grids) and one tensor of two files.
#include "app/panels/compare_panel.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "app/export/export_buttons.h"
#include "app/export/table_builders.h"
#include "app/panels/error_panel.h"
#include "app/panels/smoothquant_panel.h"
#include "app/views/importance_source.h"
#include "app/panels/stored_quant_panel.h"
#include "app/views/envelope.h"
#include "app/widgets/help.h"
#include "app/widgets/plot.h"
#include "core/formats/stored_quant.h"

namespace qv {

namespace {

// Okabe–Ito sky blue and orange: told apart with every common colour-vision deficiency.
constexpr ImU32 kColorA = IM_COL32(86, 180, 233, 255);
constexpr ImU32 kColorB = IM_COL32(230, 159, 0, 255);
constexpr ImU32 kFillA = IM_COL32(86, 180, 233, 150);
constexpr ImU32 kFillB = IM_COL32(230, 159, 0, 130);
const ImVec4 kTextA(86 / 255.f, 180 / 255.f, 233 / 255.f, 1);
const ImVec4 kTextB(230 / 255.f, 159 / 255.f, 0, 1);

// The exact pass's histograms when it made them, else the sample estimate's.
const ErrorReport& histogramsOf(const CalibRow& r) {
    return r.exact && r.exact->hasHistograms ? *r.exact : r.estimate;
}

double maxOf(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

void coloredCell(const char* fmt, double v, int better, int side) {
    if (better != 0 && better == side) ImGui::TextColored(ImVec4(0.45f, 0.85f, 0.45f, 1), fmt, v);
    else ImGui::Text(fmt, v);
}

}  // namespace

void ComparePanel::draw(AppState& state, UiState& ui) {
    if (m_mode < 0) m_mode = state.reference() ? int(Mode::Files) : int(Mode::Schemes);
    ImGui::RadioButton("two schemes", &m_mode, int(Mode::Schemes));
    ImGui::SameLine();
    ImGui::RadioButton("two files", &m_mode, int(Mode::Files));
    ImGui::SameLine();
    ImGui::RadioButton("llama.cpp types", &m_mode, int(Mode::LlamaCpp));
    helpMarker("Two schemes: the scheme and calibrator on the left (A) against a second scheme and calibrator (B) on "
               "the same tensor. Two files: this tensor in the open file (A) against the tensor of the same name in "
               "a second file (B) - e.g. the F32 and Q4_K versions of one model. llama.cpp types: this tensor "
               "converted to GGUF's Q8_0 ... Q4_0, Q6_K ... Q2_K, IQ4_NL and IQ4_XS exactly as llama-quantize writes them (without an importance "
               "matrix) and read back as llama.cpp reads them, beside the active scheme.");
    m_shown = Shown{};
    m_shown.mode = Mode(m_mode);
    if (m_mode == int(Mode::Files)) drawFiles(state, ui);
    else if (m_mode == int(Mode::LlamaCpp)) drawLlamaCpp(state, ui);
    else drawSchemes(state, ui);
}

// [SECTION] two schemes

void ComparePanel::drawSchemes(AppState& state, UiState& ui) {
    if (auto c = state.compare(); c && !m_enabled) {  // set elsewhere (tests, a later session): show it
        m_enabled = true;
        m_bits = c->first.bits;
        m_format = c->first.format;
        m_sym = c->first.symmetry == Symmetry::Asymmetric ? 2 : (c->first.fullRange ? 1 : 0);
        m_calibrator = c->second;
    }
    ImGui::SameLine();
    bool changed = ImGui::Checkbox("scheme B", &m_enabled);
    if (m_enabled) {
        // Scheme B's controls on a line of their own (with a number format they no longer fit beside
        // the mode switches and the export buttons).
        ImGui::TextUnformatted("B:");
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.5f);
        const char* shown = m_format == NumberFormat::Int ? "int" : formatName(m_format);
        if (ImGui::BeginCombo("##Bformat", shown, ImGuiComboFlags_HeightLargest)) {
            for (NumberFormat f : allNumberFormats())
                if (ImGui::Selectable(formatTitle(f), f == m_format)) {
                    m_format = f;
                    changed = true;
                }
            ImGui::EndCombo();
        }
        ImGui::SameLine();
        if (m_format == NumberFormat::Int) {  // a level format fixes its width and symmetry
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
            changed |= ImGui::SliderInt("B bits", &m_bits, 2, 16);
            if (ImGui::IsItemActive()) ui.interacting = true;
            ImGui::SameLine();
            const char* symNames[] = {"symmetric", "symmetric full", "asymmetric"};
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
            changed |= ImGui::Combo("##Bscheme", &m_sym, symNames, 3);
            ImGui::SameLine();
        }
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
        if (ImGui::BeginCombo("B calibrator", m_calibrator.c_str())) {
            for (const auto& c : state.calibrators())
                if (ImGui::Selectable(c.name.c_str(), c.name == m_calibrator)) {
                    m_calibrator = c.name;
                    changed = true;
                }
            ImGui::EndCombo();
        }
    }
    if (changed) {
        if (m_enabled) {
            QuantScheme b = state.scheme();
            b.bits = m_bits;
            b.symmetry = m_sym == 2 ? Symmetry::Asymmetric : Symmetry::Symmetric;
            b.fullRange = m_sym == 1;
            b.format = m_format;
            state.setCompare(b, m_calibrator);
        } else {
            state.clearCompare();
        }
    }
    auto a = state.analysis();
    if (!m_enabled) {
        ImGui::TextDisabled("Tick scheme B to compare the active scheme with a second one on this tensor.");
        return;
    }
    if (!a || !a->activeRow() || !a->compare) {
        ImGui::TextDisabled("computing...");
        return;
    }
    const CalibRow& ra = *a->activeRow();
    const CalibRow& rb = *a->compare;
    const ErrorStats& ea = ra.exact ? ra.exact->total : ra.estimate.total;
    const ErrorStats& eb = rb.exact ? rb.exact->total : rb.estimate.total;
    m_shown.exactA = ra.exact != nullptr;
    m_shown.exactB = rb.exact != nullptr;
    m_shown.metrics = compareMetrics(ra.range, ea, rb.range, eb);
    const bool perTensorA = ra.params.slices.size() == 1;

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float rowH = std::max(120.0f, avail.y * 0.5f - ImGui::GetStyle().ItemSpacing.y);
    const float tableW = std::min(avail.x * 0.5f, ImGui::GetFontSize() * 30);

    // Row 1: the table | both code grids on the value axis.
    ImGui::BeginChild("cmp_table", ImVec2(tableW, rowH));
    std::string headA = "A: " + ra.label + ", " + a->scheme.describe();
    std::string headB = rb.label + ", " + rb.params.scheme.describe();
    if (ImGui::BeginTable("compare", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                            ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("A", ImGuiTableColumnFlags_WidthStretch, 1.1f);
        ImGui::TableSetupColumn("B", ImGuiTableColumnFlags_WidthStretch, 1.1f);
        ImGui::TableSetupColumn("B - A", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableHeadersRow();
        for (const auto& m : m_shown.metrics) {
            const bool ints = m.name.rfind("codes", 0) == 0;
            const char* fmt = ints ? "%.0f" : m.name == "cosine" ? "%.6f" : m.name == "SQNR dB" ? "%.2f" : "%.4g";
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextUnformatted(m.name.c_str());
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(estimateMark(m_shown.exactA));
            ImGui::SameLine(0, 0);
            coloredCell(fmt, m.a, m.better, -1);
            ImGui::TableSetColumnIndex(2);
            ImGui::TextUnformatted(estimateMark(m_shown.exactB));
            ImGui::SameLine(0, 0);
            coloredCell(fmt, m.b, m.better, +1);
            ImGui::TableSetColumnIndex(3);
            if (std::isfinite(m.diff)) ImGui::Text(ints ? "%+.0f" : "%+.4g", m.diff);
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("A = %s\nB = %s\nGreen: the better side (lower error, higher SQNR/cosine).", headA.c_str(),
                          headB.c_str());
    ImGui::SameLine();
    ImGui::BeginChild("cmp_codes", ImVec2(0, rowH));
    ImGui::TextColored(kTextA, "A");
    ImGui::SameLine();
    ImGui::TextColored(kTextB, "B");
    ImGui::SameLine();
    ImGui::Text("%scodes on the value axis", estimateMark(m_shown.exactA && m_shown.exactB));
    helpMarker("One bar per integer code at the value it stands for, x_hat = s(q - z), as wide as one step s. Its "
               "height is the share of values rounded to that code divided by s (a density), so a coarse grid and a "
               "fine one read on the same scale: few wide bars for few bits, gaps for empty codes, the clipped tails "
               "piling up on the end codes.");
    const ErrorReport& ha = histogramsOf(ra);
    const ErrorReport& hb = histogramsOf(rb);
    if (perTensorA && !ha.codeHistogram.empty())
        m_shown.levelsA = levelBars(a->scheme, ra.params.slices[0], ha.codeHistogram);
    if (!hb.codeHistogram.empty()) m_shown.levelsB = levelBars(rb.params.scheme, rb.params.slices[0], hb.codeHistogram);
    double lo = a->summary ? a->summary->min : 0, hi = a->summary ? a->summary->max : 1;
    lo = std::min({lo, ra.range.lo, rb.range.lo});
    hi = std::max({hi, ra.range.hi, rb.range.hi});
    const double pad = 0.04 * std::max(hi - lo, 1e-12);
    if (plot::BeginPlot("##cmp_levels", ImVec2(-1, -1), plot::kYFromZero | (ui.logY ? plot::kLogY : 0))) {
        plot::SetupX(lo - pad, hi + pad, "value");
        auto density = [](const LevelBars& l) {  // share per unit of value: comparable across grids
            std::vector<double> d(l.share.size());
            for (size_t i = 0; i < d.size(); ++i) {
                const double w = l.hi[i] - l.lo[i];
                d[i] = w > 0 ? l.share[i] / w : 0.0;
            }
            return d;
        };
        const std::vector<double> da = density(m_shown.levelsA), db = density(m_shown.levelsB);
        double ymax = std::max(maxOf(da), maxOf(db));
        plot::SetupY(ui.logY ? 1e-3 : 0, std::max(ymax * 1.08, 1e-6), "share / bucket width");
        char la[48], lb[48];
        std::snprintf(la, sizeof la, "A: %llu of %llu codes", static_cast<unsigned long long>(m_shown.levelsA.used),
                      static_cast<unsigned long long>(m_shown.levelsA.available));
        std::snprintf(lb, sizeof lb, "B: %llu of %llu codes", static_cast<unsigned long long>(m_shown.levelsB.used),
                      static_cast<unsigned long long>(m_shown.levelsB.available));
        plot::PlotBarsSpan(la, m_shown.levelsA.lo.data(), m_shown.levelsA.hi.data(), da.data(), int(da.size()), kFillA);
        plot::PlotBarsSpan(lb, m_shown.levelsB.lo.data(), m_shown.levelsB.hi.data(), db.data(), int(db.size()), kFillB);
        plot::PlotVLine("A clip", ra.range.lo, kColorA);
        plot::PlotVLine("A clip", ra.range.hi, kColorA);
        plot::PlotVLine("B clip", rb.range.lo, kColorB);
        plot::PlotVLine("B clip", rb.range.hi, kColorB);
        plot::EndPlot();
    }
    if (!perTensorA) ImGui::TextDisabled("A is per channel/group: its codes differ per slice (Code usage tab).");
    ImGui::EndChild();

    // Row 2: error vs value | error histograms.
    const float halfW = (avail.x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    ImGui::BeginChild("cmp_errvalue", ImVec2(halfW, 0));
    ImGui::TextUnformatted("error x_hat - x versus value x");
    helpMarker("Inside its clip range each scheme's error is a sawtooth between -s/2 and +s/2; outside it grows "
               "linearly (clipping). Drawn exactly per pixel column at any zoom.");
    if (plot::BeginPlot("##cmp_errvalue", ImVec2(-1, -1))) {
        plot::SetupX(lo - pad, hi + pad, "value");
        std::vector<Envelope> curves;
        if (perTensorA) {
            Quantizer q(a->scheme, ra.params.slices[0]);
            curves.push_back(errorEnvelope(q, ra.params.slices[0].scale, plot::ViewXLo(), plot::ViewXHi(), plot::PixelWidth()));
        }
        Quantizer qb(rb.params.scheme, rb.params.slices[0]);
        curves.push_back(errorEnvelope(qb, rb.params.slices[0].scale, plot::ViewXLo(), plot::ViewXHi(), plot::PixelWidth()));
        double emax = 1e-12;
        for (const auto& e : curves)
            for (int c = 0; c < e.pixels(); ++c)
                if (e.has[size_t(c)]) emax = std::max({emax, std::fabs(e.lo[size_t(c)]), std::fabs(e.hi[size_t(c)])});
        plot::SetupY(-emax * 1.1, emax * 1.1, "error");
        if (a->summary) plot::PlotShadeX("data range", a->summary->min, a->summary->max, IM_COL32(110, 150, 210, 25));
        // B first and thicker, A on top: where the two coincide both stay visible. The legend gives each
        // step s (the sawtooth spans ±s/2), since a fine grid's sawtooth is flat next to a coarse one.
        char la[48], lb[48];
        std::snprintf(lb, sizeof lb, "B: s = %.3g", double(rb.params.slices[0].scale));
        plot::PlotEnvelope(lb, curves.back(), kColorB, 2.0f);
        if (perTensorA) {
            std::snprintf(la, sizeof la, "A: s = %.3g", double(ra.params.slices[0].scale));
            plot::PlotEnvelope(la, curves.front(), kColorA, 1.0f);
        }
        plot::PlotHLine("##0", 0, IM_COL32(255, 255, 255, 50));
        m_shown.errorCurvesDrawn = curves.size();
        plot::EndPlot();
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("cmp_errhist", ImVec2(0, 0));
    ImGui::Text("%serror histograms (share of values)", estimateMark(m_shown.exactA && m_shown.exactB));
    helpMarker("Each scheme's histogram of x_hat - x, as the share of values per pixel column, so an estimate on the "
               "sample and an exact pass overlay on one axis.");
    const double elo = std::min(ha.errorLo, hb.errorLo), ehi = std::max(ha.errorHi, hb.errorHi);
    if (ehi > elo && plot::BeginPlot("##cmp_errhist", ImVec2(-1, -1), plot::kYFromZero | (ui.logY ? plot::kLogY : 0))) {
        plot::SetupX(elo, ehi, "error");
        const int px = std::max(1, plot::PixelWidth() / 2);  // two pixels per column: bars stay readable
        m_shown.errorSharesA = rebinShares(ha.errorHistogram, ha.errorLo, ha.errorHi, plot::ViewXLo(), plot::ViewXHi(), px);
        m_shown.errorSharesB = rebinShares(hb.errorHistogram, hb.errorLo, hb.errorHi, plot::ViewXLo(), plot::ViewXHi(), px);
        double ymax = std::max(maxOf(m_shown.errorSharesA), maxOf(m_shown.errorSharesB));
        plot::SetupY(ui.logY ? 1e-7 : 0, std::max(ymax * 1.08, 1e-6), "share");
        plot::PlotColumns("A", plot::ViewXLo(), plot::ViewXHi(), m_shown.errorSharesA.data(), px, kFillA);
        plot::PlotColumns("B", plot::ViewXLo(), plot::ViewXHi(), m_shown.errorSharesB.data(), px, kFillB);
        plot::EndPlot();
    }
    ImGui::EndChild();
}

// [SECTION] two files

void ComparePanel::drawFiles(AppState& state, UiState& ui) {
    const Document* doc = state.currentDocument();
    auto sel = state.selectedTensor();
    auto second = state.reference();
    ImGui::SameLine();
    if (ImGui::SmallButton(second ? "Choose another second file..." : "Open a second file..."))
        ui.openReferenceBrowser = true;
    if (!doc || !sel) {
        m_shown.message = "no tensor selected";
        ImGui::TextDisabled("%s", m_shown.message.c_str());
        return;
    }
    if (!second) {
        m_shown.message = "Open a second file (the same model in another precision or quantization, or another "
                          "checkpoint) to compare this tensor with its namesake there.";
        ImGui::TextWrapped("%s", m_shown.message.c_str());
        return;
    }
    // File names only (the paths are long); the full paths in the tooltip.
    auto baseName = [](const std::string& p) { return p.substr(p.find_last_of('/') + 1); };
    ImGui::TextColored(kTextA, "A");
    ImGui::SameLine();
    ImGui::Text("%s", baseName(doc->model->path).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", doc->model->path.c_str());
    ImGui::SameLine();
    ImGui::TextColored(kTextB, "  B");
    ImGui::SameLine();
    ImGui::Text("%s", baseName(second->path).c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", second->path.c_str());
    state.requestFileComparison();
    auto c = state.fileComparison();
    if (!c) {
        ImGui::TextDisabled("comparing %s in both files...", doc->model->tensors[*sel].name.c_str());
        return;
    }
    m_shown.files = c;
    if (!c->error.empty()) {
        m_shown.message = c->error;
        ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", c->error.c_str());
        return;
    }
    const FileComparison& r = c->result;
    ImGui::Text("%s: A %s %s, B %s %s%s", c->name.c_str(), c->typeA.c_str(), shapeText(c->shapeA).c_str(),
                c->typeB.c_str(), shapeText(c->shapeB).c_str(),
                c->pairedByPosition ? "  (the only tensor of each file)" : "");
    // Say plainly what B − A is when one side is a stored quantization of the other.
    const TensorInfo& infoA = doc->model->tensors[*sel];
    auto j = c->pairedByPosition ? std::optional<size_t>(0) : second->find(infoA.name);
    StoredQuantFacts fa = storedQuantFacts(infoA);
    StoredQuantFacts fb = j ? storedQuantFacts(second->tensors[*j]) : StoredQuantFacts{};
    const bool storedSide = fa.blockQuantized || fb.blockQuantized;
    if (fb.blockQuantized && !fa.blockQuantized)
        ImGui::TextWrapped("B stores it as %s (%.3g bits/weight): x_B - x_A is that quantization's error "
                           "(B dequantized as llama.cpp does).", fb.typeName.c_str(), fb.bitsPerWeight);
    else if (fa.blockQuantized && !fb.blockQuantized)
        ImGui::TextWrapped("A stores it as %s (%.3g bits/weight): x_B - x_A is minus that quantization's error "
                           "(A dequantized as llama.cpp does).", fa.typeName.c_str(), fa.bitsPerWeight);
    else if (fa.blockQuantized && fb.blockQuantized)
        ImGui::TextWrapped("Both sides are stored quantized (%s, %s): the difference of two reconstructions.",
                           fa.typeName.c_str(), fb.typeName.c_str());

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float tableW = std::min(avail.x * 0.4f, ImGui::GetFontSize() * 24);
    ImGui::BeginChild("files_table", ImVec2(tableW, 0));
    if (ImGui::BeginTable("files_metrics", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        auto line = [](const char* name, const char* fmt, double v) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextUnformatted(name);
            ImGui::TableSetColumnIndex(1);
            if (std::isinf(v)) ImGui::TextUnformatted(v > 0 ? "inf" : "-inf");
            else ImGui::Text(fmt, v);
        };
        line("compared", "%.0f", double(r.count));
        if (r.skipped) line("NaN/Inf pairs", "%.0f", double(r.skipped));
        line("MSE", "%.4g", r.stats.mse);
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted("signal");
        ImGui::TableSetColumnIndex(1);
        ImGui::TextColored(r.signalIsB ? kTextB : kTextA, "%s (%s)", r.signalIsB ? "B" : "A",
                           (r.signalIsB ? c->typeB : c->typeA).c_str());
        line("SQNR dB", "%.2f", r.stats.sqnrDb);
        line("rel RMS", "%.4f", r.relativeRms);
        line("max |B-A|", "%.4g", r.stats.maxAbsError);
        line("mean |B-A|", "%.4g", r.stats.meanAbsError);
        line("bias mean(B-A)", "%+.3g", r.meanDiff);
        line("cosine", "%.6f", r.stats.cosine);
        line("identical %", "%.2f", r.count ? 100.0 * double(r.equal) / double(r.count) : 0.0);
        line("A min", "%.4g", r.aMin);
        line("A max", "%.4g", r.aMax);
        line("B min", "%.4g", r.bMin);
        line("B max", "%.4g", r.bMax);
        ImGui::EndTable();
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Element by element over pairs where both values are finite. SQNR = 10 log10(sum x^2 / "
                          "sum (x_B - x_A)^2) and rel RMS = sqrt(sum (x_B - x_A)^2 / sum x^2) with x the signal: A, "
                          "or B when only A is stored quantized (the higher-precision side). Cosine of the two "
                          "tensors as vectors.");
    if (storedSide) {
        m_shown.storedTable = true;
        if (ImGui::CollapsingHeader("stored quantization vs quantviz", ImGuiTreeNodeFlags_DefaultOpen))
            drawStoredComparisonTable(state);
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("files_plots", ImVec2(0, 0));
    const float plotH = (ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * 2) * 0.5f;
    ImGui::Text("histograms of A and B (%d bins over the common range)", FileComparison::kBins);
    if (plot::BeginPlot("##files_hist", ImVec2(-1, plotH), plot::kYFromZero | (ui.logY ? plot::kLogY : 0))) {
        plot::SetupX(r.lo, r.hi, "value");
        double ymax = std::max(maxOf(r.histA), maxOf(r.histB));
        plot::SetupY(ui.logY ? 0.5 : 0, std::max(1.0, ymax * 1.08), "count");
        // A filled, B as a line on top: twins that nearly coincide stay tellable apart.
        plot::PlotColumns("A", r.lo, r.hi, r.histA.data(), int(r.histA.size()), kFillA);
        const double bw = (r.hi - r.lo) / double(r.histB.size());
        Envelope eb = envelopeOfSeries(r.histB, r.lo + 0.5 * bw, bw, plot::ViewXLo(), plot::ViewXHi(), plot::PixelWidth());
        plot::PlotEnvelope("B", eb, kColorB, 1.5f);
        plot::EndPlot();
    }
    ImGui::Text("x_B - x_A (%.0f of %.0f identical)", double(r.equal), double(r.count));
    helpMarker("The element-by-element difference: a narrow spike at 0 means B reproduces A closely; a wide or "
               "shifted distribution is the error (or bias) B carries relative to A.");
    if (plot::BeginPlot("##files_diff", ImVec2(-1, -1), plot::kYFromZero | plot::kNoLegend | (ui.logY ? plot::kLogY : 0))) {
        plot::SetupX(r.dLo, r.dHi, "x_B - x_A");
        plot::SetupY(ui.logY ? 0.5 : 0, std::max(1.0, maxOf(r.histDiff) * 1.08), "count");
        plot::PlotColumns("difference", r.dLo, r.dHi, r.histDiff.data(), int(r.histDiff.size()), IM_COL32(204, 121, 167, 220));
        plot::PlotVLine("##zero", 0, IM_COL32(255, 255, 255, 90), 1.0f);
        plot::EndPlot();
    }
    ImGui::EndChild();
}

// [SECTION] llama.cpp types

namespace {

// Stored bits per weight of quantviz's scheme: the code bits, plus each group's scale (float32; MX:
// an 8-bit E8M0 exponent; NVFP4: an 8-bit E4M3 per block) and an asymmetric group's zero point. Per
// tensor and per channel the scales are negligible beside millions of weights (shown as the code bits).
double schemeBitsPerWeight(const QuantScheme& s) {
    double bits = s.codeBits();
    if (s.granularity != Granularity::PerGroup || s.groupSize <= 0) return bits;
    const double g = static_cast<double>(s.groupSize);
    if (s.format == NumberFormat::Int) return bits + 32 / g + (s.symmetric() ? 0 : bits / g);
    if (hasTensorScale(s.format) || mxElementEmax(s.format) >= 0) return bits + 8 / g;
    return bits + 32 / g;
}

}  // namespace

// The importance matrix line above the llama.cpp table: load one (a path), or what the loaded one does to this
// tensor, with a button to drop it.
void ComparePanel::drawImatrixLine(AppState& state, const GgmlRequantComparison* g) {
    if (auto im = state.imatrix()) {
        const std::string file = state.imatrixLabel();
        if (!g) ImGui::Text("imatrix %s", file.c_str());
        else if (!g->importanceEntry.empty()) {
            // The entry's name only when it is not the tensor's own (a llama.cpp name matched a Hugging Face one).
            const Document* d = state.currentDocument();
            const bool own = d && state.selectedTensor() && d->model->tensors[*state.selectedTensor()].name == g->importanceEntry;
            ImGui::Text("imatrix %s%s%s", file.c_str(), own ? "" : ": ", own ? "" : g->importanceEntry.c_str());
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("this tensor is encoded as llama-quantize --imatrix does, with entry %s",
                                  g->importanceEntry.c_str());
        } else
            ImGui::TextDisabled("imatrix %s: no entry for this tensor (encoded without)", file.c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("drop##imatrix")) state.clearImatrix();
    } else {
        ImGui::TextUnformatted("imatrix");
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
        const bool entered = ImGui::InputTextWithHint("##imatrix", "path to llama-imatrix output (.gguf / .dat)", m_imatrixInput,
                                                      sizeof m_imatrixInput, ImGuiInputTextFlags_EnterReturnsTrue);
        ImGui::SameLine();
        if ((ImGui::SmallButton("load##imatrix") || entered) && m_imatrixInput[0]) {
            auto r = state.loadImatrix(m_imatrixInput);
            m_shown.imatrixMessage = r ? std::string() : r.message();
        }
        // No llama-imatrix output at hand: one made here for the selected weight, from activations the file holds
        // (best-named first, as the SmoothQuant tab ranks them) or synthetic ones with outlier channels.
        const Document* doc = state.currentDocument();
        const auto sel = state.selectedTensor();
        if (doc && sel && importanceColumns(doc->model->tensors[*sel]) > 0) {
            ImGui::SameLine();
            if (ImGui::SmallButton("from activations...")) ImGui::OpenPopup("imatrix-from");
            if (ImGui::BeginPopup("imatrix-from")) {
                const TensorInfo& w = doc->model->tensors[*sel];
                std::vector<std::pair<int, size_t>> candidates;  // (score, tensor)
                for (size_t i = 0; i < doc->model->tensors.size(); ++i)
                    if (importanceCandidate(w, doc->model->tensors[i]))
                        candidates.emplace_back(smoothActivationScore(w.name, doc->model->tensors[i]), i);
                std::stable_sort(candidates.begin(), candidates.end(),
                                 [](const auto& a, const auto& b) { return a.first > b.first; });
                m_shown.imatrixCandidates.clear();
                for (const auto& c : candidates) m_shown.imatrixCandidates.push_back(c.second);
                ImGui::TextDisabled("importance for %s = mean x^2 per input column of:", w.name.c_str());
                auto use = [&](Result<Imatrix> r, const std::string& label) {
                    if (r) state.useImatrix(std::make_shared<const Imatrix>(std::move(*r)), label);
                    m_shown.imatrixMessage = r ? std::string() : r.message();
                    ImGui::CloseCurrentPopup();
                };
                for (const auto& [score, i] : candidates) {
                    const TensorInfo& a = doc->model->tensors[i];
                    const std::string label = a.name + " " + a.shapeString();
                    if (ImGui::Selectable(label.c_str())) use(importanceFromTensor(*doc->model, *sel, i), "from " + a.name);
                }
                if (ImGui::Selectable("synthetic activations: 128 tokens, 4 outlier channels x30 (not captured)"))
                    use(importanceFromSynthetic(w, 128, 4, 30.0f, 1), "synthetic (4 outlier channels x30)");
                ImGui::EndPopup();
            }
        }
    }
    ImGui::SameLine();
    helpMarker("An importance matrix (llama-imatrix's output) holds, per weight tensor, the mean squared input activation "
               "of each column over a calibration text; llama-quantize --imatrix weights each value's error by its "
               "column's importance when it fits the block scales. With one loaded, the tensors it covers are encoded "
               "that way here; 'imp-w' is sqrt(sum imp*e^2 / sum imp*x^2), the relative error of the layer's output "
               "it predicts, and 'no imx' the same for the plain encoding (green: the imatrix lowers it). Q8_0 "
               "ignores importance. No imatrix file? 'from activations...' makes one for the selected tensor: the mean "
               "x^2 per column of activations the file holds, or of synthetic ones with a few outlier channels.");
    if (!m_shown.imatrixMessage.empty()) ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%s", m_shown.imatrixMessage.c_str());
}

void ComparePanel::drawLlamaCpp(AppState& state, UiState& ui) {
    state.requestGgmlRequant();
    auto g = state.ggmlRequant();
    drawImatrixLine(state, g.get());
    if (!g) {
        ImGui::TextDisabled(state.ggmlRequantPending() ? "encoding and decoding every block (the K-quants search their scales)..."
                                                      : "select a tensor");
        return;
    }
    m_shown.ggml = g;
    const Document* doc = state.currentDocument();
    const std::string tensorName = doc && state.selectedTensor() ? doc->model->tensors[*state.selectedTensor()].name : "";
    if (g->complete) exportButtonsRight("llamacpp", state, ui, [g, tensorName] { return ggmlRequantExport(*g, tensorName); });
    auto a = state.analysis();
    const CalibRow* active = a ? a->activeRow() : nullptr;
    struct Line {
        std::string name;
        double bpw;
        const ErrorStats* stats;
        double relRms;
        std::string error;
        bool ours;
        DType type = DType::F32;  // the type's row: what a click opens in detail
        const GgmlRequantComparison::Row* row = nullptr;
    };
    std::vector<Line> lines;
    // A row still being computed reads "..." (the job posts the cheap types first; the K-quants search).
    for (const auto& r : g->rows)
        lines.push_back({r.typeName, r.bitsPerWeight, &r.stats, r.relativeRms, r.pending ? std::string("...") : r.error, false,
                         r.type, &r});
    const bool importance = !g->importanceEntry.empty();
    m_shown.ggmlImportanceColumns = importance;
    if (active) {
        const ErrorStats& e = active->exact ? active->exact->total : active->estimate.total;
        const double rel = e.mse == 0 ? 0.0 : std::pow(10.0, -e.sqnrDb / 20);
        std::string name = (active->exact ? "" : "~ ") + a->scheme.describe() + ", " + active->label;
        if (ImGui::GetFontSize() * name.size() * 0.55f > ImGui::GetContentRegionAvail().x * 0.4f)  // keep the numbers in view
            name = (active->exact ? "" : "~ ") + std::string("active scheme, ") + active->label;
        lines.push_back({name, schemeBitsPerWeight(a->scheme), &e, rel, "", true});
        m_shown.ggmlQuantvizRow = true;
    }
    // Best of each column among the rows that have numbers (lower is better except SQNR and cosine).
    double bestMse = INFINITY, bestSqnr = -INFINITY, bestRel = INFINITY, bestMax = INFINITY, bestCos = -INFINITY;
    for (const auto& l : lines) {
        if (!l.error.empty()) continue;
        bestMse = std::min(bestMse, l.stats->mse);
        bestSqnr = std::max(bestSqnr, l.stats->sqnrDb);
        bestRel = std::min(bestRel, l.relRms);
        bestMax = std::min(bestMax, l.stats->maxAbsError);
        bestCos = std::max(bestCos, l.stats->cosine);
    }
    const ImVec4 good(0.45f, 0.85f, 0.45f, 1);
    const auto cell = [&](const char* fmt, double v, bool best) {
        if (best) ImGui::TextColored(good, fmt, v);
        else ImGui::Text(fmt, v);
    };
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    // With an imatrix the two importance columns take the cosine's place (the tab is narrow, and cosine here is
    // 1 − rel²/2 to four digits: the rel. RMS column says the same).
    if (ImGui::BeginTable("llamacpp", importance ? 8 : 7, flags)) {
        ImGui::TableSetupColumn("type");
        ImGui::TableSetupColumn("bits/w");
        ImGui::TableSetupColumn("MSE");
        ImGui::TableSetupColumn("SQNR dB");
        ImGui::TableSetupColumn("rel. RMS");
        ImGui::TableSetupColumn("max |e|");
        if (importance) {
            ImGui::TableSetupColumn("imp-w");   // narrow: the (?) above the table says what they are
            ImGui::TableSetupColumn("no imx");
        } else {
            ImGui::TableSetupColumn("cosine");
        }
        ImGui::TableHeadersRow();
        for (const auto& l : lines) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            if (l.ours) {
                ImGui::TextColored(ImVec4(0.55f, 0.75f, 1, 1), "%s", l.name.c_str());
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("quantviz: %s", a->scheme.describe().c_str());
            } else {
                // A click anywhere on the row opens the type's detail below the table; hover the name for what
                // the type is, right-click it for its glossary entry.
                const bool selected = m_detailType == l.type;
                if (ImGui::Selectable(l.name.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns) && !selected)
                    setLlamaCppDetail(l.type);
                {
                    const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
                    m_shown.ggmlRowCentres.emplace_back((lo.x + hi.x) / 2, (lo.y + hi.y) / 2);
                }
                const bool k = l.name[0] == 'q' && l.name.size() > 3 && l.name[3] == 'K';
                const char* text = l.name.rfind("iq4_", 0) == 0   ? glossary::kIq4Nl
                                   : k                           ? glossary::kKQuants
                                   : l.name.rfind("q8_0", 0) == 0 ? glossary::kQ8_0
                                                                  : glossary::kQ4_0;
                if (ImGui::IsItemHovered()) {
                    ImGui::BeginTooltip();
                    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
                    ImGui::TextUnformatted(text);
                    ImGui::TextDisabled("click: where it hurts this tensor (below the table); right-click: the glossary");
                    ImGui::PopTextWrapPos();
                    ImGui::EndTooltip();
                    if (ImGui::IsMouseClicked(ImGuiMouseButton_Right)) requestGlossary(text);
                }
            }
            ImGui::TableNextColumn();
            ImGui::Text(l.ours ? "~%.2f" : "%.2f", l.bpw);
            if (!l.error.empty()) {
                ImGui::TableNextColumn();
                ImGui::TextDisabled("%s", l.error.c_str());
                continue;
            }
            ImGui::TableNextColumn();
            cell("%.4g", l.stats->mse, l.stats->mse == bestMse);
            ImGui::TableNextColumn();
            cell(std::isinf(l.stats->sqnrDb) ? "%.0f" : "%.2f", l.stats->sqnrDb, l.stats->sqnrDb == bestSqnr);
            ImGui::TableNextColumn();
            cell("%.4f", l.relRms, l.relRms == bestRel);
            ImGui::TableNextColumn();
            cell("%.4g", l.stats->maxAbsError, l.stats->maxAbsError == bestMax);
            if (!importance) {
                ImGui::TableNextColumn();
                cell("%.5f", l.stats->cosine, l.stats->cosine == bestCos);
            } else if (l.row && l.row->weighted) {
                // Green where the imatrix lowers the output error it predicts (Q8_0 ignores importance: equal).
                ImGui::TableNextColumn();
                cell("%.4f", l.row->weightedRel, l.row->weightedRel < l.row->weightedRelWithout);
                ImGui::TableNextColumn();
                ImGui::Text("%.4f", l.row->weightedRelWithout);
            }
        }
        ImGui::EndTable();
    }
    drawLlamaCppDetail(state, ui);
    drawLlamaCppModel(state, ui);
    ImGui::TextWrapped("Q8_0 ... Q4_0: blocks of 32 along each row, one f16 scale each (Q4_1/Q5_1 also an f16 minimum); "
                       "Q4_0: d = m/-8 from the value m of largest |x|, q = trunc(x/d + 8.5): round half up, not to "
                       "even. K-quants: super-blocks of 256 whose 16 or 32-value sub-blocks get fitted scales (and "
                       "minima), themselves quantized to 6 or 8 bits; rows that are not whole blocks fall back as "
                       "llama-quantize does (\"->\"). The same bytes llama-quantize writes without an importance matrix "
                       "(checked against real GGUF files). quantviz's row: the active scheme and calibrator; its "
                       "bits/weight count the codes plus each group's scale and zero point.");
    // SQNR against storage: each type a point, the active scheme in blue; up and left is better.
    double xLo = INFINITY, xHi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
    for (const auto& l : lines)
        if (l.error.empty() && std::isfinite(l.stats->sqnrDb)) {
            xLo = std::min(xLo, l.bpw);
            xHi = std::max(xHi, l.bpw);
            yLo = std::min(yLo, l.stats->sqnrDb);
            yHi = std::max(yHi, l.stats->sqnrDb);
        }
    // The rest of the tab, or (below an open detail, in a small tab) a fixed height reached by scrolling.
    const float plotH = std::max(ImGui::GetContentRegionAvail().y, ImGui::GetFontSize() * 16);
    if (xLo > xHi) return;
    const double padX = std::max(0.5, 0.08 * (xHi - xLo)), padY = std::max(1.0, 0.12 * (yHi - yLo));
    if (plot::BeginPlot("##sqnr_bpw", ImVec2(-1, plotH), plot::kNoLegend)) {
        plot::SetupX(xLo - padX, xHi + 2 * padX, "bits per weight");
        plot::SetupY(yLo - padY, yHi + padY, "SQNR dB");
        const plot::Transform& t = plot::CurrentTransform();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        std::vector<double> placed;  // bit rates labelled so far: points sharing one stack their labels
        for (const auto& l : lines) {
            if (!l.error.empty() || !std::isfinite(l.stats->sqnrDb)) continue;
            const ImU32 color = l.ours ? IM_COL32(140, 190, 255, 255) : IM_COL32(230, 230, 230, 255);
            const ImVec2 p(t.x(l.bpw), t.y(l.stats->sqnrDb));
            dl->AddCircleFilled(p, 4.0f, color);
            // The first label at a bit rate above its point, the next ones below (Q4_K and Q4_0 share 4.5).
            const auto rank = std::count_if(placed.begin(), placed.end(), [&](double b) { return std::fabs(b - l.bpw) < 1e-9; });
            placed.push_back(l.bpw);
            const float dy = ImGui::GetFontSize() * (rank == 0 ? -1.1f : 0.1f + 1.0f * static_cast<float>(rank - 1));
            dl->AddText(ImVec2(p.x + 6, p.y + dy), color, l.ours ? "active scheme" : l.name.c_str());
        }
        plot::EndPlot();
    }
}

// The whole model under each type, on request: every tensor is encoded twelve ways, which takes a while on a
// large model (a progress bar and Cancel while it runs). A preset (Q4_K_M, …) adds its plan and the mix's totals.
void ComparePanel::drawLlamaCppModel(AppState& state, UiState& ui) {
    if (m_modelRequest && state.currentDocument()) {
        m_modelRequest = false;
        state.requestGgmlModel();  // ignored while it runs
    }
    if (m_modelScroll) ImGui::SetNextItemOpen(true);
    const float headerY = ImGui::GetCursorPosY();
    const bool open = ImGui::CollapsingHeader("whole model", ImGuiTreeNodeFlags_DefaultOpen);
    if (m_modelScroll) {
        ImGui::SetScrollY(std::max(0.0f, headerY - ImGui::GetStyle().WindowPadding.y));
        // The type table above grows as its rows arrive: keep the section at the top until it is complete.
        auto g = state.ggmlRequant();
        if (g && g->complete) m_modelScroll = false;
    }
    if (!open) return;
    auto m = state.ggmlModel();
    m_shown.ggmlModel = m;
    if (auto p = state.ggmlModelProgress()) {
        ImGui::ProgressBar(static_cast<float>(p->fraction()), ImVec2(ImGui::GetFontSize() * 16, 0));
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel##ggmlmodel")) p->cancel();
    } else if (ImGui::SmallButton(m ? "compute again" : "compute for every tensor")) {
        state.requestGgmlModel();
    }
    ImGui::SameLine();
    helpMarker("Every tensor of the model as the file llama-quantize would write for each type: 1-D tensors (norms, "
               "biases) kept as stored, matrices whose rows are not whole blocks written as the fallback type. "
               "Integer tensors (graph constants, ids) are kept and not counted: they are not weights. bits/weight "
               "counts the tensor data (no header or vocabulary); rel. RMS is ||x_hat - x|| / ||x|| over every "
               "floating element of the model.");
    const Document* doc = state.currentDocument();
    if (m && doc)
        exportButtonsRight("llamacpp_model", state, ui, [m, model = doc->model] { return ggmlModelExport(*m, *model); });
    auto mix = drawLlamaCppPreset(state);
    m_shown.ggmlMix = mix;
    const bool mixTotals = mix && mix->error.empty() && mix->measure.error.empty();
    if (m && !m->error.empty()) ImGui::TextColored(ImVec4(1, 0.6f, 0.4f, 1), "not measured: %s", m->error.c_str());
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    // With an importance matrix: the importance-weighted relative error over the tensors it covers.
    const bool weightedColumn = (m && m->withImportance > 0) || (mixTotals && mix->measure.withImportance > 0);
    if ((m || mixTotals) && ImGui::BeginTable("llamacpp_model", weightedColumn ? 5 : 4, flags)) {
        ImGui::TableSetupColumn("type");
        ImGui::TableSetupColumn("bits/w");
        ImGui::TableSetupColumn("rel. RMS");
        ImGui::TableSetupColumn("SQNR dB");
        if (weightedColumn) ImGui::TableSetupColumn("imp-w");
        ImGui::TableHeadersRow();
        auto row = [weightedColumn](const std::string& name, const GgmlModelTotals& t, bool highlight,
                                    const GgmlWeightedSums* w) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            if (highlight) ImGui::TextColored(kTextB, "%s", name.c_str());
            else ImGui::TextUnformatted(name.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.3f", t.bitsPerWeight());
            ImGui::TableNextColumn();
            ImGui::Text("%.4f", t.relativeRms());
            ImGui::TableNextColumn();
            const double rel = t.relativeRms();
            if (rel > 0) ImGui::Text("%.2f", -20 * std::log10(rel));
            else ImGui::TextUnformatted("inf");
            if (weightedColumn) {
                ImGui::TableNextColumn();
                if (w && w->sumImpSqX > 0) ImGui::Text("%.4f", std::sqrt(w->relative()));
            }
        };
        if (mixTotals) {
            row(std::string(mix->plan.preset.name) + " (mix)", mix->measure.totals, true,
                mix->measure.withImportance > 0 ? &mix->measure.weighted : nullptr);
            m_shown.ggmlMixInTotals = true;
        }
        if (m)
            for (size_t k = 0; k < m->totals.size(); ++k)
                row(std::string(dtypeName(m->totals[k].type)), m->totals[k], mixTotals && m->totals[k].type == mix->plan.preset.base,
                    m->withImportance > 0 && k < m->weighted.size() ? &m->weighted[k] : nullptr);
        ImGui::EndTable();
    }
    if (m && m->withImportance > 0)
        ImGui::TextDisabled("%zu tensors; %zu encoded with the imatrix (imp-w over those)", m->tensors, m->withImportance);
    else if (m)
        ImGui::TextDisabled("%zu tensors", m->tensors);
    if (mix) drawLlamaCppMixPlan(state, *mix);
    if (m) drawLlamaCppModelTensors(state, ui, m);
}

bool ComparePanel::setLlamaCppPreset(std::string_view name) {
    std::string n(name);
    for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (n.empty() || n == "NONE") {
        m_preset = -1;
        return true;
    }
    auto p = ggmlPresetFromName(n);
    if (!p) return false;
    const auto& presets = ggmlPresets();
    for (size_t i = 0; i < presets.size(); ++i)
        if (presets[i].name == p->name) m_preset = int(i);
    m_modelScroll = true;
    return true;
}

// The preset combo, and the job that plans and measures the picked preset on the current document (off the UI
// thread: one round trip per tensor). Returns the finished result for this document and preset, if any.
std::shared_ptr<const GgmlMixResult> ComparePanel::drawLlamaCppPreset(AppState& state) {
    const auto& presets = ggmlPresets();
    ImGui::TextUnformatted("llama-quantize preset");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    const std::string preview = m_preset < 0 ? "none" : std::string(presets[size_t(m_preset)].name);
    if (ImGui::BeginCombo("##llamacpppreset", preview.c_str())) {
        if (ImGui::Selectable("none", m_preset < 0)) m_preset = -1;
        for (size_t i = 0; i < presets.size(); ++i) {
            const std::string label(presets[i].name);
            if (ImGui::Selectable(label.c_str(), m_preset == int(i))) m_preset = int(i);
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("file type %d: every tensor asked for %s, then llama.cpp's rules move some to more bits",
                                  presets[i].ftype, std::string(dtypeName(presets[i].base)).c_str());
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    helpMarker("What `llama-quantize model.gguf Q4_K_M` really writes: a preset is not one type everywhere. llama.cpp's "
               "llama_tensor_get_type (src/llama-quant.cpp) gives output.weight q6_K, the attn_v and ffn_down of the "
               "first and last eighth of the layers and of every third layer between them more bits (use_more_bits), "
               "and more, by preset, layer, layer count, GQA and experts. asked: the preset's type; chosen: the "
               "rule's; written: after the fallback for rows that are not whole blocks. The mix's totals stand above "
               "the pure types'. Hugging Face / Meta names are mapped onto llama.cpp's. Not offered: the IQ1-IQ3, "
               "TQ and MXFP4 presets (quantviz cannot write their types). With an importance matrix loaded (above "
               "the table) the plan follows llama.cpp's rules for one and the tensors it covers are encoded with it. "
               "docs/llamacpp_presets.md has the rules.");
    const Document* doc = state.currentDocument();
    if (m_preset < 0 || !doc) return nullptr;
    const GgmlPreset preset = presets[size_t(m_preset)];
    std::shared_ptr<const GgmlMixResult> result;
    bool running = false;
    {
        std::lock_guard lock(m_mixSlot->mutex);
        result = m_mixSlot->result;
        running = m_mixSlot->running;
    }
    const std::shared_ptr<const Imatrix> imatrix = state.imatrix();
    const bool fresh = result && result->docId == doc->id && result->plan.preset.name == preset.name &&
                       result->imatrix == imatrix;
    if (!fresh && (m_mixJobDoc != doc->id || m_mixJobPreset != m_preset || m_mixJobImatrix != imatrix.get())) {
        if (running) {
            if (m_mixProgress) m_mixProgress->cancel();  // for another preset or file; resubmitted once it stops
        } else {
            m_mixJobDoc = doc->id;
            m_mixJobPreset = m_preset;
            m_mixJobImatrix = imatrix.get();
            auto slot = m_mixSlot;
            {
                std::lock_guard lock(slot->mutex);
                slot->running = true;
            }
            m_mixProgress = state.jobs().submit(
                "llama-quantize " + std::string(preset.name) + " for the whole model",
                [slot, model = doc->model, docId = doc->id, preset, imatrix](Progress& progress) {
                    auto out = std::make_shared<GgmlMixResult>();
                    out->docId = docId;
                    out->imatrix = imatrix;
                    out->plan = ggmlMixPlan(*model, preset, imatrix != nullptr);
                    auto measured = ggmlMixMeasure(*model, out->plan, &progress, 0, imatrix.get());
                    if (measured) out->measure = std::move(*measured);
                    else out->error = measured.message();
                    const bool cancelled = progress.cancelled();
                    std::lock_guard lock(slot->mutex);
                    slot->running = false;
                    if (!cancelled) slot->result = out;
                });
            running = true;
        }
    }
    if (running && m_mixProgress) {
        ImGui::SameLine();
        ImGui::ProgressBar(static_cast<float>(m_mixProgress->fraction()), ImVec2(ImGui::GetFontSize() * 10, 0));
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel##ggmlmix")) m_mixProgress->cancel();
    } else if (!fresh) {
        ImGui::SameLine();
        if (ImGui::SmallButton("compute##ggmlmix")) m_mixJobDoc = 0;  // cancelled earlier: submit again next frame
    }
    if (!fresh) return nullptr;
    const GgmlMixPlan& plan = result->plan;
    const GgmlModelFacts& f = plan.facts;
    size_t quantized = 0;
    for (const auto& e : plan.tensors) quantized += e.kept ? 0 : 1;
    std::string extra;
    if (f.experts > 1) extra += ", " + std::to_string(f.experts) + " experts";
    if (f.llamaNames && f.tiedEmbeddings) extra += ", tied embeddings (token_embd takes the output rule)";
    ImGui::TextWrapped("%s: %zu of %zu quantized tensors get another type than %s, %zu fall back; %d layers, GQA %d (%s)%s",
                       std::string(plan.preset.name).c_str(), plan.bumped(), quantized,
                       std::string(dtypeName(plan.preset.base)).c_str(), plan.fallbacks(), f.layers, f.gqa,
                       f.gqaSource.c_str(), extra.c_str());
    if (result->imatrix)
        ImGui::TextWrapped("planned and encoded with the importance matrix (%zu tensor%s covered; imp-w below)",
                           result->measure.withImportance, result->measure.withImportance == 1 ? "" : "s");
    for (const auto& n : plan.notes) ImGui::TextDisabled("note: %s", n.c_str());
    if (!result->error.empty()) ImGui::TextColored(ImVec4(1, 0.6f, 0.4f, 1), "not measured: %s", result->error.c_str());
    if (!result->measure.error.empty())
        ImGui::TextColored(ImVec4(1, 0.6f, 0.4f, 1), "not measured: %s", result->measure.error.c_str());
    return result;
}

// The preset's plan, one row per quantized tensor in model order: asked / chosen / written type, SQNR, the rule's
// reason; a tensor the preset moves to another type is orange, a fallback marked *; a click on a name selects it.
void ComparePanel::drawLlamaCppMixPlan(AppState& state, const GgmlMixResult& mix) {
    const Document* doc = state.currentDocument();
    if (!doc) return;
    const ModelFile& model = *doc->model;
    const GgmlMixPlan& plan = mix.plan;
    std::vector<size_t> rows;
    for (size_t i = 0; i < plan.tensors.size(); ++i)
        if (!plan.tensors[i].kept) rows.push_back(i);
    ImGui::Text("%s per tensor:", std::string(plan.preset.name).c_str());
    ImGui::SameLine();
    helpMarker("asked: the preset's type; chosen: what llama.cpp's rule picks for this tensor (orange when it differs); "
               "written: what the file holds (* a fallback: rows not whole blocks of the chosen type); SQNR of the "
               "tensor as written; the rule's reason (hover for all of it). Click a name to select the tensor.");
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    const float rowH = ImGui::GetTextLineHeightWithSpacing();
    const float height = rowH * (static_cast<float>(std::min<size_t>(rows.size(), 10)) + 1.6f);
    const auto sel = state.selectedTensor();
    if (!rows.empty() && ImGui::BeginTable("llamacpp_mix_plan", 6, flags, ImVec2(0, height))) {
        ImGui::TableSetupScrollFreeze(1, 1);
        ImGui::TableSetupColumn("tensor", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 13);
        ImGui::TableSetupColumn("asked");
        ImGui::TableSetupColumn("chosen");
        ImGui::TableSetupColumn("written");
        ImGui::TableSetupColumn("SQNR dB");
        ImGui::TableSetupColumn("reason");
        ImGui::TableHeadersRow();
        ImGuiListClipper clipper;
        clipper.Begin(int(rows.size()));
        while (clipper.Step()) {
            for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
                const size_t i = rows[size_t(r)];
                const GgmlMixEntry& e = plan.tensors[i];
                const TensorInfo& info = model.tensors[i];
                m_shown.ggmlMixTensorsDrawn.push_back(i);
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::PushID(int(i));
                if (ImGui::Selectable(info.name.c_str(), sel && *sel == i)) state.selectTensor(i);
                if (ImGui::IsItemHovered())
                    ImGui::SetTooltip("%s %s%s%s: click to select it", info.name.c_str(), info.shapeString().c_str(),
                                      e.llamaName.empty() || e.llamaName == info.name ? "" : "\nllama.cpp: ",
                                      e.llamaName == info.name ? "" : e.llamaName.c_str());
                ImGui::PopID();
                ImGui::TableSetColumnIndex(1);
                ImGui::TextUnformatted(std::string(dtypeName(e.asked)).c_str());
                ImGui::TableSetColumnIndex(2);
                const std::string chosen(dtypeName(e.chosen));
                if (e.chosen != e.asked) ImGui::TextColored(kTextB, "%s", chosen.c_str());
                else ImGui::TextUnformatted(chosen.c_str());
                ImGui::TableSetColumnIndex(3);
                ImGui::Text("%s%s", std::string(dtypeName(e.written)).c_str(), e.written != e.chosen ? "*" : "");
                ImGui::TableSetColumnIndex(4);
                if (i < mix.measure.measured.size() && mix.measure.measured[i]) {
                    const double sq = mix.measure.trips[i].sums.finish(0, 0).sqnrDb;
                    if (std::isinf(sq)) ImGui::TextUnformatted("inf");
                    else ImGui::Text("%.2f", sq);
                } else {
                    ImGui::TextDisabled("-");
                }
                ImGui::TableSetColumnIndex(5);
                ImGui::TextUnformatted(e.reason.c_str());
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.reason.c_str());
            }
        }
        ImGui::EndTable();
    }
    const size_t kept = plan.tensors.size() - rows.size();
    ImGui::TextDisabled("%zu quantized; %zu kept as stored (1-D, integer, norms, ...); * fallback type", rows.size(), kept);
    if (kept > 0 && ImGui::IsItemHovered()) {
        std::string names;
        for (const auto& e : plan.tensors)
            if (e.kept) {
                if (!names.empty()) names += "\n";
                names += model.tensors[e.tensor].name + ": " + e.reason;
            }
        ImGui::SetTooltip("kept as stored (no error):\n%s", names.c_str());
    }
}

namespace {

// The per-tensor table's rows (indices into m.rows; 1-D tensors, kept as stored, left out) sorted by a column:
// 0 model order, 1 elements, 2 + k the SQNR under ggmlRequantTypes()[k]; ties in model order.
std::vector<size_t> ggmlTensorOrder(const GgmlModelComparison& m, int column, bool ascending) {
    std::vector<size_t> order;
    for (size_t i = 0; i < m.rows.size(); ++i)
        if (!m.rows[i].kept) order.push_back(i);
    const auto key = [&](size_t i) {
        const GgmlTensorRow& r = m.rows[i];
        if (column == 1) return static_cast<double>(r.elements);
        const size_t k = static_cast<size_t>(column - 2);
        if (column >= 2 && k < r.types.size()) return r.types[k].sqnrDb();
        return static_cast<double>(r.tensor);
    };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const double ka = key(a), kb = key(b);
        return ascending ? ka < kb : kb < ka;
    });
    return order;
}

}  // namespace

// Which tensors suffer under each type: one row per quantized tensor, one SQNR column per chosen type, sortable
// (a click on a header; lowest first finds the tensors a mix like Q4_K_M would give more bits), the worst of each
// column in orange, fallbacks marked; a click on a name selects that tensor for the tables above.
void ComparePanel::drawLlamaCppModelTensors(AppState& state, UiState& ui, const std::shared_ptr<const GgmlModelComparison>& m) {
    const Document* doc = state.currentDocument();
    if (!doc || m->rows.empty()) return;
    const ModelFile& model = *doc->model;
    const auto& types = ggmlRequantTypes();
    std::vector<size_t> cols;  // indices into types
    for (size_t k = 0; k < types.size(); ++k)
        if (std::find(m_modelTypes.begin(), m_modelTypes.end(), types[k]) != m_modelTypes.end()) cols.push_back(k);
    for (size_t k : cols) m_shown.ggmlModelColumns.push_back(types[k]);

    ImGui::TextUnformatted("per tensor, SQNR dB:");
    ImGui::SameLine();
    char preview[32];
    std::snprintf(preview, sizeof preview, "%zu of %zu types", cols.size(), types.size());
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::BeginCombo("##ggmlmodeltypes", preview)) {
        for (DType t : types) {
            auto it = std::find(m_modelTypes.begin(), m_modelTypes.end(), t);
            bool on = it != m_modelTypes.end();
            if (ImGui::Checkbox(std::string(dtypeName(t)).c_str(), &on)) {
                if (on) m_modelTypes.push_back(t);
                else m_modelTypes.erase(it);
            }
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    helpMarker("Which tensors suffer under each type: SQNR = 10 log10(sum x^2 / sum e^2) of each tensor as llama-quantize "
               "would write it. Click a header to sort (lowest first: the tensors a mix such as Q4_K_M gives more "
               "bits); the worst of each column is orange; * marks a fallback (hover it: what is written and why). "
               "Click a name to select the tensor. 1-D and integer tensors are kept as stored (no error) and left out.");
    exportButtonsRight("llamacpp_model_tensors", state, ui, [m, model = doc->model] { return ggmlModelTensorsExport(*m, *model); });

    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                  ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    const size_t quantized = std::count_if(m->rows.begin(), m->rows.end(), [](const GgmlTensorRow& r) { return !r.kept; });
    const float rowH = ImGui::GetTextLineHeightWithSpacing();
    const float height = rowH * (static_cast<float>(std::min<size_t>(quantized, 10)) + 1.6f);
    if (quantized > 0 && ImGui::BeginTable("llamacpp_model_tensors", 2 + int(cols.size()), flags, ImVec2(0, height))) {
        ImGui::TableSetupScrollFreeze(1, 1);
        ImGui::TableSetupColumn("tensor", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort,
                                ImGui::GetFontSize() * 13, 0);
        ImGui::TableSetupColumn("elements", ImGuiTableColumnFlags_WidthFixed, 0, 1);
        for (size_t k : cols)
            ImGui::TableSetupColumn(std::string(dtypeName(types[k])).c_str(),
                                    ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortAscending, 0,
                                    ImGuiID(2 + k));
        // The header row as TableHeadersRow draws it, keeping where each header is (a click on one sorts).
        ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
        for (int c = 0; c < 2 + int(cols.size()); ++c) {
            if (!ImGui::TableSetColumnIndex(c)) continue;
            ImGui::PushID(c);
            ImGui::TableHeader(ImGui::TableGetColumnName(c));
            ImGui::PopID();
            const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
            m_shown.ggmlModelHeaderCentres.emplace_back((lo.x + hi.x) / 2, (lo.y + hi.y) / 2);
        }
        if (ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs(); sort && sort->SpecsCount > 0) {
            m_modelSortColumn = int(sort->Specs[0].ColumnUserID);
            m_modelAscending = sort->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        }
        const std::vector<size_t> order = ggmlTensorOrder(*m, m_modelSortColumn, m_modelAscending);
        std::vector<double> worst(cols.size(), INFINITY);
        for (size_t i : order)
            for (size_t c = 0; c < cols.size(); ++c) worst[c] = std::min(worst[c], m->rows[i].types[cols[c]].sqnrDb());
        const ImVec4 warn(1, 0.6f, 0.4f, 1);
        const auto sel = state.selectedTensor();
        ImGuiListClipper clipper;
        clipper.Begin(int(order.size()));
        while (clipper.Step()) {
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const GgmlTensorRow& r = m->rows[order[size_t(i)]];
                const TensorInfo& info = model.tensors[r.tensor];
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::PushID(int(r.tensor));
                if (ImGui::Selectable(info.name.c_str(), sel && *sel == r.tensor)) state.selectTensor(r.tensor);
                {
                    const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
                    m_shown.ggmlModelTensorsDrawn.push_back(r.tensor);
                    m_shown.ggmlModelNameCentres.emplace_back((lo.x + hi.x) / 2, (lo.y + hi.y) / 2);
                }
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s %s: click to select it", info.name.c_str(), info.shapeString().c_str());
                ImGui::PopID();
                ImGui::TableSetColumnIndex(1);
                ImGui::Text("%llu", static_cast<unsigned long long>(r.elements));
                for (size_t c = 0; c < cols.size(); ++c) {
                    ImGui::TableSetColumnIndex(2 + int(c));
                    const GgmlTensorRow::Cell& cell = r.types[cols[c]];
                    const double sq = cell.sqnrDb();
                    const bool fallback = cell.written != types[cols[c]];
                    char text[32];
                    if (std::isinf(sq)) std::snprintf(text, sizeof text, "inf%s", fallback ? "*" : "");
                    else std::snprintf(text, sizeof text, "%.2f%s", sq, fallback ? "*" : "");
                    if (sq == worst[c]) ImGui::TextColored(warn, "%s", text);
                    else ImGui::TextUnformatted(text);
                    if (ImGui::IsItemHovered()) {
                        const uint64_t rowLen = info.shape.empty() ? 0 : static_cast<uint64_t>(info.shape.back());
                        const std::string asked(dtypeName(types[cols[c]])), written(dtypeName(cell.written));
                        if (!fallback)
                            ImGui::SetTooltip("%s: written as %s; rel. RMS %.4f", asked.c_str(), written.c_str(), cell.relativeRms());
                        else
                            ImGui::SetTooltip("%s: written as %s: rows of %llu are not whole %s of %u; rel. RMS %.4f",
                                              asked.c_str(), written.c_str(), static_cast<unsigned long long>(rowLen),
                                              cell.written == DType::F16 ? "blocks" : "super-blocks",
                                              cell.written == DType::F16 ? 32u : traits(types[cols[c]]).blockElements,
                                              cell.relativeRms());
                    }
                }
            }
        }
        ImGui::EndTable();
    }
    const size_t kept = m->rows.size() - quantized;
    m_shown.ggmlModelKept = kept;
    ImGui::TextDisabled("%zu quantized; %zu 1-D or integer (norms, biases, constants) kept as stored; * fallback type",
                        quantized, kept);
    if (kept > 0 && ImGui::IsItemHovered()) {
        std::string names;
        for (const auto& r : m->rows)
            if (r.kept) {
                if (!names.empty()) names += "\n";
                names += model.tensors[r.tensor].name;
            }
        ImGui::SetTooltip("kept as stored (no error):\n%s", names.c_str());
    }
}


// [SECTION] llama.cpp types: one type in detail

namespace {

// What the worst-block list calls a block: the values sharing one decoded step.
std::string blockKindOf(const GgmlRequantDetail& g) {
    const std::string n = std::to_string(g.blockElements), written(dtypeName(g.written));
    if (g.blockElements == 0) return "no blocks (" + written + ": each value rounded alone)";
    if (traits(g.written).blockElements == g.blockElements) return written + " blocks of " + n + " (one scale each)";
    return "sub-blocks of " + n + " of " + written + "'s super-blocks of " +
           std::to_string(traits(g.written).blockElements) + " (one quantized scale each)";
}

}  // namespace

bool ComparePanel::setLlamaCppDetail(std::string_view name) {
    for (DType t : ggmlRequantTypes()) {
        const std::string_view n = dtypeName(t);
        const bool same = n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                          });
        if (same) {
            setLlamaCppDetail(t);
            return true;
        }
    }
    return false;
}

void ComparePanel::setLlamaCppDetail(DType type) {
    m_detailType = type;
    m_detailScroll = true;
}

// The clicked type on this tensor: where its error is (rows, values, blocks). One round trip as a job (the
// table keeps only totals); tabs so that each view gets the whole tab's height.
void ComparePanel::drawLlamaCppDetail(AppState& state, UiState& ui) {
    if (!m_detailType) {
        ImGui::TextDisabled("Click a type's row to see where it hurts this tensor (per row, per value, per block).");
        return;
    }
    const DType type = *m_detailType;
    m_shown.ggmlDetailType = type;
    const std::string header = "where " + std::string(dtypeName(type)) + " hurts this tensor###ggmldetail";
    if (m_detailScroll) ImGui::SetNextItemOpen(true);
    const float headerY = ImGui::GetCursorPosY();
    const bool open = ImGui::CollapsingHeader(header.c_str(), ImGuiTreeNodeFlags_DefaultOpen);
    if (m_detailScroll) {
        ImGui::SetScrollY(std::max(0.0f, headerY - ImGui::GetStyle().WindowPadding.y));  // the header at the top of the tab
        m_detailScroll = false;
    }
    if (!open) return;
    state.requestGgmlDetail(type);
    auto d = state.ggmlDetail();
    if (d && d->type != type) d = nullptr;
    if (auto p = state.ggmlDetailProgress(); p && !d) {
        ImGui::ProgressBar(static_cast<float>(p->fraction()), ImVec2(ImGui::GetFontSize() * 12, 0));
        ImGui::SameLine();
        if (ImGui::SmallButton("Cancel##ggmldetail")) {
            p->cancel();
            m_detailType.reset();  // closed: otherwise the next frame would ask again
        }
        return;
    }
    if (!d) return;
    m_shown.ggmlDetail = d;
    if (!d->error.empty()) {
        ImGui::TextColored(ImVec4(1, 0.6f, 0.4f, 1), "not measured: %s", d->error.c_str());
        return;
    }
    const GgmlRequantDetail& g = d->detail;
    if (g.kept) {
        const auto& tr = traits(g.written);
        if (!tr.isFloat && !tr.isBlockQuantized)
            ImGui::TextWrapped("An integer tensor (a constant or ids, not a weight): llama-quantize converts only floating "
                               "tensors; it stays %s - nothing is quantized.", std::string(dtypeName(g.written)).c_str());
        else
            ImGui::TextWrapped("A 1-D tensor (norm, bias): llama-quantize keeps it as %s - nothing is quantized, no error "
                               "to show.", std::string(dtypeName(g.written)).c_str());
        return;
    }
    const Document* doc = state.currentDocument();
    if (doc && d->tensor < doc->model->tensors.size() && doc->model->tensors[d->tensor].dtype == g.written) {
        ImGui::TextWrapped("The tensor is stored as %s already: llama-quantize would copy its blocks, no new error.",
                           std::string(dtypeName(g.written)).c_str());
        return;
    }
    const ErrorStats total = g.total.finish(0, 0);
    if (!d->importanceEntry.empty())
        ImGui::TextDisabled("encoded with the importance matrix, as the table's row");
    if (g.written != g.type)
        ImGui::TextColored(ImVec4(1, 0.8f, 0.4f, 1), "rows of %llu are not whole %s blocks: llama-quantize writes %s; its "
                           "error is shown.", static_cast<unsigned long long>(g.rowLength), d->typeName.c_str(),
                           std::string(dtypeName(g.written)).c_str());
    ImGui::Text("%s: SQNR %.2f dB over %zu rows of %llu values (the table's total)", std::string(dtypeName(g.written)).c_str(),
                total.sqnrDb, g.rows.size(), static_cast<unsigned long long>(g.rowLength));
    // The detail's tabs fill what the tab shows below these lines once the header is scrolled to the top (at
    // least 14 lines: below that, the tab scrolls).
    const float visible = ImGui::GetWindowContentRegionMax().y - ImGui::GetWindowContentRegionMin().y;
    const float used = ImGui::GetCursorPosY() - headerY;
    const float h = std::max(ImGui::GetFontSize() * 14, visible - used - ImGui::GetStyle().ItemSpacing.y);
    ImGui::BeginChild("ggmldetail", ImVec2(0, h), false, ImGuiWindowFlags_NoScrollbar);
    if (ImGui::BeginTabBar("ggmldetailtabs")) {
        auto flag = [this](DetailView v) {
            return m_detailViewRequest == int(v) ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
        };
        const ImGuiTabItemFlags rowsFlag = flag(DetailView::Rows), errorsFlag = flag(DetailView::Errors),
                                blocksFlag = flag(DetailView::Blocks);
        m_detailViewRequest = -1;
        if (ImGui::BeginTabItem("rows", nullptr, rowsFlag)) {
            drawDetailRows(state, ui, *d);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("errors", nullptr, errorsFlag)) {
            drawDetailErrors(*d);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("worst blocks", nullptr, blocksFlag)) {
            drawDetailBlocks(state, ui, *d);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::EndChild();
}

// SQNR of every row (one output channel of a [out, in] weight), drawn as the Channels tab draws slices: one bar
// per row when they fit, else each pixel column's worst row.
void ComparePanel::drawDetailRows(AppState& state, UiState& ui, const GgmlDetailResult& d) {
    const GgmlRequantDetail& g = d.detail;
    std::vector<size_t> order(g.rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    // Worst (lowest SQNR) first; an error-free row (+inf) last.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return g.rows[a].sqnrDb < g.rows[b].sqnrDb; });
    if (order.empty()) return;
    const size_t worst = order.front(), median = order[order.size() / 2];
    ImGui::Checkbox("worst first", &m_detailSorted);
    ImGui::SameLine();
    ImGui::Text("worst row %zu: %.2f dB   median %.2f dB", worst, g.rows[worst].sqnrDb, g.rows[median].sqnrDb);
    helpMarker("SQNR of each row as ggml sees the tensor: runs of the last axis' length, i.e. one output channel of a "
               "[out, in] weight. A low row is a channel whose few large weights set its blocks' scales. Rows without "
               "error (SQNR +inf) are drawn at the top of the axis.");
    const std::string tensorName = selectedTensorName(state);
    exportButtonsRight("llamacpp_rows", state, ui, [&d, tensorName] { return ggmlDetailRowsExport(d, tensorName); });
    // The axis spans the rows' range (not from 0 as the Channels tab): the differences between rows are the point.
    double ymax = -INFINITY, ymin = INFINITY;
    for (const auto& r : g.rows)
        if (std::isfinite(r.sqnrDb)) ymax = std::max(ymax, r.sqnrDb), ymin = std::min(ymin, r.sqnrDb);
    if (ymin > ymax) ymin = 0, ymax = 1;  // no row has an error
    const double spread = std::max(ymax - ymin, 1.0), top = ymax + 0.1 * spread;
    ymin = std::max(ymin > 0 ? 0.0 : ymin - 0.1 * spread, ymin - 0.3 * spread);
    std::vector<double>& ys = m_shown.ggmlRowSqnr;
    ys.resize(g.rows.size());
    for (size_t i = 0; i < ys.size(); ++i) {
        const double v = g.rows[m_detailSorted ? order[i] : i].sqnrDb;
        ys[i] = std::isfinite(v) ? v : top;
    }
    if (!plot::BeginPlot("##ggmlrows", ImVec2(-1, -1), plot::kNoLegend)) return;
    plot::SetupX(-0.5, double(ys.size()) - 0.5, m_detailSorted ? "rank (worst first)" : "row");
    plot::SetupY(ymin, top, "SQNR dB");
    const ImU32 color = IM_COL32(0, 158, 115, 255);
    const double perRow = plot::PixelWidth() / std::max(1e-9, plot::ViewXHi() - plot::ViewXLo());
    if (perRow >= 3) {
        std::vector<double> xs(ys.size());
        for (size_t i = 0; i < xs.size(); ++i) xs[i] = double(i);
        plot::PlotBarsAt("SQNR", xs.data(), ys.data(), int(ys.size()), 0.7, color);
    } else {
        Envelope e = envelopeOfSeries(ys, 0.0, 1.0, plot::ViewXLo(), plot::ViewXHi(), plot::PixelWidth());
        std::vector<double> cols(size_t(e.pixels()));
        // Each pixel column's worst row: the weak channel must stay visible.
        for (int c = 0; c < e.pixels(); ++c) cols[size_t(c)] = e.has[size_t(c)] ? e.lo[size_t(c)] : 0.0;
        plot::PlotColumns("SQNR", e.xLo, e.xHi, cols.data(), e.pixels(), color);
    }
    plot::PlotHLine("##total", g.total.finish(0, 0).sqnrDb, IM_COL32(255, 255, 255, 90));
    if (plot::IsPlotHovered()) {
        const double x = std::round(plot::MouseX());
        if (x >= 0 && x < double(ys.size())) {
            const size_t row = m_detailSorted ? order[size_t(x)] : size_t(x);
            const ErrorStats& r = g.rows[row];
            ImGui::SetTooltip("row %zu: SQNR %.2f dB, max |e| %.4g, MSE %.4g", row, r.sqnrDb, r.maxAbsError, r.mse);
        }
    }
    plot::EndPlot();
}

// The error against the value (min and max per bin of x) and its histogram, as the Error plots tab draws
// quantviz's schemes: where on the value axis the type's error grows, and how its errors spread.
void ComparePanel::drawDetailErrors(const GgmlDetailResult& d) {
    const GgmlRequantDetail& g = d.detail;
    const float w = ImGui::GetContentRegionAvail().x;
    ImGui::BeginChild("ggmlerrvalue", ImVec2(w * 0.55f, 0));
    ImGui::TextUnformatted("error x_hat - x versus value x");
    helpMarker("The smallest and largest error among the values in each bin of x. Each block has its own scale, so "
               "there is no single sawtooth: the band is as wide as the coarsest block's step near that value; the "
               "largest values of a block set its scale and are often reproduced best.");
    Envelope e;
    e.xLo = g.valueLo;
    e.xHi = g.valueHi;
    e.lo = g.envelopeLo;
    e.hi = g.envelopeHi;
    e.has = g.envelopeHas;
    double emax = 0;
    for (int c = 0; c < e.pixels(); ++c)
        if (e.has[size_t(c)]) emax = std::max({emax, std::fabs(e.lo[size_t(c)]), std::fabs(e.hi[size_t(c)])});
    emax = std::max(emax, 1e-12);
    if (plot::BeginPlot("##ggmlerrvalue", ImVec2(-1, -1), plot::kNoLegend)) {
        const double pad = 0.05 * std::max(g.valueHi - g.valueLo, 1e-12);
        plot::SetupX(g.valueLo - pad, g.valueHi + pad, "value");
        plot::SetupY(-emax * 1.1, emax * 1.1, "error");
        plot::PlotEnvelope("error", e, IM_COL32(240, 200, 90, 255), 1.0f);
        plot::PlotHLine("##0", 0, IM_COL32(255, 255, 255, 50));
        plot::EndPlot();
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("ggmlerrhist", ImVec2(0, 0));
    ImGui::TextUnformatted("error histogram");
    if (!g.errorHistogram.empty() && plot::BeginPlot("##ggmlerrhist", ImVec2(-1, -1), plot::kYFromZero | plot::kNoLegend)) {
        plot::SetupX(g.errorLo, g.errorHi, "error");
        plot::SetupY(0, std::max(1.0, maxOf(g.errorHistogram) * 1.08), "count");
        plot::PlotColumns("errors", g.errorLo, g.errorHi, g.errorHistogram.data(), int(g.errorHistogram.size()),
                          IM_COL32(240, 200, 90, 255));
        plot::EndPlot();
    }
    ImGui::EndChild();
}

// The blocks with the largest squared error: where they are, how large their values are, the scale the
// decoder reads for them, and their share of the tensor's Σe².
void ComparePanel::drawDetailBlocks(AppState& state, UiState& ui, const GgmlDetailResult& d) {
    const GgmlRequantDetail& g = d.detail;
    if (g.worstBlocks.empty()) {
        ImGui::TextWrapped("%s.", blockKindOf(g).c_str());
        return;
    }
    double share = 0;
    for (const auto& b : g.worstBlocks) share += b.share;
    ImGui::TextWrapped("Blocks: %s. The worst %zu hold %.1f %% of the squared error (%.2f %% if all %llu blocks erred "
                       "alike).", blockKindOf(g).c_str(), g.worstBlocks.size(), 100 * share,
                       100.0 * double(g.worstBlocks.size()) / double(std::max<uint64_t>(1, g.blocks)),
                       static_cast<unsigned long long>(g.blocks));
    ImGui::TextDisabled("step, offset: the block's scale as decoded");
    ImGui::SameLine();
    helpMarker("step and offset are the block's decoded scale: y = step * q + offset (IQ4: y = step * table[q]). Q4_0: "
               "offset = -8 * d; Q4_1/Q5_1 and the K-quants with minima: offset = the block's minimum; Q6_K/Q3_K: "
               "offset = -32 or -4 steps. A block whose largest |x| is far above its neighbours' gets a coarse step "
               "for all its values.");
    const std::string tensorName = selectedTensorName(state);
    exportButtonsRight("llamacpp_blocks", state, ui, [&d, tensorName] { return ggmlDetailBlocksExport(d, tensorName); });
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit |
                                  ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("ggmlblocks", 8, flags, ImVec2(0, 0))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("row");
    ImGui::TableSetupColumn("columns");
    ImGui::TableSetupColumn("max |x|");
    ImGui::TableSetupColumn("step");
    ImGui::TableSetupColumn("offset");
    ImGui::TableSetupColumn("max |e|");
    ImGui::TableSetupColumn("sum e^2");
    ImGui::TableSetupColumn("share");
    ImGui::TableHeadersRow();
    // A 2-D weight's rows and columns are the Heatmap's: a click on a block shows it there.
    const Document* doc = state.currentDocument();
    const bool canFocus = doc && d.docId == doc->id && d.tensor < doc->model->tensors.size() &&
                          doc->model->tensors[d.tensor].shape.size() == 2;
    for (const auto& b : g.worstBlocks) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        if (canFocus) {
            char label[32];
            std::snprintf(label, sizeof label, "%llu##block%zu", static_cast<unsigned long long>(b.row),
                          size_t(&b - g.worstBlocks.data()));
            if (ImGui::Selectable(label, false, ImGuiSelectableFlags_SpanAllColumns))
                ui.heatmapFocus = UiState::HeatmapFocus{d.docId, d.tensor, int64_t(b.row), int64_t(b.column),
                                                        int64_t(b.column + g.blockElements - 1)};
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show this block in the Heatmap tab");
            // The centre of the row number's cell (the row spans every column).
            const float x = ImGui::GetItemRectMin().x + ImGui::GetFontSize();
            m_shown.ggmlWorstBlockCentres.push_back({x, (ImGui::GetItemRectMin().y + ImGui::GetItemRectMax().y) / 2});
        } else {
            ImGui::Text("%llu", static_cast<unsigned long long>(b.row));
        }
        ImGui::TableNextColumn();
        ImGui::Text("%llu-%llu", static_cast<unsigned long long>(b.column),
                    static_cast<unsigned long long>(b.column + g.blockElements - 1));
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", b.maxAbsX);
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", b.step);
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", b.offset);
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", b.maxAbsErr);
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", b.sumSqErr);
        ImGui::TableNextColumn();
        ImGui::Text("%.2f %%", 100 * b.share);
        ++m_shown.ggmlWorstBlocksDrawn;
    }
    ImGui::EndTable();
}

}  // namespace qv
