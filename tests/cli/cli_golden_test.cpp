// Golden tests of quantviz-cli: the real binary on files written here, exact outputs worked out by hand
// from the ONNX operator definitions (QuantizeLinear, DequantizeLinear, MatMulInteger, QLinearMatMul).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/formats/model_file.h"
#include "core/formats/npy.h"
#include "core/formats/safetensors.h"
#include "tests/cli/cli_runner.h"
#include "tests/support/test_support.h"

namespace qv::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---- helpers ---------------------------------------------------------------------------------

template <class T>
std::vector<std::byte> bytesOf(const std::vector<T>& v) {
    std::vector<std::byte> out(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
    return out;
}

template <class T>
std::string writeArray(const std::string& name, DType dtype, const std::vector<int64_t>& shape, const std::vector<T>& v) {
    const std::string path = tempPath(name);
    const auto bytes = bytesOf(v);
    Status st = writeNpy(path, dtype, shape, bytes);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.message());
    return path;
}

std::string f32Npy(const std::string& name, const std::vector<int64_t>& shape, const std::vector<float>& v) {
    return writeArray(name, DType::F32, shape, v);
}

struct Loaded {
    TensorInfo info;
    std::vector<std::byte> raw;
    std::vector<float> floats;
};

Loaded load(const std::string& path) {
    Loaded l;
    auto model = openModel(path);
    EXPECT_TRUE(model.ok()) << (model.ok() ? "" : model.message());
    if (!model.ok()) return l;
    const TensorView view = (*model)->view(0);
    l.info = view.info();
    l.raw.assign(view.rawBytes().begin(), view.rawBytes().end());
    auto f = view.toFloat();
    if (f.ok()) l.floats = *f;
    return l;
}

template <class T>
std::vector<T> rawAs(const Loaded& l) {
    std::vector<T> v(l.raw.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), l.raw.data(), v.size() * sizeof(T));
    return v;
}

// fl32(5/255): the scale of the ONNX tie example, printed with 9 significant digits (round-trips).
const float kTieScale = static_cast<float>(5.0 / 255.0);
std::string floatText(float f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
    return buf;
}

// ---- inspect ---------------------------------------------------------------------------------

std::string inspectFixture() {
    const std::string path = tempPath("inspect.safetensors");
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    std::vector<SafetensorsEntry> entries = {
        {"layer.weight", DType::F32, {2, 3}, bytesOf(std::vector<float>{1.0f, -2.0f, 3.5f, 0.0f, nan, inf})},
        {"layer.bias", DType::I8, {3}, bytesOf(std::vector<int8_t>{-1, 0, 5})},
    };
    Status st = writeSafetensors(path, entries);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.message());
    return path;
}

