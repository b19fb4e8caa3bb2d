// Bench section "app": frame times of the real GUI while the bit-width and percentile controls move
// on a 14336×4096 float32 tensor (58.7M elements, a Llama-3-8B MLP weight's size).
//
// How the controls are moved: `quantviz --script drag-controls` calls, every frame, the same
// AppState setters the bits and percentile sliders call (setBits, setPercentile) and holds the
// "interacting" flag a held slider sets — so each frame pays what a mouse drag pays (estimates from
// the summary and sample, redraw), without depending on xdotool timing. After `--script-seconds` it
// releases, and the time until the exact pass's metrics are shown is the exact_metrics_latency.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tests/bench/bench_report.h"

namespace {

namespace fs = std::filesystem;

// Gaussian weights (σ = 0.02) with 8 outlier rows ×20 — the shape of real LLM MLP weights.
bool writeLargeNpy(const std::string& path, int64_t rows, int64_t cols) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    f.put(char(header.size() & 0xff));
    f.put(char(header.size() >> 8));
    f.write(header.data(), std::streamsize(header.size()));
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        float scale = (r % 1792 == 7) ? 20.0f : 1.0f;
        for (auto& v : row) v = normal(rng) * scale;
        f.write(reinterpret_cast<const char*>(row.data()), std::streamsize(row.size() * sizeof(float)));
    }
    return bool(f);
}

void runApp(qv::bench::BenchReport& report) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    fs::path app = exe.parent_path() / "quantviz";
    if (ec || !fs::exists(app)) {
        std::printf("app: %s not built; skipped\n", app.string().c_str());
        return;
    }
    if (std::system("command -v xvfb-run >/dev/null 2>&1") != 0) {
        std::printf("app: xvfb-run not installed; skipped\n");
        return;
    }
    const std::string npy = (fs::temp_directory_path() / "quantviz-bench-58M.npy").string();
    const std::string json = (fs::temp_directory_path() / "quantviz-bench-frames.json").string();
    const int64_t rows = 14336, cols = 4096;
    if (!fs::exists(npy) || fs::file_size(npy) < uint64_t(rows * cols * 4)) {
        std::printf("app: writing %s (%lld x %lld f32)\n", npy.c_str(), static_cast<long long>(rows),
                    static_cast<long long>(cols));
        if (!writeLargeNpy(npy, rows, cols)) {
            std::printf("app: cannot write %s; skipped\n", npy.c_str());
            return;
        }
    }
    fs::remove(json, ec);
    std::string cmd = "xvfb-run -a -s '-screen 0 1600x1000x24' '" + app.string() + "' '" + npy +
                      "' --size 1600x1000 --script drag-controls --script-seconds 5 --frame-times '" + json + "'";
    std::printf("app: %s\n", cmd.c_str());
    std::fflush(stdout);
    int rc = std::system(cmd.c_str());
    std::ifstream f(json);
    if (rc != 0 || !f) {
        std::printf("app: scripted run failed (exit %d)\n", rc);
        return;
    }
    nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
    if (j.is_discarded()) {
        std::printf("app: unreadable %s\n", json.c_str());
        return;
    }
    std::string note = std::to_string(j.value("frames", 0)) + " frames, 14336x4096 f32, goal p99 < 33 ms";
    report.add({.name = "frame_time_median", .value = j.value("frame_time_median", 0.0), .unit = "ms", .note = note});
    report.add({.name = "frame_time_p99", .value = j.value("frame_time_p99", 0.0), .unit = "ms", .note = note});
    report.add({.name = "frame_time_max", .value = j.value("frame_time_max", 0.0), .unit = "ms"});
    // Where a frame's time goes: building the UI + updating the analysis (the app's own CPU work)
    // versus GL drawing and the buffer swap (Mesa's software rasterizer under Xvfb on this machine).
    report.add({.name = "frame_app_cpu_p99", .value = j.value("app_cpu_p99", 0.0), .unit = "ms",
                .note = "UI build + analysis update per frame"});
    report.add({.name = "frame_gl_render_swap_median", .value = j.value("gl_render_swap_median", 0.0), .unit = "ms",
                .note = "software GL under Xvfb"});
    report.add({.name = "exact_metrics_latency", .value = j.value("exact_metrics_latency", -1.0), .unit = "ms",
                .note = "release → the active calibrator's exact metrics shown"});
}

QV_BENCH_SECTION("app", runApp);

}  // namespace
