// GEMM view-model: synthetic activations, the int8-vs-fp32 scatter, error histogram and per-channel error bars (no ImGui types).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"
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

// How one GEMM operand is calibrated: a calibrator by its CLI name (calibratorNames()), the
// percentile argument when it is "percentile", and the 8-bit scheme. A (activations): symmetric
// int8 or asymmetric uint8 with a zero point, per tensor. B (weights, K×N as the GEMM sees it):
// symmetric int8, per tensor or per output channel (one scale per column of B = per row of a
// Linear W [out, in]).
struct GemmOperandChoice {
    std::string calibrator = "minmax";
    double percentile = 99.99;
    bool asymmetric = false;   // A only: uint8 with zero point
    bool perChannel = false;   // B only: per output column
};

// "percentile:99.9" or the bare name: the spelling makeCalibrator (and the CLI) accept.
std::string gemmCalibratorSpec(const GemmOperandChoice& choice);

// The QuantScheme the choice stands for (8 bits; PerChannel along axis 1 of a rows×cols matrix).
QuantScheme gemmOperandScheme(const GemmOperandChoice& choice);

// QuantParams for a rows×cols row-major operand under `choice`, through calibrateValues (the
// calibrator's exact refinement included, per-channel slices gathered per column). Runs in the
// worker, never on the UI thread. An unknown calibrator or bad percentile is an error.
Result<QuantParams> gemmOperandParams(const GemmOperandChoice& choice, std::span<const float> values, int64_t rows,
                                      int64_t cols, int threads = 1);

// One line for the results header, e.g. "A: percentile:99.99, uint8 asym per-tensor: s = 0.0123, z = 131"
// or, per channel, "B: minmax, int8 sym per out-channel: 256 scales, 0.00012…0.0034, median 0.00089".
std::string describeOperandParams(const std::string& operand, const GemmOperandChoice& choice, const QuantParams& params);

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
