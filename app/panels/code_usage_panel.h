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

    // Centres of the Channels tab's "per channel (axis 0)" and "per group of 32" buttons in the last frame
    // that showed them ({-1, -1} when not shown), for the headless tests.
    struct Point {
        float x = -1, y = -1;
    };
    Point perChannelButton() const { return m_perChannelButton; }
    Point perGroupButton() const { return m_perGroupButton; }

private:
    Point m_perChannelButton, m_perGroupButton;
};

}  // namespace qv
