// LSQ (learned step size quantization, Esser et al. 2020, arXiv 1902.08153): ∂x̂/∂s by hand and against
// finite differences, the initial step and the gradient scale by hand, and the steps' gradients through
// the TinyMlp's backward pass against finite differences of the loss.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/qat/fake_quant.h"
#include "core/qat/lsq.h"
#include "core/qat/qat_trainer.h"
#include "core/qat/tiny_mlp.h"
#include "core/qat/toy_dataset.h"

namespace qv {
namespace {

struct StepPoint {
    float x;
    float xhat;   // s·(q − z)
    uint8_t pass; // the code did not saturate
    float dStep;  // ∂x̂/∂s
};

void expectPoints(const QuantScheme& scheme, float step, int32_t zero, const std::vector<StepPoint>& pts) {
    std::vector<float> x, out(pts.size()), d(pts.size());
    std::vector<uint8_t> pass(pts.size());
    for (const auto& p : pts) x.push_back(p.x);
    fakeQuantStep(x, scheme, step, zero, out, pass, d);
    for (size_t i = 0; i < pts.size(); ++i) {
        EXPECT_FLOAT_EQ(out[i], pts[i].xhat) << "x = " << pts[i].x;
        EXPECT_EQ(pass[i], pts[i].pass) << "x = " << pts[i].x;
        EXPECT_NEAR(d[i], pts[i].dStep, 1e-6) << "x = " << pts[i].x;
    }
}

// Activations, 2 bits, asymmetric, z = 0 (after a ReLU): codes 0..3, s = 0.5, grid {0, 0.5, 1, 1.5}.
// ∂x̂/∂s = round(x/s) − x/s where the code is inside 0..3, the clamp bound (0 or 3) where it saturated.
//   x      x/s   round (half even)  code      x̂     ∂x̂/∂s
//   0.6    1.2   1                  1 inside  0.5   1 − 1.2 = −0.2
//   0.75   1.5   2 (tie → even)     2 inside  1.0   2 − 1.5 = +0.5
//   1.25   2.5   2 (tie → even)     2 inside  1.0   2 − 2.5 = −0.5
//   1.7    3.4   3                  3 inside  1.5   3 − 3.4 = −0.4   (less than half a step beyond 1.5)
//   2.0    4.0   4                  3 clamped 1.5   qmax − z = 3
//   −0.3   −0.6  −1                 0 clamped 0     qmin − z = 0
// (0.6/0.5 and 1.7/0.5 are not exact in float, hence a 1e-6 tolerance on ∂x̂/∂s.)
TEST(Lsq, StepGradientByHandUnsigned) {
    expectPoints(qatActivationScheme(2), 0.5f, 0,
                 {{0.6f, 0.5f, 1, -0.2f},
                  {0.75f, 1.0f, 1, 0.5f},
                  {1.25f, 1.0f, 1, -0.5f},
                  {1.7f, 1.5f, 1, -0.4f},
                  {2.0f, 1.5f, 0, 3.0f},
                  {-0.3f, 0.0f, 0, 0.0f}});
}

// Weights, 3 bits, symmetric restricted: codes −3..3, z = 0, s = 0.5.
//   x      x/s   code       x̂     ∂x̂/∂s
//   −2.0   −4    −3 clamped −1.5  qmin = −3   (clamped low)
//   −0.25  −0.5  0 (tie)    0     0 + 0.5 = +0.5
//   0.9    1.8   2 inside   1.0   2 − 1.8 = +0.2
//   1.9    3.8   3 clamped  1.5   qmax = 3    (round(3.8) = 4 > 3)
TEST(Lsq, StepGradientByHandSigned) {
    expectPoints(qatWeightScheme(3), 0.5f, 0,
                 {{-2.0f, -1.5f, 0, -3.0f}, {-0.25f, 0.0f, 1, 0.5f}, {0.9f, 1.0f, 1, 0.2f}, {1.9f, 1.5f, 0, 3.0f}});
}

// With a zero point the bounds are relative to it: 2 bits asymmetric, z = 1, s = 1 (grid {−1, 0, 1, 2}):
//   −1.7 → round −2, code −1 < 0: clamped, ∂x̂/∂s = qmin − z = −1;  0.49 → code 1 inside, 0 − 0.49 = −0.49;
//   2.6 → 3 + 1 = 4 > 3: clamped, qmax − z = 2.
TEST(Lsq, StepGradientByHandWithZeroPoint) {
    expectPoints(qatActivationScheme(2), 1.0f, 1, {{-1.7f, -1.0f, 0, -1.0f}, {0.49f, 0.0f, 1, -0.49f}, {2.6f, 2.0f, 0, 2.0f}});
}

// Finite differences of the real fake quantization x̂(s) = s·(q − z) (central, h = 1e-3, at points away from
// a rounding boundary so that no code changes between s − h and s + h) give the code term q − z. Clamped:
// that is the whole LSQ gradient. Inside: LSQ adds −x/s, the term the STE contributes by passing
// round(x/s) through as x/s (x̂ ≈ s·(x/s) has ∂/∂s = 0 = (q − z) + (−x/s) + (x/s − (q − z)), i.e. the
// gradient says: move s to shrink the rounding error x̂ − x = s·(q − x/s)).
TEST(Lsq, StepGradientAgainstFiniteDifferences) {
    const QuantScheme scheme = qatActivationScheme(3);  // codes 0..7
    const float s = 0.3f, h = 1e-3f;
    const int32_t z = 2;                                // grid −0.6 .. 1.5
    const std::vector<float> xs = {-1.3f, -0.55f, -0.1f, 0.2f, 0.64f, 1.1f, 1.52f, 3.0f};
    std::vector<float> up(xs.size()), down(xs.size()), at(xs.size()), d(xs.size());
    std::vector<uint8_t> pass(xs.size());
    fakeQuantStep(xs, scheme, s + h, z, up, {}, {});
    fakeQuantStep(xs, scheme, s - h, z, down, {}, {});
    fakeQuantStep(xs, scheme, s, z, at, pass, d);
    int inside = 0, clamped = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
        const double fd = (double(up[i]) - double(down[i])) / (2.0 * h);
        const double ste = pass[i] ? -double(xs[i]) / s : 0.0;
        EXPECT_NEAR(d[i], fd + ste, 1e-3) << "x = " << xs[i];
        (pass[i] ? inside : clamped)++;
    }
    EXPECT_EQ(clamped, 2);  // −1.3 (code −4 + 2 < 0) and 3.0 (10 + 2 > 7)
    EXPECT_EQ(inside, 6);   // 1.52/0.3 = 5.07 → code 7, inside
}

// Initial step s = 2·mean|x|/√Q_P: {1, −2, 3, −4} has mean|x| = 2.5, so s = 5 at Q_P = 1 (2-bit weights)
// and 5/√3 = 2.886751 at Q_P = 3 (3-bit weights, or 2-bit activations after a ReLU).
// Gradient scale g = 1/√(N·Q_P): N = 32, Q_P = 3 → 1/√96 = 0.1020621.
TEST(Lsq, InitialStepAndGradScaleByHand) {
    const std::vector<float> x = {1.0f, -2.0f, 3.0f, -4.0f};
    EXPECT_FLOAT_EQ(lsqInitialStep(x, 1), 5.0f);
    EXPECT_FLOAT_EQ(lsqInitialStep(x, 3), 2.8867513f);
    EXPECT_EQ(lsqInitialStep({}, 3), 0.0f);
    EXPECT_EQ(lsqPositiveLevels(qatWeightScheme(2), 0), 1);
    EXPECT_EQ(lsqPositiveLevels(qatWeightScheme(4), 0), 7);
    EXPECT_EQ(lsqPositiveLevels(qatActivationScheme(2), 0), 3);
    EXPECT_EQ(lsqPositiveLevels(qatActivationScheme(8), 85), 170);
    EXPECT_NEAR(lsqGradScale(32, 3), 0.1020621, 1e-7);
}

// lsqInitialSteps on the 2→2→2 network W1 = [[1, −1], [0.5, 2]], b1 = [0, −1] with points (2, 1), (−1, 0.25):
//   weight rows at 2 bits (Q_P = 1): row {1, −1} → 2·1 = 2; row {0.5, 2} → 2·1.25 = 2.5.
//   network input at 8 bits: min-max [−1, 2] gives s = 3/255, z = 0 − round(−85) = 85, Q_P = 255 − 85 = 170;
//     mean|x| = (2 + 1 + 1 + 0.25)/4 = 1.0625 → s = 2.125/√170 = 0.1629801.
//   hidden input (ReLU of z1 = (1, 2) and (−1.25, −1) → (1, 2), (0, 0)): range [0, 2], z = 0, Q_P = 3;
//     mean = 0.75 → s = 1.5/√3 = 0.8660254.
TEST(Lsq, InitialStepsOfANetworkByHand) {
    TinyMlp n;
    n.layers.push_back({2, 2, {1.0f, -1.0f, 0.5f, 2.0f}, {0.0f, -1.0f}});
    n.layers.push_back({2, 2, {1.0f, 1.0f, -1.0f, 2.0f}, {0.5f, 0.0f}});
    ToyData d;
    d.classes = 2;
    d.x = {2.0f, 1.0f, -1.0f, 0.25f};
    d.y = {0, 1};
    const std::vector<LsqSteps> s = lsqInitialSteps(n, d, calibrateInputRanges(n, d), 2, 8);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].weight, (std::vector<float>{2.0f, 2.5f}));
    EXPECT_EQ(s[0].inputZero, 85);
    EXPECT_NEAR(s[0].input, 0.1629801f, 1e-6);
    EXPECT_EQ(s[1].inputZero, 0);
    EXPECT_NEAR(s[1].input, 0.8660254f, 1e-6);
    EXPECT_NEAR(s[1].weight[1], 2.0f * 1.5f, 1e-6);  // row {−1, 2}
}

