// `quantviz-cli llamacpp`: each tensor as llama.cpp's legacy block types would store it. On stories260K the
// whole-model figures must be those of the real GGUF files llama.cpp wrote from the same F32 weights
// (../shared/models/README.md): the same relative RMS error and bits per weight.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/formats/model_file.h"
#include "core/formats/npy.h"
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
        if (t["kept"].is_null()) {
            ++quantized;
            EXPECT_EQ(t["types"].size(), 2u);
        } else if (t["kept"].get<std::string>().rfind("f16: rows of 172", 0) == 0) {
            ++f16;
        } else {
            EXPECT_EQ(t["kept"], "kept: 1-D");
            ++oneD;
        }
    }
    // The README's type counts of every quantized file: 32 quantized, 5 F16 (ffn_down), 11 F32 (norms).
    EXPECT_EQ(quantized, 32);
    EXPECT_EQ(f16, 5);
    EXPECT_EQ(oneD, 11);

    auto f32 = openModel(f32Path);
    ASSERT_TRUE(f32) << f32.message();
    for (const auto& [idx, path] : {std::pair{0, q80Path}, std::pair{1, q40Path}}) {
        auto q = openModel(path);
        ASSERT_TRUE(q) << q.message();
        // The file's own figures: Σ(x̂ − x)² / Σx² over every tensor, and its stored bits per weight.
        double sumSqErr = 0, sumSqX = 0, bits = 0, elements = 0;
        for (size_t i = 0; i < (*q)->tensors.size(); ++i) {
            const TensorInfo& info = (*q)->tensors[i];
            const TensorView a = (*f32)->view(*(*f32)->find(info.name)), b = (*q)->view(i);
            std::vector<float> x(a.elements()), y(b.elements());
            ASSERT_TRUE(a.read(0, x.size(), x.data()));
            ASSERT_TRUE(b.read(0, y.size(), y.data()));
            for (size_t k = 0; k < x.size(); ++k) {
                const double e = static_cast<double>(y[k]) - x[k];
                sumSqErr += e * e;
                sumSqX += static_cast<double>(x[k]) * x[k];
            }
            bits += bitsPerElement(info.dtype) * static_cast<double>(info.elements());
            elements += static_cast<double>(info.elements());
        }
        const json& m = j["model"][idx];
        EXPECT_EQ(m["type"], idx == 0 ? "q8_0" : "q4_0");
        EXPECT_NEAR(m["relative_rms"].get<double>(), std::sqrt(sumSqErr / sumSqX), 1e-9);
        EXPECT_NEAR(m["bits_per_weight"].get<double>(), bits / elements, 1e-12);
    }
}

TEST(CliLlamaCpp, UnknownTypeIsAUsageError) {
    const std::string path = tempPath("llamacpp-usage.npy");
    writeNpyF32(path, {1, 32}, std::vector<float>(32, 1.0f));
    const CliRun r = runCli({"llamacpp", path, "--types", "q4_k"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("'q4_k' is not one of q8_0, q5_1, q5_0, q4_1, q4_0"), std::string::npos) << r.err;
}

// One block of 32 values 0.5 as Q8_0, by hand: d = f16(0.5/127) = 0x1008 (≈ 0.0039368), every code 127,
// x̂ = 127·d = 0.49997… — the text table's row and the model line (bits 8.5 = 34 bytes per 32 weights).
TEST(CliLlamaCpp, TextTableOfOneBlock) {
    const std::string path = tempPath("llamacpp-block.npy");
    writeNpyF32(path, {1, 32}, std::vector<float>(32, 0.5f));
    const CliRun r = runCli({"llamacpp", path, "--types", "q8_0"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("q8_0       8.5"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("model as q8_0: 8.5 bits/weight"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace qv::test
