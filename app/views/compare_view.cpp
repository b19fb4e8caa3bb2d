// Compare view-models: share rebinning, code grids on the value axis, A/B metric lines, and the
// element-by-element comparison of one tensor in two files (two parallel passes).
#include "app/views/compare_view.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

#include "core/base/parallel.h"
#include "core/quant/quantizer.h"

namespace qv {

// [SECTION] scheme A vs scheme B

std::vector<double> rebinShares(std::span<const double> counts, double lo, double hi, double viewLo, double viewHi,
                                int columns) {
    std::vector<double> out(size_t(std::max(columns, 0)), 0.0);
    if (counts.empty() || columns <= 0 || !(hi > lo) || !(viewHi > viewLo)) return out;
    double total = 0;
    for (double c : counts) total += c;
    if (!(total > 0)) return out;
    const double bw = (hi - lo) / double(counts.size());
    const double cw = (viewHi - viewLo) / double(columns);
    for (size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] <= 0) continue;
        const double b0 = lo + double(i) * bw, b1 = b0 + bw;
        if (b1 <= viewLo || b0 >= viewHi) continue;
        // Columns overlapped by [b0, b1): split the bin's share by overlap length.
        int c0 = std::max(0, int(std::floor((b0 - viewLo) / cw)));
        int c1 = std::min(columns - 1, int(std::floor((b1 - viewLo) / cw)));
        const double share = counts[i] / total;
        for (int c = c0; c <= c1; ++c) {
            const double x0 = viewLo + double(c) * cw, x1 = x0 + cw;
            const double overlap = std::min(b1, x1) - std::max(b0, x0);
            if (overlap > 0) out[size_t(c)] += share * overlap / bw;
        }
    }
    return out;
}

LevelBars levelBars(const QuantScheme& scheme, const SliceParams& params, std::span<const uint64_t> codeHistogram) {
    LevelBars out;
    Quantizer q(scheme, params);
    out.width = params.scale;
    out.available = codeHistogram.size();
    uint64_t total = 0;
    for (auto c : codeHistogram) total += c;
    const std::vector<float> bounds = q.boundaries();  // between consecutive codes
    for (size_t i = 0; i < codeHistogram.size(); ++i) {
        if (codeHistogram[i] == 0) continue;
        ++out.used;
        const double x = q.dequantize(q.qmin() + int32_t(i));
        out.x.push_back(x);
        out.share.push_back(total ? double(codeHistogram[i]) / double(total) : 0.0);
        double lo = i > 0 && i - 1 < bounds.size() ? double(bounds[i - 1]) : x;
        double hi = i < bounds.size() ? double(bounds[i]) : x;
        if (i == 0 || i - 1 >= bounds.size()) lo = x - (hi - x);  // an end bucket: as wide outside as inside
        if (i >= bounds.size()) hi = x + (x - lo);
        if (!(hi > lo)) {  // a one-code grid
            lo = x - 0.5 * out.width;
            hi = x + 0.5 * out.width;
        }
        out.lo.push_back(lo);
        out.hi.push_back(hi);
    }
    return out;
}

std::vector<CompareMetric> compareMetrics(const ClipRange& ra, const ErrorStats& ea, const ClipRange& rb,
                                          const ErrorStats& eb) {
    // sense: +1 higher is better, −1 lower is better, 0 no judgement.
    auto line = [](const char* name, double a, double b, int sense) {
        CompareMetric m;
        m.name = name;
        m.a = a;
        m.b = b;
        m.diff = (std::isfinite(a) && std::isfinite(b)) ? b - a : (a == b ? 0.0 : std::numeric_limits<double>::quiet_NaN());
        if (sense != 0 && a != b && !(std::isnan(a) || std::isnan(b))) m.better = ((b > a) == (sense > 0)) ? 1 : -1;
        return m;
    };
    return {
        line("clip lo", ra.lo, rb.lo, 0),
        line("clip hi", ra.hi, rb.hi, 0),
        line("MSE", ea.mse, eb.mse, -1),
        line("SQNR dB", ea.sqnrDb, eb.sqnrDb, +1),
        line("max |e|", ea.maxAbsError, eb.maxAbsError, -1),
        line("mean |e|", ea.meanAbsError, eb.meanAbsError, -1),
        line("cosine", ea.cosine, eb.cosine, +1),
        line("clipped %", 100 * ea.clippedFraction, 100 * eb.clippedFraction, -1),
        line("codes used", double(ea.codesUsed), double(eb.codesUsed), 0),
        line("codes avail.", double(ea.codesAvailable), double(eb.codesAvailable), 0),
    };
}

// [SECTION] one tensor of two files

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

namespace {

std::vector<int64_t> withoutLeadingOnes(const std::vector<int64_t>& shape) {
    size_t i = 0;
    while (i + 1 < shape.size() && shape[i] == 1) ++i;
    return {shape.begin() + long(i), shape.end()};
}

constexpr double kInf = std::numeric_limits<double>::infinity();

struct RangeAcc {
    double aMin = kInf, aMax = -kInf, bMin = kInf, bMax = -kInf, dMax = 0, sumD = 0;
    uint64_t count = 0, skipped = 0, equal = 0;
    ErrorAccumulator err;
};

}  // namespace

