// The exact error pass: quantize every element with per-slice params, measure what it cost.
#include "core/metrics/error_stats.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>

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
// 16-bit per-group is not): above this, per-slice codesUsed is reported as 0.
constexpr uint64_t kMaxSliceCodeBits = uint64_t{1} << 27;

struct Worker {
    ErrorAccumulator total;
    std::vector<ErrorAccumulator> slices;
    std::vector<uint64_t> codeHist;
    std::vector<uint32_t> errKeys;
    std::vector<uint64_t> sliceCodeBits;
    std::vector<float> buffer;
    int32_t codes[detail::kErrorRunMax];
    float err[detail::kErrorRunMax];
    uint8_t finite[detail::kErrorRunMax];
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

// One element with exactly the kernel's arithmetic (error_kernel_impl.h, phase A then the double
// moments): this file is built without FMA contraction, like the kernels.
struct ScalarResult {
    bool finite = false, clipped = false;
    int32_t code = 0;
    float err = 0;
    double dx = 0, dq = 0, de = 0;
};
ScalarResult scalarStep(const detail::ErrorKernelParams& p, float xv) {
    constexpr float kMagic = 0x1.8p23f;
    ScalarResult o;
    o.finite = std::isfinite(xv);
    const float v = p.useReciprocal ? xv * p.invScale : xv / p.scale;
    float r = std::fabs(v) < 0x1p22f ? (v + kMagic) - kMagic : v;
    o.clipped = o.finite && (r < p.lowF || r > p.highF);
    r = r < p.lowF ? p.lowF : r;
    r = r > p.highF ? p.highF : r;
    r = r == r ? r : 0.0f;
    const float xq = p.scale * r;
    o.code = static_cast<int32_t>(r) + p.zeroPoint;
    if (!o.finite) return o;
    o.err = xq - xv;
    o.dx = xv;
    o.dq = xq;
    o.de = o.dq - o.dx;
    return o;
}

using ChunkSource = std::function<const float*(uint64_t begin, size_t count, Worker& w, bool& ok)>;

Result<std::shared_ptr<const ErrorReport>> measureImpl(uint64_t n, size_t chunk, const ChunkSource& source,
                                                       const SliceLayout& layout, const QuantParams& params,
                                                       Progress* progress, int threads, size_t errorBins,
                                                       const std::string& name) {
    auto report = std::make_shared<ErrorReport>();
    if (progress) progress->setTotal(static_cast<double>(n));
    const QuantScheme& scheme = params.scheme;
    const int32_t qmin = scheme.qmin(), qmax = scheme.qmax();
    const auto range = static_cast<uint64_t>(qmax - qmin + 1);
    const uint64_t slices = layout.slices;
    const bool perSlice = layout.granularity != Granularity::PerTensor;
    const bool sliceBits = perSlice && slices * range <= kMaxSliceCodeBits;

    // Per-slice kernel parameters, from exactly the quantizer the rest of the program uses.
    std::vector<detail::ErrorKernelParams> kp(slices);
    float maxScale = 0;
    for (uint64_t i = 0; i < slices; ++i) {
        const AffineQuantizer q(scheme, i < params.slices.size() ? params.slices[i] : SliceParams{});
        auto& k = kp[i];
        k.scale = q.scale();
        k.invScale = 1.0f / q.scale();
        k.zeroPoint = q.zeroPoint();
        k.lowF = static_cast<float>(qmin - q.zeroPoint());
        k.highF = static_cast<float>(qmax - q.zeroPoint());
        k.useReciprocal = scheme.convention == Convention::PyTorch;
        if (q.scale() < FLT_MAX) maxScale = std::max(maxScale, q.scale());
    }
    const detail::ErrorKernelFn kernel = detail::selectErrorKernel();

    const int workers = parallelWorkers(n, chunk, threads);
    std::vector<Worker> ws(static_cast<size_t>(workers));
    for (auto& w : ws) {
        if (perSlice) w.slices.assign(slices, ErrorAccumulator{});
        w.codeHist.assign(range, 0);
        w.errKeys.assign(kErrKeys, 0);
        if (sliceBits) w.sliceCodeBits.assign((slices * range + 63) / 64, 0);
    }
    std::atomic<bool> cancelled{false}, failed{false};
    parallelFor(n, chunk, threads, [&](size_t begin, size_t end, int wi) {
        if (cancelled.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed)) return;
        if (progress && progress->cancelled()) {
            cancelled.store(true);
            return;
        }
        Worker& w = ws[static_cast<size_t>(wi)];
        bool ok = true;
        const float* x = source(begin, end - begin, w, ok);
        if (!ok) {
            failed.store(true);
            return;
        }
        const size_t len = end - begin;
        // errKeys are uint32 (256 KiB per worker stays in L2): exact below 2^32 elements per
        // worker; beyond that the error histogram — a display aid — would wrap (the statistics,
        // code counts and the rest stay exact).
        size_t i = 0;
        // Channels along the last axis (inner = 1) change slice at every element: one kernel
        // call per element would cost more than the work, so that layout runs element by element
        // with the kernel's exact arithmetic (scalarStep).
        if (layout.granularity == Granularity::PerChannel && layout.inner == 1) {
            for (; i < len; ++i) {
                const uint64_t slice = (begin + i) % layout.channels;
                const ScalarResult q = scalarStep(kp[slice], x[i]);
                if (!q.finite) continue;
                ErrorAccumulator a;
                a.count = 1;
                a.clipped = q.clipped ? 1 : 0;
                a.sumSqErr = q.de * q.de;
                a.sumAbsErr = std::fabs(q.de);
                a.maxAbsErr = std::fabs(q.de);
                a.sumSqX = q.dx * q.dx;
                a.sumSqXq = q.dq * q.dq;
                a.sumXXq = q.dx * q.dq;
                w.total.merge(a);
                w.slices[slice].merge(a);
                ++w.codeHist[static_cast<size_t>(q.code - qmin)];
                ++w.errKeys[std::bit_cast<uint32_t>(q.err) >> kErrKeyShift];
                if (sliceBits) {
                    const uint64_t bit = slice * range + static_cast<uint64_t>(q.code - qmin);
                    w.sliceCodeBits[bit >> 6] |= uint64_t{1} << (bit & 63);
                }
            }
        }
        while (i < len) {
            const uint64_t idx = begin + i;
            const uint64_t slice = layout.sliceOf(idx);
            size_t run = std::min(len - i, detail::kErrorRunMax);
            if (layout.granularity == Granularity::PerChannel) {
                run = std::min<uint64_t>(run, layout.inner - idx % layout.inner);
            } else if (layout.granularity == Granularity::PerGroup) {
                const uint64_t col = idx % layout.lastDim;
                const uint64_t groupEnd = std::min(layout.lastDim, (col / layout.groupSize + 1) * layout.groupSize);
                run = std::min<uint64_t>(run, groupEnd - col);
            }
            detail::ErrorRunSums rs;
            kernel(x + i, run, kp[slice], w.codes, w.err, w.finite, rs);
            if (rs.count > 0) {
                ErrorAccumulator a;
                a.count = rs.count;
                a.clipped = rs.clipped;
                a.sumSqErr = rs.sumSqErr;
                a.sumAbsErr = rs.sumAbsErr;
                a.maxAbsErr = rs.maxAbsErr;
                a.sumSqX = rs.sumSqX;
                a.sumSqXq = rs.sumSqXq;
                a.sumXXq = rs.sumXXq;
                w.total.merge(a);
                if (perSlice) w.slices[slice].merge(a);
            }
            uint64_t* codeHist = w.codeHist.data() - qmin;
            uint32_t* errKeys = w.errKeys.data();
            // Prefetch the next run while this one is binned (the binning touches only L1/L2,
            // so otherwise the stream from memory stalls at the start of every run).
            const float* next = x + i + run;
            const float* chunkEnd = x + len;
            if (rs.count == run) {  // all finite (the usual case): plain increments
                for (size_t k = 0; k < run; ++k) {
                    if ((k & 15) == 0 && next + k < chunkEnd) __builtin_prefetch(next + k);
                    ++codeHist[w.codes[k]];
                    ++errKeys[std::bit_cast<uint32_t>(w.err[k]) >> kErrKeyShift];
                }
            } else {
                for (size_t k = 0; k < run; ++k) {
                    codeHist[w.codes[k]] += w.finite[k];
                    errKeys[std::bit_cast<uint32_t>(w.err[k]) >> kErrKeyShift] += w.finite[k];
                }
            }
            if (sliceBits) {
                const uint64_t base = slice * range - static_cast<uint64_t>(static_cast<int64_t>(qmin));
                for (size_t k = 0; k < run; ++k) {
                    if (!w.finite[k]) continue;
                    const uint64_t bit = base + static_cast<uint64_t>(static_cast<int64_t>(w.codes[k]));
                    w.sliceCodeBits[bit >> 6] |= uint64_t{1} << (bit & 63);
                }
            }
            i += run;
        }
        if (progress) progress->add(static_cast<double>(len));
    });
    if (cancelled) return makeError("cancelled");
    if (failed) return makeError(name + ": cannot decode the tensor's elements");

