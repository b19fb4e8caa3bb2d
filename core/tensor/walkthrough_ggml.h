// One llama.cpp Q4_0 block and one Q4_K super-block worked step by step (the Learn ▸ "one llama.cpp block"
// walkthrough): Q4_0's value of largest |x|, scale d and its f16 rounding, every code, the nibble packing, the
// 18 bytes and the decoded values with their errors; Q4_K's 8 sub-block fits, their 6-bit scales and mins, the
// 12-byte packing, the codes and the 144 bytes. The same float operations in the same order as
// encodeGgmlBlocks (ggml_encode.cpp) and decodeGgmlBlocks, so the bytes shown are the bytes a GGUF file would
// hold (tested). Header-only, GUI-free.
//
// llama.cpp ggml/src/ggml-quants.c quantize_row_q4_0_ref and ggml-common.h block_q4_0 {ggml_half d; uint8_t
// qs[QK4_0/2];}: d = max/−8 with max the element of largest |x| (first on ties, strict compare), id = d ? 1/d : 0
// from the float d, xi = MIN(15, (int8_t)(x·id + 8.5f)), qs[j] = xi(x[j]) | xi(x[j+16]) << 4, d stored as f16.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>

#include "core/tensor/ggml_encode.h"
#include "core/tensor/half.h"

