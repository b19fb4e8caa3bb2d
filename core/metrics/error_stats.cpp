// The exact error pass: quantize every element with per-slice params, measure what it cost.
#include "core/metrics/error_stats.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>

#include "core/base/chunked_pass.h"
#include "core/base/parallel.h"
#include "core/metrics/error_kernel.h"

namespace qv {

void ErrorAccumulator::add(float x, float xq, bool wasClipped) {
    const double e = static_cast<double>(xq) - static_cast<double>(x);
    ++count;
    if (wasClipped) ++clipped;
    sumSqErr += e * e;
    sumAbsErr += std::fabs(e);
    maxAbsErr = std::max(maxAbsErr, std::fabs(e));
    sumSqX += static_cast<double>(x) * x;
    sumSqXq += static_cast<double>(xq) * xq;
    sumXXq += static_cast<double>(x) * xq;
}

void ErrorAccumulator::merge(const ErrorAccumulator& o) {
    count += o.count;
    clipped += o.clipped;
    sumSqErr += o.sumSqErr;
    sumAbsErr += o.sumAbsErr;
    maxAbsErr = std::max(maxAbsErr, o.maxAbsErr);
    sumSqX += o.sumSqX;
    sumSqXq += o.sumSqXq;
    sumXXq += o.sumXXq;
}

ErrorStats ErrorAccumulator::finish(uint64_t codesUsed, uint64_t codesAvailable) const {
    ErrorStats s;
    s.count = count;
    s.codesUsed = codesUsed;
    s.codesAvailable = codesAvailable;
    if (count == 0) return s;  // nothing measured: zeros, cosine 1
    const auto n = static_cast<double>(count);
    s.mse = sumSqErr / n;
    s.rmse = std::sqrt(s.mse);
    s.maxAbsError = maxAbsErr;
    s.meanAbsError = sumAbsErr / n;
    s.clippedCount = clipped;
    s.clippedFraction = static_cast<double>(clipped) / n;
    // SQNR = 10·log10(‖x‖²/‖x − x̂‖²) = 20·log10(‖x‖/‖x − x̂‖) (ONNX Runtime qdq_loss_debug,
    // PyTorch Numeric Suite). A perfect reconstruction is +inf; an all-zero signal gives 0.
    if (sumSqX == 0) s.sqnrDb = 0;
    else if (sumSqErr == 0) s.sqnrDb = std::numeric_limits<double>::infinity();
    else s.sqnrDb = 10.0 * std::log10(sumSqX / sumSqErr);
    if (sumSqX == 0 && sumSqXq == 0) s.cosine = 1;
    else if (sumSqX == 0 || sumSqXq == 0) s.cosine = 0;
    else s.cosine = std::clamp(sumXXq / std::sqrt(sumSqX * sumSqXq), -1.0, 1.0);
    return s;
}

namespace {

constexpr size_t kChunk = 64 * 1024;
// Error histogram keys: the top 16 bits of the float32 error (sign, exponent, 7 mantissa bits),
// so the histogram is range-free and built in the same pass; bins are re-spread onto linear
// bins over [min e, max e] at the end (relative key width 2^−7 — display resolution).
constexpr int kErrKeyShift = 16;
constexpr uint32_t kErrKeys = 1u << (32 - kErrKeyShift);
// Per-slice code-usage bitmaps only while they stay small (per-group 4-bit of a big matrix is fine;
// 16-bit per-group is not): above this, per-slice codesUsed is reported as 0 and one bitmap
// serves the whole tensor.
constexpr uint64_t kMaxSliceCodeBits = uint64_t{1} << 27;
// Codes of a smooth distribution repeat from one element to the next (int8 of a Gaussian uses a
// few dozen codes), so incrementing one table chains each increment on the previous one through
// store-to-load forwarding; element k goes to table k mod 4 instead (for ≤ 4096 codes, folded into
// the 64-bit counts after each chunk, whose ≤ 2^32 elements cannot overflow them).
constexpr uint32_t kCodeSubTables = 4;
constexpr uint64_t kMaxCodeSubRange = 4096;

struct Worker {
    std::vector<ErrorAccumulator> slices;
    std::vector<uint32_t> usedBits;   // words per slice × (slices or 1)
    std::vector<int32_t> usedSeen;    // per bitmap: [lo, hi] code indices all set (CodeUsage::seen)
    std::vector<uint64_t> tiesPerCode;
    detail::TieLog ties;
    // Histogram pass only.
    std::vector<uint64_t> codeHist;
    std::vector<uint32_t> codeSub;  // kCodeSubTables interleaved uint32 tables, folded per chunk
    std::vector<uint32_t> errKeys;
    std::vector<int32_t> codes;
    std::vector<float> err;
    std::vector<uint8_t> finite;
};

void errKeyEdges(uint32_t key, double& lo, double& hi) {
    const uint32_t mag = key & (kErrKeys / 2 - 1);
    const double a = std::bit_cast<float>(mag << kErrKeyShift);
    double b = std::bit_cast<float>((mag + 1) << kErrKeyShift);
    if (!std::isfinite(b)) b = FLT_MAX;
    if (key & (kErrKeys / 2)) {
        lo = -b;
        hi = -a;
    } else {
        lo = a;
        hi = b;
    }
}

// One element with exactly the kernels' arithmetic (error_kernel_impl.h), for channels along the
// last axis (inner = 1), where the slice changes at every element and a kernel call per element
// would cost more than the work. This file is built without FMA contraction, like the kernels.
void scalarElement(const detail::ErrorKernelParams& p, float xv, ErrorAccumulator& slice, ErrorAccumulator& total,
                   uint32_t* usedBits,
                   detail::TieLog& ties, const detail::ErrorRunOutputs& outs, size_t k) {
    constexpr float kMagic = 0x1.8p23f;
    const bool fin = std::isfinite(xv);
    const float v = p.useReciprocal ? xv * p.invScale : xv / p.scale;
    const float rr = std::fabs(v) < 0x1p22f ? (v + kMagic) - kMagic : v;
    float r = rr < p.lowF ? p.lowF : rr;
    r = r > p.highF ? p.highF : r;
    r = r == r ? r : 0.0f;
    const float xq = p.scale * r;
    const int32_t index = static_cast<int32_t>(r) + p.zeroPoint - p.qmin;
    if (outs.codeIndex) {
        outs.codeIndex[k] = index;
        outs.err[k] = fin ? xq - xv : 0.0f;
        outs.finite[k] = fin ? 1 : 0;
    }
    if (!fin) return;
    const float d = v - rr;
    if ((d == 0.5f || d == -0.5f) && v > p.lowF && v < p.highF) detail::recordTie(ties, d > 0 ? index : index - 1);
    if (usedBits) usedBits[static_cast<uint32_t>(index) >> 5] |= 1u << (static_cast<uint32_t>(index) & 31);
    slice.add(xv, xq, rr < p.lowF || rr > p.highF);
    total.add(xv, xq, rr < p.lowF || rr > p.highF);
}

ErrorAccumulator fromRun(const detail::ErrorRunSums& rs) {
    ErrorAccumulator a;
    a.count = rs.count;
    a.clipped = rs.clipped;
    a.sumSqErr = rs.sumSqErr;
    a.sumAbsErr = rs.sumAbsErr;
    a.maxAbsErr = rs.maxAbsErr;
    a.sumSqX = rs.sumSqX;
    a.sumSqXq = rs.sumSqXq;
    a.sumXXq = rs.sumXXq;
    return a;
}

uint64_t popcount(const uint32_t* words, size_t n) {
    uint64_t c = 0;
    for (size_t i = 0; i < n; ++i) c += static_cast<uint64_t>(std::popcount(words[i]));
    return c;
}

// The error histogram over [min e, max e]: the range comes from the lowest and highest occupied
// error keys, tightened by the exact max |e| (widened when all errors are equal, e.g. 0).
void buildErrorHistogram(const std::vector<uint32_t>& errKeys, size_t errorBins, float maxScale, ErrorReport& report) {
    double lo = 0, hi = 0;
    if (report.total.count > 0) {
        const double maxAbs = report.total.maxAbsError;
        double bestLo = std::numeric_limits<double>::infinity(), bestHi = -bestLo;
        for (uint32_t key = 0; key < kErrKeys; ++key) {
            if (errKeys[key] == 0) continue;
            double a, b;
            errKeyEdges(key, a, b);
            bestLo = std::min(bestLo, a);
            bestHi = std::max(bestHi, b);
        }
        lo = std::max(bestLo, -maxAbs);
        hi = std::min(bestHi, maxAbs);
    }
    if (!(hi > lo)) {
        const double w = std::max({std::fabs(lo), 0.5 * static_cast<double>(maxScale), 1e-30});
        lo -= w;
        hi += w;
    }
    report.errorLo = lo;
    report.errorHi = hi;
    report.errorHistogram.assign(errorBins, 0.0);
    if (errorBins == 0 || report.total.count == 0) return;
    const double width = (hi - lo) / static_cast<double>(errorBins);
    auto& out = report.errorHistogram;
    for (uint32_t key = 0; key < kErrKeys; ++key) {
        const uint32_t c = errKeys[key];
        if (c == 0) continue;
        double a, b;
        errKeyEdges(key, a, b);
        // The occupied part of the key's bin is at most [lo, hi]: clip, then spread uniformly.
        a = std::max(a, lo);
        b = std::min(b, hi);
        double pa = (a - lo) / width, pb = (b - lo) / width;
        const auto last = static_cast<double>(errorBins);
        pa = std::clamp(pa, 0.0, last);
        pb = std::clamp(pb, 0.0, last);
        if (!(pb > pa)) {
            out[std::min(static_cast<size_t>(pa), errorBins - 1)] += c;
            continue;
        }
        const double density = c / (pb - pa);
        auto ia = static_cast<size_t>(pa);
        const auto ib = std::min(static_cast<size_t>(pb), errorBins - 1);
        if (ia == ib) {
            out[ia] += c;
            continue;
        }
        out[ia] += (static_cast<double>(ia + 1) - pa) * density;
        for (size_t k = ia + 1; k < ib; ++k) out[k] += density;
        out[ib] += (pb - static_cast<double>(ib)) * density;
    }
}

Result<std::shared_ptr<const ErrorReport>> measureImpl(uint64_t n, ChunkReader& reader, const SliceLayout& layout,
                                                       const QuantParams& params, Progress* progress,
                                                       const ErrorPassOptions& options, const std::string& name) {
    auto report = std::make_shared<ErrorReport>();
    if (progress) progress->setTotal(static_cast<double>(n));
    const QuantScheme& scheme = params.scheme;
    const int32_t qmin = scheme.qmin(), qmax = scheme.qmax();
    const auto range = static_cast<uint64_t>(qmax - qmin + 1);
    const uint64_t slices = layout.slices;
    const bool perSlice = layout.granularity != Granularity::PerTensor;
    const auto words = static_cast<uint32_t>((range + 31) / 32);
    const bool sliceBits = perSlice && slices * words * 32 <= kMaxSliceCodeBits;
    const bool histograms = options.histograms;
    // Channels along the last axis (inner = 1): the slice changes at every element, so those
    // elements go one by one (scalarElement) into their slice and the chunk's total.
    const bool lastAxisChannels = layout.granularity == Granularity::PerChannel && layout.inner == 1;

    // Per-slice kernel parameters, from exactly the quantizer the rest of the program uses.
    std::vector<detail::ErrorKernelParams> kp(slices);
    float maxScale = 0;
    for (uint64_t i = 0; i < slices; ++i) {
        const Quantizer q(scheme, i < params.slices.size() ? params.slices[i] : SliceParams{});
        auto& k = kp[i];
        k.scale = q.scale();
        k.invScale = 1.0f / q.scale();
        k.zeroPoint = q.zeroPoint();
        k.qmin = qmin;
        k.lowF = static_cast<float>(qmin - q.zeroPoint());
        k.highF = static_cast<float>(qmax - q.zeroPoint());
        k.useReciprocal = scheme.convention == Convention::PyTorch;
        k.table = q.levelTable();
        if (q.scale() < FLT_MAX) maxScale = std::max(maxScale, q.scale());
    }
    const LevelTable* levelTable = scheme.levelTable();
    const detail::ErrorKernelFn kernel = levelTable ? detail::selectErrorKernelLevels() : detail::selectErrorKernel();

    // The total is summed per chunk and the chunks merged in order, so it does not depend on
    // which worker took which chunk (the same tensor gives the same bits on every run).
    std::vector<ErrorAccumulator> chunkTotals((n + reader.chunk() - 1) / reader.chunk());
    const int workers = parallelWorkers(n, reader.chunk(), options.threads);
    std::vector<Worker> ws(static_cast<size_t>(workers));
    for (auto& w : ws) {
        if (perSlice) w.slices.assign(slices, ErrorAccumulator{});
        w.usedBits.assign(static_cast<size_t>(words) * (sliceBits ? slices : 1), 0);
        w.usedSeen.resize(2 * (sliceBits ? slices : 1));
        for (size_t k = 0; k < w.usedSeen.size(); k += 2) {
            w.usedSeen[k] = 1;  // empty
            w.usedSeen[k + 1] = 0;
        }
        if (!perSlice) {
            w.tiesPerCode.assign(range, 0);
            w.ties.perCode = w.tiesPerCode.data();
        }
        if (histograms) {
            w.codeHist.assign(range, 0);
            if (range <= kMaxCodeSubRange) w.codeSub.assign(kCodeSubTables * range, 0);
            w.errKeys.assign(kErrKeys, 0);
            w.codes.resize(detail::kErrorRunMax);
            w.err.resize(detail::kErrorRunMax);
            w.finite.resize(detail::kErrorRunMax);
        }
    }
    const PassStatus status = chunkedPass(n, options.threads, progress, reader, [&](const float* x, uint64_t begin,
                                                                                    size_t len, int wi) {
        Worker& w = ws[static_cast<size_t>(wi)];
        ErrorAccumulator& chunkTotal = chunkTotals[begin / reader.chunk()];
        detail::ErrorRunOutputs outs;
        if (histograms) outs = {w.codes.data(), w.err.data(), w.finite.data()};
        size_t i = 0;
        if (lastAxisChannels) {
            while (i < len) {
                const size_t run = std::min(len - i, detail::kErrorRunMax);
                for (size_t k = 0; k < run; ++k) {
                    const uint64_t slice = (begin + i + k) % layout.channels;
                    if (levelTable) {
                        // One element per call into the level kernel (its table search dominates anyway).
                        detail::ErrorRunOutputs one;
                        if (outs.codeIndex) one = {outs.codeIndex + k, outs.err + k, outs.finite + k};
                        detail::ErrorRunSums rs;
                        kernel(x + i + k, 1, kp[slice], {w.usedBits.data() + (sliceBits ? slice * words : 0), words, nullptr},
                               w.ties, one, rs);
                        if (rs.count > 0) {
                            const ErrorAccumulator a = fromRun(rs);
                            chunkTotal.merge(a);
                            w.slices[slice].merge(a);
                        }
                        continue;
                    }
                    scalarElement(kp[slice], x[i + k], w.slices[slice], chunkTotal,
                                  w.usedBits.data() + (sliceBits ? slice * words : 0), w.ties, outs, k);
                }
                if (histograms)
                    for (size_t k = 0; k < run; ++k) {
                        w.codeHist[static_cast<size_t>(w.codes[k])] += w.finite[k];
                        w.errKeys[std::bit_cast<uint32_t>(w.err[k]) >> kErrKeyShift] += w.finite[k];
                    }
                i += run;
            }
        }
        while (i < len) {
            const uint64_t idx = begin + i;
            const uint64_t slice = layout.sliceOf(idx);
            // Runs of the same length with or without the histograms: both give the same bits.
            size_t run = std::min(len - i, detail::kErrorRunMax);
            if (layout.granularity == Granularity::PerChannel) {
                run = std::min<uint64_t>(run, layout.inner - idx % layout.inner);
            } else if (layout.granularity == Granularity::PerGroup) {
                const uint64_t col = idx % layout.lastDim;
                const uint64_t groupEnd = std::min(layout.lastDim, (col / layout.groupSize + 1) * layout.groupSize);
                run = std::min<uint64_t>(run, groupEnd - col);
            }
            detail::ErrorRunSums rs;
            const detail::CodeUsage usage{w.usedBits.data() + (sliceBits ? slice * words : 0), words,
                                          w.usedSeen.data() + (sliceBits ? 2 * slice : 0)};
            kernel(x + i, run, kp[slice], usage, w.ties, outs, rs);
            if (rs.count > 0) {
                const ErrorAccumulator a = fromRun(rs);
                chunkTotal.merge(a);
                if (perSlice) w.slices[slice].merge(a);
            }
            if (histograms) {
                uint64_t* codeHist = w.codeHist.data();
                uint32_t* errKeys = w.errKeys.data();
                if (rs.count == run && !w.codeSub.empty()) {  // all finite (the usual case)
                    uint32_t* t0 = w.codeSub.data();
                    uint32_t* t1 = t0 + range;
                    uint32_t* t2 = t1 + range;
                    uint32_t* t3 = t2 + range;
                    size_t k = 0;
                    for (; k + 4 <= run; k += 4) {
                        ++t0[w.codes[k]];
                        ++t1[w.codes[k + 1]];
                        ++t2[w.codes[k + 2]];
                        ++t3[w.codes[k + 3]];
                    }
                    for (; k < run; ++k) ++t0[w.codes[k]];
                    for (k = 0; k < run; ++k) ++errKeys[std::bit_cast<uint32_t>(w.err[k]) >> kErrKeyShift];
                } else if (rs.count == run) {
                    for (size_t k = 0; k < run; ++k) {
                        ++codeHist[w.codes[k]];
                        ++errKeys[std::bit_cast<uint32_t>(w.err[k]) >> kErrKeyShift];
                    }
                } else {
                    for (size_t k = 0; k < run; ++k) {
                        codeHist[w.codes[k]] += w.finite[k];
                        errKeys[std::bit_cast<uint32_t>(w.err[k]) >> kErrKeyShift] += w.finite[k];
                    }
                }
            }
            i += run;
        }
        if (!w.codeSub.empty()) {
            for (uint32_t t = 0; t < kCodeSubTables; ++t)
                for (uint64_t c = 0; c < range; ++c) w.codeHist[c] += w.codeSub[t * range + c];
            std::fill(w.codeSub.begin(), w.codeSub.end(), 0u);
        }
    });
    if (status == PassStatus::Cancelled) return makeError("cancelled");
    if (status == PassStatus::Failed) return makeError(name + ": cannot decode the tensor's elements");

    // Merge the workers.
    ErrorAccumulator total;
    for (const auto& c : chunkTotals) total.merge(c);
    Worker& m = ws[0];
    for (size_t i = 1; i < ws.size(); ++i) {
        const Worker& w = ws[i];
        for (uint64_t s = 0; s < m.slices.size(); ++s) m.slices[s].merge(w.slices[s]);
        for (size_t b = 0; b < m.usedBits.size(); ++b) m.usedBits[b] |= w.usedBits[b];
        m.ties.total += w.ties.total;
        for (size_t c = 0; c < m.tiesPerCode.size(); ++c) m.tiesPerCode[c] += w.tiesPerCode[c];
        for (size_t c = 0; c < m.codeHist.size(); ++c) m.codeHist[c] += w.codeHist[c];
        for (size_t k = 0; k < m.errKeys.size(); ++k) m.errKeys[k] += w.errKeys[k];
    }
    // Codes used by the whole tensor: the union of the slices' bitmaps.
    std::vector<uint32_t> all(words, 0);
    for (size_t b = 0; b < m.usedBits.size(); ++b) all[b % words] |= m.usedBits[b];
    report->total = total.finish(popcount(all.data(), words), range);
    if (perSlice) {
        report->perSlice.reserve(slices);
        for (uint64_t s = 0; s < slices; ++s) {
            const uint64_t su = sliceBits ? popcount(m.usedBits.data() + s * words, words) : 0;
            report->perSlice.push_back(m.slices[s].finish(su, range));
        }
    }
    report->tieCount = m.ties.total;
    for (size_t c = 0; c < m.tiesPerCode.size(); ++c) {
        if (m.tiesPerCode[c] == 0) continue;
        if (report->ties.size() == ErrorReport::kMaxTieBoundaries) {
            report->tiesTruncated = true;
            break;
        }
        const int32_t below = qmin + static_cast<int32_t>(c);
        const double s = kp[0].scale;
        const double boundary = levelTable ? s * static_cast<double>(levelTable->midpoints[c])
                                           : s * (static_cast<double>(below - kp[0].zeroPoint) + 0.5);
        report->ties.push_back({below, boundary, m.tiesPerCode[c]});
    }
    if (histograms) {
        report->hasHistograms = true;
        report->codeHistogram = std::move(m.codeHist);
        buildErrorHistogram(m.errKeys, options.errorBins, maxScale, *report);
    }
    return std::shared_ptr<const ErrorReport>(report);
}

}  // namespace

Result<std::shared_ptr<const ErrorReport>> measureError(const TensorView& view, const QuantParams& params,
                                                        Progress* progress, const ErrorPassOptions& options) {
    const std::string& name = view.info().name;
    if (!view.valid()) return makeError(name + ": tensor has no data");
    const SliceLayout layout = SliceLayout::make(params.scheme, view.info().shape);
    if (params.slices.size() < layout.slices)
        return makeError(name + ": " + std::to_string(params.slices.size()) + " slice parameters for " +
                         std::to_string(layout.slices) + " slices of " + params.scheme.describe());
    ChunkReader reader = ChunkReader::forView(view, kChunk);
    auto result = measureImpl(view.elements(), reader, layout, params, progress, options, name);
    // As in summarize(): errors measured on zeros that replaced a truncated file's tail are not the file's.
    if (std::string why = view.source()->integrityProblem(); !why.empty()) return makeError(name + ": " + why);
    return result;
}

ErrorReport measureErrorValues(std::span<const float> values, const std::vector<int64_t>& shape,
                               const QuantParams& params, const ErrorPassOptions& options) {
    std::vector<int64_t> s = shape;
    const auto declared = checkedElements(s);
    if (!declared || *declared != values.size()) s = {static_cast<int64_t>(values.size())};
    const SliceLayout layout = SliceLayout::make(params.scheme, s);
    ChunkReader reader = ChunkReader::direct(values.data(), kChunk);
    auto r = measureImpl(values.size(), reader, layout, params, nullptr, options, "values");
    if (!r.ok()) return {};
    return *r.value();
}

ErrorReport measureErrorValues(std::span<const float> values, const std::vector<int64_t>& shape,
                               const QuantParams& params, size_t errorBins) {
    ErrorPassOptions o;
    o.errorBins = errorBins;
    return measureErrorValues(values, shape, params, o);
}

}  // namespace qv
