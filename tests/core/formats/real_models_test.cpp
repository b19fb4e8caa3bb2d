// Real safetensors files from ../shared/models: counts, shapes, dtypes and values checked against an
// independent reader (python3's json + struct on the raw header), and f16/bf16 twins against f32.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/formats/model_file.h"
#include "core/tensor/half.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

std::shared_ptr<const ModelFile> open(const std::string& path) {
    auto m = openModel(path);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.message());
    return m.ok() ? *m : nullptr;
}

std::vector<float> tensorValues(const ModelFile& m, std::string_view name) {
    auto i = m.find(name);
    EXPECT_TRUE(i.has_value()) << name;
    if (!i) return {};
    auto v = m.view(*i).toFloat();
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : std::vector<float>{};
}

void expectStoriesLayout(const ModelFile& m, DType dtype) {
    // README: 47 tensors (output shares the embedding), 260 032 elements; dim 64, hidden 172,
    // 5 layers, 4 KV heads of 8 (wk/wv are 32 × 64), vocab 512.
    EXPECT_EQ(m.format, "safetensors");
    ASSERT_EQ(m.tensors.size(), 47u);
    EXPECT_EQ(m.totalElements(), 260032u);
    for (const auto& t : m.tensors) EXPECT_EQ(t.dtype, dtype) << t.name;
    EXPECT_EQ(m.tensors.front().name, "tok_embeddings.weight");
    EXPECT_EQ(m.tensors.front().shape, (std::vector<int64_t>{512, 64}));
    EXPECT_EQ(m.tensors.back().name, "norm.weight");
    EXPECT_EQ(m.tensors.back().shape, (std::vector<int64_t>{64}));
    EXPECT_EQ(m.tensors[*m.find("layers.0.attention.wk.weight")].shape, (std::vector<int64_t>{32, 64}));
    EXPECT_EQ(m.tensors[*m.find("layers.4.feed_forward.w2.weight")].shape, (std::vector<int64_t>{64, 172}));
    EXPECT_EQ(m.tensors[*m.find("layers.3.feed_forward.w1.weight")].shape, (std::vector<int64_t>{172, 64}));
    ASSERT_EQ(m.metadata.size(), 2u);
    EXPECT_EQ(m.metadata[0].key, "format");
    EXPECT_EQ(m.metadata[0].value, "pt");
    EXPECT_NE(m.metadata[1].value.find("stories260K"), std::string::npos);
}

TEST(RealSafetensors, Stories260KF32) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.safetensors");
    auto m = open(path);
    ASSERT_TRUE(m);
    expectStoriesLayout(*m, DType::F32);
    // Bit patterns read with python3 struct.unpack('<f') from the file.
    auto emb = tensorValues(*m, "tok_embeddings.weight");
    ASSERT_EQ(emb.size(), 32768u);
    EXPECT_EQ(std::bit_cast<uint32_t>(emb[0]), 0xbe96e950u);   // -0.29474878
    EXPECT_EQ(std::bit_cast<uint32_t>(emb[1]), 0x3f0fd864u);   // 0.56189561
    EXPECT_EQ(std::bit_cast<uint32_t>(emb[100]), 0x3e8ceff8u); // 0.27526832
    auto w2 = tensorValues(*m, "layers.4.feed_forward.w2.weight");
    EXPECT_EQ(std::bit_cast<uint32_t>(w2[0]), 0xbd44400eu);    // -0.04791265
    auto norm = tensorValues(*m, "norm.weight");
    EXPECT_FLOAT_EQ(norm[0], 2.4583089351654053f);
    EXPECT_FLOAT_EQ(norm[63], 1.7077769041061401f);
    EXPECT_NE(m->view(0).directF32(), nullptr);  // zero-copy path for aligned f32
}

// The f16 and bf16 files were converted from the f32 weights with round-to-nearest-even, so every
// element equals our own rounding of the f32 value; and lies within half a unit in the last place.
void crossCheck(const char* rel, DType dtype) {
    const std::string f32Path = test::sharedModel("stories260K/stories260K-f32.safetensors");
    const std::string path = test::sharedModel(rel);
    if (f32Path.empty() || path.empty()) GTEST_SKIP() << "../shared/models/stories260K is absent; skipping (real-model test)";
    auto ref = open(f32Path);
    auto m = open(path);
    ASSERT_TRUE(ref && m);
    expectStoriesLayout(*m, dtype);
    const double relHalfUlp = dtype == DType::F16 ? std::ldexp(1.0, -11) : std::ldexp(1.0, -8);
    size_t checked = 0, exactRne = 0;
    for (size_t i = 0; i < m->tensors.size(); ++i) {
        auto a = ref->view(i).toFloat();
        auto b = m->view(i).toFloat();
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(a->size(), b->size());
        for (size_t k = 0; k < a->size(); ++k) {
            const float x = (*a)[k];
            const float y = (*b)[k];
            const float rne = dtype == DType::F16 ? f16ToF32(f32ToF16(x)) : bf16ToF32(f32ToBf16(x));
            exactRne += (y == rne);
            ASSERT_LE(std::fabs(static_cast<double>(y) - x), std::fabs(x) * relHalfUlp + std::ldexp(1.0, -25))
                << m->tensors[i].name << "[" << k << "]";
            ++checked;
        }
    }
    EXPECT_EQ(checked, 260032u);
    EXPECT_EQ(exactRne, checked);
}

