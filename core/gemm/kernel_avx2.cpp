// AVX2 GEMM (CPUs without AVX-512): a 6×16 register tile of vpmaddwd on int16-widened operands — exact, never saturating.
//
// Built with -mavx2 -mfma for this file only (core/gemm/sources.cmake); only called after
// gemmKernelSupported(Avx2) checked the CPU at run time.
//
// Why not the usual vpmaddubsw (u8×s8 → pairs summed into a *saturating* int16, then vpmaddwd by 1, as
// oneDNN's AVX2 int8 kernels do)? With full-range uint8 A and int8 B a pair can reach 2·255·(−128) =
// −65280, far outside int16, so vpmaddubsw clamps and the result differs from the reference (PyTorch's
// `reduce_range` halves the activation range to 7 bits to dodge exactly this; docs/gemm.md; the bench
// counts oneDNN-AVX2's differing outputs). One int16 lane can hold at most one full u8·s8 product
// (255·128 = 32640 ≤ 32767), so no split of the operands gets more than 16 exact products out of one
// multiply instruction — which is exactly what vpmaddwd on sign-extended int16 gives: 8 lanes of
// a0·b0 + a1·b1 (|·| ≤ 2·255·128 = 65280, fits int32 easily), added to int32 accumulators that wrap
// mod 2^32 like the reference. Cost: one vpmaddwd + one vpaddd per 16 products; register-only on this
// Zen 4 that is 189 GOPS per core against 235 for oneDNN's saturating vpmaddubsw/vpmaddwd/vpaddd
// triple (0.80×; the bench's avx2_exact_peak and avx2_saturating_peak records).
//
// Layouts (k-step = 2 consecutive k):
//   B (pack_b.cpp): panels of 16 columns of int8, [K/2][16 columns][2 k] — 32 bytes per k-step, half
//     the memory of int16 weights. Tall row blocks sign-extend a cache block of one panel at a time
//     into an L1-sized int16 buffer (vpmovsxbw) that every row tile of the block then reuses; short
//     blocks (small M) and the M = 1 path extend B on the fly, two vpmovsxbw per k-step.
//   A (packed per call): row tiles of ≤ 6 rows, [K/2][rows][2 k] as uint16 (a' zero-extended): one
//     vpbroadcastd per row and k-step gives the (a_k, a_k+1) pair to every lane.
// The micro-kernel keeps 12 accumulators + 2 B vectors + 1 broadcast + 1 product in the 16 ymm
// registers; the k-step is written in inline asm because GCC 12 spills accumulators to the stack
// with intrinsics (measured 1.6× slower).
#include "core/gemm/kernel_avx2.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/gemm/gemm_kernels.h"
#include "core/gemm/gemm_thread_pool.h"

