// View capture: which region of the window a PNG shows, and the pixel work of cutting it out of the GL
// framebuffer (scale from ImGui's logical pixels to framebuffer pixels, GL's bottom-up rows). No GL here,
// so the arithmetic is unit-tested; app/screenshot.cpp reads the pixels and calls it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/ui_state.h"

namespace qv {

// "window", "histogram", "tab", "browser", "controls" (the --screenshot-view spelling).
const char* captureViewName(CaptureView v);
std::optional<CaptureView> parseCaptureView(const std::string& name);

// A rectangle of framebuffer pixels, top-left origin (as in the PNG).
struct PixelRect {
    int x = 0, y = 0, w = 0, h = 0;
    bool operator==(const PixelRect&) const = default;
};

// The framebuffer pixels of a logical rectangle: coordinates scaled by framebuffer / display size (a
// HiDPI framebuffer has more pixels than ImGui's coordinates), edges rounded to the nearest pixel and
// clamped to the framebuffer. An empty or unknown rect (w or h ≤ 0) gives the whole framebuffer.
PixelRect framebufferRect(const ViewRect& logical, float displayW, float displayH, int fbWidth, int fbHeight);

// RGBA rows as glReadPixels returns them (bottom row first) → the rectangle `r`, top row first, alpha
// forced to 255 (the GL alpha channel is not meaningful for a screenshot). `r` must lie inside.
std::vector<uint8_t> cropBottomUpRgba(const uint8_t* bottomUp, int fbWidth, int fbHeight, const PixelRect& r);

// The default file name of a view's PNG in the export directory: "quantviz-<view>.png".
std::string capturePngName(CaptureView v);

}  // namespace qv
