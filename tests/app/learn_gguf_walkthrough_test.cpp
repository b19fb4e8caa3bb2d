// The Learn ▸ "one llama.cpp block" walkthrough: its Q4_0 steps on the worked example checked against values
// worked out by hand (the same numbers as docs/walkthroughs.md), its bytes against the project's GGUF encoder
// and its decoded values against the decoder, and headless frames that open the window and take a block.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "app/panels/gguf_walkthrough.h"
#include "app_test_support.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/ggml_encode.h"
#include "core/tensor/walkthrough_ggml.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// The walk's 18 bytes equal encodeGgmlBlocks(Q4_0) and its y equal decodeGgmlBlocks of those bytes.
void expectMatchesEncoder(const std::vector<float>& x) {
    ASSERT_EQ(x.size(), 32u);
    const GgmlQ4_0Walk w = walkQ4_0(x);
    std::array<std::byte, kQ4_0BlockBytes> enc{};
    ASSERT_TRUE(encodeGgmlBlocks(DType::Q4_0, x.data(), 1, enc.data()));
    for (size_t i = 0; i < enc.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(w.bytes[i], static_cast<uint8_t>(enc[i]));
    }
    std::array<float, 32> dec{};
    ASSERT_TRUE(decodeGgmlBlocks(DType::Q4_0, enc.data(), 1, dec.data()));
    for (size_t i = 0; i < 32; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(w.el[i].y, dec[i]);
    }
}

// [SECTION] Q4_0: the worked example by hand ---------------------------------------------------------------

// m: |4.0| at x[8] is the largest |x|, so m = 4; d = 4/−8 = −0.5, exact in f16: sign 1, exponent −1 + 15 =
// 14 = 01110, mantissa 0 → 1 01110 0000000000 = 0xB800, stored little-endian as 00 B8. id = 1/−0.5 = −2.
TEST(GgufWalkthroughExample, Scale) {
    const GgmlQ4_0Walk w = walkQ4_0(GgufWalkthrough::exampleValues());
    EXPECT_TRUE(w.finite);
    EXPECT_EQ(w.maxIndex, 8);
    EXPECT_EQ(w.m, 4.0f);
    EXPECT_EQ(w.d, -0.5f);
    EXPECT_EQ(w.dBits, 0xB800);
    EXPECT_EQ(w.dF16, -0.5f);
    EXPECT_EQ(w.id, -2.0f);
    EXPECT_EQ(w.bytes[0], 0x00);
    EXPECT_EQ(w.bytes[1], 0xB8);
}

// id = −2, so x·id = −2x (exact: doubling) and q = min(15, trunc(−2x + 8.5)):
//   x[0..15]  =  0.1  −0.3  0.75  −0.25  0.5  1.2  −1    0.05  4    −0.6  0.3  −0.15  0.9  −1.4  0.2  0
//   −2x + 8.5 =  8.3   9.1  7.0    9.0   7.5  6.1  10.5  8.4   0.5   9.7  7.9   8.8   6.7  11.3  8.1  8.5
//   q         =  8     9    7      9     7    6    10    8     0     9    7     8     6    11    8    8
//   x[16..31] = −0.45 0.65 −0.8  1.1  −0.05  0.35 −1.25  0.6  0.15 −0.7  1.5  −0.35  0.4  −0.9  0.25 −0.55
//   −2x + 8.5 =  9.4   7.2  10.1  6.3   8.6   7.8  11.0   7.3  8.2   9.9  5.5   9.2   7.7  10.3  8.0   9.6
//   q         =  9     7    10    6     8     7    11     7    8     9    5     9     7    10    8     9
// Halves (x·id = k + ½): x[2] −1.5 → 7 (half even: −2 → 6), x[3] 0.5 → 9 (even: 0 → 8), x[22] 2.5 → 11
// (even: 2 → 10), x[30] −0.5 → 8 (even: −0 → 8, the same). None reaches 16, so nothing is capped.
TEST(GgufWalkthroughExample, Codes) {
    const GgmlQ4_0Walk w = walkQ4_0(GgufWalkthrough::exampleValues());
    const int q[32] = {8, 9, 7, 9, 7, 6, 10, 8, 0, 9, 7, 8, 6, 11, 8, 8, 9, 7, 10, 6, 8, 7, 11, 7, 8, 9, 5, 9, 7, 10, 8, 9};
    for (size_t i = 0; i < 32; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(w.el[i].q, q[i]);
        EXPECT_EQ(w.el[i].half, i == 2 || i == 3 || i == 22 || i == 30);
        EXPECT_FALSE(w.el[i].capped);
    }
    EXPECT_EQ(w.el[2].shifted, 7.0f);
    EXPECT_EQ(w.el[2].qHalfEven, 6);
    EXPECT_EQ(w.el[3].qHalfEven, 8);
    EXPECT_EQ(w.el[22].qHalfEven, 10);
    EXPECT_EQ(w.el[30].qHalfEven, 8);
    EXPECT_EQ(w.halfCount, 4);
    EXPECT_EQ(w.halfDiffers, 3);
    EXPECT_EQ(w.cappedCount, 0);
    EXPECT_EQ(w.el[8].y, 4.0f) << "the outlier sits on the −8 end: no error";
}

