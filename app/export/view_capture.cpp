// View capture: region names, logical → framebuffer rectangle, bottom-up crop.
#include "app/export/view_capture.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace qv {

namespace {
constexpr const char* kNames[kCaptureViewCount] = {"window", "histogram", "tab", "browser", "controls"};
}

const char* captureViewName(CaptureView v) {
    size_t i = size_t(v);
    return i < kCaptureViewCount ? kNames[i] : "window";
}

std::optional<CaptureView> parseCaptureView(const std::string& name) {
    for (size_t i = 0; i < kCaptureViewCount; ++i)
        if (name == kNames[i]) return CaptureView(i);
    return std::nullopt;
}

PixelRect framebufferRect(const ViewRect& r, float displayW, float displayH, int fbW, int fbH) {
    PixelRect whole{0, 0, std::max(fbW, 0), std::max(fbH, 0)};
    if (r.w <= 0 || r.h <= 0 || displayW <= 0 || displayH <= 0 || fbW <= 0 || fbH <= 0) return whole;
    const double sx = double(fbW) / double(displayW), sy = double(fbH) / double(displayH);
    auto edge = [](double v, int limit) { return std::clamp(int(std::lround(v)), 0, limit); };
    int x0 = edge(double(r.x) * sx, fbW), x1 = edge(double(r.x + r.w) * sx, fbW);
    int y0 = edge(double(r.y) * sy, fbH), y1 = edge(double(r.y + r.h) * sy, fbH);
    if (x1 <= x0 || y1 <= y0) return whole;
    return {x0, y0, x1 - x0, y1 - y0};
}

std::vector<uint8_t> cropBottomUpRgba(const uint8_t* src, int fbW, int fbH, const PixelRect& r) {
    std::vector<uint8_t> out(size_t(std::max(r.w, 0)) * size_t(std::max(r.h, 0)) * 4);
    if (out.empty() || r.x < 0 || r.y < 0 || r.x + r.w > fbW || r.y + r.h > fbH) return {};
    const size_t srcRow = size_t(fbW) * 4, outRow = size_t(r.w) * 4;
    for (int y = 0; y < r.h; ++y) {
        // Top-left row r.y + y is GL row fbH − 1 − (r.y + y): GL's origin is the bottom-left corner.
        const uint8_t* s = src + size_t(fbH - 1 - (r.y + y)) * srcRow + size_t(r.x) * 4;
        std::memcpy(out.data() + size_t(y) * outRow, s, outRow);
    }
    for (size_t i = 3; i < out.size(); i += 4) out[i] = 255;
    return out;
}

std::string capturePngName(CaptureView v) { return std::string("quantviz-") + captureViewName(v) + ".png"; }

}  // namespace qv
