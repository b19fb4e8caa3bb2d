// QatTrainer: Adam, calibration, LSQ's initial steps, accuracy, decision regions, and the fp32 / PTQ / QAT /
// LSQ sweep over bits.
#include "core/qat/qat_trainer.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace qv {

const QatBitsResult* QatExperiment::at(int b) const {
    for (const auto& r : bits)
        if (r.bits == b) return &r;
    return nullptr;
}

namespace {

// Adam's first and second moments for every parameter, laid out as the network's layers.
struct AdamState {
    std::vector<DenseLayer> m, v;
    std::vector<float> stepM, stepV;  // LSQ steps, packed (packSteps)
    int step = 0;
    explicit AdamState(const TinyMlp& net) {
        for (const auto& l : net.layers) {
            DenseLayer z{l.in, l.out, std::vector<float>(l.w.size(), 0.0f), std::vector<float>(l.b.size(), 0.0f)};
            m.push_back(z);
            v.push_back(z);
        }
    }
};

void adamUpdate(std::vector<float>& p, const std::vector<float>& g, std::vector<float>& m, std::vector<float>& v,
                float lr, double corr1, double corr2) {
    constexpr float kB1 = 0.9f, kB2 = 0.999f, kEps = 1e-8f;
    for (size_t i = 0; i < p.size(); ++i) {
        m[i] = kB1 * m[i] + (1 - kB1) * g[i];
        v[i] = kB2 * v[i] + (1 - kB2) * g[i] * g[i];
        const double mh = m[i] / corr1, vh = v[i] / corr2;
        p[i] -= static_cast<float>(lr * mh / (std::sqrt(vh) + kEps));
    }
}

// LSQ steps as one flat vector (each layer's weight steps, then its input step), for Adam.
std::vector<float> packSteps(const std::vector<LsqSteps>& steps) {
    std::vector<float> p;
    for (const auto& s : steps) {
        p.insert(p.end(), s.weight.begin(), s.weight.end());
        p.push_back(s.input);
    }
    return p;
}

void unpackSteps(const std::vector<float>& p, std::vector<LsqSteps>& steps) {
    size_t k = 0;
    for (auto& s : steps) {
        for (float& w : s.weight) w = std::max(p[k++], kMinLsqStep);
        s.input = std::max(p[k++], kMinLsqStep);
    }
}

void adamStep(TinyMlp& net, const std::vector<DenseLayer>& grads, AdamState& s, float lr, MlpQuant* lsq = nullptr,
              const std::vector<LsqSteps>* stepGrads = nullptr) {
    ++s.step;
    const double corr1 = 1 - std::pow(0.9, s.step), corr2 = 1 - std::pow(0.999, s.step);
    for (size_t l = 0; l < net.layers.size(); ++l) {
        adamUpdate(net.layers[l].w, grads[l].w, s.m[l].w, s.v[l].w, lr, corr1, corr2);
        adamUpdate(net.layers[l].b, grads[l].b, s.m[l].b, s.v[l].b, lr, corr1, corr2);
    }
    if (lsq && stepGrads) {
        std::vector<float> p = packSteps(lsq->steps);
        const std::vector<float> g = packSteps(*stepGrads);
        s.stepM.resize(p.size(), 0.0f);
        s.stepV.resize(p.size(), 0.0f);
        adamUpdate(p, g, s.stepM, s.stepV, lr, corr1, corr2);
        unpackSteps(p, lsq->steps);
    }
}

}  // namespace

std::vector<double> trainMlp(TinyMlp& net, const ToyData& data, int epochs, float learningRate, int batch,
                             MlpQuant& quant, std::vector<RangeObserver>* observers, ToyRng& rng,
                             Progress* progress, int observeEpochs) {
    std::vector<double> losses;
    AdamState adam(net);
    std::vector<size_t> order(data.size());
    std::iota(order.begin(), order.end(), size_t{0});
    const size_t B = static_cast<size_t>(std::max(1, batch));
    std::vector<float> bx;
    std::vector<int> by;
    std::vector<DenseLayer> grads;
    std::vector<LsqSteps> stepGrads;
    const bool lsq = quant.enabled && quant.learnedSteps();
    MlpTrace trace;
    for (int e = 0; e < epochs; ++e) {
        if (progress && progress->cancelled()) break;
        // Cosine schedule (Loshchilov & Hutter 2017, SGDR without restarts), per epoch: lr·½(1 + cos(π·e/epochs)).
        const float lr = static_cast<float>(learningRate * 0.5 * (1.0 + std::cos(std::numbers::pi * e / epochs)));
        rng.shuffle(order);
        double sum = 0;
        for (size_t start = 0; start < order.size(); start += B) {
            const size_t n = std::min(B, order.size() - start);
            bx.resize(2 * n);
            by.resize(n);
            for (size_t i = 0; i < n; ++i) {
                const size_t k = order[start + i];
                bx[2 * i] = data.x[2 * k];
                bx[2 * i + 1] = data.x[2 * k + 1];
                by[i] = data.y[k];
            }
            if (quant.enabled && observers && e < observeEpochs) {
                // Observe this batch's ranges with the current weights (a float pass up to each layer's
                // input, as an observer placed before each fake-quant node sees them), then use them.
                MlpTrace probe;
                mlpForward(net, bx.data(), n, quant, &probe);
                for (size_t l = 0; l < observers->size(); ++l) {
                    (*observers)[l].observe(probe.observed[l]);
                    quant.inputRanges[l] = (*observers)[l].range;
                }
            }
            sum += mlpLossAndGradients(net, bx.data(), by.data(), n, quant, grads, &trace, lsq ? &stepGrads : nullptr) *
                   double(n);
            // (A layer whose input is not quantized gets input step gradient 0, which leaves that step as it is.)
            adamStep(net, grads, adam, lr, lsq ? &quant : nullptr, lsq ? &stepGrads : nullptr);
        }
        losses.push_back(sum / double(std::max<size_t>(1, order.size())));
        if (progress) progress->add(1.0);
    }
    return losses;
}

