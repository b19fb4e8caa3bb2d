// AppUi: menu bar, the panel layout, the error dialog and keyboard shortcuts.
#include "app/app_ui.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>

#include "app/export/export_buttons.h"
#include "app/export/table_builders.h"
#include "app/export/view_capture.h"
#include "app/widgets/help.h"

namespace qv {

AppUi::AppUi(AppState& state) : m_state(state), m_learn(makeLearnWindows()) { m_referenceFiles.setReferenceMode(true); }

LearnWindow* AppUi::learnWindow(const std::string& id) {
    for (auto& w : m_learn)
        if (id == w->id()) return w.get();
    return nullptr;
}

std::string AppUi::windowTitle() const {
    const Document* d = m_state.currentDocument();
    std::string t = "quantviz";
    if (d) t += " \xe2\x80\x94 " + d->model->path;
    if (auto sel = m_state.selectedTensor(); d && sel) t += " : " + d->model->tensors[*sel].name;
    return t;
}

void AppUi::handleShortcuts() {
    ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    // Letter keys: GLFW key codes equal ASCII upper case ('O' = GLFW_KEY_O), which is what the
    // 1.86 GLFW backend writes into io.KeysDown.
    auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
    if (io.KeyCtrl && pressed('O')) m_ui.openFileBrowser = true;
    if (io.KeyCtrl || io.KeyAlt) return;
    bool repeatDown = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow), true);
    bool repeatUp = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow), true);
    if (ImGui::IsAnyItemActive()) return;
    if (repeatDown || pressed('J')) m_state.selectRelative(+1, m_ui.visibleOrder);
    if (repeatUp || pressed('K')) m_state.selectRelative(-1, m_ui.visibleOrder);
    if (pressed('L')) m_ui.logY = !m_ui.logY;
    if (pressed('R')) m_ui.resetZoom = true;
}

std::string AppUi::currentTensorName() const { return selectedTensorName(m_state); }

void AppUi::requestPng(CaptureView view, const std::string& path) {
    m_pngView = view;
    m_pngPath = path.empty() ? (std::filesystem::path(m_ui.exportDir) / capturePngName(view)).string() : path;
    m_pngCountdown = 2;  // this frame still shows the menu or popup that asked; the next one closes it
}

void AppUi::recordViewRect(CaptureView view) {
    ImVec2 p = ImGui::GetWindowPos(), s = ImGui::GetWindowSize();
    m_ui.viewRects[size_t(view)] = ViewRect{p.x, p.y, s.x, s.y};
}

void AppUi::regionContextMenu(CaptureView view) {
    // Right-click anywhere in the region (its nested children included) offers a PNG of just this region.
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && ImGui::IsMouseReleased(ImGuiMouseButton_Right) &&
        !ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId))
        ImGui::OpenPopup("region-menu");
    if (!ImGui::BeginPopup("region-menu")) return;
    std::string label = std::string("Save ") + (view == CaptureView::Tab ? "current tab" : captureViewName(view)) + " as PNG";
    if (ImGui::MenuItem(label.c_str())) requestPng(view);
    if (ImGui::MenuItem("Save window as PNG")) requestPng(CaptureView::Window);
    ImGui::Separator();
    if (ImGui::MenuItem("Export all tables (CSV + JSON)")) beginExportAll();
    ImGui::EndPopup();
}