namespace qv::gemm_detail {

namespace {

constexpr int kMaxMr = 6;   // rows per register tile
constexpr int kNr = 16;     // columns per tile = B panel width (2 ymm of 8 int32)
constexpr int64_t kStepBytesB = 2 * kNr;  // int8 B bytes per k-step of one panel

// k-steps per cache block: the widened B slice (512·32 int16 = 32 KB) is L1-sized and read by all
// row tiles of a block (measured interleaved: 512 steps 0–5 % faster than 256, flat from 128 to 1024).
constexpr int64_t kKcSteps = 512;
// Packed A (int16, rows × kPadded × 2 bytes) per row block: the B panels stream past the block, so
// taller blocks mean fewer passes over B. Measured (interleaved) at 128–512×4096²: 256 KB 5–10 %
// slower than 1 MB, 2 MB no better (the block's A then streams from L3, which keeps up).
constexpr int64_t kABlockBytes = 1024 * 1024;
// k-steps (× 32 bytes) the M = 1 stream prefetches ahead: 8 KB in flight covers L3/DRAM latency at
// the ~50 GB/s one core reads here (256 measured best of 16…512 steps, interleaved).
constexpr int64_t kGemvAhead = 256;

inline __m256i broadcastPair(const uint16_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

// Output stage of 8 finished accumulators v (acc + rowTerm + colTerm already added) for columns
// j.. j + 7 of output element idx..: float and float-rounded 8-bit modes vectorized, exactly as
// storeOne computes them (vcvtdq2ps and vcvtps2dq round to nearest even under the default MXCSR, like
// the scalar conversions and nearbyint; no FMA contraction in this file); the fixed-point roundings
// scalar, the teaching arithmetic verbatim (requantize.h).
inline void storeVec8(const OutputStage& s, void* y, int64_t idx, int64_t j, __m256i v) {
    if (s.mode == GemmOutput::Int32) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<int32_t*>(y) + idx), v);
        return;
    }
    if (s.mode == GemmOutput::Float) {
        const __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_loadu_ps(s.deqScale.data() + j));
        _mm256_storeu_ps(static_cast<float*>(y) + idx, f);
        return;
    }
    if (s.rounding == RequantRounding::Float) {
        // FBGEMM: nearbyint(clamp(fl32(acc)·m, lo, hi)) + zy; lo, hi = qmin − zy, qmax − zy, so the
        // sum is already in range and its low byte is the int8 or uint8 code.
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_loadu_ps(s.mFloat.data() + j));
        f = _mm256_min_ps(_mm256_max_ps(f, _mm256_set1_ps(s.lo)), _mm256_set1_ps(s.hi));
        const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(f), _mm256_set1_epi32(s.yZero));
        const __m256i lowBytes = _mm256_shuffle_epi8(
            q, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1));
        const uint32_t lo = static_cast<uint32_t>(_mm256_extract_epi32(lowBytes, 0));
        const uint32_t hi = static_cast<uint32_t>(_mm256_extract_epi32(lowBytes, 4));
        const uint64_t bytes = lo | (uint64_t{hi} << 32);
        std::memcpy(static_cast<uint8_t*>(y) + idx, &bytes, 8);
        return;
    }
    alignas(32) int32_t tmp[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), v);
    for (int c = 0; c < 8; ++c) storeOne(s, y, idx + c, j + c, tmp[c]);
}

// Output stage of one finished tile: acc + rowTerm + colTerm, then the job's output mode.
template <int MR>
inline void storeTile(const GemmJob& job, int64_t row0, int64_t n0, int cols, const int32_t* rowTerm, const __m256i* c0,
                      const __m256i* c1) {
    if (cols == kNr) {
        const __m256i ct0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.colTerm + n0));
        const __m256i ct1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.colTerm + n0 + 8));
        for (int r = 0; r < MR; ++r) {
            const __m256i rt = _mm256_set1_epi32(rowTerm[r]);
            const int64_t idx = (row0 + r) * job.N + n0;
            storeVec8(*job.out, job.y, idx, n0, _mm256_add_epi32(c0[r], _mm256_add_epi32(rt, ct0)));
            storeVec8(*job.out, job.y, idx + 8, n0 + 8, _mm256_add_epi32(c1[r], _mm256_add_epi32(rt, ct1)));
        }
        return;
    }
    // The last, partial panel: element by element.
    alignas(32) int32_t tmp[kNr];
    for (int r = 0; r < MR; ++r) {
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), c0[r]);
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp + 8), c1[r]);
        const int64_t i = row0 + r;
        for (int c = 0; c < cols; ++c) {
            const uint32_t v = static_cast<uint32_t>(tmp[c]) + static_cast<uint32_t>(rowTerm[r]) +
                               static_cast<uint32_t>(job.colTerm[n0 + c]);
            storeOne(*job.out, job.y, i * job.N + n0 + c, n0 + c, static_cast<int32_t>(v));
        }
    }
}

// Where one tile's k-block starts and ends: the first block starts from zero, the others from the
// partial sums the previous block left in `part` (MR × 16 int32); the last one runs the output stage.
struct TileSpan {
    bool first, last;
    int32_t* part;
};

// Lines (64 bytes) of the int8 B slice the block will widen next that one tile prefetches while it
// computes: the next slice is split evenly over the tiles of the block and each tile spreads its
// share evenly over its k-steps, so B arrives from DRAM at a steady rate instead of the widening
// stalling on a cold slice (measured: M = 16 spent a third of its time there).
struct Prefetch {
    const char* next = nullptr;
    int64_t lines = 0;
};

