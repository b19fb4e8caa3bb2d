// GEMM entry point: validates, picks the kernel from the CPU's features, prepares the zero-point terms, splits work over threads.
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/base/parallel.h"
#include "core/gemm/gemm.h"
#include "core/gemm/gemm_kernels.h"
#include "core/gemm/gemm_output_stage.h"
#include "core/gemm/gemm_thread_pool.h"
#include "core/gemm/kernel_avx2.h"

namespace qv {

const char* gemmKernelName(GemmKernel k) {
    switch (k) {
        case GemmKernel::Auto: return "auto";
        case GemmKernel::Reference: return "reference";
        case GemmKernel::Avx2: return "avx2";
        case GemmKernel::Avx512Vnni: return "avx512_vnni";
    }
    return "?";
}

const char* requantRoundingName(RequantRounding r) {
    switch (r) {
        case RequantRounding::Float: return "float";
        case RequantRounding::FixedDouble: return "fixed-double";
        case RequantRounding::FixedSingle: return "fixed-single";
    }
    return "?";
}

bool gemmKernelSupported(GemmKernel k) {
    switch (k) {
        case GemmKernel::Auto:
        case GemmKernel::Reference: return true;
        case GemmKernel::Avx2: return __builtin_cpu_supports("avx2");
        case GemmKernel::Avx512Vnni:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    }
    return false;
}

GemmKernel bestGemmKernel() {
    // QV_SIMD=portable|avx2|avx512 forces a path, as for the other SIMD kernels (core/base/simd_dispatch.h),
    // so the whole suite can be run on the AVX2 or the portable GEMM; an unsupported choice is ignored.
    if (const char* forced = std::getenv("QV_SIMD")) {
        const std::string f = forced;
        if (f == "portable") return GemmKernel::Reference;
        if (f == "avx2" && gemmKernelSupported(GemmKernel::Avx2)) return GemmKernel::Avx2;
        if (f == "avx512" && gemmKernelSupported(GemmKernel::Avx512Vnni)) return GemmKernel::Avx512Vnni;
    }
    if (gemmKernelSupported(GemmKernel::Avx512Vnni)) return GemmKernel::Avx512Vnni;
    if (gemmKernelSupported(GemmKernel::Avx2)) return GemmKernel::Avx2;
    return GemmKernel::Reference;
}

std::string GemmRunInfo::describe() const {
    return std::string(gemmKernelName(kernel)) + (gemv ? " gemv, " : " gemm, ") + std::to_string(threads) +
           (threads == 1 ? " thread" : " threads");
}

namespace {

using gemm_detail::GemmThreadPool;

// Rows of A per block. The VNNI kernel keeps a whole B panel (K × 64 bytes, 256 KB at K = 4096) in
// L2 while every row tile of the block passes over it, plus the next panel arriving by prefetch, so
// the A block (rows × K) gets what is left of this CPU's 1 MB L2: ~384 KB. Taller blocks mean fewer
// passes over B; measured flat between 128 and 512 KB (docs/gemm.md §4).
constexpr int64_t kABlockBytes = 384 * 1024;
int64_t rowsPerBlock(int64_t kPadded) {
    int64_t rows = kABlockBytes / std::max<int64_t>(kPadded, 1);
    rows = rows / gemm_detail::kVnniTileRows * gemm_detail::kVnniTileRows;
    return std::clamp<int64_t>(rows, gemm_detail::kVnniTileRows, 384);
}

// Runs body(task, worker) over [0, tasks) on the persistent pool.
int runTasks(size_t tasks, int threads, const std::function<void(size_t, int)>& body) {
    return GemmThreadPool::instance().run(tasks, threads, body);
}

}  // namespace

Result<GemmRunInfo> gemm(const GemmParams& params, const void* a, const PackedB& b, void* y) {
    using namespace gemm_detail;
    if (auto st = validateGemm(params, b.bZero()); !st) return st.error();
    if (b.K() != params.K || b.N() != params.N) {
        return makeError("gemm: packed B is " + std::to_string(b.K()) + "×" + std::to_string(b.N()) +
                         " but the GEMM needs K×N = " + std::to_string(params.K) + "×" + std::to_string(params.N));
    }
    if (!a || !y) return makeError("gemm: A or Y is null");
    const int threads = params.threads <= 0 ? hardwareThreads() : params.threads;
    const OutputStage stage = makeOutputStage(params);

    GemmJob job;
    job.a = static_cast<const uint8_t*>(a);
    job.M = params.M;
    job.N = params.N;
    job.K = params.K;
    job.aSigned = params.aSigned;
    job.aZeroInternal = params.aSigned ? params.aZero + 128 : params.aZero;
    job.bZeroInternal = b.internalZero();
    job.b = &b;
    job.out = &stage;
    job.y = y;
    // colTerm_j = bias_j − za'·colsum_j + K·za'·zb' in wrapping int32 arithmetic (gemmlowp's offsets).
    std::vector<int32_t> colTerm(static_cast<size_t>(params.N));
    const auto za = static_cast<uint32_t>(job.aZeroInternal);
    const uint32_t constant = static_cast<uint32_t>(params.K) * za * static_cast<uint32_t>(job.bZeroInternal);
    for (size_t j = 0; j < colTerm.size(); ++j) {
        const uint32_t bias = params.bias.empty() ? 0u : static_cast<uint32_t>(params.bias[j]);
        colTerm[j] = static_cast<int32_t>(bias - za * static_cast<uint32_t>(b.colSums()[j]) + constant);
    }
    job.colTerm = colTerm.data();

    GemmRunInfo info;
    info.kernel = b.kernel();
    if (b.kernel() == GemmKernel::Reference) {
        info.threads = runTasks(static_cast<size_t>(params.M), threads, [&](size_t m, int) {
            gemmPortable(job, static_cast<int64_t>(m), static_cast<int64_t>(m) + 1, 0, params.N);
        });
        return info;
    }

    if (b.kernel() == GemmKernel::Avx2) {
        // Packing, blocking, thread split and the M = 1 stream of the AVX2 path (kernel_avx2.cpp).
        info.threads = gemmAvx2Run(job, threads, &info.gemv);
        return info;
    }

    const int64_t panels = b.panels();
    if (params.M == 1) {
        // Matrix-vector: one contiguous range of panels per thread, so each streams its part of B.
        std::vector<uint8_t> row(static_cast<size_t>(b.kPadded()));
        int32_t rowTerm = 0;
        packARows(job, 0, 1, b.kPadded(), 4, row.data(), &rowTerm);
        const int64_t parts = std::min<int64_t>(threads, panels);
        info.gemv = true;
        info.threads = runTasks(static_cast<size_t>(parts), threads, [&](size_t t, int) {
            const auto i = static_cast<int64_t>(t);
            gemvAvx512Vnni(job, row.data(), rowTerm, panels * i / parts, panels * (i + 1) / parts);
        });
        return info;
    }

    // Register tiles of ≤ 6 rows balanced over all of M (16 rows → 6 + 5 + 5, 2048 → 338 × 6 + 4 × 5:
    // never a 1-row tail), grouped into blocks of whole tiles (an A block sits in L2 while B panels
    // stream past it).
    const int64_t nTiles = (params.M + kVnniTileRows - 1) / kVnniTileRows;
    const int64_t blockTiles = std::max<int64_t>(1, rowsPerBlock(b.kPadded()) / kVnniTileRows);
    int64_t mBlocks = (nTiles + blockTiles - 1) / blockTiles;
    // Two ways to share the work between threads:
    //  * by rows (M large: at least two blocks per thread): a task is one whole row block against all of
    //    B; it packs its own block of A just before using it (or, for uint8 A read in place, only sums
    //    its rows), so the block is hot in that core's L2.
    //    The block count is rounded up to a multiple of the thread count (blocks of equal size), so
    //    no thread is left with one block more than the others when both cores are free.
    //  * by columns (small M): A is packed once up front, and each thread streams its own contiguous
    //    ranges of B panels (two per thread, handed out dynamically), with the next panel prefetched.
    //  With one or two blocks per thread the choice depends on B: a small B (≤ 2 MiB, e.g. 1024³) is cheap
    //  to stream once per thread and rows then avoid the separate A-packing phase and its barrier
    //  (measured +1.5–2 % at 1024³ and 512×1024², interleaved in one process); a large B (128×4096²)
    //  read once per thread costs more than that (columns 2 % faster there).
    constexpr size_t kSmallB = size_t{2} << 20;
    const bool byRows = threads == 1 || mBlocks >= 2 * threads || (mBlocks >= threads && b.bytes() <= kSmallB);
    if (byRows && threads > 1) mBlocks = std::min(nTiles, (mBlocks + threads - 1) / threads * threads);
    const int64_t panelChunks = byRows ? 1 : std::min<int64_t>(panels, 2 * threads);
    auto panelRange = [&](int64_t pc) { return std::pair{panels * pc / panelChunks, panels * (pc + 1) / panelChunks}; };
    // Tile t covers rows [tileRow(t), tileRow(t + 1)); block mb covers tiles [blockTile(mb), blockTile(mb + 1)).
    auto tileRow = [&](int64_t t) { return t * (params.M / nTiles) + std::min(t, params.M % nTiles); };
    auto blockTile = [&](int64_t mb) { return nTiles * mb / mBlocks; };

    // VNNI. The packed A lives in a per-thread buffer reused across calls: no allocation, page faults
    // or zeroing per GEMM (packARows writes every byte, padding included).
    // (A reference, not the thread_local itself, is what the worker lambdas below must see.)
    thread_local PackedATiles packedABuffer;
    PackedATiles& packedA = packedABuffer;
    packedA.kPadded = b.kPadded();
    packedA.tileStart.resize(static_cast<size_t>(nTiles) + 1);
    for (int64_t t = 0; t <= nTiles; ++t) packedA.tileStart[static_cast<size_t>(t)] = tileRow(t);
    // uint8 A with K a multiple of 4 is already in the kernel's byte format: read it in place.
    packedA.direct = !params.aSigned && params.K % 4 == 0 ? job.a : nullptr;
    if (!packedA.direct && packedA.data.size() < static_cast<size_t>(params.M * packedA.kPadded))
        packedA.data.resize(static_cast<size_t>(params.M * packedA.kPadded));
    if (packedA.rowTerm.size() < static_cast<size_t>(params.M)) packedA.rowTerm.resize(static_cast<size_t>(params.M));
    auto packTiles = [&](int64_t t0, int64_t t1) {
        if (packedA.direct) {
            const int64_t r0 = packedA.tileStart[static_cast<size_t>(t0)], r1 = packedA.tileStart[static_cast<size_t>(t1)];
            rowTermsOnly(job, r0, r1 - r0, packedA.rowTerm.data() + r0);
            return;
        }
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t r0 = packedA.tileStart[static_cast<size_t>(t)], h = packedA.tileStart[static_cast<size_t>(t) + 1] - r0;
            packARows(job, r0, h, packedA.kPadded, 4, packedA.data.data() + r0 * packedA.kPadded, packedA.rowTerm.data() + r0);
        }
    };
    auto block = [&](int64_t mb) { return std::pair{blockTile(mb), blockTile(mb + 1)}; };

