// ggml block decoders against blocks built by hand: every value below is worked out in the comments from the
// layouts in llama.cpp ggml-common.h and the formulas of ggml-quants.c dequantize_row_*.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/base/byte_source.h"
#include "core/tensor/dtype.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/half.h"
#include "tests/core/gguf/block_builder.h"
#include "core/tensor/tensor_view.h"

namespace qv {
namespace {

using test::Block;
using test::decode;
using test::put;
using test::putF16;
using test::putU8;
using test::zeros;

// Nibble pattern used by several tests: byte j holds j in the low nibble and 15−j in the high one,
// so element e < 16 reads e and element 16 + j reads 15 − j.
void nibblePattern(Block& b, size_t at, size_t count) {
    for (size_t i = 0; i < count; ++i) putU8(b, at + i, static_cast<uint8_t>((i % 16) | ((15 - i % 16) << 4)));
}

constexpr std::array<int, 16> kIq4nl = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

TEST(GgmlBlocks, BlockSizesMatchGgmlStaticAsserts) {
    // ggml-common.h: sizeof(block_q4_0) == 2 + 16, … sizeof(block_q8_K) == 4 + 256 + 32, …
    const std::pair<DType, std::pair<uint32_t, uint32_t>> expected[] = {
        {DType::Q4_0, {32, 18}},  {DType::Q4_1, {32, 20}},  {DType::Q5_0, {32, 22}},   {DType::Q5_1, {32, 24}},
        {DType::Q8_0, {32, 34}},  {DType::Q8_1, {32, 36}},  {DType::Q2_K, {256, 84}},  {DType::Q3_K, {256, 110}},
        {DType::Q4_K, {256, 144}}, {DType::Q5_K, {256, 176}}, {DType::Q6_K, {256, 210}}, {DType::Q8_K, {256, 292}},
        {DType::IQ4_NL, {32, 18}}, {DType::IQ4_XS, {256, 136}}, {DType::MXFP4, {32, 17}},
        {DType::TQ1_0, {256, 54}}, {DType::TQ2_0, {256, 66}},
    };
    for (const auto& [t, size] : expected) {
        EXPECT_EQ(traits(t).blockElements, size.first) << dtypeName(t);
        EXPECT_EQ(traits(t).blockBytes, size.second) << dtypeName(t);
        EXPECT_TRUE(ggmlBlocksDecodable(t)) << dtypeName(t);
    }
    // Bits per weight including scales: q4_K = 144·8/256 = 4.5, q6_K = 210·8/256 = 6.5625, q2_K = 2.625.
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q4_K), 4.5);
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q6_K), 6.5625);
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q2_K), 2.625);
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q4_0), 4.5);
    // Plain types are not block-decoded (the IQ grid types are: tests/core/gguf/ggml_iq_blocks_test.cpp).
    EXPECT_FALSE(ggmlBlocksDecodable(DType::F32));
    float out[1];
    const Block b = zeros(4);
    EXPECT_FALSE(decodeGgmlBlocks(DType::F32, b.data(), 1, out));
}

TEST(GgmlBlocks, Q4_0) {
    // {f16 d = 0.5; qs[j] = j | (15−j)<<4}: y[j] = (j − 8)·0.5, y[16+j] = (15 − j − 8)·0.5 = (7 − j)·0.5
    Block b = zeros(18);
    putF16(b, 0, 0.5f);
    nibblePattern(b, 2, 16);
    const auto y = decode(DType::Q4_0, b);
    EXPECT_FLOAT_EQ(y[0], -4.0f);   // (0 − 8)·0.5
    EXPECT_FLOAT_EQ(y[8], 0.0f);    // (8 − 8)·0.5
    EXPECT_FLOAT_EQ(y[15], 3.5f);   // (15 − 8)·0.5
    EXPECT_FLOAT_EQ(y[16], 3.5f);   // high nibble of byte 0 = 15 → 7·0.5
    EXPECT_FLOAT_EQ(y[31], -4.0f);  // high nibble of byte 15 = 0 → −8·0.5
    for (int j = 0; j < 16; ++j) {
        EXPECT_FLOAT_EQ(y[j], (j - 8) * 0.5f);
        EXPECT_FLOAT_EQ(y[16 + j], (7 - j) * 0.5f);
    }
}

TEST(GgmlBlocks, Q4_1) {
    // {f16 d = 0.25, m = −1; same nibbles}: y = q·0.25 − 1
    Block b = zeros(20);
    putF16(b, 0, 0.25f);
    putF16(b, 2, -1.0f);
    nibblePattern(b, 4, 16);
    const auto y = decode(DType::Q4_1, b);
    EXPECT_FLOAT_EQ(y[0], -1.0f);    // 0·0.25 − 1
    EXPECT_FLOAT_EQ(y[15], 2.75f);   // 15·0.25 − 1
    EXPECT_FLOAT_EQ(y[16], 2.75f);   // q = 15
    EXPECT_FLOAT_EQ(y[20], 1.75f);   // high nibble of byte 4 = 11 → 11·0.25 − 1
    EXPECT_FLOAT_EQ(y[31], -1.0f);   // q = 0
}

