// Quantizer: values ↔ integer codes. The interface does not assume a uniform grid, so that
// non-uniform number formats (FP8, FP4, NF4 — ROADMAP) can sit behind it later.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "core/quant/quant_params.h"

namespace qv {

// Round half to even, as ONNX QuantizeLinear, PyTorch (std::nearbyint) and gemmlowp do. Relies on
// the default FE_TONEAREST rounding mode (never changed in this program). Inline and branch-light
// because it runs once per element in the exact pass: adding 1.5·2^23 moves |x| < 2^22 into the
// binade where the float spacing is 1, so the addition itself rounds to an integer, ties to even
// (IEEE 754 roundTiesToEven); floats with |x| ≥ 2^22 are already integers or halves handled by
// nearbyint. Equal to std::nearbyint for every float (tested), except that −0.4 gives +0.
inline float roundHalfEven(float x) {
#if defined(__FAST_MATH__)
    return std::nearbyint(x);  // -ffast-math may fold (x + M) − M to x
#else
    constexpr float kMagic = 0x1.8p23f;
    if (!(x < 0x1p22f && x > -0x1p22f)) return std::nearbyint(x);  // large, Inf or NaN
    // Not folded to x: without -ffast-math the compiler must keep IEEE float semantics.
    return (x + kMagic) - kMagic;
#endif
}

// One slice's quantizer.
// Int format — the uniform affine grid: q = clamp(round_half_even(fl32(x / s)) + z, qmin, qmax),
// x̂ = s·(q − z). NaN quantizes to the zero point (as ONNX Runtime does); ±Inf saturates.
// The PyTorch convention multiplies by the float32 reciprocal instead of dividing.
// Level formats (FP8, FP4, NF4; number_format.h): v = fl32(x / s), q = the index of the level v
// rounds to (nearest, ties as the format defines them, saturating at the end levels), x̂ = s·level[q].
// The zero point is then the index of the level 0, and x̂ = s·(q − z) holds only for Int.
class Quantizer {
public:
    Quantizer(const QuantScheme& scheme, const SliceParams& params);
    int32_t quantize(float x) const {
        bool clipped;
        return quantize(x, clipped);
    }
    // `clipped`: the code saturated (round(x/s) + z fell outside [qmin, qmax]), i.e. x lies more
    // than half a step beyond the representable range — the "clipped share" of ErrorStats.
    int32_t quantize(float x, bool& clipped) const {
        if (m_table) {
            const float v = x / m_scale;
            clipped = m_table->clipped(v);
            return m_table->index(v);
        }
        float v = m_useReciprocal ? x * m_invScale : x / m_scale;
        clipped = false;
        if (v != v) return clampCode(m_zero);
        float r = roundHalfEven(v);
        // Clamp in float before converting so huge values cannot overflow int32.
        if (r < m_lowF) { clipped = true; return m_qmin; }
        if (r > m_highF) { clipped = true; return m_qmax; }
        return static_cast<int32_t>(r) + m_zero;
    }
    // x̂ = s·(q − z), in float32 as ONNX DequantizeLinear and PyTorch compute it (level formats:
    // s·level[q], as a float8/float4 value times its float32 scale).
    float dequantize(int32_t q) const {
        if (m_table) return m_scale * m_table->levels[static_cast<size_t>(clampCode(q))];
        return m_scale * static_cast<float>(q - m_zero);
    }
    float fakeQuantize(float x) const { return dequantize(quantize(x)); }
    // The level table of a level format, nullptr for Int (whose levels are uniform).
    const LevelTable* levelTable() const { return m_table; }
    int32_t qmin() const { return m_qmin; }
    int32_t qmax() const { return m_qmax; }
    int32_t zeroPoint() const { return m_zero; }
    float scale() const { return m_scale; }

    // For n values: err[i] = x̂ − x and clipped[i] = 1 when the code saturated, exactly as
    // dequantize(quantize(x[i], clipped)) − x[i] gives them; non-finite values get 0 and 0. Written
    // without branches so the compiler vectorizes it (the heatmap's error mode runs it per row).
    void errorRun(const float* x, size_t n, float* err, uint8_t* clipped) const;

    // Reconstruction levels s·(q − z) for q = qmin..qmax, increasing (for the bucket view).
    std::vector<float> levels() const;
    // Decision boundaries between consecutive levels (levels().size() − 1 values): the midpoints
    // s·(q − z + ½); a value exactly on one rounds to the level with the even code (level formats:
    // s·midpoint[i], ties as the table says).
    std::vector<float> boundaries() const;

private:
    int32_t clampCode(int32_t q) const { return q < m_qmin ? m_qmin : (q > m_qmax ? m_qmax : q); }
    float m_scale, m_invScale;
    int32_t m_zero, m_qmin, m_qmax;
    float m_lowF, m_highF;  // bounds of round(x/s) beyond which the code saturates
    bool m_useReciprocal;
    const LevelTable* m_table;  // level formats only
};

// Quantizes `values` (logical order, starting at flat element `firstIndex` of a tensor of layout
// `layout`) with per-slice params into codes and/or dequantized values (either may be empty).
void quantizeSpan(const QuantParams& params, const SliceLayout& layout, uint64_t firstIndex,
                  std::span<const float> values, std::span<int32_t> codes, std::span<float> dequant);

}  // namespace qv
