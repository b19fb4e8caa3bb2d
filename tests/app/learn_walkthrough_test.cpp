// The two teaching walkthroughs (Learn ▸ quantize a vector, Learn ▸ one int8 MAC): their worked examples
// checked step by step against values worked out by hand (the same numbers as docs/walkthroughs.md), and
// headless frames that open each window and read back what it showed.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <cmath>
#include <string>
#include <vector>

#include "app/panels/mac_walkthrough.h"
#include "app/panels/quantize_walkthrough.h"
#include "app_test_support.h"
#include "core/gemm/walkthrough_mac.h"
#include "core/quant/walkthrough_quantize.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

QuantizeWalk exampleWalk() {
    return walkQuantize(QuantizeWalkthrough::exampleValues(),
                        walkScheme(QuantizeWalkthrough::kExampleBits, QuantizeWalkthrough::kExampleGrid),
                        ClipRange{QuantizeWalkthrough::kExampleClipLo, QuantizeWalkthrough::kExampleClipHi});
}

// [SECTION] quantize a vector: the worked example by hand ----------------------------------------------------

// int4 asymmetric: codes 0..15. The typed range [−1, 2.75] contains 0 (no widening).
// s = (2.75 − (−1)) / (15 − 0) = 3.75 / 15 = 0.25 (exact in float32);
// z = 0 − round(−1 / 0.25) = 0 − (−4) = 4.
TEST(QuantizeWalkthroughExample, ScaleAndZeroPoint) {
    const QuantizeWalk w = exampleWalk();
    EXPECT_EQ(w.qmin, 0);
    EXPECT_EQ(w.qmax, 15);
    EXPECT_FALSE(w.widened);
    EXPECT_EQ(w.rangeLo, -1.0f);
    EXPECT_EQ(w.rangeHi, 2.75f);
    EXPECT_EQ(w.params.scale, 0.25f);
    EXPECT_EQ(w.loOverS, -4.0f);
    EXPECT_EQ(w.loOverSRounded, -4.0f);
    EXPECT_EQ(w.params.zeroPoint, 4);
}

// Each x: x/s, round half to even, + z, clamp to [0, 15], x̂ = 0.25·(q − 4):
//   −1     → −4    → −4        → 0  → 0            → −1
//   −0.375 → −1.5  → −2 (tie)  → 2  → 2            → −0.5
//   0      → 0     → 0         → 4  → 4            → 0      (0 is exactly the zero point)
//   0.3    → 1.2   → 1         → 5  → 5            → 0.25
//   0.625  → 2.5   → 2 (tie)   → 6  → 6            → 0.5
//   1      → 4     → 4         → 8  → 8            → 1
//   2.2    → 8.8   → 9         → 13 → 13           → 2.25
//   3.5    → 14    → 14        → 18 → 15 (clamped) → 2.75
TEST(QuantizeWalkthroughExample, EachElement) {
    const QuantizeWalk w = exampleWalk();
    ASSERT_EQ(w.steps.size(), 8u);
    const float xOverS[] = {-4, -1.5f, 0, 1.2f, 2.5f, 4, 8.8f, 14};
    const float rounded[] = {-4, -2, 0, 1, 2, 4, 9, 14};
    const double shifted[] = {0, 2, 4, 5, 6, 8, 13, 18};
    const int q[] = {0, 2, 4, 5, 6, 8, 13, 15};
    const float xhat[] = {-1, -0.5f, 0, 0.25f, 0.5f, 1, 2.25f, 2.75f};
    for (size_t i = 0; i < 8; ++i) {
        SCOPED_TRACE(i);
        EXPECT_FLOAT_EQ(w.steps[i].xOverS, xOverS[i]);
        EXPECT_EQ(w.steps[i].rounded, rounded[i]);
        EXPECT_EQ(w.steps[i].shifted, shifted[i]);
        EXPECT_EQ(w.steps[i].q, q[i]);
        EXPECT_EQ(w.steps[i].xhat, xhat[i]);
        EXPECT_EQ(w.steps[i].tie, i == 1 || i == 4);
        EXPECT_EQ(w.steps[i].clamped, i == 7);
    }
    EXPECT_EQ(w.ties, 2);
    EXPECT_EQ(w.clampedCount, 1);
    EXPECT_EQ(w.steps[2].xhat, 0.0f) << "0 is exactly representable";
    EXPECT_EQ(w.steps[7].error, -0.75f) << "the saturated 3.5 comes back as the grid's end 2.75";
}