TEST(RealSafetensors, Stories260KF16MatchesF32) { crossCheck("stories260K/stories260K-f16.safetensors", DType::F16); }
TEST(RealSafetensors, Stories260KBf16MatchesF32) { crossCheck("stories260K/stories260K-bf16.safetensors", DType::BF16); }

TEST(RealSafetensors, Gpt2LoraAdapter) {
    QV_REQUIRE_SHARED_MODEL(path, "gpt2-lora/adapter_model.safetensors");
    auto m = open(path);
    ASSERT_TRUE(m);
    // python3 json on the header: 25 F32 tensors (score head + lora_A/lora_B for 12 c_attn), 299 520 elements.
    ASSERT_EQ(m->tensors.size(), 25u);
    EXPECT_EQ(m->totalElements(), 299520u);
    EXPECT_EQ(m->tensors[0].name, "base_model.model.score.weight");
    EXPECT_EQ(m->tensors[0].shape, (std::vector<int64_t>{6, 768}));
    auto a = m->find("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight");
    auto b = m->find("base_model.model.transformer.h.11.attn.c_attn.lora_B.weight");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(m->tensors[*a].shape, (std::vector<int64_t>{8, 768}));
    EXPECT_EQ(m->tensors[*b].shape, (std::vector<int64_t>{2304, 8}));
    for (const auto& t : m->tensors) EXPECT_EQ(t.dtype, DType::F32);
    auto score = tensorValues(*m, "base_model.model.score.weight");
    EXPECT_FLOAT_EQ(score[0], 0.05781818553805351f);
    EXPECT_FLOAT_EQ(score[767], -0.0018660523928701878f);
    ASSERT_EQ(m->metadata.size(), 1u);
    EXPECT_EQ(m->metadata[0].value, "pt");
    // README: lora_B was trained (PEFT initialises it to zero): its values are not all zero.
    auto lb = tensorValues(*m, "base_model.model.transformer.h.11.attn.c_attn.lora_B.weight");
    double ss = 0;
    for (float v : lb) ss += double{v} * v;
    EXPECT_GT(std::sqrt(ss / lb.size()), 0.01);
}

TEST(RealSafetensors, MnistTinygrad) {
    QV_REQUIRE_SHARED_MODEL(path, "mnist-tinygrad/model.safetensors");
    auto m = open(path);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->tensors.size(), 2u);
    EXPECT_EQ(m->tensors[0].name, "l1.weight");
    EXPECT_EQ(m->tensors[0].shape, (std::vector<int64_t>{128, 784}));
    EXPECT_EQ(m->tensors[1].shape, (std::vector<int64_t>{10, 128}));
    EXPECT_EQ(m->totalElements(), 101632u);
    EXPECT_TRUE(m->metadata.empty());
    auto l2 = tensorValues(*m, "l2.weight");
    EXPECT_FLOAT_EQ(l2[0], 0.004300938919186592f);
    EXPECT_FLOAT_EQ(l2[1279], -0.047899890691041946f);
}

// Every .safetensors under ../shared/models opens, and every tensor converts to finite floats.
TEST(RealSafetensors, EveryFileOpensAndReads) {
    const std::string dir = test::sharedModelsDir();
    if (dir.empty()) GTEST_SKIP() << "../shared/models is absent; skipping (real-model test)";
    size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (e.path().extension() != ".safetensors") continue;
        ++files;
        auto m = open(e.path().string());
        ASSERT_TRUE(m) << e.path();
        EXPECT_FALSE(m->tensors.empty()) << e.path();
        for (size_t i = 0; i < m->tensors.size(); ++i) {
            auto v = m->view(i).toFloat();
            ASSERT_TRUE(v.ok()) << e.path() << " " << m->tensors[i].name;
            for (float x : *v) ASSERT_TRUE(std::isfinite(x)) << e.path() << " " << m->tensors[i].name;
        }
    }
    EXPECT_EQ(files, 5u);  // stories260K f32/f16/bf16, gpt2-lora adapter, mnist-tinygrad
}

}  // namespace
}  // namespace qv
