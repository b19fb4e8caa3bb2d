// The SmoothQuant tab in headless frames on the bundled sample: it pairs model.layers.1.mlp.up_proj.weight
// with the captured activations, shows the core's numbers for the same inputs, keeps the previous result on
// screen while a new α computes, explains a tensor that cannot be the weight, takes a .npy absmax vector,
// falls back to synthetic activations (and says so) for a weight without captures, and follows the per-token
// setting. A real model (stories260K, no captured activations) shows results at once.
#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <string>
#include <vector>

#include "app/panels/smoothquant_panel.h"
#include "app/views/gemm_view.h"
#include "app_test_support.h"
#include "core/formats/model_file.h"
#include "core/smooth/smooth_eval.h"
#include "core/smooth/smoothquant.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

const std::string kSample = std::string(QV_SOURCE_DIR) + "/assets/sample.safetensors";
constexpr const char* kWeight = "model.layers.1.mlp.up_proj.weight";    // [256, 128]
constexpr const char* kActivations = "activations.layers.1.mlp_input";  // [64, 128], outliers 7, 66, 113

class SmoothQuantUi : public test::HeadlessUiFixture {
protected:
    SmoothQuantUi() : HeadlessUiFixture(ImVec2(1600, 1000)) {}

    SmoothQuantPanel& panel() { return ui->smoothQuant(); }

    void openSample(const char* tensor) {
        ASSERT_TRUE(state.openFile(kSample)) << state.message().text;
        ASSERT_TRUE(state.selectTensorByName(tensor));
        ui->ui().tab = BottomTab::SmoothQuant;
        ui->ui().tabRequested = 2;
        panel().threads = 1;  // the core below runs with 1 thread too: the same sums, the same numbers
    }
    // Frames until the tab shows a current result (jobs, the panel's included, settle in between).
    bool drawUntilShown() {
        for (int i = 0; i < 50; ++i) {
            frame();
            const auto& s = panel().shown();
            if (s.result && !s.stale) return true;
            state.waitSettled();
        }
        return false;
    }
    // The core on the same inputs, read straight from the file.
    SmoothLayer coreLayer() {
        auto model = openModel(kSample);
        EXPECT_TRUE(model.ok());
        const ModelFile& m = **model;
        auto w = m.view(*m.find(kWeight)).toFloat();
        auto x = m.view(*m.find(kActivations)).toFloat();
        EXPECT_TRUE(w.ok() && x.ok());
        auto L = makeSmoothLayer(std::move(*w), 256, 128, std::move(*x), 64, 1);
        EXPECT_TRUE(L.ok());
        return std::move(*L);
    }
    static SmoothSettings at(double alpha) {
        SmoothSettings s;
        s.alpha = alpha;
        s.bits = 8;
        s.threads = 1;
        return s;
    }
};

TEST_F(SmoothQuantUi, ShowsTheCoresNumbersForUpProjOfLayerOne) {
    openSample(kWeight);
    ASSERT_TRUE(drawUntilShown()) << panel().shown().message;
    const SmoothQuantPanel::Shown& s = panel().shown();
    EXPECT_EQ(s.weight, kWeight);
    EXPECT_EQ(s.activations, kActivations) << "picked by name without asking";
    EXPECT_TRUE(s.message.empty()) << s.message;
    ASSERT_TRUE(s.hasOutput);
    EXPECT_EQ(s.alpha, 0.5);
    EXPECT_EQ(s.bits, 8);

    const SmoothLayer L = coreLayer();
    auto e = evaluateSmoothing(L, at(0.5));
    auto sw = sweepSmoothing(L, at(0.5));
    ASSERT_TRUE(e.ok() && sw.ok());
    EXPECT_EQ(s.activationSqnrBefore, e->before.activation.sqnrDb);
    EXPECT_EQ(s.activationSqnrAfter, e->after.activation.sqnrDb);
    EXPECT_EQ(s.weightSqnrBefore, e->before.weight.sqnrDb);
    EXPECT_EQ(s.weightSqnrAfter, e->after.weight.sqnrDb);
    EXPECT_EQ(s.outputSqnrBefore, e->before.output.sqnrDb);
    EXPECT_EQ(s.outputSqnrAfter, e->after.output.sqnrDb);
    EXPECT_EQ(s.bestAlpha, sw->bestAlpha());
    EXPECT_EQ(s.bestSqnr, sw->outputSqnrDb[size_t(sw->best)]);
    // The sample's outliers (×60, ×25, ×40): smoothing helps the int8 layer (observed 26.49 → 39.97 dB).
    EXPECT_GT(s.outputSqnrAfter, s.outputSqnrBefore + 10.0);
}

