// HeatmapPanel: pyramid texture with zoom/pan and exact hover, range bars, outlier channels and top-k.
#include "app/panels/heatmap_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "app/export/export_buttons.h"
#include "app/export/table_builders.h"
#include "app/widgets/help.h"
#include "app/widgets/texture.h"
#include "core/quant/quantizer.h"

namespace qv {

namespace {

constexpr int64_t kMaxTextureSide = 4096;
constexpr double kMaxPixelsPerElement = 48;  // zoom-in limit

// FNV-1a over the parameters that change x̂: the heatmap's error channel is rebuilt only when they do.
std::string quantFingerprint(const HeatmapQuant& q) {
    uint64_t h = 1469598103934665603ull;
    auto mixIn = [&h](const void* p, size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    };
    for (const auto& s : q.params.slices) {
        mixIn(&s.scale, sizeof s.scale);
        mixIn(&s.zeroPoint, sizeof s.zeroPoint);
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s|%d|%d|%016llx", q.scheme.describe().c_str(), q.scheme.qmin(), q.scheme.qmax(),
                  static_cast<unsigned long long>(h));
    return buf;
}


}  // namespace

HeatmapPanel::HeatmapPanel() = default;

HeatmapPanel::~HeatmapPanel() {
    if (m_progress) m_progress->cancel();
    if (m_texture) textureSink().release(m_texture);
}

void HeatmapPanel::fit(float w, float h) {
    if (!m_data) return;
    m_r0 = m_c0 = 0;
    m_sx = double(std::max<int64_t>(1, m_data->layout.cols)) / std::max(1.0f, w);
    m_sy = double(std::max<int64_t>(1, m_data->layout.rows)) / std::max(1.0f, h);
    m_needFit = false;
}

void HeatmapPanel::focus(int64_t row, int64_t col) {
    if (!m_data || m_mapSize.x <= 0 || m_mapSize.y <= 0) return;
    m_needFit = false;
    const double span = 32;
    if (col >= 0) {
        m_sx = std::min(span / double(m_mapSize.x), double(std::max<int64_t>(1, m_data->layout.cols)) / m_mapSize.x);
        m_c0 = double(col) + 0.5 - 0.5 * double(m_mapSize.x) * m_sx;
    }
    if (row >= 0) {
        m_sy = std::min(span / double(m_mapSize.y), double(std::max<int64_t>(1, m_data->layout.rows)) / m_mapSize.y);
        m_r0 = double(row) + 0.5 - 0.5 * double(m_mapSize.y) * m_sy;
    }
}

static std::string tensorKey(uint64_t docId, size_t tensor) {
    char k[96];
    std::snprintf(k, sizeof k, "%llu/%zu", static_cast<unsigned long long>(docId), tensor);
    return k;
}

void HeatmapPanel::requestFocus(uint64_t docId, size_t tensor, int64_t row, int64_t colFirst, int64_t colLast) {
    m_pendingFocus = PendingFocus{tensorKey(docId, tensor), Outline{row, colFirst, colLast}};
}

void HeatmapPanel::request(AppState& state, const UiState& ui) {
    const Document* doc = state.currentDocument();
    auto sel = state.selectedTensor();
    if (!doc || !sel) return;
    const TensorInfo& info = doc->model->tensors[*sel];
    MatrixLayout layout = matrixLayout(info.shape, NdMode(m_ndMode), m_leading);
    const std::string tkey = tensorKey(doc->id, *sel);
    if (m_tensorKey != tkey) {  // another tensor: forget the old one's data, zoom, slice and outline
        m_tensorKey = tkey;
        m_outline.reset();
        m_data.reset();
        m_dataKey.clear();
        m_needFit = true;
        m_leading.clear();
        layout = matrixLayout(info.shape, NdMode(m_ndMode), m_leading);
    }
    m_model = doc->model;
    m_tensor = *sel;

    std::optional<HeatmapQuant> quant;
    auto a = state.analysis();
    if (a && a->docId == doc->id && a->tensor == *sel)
        if (const CalibRow* row = a->activeRow(); row && !row->params.slices.empty())
            quant = HeatmapQuant{a->scheme, row->params, SliceLayout::make(a->scheme, info.shape)};
    char lkey[96];
    std::snprintf(lkey, sizeof lkey, "|%lld,%lld,%llu|", static_cast<long long>(layout.rows),
                  static_cast<long long>(layout.cols), static_cast<unsigned long long>(layout.offset));
    std::string key = m_tensorKey + lkey + (quant ? quantFingerprint(*quant) : std::string("noquant"));

    {  // adopt a finished job's result
        std::lock_guard lock(m_slot->mutex);
        if (m_slot->result && m_slot->key == m_pendingKey) {
            if (m_data && !(m_data->layout == m_slot->result->layout)) m_needFit = true;
            if (!m_data) m_needFit = true;
            m_data = m_slot->result;
            m_dataKey = m_slot->key;
            m_dataQuant = m_quant;
            m_slot->result.reset();
            m_progress.reset();
            m_pendingKey.clear();
        }
    }
    if (key == m_dataKey || key == m_pendingKey) return;
    // While a control is held keep the last picture (the pass is O(elements)); rebuild on release.
    if (ui.interacting && m_data) return;
    if (m_progress) m_progress->cancel();
    m_pendingKey = key;
    m_quant = quant;
    auto slot = m_slot;
    auto model = doc->model;
    size_t tensor = *sel;
    m_progress = state.jobs().submit("heatmap of " + info.name, [slot, model, tensor, layout, quant, key](Progress& p) {
        auto r = buildHeatmapData(model->view(tensor), layout, quant, &p);
        std::lock_guard lock(slot->mutex);
        if (r) {
            slot->key = key;
            slot->result = r.value();
        } else if (!p.cancelled()) {
            slot->key = key;
            slot->error = r.error().message;
        }
    });
}

bool HeatmapPanel::hasDataFor(uint64_t docId, size_t tensor) const {
    return m_data && m_pendingKey.empty() && m_tensorKey == tensorKey(docId, tensor);
}

std::string HeatmapPanel::errorFor(uint64_t docId, size_t tensor) const {
    if (m_tensorKey != tensorKey(docId, tensor)) return {};
    std::lock_guard lock(m_slot->mutex);
    return m_slot->key == m_pendingKey ? m_slot->error : std::string();
}

void HeatmapPanel::draw(AppState& state, UiState& ui) {
    request(state, ui);
    m_hover = Hover{};

    const Document* doc = state.currentDocument();
    auto sel = state.selectedTensor();
    if (!doc || !sel) {
        ImGui::TextDisabled("no tensor");
        return;
    }
    const TensorInfo& info = doc->model->tensors[*sel];

    // Controls.
    const char* modes[] = {"value", "|value|", "quantization error Q(x) - x", "clipped mask"};
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 13);
    ImGui::Combo("colour", &m_mode, modes, 4);
    helpMarker("Every level of the picture keeps each cell's min and max (never the mean), so a single outlier "
               "is never averaged away at any zoom. value / error: blue negative, red positive (diverging map, "
               "sqrt of the magnitude so small weights stay visible); |value|: dark to yellow. Error uses the "
               "active calibrator's scale and zero point; clipped mask: red where an element saturated. "
               "Wheel zooms, drag pans, double-click fits.");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::SliderFloat("outlier k", &m_outlierFactor, 2.0f, 20.0f, "%.1f\xc3\x97");
    helpMarker("A row or column is flagged (red bar) when its range max - min exceeds k \xc3\x97 the "
               "median range over rows (columns), as per-channel range plots in AIMET show them.");
    if (info.shape.size() > 2) {  // on its own line: the slice sliders need the width
        const char* nd[] = {"as the layer uses it [O, rest]", "2-D slice of the last two dims"};
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
        ImGui::Combo("N-D", &m_ndMode, nd, 2);
        if (m_ndMode == int(NdMode::Slice)) {
            m_leading.resize(info.shape.size() - 2, 0);
            for (size_t d = 0; d + 2 < info.shape.size(); ++d) {
                ImGui::SameLine();
                ImGui::PushID(int(d));
                int v = int(m_leading[d]);
                ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
                char label[32];
                std::snprintf(label, sizeof label, "dim %zu", d);
                if (ImGui::SliderInt(label, &v, 0, int(std::max<int64_t>(0, info.shape[d] - 1))))
                    m_leading[d] = v;
                ImGui::PopID();
            }
        }
    }

