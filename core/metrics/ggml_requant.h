// The error llama.cpp's block quantization would make on a tensor: every block encoded as
// `llama-quantize` writes it (core/tensor/ggml_encode.h), decoded as llama.cpp reads it
// (decodeGgmlBlocks), against the original values — so a layer can be judged in GGUF's own terms beside
// quantviz's schemes (ROADMAP: GGUF block schemes as re-quantization targets).
#pragma once

#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/metrics/error_stats.h"
#include "core/tensor/dtype.h"
#include "core/tensor/tensor_view.h"

namespace qv {

// The types ggmlRequantError measures, most bits first: Q8_0, Q5_1, Q5_0, Q4_1, Q4_0.
const std::vector<DType>& ggmlRequantTypes();

// MSE, SQNR, max/mean |e|, cosine of the round trip (clipping and code counts do not apply: 0). Refuses,
// with a message saying why, tensors whose rows (last axis) are not a multiple of the 32-element block —
// llama.cpp keeps those in F16/F32 — empty tensors and tensors holding NaN or ±Inf (the reference
// quantizers' float-to-int conversions are undefined on them). Cancellable, with progress.
// `sums`, when given, receives the running sums (Σe², Σx², …) behind the statistics, for whole-model figures.
Result<ErrorStats> ggmlRequantError(const TensorView& view, DType type, Progress* progress = nullptr, int threads = 0,
                                    ErrorAccumulator* sums = nullptr);

}  // namespace qv
