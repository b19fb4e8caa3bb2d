// ggml block decoders: GGUF's quantized storage types turned back into floats, value for value as llama.cpp does.
// The IQ grid types (IQ2_XXS … IQ1_M) live in ggml_iq_blocks.cpp with their lookup tables; dispatch is here.
//
// Sources (facts re-derived, code written here):
//   layouts  — llama.cpp ggml/src/ggml-common.h (block_q4_0 … block_iq4_xs and their static_asserts),
//   formulas — llama.cpp ggml/src/ggml-quants.c dequantize_row_q4_0 … dequantize_row_iq4_xs, get_scale_min_k4,
//              dequantize_row_mxfp4, dequantize_row_tq1_0, dequantize_row_tq2_0; ggml-impl.h ggml_e8m0_to_fp32_half.
// Each decoder is written in "element e of the block comes from …" form instead of ggml's pointer-walking
// loops, so the bit positions can be read off and checked against the hand-built blocks in
// tests/core/gguf/ggml_blocks_test.cpp. The floating-point operations are done in the same order as
// ggml's (e.g. (d·sc)·q − (dmin·m)), so the results are bit-identical to dequantize_row_*.
//
// [SECTION] layouts  [SECTION] 32-element blocks  [SECTION] K-quants  [SECTION] non-linear  [SECTION] MXFP4 and ternary
// [SECTION] dispatch
#include "core/tensor/ggml_levels.h"
#include "core/tensor/ggml_blocks.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "core/tensor/ggml_iq_blocks.h"
#include "core/tensor/half.h"

