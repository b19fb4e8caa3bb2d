// SmoothQuant evaluated on one Linear layer: quantization error of activations and weights before and
// after smoothing, and the error of the int8 layer output (Q(X')·Q(W')ᵀ through the int8 GEMM core)
// against fp32 X·Wᵀ; an α sweep for the best migration strength.
//
// Quantization (core/quant, seeds convention), symmetric min-max throughout, both operands with the same
// `bits` (2..8: the GEMM takes 8-bit codes); SQNR = 10·log10(Σ ref² / Σ err²) in dB.
//  - Activations per tensor (one scale, clip ±max|X|; the paper's O2/O3 levels) or per token (one scale
//    per row of X, clip ±max|X_i,:|; the paper's O1 and LLM.int8()'s vector-wise dynamic quantization).
//    A per-token scale s_a,i is constant along the K-sum of row i, so it comes out of the int32
//    accumulation: y_ij = s_a,i · s_w,j · acc_ij. A per-input-channel scale could not (it varies with k).
//  - Weights per output channel (a row of W, a column of B = Wᵀ, clip ±row max; what int8 GEMM libraries
//    use, the default) or per tensor (one scale, clip ±max|W|; the paper's setting).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/gemm/gemm.h"
#include "core/gemm/gemm_fp32.h"
#include "core/metrics/error_stats.h"
#include "core/quant/quant_params.h"

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

// The scale granularity of each operand (see the top of this file).
enum class ActivationScaling { PerTensor, PerToken };
enum class WeightScaling { PerChannel, PerTensor };
struct SmoothScaling {
    ActivationScaling activations = ActivationScaling::PerTensor;
    WeightScaling weights = WeightScaling::PerChannel;
    bool operator==(const SmoothScaling&) const = default;
};
const char* activationScalingName(ActivationScaling a);  // "per tensor", "per token"
const char* weightScalingName(WeightScaling w);          // "per out-channel", "per tensor"

struct SmoothSettings {
    double alpha = 0.5;    // migration strength, [0, 1]
    int bits = 8;          // of activations and weights, 2..8
    SmoothScaling scaling;
    int threads = 1;       // GEMM and error passes
    GemmKernel kernel = GemmKernel::Auto;
};

// [SECTION] the int8 layer, piece by piece (public for the tests)

// Symmetric min-max parameters for X [tokens, cIn] (core/quant, seeds convention, restricted range
// ±(2^(bits−1)−1)): per tensor, one slice with s = max|X|/qmax; per token, one slice per row with
// s_i = max|X_i,:|/qmax (an all-zero row gets s = 1, the seeds' rule). Non-finite values are skipped.
QuantParams activationParams(std::span<const float> x, int64_t tokens, int64_t cIn, int bits, ActivationScaling a);
// The same for W [cOut, cIn]: per output channel (one slice per row) or per tensor.
QuantParams weightParams(std::span<const float> w, int64_t cOut, int64_t cIn, int bits, WeightScaling g);

// y_ij = fl32(acc_ij) · fl32(s_a,i · s_b,j) (the product in double, rounded once): int32 accumulators
// [M, N] dequantized with one activation scale per row (rowScales: M values, or 1 for per tensor) and one
// weight scale per column (colScales: N values, or 1). The same arithmetic as the GEMM core's float
// output stage (gemm_output_stage.cpp), so equal row scales give its float output bit for bit.
std::vector<float> dequantizeAccumulators(std::span<const int32_t> acc, int64_t M, int64_t N,
                                          std::span<const float> rowScales, std::span<const float> colScales);

// Y_q [tokens, cOut] = dequant(Q(X)·Q(W)ᵀ) for a Linear layer through the int8 GEMM core: `act` from
// activationParams (1 or `tokens` slices), `weight` from weightParams (1 or cOut slices). Per tensor the
// core's float output stage dequantizes; per token the core returns the int32 accumulators and
// dequantizeAccumulators applies s_a,i · s_w,j (the core takes one activation scale per GEMM).
Result<std::vector<float>> quantizedLinear(std::span<const float> x, int64_t tokens, std::span<const float> w,
                                           int64_t cOut, int64_t cIn, const QuantParams& act,
                                           const QuantParams& weight, int threads = 1,
                                           GemmKernel kernel = GemmKernel::Auto, GemmRunInfo* info = nullptr);

// [SECTION] the comparison

// One side of the comparison: the layer as it is (before) or smoothed (after).
struct SmoothSide {
    // Range-based: the activation step and how many steps the median channel's max|X_j| spans — the
    // resolution an ordinary channel gets when outliers set the step. Per tensor the step is max|X|/qmax
    // (known from the channel maxima alone); per token it is the median of the row steps max|X_i,:|/qmax
    // (needs X: 0 without it).
    double activationScale = 0;
    double medianChannelSteps = 0;
    float weightAbsMax = 0;             // largest |W'|
    ErrorStats weight;                  // at the chosen weight granularity (exact: W is known)
    ErrorStats activation;              // at the chosen activation granularity (only with activations)
    OutputError output;                 // Y_q against X·Wᵀ (only with activations)
};

struct SmoothEvaluation {
    double alpha = 0.5;
    int bits = 8;
    SmoothScaling scaling;
    bool hasOutput = false;             // false: activation SQNR and output error need X itself
    std::string note;                   // why figures are missing, when they are
    std::vector<float> factors;         // s_j
    std::vector<float> actAbsMaxAfter;  // max|X'_j| = max|X_j| / s_j
    std::vector<float> weightAbsMaxAfter;  // max|W'_:,j| = max|W_:,j|·s_j
    SmoothSide before, after;           // before: no smoothing (s = 1, not α = 0)
    GemmRunInfo gemm;                   // the int8 kernel that ran (with activations)
};

// `before`: the no-smoothing side for the same layer, bits and scaling (SmoothSweep::before), reused instead of
// recomputed — it does not depend on α, so moving α costs one side's GEMM and error passes.
Result<SmoothEvaluation> evaluateSmoothing(const SmoothLayer& layer, const SmoothSettings& settings,
                                           const SmoothSide* before = nullptr);

// [SECTION] the α sweep
// α = 0, step, 2·step, …, 1 (21 points for step 0.05). Output SQNR per α needs X; the weight SQNR
// (and, with X, the activation SQNR) are recorded too. `progress` (optional) counts one unit per side
// evaluated (total 1 + points) and is polled for cancellation between them.
struct SmoothSweep {
    int bits = 8;
    SmoothScaling scaling;
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

// At settings.bits and settings.scaling, with settings.threads and settings.kernel (settings.alpha unused).
Result<SmoothSweep> sweepSmoothing(const SmoothLayer& layer, const SmoothSettings& settings,
                                   Progress* progress = nullptr, double step = kSmoothSweepStep);

}  // namespace qv
