// QatDemo: the Learn window that trains a tiny network on a 2-D toy task in the background and compares,
// for 2..8 bits, post-training quantization (PTQ) with quantization-aware training (QAT, min-max
// observers) and QAT with learned step sizes (LSQ).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "app/panels/learn_window.h"
#include "core/base/progress.h"
#include "core/qat/qat_trainer.h"

namespace qv {

class QatDemo : public LearnWindow {
public:
    QatDemo() = default;
    ~QatDemo() override;
    QatDemo(const QatDemo&) = delete;
    QatDemo& operator=(const QatDemo&) = delete;

    const char* id() const override { return "qat"; }
    const char* title() const override { return "QAT demo"; }
    const char* summary() const override { return "Train a tiny network with fake quantization and compare it with post-training quantization"; }
    // The first time the window is drawn open it starts a training with the current settings (so
    // `--learn qat` shows results without a click); afterwards the Train button does.
    void draw(AppState& state) override;
    bool busy() const override { return m_busy.load(); }

    // Starts a training with `config` on a worker thread (what the Train button does); ignored while busy.
    void train();
    void cancel();
    void waitIdle();
    std::shared_ptr<const QatExperiment> result() const;

    // Settings (public for the headless tests and the screenshot mode). shownBits only selects what the
    // plots and pictures show; every run sweeps config.bitsMin..bitsMax.
    QatConfig config;
    int shownBits = 3;

    // What the last drawn frame showed, for the headless test.
    struct Shown {
        int frames = 0;
        int bits = 0;
        double fp32 = -1, ptq = -1, qat = -1, lsq = -1;  // test accuracies in the header line; −1 = none shown
        float lsqStep = -1;  // the learned step shown for the last hidden activation; −1 = none shown
    };
    const Shown& shown() const { return m_shown; }

private:
    void drawControls();
    void drawResults(const QatExperiment& ex);
    void drawAccuracyPlot(const QatExperiment& ex, float width, float height);
    void drawLossPlot(const QatExperiment& ex, float width, float height);
    void drawRegion(const char* caption, const DecisionRegion& r, const ToySplit& data, double accuracy, float size);
    void drawStepTable(const QatExperiment& ex, const QatBitsResult& r);

    std::thread m_worker;
    std::atomic<bool> m_busy{false};
    std::shared_ptr<Progress> m_progress;
    mutable std::mutex m_mutex;
    std::shared_ptr<const QatExperiment> m_result;
    bool m_autoStarted = false;
    bool m_placedResult = false;  // placed once more when the first result arrives (the content grows)
    float m_fitHeight = 0;     // content height measured in the previous frame
    Shown m_shown;
};

}  // namespace qv