    if (!m_data) {
        std::string err;
        {
            std::lock_guard lock(m_slot->mutex);
            err = m_slot->error;
        }
        if (!err.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "%s", err.c_str());
        else ImGui::TextDisabled("building the heatmap (one pass over the tensor)...");
        return;
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("fit")) m_needFit = true;
    ImGui::SameLine();
    const auto& L = m_data->layout;
    ImGui::TextDisabled("%lld \xc3\x97 %lld  level %d (%lld\xc2\xb2/cell)%s", static_cast<long long>(L.rows),
                        static_cast<long long>(L.cols), m_level, 1LL << m_level, m_progress ? "  updating..." : "");
    placeAtRightEdge(ImGui::CalcTextSize("export").x + 2 * ImGui::GetStyle().FramePadding.x);
    if (ImGui::SmallButton("export")) ImGui::OpenPopup("heatmap-export");  // the lists as CSV / JSON (app/export)
    if (ImGui::BeginPopup("heatmap-export")) {
        const std::string name = selectedTensorName(state);
        for (bool json : {false, true}) {
            const char* ext = json ? "JSON" : "CSV";
            if (ImGui::MenuItem((std::string("top-k list as ") + ext).c_str()))
                exportTableReported(state, ui.exportDir, heatmapTopKExport(*m_data, name), json);
            if (ImGui::MenuItem((std::string("row ranges as ") + ext).c_str()))
                exportTableReported(state, ui.exportDir, heatmapRangesExport(*m_data, HeatmapAxis::Rows, m_outlierFactor, name), json);
            if (ImGui::MenuItem((std::string("column ranges as ") + ext).c_str()))
                exportTableReported(state, ui.exportDir,
                                    heatmapRangesExport(*m_data, HeatmapAxis::Columns, m_outlierFactor, name), json);
        }
        ImGui::EndPopup();
    }