// e = x̂ − x = 0, −0.125, 0, −0.05, −0.125, 0, 0.05, −0.75 (0.3 and 2.2 are not exact in float32, so those
// two are −0.05 and +0.05 to about 1e−8). Σe² = 2·0.015625 + 2·0.0025 + 0.5625 = 0.59875, MSE = 0.59875/8 =
// 0.07484375, max |e| = 0.75. Σx² = 1 + 0.140625 + 0 + 0.09 + 0.390625 + 1 + 4.84 + 12.25 = 19.71125,
// SQNR = 10·log10(19.71125/0.59875) = 10·log10(32.92067) = 15.1747 dB. 8 distinct codes of 16 used.
TEST(QuantizeWalkthroughExample, Totals) {
    const QuantizeWalk w = exampleWalk();
    EXPECT_NEAR(w.sumSqErr, 0.59875, 1e-7);
    EXPECT_NEAR(w.stats.mse, 0.07484375, 1e-8);
    EXPECT_EQ(w.stats.maxAbsError, 0.75);
    EXPECT_NEAR(w.sumSqX, 19.71125, 1e-6);
    EXPECT_NEAR(w.stats.sqnrDb, 15.1747, 1e-4);
    EXPECT_EQ(w.stats.codesUsed, 8u);
    EXPECT_EQ(w.stats.codesAvailable, 16u);
    EXPECT_EQ(w.stats.clippedCount, 1u);
}

// Widening: asymmetric [0.5, 3.75] becomes [0, 3.75]; s = 3.75/15 = 0.25, z = 0 − round(0) = 0.
// Symmetric restricted int4 of [−1, 2.75]: amax 2.75, s = 2.75/7; full range: s = 2.75/7.5; z = 0.
TEST(QuantizeWalkthroughExample, WideningAndSymmetricScales) {
    const std::vector<float> x = {0.5f, 3.75f};
    const QuantizeWalk a = walkQuantize(x, walkScheme(4, WalkGrid::Asymmetric), walkMinMax(x));
    EXPECT_TRUE(a.widened);
    EXPECT_EQ(a.rangeLo, 0.0f);
    EXPECT_EQ(a.params.scale, 0.25f);
    EXPECT_EQ(a.params.zeroPoint, 0);
    EXPECT_EQ(a.steps[0].q, 2);
    EXPECT_EQ(a.steps[1].q, 15);

    const std::vector<float> v = QuantizeWalkthrough::exampleValues();
    const QuantizeWalk r = walkQuantize(v, walkScheme(4, WalkGrid::SymmetricRestricted), ClipRange{-1, 2.75});
    EXPECT_EQ(r.qmin, -7);
    EXPECT_EQ(r.qmax, 7);
    EXPECT_EQ(r.amax, 2.75f);
    EXPECT_EQ(r.params.scale, 2.75f / 7.0f);
    EXPECT_EQ(r.params.zeroPoint, 0);
    EXPECT_EQ(r.steps[7].q, 7) << "3.5/0.392857 = 8.9 clamps to 7";
    const QuantizeWalk f = walkQuantize(v, walkScheme(4, WalkGrid::SymmetricFull), ClipRange{-1, 2.75});
    EXPECT_EQ(f.qmin, -8);
    EXPECT_EQ(f.params.scale, 2.75f / 7.5f);
}

// [SECTION] one int8 MAC: the worked example by hand ---------------------------------------------------------

