#include "core/metrics/ggml_requant.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/base/chunked_pass.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/ggml_encode.h"
#include "core/tensor/half.h"

namespace qv {

const std::vector<DType>& ggmlRequantTypes() {
    static const std::vector<DType> types = {DType::Q8_0, DType::Q6_K, DType::Q5_1, DType::Q5_K, DType::Q5_0,
                                             DType::Q4_1, DType::Q4_K, DType::IQ4_NL, DType::Q4_0, DType::IQ4_XS, DType::Q3_K,
                                             DType::Q2_K};
    return types;
}

bool ggmlKeptAsStored(const TensorInfo& info) {
    size_t lead = 0;
    while (lead + 1 < info.shape.size() && info.shape[lead] == 1) ++lead;
    return info.shape.size() - lead < 2;
}

DType ggmlWrittenType(const TensorInfo& info, DType type) {
    if (ggmlKeptAsStored(info)) return info.dtype;
    const int64_t row = info.shape.back();
    if (row % static_cast<int64_t>(traits(type).blockElements) == 0) return type;
    DType fallback = DType::F16;
    switch (type) {
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::Q4_K: fallback = DType::Q5_0; break;
        case DType::Q5_K: fallback = DType::Q5_1; break;
        case DType::Q6_K: fallback = DType::Q8_0; break;
        case DType::IQ4_XS: fallback = DType::IQ4_NL; break;
        default: break;
    }
    // Rows of 172 are not whole blocks of 32 either: F16, as llama-quantize then writes.
    return row % static_cast<int64_t>(traits(fallback).blockElements) == 0 ? fallback : DType::F16;
}

Result<ErrorStats> ggmlRequantError(const TensorView& view, DType type, Progress* progress, int threads,
                                    ErrorAccumulator* sums) {
    const std::string name(dtypeName(type));
    const bool kept = type == view.info().dtype, asF16 = type == DType::F16 && !kept;
    if (!kept && !asF16 && !ggmlEncodable(type)) return makeError("quantviz cannot write " + name + " blocks");
    const uint64_t n = view.elements();
    if (n == 0) return makeError("the tensor is empty");
    const auto& shape = view.info().shape;
    const uint64_t row = shape.empty() ? n : static_cast<uint64_t>(shape.back());
    const uint32_t block = traits(type).blockElements;
    if (row % block != 0)
        return makeError("rows of " + std::to_string(row) + " values are not a multiple of " + name + "'s block of " +
                         std::to_string(block) + " (llama.cpp writes such a tensor as " +
                         std::string(dtypeName(ggmlWrittenType(view.info(), type))) + ")");

    // Chunks of whole blocks (every reader chunk is a multiple of 64 Ki or of the stored block size, ≥ 32).
    ChunkReader reader = ChunkReader::forView(view, size_t{1} << 16);
    if (reader.chunk() % block != 0) return makeError("internal: chunk of " + std::to_string(reader.chunk()) + " values");
    const int workers = parallelWorkers(n, reader.chunk(), threads);
    // Merged per chunk, in chunk order: the result does not depend on which worker took which chunk.
    std::vector<ErrorAccumulator> chunks((n + reader.chunk() - 1) / reader.chunk());
    std::vector<uint8_t> nonFinite(chunks.size(), 0);
    struct Scratch {
        std::vector<std::byte> bytes;
        std::vector<float> back;
    };
    std::vector<Scratch> scratch(static_cast<size_t>(workers));
    const size_t blockBytes = traits(type).blockBytes;
    const PassStatus status = chunkedPass(n, threads, progress, reader, [&](const float* x, uint64_t first, size_t count,
                                                                            int worker) {
        const size_t c = first / reader.chunk();
        for (size_t i = 0; i < count; ++i)
            if (!std::isfinite(x[i])) {
                nonFinite[c] = 1;
                return;
            }
        Scratch& s = scratch[static_cast<size_t>(worker)];
        s.back.resize(count);
        if (kept) {
            std::copy(x, x + count, s.back.begin());
        } else if (asF16) {
            for (size_t i = 0; i < count; ++i) s.back[i] = f16ToF32(f32ToF16(x[i]));
        } else {
            const size_t blocks = count / block;
            s.bytes.resize(blocks * blockBytes);
            encodeGgmlBlocks(type, x, blocks, s.bytes.data());
            decodeGgmlBlocks(type, s.bytes.data(), blocks, s.back.data());
        }
        ErrorAccumulator& acc = chunks[c];
        for (size_t i = 0; i < count; ++i) acc.add(x[i], s.back[i], false);
    });
    if (status == PassStatus::Cancelled) return makeError("cancelled");
    if (status == PassStatus::Failed) return makeError("could not read the tensor's values");
    for (uint8_t f : nonFinite)
        if (f) return makeError("the tensor holds NaN or Inf, on which llama.cpp's quantizers are undefined");
    ErrorAccumulator total;
    for (const auto& a : chunks) total.merge(a);
    if (sums) *sums = total;
    return total.finish(0, 0);
}

Result<std::vector<GgmlRoundTrip>> ggmlRoundTrips(const TensorView& view, const std::vector<DType>& types,
                                                  Progress* progress, int threads) {
    std::vector<GgmlRoundTrip> out;
    const bool kept = ggmlKeptAsStored(view.info());
    for (DType t : types) {
        GgmlRoundTrip r;
        r.type = t;
        r.written = ggmlWrittenType(view.info(), t);
        r.kept = kept;
        bool done = false;
        for (const auto& earlier : out)
            if (earlier.written == r.written) {
                r.sums = earlier.sums;
                done = true;
                break;
            }
        if (!done) {
            auto e = ggmlRequantError(view, r.written, progress, threads, &r.sums);
            if (!e) return Error{e.message()};
        }
        out.push_back(r);
    }
    return out;
}

double GgmlModelTotals::relativeRms() const {
    return sumSqErr == 0 || sumSqX == 0 ? 0.0 : std::sqrt(sumSqErr / sumSqX);
}

}  // namespace qv
