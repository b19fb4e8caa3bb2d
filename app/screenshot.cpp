// Screenshot: glReadPixels → flip rows → stb_image_write PNG (the implementation is in Debian's libstb).
#include "app/screenshot.h"

#include <GL/gl.h>
#include <stb_image_write.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace qv {

bool writeFramebufferPng(int width, int height, const std::string& path, std::string* error) {
    if (width <= 0 || height <= 0) {
        if (error) *error = "empty framebuffer";
        return false;
    }
    std::vector<uint8_t> pixels(size_t(width) * size_t(height) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // GL's origin is bottom-left, PNG's top-left.
    const size_t row = size_t(width) * 4;
    std::vector<uint8_t> line(row);
    for (int y = 0; y < height / 2; ++y) {
        uint8_t* a = pixels.data() + size_t(y) * row;
        uint8_t* b = pixels.data() + size_t(height - 1 - y) * row;
        std::memcpy(line.data(), a, row);
        std::memcpy(a, b, row);
        std::memcpy(b, line.data(), row);
    }
    for (size_t i = 3; i < pixels.size(); i += 4) pixels[i] = 255;  // opaque, whatever the GL alpha was
    if (!stbi_write_png(path.c_str(), width, height, 4, pixels.data(), int(row))) {
        if (error) *error = "cannot write " + path;
        return false;
    }
    return true;
}

}  // namespace qv
