// ControlsPanel: bits, symmetry, range convention, granularity (axis, group size), calibrators.
#pragma once

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

class ControlsPanel {
public:
    void draw(AppState& state, UiState& ui);
};

}  // namespace qv