TEST(GgmlBlocks, Q5_0) {
    // {f16 d = 1; qh = 0x80000001; qs[j] = (15−j) | j<<4}: element e's 5th bit is bit e of qh.
    // y = (q5 − 16)·1
    Block b = zeros(22);
    putF16(b, 0, 1.0f);
    put<uint32_t>(b, 2, 0x80000001u);
    for (int j = 0; j < 16; ++j) putU8(b, 6 + j, static_cast<uint8_t>((15 - j) | (j << 4)));
    const auto y = decode(DType::Q5_0, b);
    EXPECT_FLOAT_EQ(y[0], 15.0f);   // low nibble 15 | 16 = 31 → 31 − 16
    EXPECT_FLOAT_EQ(y[1], -2.0f);   // low nibble 14, no 5th bit → 14 − 16
    EXPECT_FLOAT_EQ(y[15], -16.0f); // low nibble 0 → 0 − 16
    EXPECT_FLOAT_EQ(y[16], -16.0f); // high nibble of byte 0 = 0, bit 16 clear → −16
    EXPECT_FLOAT_EQ(y[30], -2.0f);  // high nibble 14 → 14 − 16
    EXPECT_FLOAT_EQ(y[31], 15.0f);  // high nibble 15 | bit 31 → 31 − 16
}

TEST(GgmlBlocks, Q5_1) {
    // {f16 d = 0.5, m = −8; qh = 0xFFFF0000; qs[j] = (15−j) | j<<4}: y = q5·0.5 − 8
    Block b = zeros(24);
    putF16(b, 0, 0.5f);
    putF16(b, 2, -8.0f);
    put<uint32_t>(b, 4, 0xFFFF0000u);
    for (int j = 0; j < 16; ++j) putU8(b, 8 + j, static_cast<uint8_t>((15 - j) | (j << 4)));
    const auto y = decode(DType::Q5_1, b);
    EXPECT_FLOAT_EQ(y[0], -0.5f);   // 15·0.5 − 8
    EXPECT_FLOAT_EQ(y[15], -8.0f);  // 0·0.5 − 8
    EXPECT_FLOAT_EQ(y[16], 0.0f);   // (0 + 16)·0.5 − 8
    EXPECT_FLOAT_EQ(y[31], 7.5f);   // (15 + 16)·0.5 − 8
}

TEST(GgmlBlocks, Q8_0AndQ8_1) {
    // Q8_0 {f16 d = 0.125; qs[i] = i − 16, qs[0] = −128}: y = q·0.125
    Block b = zeros(34);
    putF16(b, 0, 0.125f);
    for (int i = 0; i < 32; ++i) put<int8_t>(b, 2 + i, static_cast<int8_t>(i - 16));
    put<int8_t>(b, 2, -128);
    auto y = decode(DType::Q8_0, b);
    EXPECT_FLOAT_EQ(y[0], -16.0f);    // −128·0.125
    EXPECT_FLOAT_EQ(y[1], -1.875f);   // −15·0.125
    EXPECT_FLOAT_EQ(y[16], 0.0f);
    EXPECT_FLOAT_EQ(y[31], 1.875f);   // 15·0.125

    // Q8_1 {f16 d = 0.5, s (ignored); qs[i] = 3i − 50}: y = q·0.5
    Block c = zeros(36);
    putF16(c, 0, 0.5f);
    putF16(c, 2, 99.0f);
    for (int i = 0; i < 32; ++i) put<int8_t>(c, 4 + i, static_cast<int8_t>(3 * i - 50));
    y = decode(DType::Q8_1, c);
    EXPECT_FLOAT_EQ(y[0], -25.0f);   // −50·0.5
    EXPECT_FLOAT_EQ(y[31], 21.5f);   // 43·0.5
}

// The 2-bit quant pattern shared by the Q2_K and Q3_K tests: every qs byte is 0xE4 = 0b11'10'01'00
// (q = 0, 1, 2, 3 at shifts 0, 2, 4, 6), except qs[5] = 0x1B (q = 3, 2, 1, 0) and qs[39] = 0xFF (all 3).
// Element e reads qs[32·(e/128) + e%32] at shift 2·((e%128)/32).
void twoBitPattern(Block& b, size_t at) {
    for (int i = 0; i < 64; ++i) putU8(b, at + i, 0xE4);
    putU8(b, at + 5, 0x1B);
    putU8(b, at + 39, 0xFF);
}

