// `quantviz-cli gemm`: the int8 GEMM core from the command line — integer mode (ONNX MatMulInteger /
// QLinearMatMul) and float mode (quantize both operands, run int8 and fp32, compare).
//
// Integer mode (onnx.ai Operators/MatMulInteger, QLinearMatMul): A (M×K, uint8|int8), B (K×N, int8|uint8),
// acc = Σ_k (a − za)(b − zb) + bias in int32; without output scales Y = acc (int32); with them
// Y = saturate(round(acc · s_a·s_b/s_y) + z_y) in --y-dtype, the rounding chosen by --requant
// (float = FBGEMM/ONNX Runtime round half to even; fixed-double = gemmlowp/TFLite; fixed-single = TFLite
// single rounding; REFERENCE.md §5).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli/cli_calibration.h"
#include "app/cli/cli_support.h"
#include "app/cli/code_types.h"
#include "core/calib/presets.h"
#include "core/calib/slice_calibration.h"
#include "core/formats/npy.h"
#include "core/gemm/gemm.h"
#include "core/gemm/gemm_fp32.h"
#include "core/quant/quantizer.h"

namespace qv::cli {

namespace {

struct GemmOptions {
    std::string a, b, out, outFp32, bias;
    int aZero = 0, bZero = 0, yZero = 0;
    std::string aScale, bScale, yScale;  // parsed with strtof: one rounding, decimal → float32
    std::string yDtype;
    std::string requant = "float";
    std::string kernel = "auto";
    std::string calibrator, aCalibrator, bCalibrator;
    std::string aScheme = "asym", bScheme = "sym", bGranularity = "tensor";
    std::string preset;
    int threads = 0;
    int repeat = 3;
    bool json = false;
    bool transposeB = false;
    CLI::App* app = nullptr;
    bool given(const char* flag) const { return app->count(flag) > 0; }
};

// rows × cols as the GEMM sees it; `transposed` when the file holds cols × rows (--transpose-b).
struct Matrix {
    SelectedTensor tensor;
    int64_t rows = 0, cols = 0;
    bool transposed = false;
};

Matrix loadMatrix(const std::string& path, const char* flag, bool transposed = false) {
    Matrix m{selectTensor(path, ""), 0, 0, transposed};
    const auto& shape = m.tensor.info().shape;
    if (shape.size() != 2)
        failData(m.tensor.label() + ": " + flag + " must be a 2-D matrix, got shape " + m.tensor.info().shapeString());
    m.rows = transposed ? shape[1] : shape[0];
    m.cols = transposed ? shape[0] : shape[1];
    return m;
}

// The stored (cols × rows) values of a transposed operand, rearranged into rows × cols row-major.
template <class T>
std::vector<T> logicalOrder(std::vector<T> stored, const Matrix& m) {
    if (!m.transposed) return stored;
    std::vector<T> out(stored.size());
    for (int64_t r = 0; r < m.rows; ++r)
        for (int64_t c = 0; c < m.cols; ++c) out[size_t(r * m.cols + c)] = stored[size_t(c * m.rows + r)];
    return out;
}

GemmKernel kernelFromName(const std::string& name) {
    if (name == "reference") return GemmKernel::Reference;
    if (name == "avx2") return GemmKernel::Avx2;
    if (name == "avx512_vnni") return GemmKernel::Avx512Vnni;
    return GemmKernel::Auto;
}

RequantRounding roundingFromName(const std::string& name) {
    if (name == "fixed-double") return RequantRounding::FixedDouble;
    if (name == "fixed-single") return RequantRounding::FixedSingle;
    return RequantRounding::Float;
}

std::vector<int8_t> toBytes(const std::vector<int64_t>& v) {
    std::vector<int8_t> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<int8_t>(static_cast<uint8_t>(v[i] & 0xFF));
    return out;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Median wall time of `repeat` runs of f (f returns false on failure after recording it).
template <class F>
double medianSeconds(int repeat, F&& f) {
    std::vector<double> times;
    for (int r = 0; r < std::max(1, repeat); ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        times.push_back(secondsSince(t0));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Runs the GEMM on the chosen kernel; the reference path when asked, the packed one otherwise.
GemmRunInfo runGemm(const GemmOptions& o, const GemmParams& p, const void* a, const void* b, bool bSigned,
                    int32_t bZero, void* y, double* seconds) {
    const GemmKernel kernel = kernelFromName(o.kernel);
    if (kernel == GemmKernel::Reference) {
        GemmRunInfo info;
        Status st = Ok{};
        *seconds = medianSeconds(o.repeat, [&] { st = gemmReference(p, a, b, bSigned, bZero, y); });
        if (!st) failUsage("gemm: " + st.message());
        info.kernel = GemmKernel::Reference;
        return info;
    }
    if (!gemmKernelSupported(kernel) && kernel != GemmKernel::Auto)
        failUsage(std::string("--kernel ") + gemmKernelName(kernel) + " is not supported by this CPU");
    auto packed = PackedB::make(b, p.K, p.N, bSigned, bZero, kernel);
    if (!packed) failUsage("gemm: " + packed.message());
    Result<GemmRunInfo> info = makeError("not run");
    *seconds = medianSeconds(o.repeat, [&] { info = gemm(p, a, **packed, y); });
    if (!info) failUsage("gemm: " + info.message());
    return *info;
}

float parseScale(const std::string& text, const char* flag) {
    char* end = nullptr;
    const float v = std::strtof(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v > 0) || !std::isfinite(v))
        failUsage(std::string(flag) + ": '" + text + "' is not a finite positive number");
    return v;
}

void removeQuietly(const std::string& path) {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove(path, ec);
}

// ---- integer mode ----------------------------------------------------------------------------

int runInteger(const GemmOptions& o, const Matrix& A, const Matrix& B) {
    const DType ta = A.tensor.info().dtype, tb = B.tensor.info().dtype;
    if (ta != DType::I8 && ta != DType::U8) failData(A.tensor.label() + ": --a must hold int8 or uint8 codes");
    if (tb != DType::I8 && tb != DType::U8) failData(B.tensor.label() + ": --b must hold int8 or uint8 codes");
    const bool aSigned = ta == DType::I8, bSigned = tb == DType::I8;
    auto inRange = [](int z, bool isSigned) { return isSigned ? (z >= -128 && z <= 127) : (z >= 0 && z <= 255); };
    if (!inRange(o.aZero, aSigned)) failUsage("--a-zero-point " + std::to_string(o.aZero) + " is outside A's type range");
    if (!inRange(o.bZero, bSigned)) failUsage("--b-zero-point " + std::to_string(o.bZero) + " is outside B's type range");
    for (const char* f : {"--calibrator", "--a-calibrator", "--b-calibrator", "--out-fp32"})
        if (o.given(f)) failUsage(std::string(f) + " applies to float A and B; these hold integer codes");

    GemmParams p;
    p.M = A.rows;
    p.K = A.cols;
    p.N = B.cols;
    p.aSigned = aSigned;
    p.aZero = o.aZero;
    p.threads = o.threads;
    const bool quantizedOut =
        o.given("--a-scale") || o.given("--b-scale") || o.given("--y-scale") || o.given("--y-zero-point");
    bool ySigned = aSigned;
    if (quantizedOut) {
        if (!o.given("--a-scale") || !o.given("--b-scale") || !o.given("--y-scale"))
            failUsage("requantized output (QLinearMatMul) needs --a-scale, --b-scale and --y-scale");
        p.aScale = parseScale(o.aScale, "--a-scale");
        const float yScale = parseScale(o.yScale, "--y-scale");
        p.bScales.clear();
        for (const auto& s : splitList(o.bScale)) p.bScales.push_back(parseScale(s, "--b-scale"));
        if (p.bScales.size() != 1 && p.bScales.size() != static_cast<size_t>(p.N))
            failUsage("--b-scale: give one value or N = " + std::to_string(p.N) + " (one per output column)");
        if (o.given("--y-dtype")) ySigned = o.yDtype == "int8";
        if (!inRange(o.yZero, ySigned))
            failUsage("--y-zero-point " + std::to_string(o.yZero) + " is outside the range of " + (ySigned ? "int8" : "uint8"));
        p.out.mode = GemmOutput::Quantized8;
        p.out.rounding = roundingFromName(o.requant);
        p.out.ySigned = ySigned;
        p.out.yScale = yScale;
        p.out.yZero = o.yZero;
    } else if (o.given("--requant") || o.given("--y-dtype")) {
        failUsage("--requant/--y-dtype need output scales (--a-scale, --b-scale, --y-scale)");
    }
    if (B.rows != p.K)
        failData(B.tensor.label() + ": B has " + std::to_string(B.rows) + " rows but A has K = " + std::to_string(p.K) +
                 " columns");

    std::vector<int32_t> bias;
    if (!o.bias.empty()) {
        SelectedTensor bt = selectTensor(o.bias, "");
        auto ints = readIntegers(bt.view());
        if (!ints) failData(bt.label() + ": --bias must be an int32 array in integer mode (scale s_a·s_b, zero point 0)");
        if (ints->size() != static_cast<size_t>(p.N))
            failData(bt.label() + ": --bias has " + std::to_string(ints->size()) + " values; expected N = " + std::to_string(p.N));
        for (int64_t v : *ints) {
            if (v < INT32_MIN || v > INT32_MAX) failData(bt.label() + ": --bias value " + std::to_string(v) + " exceeds int32");
            bias.push_back(static_cast<int32_t>(v));
        }
        p.bias = bias;
    }

    auto aInts = readIntegers(A.tensor.view());
    auto bInts = readIntegers(B.tensor.view());
    if (!aInts || !bInts) failData("cannot read the integer codes of A or B");
    const std::vector<int8_t> aBytes = toBytes(*aInts), bBytes = toBytes(logicalOrder(std::move(*bInts), B));

    const auto outElems = static_cast<size_t>(p.M * p.N);
    double seconds = 0;
    const std::vector<int64_t> yShape = {p.M, p.N};
    GemmRunInfo info;
    Status st = Ok{};
    if (quantizedOut) {
        std::vector<int8_t> y(outElems);
        info = runGemm(o, p, aBytes.data(), bBytes.data(), bSigned, o.bZero, y.data(), &seconds);
        st = writeNpy(o.out, ySigned ? DType::I8 : DType::U8, yShape, std::as_bytes(std::span<const int8_t>(y)));
    } else {
        std::vector<int32_t> y(outElems);
        info = runGemm(o, p, aBytes.data(), bBytes.data(), bSigned, o.bZero, y.data(), &seconds);
        st = writeNpy(o.out, DType::I32, yShape, std::as_bytes(std::span<const int32_t>(y)));
    }
    if (!st) failData(st.message());

    const char* outType = quantizedOut ? (ySigned ? "int8" : "uint8") : "int32";
    if (o.json) {
        Json j;
        j["mode"] = "integer";
        j["operator"] = quantizedOut ? "QLinearMatMul" : "MatMulInteger";
        j["M"] = p.M;
        j["N"] = p.N;
        j["K"] = p.K;
        j["a_dtype"] = aSigned ? "int8" : "uint8";
        j["b_dtype"] = bSigned ? "int8" : "uint8";
        j["a_zero_point"] = o.aZero;
        j["b_zero_point"] = o.bZero;
        if (quantizedOut) {
            j["a_scale"] = double(p.aScale);
            j["b_scale"] = p.bScales.size() == 1 ? Json(double(p.bScales[0])) : Json(std::vector<double>(p.bScales.begin(), p.bScales.end()));
            j["y_scale"] = double(p.out.yScale);
            j["y_zero_point"] = o.yZero;
            j["requant"] = requantRoundingName(p.out.rounding);
        }
        j["y_dtype"] = outType;
        j["kernel"] = info.describe();
        j["seconds"] = seconds;
        j["out"] = o.out;
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << (quantizedOut ? "QLinearMatMul" : "MatMulInteger") << " " << p.M << "x" << p.K << " · " << p.K << "x"
                  << p.N << " → " << outType << " " << p.M << "x" << p.N;
        if (quantizedOut) std::cout << ", requant " << requantRoundingName(p.out.rounding);
        std::cout << "\nkernel   " << info.describe() << "\ntime     " << formatNumber(seconds * 1e3, 4) << " ms\nwrote    "
                  << o.out << "\n";
    }
    return kExitOk;
}

// ---- float mode ------------------------------------------------------------------------------

struct QuantizedOperand {
    std::vector<int8_t> codes;  // int8 or uint8 bit patterns
    bool isSigned = true;
    QuantParams params;
    std::string calibrator;
};

QuantizedOperand quantizeOperand(const std::vector<float>& values, const std::vector<int64_t>& shape,
                                 const std::string& calibSpec, const std::string& symmetry, bool perColumn,
                                 const std::string& preset) {
    SchemeFlags flags;
    flags.bits = 8;
    flags.scheme = symmetry;
    flags.granularity = perColumn ? "channel:1" : "tensor";
    flags.preset = preset;
    const QuantScheme scheme = makeScheme(flags, shape);
    auto calibrator = makeCalibratorOrFail(calibSpec);
    QuantizedOperand q;
    q.calibrator = calibrator->label();
    q.params = calibrateValues(*calibrator, values, shape, scheme);
    q.isSigned = scheme.symmetry == Symmetry::Symmetric;
    if (!q.isSigned && perColumn)
        failUsage("asymmetric per-column B needs one zero point per column; the GEMM core takes one zero point for B");
    std::vector<int32_t> codes(values.size());
    quantizeSpan(q.params, SliceLayout::make(scheme, shape), 0, values, codes, {});
    q.codes.resize(codes.size());
    for (size_t i = 0; i < codes.size(); ++i) q.codes[i] = static_cast<int8_t>(static_cast<uint8_t>(codes[i] & 0xFF));
    return q;
}

Json operandJson(const QuantizedOperand& q, const Matrix& m) {
    Json j;
    j["file"] = m.tensor.model->path;
    j["calibrator"] = q.calibrator;
    j["dtype"] = q.isSigned ? "int8" : "uint8";
    if (q.params.slices.size() == 1) {
        j["scale"] = double(q.params.slices[0].scale);
        j["zero_point"] = q.params.slices[0].zeroPoint;
    } else {
        Json s = Json::array();
        for (const auto& sl : q.params.slices) s.push_back(double(sl.scale));
        j["scale"] = s;
        j["zero_point"] = q.params.slices[0].zeroPoint;
    }
    return j;
}

int runFloat(const GemmOptions& o, const Matrix& A, const Matrix& B) {
    for (const char* f : {"--a-zero-point", "--b-zero-point", "--a-scale", "--b-scale", "--y-scale", "--y-zero-point",
                          "--y-dtype", "--requant"})
        if (o.given(f)) failUsage(std::string(f) + " applies to integer A and B; float operands are calibrated");
    if (B.rows != A.cols)
        failData(B.tensor.label() + ": B has " + std::to_string(B.rows) + " rows but A has K = " +
                 std::to_string(A.cols) + " columns");
    const std::string base = o.calibrator.empty() ? "minmax" : o.calibrator;
    const std::vector<float> a = readAllFloats(A.tensor), b = logicalOrder(readAllFloats(B.tensor), B);
    for (const auto* v : {&a, &b})
        for (float x : *v)
            if (!std::isfinite(x)) failData("float GEMM operands must be finite (NaN/Inf found in " +
                                            (v == &a ? A.tensor.label() : B.tensor.label()) + ")");
    const QuantizedOperand qa = quantizeOperand(a, A.tensor.info().shape, o.aCalibrator.empty() ? base : o.aCalibrator,
                                                o.aScheme, false, o.preset);
    const QuantizedOperand qb = quantizeOperand(b, {B.rows, B.cols}, o.bCalibrator.empty() ? base : o.bCalibrator,
                                                o.bScheme, o.bGranularity == "channel", o.preset);

    GemmParams p;
    p.M = A.rows;
    p.K = A.cols;
    p.N = B.cols;
    p.aSigned = qa.isSigned;
    p.aZero = qa.params.slices[0].zeroPoint;
    p.aScale = qa.params.slices[0].scale;
    p.bScales.clear();
    for (const auto& s : qb.params.slices) p.bScales.push_back(s.scale);
    p.out.mode = GemmOutput::Float;
    p.threads = o.threads;
    const int32_t bZero = qb.params.slices[0].zeroPoint;

    // A float bias is added to the fp32 result and, as int32 with scale s_a·s_b_j, to the accumulators.
    std::vector<float> biasF;
    std::vector<int32_t> biasQ;
    if (!o.bias.empty()) {
        SelectedTensor bt = selectTensor(o.bias, "");
        biasF = readAllFloats(bt);
        if (biasF.size() != static_cast<size_t>(p.N))
            failData(bt.label() + ": --bias has " + std::to_string(biasF.size()) + " values; expected N = " + std::to_string(p.N));
        for (size_t j = 0; j < biasF.size(); ++j) {
            const double s = double(p.aScale) * double(p.bScales.size() == 1 ? p.bScales[0] : p.bScales[j]);
            const double q = std::nearbyint(double(biasF[j]) / s);
            biasQ.push_back(static_cast<int32_t>(std::clamp(q, double(INT32_MIN), double(INT32_MAX))));
        }
        p.bias = biasQ;
    }

    const auto outElems = static_cast<size_t>(p.M * p.N);
    std::vector<float> yInt8(outElems), yFp32(outElems);
    double tInt8 = 0;
    const GemmRunInfo info = runGemm(o, p, qa.codes.data(), qb.codes.data(), qb.isSigned, bZero, yInt8.data(), &tInt8);
    const int fpThreads = o.threads > 0 ? o.threads : 0;
    const double tFp32 = medianSeconds(o.repeat, [&] {
        gemmFp32(a.data(), b.data(), yFp32.data(), p.M, p.N, p.K, fpThreads > 0 ? fpThreads : info.threads);
        if (!biasF.empty())
            for (int64_t i = 0; i < p.M; ++i)
                for (int64_t j = 0; j < p.N; ++j) yFp32[size_t(i * p.N + j)] += biasF[size_t(j)];
    });
    const GemmComparison cmp = compareGemmOutputs(yInt8, yFp32, p.M, p.N);

    const std::vector<int64_t> yShape = {p.M, p.N};
    writeFloatNpy(o.out, yShape, yInt8);
    if (!o.outFp32.empty()) {
        Status st = writeNpy(o.outFp32, DType::F32, yShape, std::as_bytes(std::span<const float>(yFp32)));
        if (!st) {
            removeQuietly(o.out);
            failData(st.message());
        }
    }

    const double ops = 2.0 * double(p.M) * double(p.N) * double(p.K);
    const OutputError& e = cmp.total;
    if (o.json) {
        Json j;
        j["mode"] = "float";
        j["M"] = p.M;
        j["N"] = p.N;
        j["K"] = p.K;
        j["a"] = operandJson(qa, A);
        j["b"] = operandJson(qb, B);
        j["kernel"] = info.describe();
        j["fp32_backend"] = gemmFp32Backend();
        j["int8_seconds"] = tInt8;
        j["fp32_seconds"] = tFp32;
        j["mse"] = e.mse;
        j["sqnr_db"] = jsonNumber(e.sqnrDb);
        j["cosine"] = e.cosine;
        j["max_abs_error"] = e.maxAbsError;
        j["mean_abs_error"] = e.meanAbsError;
        j["out"] = o.out;
        if (!o.outFp32.empty()) j["out_fp32"] = o.outFp32;
        std::cout << j.dump(2) << "\n";
        return kExitOk;
    }
    auto opText = [](const QuantizedOperand& q) {
        std::string s = std::string(q.isSigned ? "int8" : "uint8") + " via " + q.calibrator + ", scale ";
        if (q.params.slices.size() == 1)
            s += formatNumber(q.params.slices[0].scale, 9) + ", zero point " + std::to_string(q.params.slices[0].zeroPoint);
        else
            s += "per column (" + std::to_string(q.params.slices.size()) + ")";
        return s;
    };
    std::cout << "GEMM " << p.M << "x" << p.K << " · " << p.K << "x" << p.N << "\n"
              << "A        " << opText(qa) << "\n"
              << "B        " << opText(qb) << "\n"
              << "int8     " << info.describe() << ": " << formatNumber(tInt8 * 1e3, 4) << " ms ("
              << formatNumber(ops / tInt8 * 1e-9, 4) << " GOPS)\n"
              << "fp32     " << gemmFp32Backend() << ": " << formatNumber(tFp32 * 1e3, 4) << " ms ("
              << formatNumber(ops / tFp32 * 1e-9, 4) << " GFLOPS)\n"
              << "mse      " << formatNumber(e.mse) << "\n"
              << "sqnr_db  " << formatNumber(e.sqnrDb, 5) << "\n"
              << "cosine   " << formatNumber(e.cosine, 9) << "\n"
              << "max_err  " << formatNumber(e.maxAbsError) << "\n"
              << "wrote    " << o.out << " (dequantized int8 result)";
    if (!o.outFp32.empty()) std::cout << ", " << o.outFp32 << " (fp32)";
    std::cout << "\n";
    return kExitOk;
}

int runGemmCommand(const GemmOptions& o) {
    const Matrix A = loadMatrix(o.a, "--a"), B = loadMatrix(o.b, "--b", o.transposeB);
    const bool aInt = traits(A.tensor.info().dtype).isInteger, bInt = traits(B.tensor.info().dtype).isInteger;
    if (aInt != bInt) failUsage("A and B must both be integer codes (integer mode) or both float (float mode)");
    return aInt ? runInteger(o, A, B) : runFloat(o, A, B);
}

}  // namespace

Command addGemmCommand(CLI::App& root) {
    auto o = std::make_shared<GemmOptions>();
    CLI::App* sub = root.add_subcommand(
        "gemm",
        "Run the int8 GEMM core on A (M×K) and B (K×N). Integer A/B: int32 accumulators (ONNX MatMulInteger) or, "
        "with output scales, requantized 8-bit output (ONNX QLinearMatMul). Float A/B: quantize both, run int8 and "
        "fp32, write the dequantized int8 result and compare (MSE, SQNR, cosine, max error, timings)");
    o->app = sub;
    sub->add_option("--a", o->a, "A.npy: M×K, uint8/int8 codes or float")->required();
    sub->add_option("--b", o->b, "B.npy: K×N, int8/uint8 codes or float")->required();
    sub->add_flag("--transpose-b", o->transposeB,
                  "B.npy holds N×K (a Linear layer's weight, out × in, as PyTorch and safetensors store it); it is "
                  "used transposed");
    sub->add_option("--out", o->out, "Y.npy: M×N (int32 accumulators, 8-bit codes, or float32 dequantized)")->required();
    sub->add_option("--bias", o->bias,
                    "BIAS.npy of N values: int32 with scale s_a·s_b in integer mode (added to the accumulators in every "
                    "output mode); float in float mode (quantized to int32 with scale s_a·s_b_j)");
    sub->add_option("--a-zero-point", o->aZero, "Zero point of A, in A's type range (default 0)");
    sub->add_option("--b-zero-point", o->bZero, "Zero point of B, in B's type range (default 0)");
    sub->add_option("--a-scale", o->aScale, "Scale of A (float32); with --b-scale and --y-scale selects QLinearMatMul");
    sub->add_option("--b-scale", o->bScale, "Scale of B: one value, or N comma-separated (per output column)");
    sub->add_option("--y-scale", o->yScale, "Scale of the 8-bit output Y");
    sub->add_option("--y-zero-point", o->yZero, "Zero point of Y (default 0), in --y-dtype's range");
    sub->add_option("--y-dtype", o->yDtype, "Requantized output type (default: A's type)")
        ->check(CLI::IsMember({"uint8", "int8"}));
    sub->add_option("--requant", o->requant,
                    "Rounding of acc·(s_a·s_b/s_y): float (round half to even, FBGEMM/ONNX Runtime; default), "
                    "fixed-double (gemmlowp/TFLite doubling high multiply + rounding shift), fixed-single (TFLite "
                    "single rounding); they can differ by 1 on ties")
        ->check(CLI::IsMember({"float", "fixed-double", "fixed-single"}));
    sub->add_option("--calibrator", o->calibrator, "Float mode: calibrator for both operands (default minmax)");
    sub->add_option("--a-calibrator", o->aCalibrator, "Float mode: calibrator for A (overrides --calibrator)");
    sub->add_option("--b-calibrator", o->bCalibrator, "Float mode: calibrator for B (overrides --calibrator)");
    sub->add_option("--a-scheme", o->aScheme, "Float mode: A as asym uint8 (default) or sym int8")
        ->check(CLI::IsMember({"sym", "asym"}));
    sub->add_option("--b-scheme", o->bScheme, "Float mode: B as sym int8 (default) or asym uint8")
        ->check(CLI::IsMember({"sym", "asym"}));
    sub->add_option("--b-granularity", o->bGranularity,
                    "Float mode: one scale for B (tensor, default) or one per output column (channel)")
        ->check(CLI::IsMember({"tensor", "channel"}));
    sub->add_option("--preset", o->preset, "Float mode: a tool's calibration conventions for both operands")
        ->check(CLI::IsMember(presetNames()));
    sub->add_option("--out-fp32", o->outFp32, "Float mode: also write the fp32 result A·B (+ bias) here");
    sub->add_option("--kernel", o->kernel,
                    "auto (best for this CPU, default), reference (the readable path), avx2, avx512_vnni")
        ->check(CLI::IsMember({"auto", "reference", "avx2", "avx512_vnni"}));
    sub->add_option("--threads", o->threads, "Worker threads (0: all hardware threads, default)")->check(CLI::NonNegativeNumber);
    sub->add_option("--repeat", o->repeat, "Timing: median of this many runs (default 3)")->check(CLI::Range(1, 1000));
    sub->add_flag("--json", o->json, "Print the parameters, kernel, timings and (float mode) the comparison as JSON");
    return {sub, [o] { return runGemmCommand(*o); }};
}

}  // namespace qv::cli