// qs[j] = q[j] | q[j+16] << 4 from the codes above: 8|9<<4 = 0x98, 9|7<<4 = 0x79, 7|10<<4 = 0xA7, 9|6<<4 =
// 0x69, 7|8<<4 = 0x87, 6|7<<4 = 0x76, 10|11<<4 = 0xBA, 8|7<<4 = 0x78, 0|8<<4 = 0x80, 9|9<<4 = 0x99,
// 7|5<<4 = 0x57, 8|9<<4 = 0x98, 6|7<<4 = 0x76, 11|10<<4 = 0xAB, 8|8<<4 = 0x88, 8|9<<4 = 0x98.
TEST(GgufWalkthroughExample, Bytes) {
    const GgmlQ4_0Walk w = walkQ4_0(GgufWalkthrough::exampleValues());
    const std::array<uint8_t, 18> bytes = {0x00, 0xB8, 0x98, 0x79, 0xA7, 0x69, 0x87, 0x76, 0xBA, 0x78,
                                           0x80, 0x99, 0x57, 0x98, 0x76, 0xAB, 0x88, 0x98};
    EXPECT_EQ(w.bytes, bytes);
    expectMatchesEncoder(GgufWalkthrough::exampleValues());
}

// y = −0.5·(q − 8); e = y − x. |e| per element: 0.25 at x[2], x[3], x[22], x[30]; 0.2 at x[1], x[5], x[10],
// x[14], x[18], x[25]; 0.15 at x[11], x[17], x[21], x[24], x[27]; 0.1 at x[0], x[9], x[12], x[13], x[19],
// x[23], x[28], x[29]; 0.05 at x[7], x[16], x[20], x[31]; 0 at x[4], x[6], x[8], x[15], x[26] (4+6+5+8+4+5 =
// 32). Σe² = 4·0.0625 + 6·0.04 + 5·0.0225 + 8·0.01 + 4·0.0025 = 0.25 + 0.24 + 0.1125 + 0.08 + 0.01 = 0.6925,
// MSE = 0.6925/32 = 0.021640625, max |e| = 0.25 = |d|/2 (the halves). Float32 inputs like 0.1 are off by
// ~1e−8, hence the tolerances.
TEST(GgufWalkthroughExample, DecodeAndError) {
    const GgmlQ4_0Walk w = walkQ4_0(GgufWalkthrough::exampleValues());
    EXPECT_EQ(w.el[2].y, 0.5f);
    EXPECT_EQ(w.el[2].error, -0.25f);
    EXPECT_EQ(w.el[22].y, -1.5f);
    EXPECT_EQ(w.el[26].y, 1.5f);
    EXPECT_NEAR(w.sumSqErr, 0.6925, 1e-6);
    EXPECT_NEAR(w.mse, 0.021640625, 1e-7);
    EXPECT_NEAR(w.maxAbsError, 0.25, 1e-7);
}