// One register tile (MR rows × 16 columns) over `steps` k-steps: A from the packed tile (MR pairs
// per step), B from the widened slice (32 int16 per step).
// kInt8B: B read straight from the int8 panel and sign-extended in the loop (two vpmovsxbw per step)
// instead of from the widened slice — cheaper when the block has too few tiles to amortize widening.
template <int MR, bool kInt8B>
void tile(const GemmJob& job, const uint16_t* a, const void* bv, int64_t steps, TileSpan span, Prefetch pf, int64_t row0,
          int64_t n0, int cols, const int32_t* rowTerm) {
    constexpr int64_t kStepBytes = kInt8B ? kStepBytesB : 2 * kStepBytesB;  // B bytes per k-step
    const char* b = static_cast<const char*>(bv);
    __m256i c0[MR], c1[MR];
    if (span.first) {
        for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm256_setzero_si256();
    } else {
        for (int r = 0; r < MR; ++r) {
            c0[r] = _mm256_load_si256(reinterpret_cast<const __m256i*>(span.part + 16 * r));
            c1[r] = _mm256_load_si256(reinterpret_cast<const __m256i*>(span.part + 16 * r + 8));
        }
    }
    // Named locals, not the arrays, and one asm statement per row: with intrinsics, or with array
    // elements as asm operands, GCC 12 keeps the accumulators on the stack (a store per k-step each).
    // Per row and k-step: broadcast the (a_k, a_k+1) pair, two vpmaddwd into scratch registers, two
    // vpaddd into the accumulators. ymm14/15 are the scratch; the compiler places the rest.
    __m256i x0 = c0[0], y0 = c1[0], x1 = x0, y1 = x0, x2 = x0, y2 = x0, x3 = x0, y3 = x0, x4 = x0, y4 = x0, x5 = x0, y5 = x0;
    if constexpr (MR > 1) x1 = c0[1], y1 = c1[1];
    if constexpr (MR > 2) x2 = c0[2], y2 = c1[2];
    if constexpr (MR > 3) x3 = c0[3], y3 = c1[3];
    if constexpr (MR > 4) x4 = c0[4], y4 = c1[4];
    if constexpr (MR > 5) x5 = c0[5], y5 = c1[5];
#define QV_AVX2_ROW(R)                                                                                         \
    if constexpr (MR > R)                                                                                      \
        __asm__("vpbroadcastd %[ar], %%ymm14\n\t"                                                               \
                "vpmaddwd %[b0], %%ymm14, %%ymm15\n\t"                                                          \
                "vpaddd %%ymm15, %[x], %[x]\n\t"                                                                \
                "vpmaddwd %[b1], %%ymm14, %%ymm14\n\t"                                                          \
                "vpaddd %%ymm14, %[y], %[y]"                                                                    \
                : [x] "+x"(x##R), [y] "+x"(y##R)                                                                \
                : [ar] "m"(*reinterpret_cast<const int32_t*>(ak + 2 * (R))), [b0] "x"(b0), [b1] "x"(b1)         \
                : "xmm14", "xmm15");
    // Two k-steps per iteration: the loop's scalar work (counters, prefetch pacing) competes with the
    // 32 vector and load operations of a step for the 6-wide dispatch.
    auto step = [&](const uint16_t* ak, const char* bk) __attribute__((always_inline)) {
        __m256i b0, b1;
        if constexpr (kInt8B) {
            b0 = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(bk)));
            b1 = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(bk + 16)));
        } else {
            b0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bk));
            b1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bk + 32));
        }
        QV_AVX2_ROW(0) QV_AVX2_ROW(1) QV_AVX2_ROW(2) QV_AVX2_ROW(3) QV_AVX2_ROW(4) QV_AVX2_ROW(5)
    };
    int64_t frac = 0, k = 0;
    for (; k + 2 <= steps; k += 2) {
        frac += 2 * pf.lines;
        while (frac >= steps) {
            _mm_prefetch(pf.next, _MM_HINT_T0);
            pf.next += 64;
            frac -= steps;
        }
        step(a, b);
        step(a + 2 * MR, b + kStepBytes);
        a += 4 * MR;
        b += 2 * kStepBytes;
    }
    if (k < steps) step(a, b);
