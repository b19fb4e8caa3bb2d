// The lookup tables of ggml's IQ grid types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M).
//
// These types are vector quantizers: a block stores, per group of 8 (or 4) weights, an index into a fixed
// codebook of points ("grid"), a sign mask and a small scale. The codebooks are facts of the format, taken
// as data from llama.cpp ggml/src/ggml-common.h (commit and checks: see ggml_iq_grids.cpp). An entry packs
// its group's levels one per byte, element j of the group in byte j (bits 8j..8j+7), as ggml reads it
// through a uint8_t pointer on a little-endian host.
#pragma once

#include <cstdint>

namespace qv {

// Signs of IQ2_XXS, IQ2_XS and IQ3_XXS: 7 stored bits index kSignsIq2xs, whose bit j (kMaskIq2xs[j]) negates
// element j; bit 7 is the parity of the low 7, so every group has an even number of minus signs.
extern const uint8_t kMaskIq2xs[8];     // ggml kmask_iq2xs: 1 << j
extern const uint8_t kSignsIq2xs[128];  // ggml ksigns_iq2xs

// 8-element grids of the 2-bit types; every byte is one of the levels 0x08, 0x19, 0x2b (8, 25, 43).
extern const uint64_t kIq2xxsGrid[256];  // ggml iq2xxs_grid
extern const uint64_t kIq2xsGrid[512];   // ggml iq2xs_grid
extern const uint64_t kIq2sGrid[1024];   // ggml iq2s_grid

// 4-element grids of the 3-bit types.
extern const uint32_t kIq3xxsGrid[256];  // ggml iq3xxs_grid: levels 4, 12, 20, 28, 36, 44, 52, 62
extern const uint32_t kIq3sGrid[512];    // ggml iq3s_grid: levels 1, 3, 5, …, 15

// 8-element ternary grid of IQ1_S and IQ1_M: each byte, as int8, is −1, 0 or +1.
extern const uint64_t kIq1sGrid[2048];  // ggml iq1s_grid (NGRID_IQ1S)

// The shift IQ1_S and IQ1_M add to every grid level before scaling, ± by a per-sub-block sign bit.
// ggml-common.h: IQ1S_DELTA = IQ1M_DELTA = 0.125f (dequantize_row_iq1_m uses IQ1S_DELTA; they are equal).
inline constexpr float kIq1sDelta = 0.125f;

}  // namespace qv