    if (byRows) {
        info.threads = runTasks(static_cast<size_t>(mBlocks), threads, [&](size_t t, int) {
            const auto [t0, t1] = block(static_cast<int64_t>(t));
            packTiles(t0, t1);
            // Every block starts at panel 0: warm it for the next block while this one ends.
            const bool last = static_cast<int64_t>(t) + 1 == mBlocks;
            gemmAvx512Vnni(job, packedA, t0, t1, 0, panels, last ? -1 : 0);
        });
        return info;
    }
    if (params.M * params.K >= (1 << 20)) {
        runTasks(static_cast<size_t>(threads), threads, [&](size_t t, int) {
            packTiles(nTiles * static_cast<int64_t>(t) / threads, nTiles * (static_cast<int64_t>(t) + 1) / threads);
        });
    } else {
        packTiles(0, nTiles);
    }
    info.threads = runTasks(static_cast<size_t>(mBlocks * panelChunks), threads, [&](size_t t, int) {
        const auto [t0, t1] = block(static_cast<int64_t>(t) / panelChunks);
        const auto [p0, p1] = panelRange(static_cast<int64_t>(t) % panelChunks);
        if (p0 < p1) gemmAvx512Vnni(job, packedA, t0, t1, p0, p1);
    });
    return info;
}

Result<GemmRunInfo> gemm(const GemmParams& params, const void* a, const void* b, bool bSigned, int32_t bZero,
                         void* y, GemmKernel kernel) {
    if (params.K <= 0 || params.N <= 0) return validateGemm(params, bZero).error();
    auto packed = PackedB::make(b, params.K, params.N, bSigned, bZero, kernel);
    if (!packed) return packed.error();
    return gemm(params, a, **packed, y);
}

}  // namespace qv
