// GEMM view-model: synthetic activations, the int8-vs-fp32 scatter, error histogram and per-channel error bars (no ImGui types).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/gemm/gemm_quantized_run.h"

namespace qv {

enum class ActivationShape { Gaussian, Laplace };

// Synthetic activations A (M×K, row-major): N(0, 1) or Laplace(0, b = 1/√2) (both unit variance),
// with `outlierChannels` input channels (columns of A, spread evenly over K) scaled by `outlierScale`
// — the few huge channels real LLM activations have (LLM.int8(), SmoothQuant). Deterministic per seed.
std::vector<float> syntheticActivations(int64_t M, int64_t K, ActivationShape shape, int outlierChannels,
                                        float outlierScale, uint32_t seed);

// Weights as the model stores them: a Linear layer's W is [out, in] = N×K and the GEMM needs
// B = Wᵀ (K×N). Returns B row-major.
std::vector<float> weightsAsB(const std::vector<float>& w, int64_t rows, int64_t cols, bool outInLayout);

struct GemmScatter {
    std::vector<float> fp32, int8;  // paired points (x = fp32 output, y = dequantized int8 output)
    float lo = 0, hi = 0;           // common axis range (the diagonal y = x runs corner to corner)
    uint64_t total = 0;             // outputs before subsampling
};

struct GemmErrorHistogram {
    std::vector<double> counts;  // e = y_int8 − y_fp32 in `bins` equal bins over [lo, hi]
    double lo = 0, hi = 0;
};

struct GemmChannelBars {
    std::vector<double> rmse, maxAbs, sqnrDb;  // per output channel j
    int64_t worst = -1;                        // channel with the largest RMSE
};

struct GemmView {
    GemmScatter scatter;
    GemmErrorHistogram histogram;
    GemmChannelBars channels;
    std::string summary;  // one line: kernel, timings, SQNR
};

// Builds every plot's data from a finished run. The scatter keeps at most `maxPoints` outputs,
// chosen by a fixed stride plus the largest |error| outputs (an outlier is never subsampled away).
GemmView buildGemmView(const QuantizedGemmRun& run, size_t maxPoints = 20000, int bins = 101);

}  // namespace qv
