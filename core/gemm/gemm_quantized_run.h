// Quantize-and-run: float A and B + quantization parameters → int8 GEMM (dequantized) beside the fp32 GEMM, with the comparison.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/base/result.h"
#include "core/gemm/gemm.h"
#include "core/gemm/gemm_fp32.h"
#include "core/quant/quant_params.h"

namespace qv {

struct QuantizedGemmRun {
    int64_t M = 0, N = 0, K = 0;
    // The integer operands as the GEMM saw them (for traceGemmElement): A M×K, B K×N, one byte each.
    std::vector<uint8_t> aCodes, bCodes;
    bool aSigned = false, bSigned = true;
    int32_t bZero = 0;
    GemmParams params;             // scales, zero point of A, Float output (bias empty)
    std::vector<float> yInt8;      // dequantized int8 result, M×N
    std::vector<float> yFp32;      // Eigen fp32 result on the original floats, M×N
    GemmComparison comparison;     // yInt8 against yFp32
    GemmRunInfo info;              // the kernel that ran
    double secondsQuantize = 0, secondsInt8 = 0, secondsFp32 = 0;
};

// A (M×K) with per-tensor params (any 2..8-bit scheme), B (K×N) per tensor or per output channel
// (PerChannel with axis 1: one scale per column of B). Codes of a symmetric scheme are int8, of an
// asymmetric one uint8. A per-channel B must be symmetric (one zero point for all of B).
// NaN inputs quantize to the zero point (core/quant) and are skipped by the comparison.
Result<QuantizedGemmRun> quantizeAndRunGemm(std::span<const float> a, std::span<const float> b, int64_t M,
                                            int64_t N, int64_t K, const QuantParams& aParams,
                                            const QuantParams& bParams, int threads = 1,
                                            GemmKernel kernel = GemmKernel::Auto);

}  // namespace qv
