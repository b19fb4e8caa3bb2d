// ggml block encoders. Facts (block layouts, scale rules, rounding) from llama.cpp ggml/src/ggml-quants.c
// quantize_row_q4_0_ref … quantize_row_q8_0_ref and ggml-common.h block_q4_0 … block_q8_0:
//   Q4_0 {f16 d; u8 qs[16]}          d = m/−8 where m is the block's value of largest |x| (sign kept),
//                                    q = min(15, trunc(x·(1/d) + 8.5)), x̂ = (q − 8)·d
//   Q4_1 {f16 d; f16 m; u8 qs[16]}   d = (max − min)/15, q = min(15, trunc((x − min)·(1/d) + 0.5)), x̂ = q·d + m
//   Q5_0 {f16 d; u8 qh[4]; u8 qs[16]} d = m/−16, q = min(31, trunc(x·(1/d) + 16.5)), x̂ = (q − 16)·d
//   Q5_1 {f16 d; f16 m; u8 qh[4]; u8 qs[16]} d = (max − min)/31, q = trunc((x − min)·(1/d) + 0.5)
//   Q8_0 {f16 d; i8 qs[32]}          d = amax/127, q = roundf(x·(1/d)) (half away from zero)
// with 1/d taken from the float d (before d is rounded to f16 for storage) and 1/d = 0 when d = 0. Nibbles:
// element j of the first half in the low nibble of qs[j], element j + 16 in the high nibble; Q5's fifth
// bits in qh as a little-endian u32, bit j for element j. Note the rounding: trunc(v + 0.5) on a
// non-negative v is round half up, not the half-to-even quantviz's own schemes use — one reason the same
// weights give different codes in llama.cpp and in PyTorch.
#include "core/tensor/ggml_encode.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/tensor/half.h"

namespace qv {
namespace {

constexpr int kQk = 32;

void putHalf(std::byte* dst, float v) {
    const uint16_t h = f32ToF16(v);
    std::memcpy(dst, &h, 2);
}

// The element of largest |x| with its sign (the first one on ties, as the reference's strict compare).
float signedAbsMax(const float* x) {
    float amax = 0, max = 0;
    for (int j = 0; j < kQk; ++j)
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    return max;
}

void minMax(const float* x, float& mn, float& mx) {
    mn = FLT_MAX;
    mx = -FLT_MAX;
    for (int j = 0; j < kQk; ++j) {
        if (x[j] < mn) mn = x[j];
        if (x[j] > mx) mx = x[j];
    }
}

// C's (int8_t)(float) as compiled for x86 (cvttss2si, then the low byte): the values here are in range.
int truncToInt(float v) { return static_cast<int>(v); }

void packNibbles(const int* q, std::byte* qs) {
    for (int j = 0; j < kQk / 2; ++j) qs[j] = static_cast<std::byte>((q[j] & 0x0F) | ((q[j + kQk / 2] & 0x0F) << 4));
}

void packHighBits(const int* q, std::byte* qh) {
    uint32_t h = 0;
    for (int j = 0; j < kQk; ++j) h |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
    const uint8_t b[4] = {static_cast<uint8_t>(h), static_cast<uint8_t>(h >> 8), static_cast<uint8_t>(h >> 16),
                          static_cast<uint8_t>(h >> 24)};
    std::memcpy(qh, b, 4);
}

void encodeQ4_0(const float* x, std::byte* y) {
    const float d = signedAbsMax(x) / -8;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    putHalf(y, d);
    int q[kQk];
    for (int j = 0; j < kQk; ++j) q[j] = std::min(15, truncToInt(x[j] * id + 8.5f));
    packNibbles(q, y + 2);
}

void encodeQ4_1(const float* x, std::byte* y) {
    float mn, mx;
    minMax(x, mn, mx);
    const float d = (mx - mn) / 15;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    putHalf(y, d);
    putHalf(y + 2, mn);
    int q[kQk];
    for (int j = 0; j < kQk; ++j) q[j] = std::min(15, truncToInt((x[j] - mn) * id + 0.5f));
    packNibbles(q, y + 4);
}

void encodeQ5_0(const float* x, std::byte* y) {
    const float d = signedAbsMax(x) / -16;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    putHalf(y, d);
    int q[kQk];
    for (int j = 0; j < kQk; ++j) q[j] = std::min(31, truncToInt(x[j] * id + 16.5f));
    packHighBits(q, y + 2);
    packNibbles(q, y + 6);
}

void encodeQ5_1(const float* x, std::byte* y) {
    float mn, mx;
    minMax(x, mn, mx);
    const float d = (mx - mn) / 31;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    putHalf(y, d);
    putHalf(y + 2, mn);
    int q[kQk];
    for (int j = 0; j < kQk; ++j) q[j] = truncToInt((x[j] - mn) * id + 0.5f) & 0x1F;  // the reference's uint8 keeps 5 bits here
    packHighBits(q, y + 4);
    packNibbles(q, y + 8);
}

void encodeQ8_0(const float* x, std::byte* y) {
    float amax = 0;
    for (int j = 0; j < kQk; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    putHalf(y, d);
    for (int j = 0; j < kQk; ++j) {
        const auto q = static_cast<int8_t>(std::round(x[j] * id));  // roundf: half away from zero
        std::memcpy(y + 2 + j, &q, 1);
    }
}

}  // namespace

bool ggmlEncodable(DType t) {
    return t == DType::Q4_0 || t == DType::Q4_1 || t == DType::Q5_0 || t == DType::Q5_1 || t == DType::Q8_0;
}

bool encodeGgmlBlocks(DType t, const float* src, size_t blocks, std::byte* dst) {
    void (*encode)(const float*, std::byte*) = nullptr;
    switch (t) {
        case DType::Q4_0: encode = encodeQ4_0; break;
        case DType::Q4_1: encode = encodeQ4_1; break;
        case DType::Q5_0: encode = encodeQ5_0; break;
        case DType::Q5_1: encode = encodeQ5_1; break;
        case DType::Q8_0: encode = encodeQ8_0; break;
        default: return false;
    }
    const size_t bytes = traits(t).blockBytes;
    for (size_t b = 0; b < blocks; ++b) encode(src + b * kQk, dst + b * bytes);
    return true;
}

}  // namespace qv