std::vector<float> randomInputs(size_t n, uint64_t seed) {
    ToyRng rng(seed);
    std::vector<float> x(2 * n);
    for (float& v : x) v = static_cast<float>(rng.normal());
    return x;
}

// The weight steps through the whole backward pass: dL/ds_r = g·Σ_j dL/dŵ_rj·∂ŵ_rj/∂s_r. dL/dŵ is taken from
// central finite differences of the loss of a float copy of the network whose weights are the fake-quantized
// ones (activations not quantized, so both networks compute the same logits), ∂ŵ/∂s from fakeQuantWeightsStep.
// The steps are chosen so that both branches occur: some weights clamp (|w| > 1.5·s at 2 bits) and pass
// dL/dŵ·(±1) to the step although the STE gives them no weight gradient.
TEST(Lsq, WeightStepGradientsThroughTheNetwork) {
    const TinyMlp n = TinyMlp::make({2, 6, 3}, 5);
    const std::vector<float> x = randomInputs(5, 21);
    const std::vector<int> y = {0, 1, 2, 1, 0};
    MlpQuant q;
    q.enabled = true;
    q.bits = 2;
    q.activations = false;
    for (const auto& l : n.layers) {
        LsqSteps st;
        for (int r = 0; r < l.out; ++r)
            st.weight.push_back(0.6f * lsqInitialStep(std::span<const float>(l.w).subspan(size_t(r * l.in), size_t(l.in)), 1));
        q.steps.push_back(st);
    }
    std::vector<DenseLayer> g;
    std::vector<LsqSteps> sg;
    mlpLossAndGradients(n, x.data(), y.data(), 5, q, g, nullptr, &sg);
    ASSERT_EQ(sg.size(), 2u);
    TinyMlp nq = n;
    std::vector<std::vector<float>> dStep(2);
    int clamped = 0;
    for (size_t l = 0; l < 2; ++l) {
        DenseLayer& L = nq.layers[l];
        std::vector<uint8_t> pass(L.w.size());
        dStep[l].resize(L.w.size());
        fakeQuantWeightsStep(n.layers[l].w, L.out, L.in, 2, q.steps[l].weight, L.w, pass, dStep[l]);
        for (uint8_t p : pass) clamped += p == 0;
    }
    EXPECT_GT(clamped, 3);
    auto loss = [&] { return softmaxCrossEntropy(mlpForward(nq, x.data(), 5, MlpQuant{}), y.data(), 5, 3); };
    const float h = 1e-3f;
    for (size_t l = 0; l < 2; ++l) {
        DenseLayer& L = nq.layers[l];
        const double gs = lsqGradScale(size_t(L.in), 1);
        for (int r = 0; r < L.out; ++r) {
            double want = 0;
            for (int j = 0; j < L.in; ++j) {
                float& w = L.w[size_t(r * L.in + j)];
                const float keep = w;
                w = keep + h;
                const double up = loss();
                w = keep - h;
                const double down = loss();
                w = keep;
                want += (up - down) / (2.0 * h) * dStep[l][size_t(r * L.in + j)];
            }
            want *= gs;
            EXPECT_NEAR(sg[l].weight[size_t(r)], want, 1e-4 + 0.01 * std::fabs(want)) << "layer " << l << " row " << r;
        }
    }
}

