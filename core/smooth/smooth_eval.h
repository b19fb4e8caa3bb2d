// SmoothQuant evaluated on one Linear layer: quantization error of activations and weights before and
// after smoothing, and the error of the int8 layer output (Q(X')·Q(W')ᵀ through the int8 GEMM core)
// against fp32 X·Wᵀ; an α sweep for the best migration strength.
//
// Quantization (core/quant, seeds convention): activations per tensor, symmetric, clip ±max|X| (min-max;
// the paper's per-tensor activation levels O2/O3); weights per output channel (a row of W, a column of
// B = Wᵀ), symmetric, clip ±max of the row (the paper quantizes weights per tensor: ours is the stronger
// weight baseline, what int8 GEMM libraries use). Both with the same `bits` (2..8: the GEMM takes
// 8-bit codes). SQNR = 10·log10(Σ ref² / Σ err²) in dB.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/gemm/gemm.h"
#include "core/gemm/gemm_fp32.h"
#include "core/metrics/error_stats.h"

namespace qv {

// The inputs, read once and shared by every evaluation (immutable after makeSmoothLayer).
struct SmoothLayer {
    int64_t cOut = 0, cIn = 0;
    int64_t tokens = 0;                // rows of X; 0 when only the per-channel absmax of X is known
    std::vector<float> weights;        // W, cOut × cIn row-major (Linear [out, in])
    std::vector<float> activations;    // X, tokens × cIn row-major; empty with absmax only
    std::vector<float> actAbsMax;      // max|X_j|, cIn values
    std::vector<float> weightAbsMax;   // max|W_:,j|, cIn values
    std::vector<float> yFp32;          // X·Wᵀ in fp32 (tokens × cOut, gemmFp32); empty with absmax only
    bool hasActivations() const { return tokens > 0; }
};

// X [tokens, cIn] (tokens ≥ 1) and W [cOut, cIn]; computes the absmax vectors and the fp32 output.
Result<SmoothLayer> makeSmoothLayer(std::vector<float> weights, int64_t cOut, int64_t cIn,
                                    std::vector<float> activations, int64_t tokens, int threads = 1);
// Only max|X_j| (cIn values, e.g. SmoothQuant's act_scales captured elsewhere): range-based figures only.
Result<SmoothLayer> makeSmoothLayerFromAbsMax(std::vector<float> weights, int64_t cOut, int64_t cIn,
                                              std::vector<float> actAbsMax);

struct SmoothSettings {
    double alpha = 0.5;    // migration strength, [0, 1]
    int bits = 8;          // of activations and weights, 2..8
    int threads = 1;       // GEMM and error passes
    GemmKernel kernel = GemmKernel::Auto;
};

// One side of the comparison: the layer as it is (before) or smoothed (after).
struct SmoothSide {
    // Range-based (always): the per-tensor activation step max|X|/qmax, and how many steps the median
    // channel's max|X_j| spans — the resolution an ordinary channel gets when outliers set the step.
    double activationScale = 0;
    double medianChannelSteps = 0;
    float weightAbsMax = 0;             // largest |W'| (the per-channel weight scales follow the rows)
    ErrorStats weight;                  // per output channel (exact: W is known)
    ErrorStats activation;              // per tensor (only with activations)
    OutputError output;                 // Y_q against X·Wᵀ (only with activations)
};

struct SmoothEvaluation {
    double alpha = 0.5;
    int bits = 8;
    bool hasOutput = false;             // false: activation SQNR and output error need X itself
    std::string note;                   // why figures are missing, when they are
    std::vector<float> factors;         // s_j
    std::vector<float> actAbsMaxAfter;  // max|X'_j| = max|X_j| / s_j
    std::vector<float> weightAbsMaxAfter;  // max|W'_:,j| = max|W_:,j|·s_j
    SmoothSide before, after;           // before: no smoothing (s = 1, not α = 0)
    GemmRunInfo gemm;                   // the int8 kernel that ran (with activations)
};

// `before`: the no-smoothing side for the same layer and bits (SmoothSweep::before), reused instead of
// recomputed — it does not depend on α, so moving α costs one side's GEMM and error passes.
Result<SmoothEvaluation> evaluateSmoothing(const SmoothLayer& layer, const SmoothSettings& settings,
                                           const SmoothSide* before = nullptr);

// α = 0, step, 2·step, …, 1 (21 points for step 0.05). Output SQNR per α needs X; the weight SQNR
// (and, with X, the activation SQNR) are recorded too. `progress` (optional) counts one unit per side
// evaluated (total 1 + points) and is polled for cancellation between them.
struct SmoothSweep {
    int bits = 8;
    std::vector<double> alphas;
    std::vector<double> outputSqnrDb;      // empty without activations
    std::vector<double> activationSqnrDb;  // empty without activations
    std::vector<double> weightSqnrDb;
    SmoothSide before;                     // s = 1, at these bits
    double noSmoothingOutputSqnrDb = 0;    // before.output.sqnrDb (with activations)
    int best = -1;                         // index of the highest output SQNR (first on ties); −1 without X
    double bestAlpha() const { return best >= 0 ? alphas[static_cast<size_t>(best)] : -1.0; }
};
inline constexpr double kSmoothSweepStep = 0.05;

Result<SmoothSweep> sweepSmoothing(const SmoothLayer& layer, int bits, int threads = 1,
                                   Progress* progress = nullptr, double step = kSmoothSweepStep,
                                   GemmKernel kernel = GemmKernel::Auto);

}  // namespace qv