std::vector<ExportTable> AppUi::allTables() const {
    std::vector<ExportTable> out;
    const Document* d = m_state.currentDocument();
    if (!d) return out;
    const ModelFile& model = *d->model;
    const std::string name = currentTensorName();
    auto sel = m_state.selectedTensor();
    auto a = m_state.analysis();
    if (a && sel && a->docId == d->id && a->tensor == *sel) {
        out.push_back(calibratorsExport(*a, name));
        if (const CalibRow* row = a->activeRow()) {
            const ErrorReport& rep = row->exact ? *row->exact : row->estimate;
            if (!rep.codeHistogram.empty()) out.push_back(codeUsageExport(*a, name));
            if (!rep.perSlice.empty()) out.push_back(channelsExport(*a, name));
            if (a->compare) out.push_back(compareExport(*a, name));
        }
    }
    if (auto h = m_heatmap.data(); h && sel && m_heatmap.hasDataFor(d->id, *sel)) {
        out.push_back(heatmapTopKExport(*h, name));
        out.push_back(heatmapRangesExport(*h, HeatmapAxis::Rows, m_heatmap.outlierFactor(), name));
        out.push_back(heatmapRangesExport(*h, HeatmapAxis::Columns, m_heatmap.outlierFactor(), name));
    }
    if (auto fc = m_state.fileComparison(); fc && fc->error.empty() && sel && fc->docId == d->id && fc->tensor == *sel)
        out.push_back(fileComparisonExport(*fc));
    if (auto c = m_state.storedComparison(); c && sel && c->docId == d->id && c->tensor == *sel)
        out.push_back(storedComparisonExport(*c, model.tensors[*sel]));
    if (auto g = m_state.ggmlRequant(); g && g->complete) out.push_back(ggmlRequantExport(*g, name));
    if (auto g = m_state.ggmlDetail(); g && g->error.empty() && !g->detail.kept) {
        out.push_back(ggmlDetailRowsExport(*g, name));
        out.push_back(ggmlDetailBlocksExport(*g, name));
    }
    if (auto m = m_state.ggmlModel()) out.push_back(ggmlModelExport(*m, model));
    if (auto m = m_state.ggmlModel(); m && !m->rows.empty()) out.push_back(ggmlModelTensorsExport(*m, model));
#ifdef QV_APP_HAS_GEMM
    if (auto r = m_gemm.result(); r && r->run && r->error.empty()) {
        std::string subject = "gemm-" + (m_gemmWeights ? m_gemmWeights->name : std::string("synthetic"));
        out.push_back(gemmChannelsExport(*r->run, subject));
        out.push_back(gemmTimingsExport(*r->run, subject));
    }
#endif
    if (auto o = m_state.overview(); o && o->docId == d->id && !o->rows.empty()) out.push_back(overviewExport(*o, model));
    out.push_back(metadataExport(model));
    const uint64_t docId = d->id;
    out.push_back(tensorListExport(model, [this, docId](size_t i) { return m_state.cachedSummary(docId, i); }));
    return out;
}

int AppUi::exportAllTables() {
    std::vector<ExportTable> tables = allTables();
    int files = 0;
    for (const auto& t : tables)
        for (bool json : {false, true}) {
            auto r = writeExportTable(t, json, m_ui.exportDir);
            if (!r) {
                m_state.report("Export failed", r.error().message);
                return files;
            }
            ++files;
        }
    std::string status = "wrote " + std::to_string(files) + " files (" + std::to_string(tables.size()) +
                         " tables, CSV and JSON) to " + m_ui.exportDir;
    // Say why the heatmap's tables are missing rather than leave the user wondering where they are.
    const Document* d = m_state.currentDocument();
    auto sel = m_state.selectedTensor();
    if (d && sel && !m_heatmap.hasDataFor(d->id, *sel)) {
        std::string why = m_heatmap.errorFor(d->id, *sel);
        status += " (no heatmap tables: " + (why.empty() ? std::string("the heatmap of this tensor is not built yet") : why) + ")";
    }
    m_state.setStatus(status);
    return files;
}

bool AppUi::exportTablesReady() {
    const Document* d = m_state.currentDocument();
    auto sel = m_state.selectedTensor();
    if (!d || !sel || m_heatmap.hasDataFor(d->id, *sel) || !m_heatmap.errorFor(d->id, *sel).empty()) return true;
    m_heatmap.prepare(m_state, m_ui);
    return m_heatmap.hasDataFor(d->id, *sel) || !m_heatmap.errorFor(d->id, *sel).empty();
}

void AppUi::beginExportAll() {
    m_exportAllPending = true;
    continueExportAll();
}

void AppUi::continueExportAll() {
    if (!m_exportAllPending) return;
    if (!exportTablesReady()) {
        m_state.setStatus("Export all tables: building the heatmap of this tensor first (one pass)...");
        return;
    }
    m_exportAllPending = false;
    exportAllTables();
}

