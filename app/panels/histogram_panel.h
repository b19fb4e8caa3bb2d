// HistogramPanel: the selected tensor's histogram with the clip ranges of every calibrator, the
// clipped tails, the quantization buckets of the active row, and draggable manual clip handles.
#pragma once

#include <cstdint>
#include <memory>

#include "app/app_state.h"
#include "app/ui_state.h"
#include "app/views/histogram_view.h"

namespace qv {

// Colour of calibrator row i (stable across panels: plot lines, table swatches).
unsigned calibratorColor(const std::string& spec);

class HistogramPanel {
public:
    void draw(AppState& state, UiState& ui);
    // Data → pixel mapping of the plot drawn last frame (headless tests drag the clip handles).
    double lastXLo = 0, lastXHi = 1;
    float lastP0x = 0, lastP1x = 1, lastP0y = 0, lastP1y = 1;
    float pixelOf(double x) const { return float(lastP0x + (x - lastXLo) / (lastXHi - lastXLo) * (lastP1x - lastP0x)); }

private:
    // Re-binning cache: recomputed only when the summary, the view or the width changes.
    const TensorSummary* m_cachedSummary = nullptr;
    double m_cachedLo = 0, m_cachedHi = 0;
    int m_cachedPixels = 0;
    HistogramColumns m_columns;
    double m_dragLo = 0, m_dragHi = 0;
};

}  // namespace qv
