// The register-only vpdpbusd rate of this CPU: the ceiling any int8 GEMM kernel can reach here.
// Built with AVX-512 VNNI flags for this file only (bench_gemm.cmake); called only after
// gemmKernelSupported(Avx512Vnni). The loop is inline assembly so the compiler cannot spill or
// fold it: 12 independent accumulators (zmm0–zmm11), more than latency × throughput of vpdpbusd
// on current cores, fed from two registers that never change — no loads, no stores.
#include <chrono>
#include <thread>
#include <vector>

#include "tests/bench/bench_gemm_peers.h"

namespace qv::bench {

namespace {

double peakOneThread(double seconds) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    long iterations = 0;
    asm volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\tvpternlogd $0xff, %%zmm31, %%zmm31, %%zmm31" ::: "xmm30", "xmm31");
    while (Clock::now() - t0 < std::chrono::duration<double>(seconds)) {
        for (int i = 0; i < 100000; ++i) {
            asm volatile(
                "vpdpbusd %%zmm30, %%zmm31, %%zmm0\n\tvpdpbusd %%zmm30, %%zmm31, %%zmm1\n\t"
                "vpdpbusd %%zmm30, %%zmm31, %%zmm2\n\tvpdpbusd %%zmm30, %%zmm31, %%zmm3\n\t"
                "vpdpbusd %%zmm30, %%zmm31, %%zmm4\n\tvpdpbusd %%zmm30, %%zmm31, %%zmm5\n\t"
                "vpdpbusd %%zmm30, %%zmm31, %%zmm6\n\tvpdpbusd %%zmm30, %%zmm31, %%zmm7\n\t"
                "vpdpbusd %%zmm30, %%zmm31, %%zmm8\n\tvpdpbusd %%zmm30, %%zmm31, %%zmm9\n\t"
                "vpdpbusd %%zmm30, %%zmm31, %%zmm10\n\tvpdpbusd %%zmm30, %%zmm31, %%zmm11" ::
                    : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                      "xmm11");
        }
        iterations += 100000;
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    // Each vpdpbusd: 16 lanes × 4 byte products, each a multiply and an add.
    return static_cast<double>(iterations) * 12.0 * 64.0 * 2.0 / s * 1e-9;
}

}  // namespace

double vnniRegisterPeakGops(int threads, double seconds) {
    if (threads <= 1) return peakOneThread(seconds);
    std::vector<double> part(static_cast<size_t>(threads), 0.0);
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back([&, t] { part[static_cast<size_t>(t)] = peakOneThread(seconds); });
    part[0] = peakOneThread(seconds);
    for (auto& th : pool) th.join();
    double sum = 0;
    for (double v : part) sum += v;
    return sum;
}

}  // namespace qv::bench
