// Code usage, error-vs-value, error histogram and per-channel error: the "see the damage" plots of
// the active row (exact report when it has arrived, the sample estimate before).
#pragma once

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

class CodeUsagePanel {
public:
    void drawCodes(AppState& state, UiState& ui);
    void drawErrorPlots(AppState& state, UiState& ui);
    void drawChannels(AppState& state, UiState& ui);
};

}  // namespace qv