    m_outRows = outlierChannels(m_data->rowMin, m_data->rowMax, m_outlierFactor);
    m_outCols = outlierChannels(m_data->colMin, m_data->colMax, m_outlierFactor);

    ImVec2 avail = ImGui::GetContentRegionAvail();
    const float barsW = 60, colBarsH = 48, gap = 6;
    const float listW = std::clamp(avail.x * 0.28f, 170.0f, 300.0f);
    float mapW = std::max(40.0f, avail.x - barsW - listW - 3 * gap);
    float mapH = std::max(40.0f, avail.y - colBarsH - gap - 4);
    if (m_needFit) fit(mapW, mapH);
    if (m_pendingFocus) {
        if (m_pendingFocus->tensorKey == m_tensorKey) {
            const Outline& o = m_pendingFocus->block;
            m_mapSize = ImVec2(mapW, mapH);  // focus() zooms for the map's size, known from this frame on
            focus(o.row, (o.colFirst + o.colLast) / 2);
            m_outline = o;
        }
        m_pendingFocus.reset();
    }

    ImGui::BeginGroup();
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    drawMap(state, mapW, mapH);
    drawColBars(ImVec2(p0.x, p0.y + mapH + gap), mapW, colBarsH);
    ImGui::Dummy(ImVec2(mapW, colBarsH));
    ImGui::EndGroup();
    ImGui::SameLine(0, gap);
    drawRowBars(ImGui::GetCursorScreenPos(), barsW, mapH);
    ImGui::Dummy(ImVec2(barsW, mapH));
    ImGui::SameLine(0, gap);
    drawLists(mapH + colBarsH + gap);
}