namespace qv {
namespace {

// [SECTION] layouts — byte offsets inside one block; the sizes must match the DType traits table.
constexpr int kQK = 32;    // QK4_0 = QK4_1 = QK5_0 = QK5_1 = QK8_0 = QK8_1 = QK4_NL
constexpr int kQKK = 256;  // QK_K, the K-quant super-block

struct Q4_0 { static constexpr int d = 0, qs = 2, size = 18; };                    // {f16 d; u8 qs[16]}
struct Q4_1 { static constexpr int d = 0, m = 2, qs = 4, size = 20; };             // {f16 d, m; u8 qs[16]}
struct Q5_0 { static constexpr int d = 0, qh = 2, qs = 6, size = 22; };            // {f16 d; u8 qh[4]; u8 qs[16]}
struct Q5_1 { static constexpr int d = 0, m = 2, qh = 4, qs = 8, size = 24; };     // {f16 d, m; u8 qh[4]; u8 qs[16]}
struct Q8_0 { static constexpr int d = 0, qs = 2, size = 34; };                    // {f16 d; i8 qs[32]}
struct Q8_1 { static constexpr int d = 0, s = 2, qs = 4, size = 36; };             // {f16 d, s; i8 qs[32]}
struct Q2_K { static constexpr int scales = 0, qs = 16, d = 80, dmin = 82, size = 84; };   // {u8 scales[16]; u8 qs[64]; f16 d, dmin}
struct Q3_K { static constexpr int hmask = 0, qs = 32, scales = 96, d = 108, size = 110; }; // {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d}
struct Q4_K { static constexpr int d = 0, dmin = 2, scales = 4, qs = 16, size = 144; };    // {f16 d, dmin; u8 scales[12]; u8 qs[128]}
struct Q5_K { static constexpr int d = 0, dmin = 2, scales = 4, qh = 16, qs = 48, size = 176; }; // {…; u8 qh[32]; u8 qs[128]}
struct Q6_K { static constexpr int ql = 0, qh = 128, scales = 192, d = 208, size = 210; };  // {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}
struct Q8_K { static constexpr int d = 0, qs = 4, bsums = 260, size = 292; };              // {f32 d; i8 qs[256]; i16 bsums[16]}
struct IQ4_NL { static constexpr int d = 0, qs = 2, size = 18; };                          // {f16 d; u8 qs[16]}
struct MXFP4 { static constexpr int e = 0, qs = 1, size = 17; };                       // {u8 e (E8M0); u8 qs[16]}
struct TQ1_0 { static constexpr int qs = 0, qh = 48, d = 52, size = 54; };              // {u8 qs[48]; u8 qh[4]; f16 d}
struct TQ2_0 { static constexpr int qs = 0, d = 64, size = 66; };                       // {u8 qs[64]; f16 d}
struct IQ4_XS { static constexpr int d = 0, scalesH = 2, scalesL = 4, qs = 8, size = 136; }; // {f16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128]}

// The on-disk sizes ggml locks with static_assert(sizeof(block_…) == …); tests check them against traits().
static_assert(Q4_0::size == 2 + kQK / 2, "block_q4_0");
static_assert(Q4_1::size == 4 + kQK / 2, "block_q4_1");
static_assert(Q5_0::size == 2 + 4 + kQK / 2, "block_q5_0");
static_assert(Q5_1::size == 4 + 4 + kQK / 2, "block_q5_1");
static_assert(Q8_0::size == 2 + kQK, "block_q8_0");
static_assert(Q8_1::size == 4 + kQK, "block_q8_1");
static_assert(Q2_K::size == 4 + kQKK / 16 + kQKK / 4, "block_q2_K");
static_assert(Q3_K::size == 2 + kQKK / 4 + kQKK / 8 + 12, "block_q3_K");
static_assert(Q4_K::size == 4 + 12 + kQKK / 2, "block_q4_K");
static_assert(Q5_K::size == 4 + 12 + kQKK / 2 + kQKK / 8, "block_q5_K");
static_assert(Q6_K::size == 2 + kQKK / 16 + 3 * kQKK / 4, "block_q6_K");
static_assert(Q8_K::size == 4 + kQKK + kQKK / 16 * 2, "block_q8_K");
static_assert(IQ4_NL::size == 2 + kQK / 2, "block_iq4_nl");
static_assert(IQ4_XS::size == 2 + 2 + kQKK / 64 + kQKK / 2, "block_iq4_xs");
static_assert(MXFP4::size == 1 + kQK / 2, "block_mxfp4");
static_assert(TQ1_0::size == 2 + kQKK / 64 + (kQKK - 4 * kQKK / 64) / 5, "block_tq1_0");
static_assert(TQ2_0::size == 2 + kQKK / 4, "block_tq2_0");


// MXFP4's 16 E2M1 values, doubled to integers (the scale below is halved to match).
// Fact from llama.cpp ggml-common.h, table kvalues_mxfp4 (OCP MX v1.0 E2M1: 0, .5, 1, 1.5, 2, 3, 4, 6).
constexpr int8_t kValuesMxfp4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

uint8_t u8(const std::byte* p, int i) { return static_cast<uint8_t>(p[i]); }
int8_t i8(const std::byte* p, int i) { return static_cast<int8_t>(p[i]); }
float f16(const std::byte* p, int i) {
    uint16_t v;
    std::memcpy(&v, p + i, 2);
    return f16ToF32(v);
}

// [SECTION] 32-element blocks. Element e < 16 takes the low nibble of qs[e], e ≥ 16 the high nibble of qs[e−16].
// Decoders first unpack the integer codes into an int32 array, then scale them in a second loop: both loops
// have contiguous stores and constant shifts, so the compiler vectorizes them (the ggml formulas, unchanged).
void unpackNibbles(const std::byte* qs, int32_t* q) {
    for (int j = 0; j < 16; ++j) q[j] = u8(qs, j) & 0xF;
    for (int j = 0; j < 16; ++j) q[j + 16] = u8(qs, j) >> 4;
}

// The 5th bit of element e is bit e of the little-endian u32 qh (ggml: (qh >> j) << 4 & 0x10 for j < 16,
// (qh >> (j+12)) & 0x10 for element j+16 — both are bit e).
// (Masks from a table rather than qh >> e: a per-lane variable shift does not vectorize on SSE2.)
constexpr auto kBitMasks = [] {
    std::array<uint32_t, 32> m{};
    for (int e = 0; e < 32; ++e) m[e] = 1u << e;
    return m;
}();
void addFifthBits(const std::byte* qhBytes, int32_t* q) {
    uint32_t qh;
    std::memcpy(&qh, qhBytes, 4);
    for (int e = 0; e < 32; ++e) q[e] |= (qh & kBitMasks[e]) ? 16 : 0;
}

// Q4_0: y = (q − 8)·d
void decodeQ4_0(const std::byte* b, float* y) {
    const float d = f16(b, Q4_0::d);
    int32_t q[32];
    unpackNibbles(b + Q4_0::qs, q);
    for (int e = 0; e < 32; ++e) y[e] = static_cast<float>(q[e] - 8) * d;
}

// Q4_1: y = q·d + m
void decodeQ4_1(const std::byte* b, float* y) {
    const float d = f16(b, Q4_1::d), m = f16(b, Q4_1::m);
    int32_t q[32];
    unpackNibbles(b + Q4_1::qs, q);
    for (int e = 0; e < 32; ++e) y[e] = static_cast<float>(q[e]) * d + m;
}

// Q5_0: y = (q5 − 16)·d
void decodeQ5_0(const std::byte* b, float* y) {
    const float d = f16(b, Q5_0::d);
    int32_t q[32];
    unpackNibbles(b + Q5_0::qs, q);
    addFifthBits(b + Q5_0::qh, q);
    for (int e = 0; e < 32; ++e) y[e] = static_cast<float>(q[e] - 16) * d;
}

// Q5_1: y = q5·d + m
void decodeQ5_1(const std::byte* b, float* y) {
    const float d = f16(b, Q5_1::d), m = f16(b, Q5_1::m);
    int32_t q[32];
    unpackNibbles(b + Q5_1::qs, q);
    addFifthBits(b + Q5_1::qh, q);
    for (int e = 0; e < 32; ++e) y[e] = static_cast<float>(q[e]) * d + m;
}

// Q8_0: y = q·d
void decodeQ8_0(const std::byte* b, float* y) {
    const float d = f16(b, Q8_0::d);
    for (int e = 0; e < kQK; ++e) y[e] = static_cast<float>(i8(b + Q8_0::qs, e)) * d;
}

// Q8_1: y = q·d (s = d·Σq is a cached sum for dot products, not needed to decode). ggml has no
// dequantize_row_q8_1 (Q8_1 is an activation format); this follows its quantize_row_q8_1_ref inverse.
void decodeQ8_1(const std::byte* b, float* y) {
    const float d = f16(b, Q8_1::d);
    for (int e = 0; e < kQK; ++e) y[e] = static_cast<float>(i8(b + Q8_1::qs, e)) * d;
}

// [SECTION] K-quants (super-blocks of 256).

// The 2-bit codes of Q2_K and Q3_K: element e is bits 2·((e%128)/32) of qs[32·(e/128) + e%32], i.e. byte l of
// half h holds elements 128h + l, +32, +64, +96 at shifts 0, 2, 4, 6.
void unpackTwoBits(const std::byte* qs, int32_t* q) {
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const int byte = u8(qs, 32 * h + l);
            q[128 * h + l] = byte & 3;
            q[128 * h + 32 + l] = (byte >> 2) & 3;
            q[128 * h + 64 + l] = (byte >> 4) & 3;
            q[128 * h + 96 + l] = (byte >> 6) & 3;
        }
}

// Q2_K: 16 sub-blocks of 16. scales[s] = (4-bit scale) | (4-bit min) << 4; y = (d·sc)·q − (dmin·m), s = e/16.
void decodeQ2_K(const std::byte* b, float* y) {
    const float d = f16(b, Q2_K::d), dmin = f16(b, Q2_K::dmin);
    int32_t q[256];
    unpackTwoBits(b + Q2_K::qs, q);
    for (int s = 0; s < 16; ++s) {
        const int sc = u8(b + Q2_K::scales, s);
        const float dl = d * static_cast<float>(sc & 0xF);
        const float ml = dmin * static_cast<float>(sc >> 4);
        for (int l = 0; l < 16; ++l) y[16 * s + l] = dl * static_cast<float>(q[16 * s + l]) - ml;
    }
}

// Q3_K's 16 signed 6-bit scales in 12 bytes: the low 4 bits of scale s are the low nibble of byte s
// (s < 8) or the high nibble of byte s−8 (s ≥ 8); the high 2 bits are bits 2·(s/4).. of byte 8 + s%4.
// Stored with +32 offset. (ggml dequantize_row_q3_K's kmask1/kmask2 shuffle, unfolded.)
int q3kScale(const std::byte* scales, int s) {
    const int low = s < 8 ? (u8(scales, s) & 0xF) : (u8(scales, s - 8) >> 4);
    const int high = (u8(scales, 8 + s % 4) >> (2 * (s / 4))) & 3;
    return (low | (high << 4)) - 32;
}

// Q3_K: y = (d·sc)·(q − 4·(1 − hbit)), q the 2-bit code placed as in Q2_K, hbit = bit (e/32) of hmask[e%32].
void decodeQ3_K(const std::byte* b, float* y) {
    const float d = f16(b, Q3_K::d);
    int32_t q[256];
    unpackTwoBits(b + Q3_K::qs, q);
    for (int l = 0; l < 32; ++l) {
        const int hm = u8(b + Q3_K::hmask, l);
        for (int bit = 0; bit < 8; ++bit) q[32 * bit + l] -= ((hm >> bit) & 1) ? 0 : 4;
    }
    for (int s = 0; s < 16; ++s) {
        const float dl = d * static_cast<float>(q3kScale(b + Q3_K::scales, s));
        for (int l = 0; l < 16; ++l) y[16 * s + l] = dl * static_cast<float>(q[16 * s + l]);
    }
}

// Q4_K/Q5_K's 8 unsigned 6-bit (scale, min) pairs in 12 bytes (ggml get_scale_min_k4):
// j < 4: sc = q[j] & 63, m = q[j+4] & 63;
// j ≥ 4: sc = (q[j+4] & 0xF) | (q[j−4] >> 6) << 4, m = (q[j+4] >> 4) | (q[j] >> 6) << 4.
void scaleMinK4(const std::byte* q, int j, int& sc, int& m) {
    if (j < 4) {
        sc = u8(q, j) & 63;
        m = u8(q, j + 4) & 63;
    } else {
        sc = (u8(q, j + 4) & 0xF) | ((u8(q, j - 4) >> 6) << 4);
        m = (u8(q, j + 4) >> 4) | ((u8(q, j) >> 6) << 4);
    }
}

// Q4_K: 8 sub-blocks of 32; sub-block s = e/32 reads qs[32·(s/2) + e%32], low nibble when s is even.
// y = (d·sc)·q − (dmin·m).
void decodeQ4_K(const std::byte* b, float* y) {
    const float d = f16(b, Q4_K::d), dmin = f16(b, Q4_K::dmin);
    for (int s = 0; s < 8; ++s) {
        int sc = 0, m = 0;
        scaleMinK4(b + Q4_K::scales, s, sc, m);
        const float ds = d * static_cast<float>(sc), ms = dmin * static_cast<float>(m);
        for (int l = 0; l < 32; ++l) {
            const int byte = u8(b + Q4_K::qs, 32 * (s / 2) + l);
            const int q = (s % 2 == 0) ? (byte & 0xF) : (byte >> 4);
            y[32 * s + l] = ds * static_cast<float>(q) - ms;
        }
    }
}

// Q5_K: Q4_K plus a 5th bit: bit s of qh[e%32] adds 16.
void decodeQ5_K(const std::byte* b, float* y) {
    const float d = f16(b, Q5_K::d), dmin = f16(b, Q5_K::dmin);
    for (int s = 0; s < 8; ++s) {
        int sc = 0, m = 0;
        scaleMinK4(b + Q5_K::scales, s, sc, m);
        const float ds = d * static_cast<float>(sc), ms = dmin * static_cast<float>(m);
        for (int l = 0; l < 32; ++l) {
            const int byte = u8(b + Q5_K::qs, 32 * (s / 2) + l);
            const int low = (s % 2 == 0) ? (byte & 0xF) : (byte >> 4);
            const int high = ((u8(b + Q5_K::qh, l) >> s) & 1) ? 16 : 0;
            y[32 * s + l] = ds * static_cast<float>(low + high) - ms;
        }
    }
}

// Q6_K: 16 sub-blocks of 16 with signed 8-bit scales; y = (d·sc[e/16])·(q6 − 32).
// Half h = e/128, quarter g = (e%128)/32, l = e%32: low 4 bits from ql[64h + 32·(g%2) + l] (high nibble
// when g ≥ 2), top 2 bits are bits 2g..2g+1 of qh[32h + l].
void decodeQ6_K(const std::byte* b, float* y) {
    const float d = f16(b, Q6_K::d);
    int32_t q[256];
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const int ql0 = u8(b + Q6_K::ql, 64 * h + l), ql1 = u8(b + Q6_K::ql, 64 * h + 32 + l);
            const int qh = u8(b + Q6_K::qh, 32 * h + l);
            q[128 * h + l] = ((ql0 & 0xF) | ((qh & 3) << 4)) - 32;
            q[128 * h + 32 + l] = ((ql1 & 0xF) | (((qh >> 2) & 3) << 4)) - 32;
            q[128 * h + 64 + l] = ((ql0 >> 4) | (((qh >> 4) & 3) << 4)) - 32;
            q[128 * h + 96 + l] = ((ql1 >> 4) | (((qh >> 6) & 3) << 4)) - 32;
        }
    for (int s = 0; s < 16; ++s) {
        const float ds = d * static_cast<float>(i8(b + Q6_K::scales, s));
        for (int l = 0; l < 16; ++l) y[16 * s + l] = ds * static_cast<float>(q[16 * s + l]);
    }
}