// a = (−1, 0.5, 1.3, 2.984375): range [−1, 2.984375], s_a = 3.984375/255 = 1/64, za = 0 − round(−64) = 64;
// a_q = round(64·a) + 64 = (−64, 32, 83.2 → 83, 191) + 64 = (0, 96, 147, 255).
// w = (0.3, −0.9921875, 0.5, 0.25): amax 127/128, s_w = 1/128, zb = 0; w_q = round(128·w) =
// (38.4 → 38, −127, 64, 32).
TEST(MacWalkthroughExample, Operands) {
    const MacWalk m = walkMac(MacWalkthrough::example());
    ASSERT_EQ(m.error, "");
    ASSERT_EQ(m.K, 4);
    EXPECT_EQ(m.a.params.scale, 0.015625f);
    EXPECT_EQ(m.a.params.zeroPoint, 64);
    EXPECT_EQ(m.w.params.scale, 0.0078125f);
    EXPECT_EQ(m.w.params.zeroPoint, 0);
    const int aq[] = {0, 96, 147, 255}, wq[] = {38, -127, 64, 32};
    for (size_t k = 0; k < 4; ++k) {
        EXPECT_EQ(m.a.steps[k].q, aq[k]) << k;
        EXPECT_EQ(m.w.steps[k].q, wq[k]) << k;
    }
}

// Products a_q·w_q = 0, −12192, 9408, 8160: Σ = 5376. Σa_q = 498, Σw_q = 7.
// Corrections: −zb·Σa = 0, −za·Σw = −64·7 = −448, K·za·zb = 0: acc = 5376 − 448 = 4928.
// Directly: (a_q − 64)·w_q = −64·38 + 32·(−127) + 83·64 + 191·32 = −2432 − 4064 + 5312 + 6112 = 4928.
// Float: 4928 · (1/64) · (1/128) = 4928/8192 = 0.6015625; fp32 Σa·w = −0.3 − 0.49609375 + 0.65 + 0.74609375 = 0.6.
TEST(MacWalkthroughExample, AccumulatorAndCorrections) {
    const MacWalk m = walkMac(MacWalkthrough::example());
    const GemmTrace& t = m.trace;
    EXPECT_EQ(m.products, (std::vector<int64_t>{0, -12192, 9408, 8160}));
    EXPECT_EQ(m.centred, (std::vector<int64_t>{-2432, -4064, 5312, 6112}));
    EXPECT_EQ(t.rawDot, 5376);
    EXPECT_EQ(t.rowSumA, 498);
    EXPECT_EQ(t.colSumB, 7);
    EXPECT_EQ(t.rowCorrection, 0);
    EXPECT_EQ(t.colCorrection, -448);
    EXPECT_EQ(t.constantTerm, 0);
    EXPECT_EQ(t.acc, 4928);
    EXPECT_EQ(t.exactDot, 4928);
    EXPECT_EQ(t.dequantizedAcc, 0.6015625f);
    EXPECT_NEAR(m.fp32Dot, 0.6f, 1e-6f);
}

// Requantization: M = (1/64)(1/128)/(1/64) = 1/128 = 0.5·2^−6 → m0 = 2^30, shift = −6.
// acc·M = 4928/128 = 38.5: a tie.
//  (a) float: 38.5 → half to even → 38, + zy 128 → 166.
//  (b) double: SRDHM(4928, 2^30) = 4928·2^30/2^31 = 2464 (exact); RoundingDivideByPOT(2464, 6) = 38.5 →
//      half away from zero → 39 → 167.
//  (c) single: (4928·2^30 + 2^36) >> 37 = floor(38.5 + 0.5) = 39 → 167.
// The fp32 result quantized directly: round(0.6·64 = 38.4) + 128 = 166.
TEST(MacWalkthroughExample, ThreeRoundingPathsOnATie) {
    const MacWalk m = walkMac(MacWalkthrough::example());
    const GemmTrace& t = m.trace;
    EXPECT_EQ(t.multiplier, 1.0 / 128.0);
    EXPECT_EQ(t.fixedMultiplier.m0, 1 << 30);
    EXPECT_EQ(t.fixedMultiplier.shift, -6);
    EXPECT_EQ(t.exactProduct, 38.5);
    EXPECT_TRUE(m.exactTie);
    EXPECT_EQ(t.floatPath.beforeZeroPoint, 38);
    EXPECT_EQ(t.floatPath.code, 166);
    EXPECT_EQ(t.fixedDouble.afterFirstRounding, 2464);
    EXPECT_EQ(t.fixedDouble.beforeZeroPoint, 39);
    EXPECT_EQ(t.fixedDouble.code, 167);
    EXPECT_EQ(m.singleProduct, int64_t{4928} << 30);
    EXPECT_EQ(m.singleShiftBits, 37);
    EXPECT_EQ(t.fixedSingle.code, 167);
    EXPECT_TRUE(m.pathsDiffer);
    EXPECT_EQ(m.fp32Code, 166);
    EXPECT_EQ(t.floatPath.dequantized, 0.59375f);  // (166 − 128)/64
}