// The activation step through the backward pass, where the loss is a smooth function of it: a 2→5→3 network
// whose hidden activation (layer 1's input, 2 bits, z = 0) has a step so small that every positive hidden value
// clamps to 3·s (and every zero stays at code 0, ∂x̂/∂s = 0). Then L(s) = L(logits from 3·s) has no jumps
// near s, and the backward's dL/ds divided by g equals the central finite difference of the loss in s.
TEST(Lsq, ActivationStepGradientAgainstFiniteDifferenceOfTheLoss) {
    const TinyMlp n = TinyMlp::make({2, 5, 3}, 9);
    const std::vector<float> x = randomInputs(6, 33);
    const std::vector<int> y = {0, 1, 2, 2, 1, 0};
    MlpQuant q;
    q.enabled = true;
    q.bits = 2;
    q.inputBits = 8;
    q.steps = lsqInitialSteps(n, ToyData{3, x, y}, {{-3.0, 3.0}, {0.0, 1.0}}, 2, 8);
    q.steps[1].input = 0.004f;  // the hidden activation's grid: {0, 0.004, 0.008, 0.012}
    MlpTrace trace;
    std::vector<DenseLayer> g;
    std::vector<LsqSteps> sg;
    mlpLossAndGradients(n, x.data(), y.data(), 6, q, g, &trace, &sg);
    // Every hidden value is 0 or beyond 3.5·s = 0.014 (clamped), with margin: the premise of the test.
    int positive = 0;
    for (float v : trace.z[0]) {
        if (v > 0.0f) ++positive;
        EXPECT_TRUE(v <= 0.0f || v > 0.02f) << v;
    }
    ASSERT_GT(positive, 5);
    const double gs = lsqGradScale(5, 3);
    const float h = 1e-4f;
    auto lossAt = [&](float s) {
        MlpQuant p = q;
        p.steps[1].input = s;
        return softmaxCrossEntropy(mlpForward(n, x.data(), 6, p), y.data(), 6, 3);
    };
    const double fd = (lossAt(0.004f + h) - lossAt(0.004f - h)) / (2.0 * h);
    EXPECT_NEAR(sg[1].input / gs, fd, 1e-3 + 0.01 * std::fabs(fd));
    EXPECT_GT(std::fabs(fd), 0.005) << "a step that moves the loss";
}

}  // namespace
}  // namespace qv
