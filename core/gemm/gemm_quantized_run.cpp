// Quantize-and-run: the convenience the GEMM panel and `quantviz-cli gemm` use on float operands.
#include "core/gemm/gemm_quantized_run.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/quant/quantizer.h"

namespace qv {

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Quantizes a row-major tensor of `shape` into one byte per element; returns an error naming the operand.
Status quantizeOperand(const char* name, std::span<const float> x, const std::vector<int64_t>& shape,
                       const QuantParams& params, std::vector<uint8_t>& codes) {
    const QuantScheme& sc = params.scheme;
    if (sc.qmin() < -128 || sc.qmax() > 255 || (sc.qmin() < 0 && sc.qmax() > 127)) {
        return makeError(std::string("gemm: operand ") + name + " scheme " + sc.describe() +
                         " does not fit 8-bit codes");
    }
    const SliceLayout layout = SliceLayout::make(sc, shape);
    if (params.slices.size() != layout.slices) {
        return makeError(std::string("gemm: operand ") + name + " has " + std::to_string(params.slices.size()) +
                         " parameter slices; its scheme needs " + std::to_string(layout.slices));
    }
    std::vector<Quantizer> qs;
    qs.reserve(params.slices.size());
    for (const SliceParams& s : params.slices) qs.emplace_back(sc, s);
    codes.resize(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const int32_t q = qs[layout.sliceOf(i)].quantize(x[i]);
        codes[i] = static_cast<uint8_t>(q);  // int8 codes keep their two's-complement byte
    }
    return Ok{};
}

}  // namespace

Result<QuantizedGemmRun> quantizeAndRunGemm(std::span<const float> a, std::span<const float> b, int64_t M,
                                            int64_t N, int64_t K, const QuantParams& aParams,
                                            const QuantParams& bParams, int threads, GemmKernel kernel) {
    if (M <= 0 || N <= 0 || K <= 0) return makeError("gemm: M, N and K must be positive");
    if (a.size() != static_cast<size_t>(M * K) || b.size() != static_cast<size_t>(K * N)) {
        return makeError("gemm: A has " + std::to_string(a.size()) + " values and B " + std::to_string(b.size()) +
                         "; expected M·K = " + std::to_string(M * K) + " and K·N = " + std::to_string(K * N));
    }
    if (aParams.scheme.granularity != Granularity::PerTensor || aParams.slices.size() != 1) {
        return makeError("gemm: activations (A) must be quantized per tensor");
    }
    const Granularity bg = bParams.scheme.granularity;
    const bool bPerChannel = bg == Granularity::PerChannel;
    if (bg == Granularity::PerGroup || (bPerChannel && bParams.scheme.axis != 1)) {
        return makeError("gemm: weights (B, K×N) must be quantized per tensor or per output channel (axis 1)");
    }
    if (bPerChannel && bParams.scheme.symmetry != Symmetry::Symmetric) {
        return makeError("gemm: per-channel weights must be symmetric (the GEMM takes one B zero point)");
    }

    QuantizedGemmRun run;
    run.M = M;
    run.N = N;
    run.K = K;
    auto t0 = std::chrono::steady_clock::now();
    if (auto st = quantizeOperand("A", a, {M, K}, aParams, run.aCodes); !st) return st.error();
    if (auto st = quantizeOperand("B", b, {K, N}, bParams, run.bCodes); !st) return st.error();
    run.secondsQuantize = secondsSince(t0);

    run.aSigned = aParams.scheme.qmin() < 0;
    run.bSigned = bParams.scheme.qmin() < 0;
    run.bZero = bParams.slices[0].zeroPoint;
    GemmParams& p = run.params;
    p.M = M;
    p.N = N;
    p.K = K;
    p.aSigned = run.aSigned;
    p.aZero = aParams.slices[0].zeroPoint;
    p.aScale = aParams.slices[0].scale;
    p.bScales.clear();
    for (const SliceParams& s : bParams.slices) p.bScales.push_back(s.scale);
    p.out.mode = GemmOutput::Float;
    p.threads = threads;

    auto packed = PackedB::make(run.bCodes.data(), K, N, run.bSigned, run.bZero, kernel);
    if (!packed) return packed.error();
    run.yInt8.resize(static_cast<size_t>(M * N));
    // Timings are the fastest of a few runs: a single cold call mostly measures thread start-up
    // and page faults, which would tell a learner that int8 is slower than fp32 on small layers.
    constexpr int kMaxRuns = 5;
    constexpr double kTimeBudget = 0.25;  // seconds per path
    auto timeBest = [&](auto&& fn) {
        double best = 1e300, spent = 0;
        for (int r = 0; r < kMaxRuns && (r == 0 || spent < kTimeBudget); ++r) {
            const auto t = std::chrono::steady_clock::now();
            if (!fn()) return -1.0;
            const double s = secondsSince(t);
            best = std::min(best, s);
            spent += s;
        }
        return best;
    };
    Result<GemmRunInfo> info = makeError("gemm: not run");
    run.secondsInt8 = timeBest([&] {
        info = gemm(p, run.aCodes.data(), **packed, run.yInt8.data());
        return info.ok();
    });
    if (!info) return info.error();
    run.info = *info;

    run.yFp32.resize(static_cast<size_t>(M * N));
    run.secondsFp32 = timeBest([&] {
        gemmFp32(a.data(), b.data(), run.yFp32.data(), M, N, K, threads);
        return true;
    });
    run.comparison = compareGemmOutputs(run.yInt8, run.yFp32, M, N);
    return run;
}

}  // namespace qv
