// Screenshot: the current GL framebuffer as a PNG (screenshot mode, File ▸ Save window as PNG).
#pragma once

#include <string>

namespace qv {

// Reads the back buffer (call after rendering, before swapping) and writes it top row first.
// Returns false with `error` set when the file cannot be written.
bool writeFramebufferPng(int width, int height, const std::string& path, std::string* error);

}  // namespace qv