TEST(GgmlBlocks, Q2_K) {
    // {scales[16], qs[64], f16 d = 0.5, dmin = 0.25}; scales[s] = (1 + s%4) | (s/4)<<4.
    // y = (0.5·sc)·q − 0.25·m with sc = scales[e/16] & 15, m = scales[e/16] >> 4.
    Block b = zeros(84);
    for (int s = 0; s < 16; ++s) putU8(b, s, static_cast<uint8_t>((1 + s % 4) | ((s / 4) << 4)));
    twoBitPattern(b, 16);
    putF16(b, 80, 0.5f);
    putF16(b, 82, 0.25f);
    const auto y = decode(DType::Q2_K, b);
    EXPECT_FLOAT_EQ(y[0], 0.0f);     // s0 (sc1,m0), q 0 → 0
    EXPECT_FLOAT_EQ(y[5], 1.5f);     // s0, qs[5]=0x1B shift 0 → 3 → 0.5·1·3
    EXPECT_FLOAT_EQ(y[20], 0.0f);    // s1 (sc2,m0), qs[20] shift 0 → 0
    EXPECT_FLOAT_EQ(y[37], 3.0f);    // s2 (sc3,m0), qs[5] shift 2 → 2 → 0.5·3·2
    EXPECT_FLOAT_EQ(y[64], 0.75f);   // s4 (sc1,m1), qs[0] shift 4 → 2 → 0.5·1·2 − 0.25
    EXPECT_FLOAT_EQ(y[101], -0.25f); // s6 (sc3,m1), qs[5] shift 6 → 0 → −0.25
    EXPECT_FLOAT_EQ(y[127], 5.75f);  // s7 (sc4,m1), qs[31] shift 6 → 3 → 6 − 0.25
    EXPECT_FLOAT_EQ(y[135], 1.0f);   // s8 (sc1,m2), qs[39]=0xFF shift 0 → 3 → 1.5 − 0.5
    EXPECT_FLOAT_EQ(y[200], 0.25f);  // s12 (sc1,m3), qs[40] shift 4 → 2 → 1 − 0.75
    EXPECT_FLOAT_EQ(y[231], 3.75f);  // s14 (sc3,m3), qs[39] shift 6 → 3 → 4.5 − 0.75
    EXPECT_FLOAT_EQ(y[255], 5.25f);  // s15 (sc4,m3), qs[63] shift 6 → 3 → 6 − 0.75
}

TEST(GgmlBlocks, Q3_K) {
    // {hmask[32], qs[64], scales[12], f16 d = 0.5}. 6-bit scales raw[s] = (s) | hi(s)<<4 with
    // hi(s) = (s%4 + s/4) % 4, stored as: byte k<8 = low(k) | low(k+8)<<4 → 0x80 0x91 … 0xF7;
    // byte 8+j = hi(j) | hi(j+4)<<2 | hi(j+8)<<4 | hi(j+12)<<6 → 0xE4 0x39 0x4E 0x93.
    // Signed scale S = raw − 32: S = −32 −15 2 19 −12 5 22 −25 8 25 −22 −5 28 −19 −2 15.
    // hmask: [5] = 0x0F (e = 5, 37, 69, 101 high), [7] = 0x10 (e = 135), [31] = 0x80 (e = 255).
    // y = (0.5·S)·(q − (high ? 0 : 4)).
    Block b = zeros(110);
    putU8(b, 5, 0x0F);
    putU8(b, 7, 0x10);
    putU8(b, 31, 0x80);
    twoBitPattern(b, 32);
    const uint8_t scales[12] = {0x80, 0x91, 0xA2, 0xB3, 0xC4, 0xD5, 0xE6, 0xF7, 0xE4, 0x39, 0x4E, 0x93};
    for (int i = 0; i < 12; ++i) putU8(b, 96 + i, scales[i]);
    putF16(b, 108, 0.5f);
    const auto y = decode(DType::Q3_K, b);
    EXPECT_FLOAT_EQ(y[0], 64.0f);    // S−32, q0, low → −4 → 0.5·−32·−4
    EXPECT_FLOAT_EQ(y[5], -48.0f);   // S−32, q3, high → 3 → 0.5·−32·3
    EXPECT_FLOAT_EQ(y[20], 30.0f);   // s1 S−15, q0, low → −4 → 0.5·−15·−4
    EXPECT_FLOAT_EQ(y[37], 2.0f);    // s2 S2, q2, high → 2 → 0.5·2·2
    EXPECT_FLOAT_EQ(y[64], 12.0f);   // s4 S−12, q2, low → −2 → 0.5·−12·−2
    EXPECT_FLOAT_EQ(y[69], -6.0f);   // s4 S−12, qs[5] shift 4 → 1, high → 0.5·−12·1
    EXPECT_FLOAT_EQ(y[101], 0.0f);   // s6 S22, qs[5] shift 6 → 0, high → 0
    EXPECT_FLOAT_EQ(y[135], 12.0f);  // s8 S8, qs[39] → 3, hmask[7] bit 4 → 0.5·8·3
    EXPECT_FLOAT_EQ(y[200], -28.0f); // s12 S28, qs[40] shift 4 → 2, low → −2 → 0.5·28·−2
    EXPECT_FLOAT_EQ(y[231], 1.0f);   // s14 S−2, qs[39] shift 6 → 3, hmask[7] bit 7 clear → −1 → 0.5·−2·−1
    EXPECT_FLOAT_EQ(y[255], 22.5f);  // s15 S15, qs[63] shift 6 → 3, hmask[31] bit 7 → 0.5·15·3
}