// d not exact in f16: m = −1 (first of the largest |x|) gives d = 0.125, exact; m = 0.3 gives d = −0.0375,
// f16 0xA8CD = −(1 + 205/1024)·2^−5 = −0.037506103515625 (nearest: 0.0375·32·1024 = 1228.8 → 1229 = 1024 + 205).
// With m = −1 (d = 0.125, id = 8), the opposite end 1 reaches 1·8 + 8.5 = 16.5 → 16 → capped at 15.
TEST(GgufWalkthroughExample, F16RoundingFirstMaxAndCap) {
    std::vector<float> x(32, 0.0f);
    x[3] = -1.0f;
    x[9] = 1.0f;  // same |x|: the first (x[3]) wins
    GgmlQ4_0Walk w = walkQ4_0(x);
    EXPECT_EQ(w.maxIndex, 3);
    EXPECT_EQ(w.d, 0.125f);
    EXPECT_EQ(w.el[3].q, 0);
    EXPECT_TRUE(w.el[9].capped) << "1·8 + 8.5 = 16.5 → 16 → 15";
    EXPECT_EQ(w.el[9].q, 15);
    EXPECT_EQ(w.el[9].y, 0.875f);
    expectMatchesEncoder(x);

    x.assign(32, 0.1f);
    x[5] = 0.3f;
    w = walkQ4_0(x);
    EXPECT_EQ(w.dBits, 0xA8CD);
    EXPECT_EQ(w.dF16, -0.037506103515625f);
    EXPECT_NE(w.dF16, w.d);
    expectMatchesEncoder(x);

    EXPECT_FALSE(walkQ4_0(std::vector<float>(32, 0.0f)).el[0].capped);
    EXPECT_EQ(walkQ4_0(std::vector<float>(32, 0.0f)).maxIndex, -1);
    expectMatchesEncoder(std::vector<float>(32, 0.0f));
}

// Many blocks of varied values: the walk's bytes and y always equal the encoder's and decoder's.
TEST(GgufWalkthroughExample, MatchesEncoderOnVariedBlocks) {
    for (int b = 0; b < 50; ++b) {
        SCOPED_TRACE(b);
        std::vector<float> x(32);
        for (int i = 0; i < 32; ++i)
            x[static_cast<size_t>(i)] = std::sin(0.37f * static_cast<float>(i * (b + 1)) + static_cast<float>(b)) *
                                        (1.0f + static_cast<float>(b % 7)) * (i == b % 32 ? 5.0f : 1.0f);
        expectMatchesEncoder(x);
    }
}

// [SECTION] Q4_K ------------------------------------------------------------------------------------------------

void expectMatchesEncoderK(const std::vector<float>& x) {
    ASSERT_EQ(x.size(), 256u);
    const GgmlQ4_KWalk w = walkQ4_K(x);
    std::vector<std::byte> enc(kQ4_KBlockBytes);
    ASSERT_TRUE(encodeGgmlBlocks(DType::Q4_K, x.data(), 1, enc.data()));
    for (size_t i = 0; i < enc.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(w.bytes[i], static_cast<uint8_t>(enc[i]));
    }
    std::vector<float> dec(256);
    ASSERT_TRUE(decodeGgmlBlocks(DType::Q4_K, enc.data(), 1, dec.data()));
    for (size_t i = 0; i < 256; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(w.sub[i / 32].y[i % 32], dec[i]);
    }
}

// The 12-byte layout by hand: ls = 1..8, lm = 63, 0, 17, 32, 48, 5, 31, 63.
//   bytes 0..3: ls[j] | (ls[j+4] >> 4) << 6 — ls[4..7] = 5..8 are < 16, so their top bits are 0: 01 02 03 04
//   bytes 4..7: lm[j] | (lm[j+4] >> 4) << 6 — lm[4..7] = 48, 5, 31, 63: top bits 3, 0, 1, 3:
//               63 | 3<<6 = 0xFF, 0 | 0 = 0x00, 17 | 1<<6 = 0x51, 32 | 3<<6 = 0xE0
//   bytes 8..11: (ls[j+4] & 15) | (lm[j+4] & 15) << 4: 5 | 0<<4 = 0x05, 6 | 5<<4 = 0x56, 7 | 15<<4 = 0xF7,
//               8 | 15<<4 = 0xF8
TEST(GgufWalkthroughK, ScaleMinPackingByHand) {
    const std::array<uint8_t, 8> ls = {1, 2, 3, 4, 5, 6, 7, 8}, lm = {63, 0, 17, 32, 48, 5, 31, 63};
    const std::array<uint8_t, 12> p = packScalesMinsK4(ls, lm);
    const std::array<uint8_t, 12> expected = {0x01, 0x02, 0x03, 0x04, 0xFF, 0x00, 0x51, 0xE0, 0x05, 0x56, 0xF7, 0xF8};
    EXPECT_EQ(p, expected);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        unpackScaleMinK4(j, p, sc, m);
        EXPECT_EQ(sc, ls[static_cast<size_t>(j)]) << j;
        EXPECT_EQ(m, lm[static_cast<size_t>(j)]) << j;
    }
}

