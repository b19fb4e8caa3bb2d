// Screenshot: glReadPixels → crop and flip rows (view_capture) → stb_image_write PNG (Debian's libstb).
#include "app/screenshot.h"

#include <GL/gl.h>
#include <stb_image_write.h>

#include <cstdint>
#include <vector>

namespace qv {

bool writeFramebufferPng(int width, int height, const std::string& path, std::string* error, const PixelRect* crop) {
    if (width <= 0 || height <= 0) {
        if (error) *error = "empty framebuffer";
        return false;
    }
    std::vector<uint8_t> pixels(size_t(width) * size_t(height) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    PixelRect r = crop ? *crop : PixelRect{0, 0, width, height};
    std::vector<uint8_t> out = cropBottomUpRgba(pixels.data(), width, height, r);
    if (out.empty()) {
        if (error) *error = "the region to save lies outside the window";
        return false;
    }
    if (!stbi_write_png(path.c_str(), r.w, r.h, 4, out.data(), r.w * 4)) {
        if (error) *error = "cannot write " + path;
        return false;
    }
    return true;
}

}  // namespace qv