#undef QV_AVX2_ROW
    c0[0] = x0, c1[0] = y0;
    if constexpr (MR > 1) c0[1] = x1, c1[1] = y1;
    if constexpr (MR > 2) c0[2] = x2, c1[2] = y2;
    if constexpr (MR > 3) c0[3] = x3, c1[3] = y3;
    if constexpr (MR > 4) c0[4] = x4, c1[4] = y4;
    if constexpr (MR > 5) c0[5] = x5, c1[5] = y5;
    if (span.last) {
        storeTile<MR>(job, row0, n0, cols, rowTerm, c0, c1);
    } else {
        for (int r = 0; r < MR; ++r) {
            _mm256_store_si256(reinterpret_cast<__m256i*>(span.part + 16 * r), c0[r]);
            _mm256_store_si256(reinterpret_cast<__m256i*>(span.part + 16 * r + 8), c1[r]);
        }
    }
}

using TileFn = void (*)(const GemmJob&, const uint16_t*, const void*, int64_t, TileSpan, Prefetch, int64_t, int64_t, int,
                        const int32_t*);
constexpr TileFn kTiles[2][kMaxMr + 1] = {
    {nullptr, tile<1, false>, tile<2, false>, tile<3, false>, tile<4, false>, tile<5, false>, tile<6, false>},
    {nullptr, tile<1, true>, tile<2, true>, tile<3, true>, tile<4, true>, tile<5, true>, tile<6, true>}};
// Row blocks of at most this many tiles read int8 B directly instead of widening it first. Measured
// interleaved on 1 thread at N = K = 4096: widening cost M = 2 two thirds of its speed (40 → 115 GOPS
// direct), M = 6 104 → 156, M = 16 138 → 155 (2 threads 269 → 308), equal at 8–11 tiles; only blocks
// of dozens of tiles (1024³, 2048³) gain from it (2–4 %).
constexpr int64_t kDirectMaxTiles = 8;

// Sign-extends `steps` k-steps of one int8 B panel into int16 (same order).
void widenB(const int8_t* src, int16_t* dst, int64_t steps) {
    for (int64_t i = 0; i < 2 * steps; ++i) {
        const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(src + 16 * i));
        _mm256_store_si256(reinterpret_cast<__m256i*>(dst + 16 * i), _mm256_cvtepi8_epi16(v));
    }
}

// Packs rows [r0, r0 + h) of A as one tile: dst[k/2][h][2] = a' (uint8 → uint16; int8 A XOR 0x80),
// zero from K up to kPad.
void packTile(const GemmJob& job, int64_t r0, int64_t h, int64_t kPad, uint16_t* dst) {
    const int64_t K = job.K;
    const __m128i flip = _mm_set1_epi8(job.aSigned ? static_cast<char>(0x80) : 0);
    const uint8_t flipByte = job.aSigned ? 0x80 : 0x00;
    for (int64_t r = 0; r < h; ++r) {
        const uint8_t* src = job.a + (r0 + r) * K;
        uint16_t* out = dst + 2 * r;
        int64_t k = 0;
        alignas(32) uint32_t pairs[8];
        for (; k + 16 <= K; k += 16) {
            const __m128i v = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k)), flip);
            _mm256_store_si256(reinterpret_cast<__m256i*>(pairs), _mm256_cvtepu8_epi16(v));
            for (int j = 0; j < 8; ++j) std::memcpy(out + (k / 2 + j) * 2 * h, &pairs[j], 4);
        }
        for (; k < kPad; ++k) out[(k / 2) * 2 * h + (k % 2)] = k < K ? static_cast<uint16_t>(src[k] ^ flipByte) : 0;
    }
}

