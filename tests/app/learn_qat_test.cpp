// QAT demo window: opened as `--learn qat` opens it, it starts a training on its worker, keeps drawing
// while it runs, and then shows exactly the numbers the core computes for the same (seeded) config —
// PTQ, QAT and LSQ accuracies and the learned step.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include "app/panels/qat_demo.h"
#include "core/qat/qat_trainer.h"
#include "headless_ui_fixture.h"

namespace qv {
namespace {

class QatDemoUi : public test::HeadlessUiFixture {
protected:
    QatDemo* demo() { return dynamic_cast<QatDemo*>(ui->learnWindow("qat")); }
    static QatConfig smallConfig() {
        QatConfig c;
        c.pointsPerClass = 60;
        c.fp32Epochs = 40;
        c.qatEpochs = 6;
        c.observerEpochs = 3;
        c.regionGrid = 16;
        return c;
    }
};

TEST_F(QatDemoUi, TrainsOnOpenAndShowsTheCoresNumbers) {
    QatDemo* w = demo();
    ASSERT_NE(w, nullptr);
    frame();
    EXPECT_FALSE(w->busy()) << "closed: nothing runs";
    EXPECT_EQ(w->result(), nullptr);
    w->config = smallConfig();
    w->shownBits = 3;
    w->show();  // what main.cpp does for --learn qat
    frame();
    EXPECT_TRUE(w->busy() || w->result()) << "opening the window starts a training";
    // The window keeps drawing while the worker trains (the UI thread never waits for it).
    for (int i = 0; i < 3; ++i) frame();
    w->waitIdle();
    EXPECT_FALSE(w->busy());
    frame();
    frame();
    auto ex = w->result();
    ASSERT_NE(ex, nullptr);
    EXPECT_FALSE(ex->cancelled);
    // Same config, same seed: the core's numbers, bit for bit.
    const QatExperiment ref = runQatExperiment(smallConfig());
    ASSERT_NE(ref.at(3), nullptr);
    EXPECT_EQ(w->shown().bits, 3);
    EXPECT_EQ(w->shown().fp32, ref.fp32Accuracy);
    EXPECT_EQ(w->shown().ptq, ref.at(3)->ptqAccuracy);
    EXPECT_EQ(w->shown().qat, ref.at(3)->qatAccuracy);
    EXPECT_EQ(w->shown().lsq, ref.at(3)->lsqAccuracy);
    // The step table shows the last hidden activation's learned step (LSQ), which training moved away
    // from its initial 2·mean|x|/√Q_P.
    ASSERT_EQ(ref.at(3)->lsqQuant.steps.size(), 3u);
    EXPECT_EQ(w->shown().lsqStep, ref.at(3)->lsqQuant.steps[2].input);
    EXPECT_NE(w->shown().lsqStep, ref.at(3)->lsqInitial[2].input);
    EXPECT_EQ(ex->fp32Loss, ref.fp32Loss);
    // Changing the shown bits changes the numbers shown, not the result (no retraining).
    w->shownBits = 8;
    frame();
    EXPECT_EQ(w->result(), ex);
    EXPECT_EQ(w->shown().bits, 8);
    EXPECT_EQ(w->shown().qat, ref.at(8)->qatAccuracy);
    EXPECT_EQ(w->shown().lsq, ref.at(8)->lsqAccuracy);
    // The window is on the screen.
    ImGuiWindow* win = ImGui::FindWindowByName("QAT demo");
    ASSERT_NE(win, nullptr);
    EXPECT_TRUE(win->WasActive);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    EXPECT_GE(win->Pos.x, 0.0f);
    EXPECT_GE(win->Pos.y, 0.0f);
    EXPECT_LE(win->Pos.x + win->Size.x, display.x);
    EXPECT_LE(win->Pos.y + win->Size.y, display.y);
}

// Cancel stops a long training early and the window says what it has.
TEST_F(QatDemoUi, CancelStopsTheWorker) {
    QatDemo* w = demo();
    ASSERT_NE(w, nullptr);
    w->config = smallConfig();
    w->config.fp32Epochs = 100000;  // far longer than the test may take
    w->show();
    frame();
    ASSERT_TRUE(w->busy());
    w->cancel();
    w->waitIdle();
    frame();
    auto ex = w->result();
    ASSERT_NE(ex, nullptr);
    EXPECT_TRUE(ex->cancelled);
    EXPECT_LT(ex->fp32Loss.size(), 100000u);
    EXPECT_TRUE(ex->bits.empty());
}

}  // namespace
}  // namespace qv
