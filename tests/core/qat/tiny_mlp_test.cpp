// TinyMlp: the forward pass and loss by hand, gradients against central finite differences, and the STE
// through fake-quantized weights.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/qat/fake_quant.h"
#include "core/qat/tiny_mlp.h"
#include "core/qat/toy_dataset.h"

namespace qv {
namespace {

// 2→2→2 with W1 = [[1, −1], [0.5, 2]], b1 = [0, −1], W2 = [[1, 1], [−1, 2]], b2 = [0.5, 0].
TinyMlp handNet() {
    TinyMlp n;
    n.layers.push_back({2, 2, {1.0f, -1.0f, 0.5f, 2.0f}, {0.0f, -1.0f}});
    n.layers.push_back({2, 2, {1.0f, 1.0f, -1.0f, 2.0f}, {0.5f, 0.0f}});
    return n;
}

// x = (2, 1):     z1 = (2 − 1, 1 + 2 − 1) = (1, 2), ReLU (1, 2), z2 = (1 + 2 + 0.5, −1 + 4) = (3.5, 3).
// x = (−1, 0.25): z1 = (−1.25, −0.5 + 0.5 − 1) = (−1.25, −1), ReLU (0, 0), z2 = b2 = (0.5, 0).
// Loss with labels (0, 1): row 1 log(e^3.5 + e^3) − 3.5 = log(1 + e^−0.5) = 0.474077;
// row 2 log(e^0.5 + 1) − 0 = 0.974077; mean 0.724077.
TEST(TinyMlp, ForwardAndLossByHand) {
    const TinyMlp n = handNet();
    const std::vector<float> x = {2.0f, 1.0f, -1.0f, 0.25f};
    const std::vector<int> y = {0, 1};
    const auto logits = mlpForward(n, x.data(), 2, MlpQuant{});
    EXPECT_EQ(logits, (std::vector<float>{3.5f, 3.0f, 0.5f, 0.0f}));
    EXPECT_NEAR(softmaxCrossEntropy(logits, y.data(), 2, 2), 0.724077, 1e-6);
    EXPECT_EQ(mlpPredict(n, x.data(), 2, MlpQuant{}), (std::vector<int>{0, 0}));
}

// dL/dlogits = (softmax − onehot)/n. Row 1: softmax(3.5, 3) = (0.622459, 0.377541) → (−0.377541, 0.377541)/2.
// Then dL/db2 = sum over rows; row 2 contributes (0.622459 − 0, 0.377541 − 1)/2 as well.
TEST(TinyMlp, BiasGradientByHand) {
    const TinyMlp n = handNet();
    const std::vector<float> x = {2.0f, 1.0f, -1.0f, 0.25f};
    const std::vector<int> y = {0, 1};
    std::vector<DenseLayer> g;
    mlpLossAndGradients(n, x.data(), y.data(), 2, MlpQuant{}, g);
    EXPECT_NEAR(g[1].b[0], (-0.377541 + 0.622459) / 2, 1e-6);
    EXPECT_NEAR(g[1].b[1], (0.377541 - 0.622459) / 2, 1e-6);
    // Row 2's hidden units are both off (ReLU), so only row 1 reaches layer 1: dz1 = W2ᵀ·dz2 for row 1.
    const double d0 = -0.377541 / 2, d1 = 0.377541 / 2;
    EXPECT_NEAR(g[0].b[0], 1 * d0 + -1 * d1, 1e-6);
    EXPECT_NEAR(g[0].b[1], 1 * d0 + 2 * d1, 1e-6);
}

// Every weight and bias of a random 2→5→4→3 network: backprop against the central difference
// (L(p + h) − L(p − h)) / 2h with h = 1e-3. The loss is a double sum of float logits, so the difference
// carries about 1e-7/h = 1e-4 of rounding noise; the tolerance 1e-3 + 1 % is well above that and well
// below any real mistake (a missing ReLU mask or transposed product changes gradients by O(0.1)).
TEST(TinyMlp, GradientsMatchFiniteDifferences) {
    TinyMlp n = TinyMlp::make({2, 5, 4, 3}, 7);
    ToyRng rng(11);
    for (auto& l : n.layers)
        for (float& b : l.b) b = static_cast<float>(0.1 * rng.normal());
    std::vector<float> x(2 * 8);
    std::vector<int> y(8);
    for (float& v : x) v = static_cast<float>(rng.normal());
    for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<int>(i % 3);
    std::vector<DenseLayer> g;
    mlpLossAndGradients(n, x.data(), y.data(), 8, MlpQuant{}, g);
    auto loss = [&] { return softmaxCrossEntropy(mlpForward(n, x.data(), 8, MlpQuant{}), y.data(), 8, 3); };
    const float h = 1e-3f;
    int checked = 0;
    for (size_t l = 0; l < n.layers.size(); ++l) {
        for (int which = 0; which < 2; ++which) {
            std::vector<float>& p = which == 0 ? n.layers[l].w : n.layers[l].b;
            const std::vector<float>& gp = which == 0 ? g[l].w : g[l].b;
            for (size_t i = 0; i < p.size(); ++i) {
                const float keep = p[i];
                p[i] = keep + h;
                const double up = loss();
                p[i] = keep - h;
                const double down = loss();
                p[i] = keep;
                const double fd = (up - down) / (2.0 * double(h));
                EXPECT_NEAR(gp[i], fd, 1e-3 + 0.01 * std::fabs(fd)) << "layer " << l << (which ? " b" : " w") << i;
                ++checked;
            }
        }
    }
    EXPECT_EQ(checked, int(n.parameterCount()));
}

// STE through the weights: with weight fake quantization on (activations off), the forward pass uses Ŵ and
// the gradient for each float weight is dL/dŴ passed straight through (min-max ranges clip nothing). So it
// equals exactly the float gradient of a copy of the network whose weights are Ŵ.
TEST(TinyMlp, SteWeightGradientIsTheGradientAtTheQuantizedWeights) {
    const TinyMlp n = TinyMlp::make({2, 6, 3}, 3);
    TinyMlp nq = n;
    for (auto& l : nq.layers) fakeQuantWeights(l.w, l.out, l.in, 3, l.w, {});
    ASSERT_NE(nq.layers[0].w, n.layers[0].w) << "3 bits must change the weights";
    const std::vector<float> x = {0.3f, -0.2f, 1.1f, 0.4f, -0.7f, -0.9f};
    const std::vector<int> y = {2, 0, 1};
    MlpQuant q;
    q.enabled = true;
    q.bits = 3;
    q.activations = false;
    std::vector<DenseLayer> gq, gref;
    const double lq = mlpLossAndGradients(n, x.data(), y.data(), 3, q, gq);
    const double lref = mlpLossAndGradients(nq, x.data(), y.data(), 3, MlpQuant{}, gref);
    EXPECT_EQ(lq, lref);
    for (size_t l = 0; l < gq.size(); ++l) {
        EXPECT_EQ(gq[l].w, gref[l].w);
        EXPECT_EQ(gq[l].b, gref[l].b);
    }
}

// STE through an activation: layer 1's input range [0, 0.5] at 8 bits (s = 0.5/255) clips hidden values
// above 0.5 + s/2; a hidden unit that is clipped for every sample gets no gradient into layer 0's row, one that
// is never clipped (nor cut by the ReLU) does.
TEST(TinyMlp, SteActivationMaskStopsGradientWhereClipped) {
    TinyMlp n;
    // Hidden unit 0 = x (big: clipped), unit 1 = 0.1·x (small: passes); output = both summed into 2 logits.
    n.layers.push_back({1, 2, {1.0f, 0.1f}, {0.0f, 0.0f}});
    n.layers.push_back({2, 2, {1.0f, 1.0f, -1.0f, 0.5f}, {0.0f, 0.0f}});
    const std::vector<float> x = {2.0f, 3.0f};
    const std::vector<int> y = {1, 0};
    MlpQuant q;
    q.enabled = true;
    q.bits = 8;
    q.inputBits = 8;
    q.inputRanges = {{0.0, 4.0}, {0.0, 0.5}};
    std::vector<DenseLayer> g;
    mlpLossAndGradients(n, x.data(), y.data(), 2, q, g);
    EXPECT_EQ(g[0].w[0], 0.0f);
    EXPECT_EQ(g[0].b[0], 0.0f);
    EXPECT_NE(g[0].w[1], 0.0f);
    EXPECT_NE(g[0].b[1], 0.0f);
}

}  // namespace
}  // namespace qv