// M = 1: y = a'·B' streamed panel by panel over panels [p0, p1), B sign-extended on the fly.
void gemvStream(const GemmJob& job, const uint16_t* a, const int32_t* rowTerm, int64_t p0, int64_t p1) {
    const PackedB& pb = *job.b;
    const int64_t kPad = pb.kPadded(), steps = kPad / 2;
    for (int64_t p = p0; p < p1; ++p) {
        const int8_t* b = pb.data() + p * kPad * kNr;
        // Two accumulator sets hide the vpmaddwd → vpaddd latency; the loop is bound by B's stream.
        __m256i c[2][2] = {{_mm256_setzero_si256(), _mm256_setzero_si256()}, {_mm256_setzero_si256(), _mm256_setzero_si256()}};
        int64_t k = 0;
        for (; k + 2 <= steps; k += 2) {
            _mm_prefetch(reinterpret_cast<const char*>(b + (k + kGemvAhead) * kStepBytesB), _MM_HINT_T0);
#pragma GCC unroll 2
            for (int u = 0; u < 2; ++u) {
                const __m256i av = broadcastPair(a + 2 * (k + u));
                const int8_t* bk = b + (k + u) * kStepBytesB;
                const __m256i b0 = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(bk)));
                const __m256i b1 = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(bk + 16)));
                c[u][0] = _mm256_add_epi32(c[u][0], _mm256_madd_epi16(av, b0));
                c[u][1] = _mm256_add_epi32(c[u][1], _mm256_madd_epi16(av, b1));
            }
        }
        for (; k < steps; ++k) {
            const __m256i av = broadcastPair(a + 2 * k);
            const int8_t* bk = b + k * kStepBytesB;
            c[0][0] = _mm256_add_epi32(c[0][0], _mm256_madd_epi16(av, _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(bk)))));
            c[0][1] = _mm256_add_epi32(c[0][1], _mm256_madd_epi16(av, _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(bk + 16)))));
        }
        const __m256i c0 = _mm256_add_epi32(c[0][0], c[1][0]), c1 = _mm256_add_epi32(c[0][1], c[1][1]);
        const int64_t n0 = p * kNr;
        storeTile<1>(job, 0, n0, static_cast<int>(std::min<int64_t>(kNr, job.N - n0)), rowTerm, &c0, &c1);
    }
}

// Per-worker scratch, kept across calls (the pool's threads persist): the widened B slice and the
// partial sums of one row block.
struct alignas(32) Vec32 {
    int32_t lanes[8];
};
struct Scratch {
    std::vector<Vec32> bWide, part;
};
Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

}  // namespace

