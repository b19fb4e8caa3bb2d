// IQ grid block decoders: GGUF's vector-quantized types turned back into floats, value for value as llama.cpp.
//
// Sources (facts re-derived, code written here):
//   layouts  — llama.cpp ggml/src/ggml-common.h: block_iq2_xxs, block_iq2_xs, block_iq2_s, block_iq3_xxs,
//              block_iq3_s, block_iq1_s, block_iq1_m, iq1m_scale_t and their static_asserts;
//   formulas — llama.cpp ggml/src/ggml-quants.c (commit 36491e4024b3016e6e2d21afc140add042b44bec)
//              dequantize_row_iq2_xxs, _iq2_xs, _iq2_s, _iq3_xxs, _iq3_s, _iq1_s, _iq1_m;
//   tables   — ggml_iq_grids.h.
// Every type splits its 256 weights into 8 sub-blocks of 32 and each sub-block into groups of 8 (a grid point
// of 8 levels, or two points of 4). A weight is y = scale · level · sign (IQ1: scale · (level ± 0.125)). Each
// decoder below says where the grid index, the signs and the scale of group g of sub-block s come from; the
// hand-built blocks in tests/core/gguf/ggml_iq_blocks_test.cpp check those bit positions. Floating-point
// operations are done in ggml's order (e.g. (d·(0.5 + s))·0.25, then ·level), so results are bit-identical.
//
// [SECTION] layouts  [SECTION] shared steps  [SECTION] 2-bit  [SECTION] 3-bit  [SECTION] 1-bit  [SECTION] dispatch
#include "core/tensor/ggml_iq_blocks.h"

#include <cstdint>
#include <cstring>

#include "core/tensor/ggml_iq_grids.h"
#include "core/tensor/half.h"