// Q8_K: {f32 d; i8 qs[256]; i16 bsums[16]} — y = d·q (bsums are cached sums for dot products).
void decodeQ8_K(const std::byte* b, float* y) {
    float d;
    std::memcpy(&d, b + Q8_K::d, 4);
    for (int e = 0; e < kQKK; ++e) y[e] = d * static_cast<float>(i8(b + Q8_K::qs, e));
}

// [SECTION] non-linear: 4-bit indices into kvalues_iq4nl.

// IQ4_NL: y = d·kvalues[q], nibbles placed as in Q4_0.
void decodeIq4Nl(const std::byte* b, float* y) {
    const float d = f16(b, IQ4_NL::d);
    int32_t q[32];
    unpackNibbles(b + IQ4_NL::qs, q);
    for (int e = 0; e < 32; ++e) y[e] = d * static_cast<float>(kValuesIq4nl[q[e]]);
}

// IQ4_XS: 8 sub-blocks of 32 with 6-bit scales (+32 offset): low 4 bits are nibble (s%2) of scales_l[s/2],
// high 2 bits are bits 2s..2s+1 of the u16 scales_h. Sub-block s uses qs[16s..16s+15] like one IQ4_NL block.
void decodeIq4Xs(const std::byte* b, float* y) {
    const float d = f16(b, IQ4_XS::d);
    uint16_t scalesH;
    std::memcpy(&scalesH, b + IQ4_XS::scalesH, 2);
    for (int s = 0; s < 8; ++s) {
        const int ls = ((u8(b + IQ4_XS::scalesL, s / 2) >> (4 * (s % 2))) & 0xF) | (((scalesH >> (2 * s)) & 3) << 4);
        const float dl = d * static_cast<float>(ls - 32);
        int32_t q[32];
        unpackNibbles(b + IQ4_XS::qs + 16 * s, q);
        for (int e = 0; e < 32; ++e) y[32 * s + e] = dl * static_cast<float>(kValuesIq4nl[q[e]]);
    }
}