    // Merge the workers.
    Worker& m = ws[0];
    for (size_t i = 1; i < ws.size(); ++i) {
        const Worker& w = ws[i];
        m.total.merge(w.total);
        for (uint64_t s = 0; s < m.slices.size(); ++s) m.slices[s].merge(w.slices[s]);
        for (uint64_t c = 0; c < range; ++c) m.codeHist[c] += w.codeHist[c];
        for (uint32_t k = 0; k < kErrKeys; ++k) m.errKeys[k] += w.errKeys[k];
        for (size_t b = 0; b < m.sliceCodeBits.size(); ++b) m.sliceCodeBits[b] |= w.sliceCodeBits[b];
    }
    const auto used = static_cast<uint64_t>(std::count_if(m.codeHist.begin(), m.codeHist.end(), [](uint64_t c) { return c > 0; }));
    report->total = m.total.finish(used, range);
    report->codeHistogram = std::move(m.codeHist);
    if (perSlice) {
        report->perSlice.reserve(slices);
        for (uint64_t s = 0; s < slices; ++s) {
            uint64_t su = 0;
            if (sliceBits) {
                for (uint64_t c = 0; c < range; ++c) {
                    const uint64_t bit = s * range + c;
                    su += (m.sliceCodeBits[bit >> 6] >> (bit & 63)) & 1;
                }
            }
            report->perSlice.push_back(m.slices[s].finish(su, range));
        }
    }