// Negated w: w_q = (−38, 127, −64, −32), acc = −4928, acc·M = −38.5.
//  (a) float: half to even → −38 → 90.
//  (b) double: SRDHM(−4928, 2^30) = −2464 (exact, no tie there); RoundingDivideByPOT(−2464, 6): −38.5, half
//      away from zero → −39 → 89.
//  (c) single: floor(−38.5 + 0.5) = −38 → 90 (ties toward +∞).
TEST(MacWalkthroughExample, NegativeTie) {
    MacWalkInput in = MacWalkthrough::example();
    for (float& v : in.w) v = -v;
    const MacWalk m = walkMac(in);
    EXPECT_EQ(m.trace.colCorrection, 448);
    EXPECT_EQ(m.trace.acc, -4928);
    EXPECT_EQ(m.trace.floatPath.code, 90);
    EXPECT_EQ(m.trace.fixedDouble.afterFirstRounding, -2464);
    EXPECT_EQ(m.trace.fixedDouble.code, 89);
    EXPECT_EQ(m.trace.fixedSingle.code, 90);
}

// Non-zero zb makes all three corrections appear.
// int8 with zb = 3: w_q = (41, −124, 67, 35); Σw = 19; raw Σ = 96·(−124) + 147·67 + 255·35 = −11904 + 9849
// + 8925 = 6870; −zb·Σa = −3·498 = −1494; −za·Σw = −64·19 = −1216; K·za·zb = 4·64·3 = 768;
// acc = 6870 − 1494 − 1216 + 768 = 4928: shifting the codes by zb and correcting is exact.
// uint8 asymmetric w: range [−0.9921875, 0.5], s_w = fl32(1.4921875/255) = 0.0058517158,
// zb = 0 − round(−0.9921875/s_w) = 0 − round(−169.555) = 170; K·za·zb = 4·64·170 = 43520.
TEST(MacWalkthroughExample, WeightZeroPoints) {
    MacWalkInput in = MacWalkthrough::example();
    in.weights = MacWeights::Int8WithZeroPoint;
    in.wZero = 3;
    const MacWalk z = walkMac(in);
    ASSERT_EQ(z.error, "");
    EXPECT_EQ(z.w.params.zeroPoint, 3);
    EXPECT_EQ(z.w.steps[1].q, -124);
    EXPECT_EQ(z.trace.rawDot, 6870);
    EXPECT_EQ(z.trace.rowCorrection, -1494);
    EXPECT_EQ(z.trace.colCorrection, -1216);
    EXPECT_EQ(z.trace.constantTerm, 768);
    EXPECT_EQ(z.trace.acc, 4928);

    in.weights = MacWeights::Uint8Asymmetric;
    const MacWalk u = walkMac(in);
    ASSERT_EQ(u.error, "");
    EXPECT_FALSE(u.wSigned);
    EXPECT_EQ(u.w.params.zeroPoint, 170);
    EXPECT_EQ(u.trace.constantTerm, 43520);
    int64_t direct = 0;
    for (int64_t c : u.centred) direct += c;
    EXPECT_EQ(u.trace.exactDot, direct);
    EXPECT_EQ(u.trace.rawDot + u.trace.rowCorrection + u.trace.colCorrection + u.trace.constantTerm, direct);
}