// [SECTION] MXFP4 and ternary.

// E8M0 scale, halved: 2^(e − 128) (ggml-impl.h ggml_e8m0_to_fp32_half: e < 2 gives the subnormals 2^-128, 2^-127).
float e8m0Half(uint8_t e) {
    const uint32_t bits = e < 2 ? (0x00200000u << e) : (static_cast<uint32_t>(e - 1) << 23);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// MXFP4: y = kvalues_mxfp4[q]·2^(e−128), nibbles placed as in Q4_0.
void decodeMxfp4(const std::byte* b, float* y) {
    const float d = e8m0Half(u8(b, MXFP4::e));
    int32_t q[32];
    unpackNibbles(b + MXFP4::qs, q);
    for (int e = 0; e < 32; ++e) y[e] = static_cast<float>(kValuesMxfp4[q[e]]) * d;
}

// TQ1_0 packs 5 trits per byte as a base-3 fraction of 256: trit n of byte v is
// (((v·3^n) mod 256)·3) >> 8 (ggml dequantize_row_tq1_0); y = (trit − 1)·d.
// Elements 0–159: trit n = e/32 of qs[e%32]; 160–239: trit r/16 of qs[32 + r%16] (r = e − 160);
// 240–255: trit r/4 of qh[r%4] (r = e − 240; 4 trits per qh byte).
int trit(int v, int n) {
    static constexpr int kPow3[5] = {1, 3, 9, 27, 81};
    const int q = (v * kPow3[n]) & 0xFF;
    return (q * 3) >> 8;
}
void decodeTq1_0(const std::byte* b, float* y) {
    const float d = f16(b, TQ1_0::d);
    for (int e = 0; e < 160; ++e) y[e] = static_cast<float>(trit(u8(b + TQ1_0::qs, e % 32), e / 32) - 1) * d;
    for (int r = 0; r < 80; ++r) y[160 + r] = static_cast<float>(trit(u8(b + TQ1_0::qs, 32 + r % 16), r / 16) - 1) * d;
    for (int r = 0; r < 16; ++r) y[240 + r] = static_cast<float>(trit(u8(b + TQ1_0::qh, r % 4), r / 4) - 1) * d;
}

// TQ2_0: 2-bit codes placed as in Q2_K; y = (q − 1)·d.
void decodeTq2_0(const std::byte* b, float* y) {
    const float d = f16(b, TQ2_0::d);
    int32_t q[256];
    unpackTwoBits(b + TQ2_0::qs, q);
    for (int e = 0; e < 256; ++e) y[e] = static_cast<float>(q[e] - 1) * d;
}

// [SECTION] sub-block scales: the step and offset each group of elements shares (y = step·code + offset).

void scalesQ4_0(const std::byte* b, float* step, float* offset) { step[0] = f16(b, Q4_0::d); offset[0] = -8.0f * step[0]; }
void scalesQ4_1(const std::byte* b, float* step, float* offset) { step[0] = f16(b, Q4_1::d); offset[0] = f16(b, Q4_1::m); }
void scalesQ5_0(const std::byte* b, float* step, float* offset) { step[0] = f16(b, Q5_0::d); offset[0] = -16.0f * step[0]; }
void scalesQ5_1(const std::byte* b, float* step, float* offset) { step[0] = f16(b, Q5_1::d); offset[0] = f16(b, Q5_1::m); }
void scalesQ8_0(const std::byte* b, float* step, float* offset) { step[0] = f16(b, Q8_0::d); offset[0] = 0; }
void scalesQ8_1(const std::byte* b, float* step, float* offset) { step[0] = f16(b, Q8_1::d); offset[0] = 0; }
void scalesQ2_K(const std::byte* b, float* step, float* offset) {
    const float d = f16(b, Q2_K::d), dmin = f16(b, Q2_K::dmin);
    for (int s = 0; s < 16; ++s) {
        const int sc = u8(b + Q2_K::scales, s);
        step[s] = d * static_cast<float>(sc & 0xF);
        offset[s] = -(dmin * static_cast<float>(sc >> 4));
    }
}
void scalesQ3_K(const std::byte* b, float* step, float* offset) {  // code = 3-bit unsigned, y = step·(code − 4)
    const float d = f16(b, Q3_K::d);
    for (int s = 0; s < 16; ++s) {
        step[s] = d * static_cast<float>(q3kScale(b + Q3_K::scales, s));
        offset[s] = -4.0f * step[s];
    }
}
template <int ScalesAt, int DAt, int DminAt>
void scalesK4(const std::byte* b, float* step, float* offset) {  // Q4_K, Q5_K
    const float d = f16(b, DAt), dmin = f16(b, DminAt);
    for (int s = 0; s < 8; ++s) {
        int sc = 0, m = 0;
        scaleMinK4(b + ScalesAt, s, sc, m);
        step[s] = d * static_cast<float>(sc);
        offset[s] = -(dmin * static_cast<float>(m));
    }
}
void scalesQ6_K(const std::byte* b, float* step, float* offset) {  // code = 6-bit unsigned, y = step·(code − 32)
    const float d = f16(b, Q6_K::d);
    for (int s = 0; s < 16; ++s) {
        step[s] = d * static_cast<float>(i8(b + Q6_K::scales, s));
        offset[s] = -32.0f * step[s];
    }
}
void scalesQ8_K(const std::byte* b, float* step, float* offset) {
    std::memcpy(step, b + Q8_K::d, 4);
    offset[0] = 0;
}
void scalesIq4Nl(const std::byte* b, float* step, float* offset) { step[0] = f16(b, IQ4_NL::d); offset[0] = 0; }
void scalesIq4Xs(const std::byte* b, float* step, float* offset) {
    const float d = f16(b, IQ4_XS::d);
    uint16_t scalesH;
    std::memcpy(&scalesH, b + IQ4_XS::scalesH, 2);
    for (int s = 0; s < 8; ++s) {
        const int ls = ((u8(b + IQ4_XS::scalesL, s / 2) >> (4 * (s % 2))) & 0xF) | (((scalesH >> (2 * s)) & 3) << 4);
        step[s] = d * static_cast<float>(ls - 32);
        offset[s] = 0;
    }
}
void scalesMxfp4(const std::byte* b, float* step, float* offset) { step[0] = e8m0Half(u8(b, MXFP4::e)); offset[0] = 0; }
void scalesTq1_0(const std::byte* b, float* step, float* offset) { step[0] = f16(b, TQ1_0::d); offset[0] = -step[0]; }
void scalesTq2_0(const std::byte* b, float* step, float* offset) { step[0] = f16(b, TQ2_0::d); offset[0] = -step[0]; }

struct ScalesEntry {
    DType type;
    void (*fn)(const std::byte*, float*, float*);
    uint32_t groupsPerBlock;
    bool levelTable;  // the code indexes a non-uniform level table (IQ4, MXFP4)
};
constexpr ScalesEntry kScales[] = {
    {DType::Q4_0, scalesQ4_0, 1, false},   {DType::Q4_1, scalesQ4_1, 1, false},
    {DType::Q5_0, scalesQ5_0, 1, false},   {DType::Q5_1, scalesQ5_1, 1, false},
    {DType::Q8_0, scalesQ8_0, 1, false},   {DType::Q8_1, scalesQ8_1, 1, false},
    {DType::Q2_K, scalesQ2_K, 16, false},  {DType::Q3_K, scalesQ3_K, 16, false},
    {DType::Q4_K, scalesK4<Q4_K::scales, Q4_K::d, Q4_K::dmin>, 8, false},
    {DType::Q5_K, scalesK4<Q5_K::scales, Q5_K::d, Q5_K::dmin>, 8, false},
    {DType::Q6_K, scalesQ6_K, 16, false},  {DType::Q8_K, scalesQ8_K, 1, false},
    {DType::IQ4_NL, scalesIq4Nl, 1, true}, {DType::IQ4_XS, scalesIq4Xs, 8, true},
    {DType::MXFP4, scalesMxfp4, 1, true},  {DType::TQ1_0, scalesTq1_0, 1, false},
    {DType::TQ2_0, scalesTq2_0, 1, false},
};

const ScalesEntry* scalesEntry(DType t) {
    for (const auto& e : kScales)
        if (e.type == t) return &e;
    return nullptr;
}

template <void (*Decode)(const std::byte*, float*), int BlockBytes, int BlockElements>
void decodeAll(const std::byte* src, size_t blocks, float* dst) {
    for (size_t i = 0; i < blocks; ++i) Decode(src + i * BlockBytes, dst + i * BlockElements);
}

}  // namespace

