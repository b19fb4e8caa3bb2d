// The AVX2 GEMM path as one call: packing, blocking, the thread split and the M = 1 stream (kernel_avx2.cpp).
#pragma once

#include <cstdint>

#include "core/gemm/gemm_output_stage.h"

namespace qv::gemm_detail {

// Computes all of `job` (its B packed for GemmKernel::Avx2) on up to `threads` workers of the GEMM
// pool. Returns the number of workers used; *gemv tells whether the M = 1 streaming path ran.
int gemmAvx2Run(const GemmJob& job, int threads, bool* gemv);

}  // namespace qv::gemm_detail
