// Stored quantization: what a file's own quantized tensor is (type, bits per weight, its reconstruction)
// and, against the same model in higher precision, the error that quantization made — shown by the GUI/CLI
// beside what quantviz's own schemes would do to the same weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/formats/model_file.h"
#include "core/metrics/error_stats.h"
#include "core/tensor/tensor_view.h"

namespace qv {

struct StoredQuantFacts {
    DType storedType = DType::F32;
    std::string typeName;        // "q4_K", "f16", …
    double bitsPerWeight = 32;   // including the block's scales and mins (4.5 for q4_K)
    uint32_t blockElements = 1;  // 32 or 256 for ggml blocks, 1 for plain types
    uint32_t blockBytes = 4;
    bool blockQuantized = false; // a ggml block type
    bool decodable = true;       // this build can reconstruct it (every ggml type with a DType entry can)
};
StoredQuantFacts storedQuantFacts(const TensorInfo& info);

// The stored tensor's reconstruction: its values as the file's consumer (llama.cpp) sees them — the
// dequantized floats. Refuses tensors above maxElements and types that cannot be decoded, naming the type.
Result<std::vector<float>> storedReconstruction(const TensorView& view, uint64_t maxElements = uint64_t{1} << 31);

// The shared steps of a stored block-quantized tensor, group by group in storage order (row-major, groups
// along the last axis): what the file chose for each run of 16/32/256 weights. For a K-quant this is the
// effective step d·sc of every sub-block — the two-level structure made visible.
struct StoredGroupScales {
    uint32_t groupElements = 0;  // weights per group (16, 32 or 256)
    uint64_t groupsPerRow = 0;   // along the last axis
    bool levelTable = false;     // IQ4_NL/IQ4_XS/MXFP4: y = step·table[code] (offset 0)
    std::vector<float> step;     // one per group
    std::vector<float> offset;   // one per group: y = step·code + offset
};
Result<StoredGroupScales> storedGroupScales(const TensorView& view, uint64_t maxGroups = uint64_t{1} << 24);

// Error of the stored tensor x̂ against the reference x (the same tensor from a higher-precision file).
struct StoredQuantError {
    std::string name;
    DType storedType = DType::F32;
    DType referenceType = DType::F32;
    uint64_t count = 0;       // elements compared
    double sumSqError = 0;    // Σ(x̂ − x)²
    double sumSqReference = 0;  // Σx²
    double mse = 0;           // Σ(x̂ − x)² / n
    double sqnrDb = 0;        // 10·log10(Σx² / Σ(x̂ − x)²); +inf when the error is 0, 0 when Σx² = 0
    double relativeRms = 0;   // sqrt(Σ(x̂ − x)² / Σx²); 0 when Σx² = 0
    double maxAbsError = 0;
    // The same comparison in quantviz's own metric type (core/metrics ErrorAccumulator::finish: MSE, RMSE,
    // SQNR, max/mean |e|, cosine), so the GUI/CLI can show it in the columns used for quantviz's schemes.
    // Clipping and code counts do not apply to a file's stored quantization and stay 0.
    ErrorStats stats;
    ErrorAccumulator accumulator;  // raw sums, mergeable (whole-model totals)
};

// Compares two views of the same tensor element by element (streamed in chunks, so memory stays flat).
// The shapes must agree up to leading 1s ([1, 128] matches [128]). Non-finite pairs are skipped (and not counted).
// Runs on `threads` threads (0: all); the result does not depend on the thread count.
Result<StoredQuantError> compareStoredTensor(const TensorView& stored, const TensorView& reference,
                                             Progress* progress = nullptr, int threads = 0);

struct StoredQuantComparison {
    std::vector<StoredQuantError> tensors;  // tensors found in both files by name, in the stored file's order
    std::vector<std::string> unmatched;     // in the stored file only, or with a different shape (with reason)
    uint64_t count = 0;
    double sumSqError = 0, sumSqReference = 0;
    double relativeRms = 0;  // whole model: sqrt(ΣΣ(x̂ − x)² / ΣΣx²) over all matched tensors
    double sqnrDb = 0;
    ErrorStats stats;  // whole model, as ErrorAccumulator::finish computes it
};

// Matches tensors by name and measures each. onlyQuantized restricts the comparison to tensors the
// stored file keeps in a ggml block type. Cancellable through progress (total = elements compared).
Result<StoredQuantComparison> compareStoredModel(const ModelFile& stored, const ModelFile& reference,
                                                 bool onlyQuantized = false, Progress* progress = nullptr,
                                                 int threads = 0);

}  // namespace qv