// [SECTION] dispatch
bool decodeGgmlBlocks(DType t, const std::byte* src, size_t blocks, float* dst) {
    switch (t) {
        case DType::Q4_0: decodeAll<decodeQ4_0, Q4_0::size, kQK>(src, blocks, dst); return true;
        case DType::Q4_1: decodeAll<decodeQ4_1, Q4_1::size, kQK>(src, blocks, dst); return true;
        case DType::Q5_0: decodeAll<decodeQ5_0, Q5_0::size, kQK>(src, blocks, dst); return true;
        case DType::Q5_1: decodeAll<decodeQ5_1, Q5_1::size, kQK>(src, blocks, dst); return true;
        case DType::Q8_0: decodeAll<decodeQ8_0, Q8_0::size, kQK>(src, blocks, dst); return true;
        case DType::Q8_1: decodeAll<decodeQ8_1, Q8_1::size, kQK>(src, blocks, dst); return true;
        case DType::Q2_K: decodeAll<decodeQ2_K, Q2_K::size, kQKK>(src, blocks, dst); return true;
        case DType::Q3_K: decodeAll<decodeQ3_K, Q3_K::size, kQKK>(src, blocks, dst); return true;
        case DType::Q4_K: decodeAll<decodeQ4_K, Q4_K::size, kQKK>(src, blocks, dst); return true;
        case DType::Q5_K: decodeAll<decodeQ5_K, Q5_K::size, kQKK>(src, blocks, dst); return true;
        case DType::Q6_K: decodeAll<decodeQ6_K, Q6_K::size, kQKK>(src, blocks, dst); return true;
        case DType::Q8_K: decodeAll<decodeQ8_K, Q8_K::size, kQKK>(src, blocks, dst); return true;
        case DType::IQ4_NL: decodeAll<decodeIq4Nl, IQ4_NL::size, kQK>(src, blocks, dst); return true;
        case DType::IQ4_XS: decodeAll<decodeIq4Xs, IQ4_XS::size, kQKK>(src, blocks, dst); return true;
        case DType::MXFP4: decodeAll<decodeMxfp4, MXFP4::size, kQK>(src, blocks, dst); return true;
        case DType::TQ1_0: decodeAll<decodeTq1_0, TQ1_0::size, kQKK>(src, blocks, dst); return true;
        case DType::TQ2_0: decodeAll<decodeTq2_0, TQ2_0::size, kQKK>(src, blocks, dst); return true;
        default: return decodeGgmlIqGridBlocks(t, src, blocks, dst);  // IQ2_XXS … IQ1_M; false for plain types
    }
}

