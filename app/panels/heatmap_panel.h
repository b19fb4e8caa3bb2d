// HeatmapPanel: the selected tensor as a 2-D matrix drawn as a texture from a min/max pyramid (value,
// |value|, quantization error or clipped mask), zoom with the wheel and pan by dragging, hover reading
// the exact element from the tensor; per-row and per-column range bars with outlier channels flagged;
// the top-k largest |x| with their share of the squared error. N-D tensors: reshaped as the layer uses
// them or a chosen 2-D slice.
#pragma once

#include <imgui.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/app_state.h"
#include "app/ui_state.h"
#include "app/views/heatmap_colormap.h"
#include "app/views/heatmap_view.h"

namespace qv {

class HeatmapPanel {
public:
    HeatmapPanel();
    ~HeatmapPanel();
    HeatmapPanel(const HeatmapPanel&) = delete;
    HeatmapPanel& operator=(const HeatmapPanel&) = delete;

    void draw(AppState& state, UiState& ui);
    // Starts (or adopts) the heatmap of the selected tensor without drawing: Export all asks for it when
    // the Heatmap tab has not shown this tensor, so that its tables need no visit to the tab.
    void prepare(AppState& state, const UiState& ui) { request(state, ui); }
    // data() is the finished heatmap of tensor `tensor` of document `docId`, for the current layout and
    // scheme (no newer job pending).
    bool hasDataFor(uint64_t docId, size_t tensor) const;
    // The last job for that tensor failed (its message), "" otherwise.
    std::string errorFor(uint64_t docId, size_t tensor) const;

    // What the last frame showed (tests).
    struct Hover {
        bool valid = false;
        int64_t row = 0, col = 0;
        uint64_t index = 0;   // flat tensor index
        float value = 0;      // read from the tensor (level 0)
        bool quantized = false;
        int32_t code = 0;
        float error = 0;      // x̂ − x
    };
    const Hover& hover() const { return m_hover; }
    std::shared_ptr<const HeatmapData> data() const { return m_data; }
    int shownLevel() const { return m_level; }
    ImVec2 mapOrigin() const { return m_mapP0; }
    ImVec2 mapSize() const { return m_mapSize; }
    void setMode(HeatmapMode m) { m_mode = int(m); }
    float outlierFactor() const { return m_outlierFactor; }  // k of the outlier-channel flag (export)
    // Zooms to about 32 × 32 elements centred on (row, col) (a click in the outlier/top-k lists);
    // row or col < 0: that axis keeps its zoom and position.
    void focus(int64_t row, int64_t col);
    // focus() on the middle of columns [colFirst, colLast] of `row` once the heatmap of that tensor is drawn
    // (its data may not exist yet), and outline those elements until another tensor is shown; dropped if
    // another tensor is shown first.
    void requestFocus(uint64_t docId, size_t tensor, int64_t row, int64_t colFirst, int64_t colLast);
    // The outlined elements: row, first and last column (nullopt: none).
    struct Outline {
        int64_t row = 0, colFirst = 0, colLast = 0;
    };
    std::optional<Outline> outline() const { return m_outline; }
    void setNdMode(NdMode m, std::vector<int64_t> leading = {}) {
        m_ndMode = int(m);
        m_leading = std::move(leading);
    }

private:
    struct Slot {
        std::mutex mutex;
        std::string key;
        std::shared_ptr<const HeatmapData> result;
        std::string error;
    };
    void request(AppState& state, const UiState& ui);
    void drawMap(AppState& state, float w, float h);
    void drawRowBars(ImVec2 p0, float w, float h);
    void drawColBars(ImVec2 p0, float w, float h);
    void drawLists(float h);
    void fit(float w, float h);

    int m_mode = int(HeatmapMode::Value);
    int m_ndMode = int(NdMode::Reshape);
    std::vector<int64_t> m_leading;
    float m_outlierFactor = 4.0f;

    std::shared_ptr<Slot> m_slot = std::make_shared<Slot>();
    std::shared_ptr<Progress> m_progress;
    std::string m_pendingKey, m_dataKey, m_tensorKey;
    std::shared_ptr<const HeatmapData> m_data;
    std::optional<HeatmapQuant> m_quant;      // for the pending/current key
    std::optional<HeatmapQuant> m_dataQuant;  // the one m_data was computed with
    std::shared_ptr<const ModelFile> m_model;
    size_t m_tensor = 0;

    // View: top-left element and elements per pixel (independent per axis; fit stretches).
    double m_r0 = 0, m_c0 = 0, m_sx = 1, m_sy = 1;
    bool m_needFit = true;
    int m_level = 0;
    ImVec2 m_mapP0{0, 0}, m_mapSize{0, 0};

    ImTextureID m_texture = nullptr;
    std::string m_textureKey;
    std::vector<uint32_t> m_texels;
    Hover m_hover;
    std::vector<int64_t> m_outRows, m_outCols;
    struct PendingFocus {
        std::string tensorKey;
        Outline block;
    };
    std::optional<PendingFocus> m_pendingFocus;
    std::optional<Outline> m_outline;  // for m_tensorKey's tensor
};

}  // namespace qv