// Moving α: the job for the new α waits behind a job we hold, and meanwhile the tab keeps the α = 0.5
// result on screen, marked stale; once released, the α = 0.6 numbers arrive.
TEST_F(SmoothQuantUi, KeepsThePreviousResultWhileANewAlphaComputes) {
    openSample(kWeight);
    ASSERT_TRUE(drawUntilShown());
    const double before = panel().shown().outputSqnrAfter;
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    state.jobs().submit("test: hold the queue", [gate](Progress&) { gate.wait(); });
    panel().alpha = 0.6f;
    frame();
    frame();
    EXPECT_TRUE(panel().busy());
    EXPECT_TRUE(panel().shown().result);
    EXPECT_TRUE(panel().shown().stale);
    EXPECT_EQ(panel().shown().alpha, 0.5);
    EXPECT_EQ(panel().shown().outputSqnrAfter, before);
    release.set_value();
    ASSERT_TRUE(drawUntilShown());
    EXPECT_FALSE(panel().busy());
    EXPECT_NEAR(panel().shown().alpha, 0.6, 1e-6);
    auto e = evaluateSmoothing(coreLayer(), at(double(0.6f)));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(panel().shown().outputSqnrAfter, e->after.output.sqnrDb);
}

// Another weight selected while the panel's job is still queued: that job is cancelled (the queue then
// skips it without running it) and abandoned, and the new weight's job runs.
TEST_F(SmoothQuantUi, AnotherWeightWhileQueuedComputesTheNewOne) {
    openSample(kWeight);
    ASSERT_TRUE(drawUntilShown());
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    state.jobs().submit("test: hold the queue", [gate](Progress&) { gate.wait(); });
    panel().alpha = 0.7f;
    frame();
    ASSERT_TRUE(panel().busy());
    ASSERT_TRUE(state.selectTensorByName("model.layers.0.mlp.up_proj.weight"));  // [256, 128] too
    frame();
    EXPECT_TRUE(panel().busy()) << "the new weight's job is queued";
    release.set_value();
    ASSERT_TRUE(drawUntilShown());
    EXPECT_EQ(panel().shown().weight, "model.layers.0.mlp.up_proj.weight");
    EXPECT_NEAR(panel().shown().alpha, 0.7, 1e-6);
    EXPECT_EQ(panel().shown().activations, kActivations) << "the only activations of the sample, C_in = 128";
}

TEST_F(SmoothQuantUi, ExplainsATensorThatCannotBeTheWeight) {
    openSample("model.layers.1.input_layernorm.weight");  // [128]
    for (int i = 0; i < 3; ++i) frame();
    const std::string& m = panel().shown().message;
    EXPECT_NE(m.find("is 1-D [128]"), std::string::npos) << m;
    EXPECT_NE(m.find("Linear weight W [C_out, C_in]"), std::string::npos) << m;
    EXPECT_FALSE(panel().shown().result);
    EXPECT_FALSE(panel().busy()) << "nothing to compute";

}