bool ggmlBlocksDecodable(DType t) {
    switch (t) {
        case DType::Q4_0: case DType::Q4_1: case DType::Q5_0: case DType::Q5_1: case DType::Q8_0:
        case DType::Q8_1: case DType::Q2_K: case DType::Q3_K: case DType::Q4_K: case DType::Q5_K:
        case DType::Q6_K: case DType::Q8_K: case DType::IQ4_NL: case DType::IQ4_XS: case DType::MXFP4:
        case DType::TQ1_0: case DType::TQ2_0:
            return true;
        default: return ggmlIqGridType(t);
    }
}

}  // namespace qv

namespace qv {

GgmlGroupLayout ggmlGroupLayout(DType t) {
    const auto* e = scalesEntry(t);
    if (!e) return {};
    return {traits(t).blockElements / e->groupsPerBlock, e->groupsPerBlock, e->levelTable};
}

bool ggmlGroupScales(DType t, const std::byte* src, size_t blocks, float* step, float* offset) {
    const auto* e = scalesEntry(t);
    if (!e) return false;
    const uint32_t blockBytes = traits(t).blockBytes;
    for (size_t i = 0; i < blocks; ++i)
        e->fn(src + i * blockBytes, step + i * e->groupsPerBlock, offset + i * e->groupsPerBlock);
    return true;
}

}  // namespace qv
