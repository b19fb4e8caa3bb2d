// Bench section "gemm": quantviz's int8 GEMM against oneDNN, gemmlowp and Eigen fp32, in alternating blocks of the same run.
//
// Records (names are a contract, tests/bench README): `gemm_int8` per shape × threads (value GOPS,
// 2·M·N·K / median time), one `gemm_int8` per peer with vs = peer and time_ratio = our time ÷ peer
// time, and the peers' own records (`onednn_matmul`, `onednn_gemm_u8s8s32`, `gemmlowp`, `eigen_fp32`).
// For M = 1 also `weights_read` (a plain read of the packed weights) and gemm_int8 vs weights_read.
// Section "gemm_avx2" (below): the AVX2 kernel against oneDNN capped at AVX2 and gemmlowp.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <emmintrin.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/base/parallel.h"
#include "core/gemm/gemm_thread_pool.h"
#include "core/gemm/gemm.h"
#include "core/gemm/gemm_fp32.h"
#include "tests/bench/bench_gemm_peers.h"
#include "tests/bench/bench_report.h"

extern char** environ;

namespace qv::bench {

namespace {

struct Shape {
    int64_t M, N, K;
};

// How each candidate is timed. Every library keeps worker threads that spin for a while after a call
// and then park (libgomp for oneDNN and Eigen: milliseconds; gemmlowp; our pool: 50 µs), and waking a
// parked thread costs 0.1–0.4 ms in this VM — a third of an M = 16 call. On 2 cores, a peer's threads
// still spinning also steal the core our second thread needs. So candidates run in blocks: a pause long
// enough for every other library's threads to park (libgomp's spin measured 4–8 ms here), one untimed
// call (the "cold" call: threads parked, caches as the other candidates left them; reported in the
// notes), untimed warm-up, then timed calls back to back (hot threads and caches, as benchdnn and
// Google Benchmark time). The blocks repeat in several rounds, so slow drifts of a shared machine
// reach every candidate, and the median is taken over all timed calls.
// `cpu` receives the median CPU time of the calling thread per candidate: for one-thread runs it
// excludes time the thread spent descheduled, so it stays meaningful when other jobs share the cores.
double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<double> medians(const std::vector<std::function<void()>>& fns, int reps, std::vector<double>& best,
                            std::vector<double>& cpu, std::vector<double>& coldMedian) {
    using Clock = std::chrono::steady_clock;
    auto gap = [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); };
    const int rounds = std::min(reps, 3);
    std::vector<std::vector<double>> t(fns.size()), c(fns.size()), cold(fns.size());
    for (int round = 0; round < rounds; ++round) {
        const int inRound = reps / rounds + (round < reps % rounds ? 1 : 0);
        for (size_t i = 0; i < fns.size(); ++i) {
            gap();
            const auto w0 = Clock::now();
            fns[i]();
            cold[i].push_back(std::chrono::duration<double>(Clock::now() - w0).count());
            // Then untimed calls for ≥ 25 ms: after an idle pause this VM needs several milliseconds of
            // work before calls reach their steady speed (measured: an M = 1 GEMV takes 0.96 ms right
            // after a 30 ms sleep, 0.45 ms by the 4th call, 0.11 ms back to back).
            while (Clock::now() - w0 < std::chrono::milliseconds(25)) fns[i]();
            for (int r = 0; r < inRound; ++r) {
                const double c0 = threadCpuSeconds();
                const auto t0 = Clock::now();
                fns[i]();
                t[i].push_back(std::chrono::duration<double>(Clock::now() - t0).count());
                c[i].push_back(threadCpuSeconds() - c0);
            }
        }
    }
    std::vector<double> out;
    best.clear();
    cpu.clear();
    coldMedian.clear();
    for (size_t i = 0; i < t.size(); ++i) {
        std::sort(cold[i].begin(), cold[i].end());
        coldMedian.push_back(cold[i][cold[i].size() / 2]);
        std::sort(t[i].begin(), t[i].end());
        std::sort(c[i].begin(), c[i].end());
        out.push_back(t[i][t[i].size() / 2]);
        best.push_back(t[i].front());
        cpu.push_back(c[i][c[i].size() / 2]);
    }
    return out;
}

// A plain read of `bytes` bytes over `threads` threads (the M = 1 yardstick): 16-byte loads (the
// baseline x86-64 vector width, so no ISA flags) into four independent sums, on the GEMM's own
// persistent thread pool — a yardstick that started threads per call would charge thread start-up
// (≈ 0.1 ms here, as long as the GEMV itself) to the read.
uint64_t plainRead(const int8_t* p, size_t bytes, int threads) {
    const size_t blocks = bytes / 64;  // 64-byte units; packed weights are whole panels
    const size_t parts = static_cast<size_t>(std::max(threads, 1));
    std::vector<uint64_t> part(parts * 8, 0);
    gemm_detail::GemmThreadPool::instance().run(parts, threads, [&](size_t t, int) {
        const size_t b0 = blocks * t / parts, b1 = blocks * (t + 1) / parts;
        __m128i s0 = _mm_setzero_si128(), s1 = s0, s2 = s0, s3 = s0;
        for (size_t b = b0; b < b1; ++b) {
            const auto* q = reinterpret_cast<const __m128i*>(p + b * 64);
            s0 = _mm_add_epi64(s0, _mm_loadu_si128(q));
            s1 = _mm_add_epi64(s1, _mm_loadu_si128(q + 1));
            s2 = _mm_add_epi64(s2, _mm_loadu_si128(q + 2));
            s3 = _mm_add_epi64(s3, _mm_loadu_si128(q + 3));
        }
        alignas(16) uint64_t lanes[2];
        _mm_store_si128(reinterpret_cast<__m128i*>(lanes), _mm_add_epi64(_mm_add_epi64(s0, s1), _mm_add_epi64(s2, s3)));
        part[t * 8] = lanes[0] + lanes[1];
    });
    uint64_t s = 0;
    for (uint64_t v : part) s += v;
    return s;
}

// Repetitions per shape: each round runs all five candidates, and gemmlowp / fp32 take up to a second
// per call at 2048³ — so fewer rounds for the big shapes.
int repsFor(const Shape& s) {
    if (s.M >= 2048) return 3;
    if (s.M >= 512) return 5;
    if (s.M >= 128) return 9;
    return s.M >= 16 ? 15 : 25;
}

Record gemmRecord(const std::string& name, double gops, const Shape& s, int threads) {
    Record r;
    r.name = name;
    r.value = gops;
    r.unit = "GOPS";
    r.M = s.M;
    r.N = s.N;
    r.K = s.K;
    r.threads = threads;
    return r;
}

// Per-call timings of one row of candidates ([0] ours, [k] the others), medians with the fastest repetition, the
// thread CPU time and the cold first call beside them.
struct CallTimes {
    std::vector<double> t, best, cpu, cold;
    // "1.234 ms (best 1.200, cold call 1.500)" for candidate k.
    std::string summary(size_t k) const {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%.3f ms (best %.3f, cold call %.3f)", t[k] * 1e3, best[k] * 1e3, cold[k] * 1e3);
        return buf;
    }
};

// `ours` against candidate k (its record name `peer`): our rate, vs, the time ratio and a note with the speed
// ratios by median, best and cold call — on one thread also by CPU time, which other jobs cannot disturb.
Record comparisonRecord(const std::string& ours, const std::string& peer, double ops, const Shape& s, int threads,
                        const CallTimes& c, size_t k) {
    Record cmp = gemmRecord(ours, ops / c.t[0] * 1e-9, s, threads);
    cmp.vs = peer;
    cmp.timeRatio = c.t[0] / c.t[k];
    char note[200];
    if (threads == 1)
        std::snprintf(note, sizeof note, "%.2f× the speed of %s (best vs best %.2f×, by CPU time %.2f×, cold calls %.2f×)",
                      c.t[k] / c.t[0], peer.c_str(), c.best[k] / c.best[0], c.cpu[k] / c.cpu[0], c.cold[k] / c.cold[0]);
    else
        std::snprintf(note, sizeof note, "%.2f× the speed of %s (best vs best %.2f×, cold calls %.2f×)", c.t[k] / c.t[0],
                      peer.c_str(), c.best[k] / c.best[0], c.cold[k] / c.cold[0]);
    cmp.note = note;
    return cmp;
}

// Register-only VNNI rate per thread count (index 1, 2), 0 when not measured: the ceiling, shown as
// "% of peak" beside our figures.
double gVnniPeak[3] = {0, 0, 0};

void runShape(BenchReport& report, const Shape& s) {
    std::mt19937 rng(static_cast<uint32_t>(s.M * 31 + s.N));
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<uint8_t> a(static_cast<size_t>(s.M * s.K));
    std::vector<int8_t> b(static_cast<size_t>(s.K * s.N));
    for (auto& v : a) v = static_cast<uint8_t>(byte(rng));
    for (auto& v : b) v = static_cast<int8_t>(byte(rng) - 128);
    std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end()), yf(static_cast<size_t>(s.M * s.N));
    std::vector<int32_t> y(static_cast<size_t>(s.M * s.N));

