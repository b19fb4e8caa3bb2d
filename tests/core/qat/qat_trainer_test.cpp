// QatTrainer: determinism, fp32 accuracy on the spirals, QAT against PTQ and LSQ against QAT at low bits,
// cancellation.
// The thresholds were observed with the default QatConfig (seed 1) and are deterministic: the data,
// the initial weights and the batch order come from our own seeded generator, and the arithmetic is the
// same on every run of the same build (docs/qat.md has the whole table).
#include <gtest/gtest.h>

#include "core/qat/qat_trainer.h"

namespace qv {
namespace {

const QatExperiment& defaultExperiment() {
    static const QatExperiment ex = runQatExperiment(QatConfig{});
    return ex;
}

TEST(ToyData, SplitIsSeededAndTwoToOne) {
    const ToySplit a = makeToySplit(ToyTask::Spirals, 300, 0.04f, 1), b = makeToySplit(ToyTask::Spirals, 300, 0.04f, 1);
    EXPECT_EQ(a.train.x, b.train.x);
    EXPECT_EQ(a.test.y, b.test.y);
    EXPECT_EQ(a.train.size(), 600u);
    EXPECT_EQ(a.test.size(), 300u);
    EXPECT_EQ(a.train.classes, 3);
    const ToySplit c = makeToySplit(ToyTask::Spirals, 300, 0.04f, 2);
    EXPECT_NE(a.train.x, c.train.x);
    // Every class appears in the test set (3 arms × 300 points, shuffled, every third point).
    std::vector<int> count(3, 0);
    for (int y : a.test.y) ++count[size_t(y)];
    for (int k : count) EXPECT_GT(k, 50);
}

// Observed: fp32 test accuracy 0.970 (291/300), train 0.997, after 120 epochs of Adam (cosine schedule).
// A 2→32→32→3 ReLU net separates three noisy spiral arms; 0.95 leaves 6 test points of margin, while an untrained or broken
// network sits near 1/3.
TEST(QatTrainer, Fp32ReachesHighAccuracyOnSpirals) {
    const QatExperiment& ex = defaultExperiment();
    ASSERT_FALSE(ex.cancelled);
    EXPECT_GE(ex.fp32Accuracy, 0.95);
    EXPECT_GE(ex.fp32TrainAccuracy, 0.97);
    EXPECT_EQ(ex.fp32Loss.size(), 120u);
    EXPECT_LT(ex.fp32Loss.back(), 0.25 * ex.fp32Loss.front());
}

// The classic result: at very low bits PTQ of the float network loses much accuracy and QAT recovers
// most of it. Observed (seed 1): 2 bits PTQ 0.380 vs QAT 0.533; 3 bits PTQ 0.680 vs QAT 0.923; at 8 bits
// PTQ 0.970 and QAT 0.973 against fp32 0.970. Margins asserted: 0.10 at 2 bits, 0.20 at 3 bits (300 test
// points, so 30 and 60 points; observed 46 and 73), and 8 bits within 0.01 of fp32.
TEST(QatTrainer, QatBeatsPtqAtLowBits) {
    const QatExperiment& ex = defaultExperiment();
    ASSERT_EQ(ex.bits.size(), 7u);
    const QatBitsResult* b2 = ex.at(2);
    const QatBitsResult* b3 = ex.at(3);
    const QatBitsResult* b8 = ex.at(8);
    ASSERT_TRUE(b2 && b3 && b8);
    EXPECT_GE(b2->qatAccuracy, b2->ptqAccuracy + 0.10);
    EXPECT_GE(b3->qatAccuracy, b3->ptqAccuracy + 0.20);
    EXPECT_LT(b3->ptqAccuracy, ex.fp32Accuracy - 0.1) << "3-bit PTQ should visibly hurt";
    EXPECT_NEAR(b8->ptqAccuracy, ex.fp32Accuracy, 0.01);
    EXPECT_NEAR(b8->qatAccuracy, ex.fp32Accuracy, 0.01);
    EXPECT_EQ(b3->qatLoss.size(), 30u);
    // QAT lowers the training loss under fake quantization (the first epoch's mean vs the last).
    EXPECT_LT(b3->qatLoss.back(), 0.5 * b3->qatLoss.front());
    // The decision regions exist for all three and the 3-bit PTQ one differs from fp32's.
    EXPECT_EQ(ex.fp32Region.cls.size(), 64u * 64u);
    EXPECT_EQ(b3->ptqRegion.cls.size(), 64u * 64u);
    EXPECT_NE(b3->ptqRegion.cls, ex.fp32Region.cls);
}

// LSQ (learned steps) against min-max QAT at 2 bits on the spirals, where QAT is stuck: a min-max activation
// range spends the 4 levels on a few large activations and the STE cannot move it; LSQ trains the steps.
// Observed (seed 1): QAT 0.533, LSQ 0.763 (+23.0 points; seeds 2 and 3: +17.7 and +21.4, docs/qat.md).
// Asserted: +10 points (30 test points). Also: LSQ's training loss falls from its initial steps' loss to
// under half of it (observed 2.49 → 0.37), the steps really were trained (the hidden layer's activation step
// moved: 0.915 → 0.708), and at 8 bits LSQ is within 2 points of fp32 (observed 0.960 vs 0.970).
TEST(QatTrainer, LsqBeatsMinMaxQatAtTwoBits) {
    const QatExperiment& ex = defaultExperiment();
    const QatBitsResult* b2 = ex.at(2);
    const QatBitsResult* b8 = ex.at(8);
    ASSERT_TRUE(b2 && b8);
    EXPECT_GE(b2->lsqAccuracy, b2->qatAccuracy + 0.10);
    ASSERT_EQ(b2->lsqLoss.size(), 30u);
    EXPECT_LT(b2->lsqLoss.back(), 0.5 * b2->lsqStartLoss);
    ASSERT_EQ(b2->lsqQuant.steps.size(), 3u);
    ASSERT_EQ(b2->lsqInitial.size(), 3u);
    EXPECT_LT(b2->lsqQuant.steps[2].input, 0.9f * b2->lsqInitial[2].input);
    EXPECT_EQ(b2->lsqQuant.steps[2].inputZero, 0) << "after a ReLU the zero point stays 0";
    EXPECT_NEAR(b8->lsqAccuracy, ex.fp32Accuracy, 0.02);
    EXPECT_EQ(b2->lsqRegion.cls.size(), 64u * 64u);
}

// Two runs with the same config give identical numbers (a small config, to keep the test fast).
TEST(QatTrainer, Deterministic) {
    QatConfig c;
    c.task = ToyTask::Blobs;
    c.pointsPerClass = 60;
    c.fp32Epochs = 10;
    c.qatEpochs = 3;
    c.bitsMin = 3;
    c.bitsMax = 4;
    c.regionGrid = 8;
    const QatExperiment a = runQatExperiment(c), b = runQatExperiment(c);
    EXPECT_EQ(a.fp32Loss, b.fp32Loss);
    ASSERT_EQ(a.bits.size(), 2u);
    for (size_t i = 0; i < a.bits.size(); ++i) {
        EXPECT_EQ(a.bits[i].qatLoss, b.bits[i].qatLoss);
        EXPECT_EQ(a.bits[i].ptqAccuracy, b.bits[i].ptqAccuracy);
        EXPECT_EQ(a.bits[i].qatNet.layers[1].w, b.bits[i].qatNet.layers[1].w);
        EXPECT_EQ(a.bits[i].lsqLoss, b.bits[i].lsqLoss);
        EXPECT_EQ(a.bits[i].lsqQuant.steps[1].weight, b.bits[i].lsqQuant.steps[1].weight);
    }
}

// Progress: the total is fp32Epochs + 2·bits·qatEpochs (QAT and LSQ) and a full run reaches 1; a run cancelled before it
// starts trains nothing and says so.
TEST(QatTrainer, ProgressAndCancel) {
    QatConfig c;
    c.pointsPerClass = 30;
    c.fp32Epochs = 4;
    c.qatEpochs = 2;
    c.regionGrid = 4;
    Progress p;
    const QatExperiment full = runQatExperiment(c, &p);
    EXPECT_FALSE(full.cancelled);
    EXPECT_EQ(p.fraction(), 1.0);
    Progress stop;
    stop.cancel();
    const QatExperiment none = runQatExperiment(c, &stop);
    EXPECT_TRUE(none.cancelled);
    EXPECT_TRUE(none.fp32Loss.empty());
    EXPECT_TRUE(none.bits.empty());
}

}  // namespace
}  // namespace qv
