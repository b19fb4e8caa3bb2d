// GEMM view-model: turns a QuantizedGemmRun into the panel's plot data; pure functions, tested headless.
#include "app/views/gemm_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "core/calib/calibrator.h"
#include "core/calib/slice_calibration.h"

namespace qv {

std::vector<float> syntheticActivations(int64_t M, int64_t K, ActivationShape shape, int outlierChannels,
                                        float outlierScale, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::exponential_distribution<float> expo(std::sqrt(2.0f));  // Laplace b = 1/√2 → variance 1
    std::bernoulli_distribution sign(0.5);
    std::vector<float> a(static_cast<size_t>(std::max<int64_t>(0, M * K)));
    for (auto& v : a) v = shape == ActivationShape::Gaussian ? gauss(rng) : (sign(rng) ? 1.0f : -1.0f) * expo(rng);
    const int64_t outliers = std::clamp<int64_t>(outlierChannels, 0, K);
    for (int64_t c = 0; c < outliers; ++c) {
        const int64_t k = (2 * c + 1) * K / (2 * outliers);  // evenly spread, never channel 0 by accident
        for (int64_t i = 0; i < M; ++i) a[static_cast<size_t>(i * K + k)] *= outlierScale;
    }
    return a;
}

std::vector<float> weightsAsB(const std::vector<float>& w, int64_t rows, int64_t cols, bool outInLayout) {
    if (!outInLayout) return w;
    std::vector<float> b(w.size());
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) b[static_cast<size_t>(c * rows + r)] = w[static_cast<size_t>(r * cols + c)];
    return b;
}

std::string gemmCalibratorSpec(const GemmOperandChoice& choice) {
    if (choice.calibrator != "percentile") return choice.calibrator;
    char arg[32];
    std::snprintf(arg, sizeof arg, "%.6g", choice.percentile);
    return choice.calibrator + ":" + arg;
}

QuantScheme gemmOperandScheme(const GemmOperandChoice& choice) {
    QuantScheme s;
    s.bits = 8;  // the int8 GEMM
    s.symmetry = choice.asymmetric ? Symmetry::Asymmetric : Symmetry::Symmetric;
    if (choice.perChannel) {
        s.granularity = Granularity::PerChannel;
        s.axis = 1;  // columns of B (K×N): the output channels, as quantizeAndRunGemm expects
    }
    return s;
}

Result<QuantParams> gemmOperandParams(const GemmOperandChoice& choice, std::span<const float> values, int64_t rows,
                                      int64_t cols, int threads) {
    if (choice.asymmetric && choice.perChannel)
        return makeError("GEMM operand: a per-channel operand must be symmetric (one zero point for all of B)");
    if (rows < 0 || cols < 0 || static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols) != values.size())
        return makeError("GEMM operand: " + std::to_string(values.size()) + " values are not " + std::to_string(rows) +
                         "×" + std::to_string(cols));
    std::string err;
    const std::string spec = gemmCalibratorSpec(choice);
    auto calibrator = makeCalibrator(spec, &err);
    if (!calibrator) return makeError("GEMM operand calibrator '" + spec + "': " + err);
    SliceCalibrationOptions options;
    options.threads = std::max(1, threads);
    return calibrateValues(*calibrator, values, {rows, cols}, gemmOperandScheme(choice), nullptr, options);
}

std::string describeOperandParams(const std::string& operand, const GemmOperandChoice& choice, const QuantParams& params) {
    char line[256];
    std::string scheme = params.scheme.describe();
    if (params.scheme.granularity == Granularity::PerChannel && params.scheme.axis == 1) {
        const size_t at = scheme.find(" per-channel(axis 1)");
        if (at != std::string::npos) scheme.replace(at, std::string::npos, " per out-channel");
    }
    const std::string head = operand + ": " + gemmCalibratorSpec(choice) + ", " + scheme;
    if (params.slices.empty()) return head + ": no parameters";
    if (params.slices.size() == 1) {
        const SliceParams& p = params.slices[0];
        std::snprintf(line, sizeof line, ": s = %.4g, z = %d, clip [%.4g, %.4g]", p.scale, p.zeroPoint, p.clip.lo,
                      p.clip.hi);
        return head + line;
    }
    std::vector<float> scales;
    scales.reserve(params.slices.size());
    for (const auto& p : params.slices) scales.push_back(p.scale);
    std::sort(scales.begin(), scales.end());
    std::snprintf(line, sizeof line, ": %zu scales, %.3g…%.3g, median %.3g", scales.size(), scales.front(),
                  scales.back(), scales[scales.size() / 2]);
    return head + line;
}