    auto packed = PackedB::make(b.data(), s.K, s.N, true, 0);
    if (!packed) {
        std::printf("  gemm: %s\n", packed.message().c_str());
        return;
    }
    GemmParams p;
    p.M = s.M;
    p.N = s.N;
    p.K = s.K;
    auto peerMatmul = makeOnednnMatmul(a.data(), b.data(), s.M, s.N, s.K);
    auto peerGemm = makeOnednnGemm(a.data(), b.data(), s.M, s.N, s.K);
    auto peerLowp = makeGemmlowp(a.data(), b.data(), s.M, s.N, s.K);
    const double ops = 2.0 * static_cast<double>(s.M) * static_cast<double>(s.N) * static_cast<double>(s.K);

    for (int threads : {1, 2}) {
        p.threads = threads;
        GemmRunInfo info;
        std::vector<std::function<void()>> fns = {
            [&] { info = *gemm(p, a.data(), **packed, y.data()); },
            [&] { peerMatmul->run(threads); },
            [&] { peerGemm->run(threads); },
            [&] { peerLowp->run(threads); },
            [&] { gemmFp32(af.data(), bf.data(), yf.data(), s.M, s.N, s.K, threads); },
        };
        volatile uint64_t sink = 0;
        if (s.M == 1) fns.push_back([&] { sink = sink + plainRead((*packed)->data(), (*packed)->bytes(), threads); });
        std::vector<double> best, cpu, cold;  // fastest repetition and CPU time: shown beside the median on a busy machine
        const std::vector<double> t = medians(fns, repsFor(s), best, cpu, cold);
        const CallTimes calls{t, best, cpu, cold};
        // Every int8 result must be identical (the exact integer product); fp32 is exact here too
        // (|values| < 2^24 per partial sum is not guaranteed, so it is only reported).
        const bool same = std::equal(y.begin(), y.end(), peerMatmul->result()) &&
                          std::equal(y.begin(), y.end(), peerGemm->result()) &&
                          std::equal(y.begin(), y.end(), peerLowp->result());
        Record ours = gemmRecord("gemm_int8", ops / t[0] * 1e-9, s, threads);
        char note[200];
        // At small M each call reads all of B once, so how fast the packed weights stream is the limit.
        char stream[48] = "";
        if (s.M <= 16)
            std::snprintf(stream, sizeof stream, ", B streams at %.1f GB/s",
                          static_cast<double>((*packed)->bytes()) / t[0] * 1e-9);
        char peak[40] = "";
        if (gVnniPeak[threads] > 0)
            std::snprintf(peak, sizeof peak, ", %.0f%% of VNNI peak", 100.0 * ops / t[0] * 1e-9 / gVnniPeak[threads]);
        std::snprintf(note, sizeof note, "%.3f ms (best %.3f, cold call %.3f)%s%s, %s%s", t[0] * 1e3, best[0] * 1e3,
                      cold[0] * 1e3, stream, peak, info.describe().c_str(), same ? ", = peers' int32" : ", MISMATCH vs peers");
        ours.note = note;
        report.add(ours);
        const char* names[] = {"onednn_matmul", "onednn_gemm_u8s8s32", "gemmlowp", "eigen_fp32"};
        for (size_t i = 0; i < 4; ++i) {
            Record peer = gemmRecord(names[i], ops / t[i + 1] * 1e-9, s, threads);
            char peerPeak[40] = "";
            if (gVnniPeak[threads] > 0 && i < 2)
                std::snprintf(peerPeak, sizeof peerPeak, ", %.0f%% of VNNI peak", 100.0 * ops / t[i + 1] * 1e-9 / gVnniPeak[threads]);
            peer.note = calls.summary(i + 1) + peerPeak;
            report.add(peer);
            report.add(comparisonRecord("gemm_int8", names[i], ops, s, threads, calls, i + 1));
        }
        if (s.M == 1) {
            const double gbps = static_cast<double>((*packed)->bytes()) / t[5] * 1e-9;
            Record read = gemmRecord("weights_read", gbps, s, threads);
            read.unit = "GB/s";
            std::snprintf(note, sizeof note, "%.3f ms to read %.1f MB of packed weights", t[5] * 1e3,
                          static_cast<double>((*packed)->bytes()) / 1e6);
            read.note = note;
            report.add(read);
            Record cmp = gemmRecord("gemm_int8", ops / t[0] * 1e-9, s, threads);
            cmp.vs = "weights_read";
            cmp.timeRatio = t[0] / t[5];
            std::snprintf(note, sizeof note, "GEMV streams weights at %.1f GB/s",
                          static_cast<double>((*packed)->bytes()) / t[0] * 1e-9);
            cmp.note = note;
            report.add(cmp);
        }
    }
}