void HeatmapPanel::drawMap(AppState& state, float w, float h) {
    const auto& L = m_data->layout;
    const MinMaxPyramid& pyr = m_data->pyramid;
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    m_mapP0 = p0;
    m_mapSize = ImVec2(w, h);
    ImGui::InvisibleButton("##heatmap", ImVec2(w, h));
    const bool hovered = ImGui::IsItemHovered();
    ImGuiIO& io = ImGui::GetIO();

    // Zoom about the mouse, pan by dragging, double-click fits.
    const double fitSx = double(std::max<int64_t>(1, L.cols)) / w, fitSy = double(std::max<int64_t>(1, L.rows)) / h;
    if (hovered && io.MouseWheel != 0) {
        double f = std::pow(0.8, double(io.MouseWheel));
        double mx = io.MousePos.x - p0.x, my = io.MousePos.y - p0.y;
        double ex = m_c0 + mx * m_sx, ey = m_r0 + my * m_sy;
        m_sx = std::clamp(m_sx * f, 1.0 / kMaxPixelsPerElement, fitSx);
        m_sy = std::clamp(m_sy * f, 1.0 / kMaxPixelsPerElement, fitSy);
        m_c0 = ex - mx * m_sx;
        m_r0 = ey - my * m_sy;
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f)) {
        m_c0 -= double(io.MouseDelta.x) * m_sx;
        m_r0 -= double(io.MouseDelta.y) * m_sy;
    }
    if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) fit(w, h);
    m_c0 = std::clamp(m_c0, 0.0, std::max(0.0, double(L.cols) - w * m_sx));
    m_r0 = std::clamp(m_r0, 0.0, std::max(0.0, double(L.rows) - h * m_sy));

    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(10, 10, 14, 255));
    if (pyr.levels.empty()) return;

    // The coarsest level with at least one cell per screen pixel on the finer axis (zoomed in: level 0
    // window, coarser only if it would exceed kMaxTextureSide).
    int k = pyr.levelFor(std::min(m_sx, m_sy));
    int64_t cr0 = 0, cc0 = 0, cr1 = 0, cc1 = 0;
    for (;; ++k) {
        k = std::min(k, pyr.topLevel());
        const PyramidLevel& lv = pyr.level(k);
        const double b = double(int64_t(1) << k);
        cr0 = std::clamp<int64_t>(int64_t(std::floor(m_r0 / b)), 0, lv.rows);
        cc0 = std::clamp<int64_t>(int64_t(std::floor(m_c0 / b)), 0, lv.cols);
        cr1 = std::clamp<int64_t>(int64_t(std::ceil((m_r0 + h * m_sy) / b)), cr0, lv.rows);
        cc1 = std::clamp<int64_t>(int64_t(std::ceil((m_c0 + w * m_sx) / b)), cc0, lv.cols);
        if ((cr1 - cr0 <= kMaxTextureSide && cc1 - cc0 <= kMaxTextureSide) || k == pyr.topLevel()) break;
    }
    m_level = k;
    const PyramidLevel& lv = pyr.level(k);
    const double b = double(int64_t(1) << k);
    char tkey[200];
    const int W = int(w), H = int(h);
    if (std::max(m_sx, m_sy) > 1.0) {
        // Zoomed out on some axis: one texel per screen pixel, each the extremes of the cells it covers,
        // so nearest sampling never skips the texel holding an outlier.
        std::snprintf(tkey, sizeof tkey, "%p|%d|%d|r%.17g|%.17g|%.17g|%.17g|%d|%d", static_cast<const void*>(m_data.get()),
                      m_mode, k, m_r0, m_c0, m_sy, m_sx, W, H);
        if (m_textureKey != tkey || !m_texture) {
            renderResampled(lv, k, m_r0, m_c0, m_sy, m_sx, H, W, HeatmapMode(m_mode), pyr.absMax, pyr.errAbsMax, m_texels);
            m_texture = textureSink().upload(m_texture, W, H, m_texels.data());
            m_textureKey = tkey;
        }
        dl->AddImage(m_texture, p0, ImVec2(p0.x + float(W), p0.y + float(H)));
    } else if (cr1 > cr0 && cc1 > cc0) {
        // Zoomed in: a window of level 0, one texel per element, magnified (nearest).
        std::snprintf(tkey, sizeof tkey, "%p|%d|%d|%lld|%lld|%lld|%lld", static_cast<const void*>(m_data.get()), m_mode, k,
                      static_cast<long long>(cr0), static_cast<long long>(cc0), static_cast<long long>(cr1),
                      static_cast<long long>(cc1));
        if (m_textureKey != tkey || !m_texture) {
            renderLevelWindow(lv, cr0, cc0, cr1 - cr0, cc1 - cc0, HeatmapMode(m_mode), pyr.absMax, pyr.errAbsMax, m_texels);
            m_texture = textureSink().upload(m_texture, int(cc1 - cc0), int(cr1 - cr0), m_texels.data());
            m_textureKey = tkey;
        }
        // Cell edges in element coordinates → screen (the last cell of a level may be partial: its
        // texel spans the full 2^k block, clipped by the map rectangle).
        ImVec2 a(float(p0.x + (double(cc0) * b - m_c0) / m_sx), float(p0.y + (double(cr0) * b - m_r0) / m_sy));
        ImVec2 z(float(p0.x + (double(cc1) * b - m_c0) / m_sx), float(p0.y + (double(cr1) * b - m_r0) / m_sy));
        dl->PushClipRect(p0, ImVec2(p0.x + w, p0.y + h), true);
        dl->AddImage(m_texture, a, z);
        dl->PopClipRect();
    }

    if (m_outline) {  // the block a worst-block click asked for
        const Outline& o = *m_outline;
        ImVec2 a(float(p0.x + (double(o.colFirst) - m_c0) / m_sx), float(p0.y + (double(o.row) - m_r0) / m_sy));
        ImVec2 z(float(p0.x + (double(o.colLast + 1) - m_c0) / m_sx), float(p0.y + (double(o.row + 1) - m_r0) / m_sy));
        dl->PushClipRect(p0, ImVec2(p0.x + w, p0.y + h), true);
        dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(z.x + 1, z.y + 1), IM_COL32(255, 230, 60, 255), 0.0f, 0, 2.0f);
        dl->PopClipRect();
    }

    if (!hovered || L.rows == 0 || L.cols == 0) return;
    // Hover: the element under the mouse, read from the tensor itself (level 0, O(1)).
    int64_t r = int64_t(std::floor(m_r0 + double(io.MousePos.y - p0.y) * m_sy));
    int64_t c = int64_t(std::floor(m_c0 + double(io.MousePos.x - p0.x) * m_sx));
    if (r < 0 || c < 0 || r >= L.rows || c >= L.cols) return;
    Hover hv;
    hv.row = r;
    hv.col = c;
    hv.index = L.offset + uint64_t(r) * uint64_t(L.cols) + uint64_t(c);
    if (!m_model || !m_model->view(m_tensor).read(hv.index, 1, &hv.value)) return;
    hv.valid = true;
    if (m_dataQuant && !m_dataQuant->params.slices.empty()) {
        uint64_t s = std::min<uint64_t>(m_dataQuant->slices.sliceOf(hv.index), m_dataQuant->params.slices.size() - 1);
        Quantizer q(m_dataQuant->scheme, m_dataQuant->params.slices[size_t(s)]);
        hv.quantized = true;
        hv.code = q.quantize(hv.value);
        hv.error = q.dequantize(hv.code) - hv.value;
    }
    m_hover = hv;
    (void)state;
    // Outline the element when it is at least a few pixels big.
    if (1.0 / m_sx >= 4 && 1.0 / m_sy >= 4) {
        ImVec2 e0(float(p0.x + (double(c) - m_c0) / m_sx), float(p0.y + (double(r) - m_r0) / m_sy));
        dl->AddRect(e0, ImVec2(e0.x + float(1 / m_sx), e0.y + float(1 / m_sy)), IM_COL32(255, 255, 255, 200));
    }
    const size_t ci = lv.index(std::min<int64_t>(r >> k, lv.rows - 1), std::min<int64_t>(c >> k, lv.cols - 1));
    ImGui::BeginTooltip();
    ImGui::Text("row %lld, column %lld  (flat index %llu)", static_cast<long long>(r), static_cast<long long>(c),
                static_cast<unsigned long long>(hv.index));
    ImGui::Text("value   %.7g", double(hv.value));
    if (hv.quantized)
        ImGui::Text("code    %d  ->  Q(x) = %.7g\nerror   %.4g", hv.code, double(hv.value + hv.error), double(hv.error));
    if (k > 0) {
        ImGui::TextDisabled("cell (%lld\xc2\xb2 elements): min %.5g  max %.5g", 1LL << k, double(lv.vmin[ci]),
                            double(lv.vmax[ci]));
        if (m_data->hasError)
            ImGui::TextDisabled("cell error %.4g .. %.4g%s", double(lv.emin[ci]), double(lv.emax[ci]),
                                lv.clipped[ci] ? ", some clipped" : "");
    }
    ImGui::EndTooltip();
}