Result<FileComparison> compareTensorFiles(const TensorView& a, const TensorView& b, Progress* progress, int threads,
                                          bool signalIsB) {
    FileComparison out;
    out.signalIsB = signalIsB;
    out.tensor = a.info().name;
    if (withoutLeadingOnes(a.info().shape) != withoutLeadingOnes(b.info().shape) || a.elements() != b.elements())
        return makeError("'" + a.info().name + "': shape " + shapeText(a.info().shape) + " in the open file but " +
                         shapeText(b.info().shape) + " in the second file; the shapes must agree to compare element "
                         "by element");
    const uint64_t n = a.elements();
    // Chunks are a multiple of 256 elements so that a ggml block (32 or 256 weights) is never split.
    const size_t chunk = size_t(1) << 16;
    const int workers = std::max(1, parallelWorkers(size_t(n), chunk, threads));
    if (progress) progress->setTotal(2.0 * double(n));
    std::atomic<bool> failed{false};
    std::mutex errMutex;
    std::string error;
    auto fail = [&](std::string msg) {
        failed = true;
        std::lock_guard lock(errMutex);
        if (error.empty()) error = std::move(msg);
    };
    // Reads chunk [begin, end) of both tensors and calls body(x_a, x_b) for every pair.
    auto pass = [&](const auto& body) {
        parallelFor(size_t(n), chunk, threads, [&](size_t begin, size_t end, int w) {
            if (failed.load(std::memory_order_relaxed)) return;
            if (progress && progress->cancelled()) return fail("cancelled");
            std::vector<float> va(end - begin), vb(end - begin);
            if (!a.read(begin, va.size(), va.data()))
                return fail(a.info().name + ": cannot decode elements " + std::to_string(begin) + ".." +
                            std::to_string(end) + " of the open file");
            if (!b.read(begin, vb.size(), vb.data()))
                return fail(b.info().name + ": cannot decode elements " + std::to_string(begin) + ".." +
                            std::to_string(end) + " of the second file");
            for (size_t i = 0; i < va.size(); ++i) body(w, va[i], vb[i]);
            if (progress) progress->add(double(end - begin));
        });
    };

    // Pass 1: ranges, the metrics (x = the signal side) and the largest |difference|.
    std::vector<RangeAcc> acc(static_cast<size_t>(workers));
    pass([&](int w, float x, float y) {
        RangeAcc& r = acc[size_t(w)];
        if (!std::isfinite(x) || !std::isfinite(y)) {
            ++r.skipped;
            return;
        }
        ++r.count;
        r.aMin = std::min(r.aMin, double(x));
        r.aMax = std::max(r.aMax, double(x));
        r.bMin = std::min(r.bMin, double(y));
        r.bMax = std::max(r.bMax, double(y));
        const double d = double(y) - double(x);
        r.dMax = std::max(r.dMax, std::fabs(d));
        r.sumD += d;
        r.equal += x == y;
        if (signalIsB) r.err.add(y, x, false);
        else r.err.add(x, y, false);
    });
    if (failed) return makeError(error);
    RangeAcc t;
    for (const auto& r : acc) {
        t.aMin = std::min(t.aMin, r.aMin);
        t.aMax = std::max(t.aMax, r.aMax);
        t.bMin = std::min(t.bMin, r.bMin);
        t.bMax = std::max(t.bMax, r.bMax);
        t.dMax = std::max(t.dMax, r.dMax);
        t.sumD += r.sumD;
        t.count += r.count;
        t.skipped += r.skipped;
        t.equal += r.equal;
        t.err.merge(r.err);
    }
    out.count = t.count;
    out.skipped = t.skipped;
    out.equal = t.equal;
    out.stats = t.err.finish(0, 0);
    out.meanDiff = t.count ? t.sumD / double(t.count) : 0.0;
    out.relativeRms = t.err.sumSqX > 0 ? std::sqrt(t.err.sumSqErr / t.err.sumSqX) : 0.0;
    out.histA.assign(FileComparison::kBins, 0.0);
    out.histB.assign(FileComparison::kBins, 0.0);
    out.histDiff.assign(FileComparison::kBins, 0.0);
    if (t.count == 0) {
        if (progress) progress->add(double(n));
        return out;
    }
    out.aMin = t.aMin;
    out.aMax = t.aMax;
    out.bMin = t.bMin;
    out.bMax = t.bMax;
    out.lo = std::min(t.aMin, t.bMin);
    out.hi = std::max(t.aMax, t.bMax);
    if (!(out.hi > out.lo)) out.hi = out.lo + 1;  // constant tensors: one bin holds everything
    // Identical tensors: no spread to show; a tiny symmetric range keeps the plot's axis valid.
    out.dHi = t.dMax > 0 ? t.dMax : 1e-12;
    out.dLo = -out.dHi;

    // Pass 2: the three histograms over the ranges pass 1 found.
    const int bins = FileComparison::kBins;
    std::vector<std::vector<double>> ha(static_cast<size_t>(workers), std::vector<double>(static_cast<size_t>(bins)));
    auto hb = ha, hd = ha;
    auto binOf = [bins](double v, double lo, double hi) {
        int k = int((v - lo) / (hi - lo) * bins);
        return size_t(std::clamp(k, 0, bins - 1));
    };
    pass([&](int w, float x, float y) {
        if (!std::isfinite(x) || !std::isfinite(y)) return;
        ha[size_t(w)][binOf(x, out.lo, out.hi)] += 1;
        hb[size_t(w)][binOf(y, out.lo, out.hi)] += 1;
        hd[size_t(w)][binOf(double(y) - double(x), out.dLo, out.dHi)] += 1;
    });
    if (failed) return makeError(error);
    for (int w = 0; w < workers; ++w)
        for (int k = 0; k < bins; ++k) {
            out.histA[size_t(k)] += ha[size_t(w)][size_t(k)];
            out.histB[size_t(k)] += hb[size_t(w)][size_t(k)];
            out.histDiff[size_t(k)] += hd[size_t(w)][size_t(k)];
        }
    return out;
}

}  // namespace qv