// The shapes, or QV_BENCH_GEMM_SHAPES="16x4096x4096,1024x1024x1024" (for tuning one case;
// `make bench` always runs the full list). Empty on a malformed list (after saying why).
std::vector<Shape> benchShapes() {
    std::vector<Shape> shapes = {{1, 4096, 4096},   {16, 4096, 4096},   {128, 4096, 4096},
                                 {512, 4096, 4096}, {1024, 1024, 1024}, {2048, 2048, 2048}};
    if (const char* only = std::getenv("QV_BENCH_GEMM_SHAPES"); only && *only) {
        shapes.clear();
        for (const char* c = only; *c;) {
            long long m = 0, n = 0, k = 0;
            int used = 0;
            if (std::sscanf(c, "%lldx%lldx%lld%n", &m, &n, &k, &used) != 3 || m <= 0 || n <= 0 || k <= 0) {
                std::printf("  QV_BENCH_GEMM_SHAPES: cannot read \"%s\" (want MxNxK[,MxNxK...])\n", c);
                return {};
            }
            shapes.push_back({m, n, k});
            c += used;
            if (*c == ',') ++c;
        }
    }
    return shapes;
}

void runGemm(BenchReport& report) {
    std::printf("  kernel: %s, fp32: %s\n", gemmKernelName(bestGemmKernel()), gemmFp32Backend());
    const std::vector<Shape> shapes = benchShapes();
    if (shapes.empty()) return;
    if (gemmKernelSupported(GemmKernel::Avx512Vnni)) {
        // The ceiling: 12 independent vpdpbusd chains, no memory traffic (bench_gemm_peak.cpp). No int8
        // kernel on this CPU, ours or a peer's, can beat it; "≥ 10× gemmlowp" needs 10× gemmlowp's GOPS
        // to fit under it.
        for (int threads : {1, 2}) {
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            (void)vnniRegisterPeakGops(threads, 0.05);  // warm-up: the VM ramps up after idling
            double runs[5];
            for (double& r : runs) r = vnniRegisterPeakGops(threads, 0.1);
            std::sort(std::begin(runs), std::end(runs));
            gVnniPeak[threads] = runs[2];
            Record r;
            r.name = "vnni_peak";
            r.value = runs[2];
            r.unit = "GOPS";
            r.threads = threads;
            r.note = "register-only vpdpbusd rate, median of 5 × 0.1 s: the ceiling for any int8 GEMM here";
            report.add(r);
        }
    }
    for (const Shape& s : shapes) runShape(report, s);
}

}  // namespace

