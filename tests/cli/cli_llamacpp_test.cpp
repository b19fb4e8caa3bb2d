// `quantviz-cli llamacpp`: each tensor as llama.cpp's legacy block types would store it. On stories260K the
// whole-model figures must be those of the real GGUF files llama.cpp wrote from the same F32 weights
// (../shared/models/README.md): the same relative RMS error and bits per weight.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/formats/model_file.h"
#include "core/formats/npy.h"
#include "core/metrics/ggml_requant.h"
#include "tests/cli/cli_runner.h"
#include "tests/support/test_support.h"

namespace qv::test {
namespace {

using json = nlohmann::json;

void writeNpyF32(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& v) {
    std::vector<std::byte> bytes(v.size() * sizeof(float));
    std::memcpy(bytes.data(), v.data(), bytes.size());
    const Status st = writeNpy(path, DType::F32, shape, bytes);
    ASSERT_TRUE(st.ok()) << (st.ok() ? "" : st.message());
}

// The file's own figures: Σ(x̂ − x)² / Σx² over every tensor against the F32 original, and its stored bits
// per weight (tensor data only).
std::pair<double, double> fileFigures(const std::string& f32Path, const std::string& qPath) {
    auto f32 = openModel(f32Path);
    auto q = openModel(qPath);
    EXPECT_TRUE(f32 && q);
    if (!f32 || !q) return {0, 0};
    double sumSqErr = 0, sumSqX = 0, bits = 0, elements = 0;
    for (size_t i = 0; i < (*q)->tensors.size(); ++i) {
        const TensorInfo& info = (*q)->tensors[i];
        const TensorView a = (*f32)->view(*(*f32)->find(info.name)), b = (*q)->view(i);
        std::vector<float> x(a.elements()), y(b.elements());
        EXPECT_TRUE(a.read(0, x.size(), x.data()));
        EXPECT_TRUE(b.read(0, y.size(), y.data()));
        for (size_t k = 0; k < x.size(); ++k) {
            const double e = static_cast<double>(y[k]) - x[k];
            sumSqErr += e * e;
            sumSqX += static_cast<double>(x[k]) * x[k];
        }
        bits += bitsPerElement(info.dtype) * static_cast<double>(info.elements());
        elements += static_cast<double>(info.elements());
    }
    return {std::sqrt(sumSqErr / sumSqX), bits / elements};
}

TEST(CliLlamaCpp, WholeModelEqualsTheRealQuantizedFiles) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    QV_REQUIRE_SHARED_MODEL(q40Path, "stories260K/stories260K-q4_0.gguf");
    QV_REQUIRE_SHARED_MODEL(q80Path, "stories260K/stories260K-q8_0.gguf");
    const CliRun r = runCli({"llamacpp", f32Path, "--types", "q8_0,q4_0", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["tensors"].size(), 48u);
    ASSERT_EQ(j["model"].size(), 2u);
    int f16 = 0, oneD = 0, quantized = 0;
    for (const auto& t : j["tensors"]) {
        if (!t["kept"].is_null()) {
            EXPECT_EQ(t["kept"], "1-D: kept as f32");
            EXPECT_TRUE(t["types"].empty());
            ++oneD;
            continue;
        }
        ASSERT_EQ(t["types"].size(), 2u);
        const std::string written = t["types"][1]["written_as"];
        if (written == "f16") ++f16;
        else if (written == "q4_0") ++quantized;
    }
    // The README's type counts of every quantized file: 32 quantized, 5 F16 (ffn_down), 11 F32 (norms).
    EXPECT_EQ(quantized, 32);
    EXPECT_EQ(f16, 5);
    EXPECT_EQ(oneD, 11);
    for (const auto& [idx, path] : {std::pair{0, q80Path}, std::pair{1, q40Path}}) {
        const auto [rel, bpw] = fileFigures(f32Path, path);
        const json& m = j["model"][idx];
        EXPECT_EQ(m["type"], idx == 0 ? "q8_0" : "q4_0");
        EXPECT_NEAR(m["relative_rms"].get<double>(), rel, 1e-9);
        EXPECT_NEAR(m["bits_per_weight"].get<double>(), bpw, 1e-12);
    }
}

// The K-quants on hey_jarvis (rows of 1536; its 128- and 64-wide matrices fall back to q5_0 / q5_1 / q8_0,
// and to q5_0 for q3_K and q2_K): the whole-model figures equal those of the real Q2_K … Q6_K files (the
// README's relative RMS: q6_k 0.015, q5_k 0.031, q4_k 0.059, q3_k 0.122, q2_k 0.237).
TEST(CliLlamaCpp, KQuantsWithFallbacksEqualTheRealFiles) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    const CliRun r = runCli({"llamacpp", f32Path, "--types", "q4_K,q5_K,q6_K,q3_K,q2_K,iq4_nl", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    for (const auto& t : j["tensors"])
        if (t["name"] == "model.4.weight") {
            EXPECT_EQ(t["types"][0]["written_as"], "q5_0");
            EXPECT_EQ(t["types"][1]["written_as"], "q5_1");
            EXPECT_EQ(t["types"][2]["written_as"], "q8_0");
        }
    const char* files[] = {"hey_jarvis/hey_jarvis_v0.1-q4_k.gguf", "hey_jarvis/hey_jarvis_v0.1-q5_k.gguf",
                           "hey_jarvis/hey_jarvis_v0.1-q6_k.gguf", "hey_jarvis/hey_jarvis_v0.1-q3_k.gguf",
                           "hey_jarvis/hey_jarvis_v0.1-q2_k.gguf", "hey_jarvis/hey_jarvis_v0.1-iq4_nl.gguf"};
    for (int k = 0; k < 6; ++k) {
        QV_REQUIRE_SHARED_MODEL(path, files[k]);
        const auto [rel, bpw] = fileFigures(f32Path, path);
        EXPECT_NEAR(j["model"][k]["relative_rms"].get<double>(), rel, 1e-9) << files[k];
        EXPECT_NEAR(j["model"][k]["bits_per_weight"].get<double>(), bpw, 1e-12) << files[k];
    }
}

// IQ4_XS on hey_jarvis (no reference file exists: the figures are checked against IQ4_NL, Q4_0 and the bits
// worked out by hand). Its rows of 1536 are whole super-blocks; the 128- and 64-wide matrices fall back to
// iq4_nl (llama-quant.cpp). Bits per weight: model.1 and verifier_model.1 (196,608 + 98,304 weights) at
// 136·8/256 = 4.25, model.4 and verifier_model.4 (16,384 + 4,096) at 4.5, the 1,346 values of the 1-D tensors
// kept as f32 (32): (294,912·4.25 + 20,480·4.5 + 1,346·32)/316,738. The model's error sits within 3% above
// IQ4_NL's (the 6-bit block scales) and below Q4_0's.
TEST(CliLlamaCpp, Iq4XsWithItsIq4NlFallback) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    const CliRun r = runCli({"llamacpp", f32Path, "--types", "iq4_xs,iq4_nl,q4_0", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    int seen = 0;
    for (const auto& t : j["tensors"]) {
        if (t["name"] == "model.1.weight" || t["name"] == "verifier_model.1.weight") {
            EXPECT_EQ(t["types"][0]["written_as"], "iq4_xs");
            EXPECT_DOUBLE_EQ(t["types"][0]["bits_per_weight"].get<double>(), 4.25);
            ++seen;
        }
        if (t["name"] == "model.4.weight" || t["name"] == "verifier_model.4.weight") {
            EXPECT_EQ(t["types"][0]["written_as"], "iq4_nl");
            EXPECT_EQ(t["types"][0]["mse"], t["types"][1]["mse"]);  // the same iq4_nl bytes
            ++seen;
        }
    }
    EXPECT_EQ(seen, 4);
    ASSERT_EQ(j["model"].size(), 3u);
    EXPECT_EQ(j["model"][0]["type"], "iq4_xs");
    const double bpw = (294912 * 4.25 + 20480 * 4.5 + 1346 * 32.0) / 316738;
    EXPECT_NEAR(j["model"][0]["bits_per_weight"].get<double>(), bpw, 1e-12);
    const double xs = j["model"][0]["relative_rms"], nl = j["model"][1]["relative_rms"], q40 = j["model"][2]["relative_rms"];
    EXPECT_GE(xs, nl);  // the same searches, then the block scales rounded to 6 bits
    EXPECT_LE(xs, nl * 1.03);
    EXPECT_LT(xs, q40);
}

TEST(CliLlamaCpp, UnknownTypeIsAUsageError) {
    const std::string path = tempPath("llamacpp-usage.npy");
    writeNpyF32(path, {1, 32}, std::vector<float>(32, 1.0f));
    const CliRun r = runCli({"llamacpp", path, "--types", "iq2_xxs"});
    EXPECT_EQ(r.exitCode, 2);
    // The list the message gives (iq4_xs comes after q4_0 once the command lists it).
    EXPECT_NE(r.err.find("'iq2_xxs' is not one of q8_0, q6_K, q5_1, q5_K, q5_0, q4_1, q4_K, iq4_nl, q4_0, "), std::string::npos)
        << r.err;
}

// Two rows of one block of 32 values 0.5 as Q8_0, by hand: d = f16(0.5/127) = 0x1C08 = 2^−8·(1 + 8/1024) ≈ 0.0039368 (0.5/127 = 2^−8·1.00787), every
// code 127, x̂ = 127·d — the text table's row and the model line (bits 8.5 = 34 bytes per 32 weights). A
// [1, 32] tensor would be kept: ggml counts it as 1-D.
TEST(CliLlamaCpp, TextTableOfOneBlock) {
    const std::string path = tempPath("llamacpp-block.npy");
    writeNpyF32(path, {2, 32}, std::vector<float>(64, 0.5f));
    const CliRun r = runCli({"llamacpp", path, "--types", "q8_0"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("q8_0           8.5"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("model as q8_0: 8.5 bits/weight"), std::string::npos) << r.out;
    const std::string row = runCli({"llamacpp", path, "--types", "q8_0", "--json"}).out;
    const json j = json::parse(row);
    const double d = std::ldexp(1.0 + 8.0 / 1024, -8);  // f16 0x1C08: exponent field 7 (2^−8), mantissa 8
    const double e = static_cast<double>(127.0f * static_cast<float>(d)) - 0.5;
    EXPECT_DOUBLE_EQ(j["tensors"][0]["types"][0]["max_abs_error"].get<double>(), std::fabs(e));
    writeNpyF32(path, {1, 32}, std::vector<float>(32, 0.5f));
    EXPECT_EQ(json::parse(runCli({"llamacpp", path, "--json"}).out)["tensors"][0]["kept"], "1-D: kept as f32");
}

// --preset: llama-quantize's Q4_K_M and Q3_K_M on stories260K (5 layers, GQA 2 from its metadata). The plan as
// worked out from llama-quant.cpp's rules (see tests/core/gguf/ggml_quant_mix_test.cpp): rows of 64 are no whole
// super-block, so output.weight gets q8_0; use_more_bits(i, 5) holds for attn_v / ffn_down 2 and 4 → q6_K, written
// as q8_0 (attn_v) and f16 (ffn_down, rows of 172). Bits by hand: 200 192 weights in q5_0, 36 864 in q8_0, 55 040 in
// f16 and 704 norm values in f32, over 292 800.
TEST(CliLlamaCpp, PresetPlanOnStories260K) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    const CliRun r = runCli({"llamacpp", f32Path, "--preset", "Q4_K_M,q3_k", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["presets"].size(), 2u);
    const json& p = j["presets"][0];
    EXPECT_EQ(p["preset"], "Q4_K_M");
    EXPECT_EQ(p["ftype"], 15);
    EXPECT_EQ(p["base"], "q4_K");
    EXPECT_EQ(p["facts"]["layers"], 5);
    EXPECT_EQ(p["facts"]["gqa"], 2);
    EXPECT_EQ(j["presets"][1]["preset"], "Q3_K_M");  // the alias
    ASSERT_EQ(p["tensors"].size(), 48u);
    int checked = 0;
    for (const auto& t : p["tensors"]) {
        const std::string name = t["name"];
        if (name == "output.weight") {
            EXPECT_EQ(t["chosen"], "q8_0");
            EXPECT_EQ(t["written_as"], "q8_0");
            ++checked;
        } else if (name == "blk.2.attn_v.weight" || name == "blk.4.attn_v.weight") {
            EXPECT_EQ(t["asked"], "q4_K");
            EXPECT_EQ(t["chosen"], "q6_K");
            EXPECT_EQ(t["written_as"], "q8_0");
            EXPECT_NE(t["reason"].get<std::string>().find("use_more_bits"), std::string::npos);
            ++checked;
        } else if (name == "blk.0.attn_v.weight") {
            EXPECT_EQ(t["chosen"], "q4_K");
            EXPECT_EQ(t["written_as"], "q5_0");
            ++checked;
        } else if (name == "blk.4.ffn_down.weight") {
            EXPECT_EQ(t["chosen"], "q6_K");
            EXPECT_EQ(t["written_as"], "f16");
            ++checked;
        } else if (name == "blk.0.attn_norm.weight") {
            EXPECT_TRUE(t["kept"].get<bool>());
            ++checked;
        }
    }
    EXPECT_EQ(checked, 6);
    EXPECT_EQ(p["bumped"], 5);  // output, attn_v 2 and 4, ffn_down 2 and 4
    const double bits = (200192 * 5.5 + 36864 * 8.5 + 55040 * 16.0 + 704 * 32.0) / 292800;
    EXPECT_NEAR(p["model"]["bits_per_weight"].get<double>(), bits, 1e-12);
    // Beside them, the presets' own types everywhere (q4_K, q3_K): the mix costs more bits and errs less.
    ASSERT_EQ(j["model"].size(), 2u);
    EXPECT_EQ(j["model"][0]["type"], "q4_K");
    EXPECT_GT(p["model"]["bits_per_weight"].get<double>(), j["model"][0]["bits_per_weight"].get<double>());
    EXPECT_LT(p["model"]["relative_rms"].get<double>(), j["model"][0]["relative_rms"].get<double>());
    // The text form: one line per tensor and the mix's model line, 2 317 568 bits / 292 800 = 7.915.
    const CliRun text = runCli({"llamacpp", f32Path, "--preset", "Q4_K_M"});
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("model as Q4_K_M: 7.915 bits/weight"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("model as q4_K (pure): 7.537 bits/weight"), std::string::npos) << text.out;
    // --tensor: the plan of the whole model, one tensor measured, no model totals.
    const CliRun one = runCli({"llamacpp", f32Path, "--preset", "Q4_K_M", "--tensor", "blk.2.attn_v.weight", "--json"});
    ASSERT_EQ(one.exitCode, 0) << one.err;
    const json jo = json::parse(one.out);
    ASSERT_EQ(jo["presets"][0]["tensors"].size(), 1u);
    EXPECT_EQ(jo["presets"][0]["tensors"][0]["written_as"], "q8_0");
    EXPECT_TRUE(jo["presets"][0]["model"].is_null());
}

TEST(CliLlamaCpp, GridPresetIsRefused) {
    const std::string path = tempPath("llamacpp-preset.npy");
    writeNpyF32(path, {2, 32}, std::vector<float>(64, 1.0f));
    const CliRun r = runCli({"llamacpp", path, "--preset", "IQ2_XXS"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("cannot encode"), std::string::npos) << r.err;
    EXPECT_EQ(runCli({"llamacpp", path, "--preset", "Q7_K"}).exitCode, 2);
    // A file without llama.cpp names: the plan is the preset's type everywhere, and says so.
    const CliRun ok = runCli({"llamacpp", path, "--preset", "Q4_0", "--json"});
    ASSERT_EQ(ok.exitCode, 0) << ok.err;
    const json j = json::parse(ok.out);
    EXPECT_EQ(j["presets"][0]["tensors"][0]["written_as"], "q4_0");
    EXPECT_FALSE(j["presets"][0]["notes"].empty());
}

// --imatrix: a legacy .dat (save_imatrix_legacy's layout: i32 entries; per entry i32 name length, name, i32 ncall,
// i32 nval, f32 mean·ncall) covering one tensor, by its llama.cpp name. Q4_0 encoded with it must predict a
// smaller output error (√(Σimp·e²/Σimp·x²)) than without it; Q8_0 ignores importance, so both are equal; the
// figures are the core's (ggmlRoundTrips with the importance).
TEST(CliLlamaCpp, ImatrixEncodesAsLlamaQuantizeWithIt) {
    const int64_t rows = 4, cols = 64;
    std::vector<float> x(size_t(rows * cols));
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * float(i)) * (1.0f + float(i % 7));
    const std::string dir = tempPath("imatrix-cli");
    std::filesystem::create_directories(dir);
    const std::string tensorPath = dir + "/blk.0.ffn_up.weight.npy", otherPath = dir + "/other.npy";
    writeNpyF32(tensorPath, {rows, cols}, x);
    writeNpyF32(otherPath, {rows, cols}, x);
    std::vector<float> importance(size_t(cols), 1.0f);
    for (size_t c = 0; c < 8; ++c) importance[c] = 100.0f;
    const std::string imPath = dir + "/imatrix.dat";
    {
        std::ofstream f(imPath, std::ios::binary);
        auto i32 = [&](int32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
        const std::string name = "blk.0.ffn_up.weight";
        i32(1);
        i32(int32_t(name.size()));
        f.write(name.data(), std::streamsize(name.size()));
        i32(2);  // ncall: stored values are mean·2
        i32(int32_t(cols));
        for (float v : importance) {
            const float stored = 2.0f * v;
            f.write(reinterpret_cast<const char*>(&stored), 4);
        }
    }
    const CliRun r = runCli({"llamacpp", tensorPath, "--types", "q4_0,q8_0", "--imatrix", imPath, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["tensors"].size(), 1u);
    EXPECT_EQ(j["tensors"][0]["imatrix"], "blk.0.ffn_up.weight");
    EXPECT_EQ(j["imatrix"]["tensors_with_importance"], 1);
    const json& q4 = j["tensors"][0]["types"][0];
    const json& q8 = j["tensors"][0]["types"][1];
    EXPECT_LT(q4["weighted_relative_rms"].get<double>(), 0.95 * q4["weighted_relative_rms_without_imatrix"].get<double>());
    EXPECT_EQ(q8["weighted_relative_rms"].get<double>(), q8["weighted_relative_rms_without_imatrix"].get<double>());
    auto model = openModel(tensorPath);
    ASSERT_TRUE(model) << model.message();
    auto with = ggmlRoundTrips((*model)->view(0), {DType::Q4_0}, GgmlImportance{importance, true});
    auto without = ggmlRoundTrips((*model)->view(0), {DType::Q4_0}, GgmlImportance{importance, false});
    ASSERT_TRUE(with && without);
    EXPECT_NEAR(q4["weighted_relative_rms"].get<double>(), std::sqrt((*with)[0].weighted.relative()), 1e-9);
    EXPECT_NEAR(q4["weighted_relative_rms_without_imatrix"].get<double>(), std::sqrt((*without)[0].weighted.relative()),
                1e-9);
    EXPECT_NEAR(q4["relative_rms"].get<double>(), std::sqrt((*with)[0].sums.sumSqErr / (*with)[0].sums.sumSqX), 1e-9);
    // One tensor: the model's weighted figures are the tensor's.
    EXPECT_EQ(j["model"][0]["weighted_relative_rms"], q4["weighted_relative_rms"]);

    // A tensor the imatrix does not cover is encoded without one (as llama-quantize does), and said so.
    const CliRun other = runCli({"llamacpp", otherPath, "--types", "q4_0", "--imatrix", imPath, "--json"});
    ASSERT_EQ(other.exitCode, 0) << other.err;
    const json jo = json::parse(other.out);
    EXPECT_EQ(jo["tensors"][0]["imatrix"], "");
    EXPECT_FALSE(jo["tensors"][0]["types"][0].contains("weighted_relative_rms"));
    EXPECT_EQ(jo["imatrix"]["tensors_with_importance"], 0);

    // With --preset the plan is made as llama-quantize's with an imatrix and the covered tensor encoded with it:
    // one tensor, so the model's importance-weighted figure is the tensor's q4_0 one above.
    const CliRun preset = runCli({"llamacpp", tensorPath, "--preset", "Q4_0", "--imatrix", imPath, "--json"});
    ASSERT_EQ(preset.exitCode, 0) << preset.err;
    const json jp = json::parse(preset.out);
    EXPECT_EQ(jp["presets"][0]["model"]["tensors_with_importance"], 1);
    EXPECT_EQ(jp["presets"][0]["tensors"][0]["imatrix"], true);
    EXPECT_NEAR(jp["presets"][0]["model"]["weighted_relative_rms"].get<double>(),
                q4["weighted_relative_rms"].get<double>(), 1e-12);

    // A damaged imatrix is a data error with the reader's message.
    const std::string bad = dir + "/bad.dat";
    {
        std::ofstream f(bad, std::ios::binary);
        f.write("\x05\x00", 2);
    }
    const CliRun broken = runCli({"llamacpp", tensorPath, "--imatrix", bad});
    EXPECT_NE(broken.exitCode, 0);
    EXPECT_NE(broken.err.find("bad.dat"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace qv::test