TEST(MacWalkthroughExample, BadOutputScaleIsAMessage) {
    MacWalkInput in = MacWalkthrough::example();
    in.yScale = 0;
    EXPECT_NE(walkMac(in).error, "");
}

// [SECTION] headless frames ---------------------------------------------------------------------------------

class LearnWalkthroughUi : public test::HeadlessUiFixture {
protected:
    LearnWalkthroughUi() : HeadlessUiFixture(ImVec2(1600, 1000)) {}
    ImGuiWindow* window(const char* title) {
        ImGuiWindow* w = ImGui::FindWindowByName(title);
        return w && w->WasActive ? w : nullptr;
    }
    // The window is on screen, whole, and not clipped by its size limit (auto-sized to its content).
    void expectFits(ImGuiWindow* w) {
        const ImVec2 d = ImGui::GetIO().DisplaySize;
        EXPECT_GE(w->Pos.x, 0.0f);
        EXPECT_GE(w->Pos.y, 0.0f);
        EXPECT_LE(w->Pos.x + w->Size.x, d.x);
        EXPECT_LE(w->Pos.y + w->Size.y, d.y);
        EXPECT_FALSE(w->ScrollbarY) << "the content fits without scrolling";
    }
    // On screen and whole, scrolling if its content is taller than the display.
    void expectOnScreen(ImGuiWindow* w) {
        ASSERT_NE(w, nullptr);
        const ImVec2 d = ImGui::GetIO().DisplaySize;
        EXPECT_GE(w->Pos.y, 0.0f);
        EXPECT_LE(w->Pos.y + w->Size.y, d.y);
        EXPECT_LE(w->Pos.x + w->Size.x, d.x);
    }
    // Clicks the middle of a button the panel reported (and checks the click lands on it).
    template <class R>
    void clickRect(const R& r) {
        ASSERT_GT(r.x1, r.x0);
        click((r.x0 + r.x1) * 0.5f, (r.y0 + r.y1) * 0.5f, 1);
    }
};

TEST_F(LearnWalkthroughUi, QuantizeWindowShowsTheWorkedExample) {
    LearnWindow* lw = ui->learnWindow("quantize");
    ASSERT_NE(lw, nullptr);
    auto* qw = dynamic_cast<QuantizeWalkthrough*>(lw);
    ASSERT_NE(qw, nullptr);
    frame();
    EXPECT_EQ(window(qw->title()), nullptr) << "closed until asked for";
    qw->show();
    for (int i = 0; i < 4; ++i) frame();
    ImGuiWindow* w = window(qw->title());
    ASSERT_NE(w, nullptr);
    EXPECT_GE(qw->drawnFrames(), 3);
    EXPECT_TRUE(qw->showsExampleNote());
    const QuantizeWalk& s = qw->shown();
    EXPECT_EQ(s.params.scale, 0.25f);
    EXPECT_EQ(s.params.zeroPoint, 4);
    ASSERT_EQ(s.steps.size(), 8u);
    EXPECT_EQ(s.steps[7].q, 15);
    EXPECT_TRUE(s.steps[7].clamped);
    EXPECT_NEAR(s.stats.mse, 0.07484375, 1e-8);
    expectFits(w);

    // 8 bits, symmetric restricted, min-max: amax 3.5, s = 3.5/127, 3.5 → code 127, nothing clamped.
    qw->setBits(8);
    qw->setGrid(WalkGrid::SymmetricRestricted);
    qw->setClipMinMax();
    for (int i = 0; i < 3; ++i) frame();
    EXPECT_FALSE(qw->showsExampleNote());
    EXPECT_EQ(qw->shown().params.scale, 3.5f / 127.0f);
    EXPECT_EQ(qw->shown().steps[7].q, 127);
    EXPECT_EQ(qw->shown().clampedCount, 0);
    expectFits(window(qw->title()));

    // The most values the window takes: it grows and moves to stay on screen.
    qw->setValues(std::vector<float>(QuantizeWalkthrough::kMaxValues + 4, 1.0f));
    EXPECT_EQ(qw->values().size(), static_cast<size_t>(QuantizeWalkthrough::kMaxValues));
    for (int i = 0; i < 4; ++i) frame();
    EXPECT_EQ(qw->shown().steps.size(), static_cast<size_t>(QuantizeWalkthrough::kMaxValues));
    expectOnScreen(window(qw->title()));
}