// ---- Section "gemm_avx2": the AVX2 path (what CPUs without AVX-512 run) against peers limited to AVX2.
//
// oneDNN's instruction-set cap (dnnl_set_max_cpu_isa) only works before its first primitive, and the
// "gemm" section has long created them at full ISA, so this section runs in a child process: the
// bench re-runs itself with `--only gemm_avx2`, QV_BENCH_GEMM_AVX2_CHILD naming a file for the
// records' notes and ONEDNN_MAX_CPU_ISA=AVX2 (the child also calls the API). The child measures and
// writes its records to a JSON file; the parent adds them to its own report, notes included.
// Records: `gemm_int8_avx2` (our kernel forced to AVX2), `onednn_matmul_avx2`, `gemmlowp` (its AVX2
// kernel, measured again beside ours: a second gemmlowp record per shape/threads, same meaning), and
// gemm_int8_avx2 with vs = each peer and time_ratio = our time ÷ peer time; first the register-only
// ceilings `avx2_exact_peak` and `avx2_saturating_peak` per thread count (bench_gemm_avx2_peak.cpp).
constexpr const char* kAvx2ChildEnv = "QV_BENCH_GEMM_AVX2_CHILD";

// Fewer repetitions than the main section (the whole section must stay under about a minute).
int avx2RepsFor(const Shape& s) {
    if (s.M >= 512) return 3;
    if (s.M >= 128) return 5;
    return s.M >= 16 ? 9 : 15;
}