std::vector<ClipRange> calibrateInputRanges(const TinyMlp& net, const ToyData& data) {
    MlpTrace trace;
    mlpForward(net, data.x.data(), data.size(), MlpQuant{}, &trace);
    return trace.observed;
}

std::vector<LsqSteps> lsqInitialSteps(const TinyMlp& net, const ToyData& data, const std::vector<ClipRange>& ranges,
                                      int bits, int inputBits) {
    MlpTrace trace;
    mlpForward(net, data.x.data(), data.size(), MlpQuant{}, &trace);
    std::vector<LsqSteps> steps(net.layers.size());
    const QuantScheme wScheme = qatWeightScheme(bits);
    const int32_t wQp = lsqPositiveLevels(wScheme, 0);
    auto orOne = [](float s) { return s > 0.0f ? s : 1.0f; };
    for (size_t l = 0; l < steps.size(); ++l) {
        const DenseLayer& d = net.layers[l];
        LsqSteps& st = steps[l];
        const size_t C = static_cast<size_t>(d.in);
        st.weight.resize(static_cast<size_t>(d.out));
        for (size_t r = 0; r < st.weight.size(); ++r)
            st.weight[r] = orOne(lsqInitialStep(std::span<const float>(d.w).subspan(r * C, C), wQp));
        const QuantScheme aScheme = qatActivationScheme(l == 0 ? inputBits : bits);
        st.inputZero = l < ranges.size() ? paramsFromRange(aScheme, ranges[l]).zeroPoint : 0;
        st.input = orOne(lsqInitialStep(trace.input[l], lsqPositiveLevels(aScheme, st.inputZero)));
    }
    return steps;
}

double mlpAccuracy(const TinyMlp& net, const ToyData& data, const MlpQuant& quant) {
    if (data.size() == 0) return 0;
    const std::vector<int> pred = mlpPredict(net, data.x.data(), data.size(), quant);
    size_t ok = 0;
    for (size_t i = 0; i < pred.size(); ++i) ok += pred[i] == data.y[i];
    return double(ok) / double(pred.size());
}

DecisionRegion decisionRegion(const TinyMlp& net, const MlpQuant& quant, const ToySplit& split, int grid) {
    DecisionRegion r;
    r.grid = std::max(1, grid);
    // 5 % margin around the data.
    const float mx = 0.05f * (split.xMax - split.xMin), my = 0.05f * (split.yMax - split.yMin);
    r.xMin = split.xMin - mx;
    r.xMax = split.xMax + mx;
    r.yMin = split.yMin - my;
    r.yMax = split.yMax + my;
    const size_t G = static_cast<size_t>(r.grid);
    std::vector<float> pts(2 * G * G);
    for (size_t row = 0; row < G; ++row)
        for (size_t col = 0; col < G; ++col) {
            pts[2 * (row * G + col)] = r.xMin + (r.xMax - r.xMin) * (float(col) + 0.5f) / float(G);
            pts[2 * (row * G + col) + 1] = r.yMax - (r.yMax - r.yMin) * (float(row) + 0.5f) / float(G);
        }
    const std::vector<int> pred = mlpPredict(net, pts.data(), G * G, quant);
    r.cls.assign(pred.begin(), pred.end());
    return r;
}

