// Importance vectors from activations: read, mean of squares per column, one imatrix entry.
#include "app/views/importance_source.h"

#include <cmath>
#include <vector>

#include "app/views/gemm_view.h"
#include "core/metrics/ggml_requant.h"

namespace qv {

namespace {

Imatrix oneEntry(const std::string& name, std::vector<float> values, size_t tokens, std::string dataset) {
    Imatrix im;
    ImatrixEntry e;
    e.name = name;
    e.columns = values.size();
    e.values = std::move(values);
    e.counts = {static_cast<double>(tokens)};
    im.entries.push_back(std::move(e));
    im.datasets.push_back(std::move(dataset));
    return im;
}

}  // namespace

int64_t importanceColumns(const TensorInfo& weight) {
    if (ggmlKeptAsStored(weight) || weight.shape.empty()) return 0;
    return weight.shape.back();
}

bool importanceCandidate(const TensorInfo& weight, const TensorInfo& candidate) {
    const int64_t cols = importanceColumns(weight);
    // Other weights of the same width are parameters, not activations.
    auto endsWith = [&](std::string_view tail) {
        return candidate.name.size() >= tail.size() &&
               candidate.name.compare(candidate.name.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (endsWith("weight") || endsWith("bias")) return false;
    return cols > 0 && &weight != &candidate && candidate.name != weight.name && candidate.shape.size() >= 2 &&
           candidate.shape.back() == cols && traits(candidate.dtype).isFloat && candidate.elements() > 0 &&
           candidate.elements() <= kMaxImportanceActivations;
}

Result<Imatrix> importanceFromTensor(const ModelFile& model, size_t weight, size_t activations) {
    if (weight >= model.tensors.size() || activations >= model.tensors.size()) return makeError("no such tensor");
    const TensorInfo& w = model.tensors[weight];
    const TensorInfo& a = model.tensors[activations];
    if (!importanceCandidate(w, a))
        return makeError(a.name + " cannot be the activations of " + w.name + " (last dimension " +
                         std::to_string(importanceColumns(w)) + ", floating, at most 16M values)");
    std::vector<float> x(a.elements());
    if (!model.view(activations).read(0, x.size(), x.data())) return makeError(a.name + ": cannot be read");
    for (float v : x)
        if (!std::isfinite(v)) return makeError(a.name + " holds NaN or Inf: no importance from it");
    const size_t cols = static_cast<size_t>(a.shape.back()), tokens = x.size() / cols;
    return oneEntry(w.name, importanceFromActivations(x.data(), tokens, cols), tokens, "captured: " + a.name);
}

Result<Imatrix> importanceFromSynthetic(const TensorInfo& weight, int tokens, int outliers, float outlierScale,
                                        uint32_t seed) {
    const int64_t cols = importanceColumns(weight);
    if (cols <= 0) return makeError(weight.name + " is not a matrix llama-quantize would quantize");
    if (tokens <= 0 || uint64_t(tokens) * uint64_t(cols) > kMaxImportanceActivations)
        return makeError("synthetic activations: too many values");
    const std::vector<float> x =
        syntheticActivations(tokens, cols, ActivationShape::Gaussian, outliers, outlierScale, seed);
    return oneEntry(weight.name, importanceFromActivations(x.data(), size_t(tokens), size_t(cols)), size_t(tokens),
                    "synthetic: " + std::to_string(outliers) + " outlier channels x" +
                        std::to_string(int(outlierScale)));
}

}  // namespace qv