// Register-only AVX2 rates per thread count (index 1, 2; [0] exact vpmaddwd, [1] saturating
// vpmaddubsw), 0 when not measured: shown as "% of … peak" beside our and oneDNN's figures.
double gAvx2Peak[2][3] = {{0, 0, 0}, {0, 0, 0}};

void runAvx2Shape(BenchReport& report, const Shape& s, const std::string& onednnIsa, std::FILE* notes) {
    std::mt19937 rng(static_cast<uint32_t>(s.M * 31 + s.N));
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<uint8_t> a(static_cast<size_t>(s.M * s.K));
    std::vector<int8_t> b(static_cast<size_t>(s.K * s.N));
    for (auto& v : a) v = static_cast<uint8_t>(byte(rng));
    for (auto& v : b) v = static_cast<int8_t>(byte(rng) - 128);
    std::vector<int32_t> y(static_cast<size_t>(s.M * s.N));
    auto packed = PackedB::make(b.data(), s.K, s.N, true, 0, GemmKernel::Avx2);
    if (!packed) {
        std::printf("  gemm_avx2: %s\n", packed.message().c_str());
        return;
    }
    GemmParams p;
    p.M = s.M;
    p.N = s.N;
    p.K = s.K;
    auto peerMatmul = makeOnednnMatmul(a.data(), b.data(), s.M, s.N, s.K);
    auto peerLowp = makeGemmlowp(a.data(), b.data(), s.M, s.N, s.K);
    const double ops = 2.0 * static_cast<double>(s.M) * static_cast<double>(s.N) * static_cast<double>(s.K);
    auto add = [&](Record r) {
        std::fprintf(notes, "%s\n", r.note.c_str());
        report.add(std::move(r));
    };
    for (int threads : {1, 2}) {
        p.threads = threads;
        GemmRunInfo info;
        const std::vector<std::function<void()>> fns = {
            [&] { info = *gemm(p, a.data(), **packed, y.data()); },
            [&] { peerMatmul->run(threads); },
            [&] { peerLowp->run(threads); },
        };
        std::vector<double> best, cpu, cold;
        const std::vector<double> t = medians(fns, avx2RepsFor(s), best, cpu, cold);
        const CallTimes calls{t, best, cpu, cold};
        // gemmlowp is exact (int16 products); oneDNN without VNNI multiplies with vpmaddubsw, whose int16
        // pair sums saturate on full-range u8·s8 data, so its result may differ: counted, not required.
        const bool sameLowp = std::equal(y.begin(), y.end(), peerLowp->result());
        size_t diffOnednn = 0;
        for (size_t i = 0; i < y.size(); ++i) diffOnednn += y[i] != peerMatmul->result()[i];
        char note[240];
        char stream[48] = "";
        if (s.M <= 16)
            std::snprintf(stream, sizeof stream, ", B streams at %.1f GB/s",
                          static_cast<double>((*packed)->bytes()) / t[0] * 1e-9);
        Record ours = gemmRecord("gemm_int8_avx2", ops / t[0] * 1e-9, s, threads);
        char peak[48] = "";
        if (gAvx2Peak[0][threads] > 0)
            std::snprintf(peak, sizeof peak, ", %.0f%% of the exact AVX2 peak", 100.0 * ops / t[0] * 1e-9 / gAvx2Peak[0][threads]);
        std::snprintf(note, sizeof note, "%.3f ms (best %.3f, cold call %.3f)%s%s, %s%s", t[0] * 1e3, best[0] * 1e3,
                      cold[0] * 1e3, stream, peak, info.describe().c_str(), sameLowp ? ", = gemmlowp's int32" : ", MISMATCH vs gemmlowp");
        ours.note = note;
        add(ours);
        const char* names[] = {"onednn_matmul_avx2", "gemmlowp"};
        for (size_t i = 0; i < 2; ++i) {
            Record peer = gemmRecord(names[i], ops / t[i + 1] * 1e-9, s, threads);
            std::string extra;
            if (i == 0) {
                if (gAvx2Peak[1][threads] > 0) {
                    char pct[48];
                    std::snprintf(pct, sizeof pct, ", %.0f%% of the saturating AVX2 peak",
                                  100.0 * ops / t[1] * 1e-9 / gAvx2Peak[1][threads]);
                    extra = pct;
                }
                extra += ", oneDNN ISA " + onednnIsa + ", " + peerMatmul->implementation();
                if (diffOnednn) extra += ", " + std::to_string(diffOnednn) + " of " + std::to_string(y.size()) + " int32 differ (vpmaddubsw saturation)";
                else extra += ", = our int32";
            } else {
                extra = ", in the gemm_avx2 run";
            }
            peer.note = calls.summary(i + 1) + extra;
            add(peer);
            add(comparisonRecord("gemm_int8_avx2", names[i], ops, s, threads, calls, i + 1));
        }
    }
}