GemmView buildGemmView(const QuantizedGemmRun& run, size_t maxPoints, int bins) {
    GemmView v;
    const size_t n = std::min(run.yInt8.size(), run.yFp32.size());
    v.scatter.total = n;
    if (n == 0) return v;
    // Scatter: the largest errors first (a tenth of the budget), then an even stride over the rest.
    std::vector<size_t> pick;
    const size_t budget = std::max<size_t>(1, maxPoints);
    if (n <= budget) {
        pick.resize(n);
        std::iota(pick.begin(), pick.end(), size_t{0});
    } else {
        std::vector<size_t> idx(n);
        std::iota(idx.begin(), idx.end(), size_t{0});
        const size_t worst = budget / 10;
        auto err = [&](size_t i) { return std::fabs(double(run.yInt8[i]) - double(run.yFp32[i])); };
        std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(worst), idx.end(),
                          [&](size_t x, size_t y) { return err(x) > err(y); });
        pick.assign(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(worst));
        const size_t rest = budget - worst;
        for (size_t j = 0; j < rest; ++j) pick.push_back(j * n / rest);
    }
    float lo = INFINITY, hi = -INFINITY;
    for (size_t i : pick) {
        const float x = run.yFp32[i], y = run.yInt8[i];
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        v.scatter.fp32.push_back(x);
        v.scatter.int8.push_back(y);
        lo = std::min({lo, x, y});
        hi = std::max({hi, x, y});
    }
    if (lo > hi) lo = hi = 0;
    if (lo == hi) { lo -= 1; hi += 1; }
    v.scatter.lo = lo;
    v.scatter.hi = hi;

    // Error histogram over all outputs, symmetric range ±max|e|.
    const double emax = std::max(run.comparison.total.maxAbsError, 1e-30);
    v.histogram.lo = -emax;
    v.histogram.hi = emax;
    v.histogram.counts.assign(static_cast<size_t>(std::max(bins, 1)), 0.0);
    for (size_t i = 0; i < n; ++i) {
        const double e = double(run.yInt8[i]) - double(run.yFp32[i]);
        if (!std::isfinite(e)) continue;
        auto b = static_cast<int64_t>((e - v.histogram.lo) / (v.histogram.hi - v.histogram.lo) * bins);
        b = std::clamp<int64_t>(b, 0, bins - 1);
        v.histogram.counts[static_cast<size_t>(b)] += 1;
    }

    // Per output channel.
    double worstRmse = -1;
    for (size_t j = 0; j < run.comparison.perChannel.size(); ++j) {
        const OutputError& e = run.comparison.perChannel[j];
        v.channels.rmse.push_back(std::sqrt(e.mse));
        v.channels.maxAbs.push_back(e.maxAbsError);
        v.channels.sqnrDb.push_back(e.sqnrDb);
        if (std::sqrt(e.mse) > worstRmse) {
            worstRmse = std::sqrt(e.mse);
            v.channels.worst = static_cast<int64_t>(j);
        }
    }
    char line[256];
    std::snprintf(line, sizeof line, "%s: int8 %.3f ms, fp32 %.3f ms, SQNR %.2f dB, cosine %.6f",
                  run.info.describe().c_str(), run.secondsInt8 * 1e3, run.secondsFp32 * 1e3,
                  run.comparison.total.sqnrDb, run.comparison.total.cosine);
    v.summary = line;
    return v;
}

}  // namespace qv