// Q4_K/Q5_K scales: (sc, m) = (1,0) (2,5) (3,10) (63,60) (17,18) (33,40) (50,1) (4,63), packed by
// get_scale_min_k4's rules: bytes 0–3 = sc[j] | (sc[j+4]>>4)<<6, bytes 4–7 = m[j] | (m[j+4]>>4)<<6,
// bytes 8–11 = (sc[j+4] & 15) | (m[j+4] & 15)<<4.
const uint8_t kK4Scales[12] = {0x41, 0x82, 0xC3, 0x3F, 0x40, 0x85, 0x0A, 0xFC, 0x21, 0x81, 0x12, 0xF4};

TEST(GgmlBlocks, Q4_K) {
    // {f16 d = 0.5, dmin = 0.25; scales[12]; qs[128] with the nibble pattern (byte i: i%16 | (15 − i%16)<<4)}.
    // Sub-block s = e/32 reads qs[32·(s/2) + e%32], low nibble when s is even: low = l%16, high = 15 − l%16.
    // y = (0.5·sc)·q − 0.25·m
    Block b = zeros(144);
    putF16(b, 0, 0.5f);
    putF16(b, 2, 0.25f);
    for (int i = 0; i < 12; ++i) putU8(b, 4 + i, kK4Scales[i]);
    nibblePattern(b, 16, 128);
    const auto y = decode(DType::Q4_K, b);
    EXPECT_FLOAT_EQ(y[0], 0.0f);      // s0 (1,0) q0
    EXPECT_FLOAT_EQ(y[1], 0.5f);      // s0 q1 → 0.5·1·1
    EXPECT_FLOAT_EQ(y[33], 12.75f);   // s1 (2,5), l1 high → 14 → 0.5·2·14 − 1.25
    EXPECT_FLOAT_EQ(y[95], 20.0f);    // s2 (3,10), l31 low → 15 → 22.5 − 2.5
    EXPECT_FLOAT_EQ(y[96], 457.5f);   // s3 (63,60), l0 high → 15 → 472.5 − 15
    EXPECT_FLOAT_EQ(y[130], 12.5f);   // s4 (17,18), l2 low → 2 → 17 − 4.5
    EXPECT_FLOAT_EQ(y[170], 72.5f);   // s5 (33,40), l10 high → 5 → 82.5 − 10
    EXPECT_FLOAT_EQ(y[200], 199.75f); // s6 (50,1), l8 low → 8 → 200 − 0.25
    EXPECT_FLOAT_EQ(y[240], 14.25f);  // s7 (4,63), l16 high → 15 → 30 − 15.75
    EXPECT_FLOAT_EQ(y[255], -15.75f); // s7, l31 high → 0 → −15.75
}

TEST(GgmlBlocks, Q5_K) {
    // Q4_K's block plus qh[32]: bit s of qh[e%32] adds 16. qh[1] = 0x02 (e 33), qh[31] = 0x84 (e 95, 255),
    // qh[0] = 0x08 (e 96), qh[10] = 0x20 (e 170).
    Block b = zeros(176);
    putF16(b, 0, 0.5f);
    putF16(b, 2, 0.25f);
    for (int i = 0; i < 12; ++i) putU8(b, 4 + i, kK4Scales[i]);
    putU8(b, 16 + 1, 0x02);
    putU8(b, 16 + 31, 0x84);
    putU8(b, 16 + 0, 0x08);
    putU8(b, 16 + 10, 0x20);
    nibblePattern(b, 48, 128);
    const auto y = decode(DType::Q5_K, b);
    EXPECT_FLOAT_EQ(y[0], 0.0f);
    EXPECT_FLOAT_EQ(y[1], 0.5f);      // qh[1] bit 0 clear → 1 → 0.5
    EXPECT_FLOAT_EQ(y[33], 28.75f);   // 14 + 16 = 30 → 0.5·2·30 − 1.25
    EXPECT_FLOAT_EQ(y[63], -1.25f);   // s1 l31 high → 0, qh[31] bit 1 clear → −1.25
    EXPECT_FLOAT_EQ(y[95], 44.0f);    // 15 + 16 = 31 → 46.5 − 2.5
    EXPECT_FLOAT_EQ(y[96], 961.5f);   // 15 + 16 = 31 → 0.5·63·31 − 15
    EXPECT_FLOAT_EQ(y[130], 12.5f);   // no high bit → as Q4_K
    EXPECT_FLOAT_EQ(y[170], 336.5f);  // 5 + 16 = 21 → 346.5 − 10
    EXPECT_FLOAT_EQ(y[240], 14.25f);
    EXPECT_FLOAT_EQ(y[255], 16.25f);  // 0 + 16 → 32 − 15.75
}

