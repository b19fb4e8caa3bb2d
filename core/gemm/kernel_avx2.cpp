// AVX2 kernel (CPUs without VNNI): a 6×16 register tile of vpmaddwd on int16-widened operands — exact, never saturating.
//
// Built with -mavx2 -mfma for this file only. Why not the usual vpmaddubsw (u8×s8 → pairs summed into a
// *saturating* int16, then vpmaddwd by 1)? With full-range uint8 A and int8 B a pair can reach
// 2·255·(−128) = −65280, far outside int16, so vpmaddubsw clamps and the result differs from the
// reference (PyTorch's `reduce_range` halves the activation range to 7 bits to dodge exactly this;
// docs/gemm.md). vpmaddwd multiplies int16 pairs into an int32 lane: 2·255·128 fits easily, so widening
// both operands to int16 is exact for every input at the cost of twice the operand bandwidth.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/gemm/gemm_kernels.h"

namespace qv::gemm_detail {

namespace {

constexpr int kMaxMr = 6;   // 6×2 accumulators + 2 B + 1 broadcast ≤ 16 ymm
constexpr int kNr = 16;     // B panel width (2 ymm of 8 int32)

template <int MR>
void tile(const GemmJob& job, const uint16_t* a, const int16_t* b, int64_t kSteps, int64_t i0, int64_t n0, int cols,
          const int32_t* rowTerm) {
    __m256i c0[MR], c1[MR];
    for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm256_setzero_si256();
    for (int64_t k = 0; k < kSteps; ++k) {
        const __m256i b0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(b));
        const __m256i b1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(b + 16));
#pragma GCC unroll 6
        for (int r = 0; r < MR; ++r) {
            int32_t pair;
            std::memcpy(&pair, a + r * 2, 4);
            const __m256i av = _mm256_set1_epi32(pair);
            c0[r] = _mm256_add_epi32(c0[r], _mm256_madd_epi16(av, b0));
            c1[r] = _mm256_add_epi32(c1[r], _mm256_madd_epi16(av, b1));
        }
        a += MR * 2;
        b += 32;
    }
    alignas(32) int32_t tmp[16];
    for (int r = 0; r < MR; ++r) {
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), c0[r]);
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp + 8), c1[r]);
        const int64_t i = i0 + r;
        for (int c = 0; c < cols; ++c) {
            const uint32_t v = static_cast<uint32_t>(tmp[c]) + static_cast<uint32_t>(rowTerm[r]) +
                               static_cast<uint32_t>(job.colTerm[n0 + c]);
            storeOne(*job.out, job.y, i * job.N + n0 + c, n0 + c, static_cast<int32_t>(v));
        }
    }
}

using TileFn = void (*)(const GemmJob&, const uint16_t*, const int16_t*, int64_t, int64_t, int64_t, int, const int32_t*);
constexpr TileFn kTiles[kMaxMr + 1] = {nullptr, tile<1>, tile<2>, tile<3>, tile<4>, tile<5>, tile<6>};

}  // namespace

void gemmAvx2(const GemmJob& job, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
    const PackedB& pb = *job.b;
    const int64_t kPad = pb.kPadded(), kSteps = kPad / 2, rows = m1 - m0;
    const int64_t tiles = (rows + kMaxMr - 1) / kMaxMr;
    std::vector<int64_t> tileStart(static_cast<size_t>(tiles) + 1, 0);
    for (int64_t t = 0; t < tiles; ++t)
        tileStart[static_cast<size_t>(t) + 1] = tileStart[static_cast<size_t>(t)] + rows / tiles + (t < rows % tiles ? 1 : 0);
    std::vector<uint8_t> bytes(static_cast<size_t>(rows * kPad));
    std::vector<uint16_t> wide(static_cast<size_t>(rows * kPad));
    std::vector<int32_t> rowTerm(static_cast<size_t>(rows));
    for (int64_t t = 0; t < tiles; ++t) {
        const int64_t r0 = tileStart[static_cast<size_t>(t)], h = tileStart[static_cast<size_t>(t) + 1] - r0;
        packARows(job, m0 + r0, h, kPad, 2, bytes.data() + r0 * kPad, rowTerm.data() + r0);
    }
    for (size_t e = 0; e < bytes.size(); ++e) wide[e] = bytes[e];  // zero-extend uint8 → int16
    const auto* b16 = reinterpret_cast<const int16_t*>(pb.data());
    for (int64_t p = p0; p < p1; ++p) {
        const int16_t* b = b16 + p * kPad * kNr;
        const int64_t n0 = p * kNr;
        const int cols = static_cast<int>(std::min<int64_t>(kNr, job.N - n0));
        for (int64_t t = 0; t < tiles; ++t) {
            const int64_t r0 = tileStart[static_cast<size_t>(t)], h = tileStart[static_cast<size_t>(t) + 1] - r0;
            kTiles[h](job, wide.data() + r0 * kPad, b, kSteps, m0 + r0, n0, cols, rowTerm.data() + r0);
        }
    }
}

}  // namespace qv::gemm_detail