TEST(CliInspect, TextTableWithStats) {
    const std::string path = inspectFixture();
    const CliRun r = runCli({"inspect", path, "--stats"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // Finite values of layer.weight: {1, −2, 3.5, 0}: mean 0.625, population variance
    // (0.375² + 2.625² + 2.875² + 0.625²)/4 = 15.6875/4 = 3.921875, std 1.98037…; one NaN, one +Inf.
    // layer.bias {−1, 0, 5}: mean 4/3, variance (49/9 + 16/9 + 121/9)/3 = 62/9, std 2.62467….
    const std::string expected =
        "name          dtype  shape   elements            min            max           mean            std       nan       inf\n"
        "layer.weight  f32    [2, 3]         6             -2            3.5          0.625        1.98037         1         1\n"
        "layer.bias    i8     [3]            3             -1              5        1.33333        2.62467         0         0\n"
        "2 tensors, 9 elements (safetensors)\n";
    EXPECT_EQ(r.out, expected);
}

TEST(CliInspect, TextTableWithoutStats) {
    const std::string path = inspectFixture();
    const CliRun r = runCli({"inspect", path});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out,
              "name          dtype  shape   elements\n"
              "layer.weight  f32    [2, 3]         6\n"
              "layer.bias    i8     [3]            3\n"
              "2 tensors, 9 elements (safetensors)\n");
}

TEST(CliInspect, Json) {
    const std::string path = inspectFixture();
    const CliRun r = runCli({"inspect", path, "--stats", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["file"], path);
    EXPECT_EQ(j["format"], "safetensors");
    ASSERT_EQ(j["tensors"].size(), 2u);
    const json& w = j["tensors"][0];
    EXPECT_EQ(w["name"], "layer.weight");
    EXPECT_EQ(w["dtype"], "f32");
    EXPECT_EQ(w["shape"], json::array({2, 3}));
    EXPECT_EQ(w["elements"], 6);
    EXPECT_EQ(w["min"].get<double>(), -2.0);
    EXPECT_EQ(w["max"].get<double>(), 3.5);
    EXPECT_DOUBLE_EQ(w["mean"].get<double>(), 0.625);
    EXPECT_DOUBLE_EQ(w["std"].get<double>(), std::sqrt(3.921875));
    EXPECT_EQ(w["nan"], 1);
    EXPECT_EQ(w["inf"], 1);
    const json& b = j["tensors"][1];
    EXPECT_EQ(b["dtype"], "i8");
    EXPECT_DOUBLE_EQ(b["mean"].get<double>(), 4.0 / 3.0);
    EXPECT_NEAR(b["std"].get<double>(), std::sqrt(62.0 / 9.0), 1e-12);
    // Without --stats there are no statistics keys.
    const json plain = json::parse(runCli({"inspect", path, "--json"}).out);
    EXPECT_FALSE(plain["tensors"][0].contains("min"));
}

TEST(CliInspect, RealStoriesSafetensors) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.safetensors");
    const CliRun r = runCli({"inspect", path, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["tensors"].size(), 47u);  // ../shared/models/README.md: 47 tensors, 260 032 elements
    uint64_t total = 0;
    for (const auto& t : j["tensors"]) {
        EXPECT_EQ(t["dtype"], "f32");
        total += t["elements"].get<uint64_t>();
    }
    EXPECT_EQ(total, 260032u);
    bool sawEmbedding = false;
    for (const auto& t : j["tensors"])
        if (t["name"] == "tok_embeddings.weight") {
            sawEmbedding = true;
            EXPECT_EQ(t["shape"], json::array({512, 64}));  // vocab 512 × dim 64
        }
    EXPECT_TRUE(sawEmbedding);
}

TEST(CliInspect, RealStoriesGgufDimsInNumpyOrder) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.gguf");
    const CliRun r = runCli({"inspect", path, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["format"], "gguf");
    ASSERT_EQ(j["tensors"].size(), 48u);  // README: 48 tensors, all F32, 292 800 elements
    uint64_t total = 0;
    for (const auto& t : j["tensors"]) {
        total += t["elements"].get<uint64_t>();
        // GGUF stores dims [64, 512]; the CLI shows numpy order, as gguf-py does.
        if (t["name"] == "token_embd.weight") {
            EXPECT_EQ(t["shape"], json::array({512, 64}));
        }
    }
    EXPECT_EQ(total, 292800u);
}

// ---- export ----------------------------------------------------------------------------------

TEST(CliExport, RealGgufQ4KAgainstF32Twin) {
    QV_REQUIRE_SHARED_MODEL(q4k, "hey_jarvis/hey_jarvis_v0.1-q4_k.gguf");
    QV_REQUIRE_SHARED_MODEL(f32, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    const std::string outQ = tempPath("jarvis_q4k.npy"), outF = tempPath("jarvis_f32.npy");
    ASSERT_EQ(runCli({"export", q4k, "--tensor", "model.1.weight", "--out", outQ}).exitCode, 0);
    ASSERT_EQ(runCli({"export", f32, "--tensor", "model.1.weight", "--out", outF}).exitCode, 0);
    const Loaded q = load(outQ), f = load(outF);
    EXPECT_EQ(q.info.dtype, DType::F32);
    EXPECT_EQ(q.info.shape, (std::vector<int64_t>{128, 1536}));  // Linear 1536→128, rows 1536 wide
    EXPECT_EQ(f.info.shape, q.info.shape);
    ASSERT_EQ(q.floats.size(), f.floats.size());
    double err = 0, ref = 0;
    for (size_t i = 0; i < f.floats.size(); ++i) {
        const double e = double(q.floats[i]) - double(f.floats[i]);
        err += e * e;
        ref += double(f.floats[i]) * f.floats[i];
    }
    // README: whole-model relative RMS error of q4_k ≈ 0.059, F32 tensors included (zero error); this
    // Q4_K tensor alone measures 0.0758 — a 4.5-bit K-quant, not a copy of the F32 values and not noise.
    const double rel = std::sqrt(err / ref);
    EXPECT_GT(rel, 0.06);
    EXPECT_LT(rel, 0.09);
}

TEST(CliExport, F16RoundTripToFloat32) {
    const std::string path = tempPath("export.safetensors");
    // f16 bit patterns: 1.0 = 0x3C00, −2.5 = 0xC100, 0.099975586 (0x2E66), 65504 (max) = 0x7BFF.
    std::vector<uint16_t> half = {0x3C00, 0xC100, 0x2E66, 0x7BFF};
    ASSERT_TRUE(writeSafetensors(path, {{"h", DType::F16, {2, 2}, bytesOf(half)},
                                        {"other", DType::F32, {1}, bytesOf(std::vector<float>{7.0f})}})
                    .ok());
    const std::string out = tempPath("export_h.npy");
    const CliRun r = runCli({"export", path, "--tensor", "h", "--out", out});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Loaded l = load(out);
    EXPECT_EQ(l.info.dtype, DType::F32);
    EXPECT_EQ(l.info.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(l.floats, (std::vector<float>{1.0f, -2.5f, 0.0999755859375f, 65504.0f}));
}

TEST(CliExport, FortranOrderComesOutRowMajor) {
    // A 2×3 .npy stored column-major: bytes 1,4,2,5,3,6 hold [[1,2,3],[4,5,6]].
    std::string header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
    header.append(128 - 10 - header.size() - 1, ' ');  // header block padded to a multiple of 64
    header += '\n';
    std::vector<std::byte> file;
    const char magic[] = "\x93NUMPY\x01\x00";
    for (int i = 0; i < 8; ++i) file.push_back(static_cast<std::byte>(magic[i]));
    file.push_back(static_cast<std::byte>(header.size() & 0xFF));
    file.push_back(static_cast<std::byte>(header.size() >> 8));
    for (char c : header) file.push_back(static_cast<std::byte>(c));
    const auto data = bytesOf(std::vector<float>{1, 4, 2, 5, 3, 6});
    file.insert(file.end(), data.begin(), data.end());
    const std::string in = tempPath("fortran.npy");
    writeBytes(in, file);
    const std::string out = tempPath("fortran_out.npy");
    const CliRun r = runCli({"export", in, "--out", out});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Loaded l = load(out);
    EXPECT_FALSE(l.info.fortranOrder);
    EXPECT_EQ(rawAs<float>(l), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(CliExport, MissingTensorFailsWithoutOutput) {
    const std::string path = inspectFixture();
    const std::string out = tempPath("never.npy");
    const CliRun r = runCli({"export", path, "--tensor", "nope", "--out", out});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'nope'"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
}

// ---- quantize: explicit parameters (ONNX QuantizeLinear / DequantizeLinear) ------------------

TEST(CliQuantize, OnnxTieAndSaturationInt8) {
    // ONNX QuantizeLinear: y = saturate(round_half_even(fl32(x / s)) + z).
    // −2.5 / fl32(5/255) = −127.499992… in float32 (the exact quotient is −127.4999955…): → −127.
    // The float32 reciprocal (PyTorch) gives −2.5 · fl32(255/5 rounded) = −127.5 exactly: → −128 (even).
    // 1000/s ≫ 127 saturates to 127, −1000/s to −128.
    const std::string in = f32Npy("tie.npy", {5}, {-2.5f, 2.5f, 0.0f, 1000.0f, -1000.0f});
    const std::string codes = tempPath("tie_codes.npy"), deq = tempPath("tie_deq.npy");
    CliRun r = runCli({"quantize", in, "--scale", floatText(kTieScale), "--zero-point", "0", "--dtype", "int8",
                       "--codes", codes, "--dequant", deq, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    Loaded c = load(codes);
    EXPECT_EQ(c.info.dtype, DType::I8);
    EXPECT_EQ(rawAs<int8_t>(c), (std::vector<int8_t>{-127, 127, 0, 127, -128}));
    // DequantizeLinear: (q − z)·s in float32.
    const Loaded d = load(deq);
    EXPECT_EQ(d.floats, (std::vector<float>{-127.0f * kTieScale, 127.0f * kTieScale, 0.0f, 127.0f * kTieScale,
                                            -128.0f * kTieScale}));
    const json j = json::parse(r.out);
    EXPECT_EQ(j["mode"], "explicit");
    EXPECT_EQ(j["scale"].get<double>(), static_cast<double>(kTieScale));
    EXPECT_EQ(j["zero_point"], 0);
    EXPECT_EQ(j["scheme"]["qmin"], -128);
    EXPECT_EQ(j["scheme"]["qmax"], 127);

    // PyTorch quantize_per_tensor multiplies by the float32 reciprocal: the tie goes to −128,
    // and +2.5 → 127.5 → 128 saturates to 127.
    r = runCli({"quantize", in, "--scale", floatText(kTieScale), "--dtype", "int8", "--preset", "pytorch", "--codes", codes});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(rawAs<int8_t>(load(codes)), (std::vector<int8_t>{-128, 127, 0, 127, -128}));
}

TEST(CliQuantize, Float32QuotientNotDouble) {
    // Where float32 and double arithmetic really part: −19.75 / fl32(0.1) is −197.4999970… exactly, but its
    // float32 rounding is −197.5, a tie, so ONNX (fl32(x/s), half to even) gives −198 where a double
    // quotient would give −197. (Found by search; checked with a C program in float and double.)
    const std::string in = f32Npy("f32q.npy", {2}, {-19.75f, 19.75f});
    const std::string codes = tempPath("f32q_codes.npy");
    const CliRun r = runCli({"quantize", in, "--scale", "0.1", "--dtype", "int16", "--codes", codes});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Loaded c = load(codes);
    EXPECT_EQ(c.info.dtype, DType::I16);
    EXPECT_EQ(rawAs<int16_t>(c), (std::vector<int16_t>{-198, 198}));
}

TEST(CliQuantize, Uint8ZeroPoint) {
    // uint8, z = 128: the int8 answers shifted by 128 — but saturation now happens at 0 and 255.
    const std::string in = f32Npy("u8.npy", {5}, {-2.5f, 2.5f, 0.0f, 1000.0f, -1000.0f});
    const std::string codes = tempPath("u8_codes.npy");
    CliRun r = runCli({"quantize", in, "--scale", floatText(kTieScale), "--zero-point", "128", "--dtype", "uint8",
                       "--codes", codes});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    Loaded c = load(codes);
    EXPECT_EQ(c.info.dtype, DType::U8);
    EXPECT_EQ(rawAs<uint8_t>(c), (std::vector<uint8_t>{1, 255, 128, 255, 0}));

    // Asymmetric uint8 with s = 0.5, z = 10: −5/0.5 = −10 → 0; −5.5 → −11 + 10 = −1 → 0 (saturated);
    // 0.25/0.5 = 0.5 → 0 (half to even) → 10; 0.75 → 1.5 → 2 → 12; 122.5 → 245 → 255; 200 → 410 → 255.
    const std::string in2 = f32Npy("u8b.npy", {6}, {-5.0f, -5.5f, 0.25f, 0.75f, 122.5f, 200.0f});
    r = runCli({"quantize", in2, "--scheme", "asym", "--scale", "0.5", "--zero-point", "10", "--codes", codes});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    c = load(codes);
    EXPECT_EQ(c.info.dtype, DType::U8);
    EXPECT_EQ(rawAs<uint8_t>(c), (std::vector<uint8_t>{0, 0, 10, 12, 255, 255}));
}

TEST(CliQuantize, HalfEvenTiesAndSaturationAtBothEnds) {
    // s = 0.5: x/s = 0.5, 1.5, 2.5, −0.5, −1.5 → 0, 2, 2, 0, −2 (ties to even); 63.5 → 127;
    // 64 → 128 → 127; −64 → −128; −64.25 → −128.5 → −128; −1000 → −128; +Inf → 127; −Inf → −128.
    const float inf = std::numeric_limits<float>::infinity();
    const std::string in = f32Npy("ties.npy", {12},
                                  {0.25f, 0.75f, 1.25f, -0.25f, -0.75f, 63.5f, 64.0f, -64.0f, -64.25f, -1000.0f, inf, -inf});
    const std::string codes = tempPath("ties_codes.npy");
    const CliRun r = runCli({"quantize", in, "--scale", "0.5", "--dtype", "int8", "--codes", codes});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(rawAs<int8_t>(load(codes)), (std::vector<int8_t>{0, 2, 2, 0, -2, 127, 127, -128, -128, -128, 127, -128}));

    // 4-bit codes are stored one per element in int8: range −8..7.
    const CliRun r4 = runCli({"quantize", in, "--bits", "4", "--scale", "0.5", "--dtype", "int8", "--codes", codes});
    ASSERT_EQ(r4.exitCode, 0) << r4.err;
    EXPECT_EQ(rawAs<int8_t>(load(codes)), (std::vector<int8_t>{0, 2, 2, 0, -2, 7, 7, -8, -8, -8, 7, -8}));
}

TEST(CliQuantize, PerChannelExplicit) {
    // [[1, −1, 0.3], [1, 2, −3]], channel axis 0: s = (0.1, 0.5), z = (0, 3).
    // Row 0: fl32(1/fl32(0.1)) = 10, −10, fl32(fl32(0.3)/fl32(0.1)) = 3.0000000… → 3.
    // Row 1: 1/0.5 = 2 → 5, 4 → 7, −6 → −3.
    const std::string in = f32Npy("pc.npy", {2, 3}, {1.0f, -1.0f, 0.3f, 1.0f, 2.0f, -3.0f});
    const std::string codes = tempPath("pc_codes.npy"), deq = tempPath("pc_deq.npy");
    CliRun r = runCli({"quantize", in, "--granularity", "channel:0", "--scale", "0.1,0.5", "--zero-point", "0,3",
                       "--dtype", "int8", "--codes", codes, "--dequant", deq, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(rawAs<int8_t>(load(codes)), (std::vector<int8_t>{10, -10, 3, 5, 7, -3}));
    EXPECT_EQ(load(deq).floats, (std::vector<float>{10 * 0.1f, -10 * 0.1f, 3 * 0.1f, 1.0f, 2.0f, -3.0f}));
    const json j = json::parse(r.out);
    EXPECT_EQ(j["scale"], json::array({static_cast<double>(0.1f), 0.5}));
    EXPECT_EQ(j["zero_point"], json::array({0, 3}));

    // Axis 1 (three columns) with s = (1, 2, 4): col 0 → 1, 1; col 1 → −0.5 → 0 (even), 1; col 2 → 0.075 → 0,
    // −0.75 → −1.
    r = runCli({"quantize", in, "--granularity", "channel:1", "--scale", "1,2,4", "--dtype", "int8", "--codes", codes});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(rawAs<int8_t>(load(codes)), (std::vector<int8_t>{1, 0, 0, 1, 1, -1}));

    // Wrong count of scales is a usage error naming the slice count.
    r = runCli({"quantize", in, "--granularity", "channel:1", "--scale", "1,2", "--dtype", "int8"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("3 slices"), std::string::npos) << r.err;
}

TEST(CliQuantize, IntegerInputIsDequantized) {
    // An integer array with explicit s, z is taken as codes: DequantizeLinear (q − z)·s.
    const std::string in = writeArray("codes_i8.npy", DType::I8, {3}, std::vector<int8_t>{-128, 0, 127});
    const std::string deq = tempPath("codes_deq.npy");
    CliRun r = runCli({"quantize", in, "--scale", "0.5", "--zero-point", "3", "--dequant", deq, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(load(deq).floats, (std::vector<float>{-65.5f, -1.5f, 62.0f}));
    EXPECT_EQ(json::parse(r.out)["mode"], "dequantize");

    const std::string in8 = writeArray("codes_u8.npy", DType::U8, {3}, std::vector<uint8_t>{0, 128, 255});
    r = runCli({"quantize", in8, "--scale", "0.25", "--zero-point", "128", "--dequant", deq});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(load(deq).floats, (std::vector<float>{-32.0f, 0.0f, 31.75f}));

    // A code outside the type's range is bad data (numpy's default int64 arrays are accepted when in range).
    const std::string in64 = writeArray("codes_i64.npy", DType::I64, {2}, std::vector<int64_t>{5, 300});
    r = runCli({"quantize", in64, "--scale", "1", "--dtype", "int8", "--dequant", deq});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("element 1 = 300"), std::string::npos) << r.err;
}

TEST(CliQuantize, CalibratedMinMaxSeeds) {
    // The seeds' vector, 8-bit symmetric (restricted ±127), min-max: amax = fl32(5.64), s = fl32(amax/127).
    const std::vector<float> x = {0.34f, 3.75f, 5.64f, 1.12f, 2.7f, -0.9f, -4.7f, 0.68f, 1.43f};
    const std::string in = f32Npy("seeds.npy", {9}, x);
    const std::string codes = tempPath("seeds_codes.npy");
    const CliRun r = runCli({"quantize", in, "--bits", "8", "--scheme", "sym", "--calibrator", "minmax", "--codes",
                             codes, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const float s = 5.64f / 127.0f;
    std::vector<int8_t> expected;
    for (float v : x) expected.push_back(static_cast<int8_t>(std::nearbyint(v / s)));
    // Worked by hand: 0.34/0.044409 = 7.66 → 8; 3.75 → 84.4 → 84; 5.64 → 127; 1.12 → 25.2 → 25; 2.7 → 60.8 → 61;
    // −0.9 → −20.3 → −20; −4.7 → −105.8 → −106; 0.68 → 15.3 → 15; 1.43 → 32.2 → 32.
    EXPECT_EQ(expected, (std::vector<int8_t>{8, 84, 127, 25, 61, -20, -106, 15, 32}));
    EXPECT_EQ(rawAs<int8_t>(load(codes)), expected);
    const json j = json::parse(r.out);
    EXPECT_EQ(j["calibrator"], "minmax");
    EXPECT_EQ(j["scale"].get<double>(), static_cast<double>(s));
    EXPECT_EQ(j["zero_point"], 0);
    EXPECT_EQ(j["scheme"]["qmin"], -127);
}

TEST(CliQuantize, AsymmetricStoredAsInt8IsShiftedBy128) {
    // Asymmetric 8-bit min-max on the seeds: s = fl32((5.64 + 4.7)/255) = 0.040549…, z = 0 − round(−4.7/s)
    // = −round(−115.9) = 116; 5.64/s = 139.09 → 139 + 116 = 255. Stored as int8 (ONNX Runtime's QInt8
    // asymmetric) every code and the zero point move down by 128, so every dequantized value is unchanged.
    const std::string in = f32Npy("asym.npy", {9}, {0.34f, 3.75f, 5.64f, 1.12f, 2.7f, -0.9f, -4.7f, 0.68f, 1.43f});
    const std::string cu = tempPath("asym_u8.npy"), ci = tempPath("asym_i8.npy");
    const std::string du = tempPath("asym_u8_deq.npy"), di = tempPath("asym_i8_deq.npy");
    const CliRun ru = runCli({"quantize", in, "--scheme", "asym", "--calibrator", "minmax", "--codes", cu, "--dequant", du,
                              "--json"});
    const CliRun ri = runCli({"quantize", in, "--scheme", "asym", "--calibrator", "minmax", "--dtype", "int8", "--codes",
                              ci, "--dequant", di, "--json"});
    ASSERT_EQ(ru.exitCode, 0) << ru.err;
    ASSERT_EQ(ri.exitCode, 0) << ri.err;
    const json ju = json::parse(ru.out), ji = json::parse(ri.out);
    EXPECT_EQ(ju["scale"].get<double>(), static_cast<double>((5.64f + 4.7f) / 255.0f));
    EXPECT_EQ(ju["zero_point"], 116);
    EXPECT_EQ(ji["zero_point"], 116 - 128);
    EXPECT_EQ(ji["scheme"]["qmin"], -128);
    EXPECT_EQ(ji["scheme"]["qmax"], 127);
    const auto u = rawAs<uint8_t>(load(cu));
    const auto i = rawAs<int8_t>(load(ci));
    ASSERT_EQ(u.size(), 9u);
    EXPECT_EQ(u[2], 255);  // 5.64 → the top code
    EXPECT_EQ(u[6], 0);    // −4.7 → −116 + 116 = 0
    for (size_t k = 0; k < u.size(); ++k) EXPECT_EQ(int(i[k]), int(u[k]) - 128) << k;
    EXPECT_EQ(load(du).floats, load(di).floats);
}

// ---- calibrate -------------------------------------------------------------------------------

TEST(CliCalibrate, JsonStructureAndMinMaxNumbers) {
    const std::vector<float> x = {0.34f, 3.75f, 5.64f, 1.12f, 2.7f, -0.9f, -4.7f, 0.68f, 1.43f};
    const std::string in = f32Npy("cal.npy", {9}, x);
    const CliRun r = runCli({"calibrate", in, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_TRUE(j.contains("tensor") && j.contains("scheme") && j.contains("calibrators"));
    EXPECT_EQ(j["tensor"]["name"], "cal");
    EXPECT_EQ(j["scheme"]["bits"], 8);  // defaults: 8 bits, symmetric, per tensor
    EXPECT_EQ(j["scheme"]["symmetry"], "sym");
    EXPECT_EQ(j["scheme"]["granularity"], "tensor");
    std::vector<std::string> names;
    for (const auto& c : j["calibrators"]) {
        names.push_back(c["name"]);
        for (const char* key : {"clip_min", "clip_max", "scale", "zero_point", "mse", "sqnr_db", "max_abs_error",
                                "clipped_fraction"})
            EXPECT_TRUE(c.contains(key)) << c["name"] << " lacks " << key;
    }
    for (const char* n : {"minmax", "percentile", "mse", "entropy", "cross-entropy", "aciq", "omse"})
        EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    for (const auto& c : j["calibrators"]) {
        if (c["name"] == "percentile") {
            EXPECT_EQ(c["arg"], "99.99");
        }
        if (c["name"] == "aciq") {
            EXPECT_TRUE(c["fit"] == "laplace" || c["fit"] == "gauss");
        }
    }

    const json& mm = j["calibrators"][0];
    ASSERT_EQ(mm["name"], "minmax");
    const float amax = 5.64f, s = amax / 127.0f;
    EXPECT_EQ(mm["clip_min"].get<double>(), -static_cast<double>(amax));
    EXPECT_EQ(mm["clip_max"].get<double>(), static_cast<double>(amax));
    EXPECT_EQ(mm["scale"].get<double>(), static_cast<double>(s));
    EXPECT_EQ(mm["zero_point"], 0);
    // Errors from the definition: x̂ = s·round(x/s), e = x̂ − x.
    double sumSq = 0, sumX = 0, maxAbs = 0;
    for (float v : x) {
        const float xq = s * std::nearbyint(v / s);
        const double e = static_cast<double>(xq) - static_cast<double>(v);
        sumSq += e * e;
        sumX += static_cast<double>(v) * v;
        maxAbs = std::max(maxAbs, std::fabs(e));
    }
    EXPECT_NEAR(mm["mse"].get<double>(), sumSq / 9, 1e-15);
    EXPECT_NEAR(mm["sqnr_db"].get<double>(), 10 * std::log10(sumX / sumSq), 1e-9);
    EXPECT_DOUBLE_EQ(mm["max_abs_error"].get<double>(), maxAbs);
    EXPECT_EQ(mm["clipped_fraction"].get<double>(), 0.0);
}

TEST(CliCalibrate, PerChannelArraysAndPresets) {
    const std::string in = f32Npy("calpc.npy", {2, 3}, {0.1f, -0.2f, 0.3f, 1.0f, 2.0f, -3.0f});
    CliRun r = runCli({"calibrate", in, "--granularity", "channel:0", "--calibrators", "minmax", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    json j = json::parse(r.out);
    const json& mm = j["calibrators"][0];
    EXPECT_EQ(mm["clip_max"], json::array({static_cast<double>(0.3f), 3.0}));
    EXPECT_EQ(mm["scale"], json::array({static_cast<double>(0.3f / 127.0f), static_cast<double>(3.0f / 127.0f)}));
    EXPECT_EQ(mm["zero_point"], json::array({0, 0}));

    // The pytorch preset lists its own calibrators (MinMaxObserver, HistogramObserver) with amax/127.5.
    r = runCli({"calibrate", in, "--preset", "pytorch", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    j = json::parse(r.out);
    ASSERT_EQ(j["calibrators"].size(), 2u);
    EXPECT_EQ(j["calibrators"][0]["name"], "minmax");
    EXPECT_EQ(j["calibrators"][1]["name"], "histogram");
    EXPECT_EQ(j["calibrators"][0]["scale"].get<double>(), static_cast<double>(3.0f / 127.5f));
}

// ---- report ----------------------------------------------------------------------------------

TEST(CliReport, JsonStreamIsOneDocument) {
    const std::string path = tempPath("report_json.safetensors");
    ASSERT_TRUE(writeSafetensors(path, {{"a", DType::F32, {2, 2}, bytesOf(std::vector<float>{1, -4, 2, 3})},
                                        {"n", DType::F32, {3}, bytesOf(std::vector<float>{0.5f, 0.25f, -0.125f})}})
                    .ok());
    // channel:1 does not exist for the 1-D tensor: it is skipped with a note, the sweep goes on.
    const CliRun r = runCli({"report", path, "--granularity", "channel:1", "--calibrators", "minmax", "--format", "json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["calibrators"], json::array({"minmax"}));
    ASSERT_EQ(j["tensors"].size(), 1u);
    const json& c = j["tensors"][0]["calibrators"][0];
    // Columns of [[1, −4], [2, 3]]: amax 2 and 4 → clip_min = −4, clip_max = 4 over the slices; no single scale.
    EXPECT_EQ(c["clip_min"].get<double>(), -4.0);
    EXPECT_EQ(c["clip_max"].get<double>(), 4.0);
    EXPECT_FALSE(c.contains("scale"));
    EXPECT_EQ(j["tensors"][0]["best"], "minmax");
    EXPECT_NE(r.err.find("tensor 'n'"), std::string::npos) << r.err;
}

TEST(CliReport, CsvRowsPerTensorAndCalibrator) {
    const std::string path = tempPath("report.safetensors");
    ASSERT_TRUE(writeSafetensors(path, {{"a", DType::F32, {2, 2}, bytesOf(std::vector<float>{1, -4, 2, 3})},
                                        {"b", DType::F32, {3}, bytesOf(std::vector<float>{0.5f, 0.25f, -0.125f})}})
                    .ok());
    const CliRun r = runCli({"report", path, "--calibrators", "minmax,mse", "--format", "csv"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::vector<std::string> lines;
    std::string line;
    for (char c : r.out) {
        if (c == '\n') {
            lines.push_back(line);
            line.clear();
        } else {
            line += c;
        }
    }
    ASSERT_EQ(lines.size(), 5u);  // header + 2 tensors × 2 calibrators
    EXPECT_EQ(lines[0].rfind("tensor,dtype,shape,elements,calibrator,arg,clip_min,clip_max,scale,zero_point,", 0), 0u);
    // Tensor a: amax 4, s = 4/127; values 1, −4, 2, 3 → codes 32 (31.75), −127, 64 (63.5 → 64, even), 95 (95.25).
    EXPECT_EQ(lines[1].rfind("a,f32,2x2,4,minmax,,-4,4,0.0314960629,0,", 0), 0u) << lines[1];
    EXPECT_EQ(lines[3].rfind("b,f32,3,3,minmax,,-0.5,0.5,", 0), 0u) << lines[3];
    EXPECT_TRUE(r.err.empty()) << "no progress bar when stderr is not a terminal: " << r.err;
}

// ---- gemm ------------------------------------------------------------------------------------

struct GemmFixture {
    std::string a, b, bias;
    GemmFixture() {
        // A (uint8 2×3) = [[1,2,3],[4,5,6]], B (int8 3×2) = [[1,−1],[2,0],[−3,4]].
        a = writeArray("gA.npy", DType::U8, {2, 3}, std::vector<uint8_t>{1, 2, 3, 4, 5, 6});
        b = writeArray("gB.npy", DType::I8, {3, 2}, std::vector<int8_t>{1, -1, 2, 0, -3, 4});
        bias = writeArray("gBias.npy", DType::I32, {2}, std::vector<int32_t>{10, -20});
    }
};

TEST(CliGemm, MatMulInteger) {
    GemmFixture f;
    const std::string out = tempPath("gY.npy");
    // za = 1: A − za = [[0,1,2],[3,4,5]]; row 0 · B = [0+2−6, 0+0+8] = [−4, 8]; row 1 = [3+8−15, −3+0+20] = [−4, 17].
    CliRun r = runCli({"gemm", "--a", f.a, "--b", f.b, "--out", out, "--a-zero-point", "1"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    Loaded y = load(out);
    EXPECT_EQ(y.info.dtype, DType::I32);
    EXPECT_EQ(y.info.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(rawAs<int32_t>(y), (std::vector<int32_t>{-4, 8, -4, 17}));
    // B given as N×K (a Linear weight, out × in) with --transpose-b: the same product.
    const std::string bT = writeArray("gBT.npy", DType::I8, {2, 3}, std::vector<int8_t>{1, 2, -3, -1, 0, 4});
    r = runCli({"gemm", "--a", f.a, "--b", bT, "--transpose-b", "--out", out, "--a-zero-point", "1"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(rawAs<int32_t>(load(out)), (std::vector<int32_t>{-4, 8, -4, 17}));
    // + bias [10, −20].
    r = runCli({"gemm", "--a", f.a, "--b", f.b, "--out", out, "--a-zero-point", "1", "--bias", f.bias});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(rawAs<int32_t>(load(out)), (std::vector<int32_t>{6, -12, 6, -3}));
    // zb = 1 as well: B − zb = [[0,−2],[1,−1],[−4,3]] → [[0+1−8, 0−1+6], [0+4−20, −6−4+15]] = [[−7,5],[−16,5]];
    // the reference kernel gives the same bytes.
    for (const char* kernel : {"auto", "reference"}) {
        r = runCli({"gemm", "--a", f.a, "--b", f.b, "--out", out, "--a-zero-point", "1", "--b-zero-point", "1", "--kernel",
                    kernel});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_EQ(rawAs<int32_t>(load(out)), (std::vector<int32_t>{-7, 5, -16, 5})) << kernel;
    }
}

TEST(CliGemm, QLinearMatMulRoundingPaths) {
    // A (int8 1×2) = [[4, 1]], B (int8 2×4) = [[5, −5, 3, 127], [0, 0, 0, 127]] → acc = [20, −20, 12, 635].
    // s_a = 0.5, s_b = 0.25, s_y = 1 → M = 0.125 exactly (m0 = 2^30, shift −2): acc·M = 2.5, −2.5, 1.5, 79.375.
    const std::string a = writeArray("qA.npy", DType::I8, {1, 2}, std::vector<int8_t>{4, 1});
    const std::string b = writeArray("qB.npy", DType::I8, {2, 4}, std::vector<int8_t>{5, -5, 3, 127, 0, 0, 0, 127});
    const std::string out = tempPath("qY.npy");
    auto run = [&](const char* requant, const char* yZero, const char* yDtype) {
        CliRun r = runCli({"gemm", "--a", a, "--b", b, "--out", out, "--a-scale", "0.5", "--b-scale", "0.25", "--y-scale",
                           "1", "--y-zero-point", yZero, "--y-dtype", yDtype, "--requant", requant});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return load(out);
    };
    // float: round half to even → 2, −2, 2, 79.
    EXPECT_EQ(rawAs<int8_t>(run("float", "0", "int8")), (std::vector<int8_t>{2, -2, 2, 79}));
    // fixed-double (gemmlowp): the doubling high multiply rounds first (20·2^30/2^31 = 10 exactly; but
    // 635·2^30/2^31 = 317.5 → 318), then the rounding shift by 2 rounds ties away from zero:
    // 10/4 = 2.5 → 3, −2.5 → −3, 6/4 = 1.5 → 2, and 318/4 = 79.5 → 80 — double rounding turns 79.375 into 80.
    EXPECT_EQ(rawAs<int8_t>(run("fixed-double", "0", "int8")), (std::vector<int8_t>{3, -3, 2, 80}));
    // fixed-single (TFLite): (acc·2^30 + 2^32) >> 33 rounds ties toward +∞ → 3, −2, 2, 79.
    EXPECT_EQ(rawAs<int8_t>(run("fixed-single", "0", "int8")), (std::vector<int8_t>{3, -2, 2, 79}));
    // z_y = 100: 79 + 100 saturates to 127.
    EXPECT_EQ(rawAs<int8_t>(run("float", "100", "int8")), (std::vector<int8_t>{102, 98, 102, 127}));
    // uint8 output, z_y = 128.
    const Loaded u = run("float", "128", "uint8");
    EXPECT_EQ(u.info.dtype, DType::U8);
    EXPECT_EQ(rawAs<uint8_t>(u), (std::vector<uint8_t>{130, 126, 130, 207}));
}

TEST(CliGemm, FloatModeComparesWithFp32) {
    // A 3×4, B 4×2 in float; the fp32 output must be A·B, the int8 one close to it.
    const std::vector<float> a = {0.5f, -1.0f, 0.25f, 2.0f, 1.5f, 0.0f, -0.75f, 1.0f, -2.0f, 0.5f, 1.0f, -0.5f};
    const std::vector<float> b = {1.0f, -0.5f, 0.25f, 2.0f, -1.5f, 0.75f, 0.5f, -1.0f};
    const std::string fa = f32Npy("fA.npy", {3, 4}, a), fb = f32Npy("fB.npy", {4, 2}, b);
    const std::string out = tempPath("fY.npy"), out32 = tempPath("fY32.npy");
    const CliRun r = runCli({"gemm", "--a", fa, "--b", fb, "--out", out, "--out-fp32", out32, "--calibrator", "minmax",
                             "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Loaded y32 = load(out32), y8 = load(out);
    ASSERT_EQ(y32.floats.size(), 6u);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 2; ++j) {
            double ref = 0;
            for (int k = 0; k < 4; ++k) ref += double(a[size_t(i * 4 + k)]) * b[size_t(k * 2 + j)];
            EXPECT_NEAR(y32.floats[size_t(i * 2 + j)], ref, 1e-6);
            EXPECT_NEAR(y8.floats[size_t(i * 2 + j)], ref, 0.1);  // 8-bit operands: a few % of the output range
        }
    const json j = json::parse(r.out);
    EXPECT_EQ(j["mode"], "float");
    EXPECT_EQ(j["a"]["dtype"], "uint8");
    EXPECT_EQ(j["b"]["dtype"], "int8");
    EXPECT_GT(j["sqnr_db"].get<double>(), 25.0);
    EXPECT_GT(j["cosine"].get<double>(), 0.99);
    EXPECT_TRUE(j.contains("int8_seconds") && j.contains("fp32_seconds"));
}

// ---- errors, exit codes, help ----------------------------------------------------------------

TEST(CliErrors, MissingFileIsBadData) {
    const std::string missing = tempPath("does_not_exist.npy");
    const CliRun r = runCli({"inspect", missing});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

TEST(CliErrors, BadUsageIsTwo) {
    EXPECT_EQ(runCli({}).exitCode, 2);                                  // no subcommand
    EXPECT_EQ(runCli({"inspect", "x.npy", "--bogus"}).exitCode, 2);     // unknown flag
    EXPECT_EQ(runCli({"frobnicate"}).exitCode, 2);                      // unknown subcommand
    const std::string in = f32Npy("usage.npy", {2}, {1.0f, 2.0f});
    EXPECT_EQ(runCli({"quantize", in}).exitCode, 2);                    // neither calibrator nor scale
    EXPECT_EQ(runCli({"quantize", in, "--scale", "1", "--calibrator", "minmax"}).exitCode, 2);
    EXPECT_EQ(runCli({"quantize", in, "--scale", "-1"}).exitCode, 2);
    EXPECT_EQ(runCli({"quantize", in, "--scale", "1", "--zero-point", "300", "--dtype", "uint8"}).exitCode, 2);
    EXPECT_EQ(runCli({"quantize", in, "--calibrator", "nosuch"}).exitCode, 2);
    EXPECT_EQ(runCli({"calibrate", in, "--bits", "99"}).exitCode, 2);   // CLI11 range check → 2, never its 105
    EXPECT_EQ(runCli({"calibrate", in, "--granularity", "channel:3"}).exitCode, 2);
}

TEST(CliErrors, NoPartialOutputOnFailure) {
    const std::string in = f32Npy("partial.npy", {3}, {1.0f, 2.0f, 3.0f});
    const std::string codes = tempPath("partial_codes.npy");
    const std::string badDir = tempPath("no_such_dir") + "/deq.npy";
    const CliRun r = runCli({"quantize", in, "--scale", "0.5", "--codes", codes, "--dequant", badDir});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no_such_dir"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(codes)) << "the codes file of a failed run must be removed";
    // A failed gemm (shape mismatch) writes nothing either.
    const std::string a = writeArray("pA.npy", DType::U8, {2, 3}, std::vector<uint8_t>{1, 2, 3, 4, 5, 6});
    const std::string b = writeArray("pB.npy", DType::I8, {2, 2}, std::vector<int8_t>{1, 2, 3, 4});
    const std::string y = tempPath("pY.npy");
    const CliRun g = runCli({"gemm", "--a", a, "--b", b, "--out", y});
    EXPECT_EQ(g.exitCode, 1);
    EXPECT_NE(g.err.find("pB.npy"), std::string::npos) << g.err;
    EXPECT_FALSE(fs::exists(y));
}

TEST(CliCalibrate, NumberFormatFp4ByHand) {
    // amax 6 → FP4 E2M1 scale 1; the same twelve values as the app's test (tests/app/number_format_app_test):
    // Σe² = 2.865 with ties to the even bit pattern, nothing clipped, max |e| 1; no zero point.
    const std::vector<float> x = {-6, -5, -2.5f, -0.25f, 0, 0.3f, 0.75f, 1.2f, 2.5f, 3.4f, 5, 6};
    const std::string in = f32Npy("fp4.npy", {12}, x);
    const CliRun r = runCli({"calibrate", in, "--number-format", "fp4-e2m1", "--calibrators", "minmax", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["scheme"]["format"], "fp4-e2m1");
    EXPECT_EQ(j["scheme"]["bits"], 4);
    EXPECT_EQ(j["scheme"]["qmax"], 14);
    ASSERT_EQ(j["calibrators"].size(), 1u);
    const json& c = j["calibrators"][0];
    EXPECT_EQ(c["scale"], 1.0);
    EXPECT_TRUE(c["zero_point"].is_null());
    EXPECT_NEAR(c["mse"].get<double>(), 2.865 / 12, 1e-7);
    EXPECT_EQ(c["max_abs_error"], 1.0);
    EXPECT_EQ(c["clipped_fraction"], 0.0);
    // quantize writes each value's E2M1 bit pattern S.EE.M as one uint8 (0.5 = 0b0001, 1 = 0b0010,
    // 2 = 0b0100, 3 = 0b0101, 4 = 0b0110, 6 = 0b0111; negative +8; the zero level is +0):
    //   −6 → 15, −5 → −4 → 14, −2.5 → −2 → 12, −0.25 → 0, 0 → 0, 0.3 → 0.5 → 1, 0.75 → 1 → 2, 1.2 → 2,
    //   2.5 → 2 → 4, 3.4 → 3 → 5, 5 → 4 → 6, 6 → 7.
    const std::string codes = tempPath("fp4-codes.npy"), deq = tempPath("fp4-deq.npy");
    const CliRun q = runCli({"quantize", in, "--number-format", "fp4-e2m1", "--calibrator", "minmax", "--codes", codes,
                             "--dequant", deq, "--json"});
    ASSERT_EQ(q.exitCode, 0) << q.err;
    const json qj = json::parse(q.out);
    EXPECT_EQ(qj["dtype"], "uint8");
    EXPECT_TRUE(qj["zero_point"].is_null());
    EXPECT_EQ(qj["scale"], 1.0);
    const Loaded stored = load(codes);
    EXPECT_EQ(stored.info.dtype, DType::U8);
    EXPECT_EQ(stored.raw, bytesOf(std::vector<uint8_t>{15, 14, 12, 0, 0, 1, 2, 2, 4, 5, 6, 7}));
    EXPECT_EQ(load(deq).floats, (std::vector<float>{-6, -4, -2, 0, 0, 0.5f, 1, 1, 2, 3, 4, 6}));
    // A level format takes its scale from a calibrator, and stores uint8 only.
    EXPECT_EQ(runCli({"quantize", in, "--number-format", "nf4", "--scale", "0.5"}).exitCode, 2);
    EXPECT_EQ(runCli({"quantize", in, "--number-format", "nf4", "--calibrator", "minmax", "--dtype", "int8"}).exitCode, 2);
    // A preset is a tool's integer conventions: combined with a level format it is a usage error.
    EXPECT_EQ(runCli({"calibrate", in, "--number-format", "fp8-e4m3", "--preset", "tensorrt"}).exitCode, 2);
}

TEST(CliHelp, EveryContractFlagIsDocumented) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> contract = {
        {"inspect", {"FILE", "--stats", "--json"}},
        {"export", {"FILE", "--tensor", "--out"}},
        {"quantize", {"IN", "--tensor", "--bits", "--scheme", "--granularity", "--calibrator", "--preset", "--scale",
                      "--zero-point", "--dtype", "--full-range", "--codes", "--dequant", "--json"}},
        {"calibrate", {"IN", "--tensor", "--bits", "--scheme", "--granularity", "--calibrators", "--preset", "--json",
                       "--number-format"}},
        {"report", {"FILE", "--bits", "--scheme", "--granularity", "--calibrators", "--format"}},
        {"gemm", {"--a", "--b", "--out", "--bias", "--a-zero-point", "--b-zero-point", "--a-scale", "--b-scale",
                  "--y-scale", "--y-zero-point", "--y-dtype", "--requant", "--calibrator", "--a-calibrator",
                  "--b-calibrator", "--out-fp32", "--json"}},
    };
    for (const auto& [cmd, flags] : contract) {
        const CliRun r = runCli({cmd, "--help"});
        EXPECT_EQ(r.exitCode, 0) << cmd;
        for (const auto& flag : flags) EXPECT_NE(r.out.find(flag), std::string::npos) << cmd << " --help lacks " << flag;
    }
    const CliRun top = runCli({"--help"});
    EXPECT_EQ(top.exitCode, 0);
    for (const char* cmd : {"inspect", "export", "quantize", "calibrate", "report", "gemm"})
        EXPECT_NE(top.out.find(cmd), std::string::npos) << cmd;
}

}  // namespace
}  // namespace qv::test
