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

// The 12 types ggmlRequantError measures, most bits per weight first: Q8_0, Q6_K, Q5_1, Q5_K, Q5_0, Q4_1,
// Q4_K, IQ4_NL, Q4_0, IQ4_XS (4.25), Q3_K, Q2_K.
const std::vector<DType>& ggmlRequantTypes();

// What a tensor asked to become `type` is written as: 1-D tensors (norms, biases) stay as stored; a matrix
// whose rows are not whole blocks gets llama-quantize's fallback — q5_0 for q2_K, q3_K and q4_K, q5_1 for
// q5_K, q8_0 for q6_K (llama.cpp src/llama-quant.cpp; hey_jarvis' K-quant files in ../shared/models hold
// exactly these; llama.cpp since 2024 writes IQ4_NL instead for q2_K and q3_K), iq4_nl for iq4_xs (the same
// switch: "case GGML_TYPE_IQ4_XS: new_type = GGML_TYPE_IQ4_NL") — and F16 when the rows are not whole blocks
// of 32 either (as stories260K's quantized files hold its ffn_down, rows of 172).
DType ggmlWrittenType(const TensorInfo& info, DType type);
// llama-quantize quantizes only tensors of two or more dimensions as ggml counts them (ggml_n_dims: size-1
// dimensions at the end of ggml's order, the start of numpy's, do not count — a [1, 128] output weight is 1-D).
bool ggmlKeptAsStored(const TensorInfo& info);

// MSE, SQNR, max/mean |e|, cosine of the round trip (clipping and code counts do not apply: 0). `type` may
// also be F16 (rounded to binary16 and back) or the tensor's own stored type (kept: no error). Refuses,
// with a message saying why, tensors whose rows (last axis) are not a multiple of the 32-element block —
// llama.cpp keeps those in F16/F32 — empty tensors and tensors holding NaN or ±Inf (the reference
// quantizers' float-to-int conversions are undefined on them). Cancellable, with progress.
// `sums`, when given, receives the running sums (Σe², Σx², …) behind the statistics, for whole-model figures.
Result<ErrorStats> ggmlRequantError(const TensorView& view, DType type, Progress* progress = nullptr, int threads = 0,
                                    ErrorAccumulator* sums = nullptr);

// One tensor as llama-quantize would write it when asked for `type`.
struct GgmlRoundTrip {
    DType type = DType::Q4_0;     // asked for
    DType written = DType::Q4_0;  // ggmlWrittenType: the type itself, a fallback, or the stored type (kept)
    bool kept = false;            // ggmlKeptAsStored: left as stored (no error)
    ErrorAccumulator sums;        // x against its round trip through `written`
};
// Every type of `types` for one tensor; each distinct written type is computed once (1-D tensors and
// fallbacks shared by several types: one pass).
Result<std::vector<GgmlRoundTrip>> ggmlRoundTrips(const TensorView& view, const std::vector<DType>& types,
                                                  Progress* progress = nullptr, int threads = 0);

// A whole model as the file llama-quantize would write for one type: stored bits per weight (tensor data)
// and the relative RMS error ‖x̂ − x‖/‖x‖ over every element.
struct GgmlModelTotals {
    DType type = DType::Q4_0;
    double sumSqErr = 0, sumSqX = 0, bits = 0;
    uint64_t elements = 0;
    void add(uint64_t tensorElements, const GgmlRoundTrip& r) {
        sumSqErr += r.sums.sumSqErr;
        sumSqX += r.sums.sumSqX;
        bits += bitsPerElement(r.written) * static_cast<double>(tensorElements);
        elements += tensorElements;
    }
    double bitsPerWeight() const { return elements ? bits / static_cast<double>(elements) : 0.0; }
    double relativeRms() const;
};

}  // namespace qv