void HeatmapPanel::drawRowBars(ImVec2 p0, float w, float h) {
    const auto& d = *m_data;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float amax = std::max(d.pyramid.absMax, 1e-30f);
    const float mid = p0.x + w / 2;
    dl->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(20, 20, 26, 255));
    dl->AddLine(ImVec2(mid, p0.y), ImVec2(mid, p0.y + h), IM_COL32(255, 255, 255, 50));
    const int64_t n = d.layout.rows;
    for (int py = 0; py < int(h); ++py) {
        int64_t a = int64_t(std::floor(m_r0 + double(py) * m_sy));
        int64_t b = std::max(a + 1, int64_t(std::floor(m_r0 + double(py + 1) * m_sy)));
        if (a >= n) break;
        b = std::min(b, n);
        float lo = d.rowMin[size_t(a)], hi = d.rowMax[size_t(a)];
        for (int64_t r = a + 1; r < b; ++r) {
            lo = std::min(lo, d.rowMin[size_t(r)]);
            hi = std::max(hi, d.rowMax[size_t(r)]);
        }
        auto it = std::lower_bound(m_outRows.begin(), m_outRows.end(), a);
        bool flagged = it != m_outRows.end() && *it < b;
        float y = p0.y + float(py) + 0.5f;
        dl->AddLine(ImVec2(mid + lo / amax * (w / 2 - 2), y), ImVec2(mid + hi / amax * (w / 2 - 2) + 1, y),
                    flagged ? IM_COL32(240, 80, 60, 255) : IM_COL32(110, 150, 210, 200));
    }
    if (ImGui::IsMouseHoveringRect(p0, ImVec2(p0.x + w, p0.y + h))) {
        int64_t r = int64_t(std::floor(m_r0 + double(ImGui::GetIO().MousePos.y - p0.y) * m_sy));
        if (r >= 0 && r < n)
            ImGui::SetTooltip("row %lld: [%.5g, %.5g]", static_cast<long long>(r), double(d.rowMin[size_t(r)]),
                              double(d.rowMax[size_t(r)]));
    }
}

