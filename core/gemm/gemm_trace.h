// Trace of one output element through the integer pipeline: every intermediate value, for the GUI's step-by-step view.
#pragma once

#include <cstdint>

#include "core/base/result.h"
#include "core/gemm/gemm.h"
#include "core/gemm/requantize.h"

namespace qv {

// The result of one requantization path for the traced element.
struct RequantStep {
    int64_t beforeZeroPoint = 0;  // the rounded value acc·M (before + zy and clamping)
    int32_t afterFirstRounding = 0;  // FixedDouble: after SaturatingRoundingDoublingHighMul; else = beforeZeroPoint
    int32_t code = 0;             // clamp(beforeZeroPoint + zy, qmin, qmax): the 8-bit result
    bool saturated = false;       // the clamp changed the value
    float dequantized = 0;        // s_y·(code − zy)
};

struct GemmTrace {
    int64_t row = 0, col = 0, K = 0;
    int32_t aZero = 0, bZero = 0;
    // Σ_k a_ik·b_kj on the stored integers (no zero points) and the gemmlowp correction terms.
    int64_t rawDot = 0;
    int64_t rowSumA = 0, colSumB = 0;
    int64_t rowCorrection = 0;   // −zb·rowsum_i(A)
    int64_t colCorrection = 0;   // −za·colsum_j(B)
    int64_t constantTerm = 0;    // K·za·zb
    int64_t exactDot = 0;        // Σ (a − za)(b − zb): the sum of the four terms above
    int32_t bias = 0;
    int32_t acc = 0;             // int32 accumulator with bias (what every output stage starts from)
    // Scales and the requantization multiplier M = s_a·s_b_j / s_y.
    float aScale = 1, bScale = 1, yScale = 1;
    int32_t yZero = 0, qmin = 0, qmax = 255;
    float dequantizedAcc = 0;    // fl32(acc)·fl32(s_a·s_b_j): the Float output mode
    double multiplier = 0;       // exact (double) M
    float multiplierFloat = 0;   // fl32(M) used by the float path
    QuantizedMultiplier fixedMultiplier;  // m0, shift for the fixed-point paths
    double multiplierFromFixed = 0;       // m0·2^(shift−31): what the fixed paths really multiply by
    double exactProduct = 0;     // acc·M in double: where the three roundings start from
    float floatProduct = 0;      // fl32(fl32(acc)·fl32(M))
    RequantStep floatPath, fixedDouble, fixedSingle;
};

// Traces output element (row, col) of the GEMM `params` on raw A (M×K) and B (K×N). The output spec
// scales are used for the requantization steps whatever params.out.mode is.
Result<GemmTrace> traceGemmElement(const GemmParams& params, const void* a, const void* b, bool bSigned,
                                   int32_t bZero, int64_t row, int64_t col);

}  // namespace qv
