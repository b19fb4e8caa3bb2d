// Quantizer: values ↔ integer codes. The interface does not assume a uniform grid, so that
// non-uniform number formats (FP8, FP4, NF4 — ROADMAP) can sit behind it later.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/quant/quant_params.h"

namespace qv {

// Round half to even, as ONNX QuantizeLinear, PyTorch and gemmlowp do. Relies on the default
// FE_TONEAREST rounding mode (never changed in this program).
float roundHalfEven(float x);

// Uniform affine quantizer for one slice: q = clamp(round_half_even(fl32(x / s)) + z, qmin, qmax),
// x̂ = s·(q − z). NaN quantizes to the zero point (as ONNX Runtime does); ±Inf saturates.
// The PyTorch convention multiplies by the float32 reciprocal instead of dividing.
class AffineQuantizer {
public:
    AffineQuantizer(const QuantScheme& scheme, const SliceParams& params);
    int32_t quantize(float x) const {
        float v = m_useReciprocal ? x * m_invScale : x / m_scale;
        if (v != v) return clampCode(m_zero);
        float r = roundHalfEven(v);
        // Clamp in float before converting so huge values cannot overflow int32.
        if (r < m_lowF) return m_qmin;
        if (r > m_highF) return m_qmax;
        return clampCode(static_cast<int32_t>(r) + m_zero);
    }
    float dequantize(int32_t q) const { return m_scale * static_cast<float>(q - m_zero); }
    float fakeQuantize(float x) const { return dequantize(quantize(x)); }
    int32_t qmin() const { return m_qmin; }
    int32_t qmax() const { return m_qmax; }

    // Decision boundaries and reconstruction levels inside the clip range (for the bucket view).
    std::vector<float> levels() const;

private:
    int32_t clampCode(int32_t q) const { return q < m_qmin ? m_qmin : (q > m_qmax ? m_qmax : q); }
    float m_scale, m_invScale;
    int32_t m_zero, m_qmin, m_qmax;
    float m_lowF, m_highF;  // bounds of round(x/s) beyond which the code saturates
    bool m_useReciprocal;
};

// Quantizes `values` (logical order, starting at flat element `firstIndex` of a tensor of layout
// `layout`) with per-slice params into codes and/or dequantized values (either may be empty).
void quantizeSpan(const QuantParams& params, const SliceLayout& layout, uint64_t firstIndex,
                  std::span<const float> values, std::span<int32_t> codes, std::span<float> dequant);

}  // namespace qv
