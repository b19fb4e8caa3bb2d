// Bench section "heatmap": what opening the Heatmap tab in error mode costs on a 14336×4096 float32
// matrix (58.7M elements, a Llama-3-8B MLP weight's size): the min/max pyramid, row and column ranges,
// the top-k and every element's int8 error, built by buildHeatmapData from memory (no file read, so the
// figure is the job's own work). heatmap_build (2 threads) is compared with heatmap_build_1t: the time
// ratio says how much the second core buys (0.5 would be perfect scaling).
#include <cstdio>
#include <random>
#include <vector>

#include "app/views/heatmap_view.h"
#include "core/quant/quant_params.h"
#include "tests/bench/bench_report.h"

namespace {

void runHeatmap(qv::bench::BenchReport& report) {
    using namespace qv;
    const int64_t rows = 14336, cols = 4096;
    std::vector<float> v(size_t(rows * cols));
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    for (auto& x : v) x = normal(rng);
    const MatrixLayout layout = matrixLayout({rows, cols}, NdMode::Reshape, {});
    QuantScheme scheme;  // int8 symmetric per tensor
    const HeatmapQuant quant{scheme, QuantParams{scheme, {paramsFromRange(scheme, {-0.1, 0.1})}},
                             SliceLayout::make(scheme, {rows, cols})};
    size_t sink = 0;
    auto build = [&](int threads) {
        return [&, threads] { sink += buildHeatmapData(v.data(), layout, quant, threads)->top.size(); };
    };
    const auto t = bench::interleavedMedians({build(1), build(2)}, 5);
    if (sink == 0) std::printf("(empty heatmap)\n");
    report.add({"heatmap_build_1t", t[0] * 1e3, "ms", {}, {}, {}, {}, {}, 1, "14336x4096 f32, int8 error"});
    report.add({"heatmap_build", t[1] * 1e3, "ms", "heatmap_build_1t", t[1] / t[0], {}, {}, {}, 2,
                "same, 2 threads"});
}

}  // namespace

QV_BENCH_SECTION("heatmap", runHeatmap);