namespace qv {

inline constexpr int kQ4_0BlockElements = 32;
inline constexpr int kQ4_0BlockBytes = 18;

// One element through q = min(15, trunc(x·id + 8.5)) and back, y = d_f16·(q − 8).
struct GgmlQ4_0Element {
    float x = 0;
    float scaled = 0;         // x·id (float32)
    float shifted = 0;        // x·id + 8.5f, what the reference truncates
    int truncated = 0;        // (int8_t)shifted: toward zero, and shifted ≥ 0.5 here, so floor
    int q = 0;                // min(15, truncated)
    bool capped = false;      // truncated was 16 (x·id ≥ 7.5: the far end of an asymmetric grid −8..7)
    bool half = false;        // x·id had fraction exactly ½: truncation rounded half up
    int qHalfEven = 0;        // the code round-half-to-even of x·id + 8 (capped at 15) would give
    float y = 0;              // decoded: (q − 8)·d_f16, as decodeGgmlBlocks
    float error = 0;          // y − x
};

struct GgmlQ4_0Walk {
    bool finite = true;       // every input finite (otherwise nothing below is meaningful)
    int maxIndex = -1;        // element of largest |x| (−1: all zero)
    float m = 0;              // that element, sign kept
    float d = 0;              // m / −8 (float32)
    uint16_t dBits = 0;       // f16 bit pattern stored in the block
    float dF16 = 0;           // the stored d read back (exact)
    float id = 0;             // 1/d from the float32 d (0 when d = 0)
    std::array<GgmlQ4_0Element, kQ4_0BlockElements> el{};
    std::array<uint8_t, kQ4_0BlockBytes> bytes{};  // d little-endian, then qs[16]
    int halfCount = 0, halfDiffers = 0, cappedCount = 0;
    double sumSqErr = 0, mse = 0, maxAbsError = 0;
};

// Round half to even of a float (what a PyTorch-style quantizer would do), for the comparison column.
inline float walkRoundHalfEven(float v) { return v - std::floor(v) == 0.5f ? 2.0f * std::round(v * 0.5f) : std::round(v); }

// x holds exactly 32 values (fewer: the rest are 0).
inline GgmlQ4_0Walk walkQ4_0(std::span<const float> x) {
    GgmlQ4_0Walk w;
    std::array<float, kQ4_0BlockElements> v{};
    for (size_t i = 0; i < v.size() && i < x.size(); ++i) v[i] = x[i];
    float amax = 0;
    for (int j = 0; j < kQ4_0BlockElements; ++j) {
        if (!std::isfinite(v[static_cast<size_t>(j)])) w.finite = false;
        if (amax < std::fabs(v[static_cast<size_t>(j)])) {
            amax = std::fabs(v[static_cast<size_t>(j)]);
            w.m = v[static_cast<size_t>(j)];
            w.maxIndex = j;
        }
    }
    w.d = w.m / -8.0f;
    w.id = w.d != 0 ? 1.0f / w.d : 0.0f;
    w.dBits = f32ToF16(w.d);
    w.dF16 = f16ToF32(w.dBits);
    w.bytes[0] = static_cast<uint8_t>(w.dBits & 0xFF);
    w.bytes[1] = static_cast<uint8_t>(w.dBits >> 8);
    for (int j = 0; j < kQ4_0BlockElements; ++j) {
        GgmlQ4_0Element& e = w.el[static_cast<size_t>(j)];
        e.x = v[static_cast<size_t>(j)];
        e.scaled = e.x * w.id;
        e.shifted = e.scaled + 8.5f;
        e.truncated = w.finite ? static_cast<int>(e.shifted) : 0;
        e.q = e.truncated < 15 ? e.truncated : 15;
        e.capped = e.truncated > 15;
        e.half = w.finite && e.scaled - std::floor(e.scaled) == 0.5f;
        const float even = walkRoundHalfEven(e.scaled) + 8.0f;
        e.qHalfEven = even > 15.0f ? 15 : static_cast<int>(even);
        e.y = static_cast<float>(e.q - 8) * w.dF16;
        e.error = e.y - e.x;
        w.halfCount += e.half ? 1 : 0;
        w.halfDiffers += e.half && e.qHalfEven != e.q ? 1 : 0;
        w.cappedCount += e.capped ? 1 : 0;
        const double err = e.error;
        w.sumSqErr += err * err;
        w.maxAbsError = std::fabs(err) > w.maxAbsError ? std::fabs(err) : w.maxAbsError;
    }
    for (int j = 0; j < kQ4_0BlockElements / 2; ++j)
        w.bytes[static_cast<size_t>(2 + j)] =
            static_cast<uint8_t>((w.el[static_cast<size_t>(j)].q & 0x0F) | ((w.el[static_cast<size_t>(j + 16)].q & 0x0F) << 4));
    w.mse = w.sumSqErr / kQ4_0BlockElements;
    return w;
}

// [SECTION] Q4_K ------------------------------------------------------------------------------------------------
//
// llama.cpp ggml-quants.c quantize_row_q4_K_ref and ggml-common.h block_q4_K {ggml_half d, dmin; uint8_t
// scales[12]; uint8_t qs[128];}: each sub-block of 32 is fitted by make_qkx2_quants(32, 15, x, weights, L,
// &min, Laux, −1, 0.1, 20) with weights sqrt(mean x²) + |x|; the 8 scales and 8 mins are quantized to 6 bits
// against their maxima (ls = nearest_int(63/max_scale · scale), d = max_scale/63 stored as f16, the same for
// mins and dmin); every weight is then re-rounded against d·ls and dmin·lm: q = clamp(nearest_int((x + dmin·lm) /
// (d·ls)), 0, 15), y = d·ls·q − dmin·lm. nearest_int rounds half to even.

inline constexpr int kQ4_KBlockElements = 256;
inline constexpr int kQ4_KBlockBytes = 144;

struct GgmlQ4_KSubBlock {
    float xMin = 0, xMax = 0;   // of the sub-block's 32 values
    float avX = 0;              // sqrt(mean x²): the weights are avX + |x|
    int bestCandidate = -1;     // the search's winner: −1 the plain min-max fit, else is (iscale = (15 − 1 + 0.1·is)/(max − min))
    float scale = 0;            // fitted scale (float32)
    float min = 0;              // fitted minimum as the amount subtracted (≥ 0; y ≈ scale·L − min)
    uint8_t ls = 0, lm = 0;     // the 6-bit scale and min
    float step = 0, offset = 0; // d_f16·ls and dmin_f16·lm: y = step·q − offset
    std::array<uint8_t, 32> q{};
    std::array<float, 32> y{}, error{};
    double sumSqErr = 0;
};

struct GgmlQ4_KWalk {
    bool finite = true;
    std::array<float, kQ4_KBlockElements> x{};
    std::array<GgmlQ4_KSubBlock, 8> sub{};
    float maxScale = 0, maxMin = 0;
    int maxScaleIndex = -1, maxMinIndex = -1;
    float invScale = 0, invMin = 0;        // 63/maxScale, 63/maxMin (0 when the max is 0)
    uint16_t dBits = 0, dminBits = 0;      // f16 of maxScale/63 and maxMin/63
    float d = 0, dmin = 0;                 // read back
    std::array<uint8_t, 12> scales{};
    std::array<uint8_t, kQ4_KBlockBytes> bytes{};
    double sumSqErr = 0, mse = 0, maxAbsError = 0;
};

inline int walkNearestInt(float v) { return static_cast<int>(std::nearbyint(v)); }  // ggml nearest_int: half to even

// get_scale_min_k4's layout, written: scales[0..3] = ls | (ls[j+4] >> 4) << 6, scales[4..7] = lm | (lm[j+4] >> 4)
// << 6, scales[8..11] = (ls[j+4] & 15) | (lm[j+4] & 15) << 4.
inline std::array<uint8_t, 12> packScalesMinsK4(const std::array<uint8_t, 8>& ls, const std::array<uint8_t, 8>& lm) {
    std::array<uint8_t, 12> p{};
    for (size_t j = 0; j < 4; ++j) {
        p[j] = static_cast<uint8_t>((ls[j] & 63) | ((ls[j + 4] >> 4) << 6));
        p[j + 4] = static_cast<uint8_t>((lm[j] & 63) | ((lm[j + 4] >> 4) << 6));
        p[j + 8] = static_cast<uint8_t>((ls[j + 4] & 15) | ((lm[j + 4] & 15) << 4));
    }
    return p;
}

// get_scale_min_k4: sub-block j's 6-bit scale and min back from the 12 bytes.
inline void unpackScaleMinK4(int j, const std::array<uint8_t, 12>& q, uint8_t& sc, uint8_t& m) {
    const auto u = static_cast<size_t>(j);
    if (j < 4) {
        sc = q[u] & 63;
        m = q[u + 4] & 63;
    } else {
        sc = static_cast<uint8_t>((q[u + 4] & 0xF) | ((q[u - 4] >> 6) << 4));
        m = static_cast<uint8_t>((q[u + 4] >> 4) | ((q[u] >> 6) << 4));
    }
}

// make_qkx2_quants (nmax 15, rmin −1, rdelta 0.1, nstep 20, squared error) on one sub-block, run by the encoder's
// own search (ggmlFitScaleMin): the scale, the minimum (returned as the amount subtracted) and the winning
// candidate. L receives the fit's codes.
inline void walkFitScaleMin(const float* x, const float* w, uint8_t* L, GgmlQ4_KSubBlock& s) {
    float theMin = 0;
    s.scale = ggmlFitScaleMin(32, 15, x, w, L, &theMin, -1.0f, 0.1f, 20, &s.bestCandidate);
    s.min = theMin;
}

// x holds 256 values (fewer: the rest are 0).
inline GgmlQ4_KWalk walkQ4_K(std::span<const float> x) {
    GgmlQ4_KWalk w;
    for (size_t i = 0; i < w.x.size() && i < x.size(); ++i) {
        w.x[i] = x[i];
        if (!std::isfinite(x[i])) w.finite = false;
    }
    if (!w.finite) return w;
    std::array<uint8_t, kQ4_KBlockElements> L{};
    for (size_t j = 0; j < 8; ++j) {
        GgmlQ4_KSubBlock& s = w.sub[j];
        const float* xb = w.x.data() + 32 * j;
        float sumX2 = 0;
        s.xMin = s.xMax = xb[0];
        for (int l = 0; l < 32; ++l) {
            sumX2 += xb[l] * xb[l];
            s.xMin = std::min(s.xMin, xb[l]);
            s.xMax = std::max(s.xMax, xb[l]);
        }
        s.avX = std::sqrt(sumX2 / 32);
        float weights[32];
        for (int l = 0; l < 32; ++l) weights[l] = s.avX + std::fabs(xb[l]);
        walkFitScaleMin(xb, weights, L.data() + 32 * j, s);
        if (s.scale > w.maxScale) {
            w.maxScale = s.scale;
            w.maxScaleIndex = static_cast<int>(j);
        }
        if (s.min > w.maxMin) {
            w.maxMin = s.min;
            w.maxMinIndex = static_cast<int>(j);
        }
    }
    w.invScale = w.maxScale > 0 ? 63.0f / w.maxScale : 0.0f;
    w.invMin = w.maxMin > 0 ? 63.0f / w.maxMin : 0.0f;
    std::array<uint8_t, 8> ls{}, lm{};
    for (size_t j = 0; j < 8; ++j) {
        ls[j] = static_cast<uint8_t>(std::min<int>(63, static_cast<uint8_t>(walkNearestInt(w.invScale * w.sub[j].scale))));
        lm[j] = static_cast<uint8_t>(std::min<int>(63, static_cast<uint8_t>(walkNearestInt(w.invMin * w.sub[j].min))));
        w.sub[j].ls = ls[j];
        w.sub[j].lm = lm[j];
    }
    w.scales = packScalesMinsK4(ls, lm);
    w.dBits = f32ToF16(w.maxScale / 63.0f);
    w.dminBits = f32ToF16(w.maxMin / 63.0f);
    w.d = f16ToF32(w.dBits);
    w.dmin = f16ToF32(w.dminBits);
    for (size_t j = 0; j < 8; ++j) {
        GgmlQ4_KSubBlock& s = w.sub[j];
        uint8_t sc, m;
        unpackScaleMinK4(static_cast<int>(j), w.scales, sc, m);
        s.step = w.d * static_cast<float>(sc);
        s.offset = w.dmin * static_cast<float>(m);
        for (size_t l = 0; l < 32; ++l) {
            const float xv = w.x[32 * j + l];
            // A zero step keeps the fit's codes (as the reference, which skips the sub-block).
            if (s.step != 0) L[32 * j + l] = static_cast<uint8_t>(std::clamp(walkNearestInt((xv + s.offset) / s.step), 0, 15));
            s.q[l] = L[32 * j + l];
            s.y[l] = s.step * static_cast<float>(s.q[l]) - s.offset;
            s.error[l] = s.y[l] - xv;
            const double e = s.error[l];
            s.sumSqErr += e * e;
            w.maxAbsError = std::max(w.maxAbsError, std::fabs(e));
        }
        w.sumSqErr += s.sumSqErr;
    }
    w.mse = w.sumSqErr / kQ4_KBlockElements;
    w.bytes[0] = static_cast<uint8_t>(w.dBits & 0xFF);
    w.bytes[1] = static_cast<uint8_t>(w.dBits >> 8);
    w.bytes[2] = static_cast<uint8_t>(w.dminBits & 0xFF);
    w.bytes[3] = static_cast<uint8_t>(w.dminBits >> 8);
    std::copy(w.scales.begin(), w.scales.end(), w.bytes.begin() + 4);
    // qs: bytes 32·(j/2) + l hold sub-block j's code l, low nibble for even j, high for odd.
    for (size_t k = 0; k < 4; ++k)
        for (size_t l = 0; l < 32; ++l)
            w.bytes[16 + 32 * k + l] = static_cast<uint8_t>(L[64 * k + l] | (L[64 * k + 32 + l] << 4));
    return w;
}

}  // namespace qv
