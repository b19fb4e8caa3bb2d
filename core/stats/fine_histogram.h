// FineHistogram: a range-independent histogram keyed on float32 bit patterns, built in one pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qv {

// Why bit-pattern bins: the summary pass must bin values before it knows min/max (one pass,
// not two). Keying on the top kKeyBits of the float32 pattern (sign, 8 exponent bits, 11 mantissa
// bits) gives bins whose width is 2^-11 of their magnitude — finer than 2048 linear bins over
// [0, max|x|] everywhere — so linear histograms for the calibrators are derived from it almost
// exactly. Only non-empty bins are stored (a 64M-element Gaussian touches about 50 000 of the
// 2^20 keys; a trained weight matrix typically a few thousand to tens of thousands).
class FineHistogram {
public:
    static constexpr int kKeyBits = 20;
    static constexpr int kShift = 32 - kKeyBits;
    static constexpr uint32_t kKeys = 1u << kKeyBits;

    struct Bin {
        float lo;          // lower edge (value order: lo < hi)
        float hi;          // upper edge. Positive bins hold [lo, hi), negative bins (lo, hi]
                           // (mirrored magnitudes); a bin never straddles 0.
        uint64_t count;
    };

    FineHistogram() = default;
    // From a dense array of kKeys counts indexed by key (the summary pass's accumulator).
    static FineHistogram fromDenseCounts(const std::vector<uint64_t>& counts);
    // From finite values directly (tests, slices, samples); NaN/Inf are skipped.
    static FineHistogram fromValues(const float* values, size_t n);
    // From bins already in increasing value order (empty bins are dropped).
    static FineHistogram fromBins(std::vector<Bin> bins);
    // Key of a float: its top kKeyBits bits. Keys whose exponent is all ones are NaN/Inf.
    static uint32_t keyOf(float v);
    static bool keyIsFinite(uint32_t key) { return ((key >> (23 - kShift)) & 0xFFu) != 0xFFu; }

    const std::vector<Bin>& bins() const { return m_bins; }  // increasing value order, non-empty only
    uint64_t total() const { return m_total; }
    bool empty() const { return m_total == 0; }

    // Counts re-binned into n equal-width bins over [lo, hi]; each fine bin's count is spread
    // uniformly over its width (values outside [lo, hi] are added to the end bins when
    // clampOutside, dropped otherwise).
    std::vector<double> rebin(double lo, double hi, size_t n, bool clampOutside = true) const;
    // The same for |x| over [0, hi] (calibrators that work on magnitudes: TensorRT, ONNX Runtime).
    std::vector<double> rebinAbs(double hi, size_t n, bool clampOutside = true) const;
    // Number of values < x, interpolated within the fine bin containing x.
    double countBelow(double x) const;
    // Value below which a fraction q in [0, 1] of the values lie (interpolated).
    double quantile(double q) const;
    // Sum over values of f(v) approximated with each bin's centre: Σ count·f(centre).
    template <class F>
    double sumOver(F&& f) const {
        double s = 0;
        for (const auto& b : m_bins) s += static_cast<double>(b.count) * f(0.5 * (double(b.lo) + double(b.hi)));
        return s;
    }

    // Edges of the fine bin with this key, in value order (finite keys only; the top finite
    // bin's upper edge is FLT_MAX rather than Inf).
    static void keyEdges(uint32_t key, float& lo, float& hi);

private:
    std::vector<Bin> m_bins;
    uint64_t m_total = 0;
};

}  // namespace qv