// In the child: measure, with the notes going line by line to `notesPath`.
void runGemmAvx2Child(BenchReport& report, const char* notesPath) {
    const bool capped = onednnCapIsaAtAvx2();
    const std::string isa = onednnEffectiveIsa();
    std::printf("  oneDNN capped at AVX2: %s (effective ISA %s)\n", capped ? "yes" : "NO", isa.c_str());
    std::FILE* notes = std::fopen(notesPath, "w");
    if (!notes) return;
    const std::vector<Shape> shapes = benchShapes();
    if (shapes.empty()) return;
    // The two ceilings: no exact AVX2 kernel beats the first, no saturating one the second.
    for (int saturating : {0, 1}) {
        for (int threads : {1, 2}) {
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            (void)avx2RegisterPeakGops(saturating, threads, 0.03);  // warm-up: the VM ramps up after idling
            double runs[3];
            for (double& r : runs) r = avx2RegisterPeakGops(saturating, threads, 0.05);
            std::sort(std::begin(runs), std::end(runs));
            gAvx2Peak[saturating][threads] = runs[1];
            Record r;
            r.name = saturating ? "avx2_saturating_peak" : "avx2_exact_peak";
            r.value = runs[1];
            r.unit = "GOPS";
            r.threads = threads;
            r.note = saturating ? "register-only vpmaddubsw + vpmaddwd + vpaddd rate (oneDNN's AVX2 scheme, saturates), median of 3 × 0.05 s"
                                : "register-only vpmaddwd + vpaddd rate (quantviz's exact AVX2 scheme), median of 3 × 0.05 s";
            std::fprintf(notes, "%s\n", r.note.c_str());
            report.add(std::move(r));
        }
    }
    for (const Shape& s : shapes) runAvx2Shape(report, s, isa, notes);
    std::fclose(notes);
}

