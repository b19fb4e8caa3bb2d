// StatusBar: the last message and every running job with its progress and a Cancel button.
#pragma once

#include "app/app_state.h"

namespace qv {

class StatusBar {
public:
    void draw(AppState& state);
};

}  // namespace qv