TEST(GgmlBlocks, Q6_K) {
    // {ql[128] nibble pattern; qh[64] = 0xE4 except qh[37] = 0x1B; scales[s] = ±(s+1) alternating; f16 d = 0.5}.
    // e: h = e/128, g = (e%128)/32, l = e%32; low = ql[64h + 32(g%2) + l] (high nibble when g ≥ 2),
    // top = (qh[32h + l] >> 2g) & 3; y = (0.5·scales[e/16])·((low | top<<4) − 32).
    Block b = zeros(210);
    nibblePattern(b, 0, 128);
    for (int i = 0; i < 64; ++i) putU8(b, 128 + i, 0xE4);
    putU8(b, 128 + 37, 0x1B);
    for (int s = 0; s < 16; ++s) put<int8_t>(b, 192 + s, static_cast<int8_t>(s % 2 ? -(s + 1) : (s + 1)));
    putF16(b, 208, 0.5f);
    const auto y = decode(DType::Q6_K, b);
    EXPECT_FLOAT_EQ(y[0], -16.0f);    // low 0, top 0 → −32; sc 1 → 0.5·1·−32
    EXPECT_FLOAT_EQ(y[17], 31.0f);    // low 1, top 0 → −31; sc −2 → 0.5·−2·−31
    EXPECT_FLOAT_EQ(y[40], -12.0f);   // g1: ql[40] low 8, top 1 → 24 − 32 = −8; sc 3 → −12
    EXPECT_FLOAT_EQ(y[70], 22.5f);    // g2: ql[6] high 9, top 2 → 41 − 32 = 9; sc 5 → 22.5
    EXPECT_FLOAT_EQ(y[127], -64.0f);  // g3: ql[63] high 0, top 3 → 48 − 32 = 16; sc −8 → −64
    EXPECT_FLOAT_EQ(y[133], 94.5f);   // h1 g0 l5: ql[69] low 5, qh[37]=0x1B → 3 → 53 − 32 = 21; sc 9
    EXPECT_FLOAT_EQ(y[165], 27.5f);   // h1 g1 l5: ql[101] low 5, top 2 → 37 − 32 = 5; sc 11
    EXPECT_FLOAT_EQ(y[197], -39.0f);  // h1 g2 l5: ql[69] high 10, top 1 → 26 − 32 = −6; sc 13
    EXPECT_FLOAT_EQ(y[229], -165.0f); // h1 g3 l5: ql[101] high 10, top 0 → −22; sc 15
    EXPECT_FLOAT_EQ(y[255], -128.0f); // h1 g3 l31: ql[127] high 0, top 3 → 16; sc −16
}

TEST(GgmlBlocks, Q8_K) {
    // {f32 d = 0.5; qs[i] = i − 128; bsums (unused)}: y = 0.5·q
    Block b = zeros(292);
    put<float>(b, 0, 0.5f);
    for (int i = 0; i < 256; ++i) put<int8_t>(b, 4 + i, static_cast<int8_t>(i - 128));
    const auto y = decode(DType::Q8_K, b);
    EXPECT_FLOAT_EQ(y[0], -64.0f);
    EXPECT_FLOAT_EQ(y[128], 0.0f);
    EXPECT_FLOAT_EQ(y[255], 63.5f);
}

TEST(GgmlBlocks, IQ4_NL) {
    // {f16 d = 0.5; nibble pattern}: y[j] = 0.5·kvalues[j], y[16+j] = 0.5·kvalues[15 − j]
    Block b = zeros(18);
    putF16(b, 0, 0.5f);
    nibblePattern(b, 2, 16);
    const auto y = decode(DType::IQ4_NL, b);
    EXPECT_FLOAT_EQ(y[0], -63.5f);   // 0.5·−127
    EXPECT_FLOAT_EQ(y[8], 0.5f);     // 0.5·1
    EXPECT_FLOAT_EQ(y[16], 56.5f);   // 0.5·113
    EXPECT_FLOAT_EQ(y[31], -63.5f);
    for (int j = 0; j < 16; ++j) {
        EXPECT_FLOAT_EQ(y[j], 0.5f * kIq4nl[j]);
        EXPECT_FLOAT_EQ(y[16 + j], 0.5f * kIq4nl[15 - j]);
    }
}

