// HeatmapPanel: the selected tensor as a 2-D matrix of block min/max cells (|value|, signed value or
// clipped mask), per-row range bars with outlier rows flagged, and the top-k largest |x|.
#pragma once

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

class HeatmapPanel {
public:
    void draw(AppState& state, UiState& ui);

private:
    int m_mode = 0;  // 0 |value|, 1 value, 2 clipped mask
};

}  // namespace qv
