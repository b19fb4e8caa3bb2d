// ComparePanel: the active scheme (A) against a second scheme and calibrator (B) on the same tensor,
// with the difference of every metric.
#pragma once

#include <string>

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

class ComparePanel {
public:
    void draw(AppState& state, UiState& ui);

private:
    bool m_enabled = false;
    int m_bits = 4;
    int m_sym = 0;  // 0 symmetric restricted, 1 symmetric full range, 2 asymmetric
    std::string m_calibrator = "mse";
};

}  // namespace qv