TEST(GgmlBlocks, IQ4_XS) {
    // {f16 d = 0.25; u16 scales_h = 0x66CA; scales_l = 10 F0 48 F2; qs: nibble pattern per sub-block}.
    // 6-bit ls[s] = nibble (s%2) of scales_l[s/2] | ((scales_h >> 2s) & 3)<<4 = 32 33 0 63 40 20 34 31
    // → ls − 32 = 0 1 −32 31 8 −12 2 −1; y = (0.25·(ls − 32))·kvalues[q].
    Block b = zeros(136);
    putF16(b, 0, 0.25f);
    put<uint16_t>(b, 2, 0x66CA);
    const uint8_t scalesL[4] = {0x10, 0xF0, 0x48, 0xF2};
    for (int i = 0; i < 4; ++i) putU8(b, 4 + i, scalesL[i]);
    nibblePattern(b, 8, 128);
    const auto y = decode(DType::IQ4_XS, b);
    EXPECT_FLOAT_EQ(y[0], 0.0f);          // s0: ls − 32 = 0
    EXPECT_FLOAT_EQ(y[35], -16.25f);      // s1: 0.25·1 · kvalues[3] = −65
    EXPECT_FLOAT_EQ(y[84], -304.0f);      // s2: 0.25·−32 · kvalues[15 − 4] = 38
    EXPECT_FLOAT_EQ(y[111], 875.75f);     // s3: 0.25·31 · kvalues[15] = 113
    EXPECT_FLOAT_EQ(y[144], 226.0f);      // s4: 0.25·8 · kvalues[15 − 0] = 113
    EXPECT_FLOAT_EQ(y[168], -3.0f);       // s5: 0.25·−12 · kvalues[8] = 1
    EXPECT_FLOAT_EQ(y[223], -63.5f);      // s6: 0.25·2 · kvalues[15 − 15] = −127
    EXPECT_FLOAT_EQ(y[233], -3.25f);      // s7: 0.25·−1 · kvalues[9] = 13
}

TEST(GgmlBlocks, MXFP4) {
    // {u8 e = 127 → d = 2^(127−128) = 0.5; nibble pattern}: y[j] = 0.5·kvalues_mxfp4[j], y[16+j] = 0.5·kv[15 − j]
    // with kvalues_mxfp4 = 0 1 2 3 4 6 8 12 0 −1 −2 −3 −4 −6 −8 −12.
    Block b = zeros(17);
    putU8(b, 0, 127);
    nibblePattern(b, 1, 16);
    auto y = decode(DType::MXFP4, b);
    EXPECT_FLOAT_EQ(y[0], 0.0f);
    EXPECT_FLOAT_EQ(y[5], 3.0f);    // 0.5·6
    EXPECT_FLOAT_EQ(y[7], 6.0f);    // 0.5·12
    EXPECT_FLOAT_EQ(y[15], -6.0f);  // 0.5·−12
    EXPECT_FLOAT_EQ(y[16], -6.0f);  // high nibble of byte 0 = 15
    EXPECT_FLOAT_EQ(y[22], -0.5f);  // high nibble of byte 6 = 9 → 0.5·−1
    // e = 130 → d = 4; e = 1 → d = 2^-127 (a subnormal scale, kept exactly).
    putU8(b, 0, 130);
    y = decode(DType::MXFP4, b);
    EXPECT_FLOAT_EQ(y[7], 48.0f);   // 4·12
    putU8(b, 0, 1);
    y = decode(DType::MXFP4, b);
    EXPECT_EQ(y[7], std::ldexp(12.0f, -127));
}

