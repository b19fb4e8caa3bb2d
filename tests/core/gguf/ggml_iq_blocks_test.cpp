// IQ grid block decoders against blocks built by hand: every expected value is worked out in the comments from
// the layouts in llama.cpp ggml-common.h (block_iq2_xxs … block_iq1_m) and the formulas of ggml-quants.c
// dequantize_row_iq*. Grid entries used are quoted from ggml-common.h; byte j of an entry is element j.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/base/byte_source.h"
#include "core/formats/gguf.h"
#include "core/formats/model_file.h"
#include "core/tensor/dtype.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/ggml_iq_grids.h"
#include "core/tensor/half.h"
#include "tests/core/gguf/block_builder.h"
#include "tests/core/gguf/gguf_writer.h"

namespace qv {
namespace {

using test::Block;
using test::decode;
using test::put;
using test::putF16;
using test::putU8;
using test::zeros;

void expectRange(const std::vector<float>& y, size_t first, size_t last, float v) {
    for (size_t e = first; e <= last; ++e) EXPECT_EQ(y[e], v) << "element " << e;
}

TEST(GgmlIqBlocks, SizesMatchGgmlStaticAssertsAndAllDecode) {
    // ggml-common.h static_asserts with QK_K = 256: iq2_xxs 2 + 64, iq2_xs 2 + 64 + 8, iq2_s 2 + 64 + 16,
    // iq3_xxs 2 + 96, iq3_s 2 + 13·8 + 4, iq1_s 2 + 32 + 16, iq1_m 32 + 16 + 8; bits per weight = bytes·8/256.
    struct Expect { DType t; uint32_t bytes; double bpw; };
    const Expect expected[] = {
        {DType::IQ2_XXS, 66, 2.0625}, {DType::IQ2_XS, 74, 2.3125}, {DType::IQ2_S, 82, 2.5625},
        {DType::IQ3_XXS, 98, 3.0625}, {DType::IQ3_S, 110, 3.4375}, {DType::IQ1_S, 50, 1.5625},
        {DType::IQ1_M, 56, 1.75},
    };
    for (const auto& e : expected) {
        EXPECT_EQ(traits(e.t).blockElements, 256u) << dtypeName(e.t);
        EXPECT_EQ(traits(e.t).blockBytes, e.bytes) << dtypeName(e.t);
        EXPECT_DOUBLE_EQ(bitsPerElement(e.t), e.bpw) << dtypeName(e.t);
        EXPECT_TRUE(ggmlBlocksDecodable(e.t)) << dtypeName(e.t);
        // Non-uniform codebooks with per-weight signs: no step·code + offset layout is claimed for them.
        EXPECT_EQ(ggmlGroupLayout(e.t).groupElements, 0u) << dtypeName(e.t);
        float step = 0, offset = 0;
        const Block b = zeros(e.bytes);
        EXPECT_FALSE(ggmlGroupScales(e.t, b.data(), 1, &step, &offset)) << dtypeName(e.t);
        // Three blocks decode (no block is skipped or read twice): checked value by value in the tests below.
        const auto y = decode(e.t, zeros(3 * e.bytes));
        EXPECT_EQ(y.size(), 768u);
    }
}

TEST(GgmlIqBlocks, Iq2Xxs) {
    // {f16 d = 0.5; u16 qs[32]}: sub-block s is bytes 2 + 8s …: 4 grid indices, then a u32 with 7-bit sign
    // indices at bits 0, 7, 14, 21 and the scale in bits 28–31. db = d·(0.5 + scale)·0.25.
    Block b = zeros(66);
    putF16(b, 0, 0.5f);
    // Sub-block 0: indices 0, 1, 2, 255; sign indices 0, 1, 3, 127; scale 3 → db = 0.5·3.5·0.25 = 0.4375.
    putU8(b, 2, 0);
    putU8(b, 3, 1);
    putU8(b, 4, 2);
    putU8(b, 5, 255);
    put<uint32_t>(b, 6, 0u | 1u << 7 | 3u << 14 | 127u << 21 | 3u << 28);
    // Sub-block 7: indices 0, scale 15 → db = 0.5·15.5·0.25 = 1.9375.
    put<uint32_t>(b, 2 + 56 + 4, 15u << 28);
    const auto y = decode(DType::IQ2_XXS, b);
    // Group 0: iq2xxs_grid[0] = 0x0808080808080808 (all 8), ksigns[0] = 0: 8·0.4375 = 3.5.
    expectRange(y, 0, 7, 3.5f);
    // Group 1: iq2xxs_grid[1] = 0x080808080808082b (element 0 is 43), ksigns[1] = 129 (elements 0 and 7 negated).
    EXPECT_EQ(y[8], -18.8125f);  // −43·0.4375
    expectRange(y, 9, 14, 3.5f);
    EXPECT_EQ(y[15], -3.5f);
    // Group 2: iq2xxs_grid[2] = 0x0808080808081919 (elements 0, 1 are 25), ksigns[3] = 3 (elements 0, 1 negated).
    EXPECT_EQ(y[16], -10.9375f);  // −25·0.4375
    EXPECT_EQ(y[17], -10.9375f);
    expectRange(y, 18, 23, 3.5f);
    // Group 3: iq2xxs_grid[255] = 0x2b2b2b1908081908 → 8, 25, 8, 8, 25, 43, 43, 43; ksigns[127] = 255 (all negated).
    const float g3[8] = {-3.5f, -10.9375f, -3.5f, -3.5f, -10.9375f, -18.8125f, -18.8125f, -18.8125f};
    for (int j = 0; j < 8; ++j) EXPECT_EQ(y[24 + j], g3[j]) << j;
    // Sub-blocks 1–6: all-zero bytes → index 0, no signs, scale 0: 8·(0.5·0.5·0.25) = 0.5.
    expectRange(y, 32, 223, 0.5f);
    expectRange(y, 224, 255, 15.5f);  // 8·1.9375
}

TEST(GgmlIqBlocks, Iq2Xs) {
    // {f16 d = 0.25; u16 qs[32]; u8 scales[8]}: qs[4s + g] = grid index (bits 0–8) | sign index << 9;
    // scales[s]: low nibble for groups 0–1, high nibble for groups 2–3; db = d·(0.5 + nibble)·0.25.
    Block b = zeros(74);
    putF16(b, 0, 0.25f);
    putU8(b, 66, 0x52);  // db0 = 0.25·2.5·0.25 = 0.15625, db1 = 0.25·5.5·0.25 = 0.34375
    put<uint16_t>(b, 2, 511);                // iq2xs_grid[511] = 0x2b2b2b2b2b2b2b2b, no signs
    put<uint16_t>(b, 4, 3 | 2 << 9);         // iq2xs_grid[3] = 0x0808080808082b08, ksigns[2] = 130 (elements 1, 7)
    put<uint16_t>(b, 6, 256 | 127 << 9);     // iq2xs_grid[256] = 0x190808080808192b, ksigns[127] = 255 (all)
    put<uint16_t>(b, 8, 0);                  // iq2xs_grid[0]: all 8
    const auto y = decode(DType::IQ2_XS, b);
    expectRange(y, 0, 7, 6.71875f);  // 43·0.15625
    EXPECT_EQ(y[8], 1.25f);          // 8·0.15625
    EXPECT_EQ(y[9], -6.71875f);
    expectRange(y, 10, 14, 1.25f);
    EXPECT_EQ(y[15], -1.25f);
    // 0x190808080808192b → 43, 25, 8, 8, 8, 8, 8, 25, all negated, ·0.34375.
    EXPECT_EQ(y[16], -14.78125f);
    EXPECT_EQ(y[17], -8.59375f);
    expectRange(y, 18, 22, -2.75f);
    EXPECT_EQ(y[23], -8.59375f);
    expectRange(y, 24, 31, 2.75f);    // 8·0.34375
    expectRange(y, 32, 255, 0.25f);   // 8·(0.25·0.5·0.25)
}

TEST(GgmlIqBlocks, Iq2S) {
    // {f16 d = 0.5; u8 qs[32] indices; u8 signs[32]; u8 qh[8]; u8 scales[8]} at 0, 2, 34, 66, 74.
    // Group g of sub-block s: index = qs[4s + g] | ((qh[s] >> 2g) & 3) << 8; signs[4s + g] is a plain mask.
    Block b = zeros(82);
    putF16(b, 0, 0.5f);
    putU8(b, 74, 0x31);  // db0 = 0.5·1.5·0.25 = 0.1875, db1 = 0.5·3.5·0.25 = 0.4375
    putU8(b, 2, 0xFF);   // group 0: qh bits 0–1 = 3 → index 1023
    putU8(b, 3, 5);      // group 1: qh bits 2–3 = 1 → index 261
    putU8(b, 4, 0);      // group 2: qh bits 4–5 = 0 → index 0
    putU8(b, 5, 0);      // group 3: qh bits 6–7 = 2 → index 512
    putU8(b, 66, 3 | 1 << 2 | 0 << 4 | 2 << 6);
    putU8(b, 34, 0x01);  // odd parity is allowed here (no ksigns table): negates element 0
    putU8(b, 36, 0x80);  // group 2: negates element 7
    const auto y = decode(DType::IQ2_S, b);
    // iq2s_grid[1023] = 0x2b2b2b2b2b2b2b2b: 43·0.1875 = 8.0625.
    EXPECT_EQ(y[0], -8.0625f);
    expectRange(y, 1, 7, 8.0625f);
    // iq2s_grid[261] = 0x081908192b08082b → 43, 8, 8, 43, 25, 8, 25, 8 (·0.1875).
    const float g1[8] = {8.0625f, 1.5f, 1.5f, 8.0625f, 4.6875f, 1.5f, 4.6875f, 1.5f};
    for (int j = 0; j < 8; ++j) EXPECT_EQ(y[8 + j], g1[j]) << j;
    expectRange(y, 16, 22, 3.5f);  // 8·0.4375
    EXPECT_EQ(y[23], -3.5f);
    // iq2s_grid[512] = 0x19080819082b1919 → 25, 25, 43, 8, 25, 8, 8, 25 (·0.4375).
    const float g3[8] = {10.9375f, 10.9375f, 18.8125f, 3.5f, 10.9375f, 3.5f, 3.5f, 10.9375f};
    for (int j = 0; j < 8; ++j) EXPECT_EQ(y[24 + j], g3[j]) << j;
    expectRange(y, 32, 255, 0.5f);  // 8·(0.5·0.5·0.25)
}

TEST(GgmlIqBlocks, Iq3Xxs) {
    // {f16 d = 0.5; u8 qs[64] grid indices; u32 scales_and_signs[8]} at 0, 2, 66. Group g of sub-block s uses
    // indices qs[8s + 2g] (elements 0–3) and qs[8s + 2g + 1] (4–7); db = d·(0.5 + scale)·0.5.
    Block b = zeros(98);
    putF16(b, 0, 0.5f);
    put<uint32_t>(b, 66, 0u | 1u << 7 | 127u << 14 | 1u << 28);  // sign indices 0, 1, 127, 0; scale 1 → db 0.375
    putU8(b, 2 + 1, 255);
    putU8(b, 2 + 2, 5);
    putU8(b, 2 + 3, 1);
    const auto y = decode(DType::IQ3_XXS, b);
    // Group 0: iq3xxs_grid[0] = 0x04040404 → 4·0.375 = 1.5; iq3xxs_grid[255] = 0x3e341c04 → 4, 28, 52, 62.
    expectRange(y, 0, 4, 1.5f);
    EXPECT_EQ(y[5], 10.5f);
    EXPECT_EQ(y[6], 19.5f);
    EXPECT_EQ(y[7], 23.25f);
    // Group 1: iq3xxs_grid[5] = 0x04040c3e → 62, 12, 4, 4; iq3xxs_grid[1] = 0x04040414 → 20, 4, 4, 4;
    // ksigns[1] = 129 negates elements 0 and 7.
    const float g1[8] = {-23.25f, 4.5f, 1.5f, 1.5f, 7.5f, 1.5f, 1.5f, -1.5f};
    for (int j = 0; j < 8; ++j) EXPECT_EQ(y[8 + j], g1[j]) << j;
    expectRange(y, 16, 23, -1.5f);  // ksigns[127] = 255
    expectRange(y, 24, 31, 1.5f);
    expectRange(y, 32, 255, 0.5f);  // 4·(0.5·0.5·0.5)
}

TEST(GgmlIqBlocks, Iq3S) {
    // {f16 d = 0.5; u8 qs[64]; u8 qh[8]; u8 signs[32]; u8 scales[4]} at 0, 2, 66, 74, 106. Points of group g of
    // sub-block s: qs[8s + 2g] | bit 2g of qh[s] << 8 and qs[8s + 2g + 1] | bit 2g+1 of qh[s] << 8;
    // db = d·(1 + 2n), n = nibble s%2 of scales[s/2].
    Block b = zeros(110);
    putF16(b, 0, 0.5f);
    putU8(b, 106, 0x21);  // sub-block 0: n = 1 → 1.5; sub-block 1: n = 2 → 2.5
    putU8(b, 2 + 0, 0xFF);
    putU8(b, 2 + 3, 1);
    putU8(b, 66, 1 | 1 << 3);  // bit 0 → first point of group 0 is 511; bit 3 → second point of group 1 is 257
    putU8(b, 74, 0x81);        // group 0: elements 0 and 7 negated
    putU8(b, 2 + 8, 3);        // sub-block 1, group 0, first point: index 3
    putU8(b, 74 + 4, 0x02);    // sub-block 1, group 0: element 1 negated
    const auto y = decode(DType::IQ3_S, b);
    // iq3s_grid[511] = 0x0f0f0101 → 1, 1, 15, 15; iq3s_grid[0] = 0x01010101 (·1.5).
    const float g0[8] = {-1.5f, 1.5f, 22.5f, 22.5f, 1.5f, 1.5f, 1.5f, -1.5f};
    for (int j = 0; j < 8; ++j) EXPECT_EQ(y[j], g0[j]) << j;
    // Group 1: iq3s_grid[0], then iq3s_grid[257] = 0x05090705 → 5, 7, 9, 5.
    const float g1[8] = {1.5f, 1.5f, 1.5f, 1.5f, 7.5f, 10.5f, 13.5f, 7.5f};
    for (int j = 0; j < 8; ++j) EXPECT_EQ(y[8 + j], g1[j]) << j;
    expectRange(y, 16, 31, 1.5f);
    // Sub-block 1: iq3s_grid[3] = 0x0101010b → 11, 1, 1, 1 (·2.5), element 1 negated; then all 1s.
    EXPECT_EQ(y[32], 27.5f);
    EXPECT_EQ(y[33], -2.5f);
    expectRange(y, 34, 63, 2.5f);
    expectRange(y, 64, 255, 0.5f);  // n = 0: d·1 per level 1
}

TEST(GgmlIqBlocks, Iq1S) {
    // {f16 d = 0.25; u8 qs[32]; u16 qh[8]} at 0, 2, 34. qh[s]: bits 3g..3g+2 are index bits 8–10 of group g,
    // bits 12–14 the scale n (dl = d·(2n + 1)), bit 15 the delta sign; y = dl·(level + delta), delta = ±0.125.
    Block b = zeros(50);
    putF16(b, 0, 0.25f);
    put<uint16_t>(b, 34, 7 | 4 << 9 | 2 << 12);  // sub-block 0: groups 0 and 3 high bits 7 and 4; n = 2 → dl 1.25
    putU8(b, 2, 0xFF);                           // group 0 → index 2047
    putU8(b, 2 + 2, 2);                          // group 2 → index 2
    put<uint16_t>(b, 36, 0x8000);                // sub-block 1: n = 0 (dl 0.25), delta −0.125
    const auto y = decode(DType::IQ1_S, b);
    // iq1s_grid[2047] = 0x0101010101010101: 1.25·(1 + 0.125).
    expectRange(y, 0, 7, 1.40625f);
    // Group 1: iq1s_grid[0] = all −1: 1.25·(−1 + 0.125).
    expectRange(y, 8, 15, -1.09375f);
    // Group 2: iq1s_grid[2] = 0xffffffffffff0000 → 0, 0, −1, …
    expectRange(y, 16, 17, 0.15625f);  // 1.25·0.125
    expectRange(y, 18, 23, -1.09375f);
    // Group 3: iq1s_grid[1024] = 0x0000000000ff0100 → 0, +1, −1, 0, 0, 0, 0, 0.
    EXPECT_EQ(y[24], 0.15625f);
    EXPECT_EQ(y[25], 1.40625f);
    EXPECT_EQ(y[26], -1.09375f);
    expectRange(y, 27, 31, 0.15625f);
    expectRange(y, 32, 63, -0.28125f);   // 0.25·(−1 − 0.125)
    expectRange(y, 64, 255, -0.21875f);  // 0.25·(−1 + 0.125)
}

TEST(GgmlIqBlocks, Iq1M) {
    // {u8 qs[32]; u8 qh[16]; u8 scales[8]} at 0, 32, 48. The f16 d = 0.5 (0x3800) is spread over the top
    // nibbles of the u16 scale words sc[0..3] (nibble k of d in sc[k] bits 12–15): sc[2] = 0x8…, sc[3] = 0x3….
    // sc[s/2] bits 6(s%2).. and 6(s%2)+3.. are the 3-bit scales of groups 0–1 and 2–3 (dl = d·(2n + 1)).
    // Group g: index = qs[4s + g] | (nibble g%2 of qh[2s + g/2]) & 7 << 8; bit 3 of that nibble: delta sign.
    Block b = zeros(56);
    put<uint16_t>(b, 48, 1 | 3 << 3 | 7 << 6);  // sub-block 0: n 1, 3 → dl 1.5, 3.5; sub-block 1: n 7, 0 → 7.5, 0.5
    put<uint16_t>(b, 50, 0x0000);
    put<uint16_t>(b, 52, 0x8000);
    put<uint16_t>(b, 54, 0x3000);
    putU8(b, 32, 0x0F);  // group 0: high index bits 7, delta −; group 1: 0, +
    putU8(b, 33, 0xC0);  // group 2: 0, +; group 3: high bits 4, delta −
    putU8(b, 0, 0xFF);   // group 0 → index 2047
    putU8(b, 2, 2);      // group 2 → index 2; group 3 → index 1024
    const auto y = decode(DType::IQ1_M, b);
    expectRange(y, 0, 7, 1.3125f);    // 1.5·(1 − 0.125)
    expectRange(y, 8, 15, -1.3125f);  // 1.5·(−1 + 0.125)
    expectRange(y, 16, 17, 0.4375f);  // 3.5·(0 + 0.125)
    expectRange(y, 18, 23, -3.0625f); // 3.5·(−1 + 0.125)
    // iq1s_grid[1024] → 0, +1, −1, 0, …, with delta −0.125 (·3.5).
    EXPECT_EQ(y[24], -0.4375f);
    EXPECT_EQ(y[25], 3.0625f);
    EXPECT_EQ(y[26], -3.9375f);
    expectRange(y, 27, 31, -0.4375f);
    expectRange(y, 32, 47, -6.5625f);   // 7.5·(−1 + 0.125)
    expectRange(y, 48, 255, -0.4375f);  // 0.5·(−0.875): every other scale field is 0
}

TEST(GgmlIqBlocks, BlocksAreDecodedInOrderAndUnalignedReadsCrossThem) {
    // Two IQ1_S blocks, all-zero bytes except d = 0.25 and 0.5: every weight is d·(−1 + 0.125).
    Block b = zeros(100);
    putF16(b, 0, 0.25f);
    putF16(b, 50, 0.5f);
    const auto y = decode(DType::IQ1_S, b);
    expectRange(y, 0, 255, -0.21875f);
    expectRange(y, 256, 511, -0.4375f);
    float out[4];
    ASSERT_TRUE(convertToFloat(DType::IQ1_S, b.data(), 254, 4, out));  // elements 254, 255 | 256, 257
    EXPECT_EQ(out[1], -0.21875f);
    EXPECT_EQ(out[2], -0.4375f);
}

TEST(GgmlIqBlocks, GgufTensorsOfEveryIqTypeOpenAndDecode) {
    // ggml type ids (ggml.h): IQ2_XXS 16, IQ2_XS 17, IQ3_XXS 18, IQ1_S 19, IQ3_S 21, IQ2_S 22, IQ1_M 29.
    // One all-zero block each with d = 1 where d is stored (bytes 0–1): the first weight is then
    // IQ2_XXS/XS/S 1·0.5·0.25·8 = 1, IQ3_XXS 1·0.5·0.5·4 = 1, IQ3_S 1·1·1 = 1, IQ1_S 1·(−1 + 0.125) = −0.875;
    // IQ1_M's d = 0 (zero scale words), so 0.
    struct Case { uint32_t id; DType t; float first; };
    const Case cases[] = {{16, DType::IQ2_XXS, 1.0f}, {17, DType::IQ2_XS, 1.0f}, {18, DType::IQ3_XXS, 1.0f},
                          {19, DType::IQ1_S, -0.875f}, {21, DType::IQ3_S, 1.0f}, {22, DType::IQ2_S, 1.0f},
                          {29, DType::IQ1_M, 0.0f}};
    test::GgufWriter w;
    for (const auto& c : cases) {
        Block data = zeros(traits(c.t).blockBytes);
        if (c.t != DType::IQ1_M) putF16(data, 0, 1.0f);
        w.addTensor({std::string(dtypeName(c.t)), {256}, c.id, data, {}, {}});
    }
    auto m = openGgufFromBytes(std::make_shared<OwnedBytes>(w.build()), "iq.gguf");
    ASSERT_TRUE(m) << m.message();
    ASSERT_EQ(m->tensors.size(), std::size(cases));
    for (size_t i = 0; i < std::size(cases); ++i) {
        EXPECT_EQ(m->tensors[i].dtype, cases[i].t);
        auto v = m->view(i).toFloat();
        ASSERT_TRUE(v) << v.message();
        ASSERT_EQ(v->size(), 256u);
        EXPECT_EQ((*v)[0], cases[i].first) << dtypeName(cases[i].t);
    }
}

TEST(GgmlIqBlocks, TruncatedIqTensorIsRefusedBeforeAnyRead) {
    // Two IQ3_S blocks need 220 bytes; the file holds 219. The reader sizes the tensor from the DType traits
    // and refuses it, so the decoder never sees a short buffer.
    test::GgufWriter w;
    w.addTensor({"t", {512}, 21, zeros(219), {}, {}});
    auto m = openGgufFromBytes(std::make_shared<OwnedBytes>(w.build()), "short.gguf");
    ASSERT_FALSE(m);
    EXPECT_NE(m.message().find("runs past the end of the file"), std::string::npos) << m.message();
}

}  // namespace
}  // namespace qv
