// UiState: view settings shared by the panels (not part of the model: log scale, tabs, requests).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace qv {

enum class BottomTab { Error, Calibrators, Codes, ErrorPlot, Channels, Overview, Heatmap, Gemm, Compare };

struct UiState {
    bool logY = false;
    bool resetZoom = false;          // one-shot: the histogram shows its full range again
    bool openFileBrowser = false;    // one-shot: open the File ▸ Open dialog
    bool openReferenceBrowser = false;  // one-shot: File ▸ Open reference (higher precision)
    bool interacting = false;        // a control or plot handle is held this frame
    BottomTab tab = BottomTab::Calibrators;
    int tabRequested = 2;            // frames left to force `tab` selected (a new tab bar needs two)
    bool channelsSorted = false;
    std::vector<size_t> visibleOrder;  // model browser rows after filtering (next/previous tensor)
    std::string pngRequest;          // path: the main loop writes the next frame there
    std::string exportDir = ".";     // where CSV/JSON exports go
};

}  // namespace qv
