// FineHistogram: building from counts or values, re-binning to linear bins, quantiles.
#include "core/stats/fine_histogram.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>

namespace qv {

namespace {
constexpr uint32_t kSignKey = 1u << (FineHistogram::kKeyBits - 1);  // keys ≥ this are negative
constexpr uint32_t kMagMask = kSignKey - 1;

// Adds `count` spread uniformly over [a, b) (a < b) to n bins of width w starting at lo.
// Mass below lo / above lo + n·w goes to the end bins when clamp, is dropped otherwise.
void spread(std::vector<double>& out, double lo, double w, double a, double b, double count, bool clamp) {
    const auto n = static_cast<double>(out.size());
    double pa = (a - lo) / w, pb = (b - lo) / w;
    if (!(pb > pa)) pb = pa;  // zero-width (cannot happen for real bins; be safe)
    const double width = pb - pa;
    if (width <= 0) {
        if (pa < 0) { if (clamp) out.front() += count; return; }
        if (pa >= n) { if (clamp) out.back() += count; return; }
        out[static_cast<size_t>(pa)] += count;
        return;
    }
    const double density = count / width;
    if (pa < 0) {
        const double below = std::min(pb, 0.0) - pa;
        if (clamp) out.front() += below * density;
        pa = 0;
    }
    if (pb > n) {
        const double above = pb - std::max(pa, n);
        if (clamp) out.back() += above * density;
        pb = n;
    }
    if (pb <= pa) return;
    auto i = static_cast<size_t>(pa);
    const auto last = std::min(static_cast<size_t>(pb), out.size() - 1);
    if (i == last) {
        out[i] += (pb - pa) * density;
        return;
    }
    out[i] += (static_cast<double>(i + 1) - pa) * density;
    for (size_t k = i + 1; k < last; ++k) out[k] += density;
    out[last] += (pb - static_cast<double>(last)) * density;
}
}  // namespace

uint32_t FineHistogram::keyOf(float v) { return std::bit_cast<uint32_t>(v) >> kShift; }

void FineHistogram::keyEdges(uint32_t key, float& lo, float& hi) {
    const uint32_t mag = key & kMagMask;
    const float a = std::bit_cast<float>(mag << kShift);
    float b = std::bit_cast<float>((mag + 1) << kShift);
    if (std::isinf(b)) b = FLT_MAX;  // the top finite bin ends at the largest float
    if (key & kSignKey) {
        lo = -b;
        hi = -a;
    } else {
        lo = a;
        hi = b;
    }
}

FineHistogram FineHistogram::fromBins(std::vector<Bin> bins) {
    FineHistogram h;
    bins.erase(std::remove_if(bins.begin(), bins.end(), [](const Bin& b) { return b.count == 0; }), bins.end());
    for (const auto& b : bins) h.m_total += b.count;
    h.m_bins = std::move(bins);
    return h;
}

FineHistogram FineHistogram::fromDenseCounts(const std::vector<uint64_t>& counts) {
    std::vector<Bin> bins;
    if (counts.size() < kKeys) return {};
    auto emit = [&](uint32_t key) {
        if (counts[key] == 0 || !keyIsFinite(key)) return;
        Bin b{0, 0, counts[key]};
        keyEdges(key, b.lo, b.hi);
        bins.push_back(b);
    };
    // Value order: negative keys by decreasing magnitude, then positive keys by increasing one.
    for (uint32_t m = kSignKey; m-- > 0;) emit(kSignKey | m);
    for (uint32_t m = 0; m < kSignKey; ++m) emit(m);
    return fromBins(std::move(bins));
}

FineHistogram FineHistogram::fromValues(const float* values, size_t n) {
    // Sort order-preserving ranks instead of keys: negative keys by decreasing magnitude map below
    // kSignKey, positive keys above it, so a plain integer sort gives value order.
    std::vector<uint32_t> ranks;
    ranks.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(values[i])) continue;
        const uint32_t key = keyOf(values[i]);
        ranks.push_back(key & kSignKey ? kMagMask - (key & kMagMask) : kSignKey + key);
    }
    std::sort(ranks.begin(), ranks.end());
    std::vector<Bin> bins;
    for (size_t i = 0; i < ranks.size();) {
        size_t j = i;
        while (j < ranks.size() && ranks[j] == ranks[i]) ++j;
        const uint32_t r = ranks[i];
        const uint32_t key = r >= kSignKey ? r - kSignKey : kSignKey | (kMagMask - r);
        Bin b{0, 0, j - i};
        keyEdges(key, b.lo, b.hi);
        bins.push_back(b);
        i = j;
    }
    return fromBins(std::move(bins));
}

std::vector<double> FineHistogram::rebin(double lo, double hi, size_t n, bool clampOutside) const {
    std::vector<double> out(n, 0.0);
    if (n == 0 || m_bins.empty()) return out;
    if (!(hi > lo)) {
        // A zero-width range (constant tensor): everything sits in the first bin when clamping.
        if (clampOutside) out.front() = static_cast<double>(m_total);
        return out;
    }
    const double w = (hi - lo) / static_cast<double>(n);
    for (const auto& b : m_bins) spread(out, lo, w, b.lo, b.hi, static_cast<double>(b.count), clampOutside);
    return out;
}

std::vector<double> FineHistogram::rebinAbs(double hi, size_t n, bool clampOutside) const {
    std::vector<double> out(n, 0.0);
    if (n == 0 || m_bins.empty()) return out;
    if (!(hi > 0)) {
        if (clampOutside) out.front() = static_cast<double>(m_total);
        return out;
    }
    const double w = hi / static_cast<double>(n);
    for (const auto& b : m_bins) {
        // A negative bin [lo, hi) has magnitudes (−hi, −lo]; bins never straddle 0.
        const double a = b.lo < 0 ? -double(b.hi) : double(b.lo);
        const double c = b.lo < 0 ? -double(b.lo) : double(b.hi);
        spread(out, 0.0, w, a, c, static_cast<double>(b.count), clampOutside);
    }
    return out;
}

double FineHistogram::countBelow(double x) const {
    if (m_bins.empty()) return 0;
    // First bin whose upper edge is above x: all earlier bins lie entirely below x.
    auto it = std::upper_bound(m_bins.begin(), m_bins.end(), x, [](double v, const Bin& b) { return v < double(b.hi); });
    double below = 0;
    for (auto k = m_bins.begin(); k != it; ++k) below += static_cast<double>(k->count);
    if (it != m_bins.end() && x > double(it->lo))
        below += static_cast<double>(it->count) * (x - double(it->lo)) / (double(it->hi) - double(it->lo));
    return below;
}

double FineHistogram::quantile(double q) const {
    if (m_bins.empty()) return 0;
    if (!(q > 0)) return m_bins.front().lo;
    if (q >= 1) return m_bins.back().hi;
    const double target = q * static_cast<double>(m_total);
    double cum = 0;
    for (const auto& b : m_bins) {
        const auto c = static_cast<double>(b.count);
        if (cum + c >= target) {
            const double f = (target - cum) / c;
            return double(b.lo) + f * (double(b.hi) - double(b.lo));
        }
        cum += c;
    }
    return m_bins.back().hi;
}

}  // namespace qv
