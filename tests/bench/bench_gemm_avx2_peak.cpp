// Register-only rates of the two AVX2 int8 multiply schemes: the ceilings the AVX2 rows of the gemm_avx2 section are read against.
//
// Built with -mavx2 for this file only (bench_gemm.cmake), so it runs on any AVX2 CPU. Inline assembly
// so the compiler cannot spill or fold the loops; no loads or stores, 12 (exact) or 6 (saturating)
// independent accumulators.
//  * exact (quantviz's kernel_avx2.cpp): vpmaddwd on int16 operands into a scratch register, vpaddd
//    into the accumulator — 16 products per multiply instruction, never saturating.
//  * saturating (oneDNN's AVX2 int8 kernels): vpmaddubsw (u8·s8 pairs into saturating int16),
//    vpmaddwd by ones, vpaddd — 32 products per two multiply instructions, but the int16 pair sums
//    clamp for full-range data.
// Their ratio bounds how close an exact kernel can come to a saturating one on this CPU.
#include <chrono>
#include <thread>
#include <vector>

#include "tests/bench/bench_gemm_peers.h"

namespace qv::bench {

namespace {

double exactOneThread(double seconds) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    long iterations = 0;
    asm volatile("vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\tvpabsw %%ymm14, %%ymm15" ::: "xmm14", "xmm15");
    while (Clock::now() - t0 < std::chrono::duration<double>(seconds)) {
        for (int i = 0; i < 100000; ++i) {
#define QV_EXACT(ACC, TMP) "vpmaddwd %%ymm14, %%ymm15, %%ymm" #TMP "\n\tvpaddd %%ymm" #TMP ", %%ymm" #ACC ", %%ymm" #ACC "\n\t"
            asm volatile(QV_EXACT(0, 12) QV_EXACT(1, 13) QV_EXACT(2, 12) QV_EXACT(3, 13) QV_EXACT(4, 12) QV_EXACT(5, 13)
                             QV_EXACT(6, 12) QV_EXACT(7, 13) QV_EXACT(8, 12) QV_EXACT(9, 13) QV_EXACT(10, 12) QV_EXACT(11, 13)
                         ::
                             : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                               "xmm11", "xmm12", "xmm13");
#undef QV_EXACT
        }
        iterations += 100000;
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    // 12 vpmaddwd per iteration, each 8 lanes × 2 products, each a multiply and an add.
    return static_cast<double>(iterations) * 12.0 * 16.0 * 2.0 / s * 1e-9;
}

double saturatingOneThread(double seconds) {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    long iterations = 0;
    // ymm15: u8 operand, ymm14: s8 operand, ymm13: int16 ones for the pair-summing vpmaddwd.
    asm volatile("vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\tvpabsb %%ymm14, %%ymm15\n\tvpabsw %%ymm14, %%ymm13" ::: "xmm13",
                 "xmm14", "xmm15");
    while (Clock::now() - t0 < std::chrono::duration<double>(seconds)) {
        for (int i = 0; i < 100000; ++i) {
#define QV_SAT(ACC, TMP)                                                                                  \
    "vpmaddubsw %%ymm14, %%ymm15, %%ymm" #TMP "\n\tvpmaddwd %%ymm13, %%ymm" #TMP ", %%ymm" #TMP "\n\t" \
    "vpaddd %%ymm" #TMP ", %%ymm" #ACC ", %%ymm" #ACC "\n\t"
            asm volatile(QV_SAT(0, 6) QV_SAT(1, 7) QV_SAT(2, 8) QV_SAT(3, 9) QV_SAT(4, 10) QV_SAT(5, 11) ::
                             : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                               "xmm11");
#undef QV_SAT
        }
        iterations += 100000;
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    // 6 vpmaddubsw per iteration, each 16 int16 lanes × 2 products, each a multiply and an add.
    return static_cast<double>(iterations) * 6.0 * 32.0 * 2.0 / s * 1e-9;
}

double onThreads(double (*fn)(double), int threads, double seconds) {
    if (threads <= 1) return fn(seconds);
    std::vector<double> part(static_cast<size_t>(threads), 0.0);
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back([&, t] { part[static_cast<size_t>(t)] = fn(seconds); });
    part[0] = fn(seconds);
    for (auto& th : pool) th.join();
    double sum = 0;
    for (double v : part) sum += v;
    return sum;
}

}  // namespace

double avx2RegisterPeakGops(bool saturating, int threads, double seconds) {
    return onThreads(saturating ? saturatingOneThread : exactOneThread, threads, seconds);
}

}  // namespace qv::bench
