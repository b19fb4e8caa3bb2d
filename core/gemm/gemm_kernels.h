// Entry points of the per-instruction-set kernels (each in its own translation unit with its own flags).
#pragma once

#include <cstdint>
#include <vector>

#include "core/gemm/gemm_output_stage.h"

namespace qv::gemm_detail {

// A for the VNNI kernel, in row tiles of at most kVnniTileRows rows: tile t holds rows
// [tileStart[t], tileStart[t+1]). Either packed once per call as [K/4][rows][4] bytes at
// data + tileStart[t]·kPadded, or — uint8 A with K a multiple of 4, which needs no conversion and
// no padding — read in place from the caller's row-major A (`direct`, rows `K` bytes apart): the
// kernel's 4-byte broadcasts then come from six row streams instead of one, and the packing pass
// (≈ 5 % of a 1024³ GEMM) disappears.
constexpr int kVnniTileRows = 6;
constexpr int kVnniPanel = 64;  // columns per packed B panel (4 zmm of 16 int32)
struct PackedATiles {
    std::vector<int64_t> tileStart;
    std::vector<uint8_t> data;
    std::vector<int32_t> rowTerm;  // −zb'·Σa' per row
    int64_t kPadded = 0;
    const uint8_t* direct = nullptr;  // set: A read in place (row stride kPadded = K), `data` unused
};

// Computes and stores output tiles [t0, t1) × panels [p0, p1) (panel = b->panelWidth() columns; the
// last panel may be partial) of `job`. Thread-safe for disjoint blocks. While the last panel is
// computed, panel `thenPanel` (≥ 0: the first one the caller's next block will read) is prefetched.
void gemmAvx512Vnni(const GemmJob& job, const PackedATiles& a, int64_t t0, int64_t t1, int64_t p0, int64_t p1,
                    int64_t thenPanel = -1);
// The AVX2 path (packing, blocking and threads of its own): core/gemm/kernel_avx2.h.

// M = 1: y = a'·B' streamed panel by panel over panels [p0, p1). `aPacked` is the row as uint8
// padded with zeros to kPadded; rowTerm its −zb'·Σa' (wrapping).
void gemvAvx512Vnni(const GemmJob& job, const uint8_t* aPacked, int32_t rowTerm, int64_t p0, int64_t p1);

// The portable loop over PackedB's plain layout (Reference kernel through the packed API).
void gemmPortable(const GemmJob& job, int64_t m0, int64_t m1, int64_t n0, int64_t n1);

}  // namespace qv::gemm_detail
