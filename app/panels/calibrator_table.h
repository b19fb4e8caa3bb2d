// CalibratorTable: every calibrator's range, scale, zero point and error side by side, best per
// column highlighted, click a row to make it active, CSV/JSON export.
#pragma once

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

class CalibratorTable {
public:
    void draw(AppState& state, UiState& ui);
};

}  // namespace qv
