// quantviz: the GUI's entry point — arguments, the GLFW/OpenGL window, the event loop, screenshot
// mode and the scripted frame-time run used by `make bench`.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "app/app_options.h"
#include "app/app_state.h"
#include "app/app_ui.h"
#include "app/screenshot.h"
#include "app/settings.h"

namespace {

using Clock = std::chrono::steady_clock;

std::mutex g_dropMutex;
std::vector<std::string> g_dropped;

void onDrop(GLFWwindow*, int count, const char** paths) {
    std::lock_guard lock(g_dropMutex);
    for (int i = 0; i < count; ++i) g_dropped.emplace_back(paths[i]);
}

// The bundled sample: next to the build (build/bin/../../assets), then in the source tree.
std::string findSample() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) candidates.push_back(exe.parent_path() / ".." / ".." / "assets" / "sample.safetensors");
    candidates.push_back(fs::path(QV_SOURCE_DIR) / "assets" / "sample.safetensors");
    for (const auto& c : candidates)
        if (fs::exists(c, ec)) return c.lexically_normal().string();
    return {};
}

void loadFont(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";  // fonts-dejavu-core
    std::error_code ec;
    if (std::filesystem::exists(kFont, ec)) {
        // Latin-1, combining marks (x̂), Greek (σ, Σ, Π), punctuation (—, …, ‖), arrows (→),
        // mathematical operators (−, √, ≈, ≤) and ▸: every symbol the panels and tooltips use.
        static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0300, 0x036F, 0x0370, 0x03FF, 0x2010, 0x205E,
                                         0x2190, 0x21FF, 0x2200, 0x22FF, 0x25B8, 0x25B8, 0};
        if (io.Fonts->AddFontFromFileTTF(kFont, std::round(15.0f * scale), nullptr, ranges)) return;
    }
    ImFontConfig cfg;
    cfg.SizePixels = std::round(13.0f * scale);
    io.Fonts->AddFontDefault(&cfg);
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    double idx = p / 100.0 * double(v.size() - 1);
    size_t i = size_t(idx);
    double f = idx - double(i);
    return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string err;
    auto parsed = qv::parseAppOptions(args, &err);
    if (!parsed) {
        std::fprintf(stderr, "quantviz: %s\n%s", err.c_str(), qv::appUsage());
        return 2;
    }
    qv::AppOptions opt = *parsed;
    if (opt.help) {
        std::fputs(qv::appUsage(), stdout);
        return 0;
    }
    const bool screenshot = !opt.screenshot.empty();
    const bool scripted = !opt.script.empty();

    glfwSetErrorCallback([](int code, const char* desc) { std::fprintf(stderr, "quantviz: GLFW error %d: %s\n", code, desc); });
    if (!glfwInit()) {
        std::fprintf(stderr, "quantviz: cannot initialise GLFW (no display? try xvfb-run)\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    GLFWwindow* window = glfwCreateWindow(opt.width, opt.height, "quantviz", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "quantviz: cannot create an OpenGL 3.0 window\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval((screenshot || scripted) ? 0 : 1);
    if (scripted)  // the frame times depend on it (Mesa llvmpipe under Xvfb is a software rasterizer)
        std::fprintf(stderr, "quantviz: GL renderer %s\n", reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
    glfwSetDropCallback(window, onDrop);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // the layout is fixed; settings live in our own file
    ImGui::StyleColorsDark();
    float xs = 1, ys = 1;
    glfwGetWindowContentScale(window, &xs, &ys);
    float scale = std::clamp(std::max(xs, ys), 1.0f, 4.0f);
    loadFont(scale);
    ImGui::GetStyle().ScaleAllSizes(scale);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 130");

    qv::AppState state(1);
    state.setWake([] { glfwPostEmptyEvent(); });
    qv::Settings settings = (screenshot || scripted) ? qv::Settings{} : qv::Settings::load();
    state.recentFiles() = settings.recentFiles;
    qv::AppUi ui(state);
    ui.ui().logY = settings.logY || opt.logY;
    if (!opt.exportDir.empty()) ui.ui().exportDir = opt.exportDir;
    if (opt.numberExplorer) ui.numberExplorer().show(opt.numberExplorerValue);
    if (!opt.compareMode.empty())
        ui.comparePanel().setMode(opt.compareMode == "files"      ? qv::ComparePanel::Mode::Files
                                  : opt.compareMode == "llamacpp" ? qv::ComparePanel::Mode::LlamaCpp
                                                                  : qv::ComparePanel::Mode::Schemes);
    if (!opt.llamacppType.empty()) {  // validated by parseAppOptions
        if (opt.compareMode.empty()) ui.comparePanel().setMode(qv::ComparePanel::Mode::LlamaCpp);
        ui.comparePanel().setLlamaCppDetail(opt.llamacppType);
    }
    if (opt.llamacppModel) {
        if (opt.compareMode.empty()) ui.comparePanel().setMode(qv::ComparePanel::Mode::LlamaCpp);
        ui.comparePanel().requestWholeModel();
        if (!opt.llamacppPreset.empty()) ui.comparePanel().setLlamaCppPreset(opt.llamacppPreset);  // validated
    }
    if (!opt.imatrix.empty()) {
        // A refused file is reported and the app goes on without it, as any bad input is.
        if (auto r = state.loadImatrix(opt.imatrix); !r) std::fprintf(stderr, "quantviz: %s\n", r.message().c_str());
        else if (opt.compareMode.empty() && opt.llamacppType.empty() && !opt.llamacppModel)
            ui.comparePanel().setMode(qv::ComparePanel::Mode::LlamaCpp);
    }
    for (const auto& id : opt.learn)
        if (qv::LearnWindow* w = ui.learnWindow(id)) w->show();
    const qv::CaptureView screenshotView = qv::parseCaptureView(opt.screenshotView).value_or(qv::CaptureView::Window);
    {
        qv::QuantScheme s = state.scheme();
        s.bits = opt.bits ? opt.bits : settings.bits;
        if (!opt.scheme.empty()) s.symmetry = opt.scheme == "asym" ? qv::Symmetry::Asymmetric : qv::Symmetry::Symmetric;
        else if (settings.asymmetric) s.symmetry = qv::Symmetry::Asymmetric;
        if (!opt.granularity.empty()) qv::parseGranularity(opt.granularity, s);
        // The remembered format, unless the command line names one — or asks for an integer scheme
        // (--bits / --scheme), which a remembered FP8 would silently override.
        const bool integerFlags = opt.bits != 0 || !opt.scheme.empty();
        qv::parseNumberFormat(!opt.format.empty() ? opt.format : integerFlags ? "int" : settings.numberFormat, s.format);
        state.setScheme(s);
    }
    if (!opt.preset.empty() && !state.applyPreset(opt.preset)) {
        std::fprintf(stderr, "quantviz: unknown preset '%s'\n", opt.preset.c_str());
        return 2;
    }
    if (!opt.calibrator.empty()) {
        auto colon = opt.calibrator.find(':');
        if (opt.calibrator.rfind("percentile:", 0) == 0) state.setPercentile(std::atof(opt.calibrator.c_str() + 11));
        state.setActiveCalibrator(opt.calibrator.substr(0, colon));
    }
    if (!opt.compareScheme.empty()) {
        qv::QuantScheme b;
        std::string calibrator;
        qv::parseCompareScheme(opt.compareScheme, state.scheme(), b, calibrator);  // validated when parsed
        state.setCompare(b, calibrator);
    }
    bool sweepAtStart = false;
    if (opt.tab.empty() && (!opt.llamacppType.empty() || opt.llamacppModel || !opt.imatrix.empty())) {
        ui.ui().tab = qv::BottomTab::Compare;
        ui.ui().tabRequested = 2;
    }
    if (!opt.tab.empty()) {
        using qv::BottomTab;
        BottomTab t = opt.tab == "codes" ? BottomTab::Codes
                    : opt.tab == "errorplot" ? BottomTab::ErrorPlot
                    : opt.tab == "channels" ? BottomTab::Channels
                    : opt.tab == "overview" ? BottomTab::Overview
                    : opt.tab == "heatmap" ? BottomTab::Heatmap
                    : opt.tab == "smoothquant" ? BottomTab::SmoothQuant
                    : opt.tab == "gemm" ? BottomTab::Gemm
                    : opt.tab == "compare" ? BottomTab::Compare : BottomTab::Calibrators;
        if (t == BottomTab::Overview) sweepAtStart = true;
        ui.ui().tab = t;
        ui.ui().tabRequested = 2;
    }

    int exitCode = 0;
    std::string file = opt.file.empty() ? findSample() : opt.file;
    if (file.empty()) {
        state.setStatus("no file given and assets/sample.safetensors not found: use File > Open");
    } else if (!state.openFile(file)) {
        std::fprintf(stderr, "quantviz: %s\n", state.message().text.c_str());
        if (screenshot) exitCode = 1;
    } else if (!opt.tensor.empty() && !state.selectTensorByName(opt.tensor)) {
        state.report("Unknown tensor", "'" + opt.tensor + "' is not in " + file);
        std::fprintf(stderr, "quantviz: tensor '%s' is not in %s\n", opt.tensor.c_str(), file.c_str());
        if (screenshot) exitCode = 1;
    }

    if (!opt.reference.empty() && !state.openReference(opt.reference)) {
        std::fprintf(stderr, "quantviz: %s\n", state.message().text.c_str());
        if (screenshot) exitCode = 1;
    }
    if (sweepAtStart) state.startSweep();
    std::string title;
    int settledFrames = 0, extraFrames = 3;
    // Background work of the Learn windows and panels with their own workers (a QAT training, a SmoothQuant
    // sweep): like pending jobs, it keeps frames coming (progress bars move, results appear without input)
    // and holds the screenshot back.
    const auto windowsBusy = [&] {
        for (const auto& w : ui.learnWindows())
            if (w->busy()) return true;
        return false;
    };
    auto started = Clock::now();
    // Scripted run (bench): drag phase, then release and wait for the exact metrics.
    std::vector<double> frameMs, drawMs, updateMs, renderMs;  // whole frame; UI build; analysis update
    bool dragging = false;  // becomes true once the summary and the first exact passes have settled
    Clock::time_point dragStart{}, releasedAt{};
    double exactLatencyMs = -1;
    int scriptFrame = 0;
    bool scriptWaitingForSummary = scripted;

    while (!glfwWindowShouldClose(window)) {
        auto frameStart = Clock::now();
        const bool busy = state.jobs().pending() > 0 || windowsBusy();
        if (screenshot || scripted || extraFrames > 0 || busy || ui.pngPending()) {
            if (screenshot || scripted) glfwPollEvents();
            else glfwWaitEventsTimeout(busy ? 0.1 : 0.05);
            if (extraFrames > 0) --extraFrames;
        } else {
            glfwWaitEvents();  // idle: sleep until input or a finished job's glfwPostEmptyEvent
            extraFrames = 2;   // ImGui needs a frame or two to settle hover/popup state after input
        }
        {
            std::vector<std::string> dropped;
            {
                std::lock_guard lock(g_dropMutex);
                dropped.swap(g_dropped);
            }
            for (const auto& p : dropped) state.openFile(p);
        }
        state.poll();

        if (scripted) {
            if (scriptWaitingForSummary) {
                if (state.analysis() && state.settled()) {
                    scriptWaitingForSummary = false;
                    dragging = true;
                    dragStart = Clock::now();
                }
            } else if (dragging) {
                // The same setters the bits slider and the percentile slider call.
                ++scriptFrame;
                state.setBits(2 + (scriptFrame / 2) % 7);
                state.setPercentile(99.0 + 0.999 * (0.5 + 0.5 * std::sin(scriptFrame * 0.07)));
                if (std::chrono::duration<double>(Clock::now() - dragStart).count() > opt.scriptSeconds) {
                    // Release at a fixed position, 7 bits: exact passes never run while a control is held,
                    // so its exact metrics are never cached and the latency is always that of a real pass.
                    // (Releasing wherever the cycle stopped measured a cache hit whenever it stopped on the
                    // starting 8 bits: about 30 ms against 100 ms, depending on the frame count.)
                    state.setBits(7);
                    dragging = false;
                    releasedAt = Clock::now();
                }
            }
        }

        auto tDraw0 = Clock::now();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        ui.draw();
        ImGui::Render();
        auto tDraw1 = Clock::now();
        uint64_t serialBefore = state.analysisSerial();
        state.update(ui.interacting() || dragging);
        auto tUpdate1 = Clock::now();
        if (state.analysisSerial() != serialBefore) extraFrames = std::max(extraFrames, 2);

        auto tRender0 = Clock::now();
        int fbw, fbh;
        glfwGetFramebufferSize(window, &fbw, &fbh);
        glViewport(0, 0, fbw, fbh);
        glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

        // The region's rectangle as drawn this frame, in framebuffer pixels (a HiDPI framebuffer is larger
        // than ImGui's logical coordinates).
        auto regionPixels = [&](qv::CaptureView v) {
            return qv::framebufferRect(ui.ui().viewRects[size_t(v)], io.DisplaySize.x, io.DisplaySize.y, fbw, fbh);
        };
        if (!ui.ui().pngRequest.empty()) {
            std::string e;
            qv::PixelRect r = regionPixels(ui.ui().pngView);
            if (qv::writeFramebufferPng(fbw, fbh, ui.ui().pngRequest, &e, &r))
                state.setStatus("wrote " + ui.ui().pngRequest + " (" + qv::captureViewName(ui.ui().pngView) + ", " +
                                std::to_string(r.w) + "x" + std::to_string(r.h) + " px)");
            else state.report("Export failed", e);
            ui.ui().pngRequest.clear();
        }
        if (screenshot) {
            settledFrames = state.settled() && !windowsBusy() ? settledFrames + 1 : 0;
            // --export-tables: the heatmap's tables are built on demand (its tab may never draw).
            if (opt.exportTables && settledFrames > 0 && !ui.exportTablesReady()) settledFrames = 0;
            double waited = std::chrono::duration<double>(Clock::now() - started).count();
            if (settledFrames >= opt.frames + 1 || waited > 300) {
                if (waited > 300) std::fprintf(stderr, "quantviz: background work did not settle in 300 s\n");
                if (opt.exportTables) {
                    int files = ui.exportAllTables();
                    std::fprintf(stderr, "quantviz: %s\n", state.status().c_str());
                    if (files == 0) exitCode = 1;
                }
                std::string e;
                qv::PixelRect r = regionPixels(screenshotView);
                if (!qv::writeFramebufferPng(fbw, fbh, opt.screenshot, &e, &r)) {
                    std::fprintf(stderr, "quantviz: %s\n", e.c_str());
                    exitCode = 1;
                } else if (!opt.screenshotView.empty()) {
                    // Where the crop came from, so a test can compare it with the full window's PNG.
                    std::fprintf(stderr, "quantviz: view %s at %d,%d size %dx%d of framebuffer %dx%d\n",
                                 qv::captureViewName(screenshotView), r.x, r.y, r.w, r.h, fbw, fbh);
                }
                break;
            }
        }
        glfwSwapBuffers(window);
        auto tRender1 = Clock::now();
        if (std::string t = ui.windowTitle(); t != title) {
            title = t;
            glfwSetWindowTitle(window, title.c_str());
        }
        if (scripted && !scriptWaitingForSummary) {
            if (dragging) {
                frameMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - frameStart).count());
                drawMs.push_back(std::chrono::duration<double, std::milli>(tDraw1 - tDraw0).count());
                updateMs.push_back(std::chrono::duration<double, std::milli>(tUpdate1 - tDraw1).count());
                renderMs.push_back(std::chrono::duration<double, std::milli>(tRender1 - tRender0).count());
            } else {
                auto a = state.analysis();
                // The active row's exact metrics are what the user waits for after releasing.
                bool exact = a && a->activeRow() && a->activeRow()->exact;
                double since = std::chrono::duration<double, std::milli>(Clock::now() - releasedAt).count();
                if (exact || since > 120000) {
                    exactLatencyMs = exact ? since : -1;
                    break;
                }
            }
        }
        if (scripted && scriptWaitingForSummary &&
            std::chrono::duration<double>(Clock::now() - started).count() > 300) {
            std::fprintf(stderr, "quantviz: the summary pass did not finish in 300 s\n");
            exitCode = 1;
            break;
        }
    }

    if (scripted && !opt.frameTimes.empty()) {
        std::ofstream f(opt.frameTimes);
        f << "{\"frames\": " << frameMs.size() << ", \"frame_time_median\": " << percentile(frameMs, 50)
          << ", \"frame_time_p99\": " << percentile(frameMs, 99) << ", \"frame_time_max\": "
          << (frameMs.empty() ? 0 : *std::max_element(frameMs.begin(), frameMs.end()))
          << ", \"ui_build_median\": " << percentile(drawMs, 50) << ", \"analysis_update_median\": "
          << percentile(updateMs, 50) << ", \"gl_render_swap_median\": " << percentile(renderMs, 50)
          << ", \"app_cpu_p99\": " << [&] {
                 std::vector<double> cpu(drawMs.size());
                 for (size_t i = 0; i < cpu.size(); ++i) cpu[i] = drawMs[i] + updateMs[i];
                 return percentile(cpu, 99);
             }()
          << ", \"exact_metrics_latency\": " << exactLatencyMs << "}\n";
        if (!f) exitCode = 1;
    }
    if (!screenshot && !scripted) {
        settings.recentFiles = state.recentFiles();
        settings.logY = ui.ui().logY;
        settings.bits = state.scheme().bits;
        settings.asymmetric = state.scheme().symmetry == qv::Symmetry::Asymmetric;
        settings.numberFormat = qv::formatName(state.scheme().format);
        settings.save();
    }
    state.setWake({});  // workers still finishing must not call into GLFW after glfwTerminate
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return exitCode;
}
