// Stored-quantization facts and the error a file's own quantization made against a higher-precision twin.
#include "core/formats/stored_quant.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "core/base/parallel.h"
#include "core/tensor/ggml_blocks.h"

namespace qv {
namespace {

void finishRatios(double sumSqError, double sumSqReference, double& relativeRms, double& sqnrDb) {
    relativeRms = sumSqReference > 0 ? std::sqrt(sumSqError / sumSqReference) : 0.0;
    if (sumSqError == 0)
        sqnrDb = sumSqReference > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    else
        sqnrDb = sumSqReference > 0 ? 10.0 * std::log10(sumSqReference / sumSqError) : 0.0;
}

// Same elements in the same order: equal shapes once leading 1s are dropped. ggml writes n_dims without
// trailing size-1 dims (ggml_n_dims), so a converter's [1, 128] bias comes back as [128] from llama-quantize.
bool sameLayout(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
    auto squeeze = [](const std::vector<int64_t>& s) {
        size_t k = 0;
        while (k < s.size() && s[k] == 1) ++k;
        return std::vector<int64_t>(s.begin() + static_cast<std::ptrdiff_t>(k), s.end());
    };
    return squeeze(a) == squeeze(b);
}

}  // namespace

StoredQuantFacts storedQuantFacts(const TensorInfo& info) {
    const auto& tr = traits(info.dtype);
    StoredQuantFacts f;
    f.storedType = info.dtype;
    f.typeName = std::string(tr.name);
    f.bitsPerWeight = bitsPerElement(info.dtype);
    f.blockElements = tr.blockElements;
    f.blockBytes = tr.blockBytes;
    f.blockQuantized = tr.isBlockQuantized;
    f.decodable = !tr.isBlockQuantized || ggmlBlocksDecodable(info.dtype);
    return f;
}

Result<std::vector<float>> storedReconstruction(const TensorView& view, uint64_t maxElements) {
    const auto facts = storedQuantFacts(view.info());
    if (!facts.decodable)
        return makeError(view.info().name + ": stored type " + facts.typeName +
                         " is listed but not decoded by this build (unsupported type)");
    return view.toFloat(maxElements);
}

Result<StoredGroupScales> storedGroupScales(const TensorView& view, uint64_t maxGroups) {
    const TensorInfo& info = view.info();
    const GgmlGroupLayout layout = ggmlGroupLayout(info.dtype);
    if (layout.groupElements == 0) {
        // The IQ grid types decode but have no step·code groups: a weight is scale·(codebook level)·sign.
        if (traits(info.dtype).isBlockQuantized && ggmlBlocksDecodable(info.dtype))
            return makeError(info.name + ": stored type " + std::string(dtypeName(info.dtype)) +
                             " has no step·code block scales (an IQ grid type: codebook points with per-weight signs)");
        return makeError(info.name + ": stored type " + std::string(dtypeName(info.dtype)) +
                         " has no block scales (not a decoded ggml block type)");
    }
    if (!view.valid()) return makeError(info.name + ": tensor has no data");
    const auto& tr = traits(info.dtype);
    const uint64_t blocks = view.rawBytes().size() / tr.blockBytes;
    const uint64_t groups = blocks * layout.groupsPerBlock;
    if (groups > maxGroups)
        return makeError(info.name + ": " + std::to_string(groups) + " scale groups exceed the limit of " +
                         std::to_string(maxGroups));
    StoredGroupScales g;
    g.groupElements = layout.groupElements;
    g.levelTable = layout.levelTable;
    const uint64_t row = info.shape.empty() ? 1 : static_cast<uint64_t>(info.shape.back());
    g.groupsPerRow = row / layout.groupElements;
    g.step.resize(groups);
    g.offset.resize(groups);
    if (!ggmlGroupScales(info.dtype, view.rawBytes().data(), blocks, g.step.data(), g.offset.data()))
        return makeError(info.name + ": cannot read the block scales");
    return g;
}

Result<StoredQuantError> compareStoredTensor(const TensorView& stored, const TensorView& reference,
                                             Progress* progress, int threads) {
    const std::string& name = stored.info().name;
    if (!sameLayout(stored.info().shape, reference.info().shape))
        return makeError(name + ": shape " + stored.info().shapeString() + " differs from the reference's " +
                         reference.info().shapeString());
    for (const TensorView* v : {&stored, &reference}) {
        if (!storedQuantFacts(v->info()).decodable)
            return makeError(name + ": type " + std::string(dtypeName(v->info().dtype)) +
                             " is listed but not decoded by this build (unsupported type)");
    }
    StoredQuantError e;
    e.name = name;
    e.storedType = stored.info().dtype;
    e.referenceType = reference.info().dtype;
    // Chunks in whole blocks of both types (block sizes are 1, 32 or 256, so the larger divides evenly),
    // spread over the threads; each chunk's sums are kept apart and merged in chunk order, so the result does
    // not depend on which thread took which chunk.
    const size_t chunk = std::max(stored.chunkElements(), reference.chunkElements());
    const uint64_t n = stored.elements();
    const size_t chunks = static_cast<size_t>((n + chunk - 1) / chunk);
    std::vector<ErrorAccumulator> perChunk(chunks);
    const int workers = parallelWorkers(chunks, 1, threads);
    std::vector<std::vector<float>> bufA(static_cast<size_t>(workers)), bufB(static_cast<size_t>(workers));
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> badChunk{UINT64_MAX};
    parallelFor(chunks, 1, threads, [&](size_t begin, size_t end, int worker) {
        auto& a = bufA[static_cast<size_t>(worker)];
        auto& b = bufB[static_cast<size_t>(worker)];
        if (a.empty()) {
            a.resize(chunk);
            b.resize(chunk);
        }
        for (size_t c = begin; c < end; ++c) {
            if (stop.load(std::memory_order_relaxed)) return;
            if (progress && progress->cancelled()) {
                stop = true;
                return;
            }
            const uint64_t first = static_cast<uint64_t>(c) * chunk;
            const size_t count = static_cast<size_t>(std::min<uint64_t>(chunk, n - first));
            if (!stored.read(first, count, a.data()) || !reference.read(first, count, b.data())) {
                badChunk = c;
                stop = true;
                return;
            }
            // The sums of ErrorAccumulator::add, kept in locals so the loop stays inline.
            ErrorAccumulator& acc = perChunk[c];
            for (size_t k = 0; k < count; ++k) {
                const double xq = a[k], x = b[k];
                if (!std::isfinite(xq) || !std::isfinite(x)) continue;
                const double d = xq - x;
                acc.sumSqErr += d * d;
                acc.sumAbsErr += std::abs(d);
                acc.maxAbsErr = std::max(acc.maxAbsErr, std::abs(d));
                acc.sumSqX += x * x;
                acc.sumSqXq += xq * xq;
                acc.sumXXq += x * xq;
                ++acc.count;
            }
            if (progress) progress->add(static_cast<double>(count));
        }
    });
    if (const uint64_t bad = badChunk.load(); bad != UINT64_MAX)
        return makeError(name + ": cannot read elements " + std::to_string(bad * chunk) + "…" +
                         std::to_string(std::min<uint64_t>(n, (bad + 1) * chunk)));
    if (stop.load()) return makeError(name + ": cancelled");
    for (const auto& acc : perChunk) e.accumulator.merge(acc);
    const ErrorAccumulator& acc = e.accumulator;
    e.count = acc.count;
    e.sumSqError = acc.sumSqErr;
    e.sumSqReference = acc.sumSqX;
    e.maxAbsError = acc.maxAbsErr;
    e.mse = e.count ? e.sumSqError / static_cast<double>(e.count) : 0.0;
    finishRatios(e.sumSqError, e.sumSqReference, e.relativeRms, e.sqnrDb);
    e.stats = acc.finish(0, 0);
    return e;
}

Result<StoredQuantComparison> compareStoredModel(const ModelFile& stored, const ModelFile& reference,
                                                 bool onlyQuantized, Progress* progress, int threads) {
    StoredQuantComparison c;
    std::vector<std::pair<size_t, size_t>> pairs;
    double total = 0;
    for (size_t i = 0; i < stored.tensors.size(); ++i) {
        const TensorInfo& t = stored.tensors[i];
        if (onlyQuantized && !traits(t.dtype).isBlockQuantized) continue;
        const auto j = reference.find(t.name);
        if (!j) {
            c.unmatched.push_back(t.name + ": not in the reference file");
            continue;
        }
        if (!sameLayout(reference.tensors[*j].shape, t.shape)) {
            c.unmatched.push_back(t.name + ": shape " + t.shapeString() + " vs reference " +
                                  reference.tensors[*j].shapeString());
            continue;
        }
        pairs.emplace_back(i, *j);
        total += static_cast<double>(t.elements());
    }
    if (progress) progress->setTotal(total);
    ErrorAccumulator modelAcc;
    for (const auto& [i, j] : pairs) {
        auto e = compareStoredTensor(stored.view(i), reference.view(j), progress, threads);
        if (!e) return e.error();
        c.count += e->count;
        c.sumSqError += e->sumSqError;
        c.sumSqReference += e->sumSqReference;
        modelAcc.merge(e->accumulator);
        c.tensors.push_back(std::move(*e));
    }
    finishRatios(c.sumSqError, c.sumSqReference, c.relativeRms, c.sqnrDb);
    c.stats = modelAcc.finish(0, 0);
    return c;
}

}  // namespace qv
