// Entry points of the per-instruction-set kernels (each in its own translation unit with its own flags).
#pragma once

#include <cstdint>

#include "core/gemm/gemm_output_stage.h"

namespace qv::gemm_detail {

// Computes and stores output rows [m0, m1) × panels [p0, p1) (panel = b->panelWidth() columns;
// the last panel may be partial) of `job`, packing A itself. Thread-safe for disjoint blocks.
void gemmAvx512Vnni(const GemmJob& job, int64_t m0, int64_t m1, int64_t p0, int64_t p1);
void gemmAvx2(const GemmJob& job, int64_t m0, int64_t m1, int64_t p0, int64_t p1);

// M = 1: y = a'·B' streamed panel by panel over panels [p0, p1). `aPacked` is the row as uint8
// padded with zeros to kPadded; rowTerm its −zb'·Σa' (wrapping).
void gemvAvx512Vnni(const GemmJob& job, const uint8_t* aPacked, int32_t rowTerm, int64_t p0, int64_t p1);

// The portable loop over PackedB's plain layout (Reference kernel through the packed API).
void gemmPortable(const GemmJob& job, int64_t m0, int64_t m1, int64_t n0, int64_t n1);

}  // namespace qv::gemm_detail