// "Take 8 values from the selected tensor": elements i·16/8 = 0, 2, …, 14 of a 16-element tensor, read
// through its TensorView; the clip range becomes their min-max [−3, 11].
TEST_F(LearnWalkthroughUi, TakesEightValuesFromTheSelectedTensor) {
    auto* qw = dynamic_cast<QuantizeWalkthrough*>(ui->learnWindow("quantize"));
    ASSERT_NE(qw, nullptr);
    qw->show();
    frame();
    EXPECT_FALSE(qw->takeFromTensor(state)) << "no file open";

    const std::string path = test::tempPath("walkthrough-take.npy");
    std::vector<float> values(16);
    for (int i = 0; i < 16; ++i) values[static_cast<size_t>(i)] = static_cast<float>(i) - 3.0f;  // −3..12
    test::writeNpyF32(path, {4, 4}, values);
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    settle();
    for (int i = 0; i < 3; ++i) frame();
    ImGuiWindow* w = window(qw->title());
    ASSERT_NE(w, nullptr);
    clickRect(qw->takeButtonRect());
    EXPECT_EQ(qw->values(), (std::vector<float>{-3, -1, 1, 3, 5, 7, 9, 11}));
    EXPECT_NE(qw->source().find("elements 0, 2, 4, 6, 8, 10, 12, 14"), std::string::npos) << qw->source();
    EXPECT_EQ(qw->shown().clip.lo, -3.0);
    EXPECT_EQ(qw->shown().clip.hi, 11.0);
    // Asymmetric int4 of [−3, 11]: s = 14/15, z = 0 − round(−3/(14/15) = −3.214) = 3.
    EXPECT_EQ(qw->shown().params.zeroPoint, 3);
}

TEST_F(LearnWalkthroughUi, MacWindowShowsTheTieAndNegates) {
    auto* mw = dynamic_cast<MacWalkthrough*>(ui->learnWindow("mac"));
    ASSERT_NE(mw, nullptr);
    mw->show();
    for (int i = 0; i < 4; ++i) frame();
    ImGuiWindow* w = window(mw->title());
    ASSERT_NE(w, nullptr);
    EXPECT_GE(mw->drawnFrames(), 3);
    const MacWalk& m = mw->shown();
    ASSERT_EQ(m.error, "");
    EXPECT_EQ(m.trace.acc, 4928);
    EXPECT_EQ(m.trace.floatPath.code, 166);
    EXPECT_EQ(m.trace.fixedDouble.code, 167);
    EXPECT_EQ(m.trace.fixedSingle.code, 167);
    expectFits(w);

    clickRect(mw->negateButtonRect());
    EXPECT_EQ(mw->input().w[0], -0.3f);
    EXPECT_EQ(mw->shown().trace.acc, -4928);
    EXPECT_EQ(mw->shown().trace.floatPath.code, 90);
    EXPECT_EQ(mw->shown().trace.fixedDouble.code, 89);
    EXPECT_EQ(mw->shown().trace.fixedSingle.code, 90);

    MacWalkInput big = MacWalkthrough::example();
    big.a.assign(MacWalkthrough::kMaxK, 0.5f);
    big.w.assign(MacWalkthrough::kMaxK, 0.25f);
    mw->setInput(big);
    for (int i = 0; i < 4; ++i) frame();
    EXPECT_EQ(mw->shown().K, MacWalkthrough::kMaxK);
    expectOnScreen(window(mw->title()));
}

}  // namespace
}  // namespace qv
