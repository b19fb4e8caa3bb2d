// Quantizer setup, its levels/boundaries, and span quantization with per-slice params.
#include "core/quant/quantizer.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qv {

Quantizer::Quantizer(const QuantScheme& scheme, const SliceParams& params)
    : m_scale(params.scale), m_zero(params.zeroPoint), m_qmin(scheme.qmin()), m_qmax(scheme.qmax()),
      m_table(scheme.levelTable()) {
    // A scale that is 0, negative, NaN or Inf would make x/s meaningless; paramsFromRange never
    // makes one, but hand-typed parameters might: fall back to 1 rather than produce NaN codes.
    if (!(m_scale > 0.0f) || m_scale > FLT_MAX) m_scale = 1.0f;
    m_zero = std::clamp(m_zero, m_qmin, m_qmax);
    // ATen quantize_val: inv_scale = 1.0f / scale; nearbyint(value * inv_scale) + zero_point.
    m_useReciprocal = scheme.convention == Convention::PyTorch;
    m_invScale = 1.0f / m_scale;
    m_lowF = static_cast<float>(m_qmin - m_zero);
    m_highF = static_cast<float>(m_qmax - m_zero);
    if (m_table) {
        m_zero = m_table->zeroIndex;  // fixed by the format, whatever the params say
        m_useReciprocal = false;
    }
}

void Quantizer::errorRun(const float* x, size_t n, float* err, uint8_t* clipped) const {
    if (m_table) {
        for (size_t i = 0; i < n; ++i) {
            const float xi = x[i];
            const bool finite = std::fabs(xi) <= FLT_MAX;
            bool c;
            const float xq = dequantize(quantize(xi, c));
            err[i] = finite ? xq - xi : 0.0f;
            clipped[i] = finite && c ? 1 : 0;
        }
        return;
    }
    const float s = m_scale, inv = m_invScale, lo = m_lowF, hi = m_highF;
    const bool reciprocal = m_useReciprocal;
    constexpr float kMagic = 0x1.8p23f;  // see roundHalfEven
    for (size_t i = 0; i < n; ++i) {
        const float xi = x[i];
        float t = reciprocal ? xi * inv : xi / s;
        t = t == t ? t : 0.0f;  // 0·(1/s) with 1/s = Inf: quantize() gives the zero point, i.e. r = 0
        // More than one step beyond the code range the answer is saturation whatever the rounding, so
        // clamping first keeps |t| < 2^22, where (t + 1.5·2^23) − 1.5·2^23 rounds half to even as
        // roundHalfEven does (and ±Inf becomes an end code, as there).
        t = t < lo - 1.0f ? lo - 1.0f : t;
        t = t > hi + 1.0f ? hi + 1.0f : t;
        const float r = (t + kMagic) - kMagic;
        const bool saturated = r < lo || r > hi;
        const float rc = r < lo ? lo : (r > hi ? hi : r);  // = code − zero point, exactly
        const bool finite = std::fabs(xi) <= FLT_MAX;
        err[i] = finite ? s * rc - xi : 0.0f;
        clipped[i] = finite && saturated ? 1 : 0;
    }
}

std::vector<float> Quantizer::levels() const {
    std::vector<float> out;
    out.reserve(static_cast<size_t>(m_qmax - m_qmin + 1));
    for (int32_t q = m_qmin; q <= m_qmax; ++q) out.push_back(dequantize(q));
    return out;
}

std::vector<float> Quantizer::boundaries() const {
    std::vector<float> out;
    out.reserve(static_cast<size_t>(m_qmax - m_qmin));
    if (m_table) {
        for (float m : m_table->midpoints) out.push_back(m_scale * m);
        return out;
    }
    for (int32_t q = m_qmin; q < m_qmax; ++q)
        out.push_back(static_cast<float>(static_cast<double>(m_scale) * (q - m_zero + 0.5)));
    return out;
}

void quantizeSpan(const QuantParams& params, const SliceLayout& layout, uint64_t firstIndex,
                  std::span<const float> values, std::span<int32_t> codes, std::span<float> dequant) {
    const size_t n = values.size();
    const bool wantCodes = codes.size() >= n, wantDeq = dequant.size() >= n;
    if (n == 0 || (!wantCodes && !wantDeq)) return;
    const SliceParams fallback{};
    // Runs of consecutive elements share a slice; one quantizer per run keeps the loop simple.
    size_t i = 0;
    while (i < n) {
        const uint64_t idx = firstIndex + i;
        const uint64_t slice = layout.sliceOf(idx);
        size_t run = n - i;
        if (layout.granularity == Granularity::PerChannel) {
            run = std::min<uint64_t>(run, layout.inner - idx % layout.inner);
        } else if (layout.granularity == Granularity::PerGroup) {
            const uint64_t col = idx % layout.lastDim;
            const uint64_t groupEnd = std::min(layout.lastDim, (col / layout.groupSize + 1) * layout.groupSize);
            run = std::min<uint64_t>(run, groupEnd - col);
        }
        const SliceParams& sp = slice < params.slices.size() ? params.slices[slice] : fallback;
        const Quantizer q(params.scheme, sp);
        for (size_t k = i; k < i + run; ++k) {
            const int32_t c = q.quantize(values[k]);
            if (wantCodes) codes[k] = c;
            if (wantDeq) dequant[k] = q.dequantize(c);
        }
        i += run;
    }
}

}  // namespace qv
