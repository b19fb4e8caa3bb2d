// Screenshot: the current GL framebuffer, or one region of it, as a PNG (screenshot mode, File ▸ Save … as PNG).
#pragma once

#include <string>

#include "app/export/view_capture.h"

namespace qv {

// Reads the back buffer (call after rendering, before swapping) and writes it top row first; with
// `crop`, only that rectangle of framebuffer pixels (top-left origin, see framebufferRect).
// Returns false with `error` set when the file cannot be written.
bool writeFramebufferPng(int width, int height, const std::string& path, std::string* error,
                         const PixelRect* crop = nullptr);

}  // namespace qv
