// Output stage shared by every GEMM path: per-column multipliers made once per call, applied to int32 accumulators.
#pragma once

#include <cstdint>
#include <vector>

#include "core/gemm/gemm.h"
#include "core/gemm/requantize.h"

namespace qv::gemm_detail {

// Per-column constants of the output stage (N entries; per-tensor B scales are broadcast).
//   Float output:      y = fl32(fl32(acc) · deqScale_j),    deqScale_j = fl32(s_a · s_b_j) (double product)
//   Quantized8 float:  q = clamp(rint(fl32(acc) · mFloat_j) + zy),  mFloat_j = fl32(s_a·s_b_j / s_y) (double)
//   Quantized8 fixed:  q = clamp(fixed(acc, quantizeMultiplier(s_a·s_b_j / s_y)) + zy)
struct OutputStage {
    GemmOutput mode = GemmOutput::Int32;
    RequantRounding rounding = RequantRounding::Float;
    bool ySigned = false;
    int32_t yZero = 0, qmin = 0, qmax = 255;
    float lo = 0, hi = 0;  // qmin − zy, qmax − zy as floats (float path clamp)
    std::vector<float> deqScale, mFloat;
    std::vector<QuantizedMultiplier> mFixed;
};

OutputStage makeOutputStage(const GemmParams& p);

// The requantized code for one accumulator of column j (all three rounding paths).
inline int32_t requantizeOne(const OutputStage& s, int32_t acc, int64_t j) {
    int64_t r = 0;
    switch (s.rounding) {
        case RequantRounding::Float: r = multiplyFloat(acc, s.mFloat[static_cast<size_t>(j)], s.lo, s.hi); break;
        case RequantRounding::FixedDouble: r = multiplyFixedDouble(acc, s.mFixed[static_cast<size_t>(j)]); break;
        case RequantRounding::FixedSingle: r = multiplyFixedSingle(acc, s.mFixed[static_cast<size_t>(j)]); break;
    }
    return clampToRange(r + s.yZero, s.qmin, s.qmax);
}

// Stores one finished accumulator (bias included) at flat output index `idx`, column j.
inline void storeOne(const OutputStage& s, void* y, int64_t idx, int64_t j, int32_t acc) {
    switch (s.mode) {
        case GemmOutput::Int32: static_cast<int32_t*>(y)[idx] = acc; break;
        case GemmOutput::Float:
            static_cast<float*>(y)[idx] = static_cast<float>(acc) * s.deqScale[static_cast<size_t>(j)];
            break;
        case GemmOutput::Quantized8: {
            const int32_t q = requantizeOne(s, acc, j);
            if (s.ySigned) static_cast<int8_t*>(y)[idx] = static_cast<int8_t>(q);
            else static_cast<uint8_t*>(y)[idx] = static_cast<uint8_t>(q);
            break;
        }
    }
}

// Everything a kernel needs for one call, prepared by the dispatcher (gemm_dispatch.cpp).
struct GemmJob {
    const uint8_t* a = nullptr;  // M×K bytes (uint8 or int8 as aSigned says)
    int64_t M = 0, N = 0, K = 0;
    bool aSigned = false;
    int32_t aZeroInternal = 0;  // za' = za (+128 for int8 A: a' = a XOR 0x80 is uint8, a − za = a' − za')
    int32_t bZeroInternal = 0;  // zb'
    const PackedB* b = nullptr;
    const int32_t* colTerm = nullptr;  // N values: bias_j − za'·colsum_j (+ K·za'·zb', wrapping)
    const OutputStage* out = nullptr;
    void* y = nullptr;
};

// pack_a.cpp: converts one row tile [m0, m0 + rows) of A to uint8 (a' = a XOR 0x80 for int8 A) laid
// out as dst[k / kGroup][row][kGroup] (what a register-tiled kernel reads in one k-step; zero padded
// up to kPadded), and writes rowTerm_r = −zb'·Σ_k a'_(m0+r),k for each row (wrapping int32).
void packARows(const GemmJob& job, int64_t m0, int64_t rows, int64_t kPadded, int kGroup, uint8_t* dst,
               int32_t* rowTerm);
// Only the row terms of rows [m0, m0 + rows) (for A read in place, without packing).
void rowTermsOnly(const GemmJob& job, int64_t m0, int64_t rows, int32_t* rowTerm);

}  // namespace qv::gemm_detail