void HeatmapPanel::drawColBars(ImVec2 p0, float w, float h) {
    const auto& d = *m_data;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float amax = std::max(d.pyramid.absMax, 1e-30f);
    const float mid = p0.y + h / 2;
    dl->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(20, 20, 26, 255));
    dl->AddLine(ImVec2(p0.x, mid), ImVec2(p0.x + w, mid), IM_COL32(255, 255, 255, 50));
    const int64_t n = d.layout.cols;
    for (int px = 0; px < int(w); ++px) {
        int64_t a = int64_t(std::floor(m_c0 + double(px) * m_sx));
        int64_t b = std::max(a + 1, int64_t(std::floor(m_c0 + double(px + 1) * m_sx)));
        if (a >= n) break;
        b = std::min(b, n);
        float lo = d.colMin[size_t(a)], hi = d.colMax[size_t(a)];
        for (int64_t c = a + 1; c < b; ++c) {
            lo = std::min(lo, d.colMin[size_t(c)]);
            hi = std::max(hi, d.colMax[size_t(c)]);
        }
        auto it = std::lower_bound(m_outCols.begin(), m_outCols.end(), a);
        bool flagged = it != m_outCols.end() && *it < b;
        float x = p0.x + float(px) + 0.5f;
        // Positive values up, as on a plot.
        dl->AddLine(ImVec2(x, mid - hi / amax * (h / 2 - 2) - 1), ImVec2(x, mid - lo / amax * (h / 2 - 2)),
                    flagged ? IM_COL32(240, 80, 60, 255) : IM_COL32(110, 150, 210, 200));
    }
    if (ImGui::IsMouseHoveringRect(p0, ImVec2(p0.x + w, p0.y + h))) {
        int64_t c = int64_t(std::floor(m_c0 + double(ImGui::GetIO().MousePos.x - p0.x) * m_sx));
        if (c >= 0 && c < n)
            ImGui::SetTooltip("column %lld: [%.5g, %.5g]", static_cast<long long>(c), double(d.colMin[size_t(c)]),
                              double(d.colMax[size_t(c)]));
    }
}