void runGemmAvx2(BenchReport& report) {
    if (const char* notesPath = std::getenv(kAvx2ChildEnv)) {
        runGemmAvx2Child(report, notesPath);
        return;
    }
    if (!gemmKernelSupported(GemmKernel::Avx2)) {
        std::printf("  no AVX2 on this CPU: skipped\n");
        return;
    }
    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    const std::string tag = "qv-bench-avx2-" + std::to_string(getpid());
    const std::string json = (dir / (tag + ".json")).string(), notesPath = (dir / (tag + ".notes")).string(),
                      log = (dir / (tag + ".log")).string();
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, kAvx2ChildEnv, std::strlen(kAvx2ChildEnv)) && std::strncmp(*e, "ONEDNN_MAX_CPU_ISA=", 19))
            env.emplace_back(*e);
    env.push_back(std::string(kAvx2ChildEnv) + "=" + notesPath);
    env.emplace_back("ONEDNN_MAX_CPU_ISA=AVX2");
    std::vector<char*> envp, argv;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string args[] = {"quantviz-bench", "--only", "gemm_avx2", "--out", json};
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::printf("  measuring in a child process (oneDNN capped at AVX2) ...\n");
    std::fflush(stdout);
    pid_t pid = 0;
    int status = -1;
    const int err = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (err == 0) waitpid(pid, &status, 0);
    std::ifstream in(json), notesIn(notesPath);
    nlohmann::json records;
    if (err != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !in || !(in >> records) || !records.is_array()) {
        std::printf("  gemm_avx2: the child process failed (log: %s)\n", log.c_str());
        return;
    }
    std::string line;
    std::ifstream logIn(log);
    while (std::getline(logIn, line))
        if (line.find("oneDNN capped") != std::string::npos) std::printf("%s\n", line.c_str());
    for (const auto& j : records) {
        Record r;
        r.name = j.at("name").get<std::string>();
        r.value = j.at("value").get<double>();
        r.unit = j.at("unit").get<std::string>();
        if (j.contains("vs")) r.vs = j["vs"].get<std::string>();
        if (j.contains("time_ratio")) r.timeRatio = j["time_ratio"].get<double>();
        if (j.contains("M")) r.M = j["M"].get<long>();
        if (j.contains("N")) r.N = j["N"].get<long>();
        if (j.contains("K")) r.K = j["K"].get<long>();
        if (j.contains("threads")) r.threads = j["threads"].get<int>();
        if (std::getline(notesIn, line)) r.note = line;
        report.add(std::move(r));
    }
    std::error_code ec;
    for (const auto& f : {json, notesPath, log}) std::filesystem::remove(f, ec);
}

QV_BENCH_SECTION("gemm", runGemm);
QV_BENCH_SECTION("gemm_avx2", runGemmAvx2);

}  // namespace qv::bench
