// The error llama.cpp's block quantization would make on a tensor: every block encoded as
// `llama-quantize` writes it (core/tensor/ggml_encode.h), decoded as llama.cpp reads it
// (decodeGgmlBlocks), against the original values — so a layer can be judged in GGUF's own terms beside
// quantviz's schemes (ROADMAP: GGUF block schemes as re-quantization targets).
#pragma once

#include <span>
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
// dimensions at the end of ggml's order, the start of numpy's, do not count — a [1, 128] output weight is 1-D),
// and only floating ones: it converts through llama_tensor_dequantize_impl, which refuses integer types
// (llama.cpp src/llama-quant.cpp). Integer and bool tensors (ONNX shape constants, token ids) are kept here.
bool ggmlKeptAsStored(const TensorInfo& info);

// MSE, SQNR, max/mean |e|, cosine of the round trip (clipping and code counts do not apply: 0). `type` may
// also be F16 (rounded to binary16 and back) or the tensor's own stored type (kept: no error). Refuses,
// with a message saying why, tensors whose rows (last axis) are not a multiple of the 32-element block —
// llama.cpp keeps those in F16/F32 — empty tensors and tensors holding NaN or ±Inf (the reference
// quantizers' float-to-int conversions are undefined on them). Cancellable, with progress.
// `sums`, when given, receives the running sums (Σe², Σx², …) behind the statistics, for whole-model figures.
Result<ErrorStats> ggmlRequantError(const TensorView& view, DType type, Progress* progress = nullptr, int threads = 0,
                                    ErrorAccumulator* sums = nullptr);

// An importance vector (llama.cpp imatrix entry: mean squared input activation per column; core/formats/
// imatrix.h) for the round trips: one value per column of a row (the tensor's last axis), or rowLength × k for
// a tensor of k stacked matrices (MoE experts, numpy [k, out, in]), whose matrix m uses values
// [m·rowLength, (m + 1)·rowLength) — llama-quantize's check is size == ne0·ne2 (src/llama-quant.cpp).
struct GgmlImportance {
    std::span<const float> values;
    // true: encoded as llama-quantize --imatrix writes (encodeGgmlBlocksWeighted); false: the reference
    // encoders (no imatrix), measured under the same importance — the comparison an imatrix is for.
    bool encodeWeighted = true;
};
// Σ imp·e² and Σ imp·x² over the tensor (imp: the importance of each element's column): what an imatrix
// targets — for inputs a with E[a_j a_k] = 0 (j ≠ k), a layer's expected output error E‖(Ŵ − W)a‖² is
// Σ_rows Σ_j E[a_j²]·e_j², and E‖Wa‖² likewise with x.
struct GgmlWeightedSums {
    double sumImpSqErr = 0, sumImpSqX = 0;
    // Σ imp·e² / Σ imp·x² (0 when either is 0).
    double relative() const { return sumImpSqErr == 0 || sumImpSqX == 0 ? 0.0 : sumImpSqErr / sumImpSqX; }
};

// ggmlRequantError with an importance vector: the round trip through encodeGgmlBlocksWeighted (or the
// reference encoders, importance.encodeWeighted false) and, in `weighted`, the importance-weighted sums. Refuses
// what ggmlRequantError refuses and an importance whose size is neither the row length nor a multiple of it
// that divides the rows into whole matrices. An empty importance: ggmlRequantError (weighted left at 0).
// Rows are read whole (Q4_0 … Q5_1's σ² is taken over the row), in groups of about 64 Ki values per task.
Result<ErrorStats> ggmlRequantError(const TensorView& view, DType type, const GgmlImportance& importance,
                                    Progress* progress = nullptr, int threads = 0, ErrorAccumulator* sums = nullptr,
                                    GgmlWeightedSums* weighted = nullptr);

// One tensor as llama-quantize would write it when asked for `type`.
struct GgmlRoundTrip {
    DType type = DType::Q4_0;     // asked for
    DType written = DType::Q4_0;  // ggmlWrittenType: the type itself, a fallback, or the stored type (kept)
    bool kept = false;            // ggmlKeptAsStored: left as stored (no error)
    ErrorAccumulator sums;        // x against its round trip through `written`
    GgmlWeightedSums weighted;    // with an importance (ggmlRoundTrips' second form); 0 otherwise and when kept
};
// Every type of `types` for one tensor; each distinct written type is computed once (1-D tensors and
// fallbacks shared by several types: one pass).
Result<std::vector<GgmlRoundTrip>> ggmlRoundTrips(const TensorView& view, const std::vector<DType>& types,
                                                  Progress* progress = nullptr, int threads = 0);
