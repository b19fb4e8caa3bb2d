// ErrorPanel: what the active scheme does to the selected tensor — metrics (≈ while moving, exact
// after the pass), scale and zero point, the exact pass's progress with Cancel.
#pragma once

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

class ErrorPanel {
public:
    void draw(AppState& state, UiState& ui);
};

// "≈ " for estimates, "" for exact values (shared by the panels).
const char* estimateMark(bool exact);

}  // namespace qv