void AppUi::drawMenu() {
    if (!ImGui::BeginMenuBar()) return;
    if (ImGui::BeginMenu("File")) {
        if (ImGui::MenuItem("Open...", "Ctrl+O")) m_ui.openFileBrowser = true;
        if (ImGui::BeginMenu("Open recent", !m_state.recentFiles().empty())) {
            std::string pick;
            for (const auto& r : m_state.recentFiles())
                if (ImGui::MenuItem(r.c_str())) pick = r;
            ImGui::EndMenu();
            if (!pick.empty()) m_state.openFile(pick);
        }
        if (ImGui::MenuItem("Open second file to compare...")) m_ui.openReferenceBrowser = true;
        if (ImGui::MenuItem("Close second file", nullptr, false, m_state.reference() != nullptr)) m_state.clearReference();
        if (ImGui::MenuItem("Close", nullptr, false, m_state.currentDocument() != nullptr))
            m_state.closeDocument(m_state.currentDocumentIndex());
        if (ImGui::MenuItem("Reopen", nullptr, false, m_state.currentDocument() != nullptr))
            m_state.reopenDocument(m_state.currentDocumentIndex());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Read the file again as it is on disk now");
        ImGui::Separator();
        if (ImGui::MenuItem("Save window as PNG")) requestPng(CaptureView::Window);
        if (ImGui::MenuItem("Save histogram as PNG")) requestPng(CaptureView::Histogram);
        if (ImGui::MenuItem("Save current tab as PNG")) requestPng(CaptureView::Tab);
        if (ImGui::MenuItem("Save browser as PNG")) requestPng(CaptureView::Browser);
        if (ImGui::MenuItem("Save controls as PNG")) requestPng(CaptureView::Controls);
        if (ImGui::MenuItem("Export all tables (CSV + JSON)", nullptr, false, m_state.currentDocument() != nullptr))
            beginExportAll();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Every table with data for the current tensor and model, as CSV and JSON, into %s",
                              m_ui.exportDir.c_str());
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        ImGui::MenuItem("Log scale", "L", &m_ui.logY);
        if (ImGui::MenuItem("Reset zoom", "R")) m_ui.resetZoom = true;
        if (ImGui::MenuItem("Next tensor", "Down / J")) m_state.selectRelative(+1, m_ui.visibleOrder);
        if (ImGui::MenuItem("Previous tensor", "Up / K")) m_state.selectRelative(-1, m_ui.visibleOrder);
        ImGui::Separator();
        if (ImGui::MenuItem("Number explorer", nullptr, m_numbers.isOpen())) {
            if (m_numbers.isOpen()) m_numbers.openFlag() = false;
            else m_numbers.show(m_numbers.value());
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("The bits of one value in fp32, fp16, bf16, FP8, FP4, intN and fixed point");
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Learn")) {
        if (ImGui::MenuItem("Number explorer", nullptr, m_numbers.isOpen())) {
            if (m_numbers.isOpen()) m_numbers.openFlag() = false;
            else m_numbers.show(m_numbers.value());
        }
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("The bits of one value in fp32, fp16, bf16, FP8, FP4, intN and fixed point");
        for (auto& w : m_learn) {
            if (ImGui::MenuItem(w->title(), nullptr, w->isOpen())) {
                if (w->isOpen()) w->openFlag() = false;
                else w->show();
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", w->summary());
        }
        ImGui::EndMenu();
    }
    const Document* d = m_state.currentDocument();
    if (d) {
        ImGui::Separator();
        ImGui::TextDisabled("%s", d->model->path.c_str());
        if (!d->changedOnDisk.empty()) {
            ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1), "changed on disk");
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", d->changedOnDisk.c_str());
            if (ImGui::SmallButton("Reopen")) m_state.reopenDocument(m_state.currentDocumentIndex());
        }
    }
    ImGui::EndMenuBar();
}

void AppUi::drawDialogs() {
    m_files.draw(m_state, m_ui.openFileBrowser);
    m_referenceFiles.draw(m_state, m_ui.openReferenceBrowser);
    const UserMessage& msg = m_state.message();
    if (msg.serial != m_shownMessage) {
        m_shownMessage = msg.serial;
        ImGui::OpenPopup("Problem");
    }
    ImVec2 center = ImGui::GetMainViewport()->GetCenter();
    ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(420, 0), ImVec2(900, 600));
    if (ImGui::BeginPopupModal("Problem", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1), "%s", msg.title.c_str());
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
        ImGui::TextUnformatted(msg.text.c_str());
        ImGui::PopTextWrapPos();
        const int reopen = msg.reopenDocId ? m_state.documentIndex(msg.reopenDocId) : -1;
        if (reopen >= 0) {
            ImGui::TextDisabled("Numbers already on screen were computed before the change. Reopen reads the file as it is now.");
            if (ImGui::Button("Reopen", ImVec2(120, 0))) {
                ImGui::CloseCurrentPopup();
                m_state.reopenDocument(reopen);
            }
            ImGui::SameLine();
        } else {
            ImGui::TextDisabled("The app keeps running; open another file with File > Open.");
        }
        if (ImGui::Button("OK", ImVec2(120, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter)))
            ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