QatExperiment runQatExperiment(const QatConfig& config, Progress* progress) {
    QatExperiment ex;
    ex.config = config;
    const int bitsMin = std::clamp(config.bitsMin, 2, 16), bitsMax = std::clamp(config.bitsMax, bitsMin, 16);
    const int nBits = bitsMax - bitsMin + 1;
    if (progress) progress->setTotal(double(config.fp32Epochs) + 2.0 * double(nBits) * double(config.qatEpochs));
    ex.data = makeToySplit(config.task, config.pointsPerClass, config.noise, config.seed);
    const int H = std::max(1, config.hidden);
    ex.fp32Net = TinyMlp::make({2, H, H, ex.data.train.classes}, config.seed + 1);
    ToyRng rng(config.seed + 2);
    MlpQuant fp32;
    ex.fp32Loss = trainMlp(ex.fp32Net, ex.data.train, config.fp32Epochs, config.learningRate, config.batch, fp32,
                           nullptr, rng, progress);
    ex.fp32Accuracy = mlpAccuracy(ex.fp32Net, ex.data.test, fp32);
    ex.fp32TrainAccuracy = mlpAccuracy(ex.fp32Net, ex.data.train, fp32);
    ex.fp32Region = decisionRegion(ex.fp32Net, fp32, ex.data, config.regionGrid);
    if (progress && progress->cancelled()) {
        ex.cancelled = true;
        return ex;
    }
    const std::vector<ClipRange> calibrated = calibrateInputRanges(ex.fp32Net, ex.data.train);
    for (int b = bitsMin; b <= bitsMax; ++b) {
        QatBitsResult r;
        r.bits = b;
        r.ptqQuant.enabled = true;
        r.ptqQuant.bits = b;
        r.ptqQuant.activations = config.quantizeActivations;
        r.ptqQuant.inputRanges = calibrated;
        r.ptqAccuracy = mlpAccuracy(ex.fp32Net, ex.data.test, r.ptqQuant);
        {
            const auto logits = mlpForward(ex.fp32Net, ex.data.train.x.data(), ex.data.train.size(), r.ptqQuant);
            r.ptqTrainLoss = softmaxCrossEntropy(logits, ex.data.train.y.data(), ex.data.train.size(),
                                                 ex.data.train.classes);
        }
        r.ptqRegion = decisionRegion(ex.fp32Net, r.ptqQuant, ex.data, config.regionGrid);
        // QAT: the fp32 weights and the PTQ ranges as the starting point; its own seeded batch order
        // per bit width, so each b's result does not depend on which other widths ran.
        r.qatNet = ex.fp32Net;
        r.qatQuant = r.ptqQuant;
        std::vector<RangeObserver> observers(calibrated.size());
        for (size_t l = 0; l < observers.size(); ++l) {
            observers[l].range = calibrated[l];
            observers[l].initialized = true;
            observers[l].averaging = config.observerAveraging;
        }
        ToyRng qrng(config.seed + 100 + uint64_t(b));
        const int observed = std::clamp(config.observerEpochs, 0, config.qatEpochs);
        r.qatLoss = trainMlp(r.qatNet, ex.data.train, config.qatEpochs, config.qatLearningRate, config.batch,
                             r.qatQuant, config.quantizeActivations ? &observers : nullptr, qrng, progress, observed);
        if (progress && progress->cancelled()) {
            ex.cancelled = true;
            break;
        }
        r.qatAccuracy = mlpAccuracy(r.qatNet, ex.data.test, r.qatQuant);
        r.qatRegion = decisionRegion(r.qatNet, r.qatQuant, ex.data, config.regionGrid);
        // LSQ: the fp32 weights, the initial steps from the formula, the same epochs, learning rate and
        // (its own) seeded batch order; no observers: the steps are trained instead.
        r.lsqNet = ex.fp32Net;
        r.lsqQuant = r.ptqQuant;
        r.lsqInitial = lsqInitialSteps(ex.fp32Net, ex.data.train, calibrated, b, r.ptqQuant.inputBits);
        r.lsqQuant.steps = r.lsqInitial;
        {
            const auto logits = mlpForward(ex.fp32Net, ex.data.train.x.data(), ex.data.train.size(), r.lsqQuant);
            r.lsqStartLoss = softmaxCrossEntropy(logits, ex.data.train.y.data(), ex.data.train.size(),
                                                 ex.data.train.classes);
        }
        ToyRng lrng(config.seed + 200 + uint64_t(b));
        r.lsqLoss = trainMlp(r.lsqNet, ex.data.train, config.qatEpochs, config.qatLearningRate, config.batch,
                             r.lsqQuant, nullptr, lrng, progress);
        if (progress && progress->cancelled()) {
            ex.cancelled = true;
            break;
        }
        r.lsqAccuracy = mlpAccuracy(r.lsqNet, ex.data.test, r.lsqQuant);
        r.lsqRegion = decisionRegion(r.lsqNet, r.lsqQuant, ex.data, config.regionGrid);
        ex.bits.push_back(std::move(r));
    }
    return ex;
}

}  // namespace qv