TEST(GgmlBlocks, TQ1_0) {
    // {qs[48]; qh[4]; f16 d = 2}: trit n of byte v = (((v·3^n) mod 256)·3) >> 8, y = (trit − 1)·2.
    // v = 100: trits 1 0 1 1 1 (100·3 = 300 → 1; 300 mod 256 = 44 → 0; 900 mod 256 = 132 → 1; 140 → 1; 164 → 1)
    // v = 255: trits 2 2 2 2 2;  v = 0: trits 0 0 0 0 0.
    Block b = zeros(54);
    putU8(b, 0, 100);
    putU8(b, 1, 255);
    putU8(b, 33, 100);
    putU8(b, 48 + 2, 100);
    putF16(b, 52, 2.0f);
    const auto y = decode(DType::TQ1_0, b);
    EXPECT_FLOAT_EQ(y[0], 0.0f);     // qs[0] trit 0 = 1
    EXPECT_FLOAT_EQ(y[32], -2.0f);   // qs[0] trit 1 = 0
    EXPECT_FLOAT_EQ(y[64], 0.0f);    // qs[0] trit 2 = 1
    EXPECT_FLOAT_EQ(y[1], 2.0f);     // qs[1] trit 0 = 2
    EXPECT_FLOAT_EQ(y[129], 2.0f);   // qs[1] trit 4 = 2
    EXPECT_FLOAT_EQ(y[2], -2.0f);    // qs[2] = 0
    EXPECT_FLOAT_EQ(y[160], -2.0f);  // second part: qs[32] = 0
    EXPECT_FLOAT_EQ(y[161], 0.0f);   // qs[33] trit 0 = 1
    EXPECT_FLOAT_EQ(y[177], -2.0f);  // qs[33] trit 1 = 0
    EXPECT_FLOAT_EQ(y[240], -2.0f);  // qh[0] = 0
    EXPECT_FLOAT_EQ(y[242], 0.0f);   // qh[2] trit 0 = 1
    EXPECT_FLOAT_EQ(y[246], -2.0f);  // qh[2] trit 1 = 0
    EXPECT_FLOAT_EQ(y[254], 0.0f);   // qh[2] trit 3 = 1
}

TEST(GgmlBlocks, TQ2_0) {
    // {qs[64] = the 2-bit pattern of the Q2_K test; f16 d = 0.5}: y = (q − 1)·0.5
    Block b = zeros(66);
    twoBitPattern(b, 0);
    putF16(b, 64, 0.5f);
    const auto y = decode(DType::TQ2_0, b);
    EXPECT_FLOAT_EQ(y[0], -0.5f);   // q 0
    EXPECT_FLOAT_EQ(y[5], 1.0f);    // qs[5] shift 0 → 3
    EXPECT_FLOAT_EQ(y[37], 0.5f);   // qs[5] shift 2 → 2
    EXPECT_FLOAT_EQ(y[101], -0.5f); // qs[5] shift 6 → 0
    EXPECT_FLOAT_EQ(y[127], 1.0f);  // qs[31] shift 6 → 3
    EXPECT_FLOAT_EQ(y[135], 1.0f);  // qs[39] = 0xFF → 3
    EXPECT_FLOAT_EQ(y[200], 0.5f);  // qs[40] shift 4 → 2
}

TEST(GgmlBlocks, GroupScalesOfHandBuiltBlocks) {
    // Q4_K block of the Q4_K test: step = 0.5·sc, offset = −0.25·m for (sc, m) = (1,0) (2,5) (3,10) (63,60)
    // (17,18) (33,40) (50,1) (4,63).
    Block b = zeros(144);
    putF16(b, 0, 0.5f);
    putF16(b, 2, 0.25f);
    for (int i = 0; i < 12; ++i) putU8(b, 4 + i, kK4Scales[i]);
    const auto layout = ggmlGroupLayout(DType::Q4_K);
    EXPECT_EQ(layout.groupElements, 32u);
    EXPECT_EQ(layout.groupsPerBlock, 8u);
    EXPECT_FALSE(layout.levelTable);
    float step[8], offset[8];
    ASSERT_TRUE(ggmlGroupScales(DType::Q4_K, b.data(), 1, step, offset));
    const float steps[8] = {0.5f, 1.0f, 1.5f, 31.5f, 8.5f, 16.5f, 25.0f, 2.0f};
    const float offsets[8] = {0.0f, -1.25f, -2.5f, -15.0f, -4.5f, -10.0f, -0.25f, -15.75f};
    for (int s = 0; s < 8; ++s) {
        EXPECT_FLOAT_EQ(step[s], steps[s]) << s;
        EXPECT_FLOAT_EQ(offset[s], offsets[s]) << s;
    }
    // Q3_K of its test: step = 0.5·S, offset = −4·step; S[0] = −32 → step −16, offset 64; S[15] = 15 → 7.5, −30.
    Block c = zeros(110);
    const uint8_t scales[12] = {0x80, 0x91, 0xA2, 0xB3, 0xC4, 0xD5, 0xE6, 0xF7, 0xE4, 0x39, 0x4E, 0x93};
    for (int i = 0; i < 12; ++i) putU8(c, 96 + i, scales[i]);
    putF16(c, 108, 0.5f);
    float s16[16], o16[16];
    ASSERT_TRUE(ggmlGroupScales(DType::Q3_K, c.data(), 1, s16, o16));
    EXPECT_FLOAT_EQ(s16[0], -16.0f);
    EXPECT_FLOAT_EQ(o16[0], 64.0f);
    EXPECT_FLOAT_EQ(s16[15], 7.5f);
    EXPECT_FLOAT_EQ(o16[15], -30.0f);
    // Q4_0 with d = 0.5: step 0.5, offset −4 (y = 0.5·q − 4).
    Block q = zeros(18);
    putF16(q, 0, 0.5f);
    float s1, o1;
    ASSERT_TRUE(ggmlGroupScales(DType::Q4_0, q.data(), 1, &s1, &o1));
    EXPECT_FLOAT_EQ(s1, 0.5f);
    EXPECT_FLOAT_EQ(o1, -4.0f);
    EXPECT_EQ(ggmlGroupLayout(DType::F32).groupElements, 0u);
    EXPECT_FALSE(ggmlGroupScales(DType::IQ2_XXS, q.data(), 1, &s1, &o1));  // grid types: no linear layout
}

