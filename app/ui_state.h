// UiState: view settings shared by the panels (not part of the model: log scale, tabs, requests).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace qv {

enum class BottomTab { Error, Calibrators, Codes, ErrorPlot, Channels, Overview, Heatmap, Gemm, Compare, SmoothQuant };

// The regions of the window a PNG can be cropped to (File ▸ Save … as PNG, --screenshot-view).
enum class CaptureView { Window = 0, Histogram, Tab, Browser, Controls };
inline constexpr size_t kCaptureViewCount = 5;

// A region's screen rectangle in ImGui's logical pixels (top-left origin), as drawn last frame.
struct ViewRect {
    float x = 0, y = 0, w = 0, h = 0;
};

struct UiState {
    bool logY = false;
    bool resetZoom = false;          // one-shot: the histogram shows its full range again
    bool openFileBrowser = false;    // one-shot: open the File ▸ Open dialog
    bool openReferenceBrowser = false;  // one-shot: File ▸ Open second file to compare
    std::optional<double> exploreNumber;  // one-shot: open the number explorer on this value
    // One-shot: show the Heatmap tab zoomed onto columns [colFirst, colLast] of row `row` of tensor `tensor` of
    // document `docId`, outlined (a worst block of Compare ▸ llama.cpp types).
    struct HeatmapFocus {
        uint64_t docId = 0;
        size_t tensor = 0;
        int64_t row = 0, colFirst = 0, colLast = 0;
    };
    std::optional<HeatmapFocus> heatmapFocus;
    bool interacting = false;        // a control or plot handle is held this frame
    BottomTab tab = BottomTab::Calibrators;
    int tabRequested = 2;            // frames left to force `tab` selected (a new tab bar needs two)
    bool channelsSorted = false;
    std::vector<size_t> visibleOrder;  // model browser rows after filtering (next/previous tensor)
    std::string pngRequest;          // path: the main loop writes the next frame there
    CaptureView pngView = CaptureView::Window;  // … cropped to this region
    std::array<ViewRect, kCaptureViewCount> viewRects{};  // recorded by AppUi::draw each frame
    std::string exportDir = ".";     // where PNG, CSV and JSON exports go
};

}  // namespace qv