int gemmAvx2Run(const GemmJob& job, int threads, bool* gemv) {
    const PackedB& pb = *job.b;
    const int64_t M = job.M, kPad = pb.kPadded(), steps = kPad / 2, panels = pb.panels();
    GemmThreadPool& pool = GemmThreadPool::instance();
    // A packed once per call, in a buffer of the calling thread reused across calls (no allocation,
    // page faults or zeroing per GEMM: packTile writes every element, padding included).
    thread_local std::vector<uint16_t> aBuffer;
    thread_local std::vector<int32_t> rowTermBuffer;
    if (aBuffer.size() < static_cast<size_t>(M * kPad)) aBuffer.resize(static_cast<size_t>(M * kPad));
    if (rowTermBuffer.size() < static_cast<size_t>(M)) rowTermBuffer.resize(static_cast<size_t>(M));
    uint16_t* aPacked = aBuffer.data();
    int32_t* rowTerm = rowTermBuffer.data();

    if (M == 1) {
        *gemv = true;
        packTile(job, 0, 1, kPad, aPacked);
        rowTermsOnly(job, 0, 1, rowTerm);
        // One contiguous range of panels per thread, so each streams its own part of B.
        const int64_t parts = std::min<int64_t>(threads, panels);
        return pool.run(static_cast<size_t>(parts), threads, [&](size_t t, int) {
            const auto i = static_cast<int64_t>(t);
            gemvStream(job, aPacked, rowTerm, panels * i / parts, panels * (i + 1) / parts);
        });
    }
    *gemv = false;

    // Register tiles of ≤ 6 rows balanced over all of M (16 rows → 6 + 5 + 5: never a 1-row tail);
    // tile t covers rows [tileRow(t), tileRow(t + 1)) and sits at aPacked + tileRow(t)·kPad.
    const int64_t nTiles = (M + kMaxMr - 1) / kMaxMr;
    auto tileRow = [&](int64_t t) { return t * (M / nTiles) + std::min(t, M % nTiles); };
    auto packTiles = [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t r0 = tileRow(t), h = tileRow(t + 1) - r0;
            packTile(job, r0, h, kPad, aPacked + r0 * kPad);
        }
        rowTermsOnly(job, tileRow(t0), tileRow(t1) - tileRow(t0), rowTerm + tileRow(t0));
    };
    if (threads > 1 && M * job.K >= (1 << 20)) {
        pool.run(static_cast<size_t>(threads), threads, [&](size_t t, int) {
            const auto i = static_cast<int64_t>(t);
            packTiles(nTiles * i / threads, nTiles * (i + 1) / threads);
        });
    } else {
        packTiles(0, nTiles);
    }

    // Row blocks of whole tiles whose packed A stays in L2 while B panels pass; work shared between
    // threads by row blocks (M large) or by ranges of panels (small M), as in the VNNI path.
    const int64_t blockTiles =
        std::clamp<int64_t>(kABlockBytes / (2 * kPad) / kMaxMr, 1, 64);
    int64_t mBlocks = (nTiles + blockTiles - 1) / blockTiles;
    const bool byRows = threads == 1 || mBlocks >= 2 * threads;
    if (byRows && threads > 1) mBlocks = std::min(nTiles, (mBlocks + threads - 1) / threads * threads);
    const int64_t panelChunks = byRows ? 1 : std::min<int64_t>(panels, 2 * threads);
    const int64_t kc = std::min(kKcSteps, steps);

    return pool.run(static_cast<size_t>(mBlocks * panelChunks), threads, [&](size_t task, int) {
        const auto t = static_cast<int64_t>(task);
        const int64_t mb = t / panelChunks, pc = t % panelChunks;
        const int64_t t0 = nTiles * mb / mBlocks, t1 = nTiles * (mb + 1) / mBlocks;
        const int64_t p0 = panels * pc / panelChunks, p1 = panels * (pc + 1) / panelChunks;
        Scratch& s = scratch();
        if (s.bWide.size() < static_cast<size_t>(kc * 2)) s.bWide.resize(static_cast<size_t>(kc * 2));
        if (s.part.size() < static_cast<size_t>((t1 - t0) * kMaxMr * 2)) s.part.resize(static_cast<size_t>((t1 - t0) * kMaxMr * 2));
        auto* bWide = reinterpret_cast<int16_t*>(s.bWide.data());
        auto* part = reinterpret_cast<int32_t*>(s.part.data());
        const bool direct = t1 - t0 <= kDirectMaxTiles;
        for (int64_t p = p0; p < p1; ++p) {
            const int8_t* panel = pb.data() + p * kPad * kNr;
            const int64_t n0 = p * kNr;
            const int cols = static_cast<int>(std::min<int64_t>(kNr, job.N - n0));
            for (int64_t k0 = 0; k0 < steps; k0 += kc) {
                const int64_t n = std::min(kc, steps - k0);
                if (!direct) widenB(panel + k0 * kStepBytesB, bWide, n);
                // The slice widened next: the rest of this panel, then the next panel of the range.
                const char* next = nullptr;
                int64_t nextLines = 0;
                if (k0 + n < steps) {
                    next = reinterpret_cast<const char*>(panel + (k0 + n) * kStepBytesB);
                    nextLines = std::min(kc, steps - k0 - n) * kStepBytesB / 64;
                } else if (p + 1 < p1) {
                    next = reinterpret_cast<const char*>(panel + kPad * kNr);
                    nextLines = std::min(kc, steps) * kStepBytesB / 64;
                }
                for (int64_t tt = t0; tt < t1; ++tt) {
                    const int64_t r0 = tileRow(tt), h = tileRow(tt + 1) - r0;
                    const TileSpan span{k0 == 0, k0 + n == steps, part + (tt - t0) * kMaxMr * kNr};
                    Prefetch pf;
                    if (next) {
                        const int64_t l0 = nextLines * (tt - t0) / (t1 - t0), l1 = nextLines * (tt - t0 + 1) / (t1 - t0);
                        pf = {next + 64 * l0, l1 - l0};
                    }
                    kTiles[direct][h](job, aPacked + r0 * kPad + k0 * 2 * h,
                                      direct ? static_cast<const void*>(panel + k0 * kStepBytesB) : bWide, n, span, pf, r0,
                                      n0, cols, rowTerm + r0);
                }
            }
        }
    });
}

}  // namespace qv::gemm_detail