#ifdef QV_APP_HAS_GEMM
void AppUi::drawGemm() {
    // The selected tensor becomes the weight matrix when it is 2-D and within the panel's limit; the
    // panel's worker converts it to float, so selecting a large layer costs the UI thread nothing.
    const Document* d = m_state.currentDocument();
    auto sel = m_state.selectedTensor();
    std::pair<uint64_t, size_t> key{d ? d->id : 0, sel.value_or(size_t(-1))};
    if (key != m_gemmWeightsFor) {
        m_gemmWeightsFor = key;
        m_gemmWeights.reset();
        if (d && sel) {
            const TensorInfo& t = d->model->tensors[*sel];
            if (t.shape.size() == 2 && t.elements() <= kMaxGemmWeights) {
                auto w = std::make_shared<GemmWeights>();
                w->name = t.name;
                w->rows = t.shape[0];
                w->cols = t.shape[1];
                w->model = d->model;
                w->tensor = *sel;
                m_gemmWeights = std::move(w);
            }
        }
    }
    if (!m_gemmWeights) ImGui::TextDisabled("selected tensor is not a 2-D matrix of at most 64M elements: synthetic weights");
    if (auto r = m_gemm.result(); r && r->run && r->error.empty()) {
        const std::string subject = "gemm-" + (m_gemmWeights ? m_gemmWeights->name : std::string("synthetic"));
        ImGui::TextDisabled("export per-channel errors");
        ImGui::SameLine();
        exportButtons("gemm-channels", m_state, m_ui, [&] { return gemmChannelsExport(*r->run, subject); });
        ImGui::SameLine();
        ImGui::TextDisabled("  timings and totals");
        ImGui::SameLine();
        exportButtons("gemm-timings", m_state, m_ui, [&] { return gemmTimingsExport(*r->run, subject); });
    }
    m_gemm.draw(m_gemmWeights);
}
#endif