// A 2-D weight whose C_in (256) no activation tensor is named for: synthetic activations by default, the
// numbers shown are the core's on the GEMM tab's generator with the panel's defaults (128 tokens, Gaussian,
// 4 outlier channels ×30, seed 1), and the tab says they are synthetic.
TEST_F(SmoothQuantUi, DefaultsToSyntheticActivationsForAWeightWithoutCaptures) {
    openSample("model.layers.1.mlp.down_proj.weight");  // [128, 256]
    ASSERT_TRUE(drawUntilShown()) << panel().shown().message;
    const SmoothQuantPanel::Shown& s = panel().shown();
    EXPECT_TRUE(s.synthetic);
    EXPECT_TRUE(s.hasOutput);
    EXPECT_NE(s.syntheticBanner.find("LLM-like outlier channels, not captured"), std::string::npos) << s.syntheticBanner;
    EXPECT_NE(s.syntheticBanner.find("Gaussian [128, 256], 4 outlier ch. x30, seed 1"), std::string::npos)
        << s.syntheticBanner;

    auto model = openModel(kSample);
    ASSERT_TRUE(model.ok());
    auto w = (*model)->view(*(*model)->find("model.layers.1.mlp.down_proj.weight")).toFloat();
    ASSERT_TRUE(w.ok());
    std::vector<float> x = syntheticActivations(128, 256, ActivationShape::Gaussian, 4, 30.0f, 1);
    auto L = makeSmoothLayer(std::move(*w), 128, 256, std::move(x), 128, 1);
    ASSERT_TRUE(L.ok());
    auto e = evaluateSmoothing(*L, at(0.5));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(s.outputSqnrBefore, e->before.output.sqnrDb);
    EXPECT_EQ(s.outputSqnrAfter, e->after.output.sqnrDb);
    EXPECT_EQ(s.activationSqnrAfter, e->after.activation.sqnrDb);
    EXPECT_GT(s.outputSqnrAfter, s.outputSqnrBefore) << "four ×30 outlier channels: smoothing helps";

    // Per token: the table follows, with the core's per-token numbers.
    panel().scaling.activations = ActivationScaling::PerToken;
    ASSERT_TRUE(drawUntilShown());
    EXPECT_EQ(panel().shown().scaling.activations, ActivationScaling::PerToken);
    SmoothSettings tok = at(0.5);
    tok.scaling.activations = ActivationScaling::PerToken;
    auto et = evaluateSmoothing(*L, tok);
    ASSERT_TRUE(et.ok());
    EXPECT_EQ(panel().shown().activationSqnrBefore, et->before.activation.sqnrDb);
    EXPECT_EQ(panel().shown().outputSqnrAfter, et->after.output.sqnrDb);
    auto sw = sweepSmoothing(*L, tok);
    ASSERT_TRUE(sw.ok());
    EXPECT_EQ(panel().shown().bestAlpha, sw->bestAlpha()) << "the sweep follows the granularity";
    EXPECT_TRUE(panel().shown().synthetic);

    // Chosen explicitly on a weight that has captures, synthetic stays chosen for the next weight.
    ASSERT_TRUE(state.selectTensorByName(kWeight));
    ASSERT_TRUE(drawUntilShown());
    EXPECT_EQ(panel().shown().activations, kActivations) << "captures named like activations win by default";
    EXPECT_FALSE(panel().shown().synthetic);
    EXPECT_TRUE(panel().shown().syntheticBanner.empty());
    panel().useSyntheticActivations();
    ASSERT_TRUE(drawUntilShown());
    EXPECT_TRUE(panel().shown().synthetic);
    ASSERT_TRUE(state.selectTensorByName("model.layers.0.mlp.up_proj.weight"));
    ASSERT_TRUE(drawUntilShown());
    EXPECT_TRUE(panel().shown().synthetic);
}

// A [C_in] absmax vector from a .npy: the weight figures are the same as with the full matrix, and the tab
// says why the activation SQNR and the output error are missing.
TEST_F(SmoothQuantUi, NpyAbsMaxVectorGivesRangeFigures) {
    openSample(kWeight);
    const SmoothLayer L = coreLayer();
    const std::string path = test::tempPath("smooth_absmax.npy");
    test::writeNpyF32(path, {128}, L.actAbsMax);
    frame();
    panel().setNpyPath(path);
    ASSERT_TRUE(drawUntilShown()) << panel().shown().message;
    const SmoothQuantPanel::Shown& s = panel().shown();
    EXPECT_EQ(s.activations, path);
    EXPECT_FALSE(s.hasOutput);
    EXPECT_NE(s.note.find("need the activations themselves"), std::string::npos) << s.note;
    auto e = evaluateSmoothing(L, at(0.5));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(s.weightSqnrAfter, e->after.weight.sqnrDb);
    EXPECT_EQ(s.bestAlpha, -1.0) << "no best alpha without the output error";

    // A .npy whose last dimension is not C_in: the error names the shape and what fits.
    const std::string bad = test::tempPath("smooth_bad.npy");
    test::writeNpyF32(bad, {2, 3}, std::vector<float>(6, 1.0f));
    panel().setNpyPath(bad);
    for (int i = 0; i < 5 && panel().shown().message.empty(); ++i) {
        frame();
        state.waitSettled();
    }
    frame();
    EXPECT_NE(panel().shown().message.find("[2, 3]"), std::string::npos) << panel().shown().message;
    EXPECT_NE(panel().shown().message.find("C_in = 128"), std::string::npos);
}

