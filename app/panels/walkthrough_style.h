// The walkthroughs' shared look: step titles and the colours that mark ties and clamped values.
#pragma once

#include <imgui.h>

namespace qv::walkthrough {

inline const ImVec4 kTieColour(0.45f, 0.8f, 1.0f, 1.0f);
inline const ImVec4 kClampColour(1.0f, 0.55f, 0.35f, 1.0f);
inline const ImVec4 kStepColour(1.0f, 0.85f, 0.4f, 1.0f);

inline void stepTitle(const char* text) {
    ImGui::Spacing();
    ImGui::TextColored(kStepColour, "%s", text);
}

}  // namespace qv::walkthrough
