// Importance vectors made inside the app, for people without llama-imatrix output: the mean squared input
// activation per column (what llama-imatrix accumulates, importanceFromActivations) of activations captured in
// the open file, or of synthetic ones with LLM-like outlier channels — wrapped as a one-entry importance matrix
// for the selected weight, so Compare ▸ llama.cpp types can show what an imatrix does to that layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/base/result.h"
#include "core/formats/imatrix.h"
#include "core/formats/model_file.h"

namespace qv {

// Largest activation tensor read here (on the UI thread: a few milliseconds at this size).
inline constexpr uint64_t kMaxImportanceActivations = uint64_t(1) << 24;

// The weight's input width C_in (its last dimension) when it is a matrix llama-quantize would quantize; 0 otherwise.
int64_t importanceColumns(const TensorInfo& weight);
// Whether `candidate` can be the weight's activations: a floating tensor of two or more dimensions, not named as a
// parameter (…weight, …bias), whose last dimension is C_in and that is small enough to read here.
bool importanceCandidate(const TensorInfo& weight, const TensorInfo& candidate);

// A one-entry imatrix for `weight`: the mean of x² per column over the rows of `activations` ([…, C_in], every
// leading dimension counted as tokens). Refuses non-candidates, unreadable tensors and non-finite values.
Result<Imatrix> importanceFromTensor(const ModelFile& model, size_t weight, size_t activations);
// The same from syntheticActivations (app/views/gemm_view.h: unit-variance Gaussian, `outliers` channels spread
// evenly and scaled by `outlierScale`), `tokens` rows.
Result<Imatrix> importanceFromSynthetic(const TensorInfo& weight, int tokens, int outliers, float outlierScale,
                                        uint32_t seed);

}  // namespace qv