namespace qv {
namespace {

// [SECTION] layouts — byte offsets inside one 256-weight block; sizes must match the DType traits table.
struct IQ2_XXS { static constexpr int d = 0, qs = 2, size = 66; };                          // {f16 d; u16 qs[32]}
struct IQ2_XS { static constexpr int d = 0, qs = 2, scales = 66, size = 74; };              // {f16 d; u16 qs[32]; u8 scales[8]}
struct IQ2_S { static constexpr int d = 0, qs = 2, signs = 34, qh = 66, scales = 74, size = 82; };
                                                              // {f16 d; u8 qs[64] (32 indices, 32 sign bytes); u8 qh[8]; u8 scales[8]}
struct IQ3_XXS { static constexpr int d = 0, qs = 2, scalesSigns = 66, size = 98; };        // {f16 d; u8 qs[96] (64 indices, 8 u32)}
struct IQ3_S { static constexpr int d = 0, qs = 2, qh = 66, signs = 74, scales = 106, size = 110; };
                                                              // {f16 d; u8 qs[64]; u8 qh[8]; u8 signs[32]; u8 scales[4]}
struct IQ1_S { static constexpr int d = 0, qs = 2, qh = 34, size = 50; };                   // {f16 d; u8 qs[32]; u16 qh[8]}
struct IQ1_M { static constexpr int qs = 0, qh = 32, scales = 48, size = 56; };             // {u8 qs[32]; u8 qh[16]; u8 scales[8]}

// ggml-common.h's static_asserts, with QK_K = 256.
static_assert(IQ2_XXS::size == 2 + 256 / 8 * 2, "block_iq2_xxs");
static_assert(IQ2_XS::size == 2 + 256 / 8 * 2 + 256 / 32, "block_iq2_xs");
static_assert(IQ2_S::size == 2 + 256 / 4 + 256 / 16, "block_iq2_s");
static_assert(IQ3_XXS::size == 2 + 3 * (256 / 8), "block_iq3_xxs");
static_assert(IQ3_S::size == 2 + 13 * (256 / 32) + 256 / 64, "block_iq3_s");
static_assert(IQ1_S::size == 2 + 256 / 8 + 256 / 16, "block_iq1_s");
static_assert(IQ1_M::size == 256 / 8 + 256 / 16 + 256 / 32, "block_iq1_m");

uint8_t u8(const std::byte* p, int i) { return static_cast<uint8_t>(p[i]); }
uint16_t u16(const std::byte* p, int i) {
    uint16_t v;
    std::memcpy(&v, p + i, 2);  // GGUF is little-endian, as is every host quantviz builds for
    return v;
}
uint32_t u32(const std::byte* p, int i) {
    uint32_t v;
    std::memcpy(&v, p + i, 4);
    return v;
}
float f16(const std::byte* p, int i) { return f16ToF32(u16(p, i)); }

// [SECTION] shared steps

// Level j of a grid entry: byte j, element j of the group (see ggml_iq_grids.h).
uint8_t level(uint64_t entry, int j) { return static_cast<uint8_t>(entry >> (8 * j)); }

// One group of n = 8 or 4 weights: y[j] = scale · level_j, negated where bit (first + j) of `signs` is set.
// (ggml: db * grid[j] * (signs & kmask_iq2xs[j] ? -1.f : 1.f); multiplying by ±1 is exact.)
void putGroup(float scale, uint64_t entry, int n, uint8_t signs, int first, float* y) {
    for (int j = 0; j < n; ++j) {
        const float v = scale * static_cast<float>(level(entry, j));
        y[j] = (signs & kMaskIq2xs[first + j]) ? -v : v;
    }
}

// IQ2_XXS / IQ2_XS / IQ2_S / IQ3_XXS sub-block scale from a 4-bit field s: d·(0.5 + s)·k, k = 1/4 for the 2-bit
// types and 1/2 for IQ3_XXS (the scale is stored at half resolution, centred in its bin).
float halfStepScale(float d, uint32_t s, float k) { return d * (0.5f + static_cast<float>(s)) * k; }

// [SECTION] 2-bit: groups of 8 from 256/512/1024-point grids with levels 8, 25, 43.

// IQ2_XXS: sub-block s is the 8 bytes qs[8s..8s+7]: bytes 0–3 are the grid indices of groups 0–3; the u32 of
// bytes 4–7 holds group g's 7 sign bits at bits 7g..7g+6 (expanded by kSignsIq2xs) and the scale in bits 28–31.
void decodeIq2Xxs(const std::byte* b, float* y) {
    const float d = f16(b, IQ2_XXS::d);
    for (int s = 0; s < 8; ++s) {
        const std::byte* q = b + IQ2_XXS::qs + 8 * s;
        const uint32_t signsScale = u32(q, 4);
        const float db = halfStepScale(d, signsScale >> 28, 0.25f);
        for (int g = 0; g < 4; ++g)
            putGroup(db, kIq2xxsGrid[u8(q, g)], 8, kSignsIq2xs[(signsScale >> (7 * g)) & 127], 0, y + 32 * s + 8 * g);
    }
}

// IQ2_XS: group g of sub-block s is the u16 qs[4s + g]: grid index in bits 0–8, sign index in bits 9–15.
// scales[s] holds two 4-bit scales: the low nibble for groups 0–1, the high nibble for groups 2–3.
void decodeIq2Xs(const std::byte* b, float* y) {
    const float d = f16(b, IQ2_XS::d);
    for (int s = 0; s < 8; ++s) {
        const uint8_t sc = u8(b + IQ2_XS::scales, s);
        const float db[2] = {halfStepScale(d, sc & 0xF, 0.25f), halfStepScale(d, sc >> 4, 0.25f)};
        for (int g = 0; g < 4; ++g) {
            const uint16_t q = u16(b + IQ2_XS::qs, 2 * (4 * s + g));
            putGroup(db[g / 2], kIq2xsGrid[q & 511], 8, kSignsIq2xs[q >> 9], 0, y + 32 * s + 8 * g);
        }
    }
}

// IQ2_S: group g of sub-block s: grid index = qs[4s + g] | bits 2g..2g+1 of qh[s] as bits 8–9; its 8 signs are
// the plain byte signs[4s + g] (no parity rule); scales as IQ2_XS.
void decodeIq2S(const std::byte* b, float* y) {
    const float d = f16(b, IQ2_S::d);
    for (int s = 0; s < 8; ++s) {
        const uint8_t sc = u8(b + IQ2_S::scales, s);
        const float db[2] = {halfStepScale(d, sc & 0xF, 0.25f), halfStepScale(d, sc >> 4, 0.25f)};
        const int qh = u8(b + IQ2_S::qh, s);
        for (int g = 0; g < 4; ++g) {
            const int index = u8(b + IQ2_S::qs, 4 * s + g) | (((qh >> (2 * g)) & 3) << 8);
            putGroup(db[g / 2], kIq2sGrid[index], 8, u8(b + IQ2_S::signs, 4 * s + g), 0, y + 32 * s + 8 * g);
        }
    }
}

// [SECTION] 3-bit: each group of 8 is two 4-level grid points (elements 0–3 and 4–7).

// IQ3_XXS: group g of sub-block s takes grid indices qs[8s + 2g] (elements 0–3) and qs[8s + 2g + 1] (4–7);
// the u32 at scalesSigns + 4s holds the 7-bit sign indices (bits 7g..) and the 4-bit scale (bits 28–31).
void decodeIq3Xxs(const std::byte* b, float* y) {
    const float d = f16(b, IQ3_XXS::d);
    for (int s = 0; s < 8; ++s) {
        const uint32_t signsScale = u32(b + IQ3_XXS::scalesSigns, 4 * s);
        const float db = halfStepScale(d, signsScale >> 28, 0.5f);
        for (int g = 0; g < 4; ++g) {
            const uint8_t signs = kSignsIq2xs[(signsScale >> (7 * g)) & 127];
            float* out = y + 32 * s + 8 * g;
            putGroup(db, kIq3xxsGrid[u8(b + IQ3_XXS::qs, 8 * s + 2 * g)], 4, signs, 0, out);
            putGroup(db, kIq3xxsGrid[u8(b + IQ3_XXS::qs, 8 * s + 2 * g + 1)], 4, signs, 4, out + 4);
        }
    }
}

// IQ3_S: the two points of group g of sub-block s have 9-bit indices qs[8s + 2g] | bit 2g of qh[s] << 8 and
// qs[8s + 2g + 1] | bit 2g+1 of qh[s] << 8; signs are the plain byte signs[4s + g]; the scale is d·(1 + 2·n),
// n the low nibble of scales[s/2] for even s, the high nibble for odd s.
void decodeIq3S(const std::byte* b, float* y) {
    const float d = f16(b, IQ3_S::d);
    for (int s = 0; s < 8; ++s) {
        const int n = (u8(b + IQ3_S::scales, s / 2) >> (4 * (s % 2))) & 0xF;
        const float db = d * static_cast<float>(1 + 2 * n);
        const int qh = u8(b + IQ3_S::qh, s);
        for (int g = 0; g < 4; ++g) {
            const int i0 = u8(b + IQ3_S::qs, 8 * s + 2 * g) | (((qh >> (2 * g)) & 1) << 8);
            const int i1 = u8(b + IQ3_S::qs, 8 * s + 2 * g + 1) | (((qh >> (2 * g + 1)) & 1) << 8);
            const uint8_t signs = u8(b + IQ3_S::signs, 4 * s + g);
            float* out = y + 32 * s + 8 * g;
            putGroup(db, kIq3sGrid[i0], 4, signs, 0, out);
            putGroup(db, kIq3sGrid[i1], 4, signs, 4, out + 4);
        }
    }
}

// [SECTION] 1-bit: ternary grid points (−1, 0, +1) shifted by ±kIq1sDelta, no sign bits.

// y[j] = dl · (level_j + delta), level_j the int8 byte j of the entry.
void putShiftedGroup(float dl, uint64_t entry, float delta, float* y) {
    for (int j = 0; j < 8; ++j) y[j] = dl * (static_cast<float>(static_cast<int8_t>(level(entry, j))) + delta);
}

// IQ1_S: sub-block s has the u16 qh[s]: bits 3g..3g+2 are bits 8–10 of group g's 11-bit grid index (low 8 bits
// qs[4s + g]); bits 12–14 a 3-bit scale n, dl = d·(2n + 1); bit 15 the sign of the delta.
void decodeIq1S(const std::byte* b, float* y) {
    const float d = f16(b, IQ1_S::d);
    for (int s = 0; s < 8; ++s) {
        const uint16_t qh = u16(b + IQ1_S::qh, 2 * s);
        const float dl = d * static_cast<float>(2 * ((qh >> 12) & 7) + 1);
        const float delta = (qh & 0x8000) ? -kIq1sDelta : kIq1sDelta;
        for (int g = 0; g < 4; ++g) {
            const int index = u8(b + IQ1_S::qs, 4 * s + g) | (((qh >> (3 * g)) & 7) << 8);
            putShiftedGroup(dl, kIq1sGrid[index], delta, y + 32 * s + 8 * g);
        }
    }
}

// IQ1_M has no stored f16 d: its 16 bits are the top nibbles of the four u16 scale words, sc[0] giving bits
// 0–3 … sc[3] bits 12–15 (ggml iq1m_scale_t). The low 12 bits of sc[s/2] hold sub-block s's two 3-bit scales
// at bits 6·(s%2) (groups 0–1) and 6·(s%2) + 3 (groups 2–3), dl = d·(2n + 1). Group g's grid index is
// qs[4s + g] | 3 bits of qh[2s + g/2] (bits 0–2 for even g, 4–6 for odd g) << 8; bit 3 (even g) or bit 7
// (odd g) of that qh byte is the sign of its delta.
void decodeIq1M(const std::byte* b, float* y) {
    uint16_t sc[4];
    for (int k = 0; k < 4; ++k) sc[k] = u16(b + IQ1_M::scales, 2 * k);
    const uint16_t dBits = static_cast<uint16_t>((sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) |
                                                 (sc[3] & 0xF000));
    const float d = f16ToF32(dBits);
    for (int s = 0; s < 8; ++s) {
        const int shift = 6 * (s % 2);
        const float dl[2] = {d * static_cast<float>(2 * ((sc[s / 2] >> shift) & 7) + 1),
                             d * static_cast<float>(2 * ((sc[s / 2] >> (shift + 3)) & 7) + 1)};
        for (int g = 0; g < 4; ++g) {
            const int qh = u8(b + IQ1_M::qh, 2 * s + g / 2) >> (4 * (g % 2));  // this group's nibble
            const int index = u8(b + IQ1_M::qs, 4 * s + g) | ((qh & 7) << 8);
            const float delta = (qh & 8) ? -kIq1sDelta : kIq1sDelta;
            putShiftedGroup(dl[g / 2], kIq1sGrid[index], delta, y + 32 * s + 8 * g);
        }
    }
}

template <void (*Decode)(const std::byte*, float*), int BlockBytes>
void decodeAll(const std::byte* src, size_t blocks, float* dst) {
    for (size_t i = 0; i < blocks; ++i) Decode(src + i * BlockBytes, dst + i * 256);
}

}  // namespace

// [SECTION] dispatch
bool ggmlIqGridType(DType t) {
    switch (t) {
        case DType::IQ2_XXS: case DType::IQ2_XS: case DType::IQ2_S: case DType::IQ3_XXS: case DType::IQ3_S:
        case DType::IQ1_S: case DType::IQ1_M:
            return true;
        default: return false;
    }
}

bool decodeGgmlIqGridBlocks(DType t, const std::byte* src, size_t blocks, float* dst) {
    switch (t) {
        case DType::IQ2_XXS: decodeAll<decodeIq2Xxs, IQ2_XXS::size>(src, blocks, dst); return true;
        case DType::IQ2_XS: decodeAll<decodeIq2Xs, IQ2_XS::size>(src, blocks, dst); return true;
        case DType::IQ2_S: decodeAll<decodeIq2S, IQ2_S::size>(src, blocks, dst); return true;
        case DType::IQ3_XXS: decodeAll<decodeIq3Xxs, IQ3_XXS::size>(src, blocks, dst); return true;
        case DType::IQ3_S: decodeAll<decodeIq3S, IQ3_S::size>(src, blocks, dst); return true;
        case DType::IQ1_S: decodeAll<decodeIq1S, IQ1_S::size>(src, blocks, dst); return true;
        case DType::IQ1_M: decodeAll<decodeIq1M, IQ1_M::size>(src, blocks, dst); return true;
        default: return false;
    }
}

}  // namespace qv