// The worked example: sub-block 3 is all positive (0.25 ± 0.19), so its minimum starts at 0 and stays 0;
// sub-block 6 holds the outlier 1.2 and so the largest scale: its ls is 63 (63/max · max). Bytes and y equal
// the encoder and decoder.
TEST(GgufWalkthroughK, WorkedExample) {
    const std::vector<float> x = GgufWalkthrough::exampleValuesK();
    const GgmlQ4_KWalk w = walkQ4_K(x);
    ASSERT_TRUE(w.finite);
    EXPECT_EQ(x[199], 1.2f);
    EXPECT_GT(w.sub[3].xMin, 0.0f);
    EXPECT_EQ(w.sub[3].min, 0.0f);
    EXPECT_EQ(w.sub[3].lm, 0);
    EXPECT_EQ(w.maxScaleIndex, 6);
    EXPECT_EQ(w.sub[6].ls, 63);
    EXPECT_EQ(w.sub[static_cast<size_t>(w.maxMinIndex)].lm, 63);
    for (size_t j = 0; j < 8; ++j) {
        EXPECT_EQ(w.sub[j].step, w.d * static_cast<float>(w.sub[j].ls)) << j;
        EXPECT_EQ(w.sub[j].offset, w.dmin * static_cast<float>(w.sub[j].lm)) << j;
        EXPECT_LE(w.sub[j].sumSqErr / 32, 0.01) << j;
    }
    EXPECT_EQ(w.d, f16ToF32(f32ToF16(w.maxScale / 63.0f)));
    expectMatchesEncoderK(x);
}

// A whole zero super-block: every fit is scale 0, min 0, so d = dmin = 0 and every byte is 0. A constant
// sub-block of −0.5: min(x, 0) = max = −0.5, so make_qkx2_quants returns scale 0 and min 0.5 (codes
// 0). Then 20 varied super-blocks (some shifted positive, one outlier each) against the encoder.
TEST(GgufWalkthroughK, DegenerateAndVaried) {
    const GgmlQ4_KWalk z = walkQ4_K(std::vector<float>(256, 0.0f));
    for (uint8_t b : z.bytes) EXPECT_EQ(b, 0);
    expectMatchesEncoderK(std::vector<float>(256, 0.0f));
    std::vector<float> x = GgufWalkthrough::exampleValuesK();
    for (size_t l = 0; l < 32; ++l) x[64 + l] = -0.5f;  // sub-block 2 constant negative: min 0.5, L all 0
    const GgmlQ4_KWalk c = walkQ4_K(x);
    EXPECT_EQ(c.sub[2].scale, 0.0f);
    EXPECT_EQ(c.sub[2].min, 0.5f);
    expectMatchesEncoderK(x);
    for (int b = 0; b < 20; ++b) {
        SCOPED_TRACE(b);
        std::vector<float> v(256);
        for (int i = 0; i < 256; ++i)
            v[static_cast<size_t>(i)] = std::sin(0.11f * static_cast<float>(i * (b + 3))) * (0.2f + 0.1f * static_cast<float>(i / 32)) +
                                        (b % 3 == 0 ? 0.3f : 0.0f) + (i == 17 * b ? 2.0f : 0.0f);
        expectMatchesEncoderK(v);
    }
}

// [SECTION] headless frames ---------------------------------------------------------------------------------

class LearnGgufWalkthroughUi : public test::HeadlessUiFixture {
protected:
    LearnGgufWalkthroughUi() : HeadlessUiFixture(ImVec2(1600, 1000)) {}
    ImGuiWindow* window(const char* title) {
        ImGuiWindow* w = ImGui::FindWindowByName(title);
        return w && w->WasActive ? w : nullptr;
    }
};

TEST_F(LearnGgufWalkthroughUi, ShowsTheWorkedExampleOnScreen) {
    auto* gw = dynamic_cast<GgufWalkthrough*>(ui->learnWindow("gguf"));
    ASSERT_NE(gw, nullptr);
    frame();
    EXPECT_EQ(window(gw->title()), nullptr) << "closed until asked for";
    gw->show();
    for (int i = 0; i < 4; ++i) frame();
    ImGuiWindow* w = window(gw->title());
    ASSERT_NE(w, nullptr);
    EXPECT_GE(gw->drawnFrames(), 3);
    EXPECT_TRUE(gw->showsExampleNote());
    EXPECT_EQ(gw->shown().dBits, 0xB800);
    EXPECT_EQ(gw->shown().bytes[2], 0x98);
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    EXPECT_GE(w->Pos.x, 0.0f);
    EXPECT_GE(w->Pos.y, 0.0f);
    EXPECT_LE(w->Pos.x + w->Size.x, d.x);
    EXPECT_LE(w->Pos.y + w->Size.y, d.y);
    EXPECT_FALSE(w->ScrollbarY) << "the content fits without scrolling";

    gw->setValues({1.0f, 2.0f});
    for (int i = 0; i < 2; ++i) frame();
    EXPECT_FALSE(gw->showsExampleNote());
    EXPECT_EQ(gw->values().size(), 32u) << "padded with zeros";
    EXPECT_EQ(gw->shown().m, 2.0f);
}