void AppUi::draw() {
    m_ui.interacting = false;
    if (m_pngCountdown > 0 && --m_pngCountdown == 0) {
        m_ui.pngRequest = m_pngPath;
        m_ui.pngView = m_pngView;
    }
    handleShortcuts();
    continueExportAll();
    if (m_ui.heatmapFocus) {
        const auto& f = *m_ui.heatmapFocus;
        m_heatmap.requestFocus(f.docId, f.tensor, f.row, f.colFirst, f.colLast);
        m_ui.tab = BottomTab::Heatmap;
        m_ui.tabRequested = 2;
        m_ui.heatmapFocus.reset();
    }
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    const ImGuiWindowFlags wf = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_MenuBar |
                                ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings;
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    ImGui::Begin("quantviz", nullptr, wf);
    ImGui::PopStyleVar();
    drawMenu();

    const float statusH = ImGui::GetFrameHeightWithSpacing() + 4;
    ImVec2 avail = ImGui::GetContentRegionAvail();
    const float leftW = std::max(260.0f, avail.x * 0.33f);
    const float mainH = avail.y - statusH;

    m_ui.viewRects[size_t(CaptureView::Window)] = ViewRect{};  // the whole framebuffer
    ImGui::BeginChild("browser", ImVec2(leftW, mainH), true);
    recordViewRect(CaptureView::Browser);
    m_browser.draw(m_state, m_ui);
    regionContextMenu(CaptureView::Browser);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("right", ImVec2(0, mainH), false);
    {
        float rightH = ImGui::GetContentRegionAvail().y;
        float rightW = ImGui::GetContentRegionAvail().x;
        ImGui::BeginChild("histogram", ImVec2(0, rightH * 0.5f), true);
        recordViewRect(CaptureView::Histogram);
        m_histogram.draw(m_state, m_ui);
        regionContextMenu(CaptureView::Histogram);
        ImGui::EndChild();
        ImGui::BeginChild("controls", ImVec2(rightW * 0.34f, 0), true);
        recordViewRect(CaptureView::Controls);
        m_controls.draw(m_state, m_ui);
        ImGui::Separator();
        m_error.draw(m_state, m_ui);
        regionContextMenu(CaptureView::Controls);
        ImGui::EndChild();
        ImGui::SameLine();
        ImGui::BeginChild("tabs", ImVec2(0, 0), true);
        recordViewRect(CaptureView::Tab);
        if (ImGui::BeginTabBar("bottom")) {
            auto tab = [&](const char* name, BottomTab t) {
                ImGuiTabItemFlags f = (m_ui.tabRequested > 0 && m_ui.tab == t) ? ImGuiTabItemFlags_SetSelected : 0;
                bool open = ImGui::BeginTabItem(name, nullptr, f);
                if (open && m_ui.tabRequested <= 0) m_ui.tab = t;
                return open;
            };
            if (tab("Calibrators", BottomTab::Calibrators)) {
                m_table.draw(m_state, m_ui);
                ImGui::EndTabItem();
            }
            if (tab("Code usage", BottomTab::Codes)) {
                m_codes.drawCodes(m_state, m_ui);
                ImGui::EndTabItem();
            }
            if (tab("Error plots", BottomTab::ErrorPlot)) {
                m_codes.drawErrorPlots(m_state, m_ui);
                ImGui::EndTabItem();
            }
            if (tab("Channels", BottomTab::Channels)) {
                m_codes.drawChannels(m_state, m_ui);
                ImGui::EndTabItem();
            }
            if (tab("Compare", BottomTab::Compare)) {
                // The A / B metrics table's CSV / JSON pair sits at the right end of the panel's first line
                // (its mode switches are short; the panel's plots fill the tab below).
                const ImVec2 start = ImGui::GetCursorPos();
                const float right = ImGui::GetWindowContentRegionMax().x - exportButtonsWidth();
                std::function<ExportTable()> build;  // two schemes: A / B metrics; two files: A vs its twin
                if (m_compare.shown().mode == ComparePanel::Mode::Files) {
                    if (auto fc = m_state.fileComparison(); fc && fc->error.empty())
                        build = [fc] { return fileComparisonExport(*fc); };
                } else if (auto a = m_state.analysis(); a && a->activeRow() && a->compare) {
                    build = [this, a] { return compareExport(*a, currentTensorName()); };
                }
                if (build && right > start.x + ImGui::GetFontSize() * 24) {
                    ImGui::SetCursorPosX(right);
                    exportButtons("compare", m_state, m_ui, build);
                    ImGui::SetCursorPos(start);
                }
                m_compare.draw(m_state, m_ui);
                ImGui::EndTabItem();
            }
            if (tab("Heatmap", BottomTab::Heatmap)) {
                m_heatmap.draw(m_state, m_ui);
                ImGui::EndTabItem();
            }
#ifdef QV_APP_HAS_GEMM
            if (tab("GEMM", BottomTab::Gemm)) {
                drawGemm();
                ImGui::EndTabItem();
            }
#endif
            if (tab("SmoothQuant", BottomTab::SmoothQuant)) {
                m_smooth.draw(m_state, m_ui);
                ImGui::EndTabItem();
            }
            if (tab("Model overview", BottomTab::Overview)) {
                m_overview.draw(m_state, m_ui);
                ImGui::EndTabItem();
            }
            // A trailing tab-bar button: the current tab's content (tab bar included) as a PNG.
            if (ImGui::TabItemButton("PNG", ImGuiTabItemFlags_Trailing | ImGuiTabItemFlags_NoTooltip))
                requestPng(CaptureView::Tab);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("Save the current tab as PNG into %s", m_ui.exportDir.c_str());
            if (m_ui.tabRequested > 0) --m_ui.tabRequested;
            ImGui::EndTabBar();
        }
        regionContextMenu(CaptureView::Tab);
        ImGui::EndChild();
    }
    ImGui::EndChild();

    ImGui::Separator();
    m_status.draw(m_state);
    drawDialogs();
    ImGui::End();
    if (m_ui.exploreNumber) {  // asked from a panel (the format control's "bits" button)
        m_numbers.show(*m_ui.exploreNumber);
        m_ui.exploreNumber.reset();
    }
    m_numbers.draw();  // its own window, above the main one
    for (auto& w : m_learn) w->draw(m_state);
    if (ImGui::IsAnyItemActive()) m_ui.interacting = true;
}

}  // namespace qv
