// llama.cpp importance matrices (`llama-imatrix` output, `llama-quantize --imatrix FILE` input): per weight
// tensor, the mean of each input column's squared activation over a calibration text — the quant_weights the
// importance-weighted encoders take (core/tensor/ggml_encode_weighted.h).
//
// Two formats (llama.cpp tools/imatrix/imatrix.cpp save_imatrix / save_imatrix_legacy, and tools/quantize's
// loader), little-endian:
//   GGUF (current): general.type "imatrix", imatrix.datasets (strings), imatrix.chunk_count and
//     imatrix.chunk_size (u32); per weight W, F32 tensors "W.in_sum2" (dims [columns, matrices]: Σx² per
//     column and stacked matrix — experts), "W.counts" (dims [1, matrices]: tokens summed per matrix) and,
//     in newer files, "W.in_sum" (Σx, unused here). Importance = in_sum2 / counts per matrix; a matrix with
//     count 0 (an expert never routed to) gets 1 for every column, as llama-quantize does.
//   Legacy .dat: i32 n_entries; per entry i32 name length, the name, i32 ncall, i32 nval, f32 values[nval]
//     (= mean x² · ncall); then optionally i32 last chunk and i32 length + dataset name. Importance =
//     values / ncall (ncall ≤ 0: values as stored).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace qv {

struct ImatrixEntry {
    std::string name;           // the weight it belongs to, e.g. "blk.0.ffn_up.weight"
    uint64_t columns = 0;       // values per matrix (the weight's row length; legacy: all values)
    uint64_t matrices = 1;      // stacked matrices (MoE experts); values.size() == columns × matrices
    std::vector<float> values;  // importance ≥ 0, matrix by matrix
    std::vector<double> counts; // per matrix: tokens behind the sums (legacy: one value, ncall)
};

struct Imatrix {
    bool legacy = false;                 // the .dat format
    std::vector<ImatrixEntry> entries;   // sorted by name
    std::vector<std::string> datasets;   // GGUF: the first 16 dataset names; legacy: the trailing one, if any
    int64_t chunkCount = -1;             // GGUF imatrix.chunk_count / legacy last chunk; −1 when absent
    int64_t chunkSize = -1;              // GGUF imatrix.chunk_size; −1 when absent
    // The entry of a weight tensor, or null.
    const ImatrixEntry* find(std::string_view tensorName) const;
};

// Parses an imatrix file held in memory: GGUF when it starts with "GGUF", the legacy format otherwise.
// Every count, length and extent is checked against the bytes before anything is allocated or read; values
// must be finite and ≥ 0. `name` prefixes every error message.
Result<Imatrix> parseImatrix(std::span<const std::byte> bytes, const std::string& name);
// Reads and parses `path`.
Result<Imatrix> readImatrix(const std::string& path);

// What llama-imatrix accumulates for one matrix multiplication, from captured activations x ([tokens,
// inFeatures], row-major, the layer's inputs): the mean of x² per column — one importance per column of the
// weight (sums in double). Empty when tokens is 0.
std::vector<float> importanceFromActivations(const float* x, size_t tokens, size_t inFeatures);

}  // namespace qv
