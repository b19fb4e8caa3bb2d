// Fake quantization through qv::Quantizer and the STE mask, with values worked out by hand.
#include <gtest/gtest.h>

#include <vector>

#include "core/qat/fake_quant.h"

namespace qv {
namespace {

// Weights, 3 bits, symmetric restricted: qmax = 2^2 − 1 = 3, one scale per row, s = amax/3.
// Row 0 = {3, −1.5, 0.5, 2.5, −0.4}: amax 3 → s = 1 exactly; x/s rounds half to even:
//   3 → 3, −1.5 → −2, 0.5 → 0, 2.5 → 2, −0.4 → 0; x̂ = s·q = {3, −2, 0, 2, 0}.
// Row 1 = {0.7, 0.1, −0.3, 0, 0}: amax 0.7 → s = 0.7/3 = 0.2333…; x/s = 3, 0.43, −1.29, 0, 0
//   → q = {3, 0, −1, 0, 0}, x̂ = {0.7, 0, −0.2333, 0, 0}. Min-max ranges clip nothing: mask all ones.
TEST(FakeQuant, WeightsPerChannelByHand) {
    const std::vector<float> w = {3.0f, -1.5f, 0.5f, 2.5f, -0.4f, 0.7f, 0.1f, -0.3f, 0.0f, 0.0f};
    std::vector<float> out(w.size());
    std::vector<uint8_t> pass(w.size());
    fakeQuantWeights(w, 2, 5, 3, out, pass);
    const std::vector<float> want0 = {3.0f, -2.0f, 0.0f, 2.0f, 0.0f};
    for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], want0[i]) << i;
    EXPECT_FLOAT_EQ(out[5], 0.7f);
    EXPECT_EQ(out[6], 0.0f);
    EXPECT_FLOAT_EQ(out[7], -0.7f / 3.0f);
    for (uint8_t p : pass) EXPECT_EQ(p, 1);
}

// 2 bits, symmetric restricted: qmax = 1, so every row is ternary {−amax, 0, amax} with the boundary at
// amax/2: row {1, 0.6, 0.5, −0.4, −0.8} (amax 1, s = 1) → {1, 1, 0 (tie → even 0), 0, −1}.
TEST(FakeQuant, TwoBitWeightsAreTernary) {
    const std::vector<float> w = {1.0f, 0.6f, 0.5f, -0.4f, -0.8f};
    std::vector<float> out(w.size());
    fakeQuantWeights(w, 1, 5, 2, out, {});
    EXPECT_EQ(out, (std::vector<float>{1.0f, 1.0f, 0.0f, 0.0f, -1.0f}));
}

// Activations, 2 bits, asymmetric on [0, 3]: codes 0..3, s = 3/3 = 1, z = 0 − round(0/1) = 0.
//   x     −0.6   −0.4  0.4  0.5  1.5  2.6  3.4  4.0
//   x/s+z −1     −0     0    0    2    3    3    4      (round half to even)
//   q      0 clip  0    0    0    2    3    3    3 clip
//   x̂      0      0    0    0    2    3    3    3
// Clipped means the code saturated: −0.6 and 4.0 round outside 0..3; 3.4 rounds to 3, inside (it is
// less than half a step beyond the range), as in PyTorch's FakeQuantize mask.
TEST(FakeQuant, ActivationsAndMaskByHand) {
    const std::vector<float> a = {-0.6f, -0.4f, 0.4f, 0.5f, 1.5f, 2.6f, 3.4f, 4.0f};
    std::vector<float> out(a.size());
    std::vector<uint8_t> pass(a.size());
    fakeQuantActivations(a, {0.0, 3.0}, 2, out, pass);
    EXPECT_EQ(out, (std::vector<float>{0, 0, 0, 0, 2, 3, 3, 3}));
    EXPECT_EQ(pass, (std::vector<uint8_t>{0, 1, 1, 1, 1, 1, 1, 0}));
}

// Asymmetric on [−1, 2] at 2 bits: s = 3/3 = 1, z = 0 − round(−1/1) = 1, representable {−1, 0, 1, 2}.
// −1.7 → round(−1.7) + 1 = −1 < 0: clipped to −1; 0.49 → 0; 2.2 → 2 + 1 = 3, inside; 2.6 → 4: clipped.
TEST(FakeQuant, AsymmetricZeroPointByHand) {
    const std::vector<float> a = {-1.7f, 0.49f, 2.2f, 2.6f};
    std::vector<float> out(a.size());
    std::vector<uint8_t> pass(a.size());
    fakeQuantActivations(a, {-1.0, 2.0}, 2, out, pass);
    EXPECT_EQ(out, (std::vector<float>{-1, 0, 2, 2}));
    EXPECT_EQ(pass, (std::vector<uint8_t>{0, 1, 1, 0}));
}

// STE: inside the range the gradient passes unchanged, where clipped it is 0 (in place too).
TEST(FakeQuant, SteMaskByHand) {
    std::vector<float> g = {1, 2, 3, 4, 5, 6, 7, 8};
    const std::vector<uint8_t> pass = {0, 1, 1, 1, 1, 1, 1, 0};
    std::vector<float> out(g.size());
    steBackward(g, pass, out);
    EXPECT_EQ(out, (std::vector<float>{0, 2, 3, 4, 5, 6, 7, 0}));
    steBackward(g, pass, g);
    EXPECT_EQ(g, out);
}

// EMA observer: first batch taken as is, then r ← r + c·(batch − r) with c = 0.5:
// [0, 4] then [0, 2] → [0, 3]; then [−2, 3] → [−1, 3].
TEST(FakeQuant, RangeObserverEma) {
    RangeObserver o;
    o.averaging = 0.5;
    o.observe({0, 4});
    EXPECT_EQ(o.range, (ClipRange{0, 4}));
    o.observe({0, 2});
    EXPECT_EQ(o.range, (ClipRange{0, 3}));
    o.observe({-2, 3});
    EXPECT_EQ(o.range, (ClipRange{-1, 3}));
}

}  // namespace
}  // namespace qv