// Block 1 of a 64-element tensor holding 0..63 − 40: elements 32..63 = −8..23; m = 23 (x[31]), d = −2.875.
TEST_F(LearnGgufWalkthroughUi, TakesABlockFromTheSelectedTensor) {
    auto* gw = dynamic_cast<GgufWalkthrough*>(ui->learnWindow("gguf"));
    ASSERT_NE(gw, nullptr);
    gw->show();
    frame();
    EXPECT_FALSE(gw->takeFromTensor(state, 0)) << "no file open";

    const std::string path = test::tempPath("gguf-walkthrough-take.npy");
    std::vector<float> values(64);
    for (int i = 0; i < 64; ++i) values[static_cast<size_t>(i)] = static_cast<float>(i) - 40.0f;
    test::writeNpyF32(path, {2, 32}, values);
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    settle();
    for (int i = 0; i < 3; ++i) frame();
    EXPECT_FALSE(gw->takeFromTensor(state, 2)) << "only blocks 0 and 1";
    ASSERT_TRUE(gw->takeFromTensor(state, 1));
    EXPECT_EQ(gw->values().front(), -8.0f);
    EXPECT_EQ(gw->values().back(), 23.0f);
    EXPECT_NE(gw->source().find("block 1 (elements 32..63)"), std::string::npos) << gw->source();
    frame();
    EXPECT_EQ(gw->shown().maxIndex, 31);
    EXPECT_EQ(gw->shown().d, -2.875f);

    // The button takes block b (0 here): elements 0..31 = −40..−9, m = −40, d = 5.
    ASSERT_NE(window(gw->title()), nullptr);
    const auto& r = gw->takeButtonRect();
    ASSERT_GT(r.x1, r.x0);
    click((r.x0 + r.x1) * 0.5f, (r.y0 + r.y1) * 0.5f, 1);
    EXPECT_EQ(gw->values().front(), -40.0f);
    frame();
    EXPECT_EQ(gw->shown().d, 5.0f);
}

TEST_F(LearnGgufWalkthroughUi, Q4_KTabShowsTheSuperBlock) {
    auto* gw = dynamic_cast<GgufWalkthrough*>(ui->learnWindow("gguf"));
    ASSERT_NE(gw, nullptr);
    gw->show();
    gw->selectTab(GgufWalkthrough::Tab::Q4_K);
    for (int i = 0; i < 5; ++i) frame();
    EXPECT_EQ(gw->tab(), GgufWalkthrough::Tab::Q4_K);
    EXPECT_EQ(gw->shownK().maxScaleIndex, 6);
    EXPECT_EQ(gw->shownK().sub[6].ls, 63);
    ImGuiWindow* w = window(gw->title());
    ASSERT_NE(w, nullptr);
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    EXPECT_GE(w->Pos.y, 0.0f);
    EXPECT_LE(w->Pos.y + w->Size.y, d.y);
    EXPECT_LE(w->Pos.x + w->Size.x, d.x);
    EXPECT_FALSE(w->ScrollbarY) << "the content fits without scrolling";

    // Super-block 0 of a 256-element tensor 0..255 − 128: m = −128 sits in sub-block 0.
    const std::string path = test::tempPath("gguf-walkthrough-take-k.npy");
    std::vector<float> values(256);
    for (int i = 0; i < 256; ++i) values[static_cast<size_t>(i)] = static_cast<float>(i) - 128.0f;
    test::writeNpyF32(path, {256}, values);
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    settle();
    frame();
    EXPECT_FALSE(gw->takeFromTensorK(state, 1));
    ASSERT_TRUE(gw->takeFromTensorK(state, 0));
    EXPECT_EQ(gw->valuesK().front(), -128.0f);
    EXPECT_NE(gw->sourceK().find("super-block 0 (elements 0..255)"), std::string::npos) << gw->sourceK();
    frame();
    EXPECT_EQ(gw->shownK().x[255], 127.0f);

    gw->selectTab(GgufWalkthrough::Tab::Q4_0);
    for (int i = 0; i < 3; ++i) frame();
    EXPECT_EQ(gw->tab(), GgufWalkthrough::Tab::Q4_0);
}

}  // namespace
}  // namespace qv
