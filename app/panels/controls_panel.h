// ControlsPanel: bits, symmetry, range convention, granularity (axis, group size), calibrators.
#pragma once

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

class ControlsPanel {
public:
    void draw(AppState& state, UiState& ui);
    // Where the bits slider was drawn last frame (headless tests drag it).
    float bitsX0 = 0, bitsY0 = 0, bitsX1 = 0, bitsY1 = 0;
};

}  // namespace qv