// The same with an importance vector (what `llama-quantize --imatrix` does to this tensor): every written type
// through ggmlRequantError's importance form (fallback types too: llama.cpp passes the imatrix to whatever
// type a tensor gets); kept tensors as above.
Result<std::vector<GgmlRoundTrip>> ggmlRoundTrips(const TensorView& view, const std::vector<DType>& types,
                                                  const GgmlImportance& importance, Progress* progress = nullptr,
                                                  int threads = 0);

// Where one type hurts one tensor ("see the damage"): the round trip of ggmlRequantDetail, broken down per
// row, per block and over the values. Rows are the tensor's rows as ggml sees them: runs of the last axis'
// length (numpy order [out, in]: one row per output channel). Blocks are the groups that share one decoded
// step (ggmlGroupLayout of the written type): the blocks of 32 of Q8_0 … Q4_0/IQ4_NL, the sub-blocks of 32
// of Q4_K/Q5_K/IQ4_XS and of 16 of Q2_K/Q3_K/Q6_K inside their super-blocks of 256.
struct GgmlBlockError {
    uint64_t row = 0, column = 0;  // the block's first element: row, column within the row
    double sumSqErr = 0;           // Σe² over the block
    double share = 0;              // sumSqErr / the tensor's Σe² (0 when that is 0)
    double maxAbsX = 0, maxAbsErr = 0;
    double step = 0, offset = 0;   // decoded: y = step·code + offset (or step·table[code]; ggmlGroupScales)
};
struct GgmlRequantDetail {
    DType type = DType::Q4_0;     // asked for
    DType written = DType::Q4_0;  // ggmlWrittenType: a fallback when != type
    bool kept = false;            // 1-D: kept as stored, nothing quantized (the rest is empty)
    uint64_t rowLength = 0;       // elements per row (the last axis)
    uint32_t blockElements = 0;   // elements per block of the worst-block list (0: F16 fallback, no blocks)
    uint64_t blocks = 0;          // blocks in the tensor
    ErrorAccumulator total;       // the same sums, in the same order, as ggmlRequantError's
    std::vector<ErrorAccumulator> rowSums;  // one per row, in row order
    std::vector<ErrorStats> rows;           // rowSums finished
    // Histogram of e = x̂ − x over [errorLo, errorHi] (errorOutside: errors beyond it, not binned).
    std::vector<double> errorHistogram;
    double errorLo = 0, errorHi = 0;
    uint64_t errorOutside = 0;
    // Error against value: the min and max of e over the values x in each of envelopeLo.size() equal bins of
    // [valueLo, valueHi] (envelopeHas 0: no value in the bin).
    double valueLo = 0, valueHi = 0;
    std::vector<double> envelopeLo, envelopeHi;
    std::vector<uint8_t> envelopeHas;
    std::vector<GgmlBlockError> worstBlocks;  // largest Σe² first (ties: the earlier block first)
};
struct GgmlDetailOptions {
    size_t topBlocks = 10;
    size_t errorBins = 256;
    double errorLo = 0, errorHi = 0;  // the histogram's range; empty (lo >= hi): ±max|e|, from a first pass
    size_t valueBins = 512;
    double valueLo = 0, valueHi = 0;  // the envelope's range; empty: [min x, max x], from the same first pass
    int threads = 0;
    // Non-empty: encoded as llama-quantize --imatrix does (ggmlRequantError's importance form; encodeWeighted is
    // not consulted), so the detail is of the same round trip as the table's importance rows.
    GgmlImportance importance;
};
// One round trip of `view` through ggmlWrittenType(info, type), with the detail above. Refuses what
// ggmlRequantError refuses. Cancellable; adds the elements of every pass to `progress` (one pass when both
// ranges are given, two otherwise).
Result<GgmlRequantDetail> ggmlRequantDetail(const TensorView& view, DType type, const GgmlDetailOptions& options = {},
                                            Progress* progress = nullptr);

// A whole model as the file llama-quantize would write for one type: stored bits per weight (tensor data)
// and the relative RMS error ‖x̂ − x‖/‖x‖ over every element.
struct GgmlModelTotals {
    DType type = DType::Q4_0;
    double sumSqErr = 0, sumSqX = 0, bits = 0;
    uint64_t elements = 0;
    // Integer and bool tensors (kept: graph constants, ids) are not weights and stay out of the totals: an
    // ONNX Slice bound of 2^63 − 1 would otherwise be most of ‖x‖.
    void add(uint64_t tensorElements, const GgmlRoundTrip& r) {
        if (!traits(r.written).isFloat && !traits(r.written).isBlockQuantized) return;
        sumSqErr += r.sums.sumSqErr;
        sumSqX += r.sums.sumSqX;
        bits += bitsPerElement(r.written) * static_cast<double>(tensorElements);
        elements += tensorElements;
    }
    double bitsPerWeight() const { return elements ? bits / static_cast<double>(elements) : 0.0; }
    double relativeRms() const;
};

}  // namespace qv
