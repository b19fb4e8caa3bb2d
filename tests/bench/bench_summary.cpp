// Bench section "summary": summary pass and exact error pass vs a plain parallel read of the same
// memory, and vs a straightforward two-pass histogram (issue 3 "Speed"). 64M fp32, 2 threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/parallel.h"
#include "core/metrics/error_stats.h"
#include "core/metrics/error_kernel.h"
#include "core/stats/summary_kernel.h"
#include "core/stats/tensor_summary.h"
#include "tests/bench/bench_report.h"

namespace qv::bench {
namespace {

constexpr size_t kElements = size_t{64} << 20;
constexpr int kThreads = 2;
constexpr int kReps = 7;

// Deterministic Gaussian (splitmix64 → Box–Muller), generated in parallel: seed per chunk.
std::shared_ptr<OwnedBytes> makeGaussian() {
    std::vector<std::byte> bytes(kElements * sizeof(float));
    float* out = reinterpret_cast<float*>(bytes.data());
    parallelFor(kElements, 1 << 20, kThreads, [&](size_t begin, size_t end, int) {
        uint64_t state = 0x9E3779B97F4A7C15ull * (begin + 1);
        auto next = [&] {
            uint64_t z = (state += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            return z ^ (z >> 31);
        };
        for (size_t i = begin; i < end; i += 2) {
            const double u1 = (static_cast<double>(next() >> 11) + 1.0) * 0x1p-53;
            const double u2 = static_cast<double>(next() >> 11) * 0x1p-53;
            const double r = std::sqrt(-2.0 * std::log(u1));
            out[i] = static_cast<float>(r * std::cos(2 * M_PI * u2));
            if (i + 1 < end) out[i + 1] = static_cast<float>(r * std::sin(2 * M_PI * u2));
        }
    });
    return std::make_shared<OwnedBytes>(std::move(bytes));
}

double processCpuSeconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Records the CPU time (both threads) of every call: on a shared, oversubscribed machine the wall
// time includes waiting for a core, the CPU time does not — both are reported.
std::function<void()> withCpuTime(std::function<void()> fn, std::vector<double>& cpu) {
    return [fn = std::move(fn), &cpu] {
        const double t0 = processCpuSeconds();
        fn();
        cpu.push_back(processCpuSeconds() - t0);
    };
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// The peer: every byte read once, summed so the loads cannot be dropped (16 float lanes keep the
// adds from being latency-bound).
double plainRead(const float* x) {
    std::vector<double> partial(kThreads, 0.0);
    parallelFor(kElements, 64 * 1024, kThreads, [&](size_t begin, size_t end, int w) {
        float acc[16] = {};
        size_t i = begin;
        for (; i + 16 <= end; i += 16)
            for (int j = 0; j < 16; ++j) acc[j] += x[i + j];
        for (; i < end; ++i) acc[0] += x[i];
        double s = 0;
        for (float a : acc) s += a;
        partial[static_cast<size_t>(w)] += s;
    });
    return partial[0] + partial[1];
}

// The straightforward way: a min/max pass, then binning into 2048 linear bins (both parallel).
std::vector<uint64_t> twoPassHistogram(const float* x, int threads) {
    std::vector<float> mins(kThreads, INFINITY), maxs(kThreads, -INFINITY);
    parallelFor(kElements, 64 * 1024, threads, [&](size_t begin, size_t end, int w) {
        float mn = mins[static_cast<size_t>(w)], mx = maxs[static_cast<size_t>(w)];
        for (size_t i = begin; i < end; ++i) {
            mn = std::min(mn, x[i]);
            mx = std::max(mx, x[i]);
        }
        mins[static_cast<size_t>(w)] = mn;
        maxs[static_cast<size_t>(w)] = mx;
    });
    const float lo = *std::min_element(mins.begin(), mins.end());
    const float hi = *std::max_element(maxs.begin(), maxs.end());
    constexpr int kBins = 2048;
    const float scale = hi > lo ? kBins / (hi - lo) : 0.0f;
    std::vector<std::vector<uint64_t>> hist(kThreads, std::vector<uint64_t>(kBins, 0));
    parallelFor(kElements, 64 * 1024, threads, [&](size_t begin, size_t end, int w) {
        uint64_t* h = hist[static_cast<size_t>(w)].data();
        for (size_t i = begin; i < end; ++i) {
            int b = static_cast<int>((x[i] - lo) * scale);
            b = std::clamp(b, 0, kBins - 1);
            ++h[b];
        }
    });
    for (int b = 0; b < kBins; ++b) hist[0][static_cast<size_t>(b)] += hist[1][static_cast<size_t>(b)];
    return hist[0];
}

// The floor under any exact one-pass histogram, measured rather than argued: one counter increment per
// element and nothing else — no statistics, no bin arithmetic beyond a shift (key = the top 16 bits of
// the pattern, 65 536 counters per thread, of which a Gaussian touches a few thousand, so they stay in
// L1). If this alone exceeds 1.5× the plain read, no summary pass that bins every element can meet
// issue 3's 1.5× goal on this CPU; the summary pass's own key (20 bits: the resolution the calibrators
// need) costs more.
uint64_t scatterOnly(const float* x) {
    std::vector<std::vector<uint32_t>> hist(kThreads, std::vector<uint32_t>(size_t{1} << 16, 0));
    parallelFor(kElements, 64 * 1024, kThreads, [&](size_t begin, size_t end, int w) {
        uint32_t* h = hist[static_cast<size_t>(w)].data();
        size_t i = begin;
        // Two patterns per 64-bit load (fewer loads; the summary kernel does the same).
        for (; i + 2 <= end; i += 2) {
            uint64_t pair;
            std::memcpy(&pair, x + i, sizeof pair);
            ++h[(pair >> 16) & 0xFFFF];
            ++h[pair >> 48];
        }
        for (; i < end; ++i) {
            uint32_t bits;
            std::memcpy(&bits, x + i, sizeof bits);
            ++h[bits >> 16];
        }
    });
    return hist[0][0x3F80] + hist[1][0x3F80];  // keys of [1, 1.0078): keeps the loop from being dropped
}

void run(BenchReport& report) {
    auto bytes = makeGaussian();
    TensorInfo info;
    info.name = "gaussian_64M";
    info.shape = {static_cast<int64_t>(kElements)};
    info.bytes = kElements * sizeof(float);
    const TensorView view(info, bytes);
    const float* x = view.directF32();

    const char* summaryIsa = nullptr;
    const char* errorIsa = nullptr;
    detail::selectSummaryKernel(&summaryIsa);
    detail::selectErrorKernel(&errorIsa);
    const char* levelKernel = nullptr;
    detail::selectErrorKernelLevels(&levelKernel);

    // Parameters for the error pass: int8 symmetric per-tensor from the summary's |x| max.
    auto first = summarize(view, nullptr, SummaryOptions{kThreads});
    if (!first.ok()) {
        std::printf("summary failed: %s\n", first.message().c_str());
        return;
    }
    QuantParams params;
    params.scheme.bits = 8;
    params.slices = {paramsFromRange(params.scheme, {(*first)->min, (*first)->max})};

    // The same pass under FP8 E4M3 (a level format: with AVX-512 the rounding is done by arithmetic on
    // the format's grid, error_kernel_levels_avx512.cpp; otherwise one table search per element).
    QuantParams fp8;
    fp8.scheme.format = NumberFormat::Fp8E4M3;
    fp8.slices = {paramsFromRange(fp8.scheme, {(*first)->min, (*first)->max})};

    volatile double sink = 0;
    std::shared_ptr<const TensorSummary> keepSummary;
    std::shared_ptr<const ErrorReport> keepError, keepErrorHist, keepFp8;
    std::vector<double> cpu[8];
    ErrorPassOptions metricsOnly{kThreads, 256, false};
    ErrorPassOptions withHistograms{kThreads, 256, true};
    const auto med = interleavedMedians(
        {
            withCpuTime([&] { sink = sink + plainRead(x); }, cpu[0]),
            withCpuTime([&] { keepSummary = summarize(view, nullptr, SummaryOptions{kThreads}).value(); }, cpu[1]),
            withCpuTime([&] { sink = sink + static_cast<double>(twoPassHistogram(x, kThreads)[1024]); }, cpu[2]),
            withCpuTime([&] { keepError = measureError(view, params, nullptr, metricsOnly).value(); }, cpu[3]),
            withCpuTime([&] { keepErrorHist = measureError(view, params, nullptr, withHistograms).value(); }, cpu[4]),
            withCpuTime([&] { sink = sink + static_cast<double>(twoPassHistogram(x, 1)[1024]); }, cpu[5]),
            withCpuTime([&] { keepFp8 = measureError(view, fp8, nullptr, metricsOnly).value(); }, cpu[6]),
            withCpuTime([&] { sink = sink + static_cast<double>(scatterOnly(x)); }, cpu[7]),
        },
        kReps, 1);
    double cpuMed[8];
    for (int i = 0; i < 8; ++i) cpuMed[i] = median(cpu[i]) * 1e3;
    const double gb = static_cast<double>(kElements * sizeof(float)) / 1e9;
    const double plain = med[0], summary = med[1], twoPass = med[2], error = med[3], errorHist = med[4];
    const double twoPass1 = med[5];
    char note[200];
    std::snprintf(note, sizeof note, "%.1f GB/s, 64M f32, %d threads, cpu %.1f ms", gb / plain, kThreads, cpuMed[0]);
    report.add({"plain_read", plain * 1e3, "ms", {}, {}, {}, {}, {}, kThreads, note});
    std::snprintf(note, sizeof note, "%.1f GB/s, kernel %s, cpu %.1f ms (cpu ratio %.2f)", gb / summary, summaryIsa,
                  cpuMed[1], cpuMed[1] / cpuMed[0]);
    report.add({"summary_pass", summary * 1e3, "ms", "plain_read", summary / plain, {}, {}, {}, kThreads, note});
    std::snprintf(note, sizeof note, "one ++h[bits >> 16] per element, nothing else: the floor of exact binning, cpu %.1f ms",
                  cpuMed[7]);
    report.add({"histogram_scatter_floor", med[7] * 1e3, "ms", "plain_read", med[7] / plain, {}, {}, {}, kThreads, note});
    std::snprintf(note, sizeof note, "%.1f GB/s, min/max pass + 2048-bin pass, cpu %.1f ms", gb / twoPass, cpuMed[2]);
    report.add({"two_pass_histogram", twoPass * 1e3, "ms", {}, {}, {}, {}, {}, kThreads, note});
    report.add({"summary_vs_two_pass", twoPass / summary, "x faster", "two_pass_histogram", summary / twoPass, {}, {},
                {}, kThreads, "summary pass speed-up over the straightforward histogram"});
    // The same histogram on one thread, as a straightforward program (numpy.histogram, a plain loop)
    // runs it. The issue's own figure for this machine, 130-170 ms per 100M floats, matches this
    // one-thread time (the two-thread figure above is about half of it); both are reported.
    std::snprintf(note, sizeof note, "%.1f GB/s, 1 thread, %.0f ms per 100M floats", gb / twoPass1,
                  twoPass1 * 1e3 * 1e8 / static_cast<double>(kElements));
    report.add({"two_pass_histogram_1t", twoPass1 * 1e3, "ms", {}, {}, {}, {}, {}, 1, note});
    report.add({"summary_vs_two_pass_1t", twoPass1 / summary, "x faster", "two_pass_histogram_1t", summary / twoPass1,
                {}, {}, {}, kThreads, "summary pass (2 threads) over the one-thread straightforward histogram"});
    std::snprintf(note, sizeof note,
                  "%.1f GB/s, int8 sym per-tensor, metrics only, kernel %s, SQNR %.2f dB, cpu %.1f ms (cpu ratio %.2f)",
                  gb / error, errorIsa, keepError ? keepError->total.sqnrDb : 0.0, cpuMed[3], cpuMed[3] / cpuMed[0]);
    report.add({"error_pass", error * 1e3, "ms", "plain_read", error / plain, {}, {}, {}, kThreads, note});
    std::snprintf(note, sizeof note, "%.1f GB/s, + code and error histograms (the views), cpu %.1f ms (cpu ratio %.2f)",
                  gb / errorHist, cpuMed[4], cpuMed[4] / cpuMed[0]);
    report.add({"error_pass_with_histograms", errorHist * 1e3, "ms", "plain_read", errorHist / plain, {}, {}, {},
                kThreads, note});
    const double errorFp8 = med[6];
    std::snprintf(note, sizeof note, "%.1f GB/s, fp8-e4m3 per-tensor, metrics only, %s kernel, SQNR %.2f dB, cpu %.1f ms",
                  gb / errorFp8, levelKernel, keepFp8 ? keepFp8->total.sqnrDb : 0.0, cpuMed[6]);
    report.add({"error_pass_fp8", errorFp8 * 1e3, "ms", "plain_read", errorFp8 / plain, {}, {}, {}, kThreads, note});
}

QV_BENCH_SECTION("summary", run);

}  // namespace
}  // namespace qv::bench