// Every decoded value must be step·code + offset with an integer code in the type's range (or step·level
// for the level-table types): decoding and the group scales agree, on random blocks with normal scales.
TEST(GgmlBlocks, DecodedValuesLieOnTheirGroupGrid) {
    struct Case {
        DType type;
        std::vector<int> f16Fields;
        int codeMax;  // codes 0..codeMax (linear types)
    };
    const Case cases[] = {
        {DType::Q4_0, {0}, 15},      {DType::Q4_1, {0, 2}, 15},  {DType::Q5_0, {0}, 31},    {DType::Q5_1, {0, 2}, 31},
        {DType::Q2_K, {80, 82}, 3},  {DType::Q3_K, {108}, 7},    {DType::Q4_K, {0, 2}, 15}, {DType::Q5_K, {0, 2}, 31},
        {DType::Q6_K, {208}, 63},    {DType::TQ2_0, {64}, 3},    {DType::TQ1_0, {52}, 2},   {DType::IQ4_NL, {0}, 0},
        {DType::IQ4_XS, {0}, 0},
    };
    uint32_t rng = 12345;
    auto next = [&] { return rng = rng * 1664525u + 1013904223u; };
    for (const auto& c : cases) {
        const auto& tr = traits(c.type);
        const auto layout = ggmlGroupLayout(c.type);
        Block b(4 * tr.blockBytes);
        for (auto& x : b) x = static_cast<std::byte>(next() >> 24);
        for (int k = 0; k < 4; ++k)
            for (int off : c.f16Fields) putF16(b, k * tr.blockBytes + off, 0.25f * static_cast<float>(1 + k));
        const auto y = decode(c.type, b);
        std::vector<float> step(4 * layout.groupsPerBlock), offset(step.size());
        ASSERT_TRUE(ggmlGroupScales(c.type, b.data(), 4, step.data(), offset.data()));
        for (size_t e = 0; e < y.size(); ++e) {
            const size_t g = e / layout.groupElements;
            if (step[g] == 0) {
                EXPECT_FLOAT_EQ(y[e], offset[g]) << dtypeName(c.type) << " element " << e;
                continue;
            }
            const double code = (static_cast<double>(y[e]) - offset[g]) / step[g];
            if (layout.levelTable) {
                bool onTable = false;
                for (int v : kIq4nl) onTable = onTable || std::abs(code - v) < 1e-3;
                EXPECT_TRUE(onTable) << dtypeName(c.type) << " element " << e << " level " << code;
            } else {
                EXPECT_NEAR(code, std::round(code), 1e-3) << dtypeName(c.type) << " element " << e;
                EXPECT_GE(std::round(code), 0) << dtypeName(c.type) << " element " << e;
                EXPECT_LE(std::round(code), c.codeMax) << dtypeName(c.type) << " element " << e;
            }
        }
    }
}

TEST(GgmlBlocks, UnalignedReadsThroughTensorView) {
    // Two Q4_0 blocks (d = 0.5 and d = 1, nibble pattern); reading elements 30..33 crosses the block edge:
    // block 0 elements 30, 31 = (7 − 14)·0.5, (7 − 15)·0.5 = −3.5, −4; block 1 elements 0, 1 = −8, −7.
    Block b = zeros(36);
    putF16(b, 0, 0.5f);
    nibblePattern(b, 2, 16);
    putF16(b, 18, 1.0f);
    nibblePattern(b, 20, 16);
    TensorInfo info;
    info.name = "t";
    info.dtype = DType::Q4_0;
    info.shape = {2, 32};
    info.bytes = 36;
    TensorView v(info, std::make_shared<OwnedBytes>(b));
    float out[4];
    ASSERT_TRUE(v.read(30, 4, out));
    EXPECT_FLOAT_EQ(out[0], -3.5f);
    EXPECT_FLOAT_EQ(out[1], -4.0f);
    EXPECT_FLOAT_EQ(out[2], -8.0f);
    EXPECT_FLOAT_EQ(out[3], -7.0f);
}

}  // namespace
}  // namespace qv