// A real model without captured activations (stories260K: every tensor of C_in = 64 is a weight or a norm
// gain): the tab opens a feed-forward weight on synthetic X and shows the output SQNR at once.
TEST_F(SmoothQuantUi, RealModelWithoutCapturesShowsSyntheticResults) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.safetensors");
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    ASSERT_TRUE(state.selectTensorByName("layers.0.feed_forward.w1.weight"));  // [172, 64]
    ui->ui().tab = BottomTab::SmoothQuant;
    ui->ui().tabRequested = 2;
    panel().threads = 1;
    ASSERT_TRUE(drawUntilShown()) << panel().shown().message;
    const SmoothQuantPanel::Shown& s = panel().shown();
    EXPECT_TRUE(s.message.empty()) << s.message;
    EXPECT_TRUE(s.synthetic);
    EXPECT_TRUE(s.hasOutput);
    EXPECT_NE(s.syntheticBanner.find("not captured"), std::string::npos);
    EXPECT_NE(s.syntheticBanner.find("[128, 64]"), std::string::npos) << s.syntheticBanner;
    EXPECT_TRUE(std::isfinite(s.outputSqnrBefore) && std::isfinite(s.outputSqnrAfter));
    EXPECT_GE(s.bestAlpha, 0.0);
}

// The synthetic path on a real weight, and per token against per tensor. The generator scales 4 whole
// columns by 30, so every row's max is set by its own 4 outlier values (30·max of 4 |N(0, 1)|), which differ
// from row to row; the per-tensor step is the largest of them all. Per token, row i's step s_i ≤ s; with the
// rounding error uniform over a step (power s²/12 per value) the activation SQNR gains 10·log10(s²/mean s_i²)
// dB, computed from the data below. The measured gain must exceed 3 dB and match that within 1.5 dB; a
// per-token path that used one scale would gain 0 and fail.
TEST(SmoothQuantSynthetic, PerTokenBeatsPerTensorOnARealWeight) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.safetensors");
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    auto w = (*model)->view(*(*model)->find("layers.0.feed_forward.w1.weight")).toFloat();
    ASSERT_TRUE(w.ok());
    const int64_t cOut = 172, cIn = 64, tokens = 128;
    std::vector<float> x = syntheticActivations(tokens, cIn, ActivationShape::Gaussian, 4, 30.0f, 1);
    const QuantParams tokP = activationParams(x, tokens, cIn, 8, ActivationScaling::PerToken);
    const double s = activationParams(x, tokens, cIn, 8, ActivationScaling::PerTensor).slices[0].scale;
    double meanSq = 0;
    for (const SliceParams& sl : tokP.slices) meanSq += double(sl.scale) * sl.scale / double(tokP.slices.size());
    const double predicted = 10 * std::log10(s * s / meanSq);

    auto L = makeSmoothLayer(std::move(*w), cOut, cIn, std::move(x), tokens, 1);
    ASSERT_TRUE(L.ok()) << L.message();
    SmoothSettings ten;
    ten.threads = 1;
    SmoothSettings tok = ten;
    tok.scaling.activations = ActivationScaling::PerToken;
    auto a = evaluateSmoothing(*L, ten);
    auto b = evaluateSmoothing(*L, tok);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(a->hasOutput && b->hasOutput);
    const double gain = b->before.activation.sqnrDb - a->before.activation.sqnrDb;
    EXPECT_GT(gain, 3.0) << "per tensor " << a->before.activation.sqnrDb << " dB, per token "
                         << b->before.activation.sqnrDb << " dB";
    EXPECT_NEAR(gain, predicted, 1.5);
    EXPECT_GT(b->before.output.sqnrDb, a->before.output.sqnrDb) << "the output follows the activations";
}

}  // namespace
}  // namespace qv