    // Error histogram over [min e, max e]: the range comes from the lowest and highest occupied
    // error keys, tightened by the exact max |e| (widened when all errors are equal, e.g. 0).
    double lo = 0, hi = 0;
    if (report->total.count > 0) {
        const double maxAbs = report->total.maxAbsError;
        double bestLo = std::numeric_limits<double>::infinity(), bestHi = -bestLo;
        for (uint32_t key = 0; key < kErrKeys; ++key) {
            if (m.errKeys[key] == 0) continue;
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
    report->errorLo = lo;
    report->errorHi = hi;
    report->errorHistogram.assign(errorBins, 0.0);
    if (errorBins > 0 && report->total.count > 0) {
        const double width = (hi - lo) / static_cast<double>(errorBins);
        auto& out = report->errorHistogram;
        for (uint32_t key = 0; key < kErrKeys; ++key) {
            const uint32_t c = m.errKeys[key];
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
    if (const float* direct = view.directF32()) {
        return measureImpl(
            view.elements(), kChunk, [direct](uint64_t begin, size_t, Worker&, bool&) { return direct + begin; },
            layout, params, progress, options.threads, options.errorBins, name);
    }
    const size_t chunk = view.chunkElements();
    return measureImpl(
        view.elements(), chunk,
        [&view, chunk](uint64_t begin, size_t count, Worker& w, bool& ok) -> const float* {
            if (w.buffer.size() < count) w.buffer.resize(std::max(chunk, count));
            ok = view.read(begin, count, w.buffer.data());
            return w.buffer.data();
        },
        layout, params, progress, options.threads, options.errorBins, name);
}

ErrorReport measureErrorValues(std::span<const float> values, const std::vector<int64_t>& shape,
                               const QuantParams& params, size_t errorBins) {
    std::vector<int64_t> s = shape;
    const auto declared = checkedElements(s);
    if (!declared || *declared != values.size()) s = {static_cast<int64_t>(values.size())};
    const SliceLayout layout = SliceLayout::make(params.scheme, s);
    const float* data = values.data();
    auto r = measureImpl(
        values.size(), kChunk, [data](uint64_t begin, size_t, Worker&, bool&) { return data + begin; }, layout,
        params, nullptr, 0, errorBins, "values");
    if (!r.ok()) return {};
    return *r.value();
}

}  // namespace qv
