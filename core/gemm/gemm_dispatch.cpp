// GEMM entry point: validates, picks the kernel from the CPU's features, prepares the zero-point terms, splits work over threads.
#include <algorithm>
#include <string>
#include <vector>

#include "core/base/parallel.h"
#include "core/gemm/gemm.h"
#include "core/gemm/gemm_kernels.h"
#include "core/gemm/gemm_output_stage.h"

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
    if (gemmKernelSupported(GemmKernel::Avx512Vnni)) return GemmKernel::Avx512Vnni;
    if (gemmKernelSupported(GemmKernel::Avx2)) return GemmKernel::Avx2;
    return GemmKernel::Reference;
}

std::string GemmRunInfo::describe() const {
    return std::string(gemmKernelName(kernel)) + (gemv ? " gemv, " : " gemm, ") + std::to_string(threads) +
           (threads == 1 ? " thread" : " threads");
}

namespace {

// Rows of A per block: the A block (rows × K bytes) should sit in L2 (half of this CPU's 1 MB) beside
// the B micro-panel the kernel streams; fewer, taller blocks also mean fewer passes over B.
int64_t rowsPerBlock(int64_t kPadded) {
    int64_t rows = (512 * 1024) / std::max<int64_t>(kPadded, 1);
    rows = rows / gemm_detail::kVnniTileRows * gemm_detail::kVnniTileRows;
    return std::clamp<int64_t>(rows, gemm_detail::kVnniTileRows, 384);
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
        info.threads = parallelFor(static_cast<size_t>(params.M), 1, threads, [&](size_t m0, size_t m1, int) {
            gemmPortable(job, static_cast<int64_t>(m0), static_cast<int64_t>(m1), 0, params.N);
        });
        return info;
    }

    const int64_t panels = b.panels();
    if (params.M == 1 && b.kernel() == GemmKernel::Avx512Vnni) {
        // Matrix-vector: one contiguous range of panels per thread, so each streams its part of B.
        std::vector<uint8_t> row(static_cast<size_t>(b.kPadded()));
        int32_t rowTerm = 0;
        packARows(job, 0, 1, b.kPadded(), 4, row.data(), &rowTerm);
        const auto chunk = static_cast<size_t>((panels + threads - 1) / threads);
        info.gemv = true;
        info.threads = parallelFor(static_cast<size_t>(panels), chunk, threads, [&](size_t p0, size_t p1, int) {
            gemvAvx512Vnni(job, row.data(), rowTerm, static_cast<int64_t>(p0), static_cast<int64_t>(p1));
        });
        return info;
    }

    // Blocks of rows (an A block sits in L2 while B panels stream past it) × chunks of panels: enough
    // tasks for the dynamic scheduler to balance two cores when one of them is busy elsewhere.
    const int64_t blockRows = rowsPerBlock(b.kPadded());
    const int64_t mBlocks = (params.M + blockRows - 1) / blockRows;
    // Rows per block rounded up to whole register tiles where that does not add a block.
    int64_t rowsEach = (params.M + mBlocks - 1) / mBlocks;
    if (const int64_t t = kVnniTileRows, up = (rowsEach + t - 1) / t * t; (params.M + up - 1) / up == mBlocks) rowsEach = up;
    int64_t panelChunks = 1;
    if (threads > 1 && mBlocks < 4 * threads) {
        panelChunks = std::min<int64_t>(panels, (4 * threads + mBlocks - 1) / mBlocks);
    }
    const int64_t tasks = mBlocks * panelChunks;
    auto panelRange = [&](int64_t pc) { return std::pair{panels * pc / panelChunks, panels * (pc + 1) / panelChunks}; };

    if (b.kernel() == GemmKernel::Avx2) {
        info.threads = parallelFor(static_cast<size_t>(tasks), 1, threads, [&](size_t t0, size_t t1, int) {
            for (size_t t = t0; t < t1; ++t) {
                const int64_t mb = static_cast<int64_t>(t) / panelChunks;
                const int64_t m0 = mb * rowsEach, m1 = std::min(params.M, m0 + rowsEach);
                const auto [p0, p1] = panelRange(static_cast<int64_t>(t) % panelChunks);
                if (m0 < m1 && p0 < p1) gemmAvx2(job, m0, m1, p0, p1);
            }
        });
        return info;
    }

    // VNNI: pack all of A once (row tiles of ≤ 12 rows, balanced inside each block: 16 rows → 8 + 8).
    // The packed A lives in a per-thread buffer reused across calls: no allocation, page faults or
    // zeroing per GEMM (packARows writes every byte, padding included).
    // (A reference, not the thread_local itself, is what the worker lambdas below must see.)
    thread_local PackedATiles packedABuffer;
    PackedATiles& packedA = packedABuffer;
    packedA.tileStart.clear();
    packedA.kPadded = b.kPadded();
    std::vector<int64_t> blockFirstTile{0};
    packedA.tileStart.push_back(0);
    for (int64_t mb = 0; mb < mBlocks; ++mb) {
        const int64_t rows = std::min(params.M, (mb + 1) * rowsEach) - mb * rowsEach;
        const int64_t tiles = (rows + kVnniTileRows - 1) / kVnniTileRows;
        for (int64_t t = 0; t < tiles; ++t) packedA.tileStart.push_back(packedA.tileStart.back() + rows / tiles + (t < rows % tiles ? 1 : 0));
        blockFirstTile.push_back(static_cast<int64_t>(packedA.tileStart.size()) - 1);
    }
    if (packedA.data.size() < static_cast<size_t>(params.M * packedA.kPadded))
        packedA.data.resize(static_cast<size_t>(params.M * packedA.kPadded));
    if (packedA.rowTerm.size() < static_cast<size_t>(params.M)) packedA.rowTerm.resize(static_cast<size_t>(params.M));
    const auto nTiles = packedA.tileStart.size() - 1;
    auto packTiles = [&](size_t t0, size_t t1, int) {
        for (size_t t = t0; t < t1; ++t) {
            const int64_t r0 = packedA.tileStart[t], h = packedA.tileStart[t + 1] - r0;
            packARows(job, r0, h, packedA.kPadded, 4, packedA.data.data() + r0 * packedA.kPadded, packedA.rowTerm.data() + r0);
        }
    };
    if (params.M * params.K >= (1 << 20)) parallelFor(nTiles, 4, threads, packTiles);
    else packTiles(0, nTiles, 0);

    info.threads = parallelFor(static_cast<size_t>(tasks), 1, threads, [&](size_t t0, size_t t1, int) {
        for (size_t t = t0; t < t1; ++t) {
            const int64_t mb = static_cast<int64_t>(t) / panelChunks;
            const auto [p0, p1] = panelRange(static_cast<int64_t>(t) % panelChunks);
            if (p0 < p1) gemmAvx512Vnni(job, packedA, blockFirstTile[static_cast<size_t>(mb)], blockFirstTile[static_cast<size_t>(mb) + 1], p0, p1);
        }
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
