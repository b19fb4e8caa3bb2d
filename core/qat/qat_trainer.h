// QatTrainer: trains the TinyMlp in fp32 (Adam), then, for each bit width, post-training quantization
// (PTQ) of that network against quantization-aware training (QAT: fine-tuning with fake quantization
// and the STE, min-max observers) and QAT with learned step sizes (LSQ). Seeded and deterministic;
// reports progress and stops when cancelled.
#pragma once

#include <cstdint>
#include <vector>

#include "core/base/progress.h"
#include "core/qat/fake_quant.h"
#include "core/qat/tiny_mlp.h"
#include "core/qat/toy_dataset.h"

namespace qv {

struct QatConfig {
    ToyTask task = ToyTask::Spirals;
    int pointsPerClass = 300;  // 2/3 train, 1/3 test
    float noise = 0.04f;
    int hidden = 32;           // two hidden layers of this width: 2→H→H→classes
    int fp32Epochs = 120;
    int qatEpochs = 30;        // fine-tuning epochs per bit width, starting from the fp32 network
    float learningRate = 0.01f;     // Adam, fp32 training
    float qatLearningRate = 0.002f; // Adam, QAT fine-tuning (fresh moments)
    int batch = 32;
    int bitsMin = 2, bitsMax = 8;
    bool quantizeActivations = true;
    double observerAveraging = 0.01;  // EMA constant of the activation ranges during QAT
    // The activation ranges follow the EMA for the first observerEpochs QAT epochs, then are frozen for
    // the rest, so the last epochs fine-tune the weights against a fixed grid (the schedule of the PyTorch
    // QAT tutorial, which disables the observers after a few epochs).
    int observerEpochs = 10;
    uint64_t seed = 1;
    int regionGrid = 64;       // decision-region picture: regionGrid² cells
};

// Class predicted at each cell centre of a grid × grid raster over the data's bounds (row 0 = top, y max).
struct DecisionRegion {
    int grid = 0;
    float xMin = 0, xMax = 0, yMin = 0, yMax = 0;
    std::vector<uint8_t> cls;  // grid × grid, row-major
};

struct QatBitsResult {
    int bits = 0;
    double ptqAccuracy = 0, qatAccuracy = 0, lsqAccuracy = 0;  // test set
    double ptqTrainLoss = 0;                      // mean loss of the PTQ network on the training set
    double lsqStartLoss = 0;                      // mean training loss with the initial LSQ steps
    std::vector<double> qatLoss, lsqLoss;         // mean training loss per epoch (under fake quantization)
    MlpQuant ptqQuant, qatQuant;                  // the ranges each used (calibrated / EMA-observed)
    MlpQuant lsqQuant;                            // LSQ: the learned steps (lsqQuant.steps)
    std::vector<LsqSteps> lsqInitial;             // LSQ: the steps it started from
    TinyMlp qatNet, lsqNet;                       // the fine-tuned float (shadow) weights
    DecisionRegion ptqRegion, qatRegion, lsqRegion;
};

struct QatExperiment {
    QatConfig config;
    ToySplit data;
    TinyMlp fp32Net;
    double fp32Accuracy = 0, fp32TrainAccuracy = 0;
    std::vector<double> fp32Loss;  // mean training loss per epoch
    DecisionRegion fp32Region;
    std::vector<QatBitsResult> bits;  // bitsMin..bitsMax (fewer when cancelled)
    bool cancelled = false;
    const QatBitsResult* at(int b) const;
};

// One Adam training run (Kingma & Ba 2015, β1 = 0.9, β2 = 0.999, ε = 1e-8) over `epochs` epochs of
// shuffled mini-batches (order from `rng`), the step size decaying from learningRate to 0 on a cosine
// (per epoch). With quant.enabled the forward pass is fake-quantized and,
// when `observers` is given, each batch's activation ranges update them (EMA) before they are used, during
// the first observeEpochs epochs (then the ranges stay frozen). With learned steps (quant.steps, LSQ) the
// steps are trained with the weights: the same Adam and schedule on their scaled gradients, each step
// kept ≥ kMinLsqStep.
// Returns the mean training loss per epoch; stops early (shorter vector) when progress is cancelled,
// and adds 1 to progress per epoch.
std::vector<double> trainMlp(TinyMlp& net, const ToyData& data, int epochs, float learningRate, int batch,
                             MlpQuant& quant, std::vector<RangeObserver>* observers, ToyRng& rng,
                             Progress* progress, int observeEpochs = 1 << 30);

// Post-training calibration: min-max of every layer's input over `data`, through the float network.
std::vector<ClipRange> calibrateInputRanges(const TinyMlp& net, const ToyData& data);

// Floor of a learned step: Adam may overshoot below 0, where a step means nothing.
inline constexpr float kMinLsqStep = 1e-6f;

// LSQ's initial steps (lsqInitialStep, s = 2·mean|x|/√Q_P) at `bits`: each weight row from its values,
// each layer's input from its values over `data` through the float network, with the zero point that
// paramsFromRange gives the input's min-max range `ranges[l]` (0 after a ReLU); the network input is
// quantized at `inputBits`. A step the formula makes 0 (an all-zero row) falls back to 1.
std::vector<LsqSteps> lsqInitialSteps(const TinyMlp& net, const ToyData& data, const std::vector<ClipRange>& ranges,
                                      int bits, int inputBits);

// Share of `data` classified correctly.
double mlpAccuracy(const TinyMlp& net, const ToyData& data, const MlpQuant& quant);

DecisionRegion decisionRegion(const TinyMlp& net, const MlpQuant& quant, const ToySplit& split, int grid);

// The whole experiment: the split, fp32 training, then for each b in bitsMin..bitsMax PTQ (weights per
// channel, activations calibrated with min-max on the training set), QAT (from the fp32 weights and
// the PTQ ranges, qatEpochs of fine-tuning with EMA-observed ranges) and LSQ (from the fp32 weights and
// lsqInitialSteps, qatEpochs of fine-tuning of weights and steps). Progress total = fp32Epochs +
// 2·(number of bit widths)·qatEpochs.
QatExperiment runQatExperiment(const QatConfig& config, Progress* progress = nullptr);

}  // namespace qv
