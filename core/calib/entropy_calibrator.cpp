// EntropyCalibrator: TensorRT/pytorch-quantization KL search and ONNX Runtime's variant (see header).
#include "core/calib/entropy_calibrator.h"

#include <algorithm>
#include <cmath>

#include "core/calib/calib_math.h"

namespace qv {

std::string EntropyCalibrator::arg() const {
    if (m_variant == Variant::TensorRT) return {};
    return m_ortBins == kOrtDefaultBins ? "onnxruntime" : "onnxruntime-" + std::to_string(m_ortBins);
}

std::string EntropyCalibrator::description() const {
    if (m_variant == Variant::OnnxRuntime)
        return "Entropy (ONNX Runtime): KL divergence between the histogram and its 128-level copy for "
               "windows centred on the zero bin, with eps = 1e-4 smoothing. With ORT's default 128-bin "
               "histogram only the full range is a candidate, so it matches min-max.";
    return "Entropy (TensorRT / pytorch-quantization): the threshold whose quantized |x| histogram "
           "(2^(b-1) levels) loses the least information, KL(P||Q) over 2048 bins, candidates from bin "
           "128, last minimum. Tends to clip long tails hard.";
}

namespace {

// Tolerance for "equal" KL values: the prefix-sum form and the tool's bin-by-bin form round
// differently, and the last-minimum rule must see exact ties as ties.
bool klTie(double a, double b) {
    return std::isfinite(a) && std::isfinite(b) && std::abs(a - b) <= 1e-12 + 1e-10 * std::abs(b);
}

}  // namespace

double EntropyCalibrator::klTensorRTLiteral(const std::vector<double>& bins, size_t nbins, size_t i) {
    std::vector<double> p(bins.begin(), bins.begin() + static_cast<long>(i));
    double tail = 0;
    for (size_t j = i; j < bins.size(); ++j) tail += bins[j];
    p[i - 1] += tail;
    std::vector<double> mass(nbins, 0.0), count(nbins, 0.0);
    for (size_t j = 0; j < i; ++j) {
        if (bins[j] == 0) continue;
        size_t g = j * nbins / i;
        mass[g] += bins[j];
        count[g] += 1;
    }
    std::vector<double> q(i, 0.0);
    for (size_t j = 0; j < i; ++j) {
        if (bins[j] == 0) continue;
        size_t g = j * nbins / i;
        q[j] = mass[g] / count[g];
    }
    double sp = 0, sq = 0;
    for (size_t j = 0; j < i; ++j) { sp += p[j]; sq += q[j]; }
    if (!(sp > 0) || !(sq > 0)) return HUGE_VAL;
    double kl = 0;
    for (size_t j = 0; j < i; ++j) {
        if (p[j] <= 0) continue;
        if (q[j] <= 0) return HUGE_VAL;
        kl += (p[j] / sp) * std::log((p[j] / sp) / (q[j] / sq));
    }
    return kl;
}

size_t EntropyCalibrator::searchTensorRT(std::vector<double> bins, size_t nbins, size_t startBin) {
    const size_t n = bins.size();
    if (n < 2 || nbins == 0) return n;
    bins[0] = bins[1];  // pytorch-quantization: drop the spike of exact zeros (ReLU outputs, pruning)
    // Prefix sums: counts, non-empty bins, Σ b·log b — each candidate then costs O(nbins).
    std::vector<double> cum(n + 1, 0.0), blogb(n + 1, 0.0);
    std::vector<uint32_t> nonzero(n + 1, 0);
    for (size_t j = 0; j < n; ++j) {
        const double b = bins[j];
        cum[j + 1] = cum[j] + b;
        nonzero[j + 1] = nonzero[j] + (b != 0 ? 1u : 0u);
        blogb[j + 1] = blogb[j] + (b > 0 ? b * std::log(b) : 0.0);
    }
    // log k for group sizes k ≤ n: a table shared by all calls for the usual 2048 bins.
    static const std::vector<double> kLogTable = [] {
        std::vector<double> t(kCalibBins + 1, 0.0);
        for (size_t k = 1; k <= kCalibBins; ++k) t[k] = std::log(static_cast<double>(k));
        return t;
    }();
    std::vector<double> ownTable;
    if (n > kCalibBins) {
        ownTable.assign(n + 1, 0.0);
        for (size_t k = 1; k <= n; ++k) ownTable[k] = std::log(static_cast<double>(k));
    }
    const std::vector<double>& logCount = n > kCalibBins ? ownTable : kLogTable;
    const double total = cum[n];
    if (!(total > 0)) return n;
    const double logTotal = std::log(total);

    // KL of every candidate, then the last-minimum scan. Single-threaded on purpose: ~1 ms,
    // and on a loaded 2-core machine spawning threads for it costs more than it saves.
    const size_t first = std::max<size_t>(startBin, 1);
    std::vector<double> kls(n + 1, HUGE_VAL);
    {
        for (size_t c = 0; first + c <= n; ++c) {
            const size_t i = first + c;
            const double kept = cum[i];  // Σ Q before normalization
            const double tail = total - kept;
            const double last = bins[i - 1];
            if (!(kept > 0) || (last == 0 && tail > 0)) continue;  // +inf (scipy: Q = 0 < P)
            const double pLast = last + tail;
            const double a = blogb[i - 1] + (pLast > 0 ? pLast * std::log(pLast) : 0.0);
            double b = 0;
            if (nbins >= i) {
                // j → ⌊j·nbins/i⌋ is one-to-one: every non-empty bin is its own group, Q = bins[:i].
                kls[i] = (a - blogb[i] - (last > 0 ? tail * std::log(last) : 0.0)) / total - logTotal + std::log(kept);
                continue;
            }
            const size_t lastGroup = (i - 1) * nbins / i;
            for (size_t g = 0; g < nbins; ++g) {
                // Bins j with floor(j·nbins/i) = g: j ∈ [ceil(g·i/nbins), ceil((g+1)·i/nbins)).
                const size_t js = (g * i + nbins - 1) / nbins;
                const size_t je = std::min(i, ((g + 1) * i + nbins - 1) / nbins);
                if (je <= js) continue;
                const uint32_t cnt = nonzero[je] - nonzero[js];
                const double m = cum[je] - cum[js];
                if (cnt == 0 || !(m > 0)) continue;
                const double logQ = std::log(m) - logCount[cnt];
                b += m * logQ;
                if (g == lastGroup && last > 0) b += tail * logQ;
            }
            kls[i] = (a - b) / total - logTotal + std::log(kept);
        }
    }
    double best = HUGE_VAL;
    size_t bestI = n;  // all candidates infinite: np.argmin of the reversed list → the last one
    for (size_t i = first; i <= n; ++i) {
        const double kl = kls[i];
        if (kl < best && !klTie(kl, best)) {
            best = kl;
            bestI = i;
        } else if (klTie(kl, best)) {
            bestI = i;  // the LAST minimum wins (pytorch-quantization: argmin of the reversed list)
        }
    }
    return bestI;
}

namespace {

// quant_utils.smooth_distribution (ONNX Runtime): eps on empty bins, taken off the others.
// Returns false where ORT returns None or would fail its assertions.
bool smoothDistribution(std::vector<double>& p, double eps = 1e-4) {
    size_t zeros = 0;
    for (double v : p) zeros += (v == 0);
    const size_t nonzeros = p.size() - zeros;
    if (nonzeros == 0) return false;
    const double eps1 = eps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
    if (!(eps1 < 1.0)) return false;
    for (double& v : p) {
        v += v == 0 ? eps : -eps1;
        if (v <= 0) return false;
    }
    return true;
}

double klNormalized(const std::vector<double>& p, const std::vector<double>& q) {
    double sp = 0, sq = 0;
    for (size_t j = 0; j < p.size(); ++j) { sp += p[j]; sq += q[j]; }
    double kl = 0;
    for (size_t j = 0; j < p.size(); ++j) {
        if (p[j] <= 0) continue;
        kl += (p[j] / sp) * std::log((p[j] / sp) / (q[j] / sq));
    }
    return kl;
}

}  // namespace

std::pair<size_t, size_t> EntropyCalibrator::searchOnnxRuntime(const std::vector<double>& hist, size_t nq) {
    const size_t n = hist.size();
    const size_t zero = n / 2, half = nq / 2;
    std::pair<size_t, size_t> best{0, n};
    double bestKl = HUGE_VAL;
    bool first = true;
    std::vector<double> prefix(n + 1, 0.0);
    for (size_t j = 0; j < n; ++j) prefix[j + 1] = prefix[j] + hist[j];
    for (size_t i = half; i <= zero; ++i) {
        const size_t start = zero - i;
        const size_t end = std::min(zero + i + 1, n);
        const size_t size = end - start;
        std::vector<double> p(hist.begin() + static_cast<long>(start), hist.begin() + static_cast<long>(end));
        p.front() += prefix[start];
        p.back() += prefix[n] - prefix[end];
        const size_t merged = nq ? size / nq : 0;
        std::vector<double> q(size, 0.0);
        if (merged > 0) {
            for (size_t index = 0; index < nq; ++index) {
                const size_t s = start + index * merged, e = s + merged;
                double mass = prefix[e] - prefix[s];
                if (index + 1 == nq) mass += prefix[end] - prefix[start + nq * merged];
                mass = std::floor(mass);  // quantized_bins is int64 in ORT
                size_t norm = 0;
                for (size_t j = index * merged; j < index * merged + merged; ++j) norm += p[j] != 0;
                if (norm == 0) continue;
                const double v = std::floor(mass / static_cast<double>(norm));  // q is int64: truncation
                for (size_t j = index * merged; j < index * merged + merged; ++j) q[j] = v;
            }
        }
        double kl = HUGE_VAL;
        if (smoothDistribution(p) && smoothDistribution(q)) kl = klNormalized(p, q);
        if (first || kl < bestKl) {  // np.argmin: the first minimum
            bestKl = kl;
            best = {start, end};
            first = false;
        }
    }
    return best;
}

ClipRange EntropyCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary)) return degenerateRange(summary, scheme);
    const double amax = summary.absMax;
    if (m_variant == Variant::OnnxRuntime) {
        const size_t nbins = std::max<size_t>(m_ortBins, 2);
        const size_t nq = size_t{1} << std::clamp(scheme.codeBits() - 1, 1, 20);
        const std::vector<double> hist = linearHistogram(summary, -amax, amax, nbins);
        const auto [s, e] = searchOnnxRuntime(hist, nq);
        const double width = 2.0 * amax / static_cast<double>(nbins);
        ClipRange r{-amax + width * static_cast<double>(s), -amax + width * static_cast<double>(e)};
        r.lo = std::max(r.lo, summary.min);
        r.hi = std::min(r.hi, summary.max);
        if (scheme.symmetric()) return symmetricRange(std::max(std::abs(r.lo), std::abs(r.hi)));
        return r;
    }
    const bool isUnsigned = !scheme.symmetric() && summary.min >= 0;
    const size_t nbins = size_t{1} << std::clamp(scheme.codeBits() - 1 + (isUnsigned ? 1 : 0), 1, 20);
    const size_t i = searchTensorRT(absHistogram(summary, kCalibBins), nbins, kStartBin);
    const double t = amax * static_cast<double>(i) / static_cast<double>(kCalibBins);
    if (scheme.symmetric()) return symmetricRange(t);
    if (isUnsigned) return {summary.min, std::min(t, summary.max)};
    return {std::max(summary.min, -t), std::min(summary.max, t)};
}

}  // namespace qv
