// One llama.cpp Q4_0 block worked step by step (the Learn ▸ "one llama.cpp block" walkthrough): the value of
// largest |x|, the scale d and its f16 rounding, every code, the nibble packing, the 18 bytes and the decoded
// values with their errors. The same float operations in the same order as encodeGgmlBlocks (ggml_encode.cpp)
// and decodeGgmlBlocks, so the bytes shown are the bytes a GGUF file would hold (tested). Header-only, GUI-free.
//
// llama.cpp ggml/src/ggml-quants.c quantize_row_q4_0_ref and ggml-common.h block_q4_0 {ggml_half d; uint8_t
// qs[QK4_0/2];}: d = max/−8 with max the element of largest |x| (first on ties, strict compare), id = d ? 1/d : 0
// from the float d, xi = MIN(15, (int8_t)(x·id + 8.5f)), qs[j] = xi(x[j]) | xi(x[j+16]) << 4, d stored as f16.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <span>

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

}  // namespace qv