void HeatmapPanel::drawLists(float h) {
    const auto& d = *m_data;
    ImGui::BeginChild("heatmap-lists", ImVec2(0, h));
    ImGui::Text("outlier rows: %zu", m_outRows.size());
    for (size_t k = 0; k < std::min<size_t>(m_outRows.size(), 8); ++k) {
        int64_t r = m_outRows[k];
        char label[96];
        std::snprintf(label, sizeof label, "  row %lld  [%.4g, %.4g]##r%lld", static_cast<long long>(r),
                      double(d.rowMin[size_t(r)]), double(d.rowMax[size_t(r)]), static_cast<long long>(r));
        if (ImGui::Selectable(label)) focus(r, -1);
    }
    ImGui::Text("outlier columns: %zu", m_outCols.size());
    for (size_t k = 0; k < std::min<size_t>(m_outCols.size(), 8); ++k) {
        int64_t c = m_outCols[k];
        char label[96];
        std::snprintf(label, sizeof label, "  column %lld  [%.4g, %.4g]##c%lld", static_cast<long long>(c),
                      double(d.colMin[size_t(c)]), double(d.colMax[size_t(c)]), static_cast<long long>(c));
        if (ImGui::Selectable(label)) focus(-1, c);
    }
    ImGui::Separator();
    ImGui::TextUnformatted("largest |x|: [row, col] value, error, share of sum e^2");
    helpMarker("The largest-magnitude elements of the matrix shown (click one to zoom to it), their quantization error Q(x) - x "
               "under the active calibrator, and the share of the matrix's total squared error each one causes.");
    double topShare = 0;
    for (const auto& e : d.top) {
        double share = d.sumSqError > 0 ? double(e.error) * double(e.error) / d.sumSqError : 0;
        topShare += share;
        char label[128];
        if (d.hasError)
            std::snprintf(label, sizeof label, "[%lld, %lld] %.5g  %.3g  %.2f%%##t%llu", static_cast<long long>(e.row),
                          static_cast<long long>(e.col), double(e.value), double(e.error), 100 * share,
                          static_cast<unsigned long long>(e.index));
        else
            std::snprintf(label, sizeof label, "[%lld, %lld] %.5g##t%llu", static_cast<long long>(e.row),
                          static_cast<long long>(e.col), double(e.value), static_cast<unsigned long long>(e.index));
        if (ImGui::Selectable(label)) focus(e.row, e.col);
    }
    if (d.hasError) ImGui::Text("these %zu: %.2f%% of the squared error", d.top.size(), 100 * topShare);
    ImGui::EndChild();
}

}  // namespace qv
