#include "core/metrics/ggml_requant.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <string>

#include "core/base/chunked_pass.h"
#include "core/tensor/ggml_blocks.h"
#include "core/base/parallel.h"
#include "core/tensor/ggml_encode.h"
#include "core/tensor/ggml_encode_weighted.h"
#include "core/tensor/half.h"

namespace qv {

const std::vector<DType>& ggmlRequantTypes() {
    static const std::vector<DType> types = {DType::Q8_0, DType::Q6_K, DType::Q5_1, DType::Q5_K, DType::Q5_0,
                                             DType::Q4_1, DType::Q4_K, DType::IQ4_NL, DType::Q4_0, DType::IQ4_XS, DType::Q3_K,
                                             DType::Q2_K};
    return types;
}

bool ggmlKeptAsStored(const TensorInfo& info) {
    const auto& tr = traits(info.dtype);
    if (!tr.isFloat && !tr.isBlockQuantized) return true;  // integers and bools: not weights
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

namespace {

// One round trip over a tensor, chunk by chunk on all workers: the checks ggmlRequantError documents, then
// body(x, x̂, first, count, worker, scratch) per chunk (chunks are whole blocks of the written type; the
// scratch keeps the chunk's encoded bytes). With an importance vector the chunks are groups of whole rows
// (Q4_0 … Q5_1's weighted search takes σ² over the row) encoded as llama-quantize --imatrix does.
class RoundTripPass {
public:
    struct Scratch {
        std::vector<std::byte> bytes;  // the chunk's blocks as written (empty when kept or F16)
        std::vector<float> back;       // x̂
    };
    using Body = std::function<void(const float* x, const float* xq, uint64_t first, size_t count, int worker,
                                    const Scratch& s)>;

    RoundTripPass(const TensorView& view, DType type, int threads, const GgmlImportance* importance = nullptr)
        : m_view(view), m_type(type), m_threads(threads), m_reader(ChunkReader::forView(view, size_t{1} << 16)) {
        const std::string name(dtypeName(type));
        m_copy = type == view.info().dtype;
        m_asF16 = type == DType::F16 && !m_copy;
        m_n = view.elements();
        const auto& shape = view.info().shape;
        m_row = shape.empty() ? m_n : static_cast<uint64_t>(shape.back());
        const uint32_t block = traits(type).blockElements;
        if (!m_copy && !m_asF16 && !ggmlEncodable(type)) m_error = "quantviz cannot write " + name + " blocks";
        else if (m_n == 0) m_error = "the tensor is empty";
        else if (m_row % block != 0)
            m_error = "rows of " + std::to_string(m_row) + " values are not a multiple of " + name + "'s block of " +
                      std::to_string(block) + " (llama.cpp writes such a tensor as " +
                      std::string(dtypeName(ggmlWrittenType(view.info(), type))) + ")";
        // Chunks of whole blocks (every reader chunk is a multiple of 64 Ki or of the stored block size, ≥ 32).
        else if (m_reader.chunk() % block != 0)
            m_error = "internal: chunk of " + std::to_string(m_reader.chunk()) + " values";
        if (m_error.empty()) m_workers = parallelWorkers(m_n, m_reader.chunk(), threads);
        if (m_error.empty() && importance && !importance->values.empty()) {
            const uint64_t rows = m_n / m_row, k = importance->values.size() / m_row;
            if (!m_copy && !m_asF16 && !ggmlWeightedEncodable(type)) m_error = "quantviz cannot write " + name + " blocks";
            else if (importance->values.size() % m_row != 0 || k == 0 || rows % k != 0)
                m_error = "the importance has " + std::to_string(importance->values.size()) + " values; rows of " +
                          std::to_string(m_row) + " need " + std::to_string(m_row) +
                          " (or that times the number of stacked matrices)";
            else {
                m_importance = importance;
                m_rowsPerMatrix = rows / k;
                // Encoding with it: groups of whole rows. Kept or F16 (no search to weight): the usual chunks.
                m_byRows = !m_copy && !m_asF16;
                m_group = static_cast<size_t>(std::max<uint64_t>(1, (uint64_t{1} << 16) / m_row));
                if (m_byRows) m_workers = parallelWorkers(static_cast<size_t>(rows), m_group, threads);
            }
        }
    }
    // With an importance: the importance values of the row holding flat element i (its matrix's slice).
    const float* importanceRow(uint64_t i) const {
        return m_importance->values.data() + ((i / m_row) / m_rowsPerMatrix) * m_row;
    }
    const std::string& error() const { return m_error; }
    bool copied() const { return m_copy; }  // the stored type itself: x̂ = x
    bool asF16() const { return m_asF16; }
    uint64_t elements() const { return m_n; }
    uint64_t rowLength() const { return m_row; }
    size_t chunk() const { return m_byRows ? m_group * static_cast<size_t>(m_row) : m_reader.chunk(); }
    size_t chunks() const { return static_cast<size_t>((m_n + chunk() - 1) / chunk()); }
    int workers() const { return m_workers; }

    // Empty when every chunk was measured; else why not.
    std::string run(Progress* progress, const Body& body) {
        if (m_byRows) return runRows(progress, body);
        std::vector<uint8_t> nonFinite(chunks(), 0);
        std::vector<Scratch> scratch(static_cast<size_t>(m_workers));
        const size_t blockBytes = traits(m_type).blockBytes, block = traits(m_type).blockElements;
        const PassStatus status = chunkedPass(m_n, m_threads, progress, m_reader, [&](const float* x, uint64_t first,
                                                                                      size_t count, int worker) {
            for (size_t i = 0; i < count; ++i)
                if (!std::isfinite(x[i])) {
                    nonFinite[first / m_reader.chunk()] = 1;
                    return;
                }
            Scratch& s = scratch[static_cast<size_t>(worker)];
            s.back.resize(count);
            if (m_copy) {
                std::copy(x, x + count, s.back.begin());
            } else if (m_asF16) {
                for (size_t i = 0; i < count; ++i) s.back[i] = f16ToF32(f32ToF16(x[i]));
            } else {
                const size_t blocks = count / block;
                s.bytes.resize(blocks * blockBytes);
                encodeGgmlBlocks(m_type, x, blocks, s.bytes.data());
                decodeGgmlBlocks(m_type, s.bytes.data(), blocks, s.back.data());
            }
            body(x, s.back.data(), first, count, worker, s);
        });
        if (status == PassStatus::Cancelled) return "cancelled";
        if (status == PassStatus::Failed) return "could not read the tensor's values";
        for (uint8_t f : nonFinite)
            if (f) return "the tensor holds NaN or Inf, on which llama.cpp's quantizers are undefined";
        return {};
    }

private:
    // The importance form: groups of whole rows, each row through encodeGgmlBlocksWeighted with its matrix's
    // importance (or, encodeWeighted false, the reference encoders on the same rows).
    std::string runRows(Progress* progress, const Body& body) {
        const uint64_t rows = m_n / m_row;
        const size_t block = traits(m_type).blockElements, blockBytes = traits(m_type).blockBytes;
        const size_t perRow = static_cast<size_t>(m_row) / block, rowBytes = perRow * blockBytes;
        std::vector<Scratch> scratch(static_cast<size_t>(m_workers));
        std::vector<std::vector<float>> input(static_cast<size_t>(m_workers));
        std::atomic<int> failure{0};  // 1 cancelled, 2 unreadable, 3 not finite
        const float* imp = m_importance->values.data();
        parallelFor(static_cast<size_t>(rows), m_group, m_threads, [&](size_t begin, size_t end, int worker) {
            if (failure.load(std::memory_order_relaxed)) return;
            if (progress && progress->cancelled()) {
                failure = 1;
                return;
            }
            const uint64_t first = begin * m_row;
            const size_t count = (end - begin) * static_cast<size_t>(m_row);
            const float* x = m_view.directF32() ? m_view.directF32() + first : nullptr;
            if (!x) {
                auto& in = input[static_cast<size_t>(worker)];
                in.resize(count);
                if (!m_view.read(first, count, in.data())) {
                    failure = 2;
                    return;
                }
                x = in.data();
            }
            for (size_t i = 0; i < count; ++i)
                if (!std::isfinite(x[i])) {
                    failure = 3;
                    return;
                }
            Scratch& s = scratch[static_cast<size_t>(worker)];
            s.back.resize(count);
            s.bytes.resize((end - begin) * rowBytes);
            for (size_t r = begin; r < end; ++r) {
                const float* xr = x + (r - begin) * m_row;
                std::byte* yr = s.bytes.data() + (r - begin) * rowBytes;
                if (m_importance->encodeWeighted)
                    encodeGgmlBlocksWeighted(m_type, xr, imp + (r / m_rowsPerMatrix) * m_row, 1, static_cast<size_t>(m_row), yr);
                else
                    encodeGgmlBlocks(m_type, xr, perRow, yr);
            }
            decodeGgmlBlocks(m_type, s.bytes.data(), (end - begin) * perRow, s.back.data());
            body(x, s.back.data(), first, count, worker, s);
            if (progress) progress->add(static_cast<double>(count));
        });
        switch (failure.load()) {
            case 1: return "cancelled";
            case 2: return "could not read the tensor's values";
            case 3: return "the tensor holds NaN or Inf, on which llama.cpp's quantizers are undefined";
            default: return progress && progress->cancelled() ? "cancelled" : std::string();
        }
    }

    const TensorView& m_view;
    const GgmlImportance* m_importance = nullptr;
    bool m_byRows = false;
    uint64_t m_rowsPerMatrix = 1;
    size_t m_group = 1;
    DType m_type;
    int m_threads;
    ChunkReader m_reader;
    bool m_copy = false, m_asF16 = false;
    uint64_t m_n = 0, m_row = 0;
    int m_workers = 1;
    std::string m_error;
};

// Bin of v in `bins` equal bins of [lo, hi] (hi in the last), or -1 outside.
int64_t binOf(double v, double lo, double hi, size_t bins) {
    if (!(v >= lo && v <= hi)) return -1;
    const auto b = static_cast<int64_t>((v - lo) / (hi - lo) * static_cast<double>(bins));
    return std::min(b, static_cast<int64_t>(bins) - 1);
}

// Worse block first: larger Σe², then the earlier block.
bool worseBlock(const GgmlBlockError& a, const GgmlBlockError& b) {
    if (a.sumSqErr != b.sumSqErr) return a.sumSqErr > b.sumSqErr;
    return a.row != b.row ? a.row < b.row : a.column < b.column;
}

}  // namespace

Result<ErrorStats> ggmlRequantError(const TensorView& view, DType type, Progress* progress, int threads,
                                    ErrorAccumulator* sums) {
    RoundTripPass pass(view, type, threads);
    if (!pass.error().empty()) return makeError(pass.error());
    // Merged per chunk, in chunk order: the result does not depend on which worker took which chunk.
    std::vector<ErrorAccumulator> chunks(pass.chunks());
    const std::string failed = pass.run(progress, [&](const float* x, const float* xq, uint64_t first, size_t count, int,
                                                      const RoundTripPass::Scratch&) {
        ErrorAccumulator& acc = chunks[first / pass.chunk()];
        for (size_t i = 0; i < count; ++i) acc.add(x[i], xq[i], false);
    });
    if (!failed.empty()) return makeError(failed);
    ErrorAccumulator total;
    for (const auto& a : chunks) total.merge(a);
    if (sums) *sums = total;
    return total.finish(0, 0);
}

Result<GgmlRequantDetail> ggmlRequantDetail(const TensorView& view, DType type, const GgmlDetailOptions& options,
                                            Progress* progress) {
    GgmlRequantDetail d;
    d.type = type;
    d.written = ggmlWrittenType(view.info(), type);
    d.kept = ggmlKeptAsStored(view.info());
    if (d.kept) return d;
    RoundTripPass pass(view, d.written, options.threads, &options.importance);
    if (!pass.error().empty()) return makeError(pass.error());
    const size_t workers = static_cast<size_t>(pass.workers());
    d.rowLength = pass.rowLength();
    const uint64_t rows = pass.elements() / d.rowLength;

    // The ranges, when not given: max|e| and [min x, max x] from a first round trip.
    d.errorLo = options.errorLo, d.errorHi = options.errorHi, d.valueLo = options.valueLo, d.valueHi = options.valueHi;
    if (!(d.errorLo < d.errorHi) || !(d.valueLo < d.valueHi)) {
        struct Range {
            double maxAbsErr = 0, lo = INFINITY, hi = -INFINITY;
        };
        std::vector<Range> ranges(workers);
        const std::string failed = pass.run(progress, [&](const float* x, const float* xq, uint64_t, size_t count,
                                                          int worker, const RoundTripPass::Scratch&) {
            Range& r = ranges[static_cast<size_t>(worker)];
            for (size_t i = 0; i < count; ++i) {
                r.maxAbsErr = std::max(r.maxAbsErr, std::fabs(static_cast<double>(xq[i]) - x[i]));
                r.lo = std::min(r.lo, static_cast<double>(x[i]));
                r.hi = std::max(r.hi, static_cast<double>(x[i]));
            }
        });
        if (!failed.empty()) return makeError(failed);
        Range all;
        for (const auto& r : ranges) all = {std::max(all.maxAbsErr, r.maxAbsErr), std::min(all.lo, r.lo), std::max(all.hi, r.hi)};
        if (!(d.errorLo < d.errorHi)) {
            const double m = all.maxAbsErr > 0 ? all.maxAbsErr : 1.0;  // no error: any range (one bin of zeros)
            d.errorLo = -m, d.errorHi = m;
        }
        if (!(d.valueLo < d.valueHi)) {
            d.valueLo = all.lo, d.valueHi = all.hi;
            if (!(d.valueLo < d.valueHi)) d.valueLo -= 0.5, d.valueHi += 0.5;  // a constant tensor
        }
    }

    // Blocks: the groups sharing one step (none for a copy or an F16 fallback: no block structure).
    const GgmlGroupLayout layout = pass.copied() || pass.asF16() ? GgmlGroupLayout{} : ggmlGroupLayout(d.written);
    d.blockElements = layout.groupElements;
    d.blocks = d.blockElements ? pass.elements() / d.blockElements : 0;
    const size_t topK = options.topBlocks, errorBins = std::max<size_t>(1, options.errorBins),
                 valueBins = std::max<size_t>(1, options.valueBins);

    struct ChunkOut {
        ErrorAccumulator total;
        uint64_t firstRow = 0;
        std::vector<ErrorAccumulator> rows;  // rows firstRow … that the chunk touches (partial at its ends)
        std::vector<GgmlBlockError> worst;   // the chunk's top-k blocks
    };
    struct WorkerOut {
        std::vector<double> histogram;
        uint64_t outside = 0;
        std::vector<double> lo, hi;
        std::vector<float> step, offset;
        std::vector<GgmlBlockError> blocks;
    };
    std::vector<ChunkOut> chunks(pass.chunks());
    std::vector<WorkerOut> work(workers);
    for (auto& w : work) {
        w.histogram.assign(errorBins, 0.0);
        w.lo.assign(valueBins, INFINITY);
        w.hi.assign(valueBins, -INFINITY);
    }
    const std::string failed = pass.run(progress, [&](const float* x, const float* xq, uint64_t first, size_t count,
                                                      int worker, const RoundTripPass::Scratch& s) {
        ChunkOut& c = chunks[first / pass.chunk()];
        WorkerOut& w = work[static_cast<size_t>(worker)];
        // The total exactly as ggmlRequantError sums it (same chunks, same order).
        for (size_t i = 0; i < count; ++i) c.total.add(x[i], xq[i], false);
        // Rows: the runs of rowLength elements this chunk overlaps.
        c.firstRow = first / d.rowLength;
        c.rows.assign(static_cast<size_t>((first + count - 1) / d.rowLength - c.firstRow + 1), ErrorAccumulator{});
        for (uint64_t pos = first; pos < first + count;) {
            const uint64_t r = pos / d.rowLength, end = std::min((r + 1) * d.rowLength, first + count);
            ErrorAccumulator& acc = c.rows[static_cast<size_t>(r - c.firstRow)];
            for (; pos < end; ++pos) acc.add(x[pos - first], xq[pos - first], false);
        }
        for (size_t i = 0; i < count; ++i) {
            const double e = static_cast<double>(xq[i]) - x[i];
            const int64_t b = binOf(e, d.errorLo, d.errorHi, errorBins);
            if (b < 0) ++w.outside;
            else w.histogram[static_cast<size_t>(b)] += 1;
            const int64_t v = binOf(x[i], d.valueLo, d.valueHi, valueBins);
            if (v >= 0) {
                w.lo[static_cast<size_t>(v)] = std::min(w.lo[static_cast<size_t>(v)], e);
                w.hi[static_cast<size_t>(v)] = std::max(w.hi[static_cast<size_t>(v)], e);
            }
        }
        if (!d.blockElements || topK == 0) return;
        const size_t g = d.blockElements, groups = count / g;
        w.step.resize(groups);
        w.offset.resize(groups);
        ggmlGroupScales(d.written, s.bytes.data(), count / traits(d.written).blockElements, w.step.data(), w.offset.data());
        w.blocks.resize(groups);
        for (size_t k = 0; k < groups; ++k) {
            GgmlBlockError& b = w.blocks[k];
            b = GgmlBlockError{};
            const uint64_t at = first + k * g;
            b.row = at / d.rowLength;
            b.column = at % d.rowLength;
            b.step = w.step[k];
            b.offset = w.offset[k];
            for (size_t i = k * g; i < (k + 1) * g; ++i) {
                const double e = static_cast<double>(xq[i]) - x[i];
                b.sumSqErr += e * e;
                b.maxAbsErr = std::max(b.maxAbsErr, std::fabs(e));
                b.maxAbsX = std::max(b.maxAbsX, std::fabs(static_cast<double>(x[i])));
            }
        }
        const size_t keep = std::min(topK, groups);
        std::partial_sort(w.blocks.begin(), w.blocks.begin() + static_cast<std::ptrdiff_t>(keep), w.blocks.end(), worseBlock);
        c.worst.assign(w.blocks.begin(), w.blocks.begin() + static_cast<std::ptrdiff_t>(keep));
    });
    if (!failed.empty()) return makeError(failed);

    d.rowSums.assign(static_cast<size_t>(rows), ErrorAccumulator{});
    for (const auto& c : chunks) {
        d.total.merge(c.total);
        for (size_t k = 0; k < c.rows.size(); ++k) d.rowSums[static_cast<size_t>(c.firstRow) + k].merge(c.rows[k]);
        d.worstBlocks.insert(d.worstBlocks.end(), c.worst.begin(), c.worst.end());
    }
    d.rows.reserve(d.rowSums.size());
    for (const auto& r : d.rowSums) d.rows.push_back(r.finish(0, 0));
    std::sort(d.worstBlocks.begin(), d.worstBlocks.end(), worseBlock);
    if (d.worstBlocks.size() > topK) d.worstBlocks.resize(topK);
    for (auto& b : d.worstBlocks) b.share = d.total.sumSqErr > 0 ? b.sumSqErr / d.total.sumSqErr : 0.0;
    d.errorHistogram.assign(errorBins, 0.0);
    d.envelopeLo.assign(valueBins, 0.0);
    d.envelopeHi.assign(valueBins, 0.0);
    d.envelopeHas.assign(valueBins, 0);
    double lo = 0, hi = 0;
    for (size_t b = 0; b < valueBins; ++b) {
        lo = INFINITY, hi = -INFINITY;
        for (const auto& w : work) lo = std::min(lo, w.lo[b]), hi = std::max(hi, w.hi[b]);
        if (lo <= hi) d.envelopeLo[b] = lo, d.envelopeHi[b] = hi, d.envelopeHas[b] = 1;
    }
    for (const auto& w : work) {
        for (size_t b = 0; b < errorBins; ++b) d.errorHistogram[b] += w.histogram[b];
        d.errorOutside += w.outside;
    }
    return d;
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

Result<ErrorStats> ggmlRequantError(const TensorView& view, DType type, const GgmlImportance& importance,
                                    Progress* progress, int threads, ErrorAccumulator* sums, GgmlWeightedSums* weighted) {
    if (weighted) *weighted = {};
    if (importance.values.empty()) return ggmlRequantError(view, type, progress, threads, sums);
    RoundTripPass pass(view, type, threads, &importance);
    if (!pass.error().empty()) return makeError(pass.error());
    // Merged per chunk (groups of whole rows), in chunk order: independent of which worker took which chunk.
    std::vector<ErrorAccumulator> acc(pass.chunks());
    std::vector<GgmlWeightedSums> wacc(pass.chunks());
    const uint64_t row = pass.rowLength();
    const std::string failed = pass.run(progress, [&](const float* x, const float* xq, uint64_t first, size_t count, int,
                                                      const RoundTripPass::Scratch&) {
        const size_t g = first / pass.chunk();
        ErrorAccumulator& a = acc[g];
        GgmlWeightedSums& w = wacc[g];
        for (size_t i = 0; i < count;) {
            // One row (or the part of it in this chunk) at a time: one importance slice.
            const uint64_t at = first + i;
            const float* qw = pass.importanceRow(at);
            const size_t j0 = static_cast<size_t>(at % row), n = std::min<size_t>(count - i, static_cast<size_t>(row) - j0);
            for (size_t j = 0; j < n; ++j) {
                const float xv = x[i + j], xh = xq[i + j];
                a.add(xv, xh, false);
                const double e = static_cast<double>(xh) - xv;
                w.sumImpSqErr += qw[j0 + j] * e * e;
                w.sumImpSqX += qw[j0 + j] * static_cast<double>(xv) * xv;
            }
            i += n;
        }
    });
    if (!failed.empty()) return makeError(failed);
    ErrorAccumulator total;
    GgmlWeightedSums wtotal;
    for (size_t g = 0; g < acc.size(); ++g) {
        total.merge(acc[g]);
        wtotal.sumImpSqErr += wacc[g].sumImpSqErr;
        wtotal.sumImpSqX += wacc[g].sumImpSqX;
    }
    if (sums) *sums = total;
    if (weighted) *weighted = wtotal;
    return total.finish(0, 0);
}

Result<std::vector<GgmlRoundTrip>> ggmlRoundTrips(const TensorView& view, const std::vector<DType>& types,
                                                  const GgmlImportance& importance, Progress* progress, int threads) {
    if (importance.values.empty() || ggmlKeptAsStored(view.info())) return ggmlRoundTrips(view, types, progress, threads);
    std::vector<GgmlRoundTrip> out;
    for (DType t : types) {
        GgmlRoundTrip r;
        r.type = t;
        r.written = ggmlWrittenType(view.info(), t);
        bool done = false;
        for (const auto& earlier : out)
            if (earlier.written == r.written) {
                r.sums = earlier.sums;
                r.weighted = earlier.weighted;
                done = true;
                break;
            }
        if (!done) {
            auto e = ggmlRequantError(view, r.written, importance, progress, threads, &r.sums, &r.weighted);
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
