// AppUi: the main window — menu, layout of the panels, dialogs, keyboard shortcuts. ImGui only (no
// GLFW/GL), so the headless tests draw exactly what the app draws.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/app_state.h"
#include "app/export/table.h"
#include "app/panels/calibrator_table.h"
#include "app/panels/code_usage_panel.h"
#include "app/panels/compare_panel.h"
#include "app/panels/controls_panel.h"
#include "app/panels/error_panel.h"
#include "app/panels/file_browser.h"
#include "app/panels/histogram_panel.h"
#include "app/panels/heatmap_panel.h"
#include "app/panels/model_browser.h"
#include "app/panels/learn_window.h"
#include "app/panels/number_explorer.h"
#include "app/panels/overview_panel.h"
#include "app/panels/smoothquant_panel.h"
#include "app/panels/status_bar.h"
#include "app/ui_state.h"
#ifdef QV_APP_HAS_GEMM
#include "app/panels/gemm_panel.h"
#endif

namespace qv {

class AppUi {
public:
    explicit AppUi(AppState& state);
    // One frame of the whole UI (between ImGui::NewFrame and ImGui::Render).
    void draw();
    // After draw(): was a control or a plot handle held this frame (estimates only, no exact pass)?
    bool interacting() const { return m_ui.interacting; }
    UiState& ui() { return m_ui; }
    const ModelBrowser& browser() const { return m_browser; }
    const HistogramPanel& histogram() const { return m_histogram; }
    const ControlsPanel& controls() const { return m_controls; }
    // The teaching window (View ▸ Number explorer, --number-explorer VALUE).
    NumberExplorer& numberExplorer() { return m_numbers; }
    // The Learn menu's windows; learnWindow("qat") → nullptr for an unknown id.
    LearnWindow* learnWindow(const std::string& id);
    const std::vector<std::unique_ptr<LearnWindow>>& learnWindows() const { return m_learn; }
    SmoothQuantPanel& smoothQuant() { return m_smooth; }
    ComparePanel& comparePanel() { return m_compare; }
    const CodeUsagePanel& codeUsage() const { return m_codes; }
    const HeatmapPanel& heatmap() const { return m_heatmap; }
    // Title for the OS window ("quantviz — file").
    std::string windowTitle() const;

    // [SECTION] export
    // Asks for a PNG of `view` (the whole window or one region) written two frames later, when the menu or
    // popup that asked has closed; main.cpp writes it (screenshot.h) and reports it in the status line.
    void requestPng(CaptureView view, const std::string& path = "");
    bool pngPending() const { return m_pngCountdown > 0 || !m_ui.pngRequest.empty(); }
    // Every table that has data for the current tensor and model (built, not written).
    std::vector<ExportTable> allTables() const;
    // Writes allTables() as CSV and JSON into ui().exportDir; returns the number of files written.
    int exportAllTables();
    // Whether allTables() has everything it can have for the current tensor; if not, starts what is missing
    // (the heatmap, which is otherwise built only when its tab shows the tensor) — call again until true.
    bool exportTablesReady();
    // File > Export all tables: exportAllTables() as soon as exportTablesReady() (the UI keeps running).
    void beginExportAll();
    bool exportAllPending() const { return m_exportAllPending; }

private:
    void drawMenu();
    void drawDialogs();
    void handleShortcuts();
    void recordViewRect(CaptureView view);
    void regionContextMenu(CaptureView view);
    std::string currentTensorName() const;

    AppState& m_state;
    UiState m_ui;
    ModelBrowser m_browser;
    HistogramPanel m_histogram;
    ControlsPanel m_controls;
    ErrorPanel m_error;
    CalibratorTable m_table;
    CodeUsagePanel m_codes;
    OverviewPanel m_overview;
    HeatmapPanel m_heatmap;
    ComparePanel m_compare;
    NumberExplorer m_numbers;
    std::vector<std::unique_ptr<LearnWindow>> m_learn;
    SmoothQuantPanel m_smooth;
#ifdef QV_APP_HAS_GEMM
    void drawGemm();
    GemmPanel m_gemm;
    std::shared_ptr<const GemmWeights> m_gemmWeights;
    std::pair<uint64_t, size_t> m_gemmWeightsFor{0, size_t(-1)};
#endif
    FileBrowser m_files;
    FileBrowser m_referenceFiles;
    StatusBar m_status;
    uint64_t m_shownMessage = 0;
    // PNG asked for, written when the countdown reaches zero (see requestPng).
    std::string m_pngPath;
    CaptureView m_pngView = CaptureView::Window;
    int m_pngCountdown = 0;
    void continueExportAll();
    bool m_exportAllPending = false;
};

}  // namespace qv
