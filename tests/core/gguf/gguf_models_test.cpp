// Real GGUF files from ../shared/models: structure facts, and the reconstruction error of every quantized
// file against its F32 twin — an end-to-end check of each block decoder on trained weights.
#include <gtest/gtest.h>

#include <cctype>

#include <cmath>
#include <map>

#include "core/formats/gguf.h"
#include "core/formats/model_file.h"
#include "core/formats/stored_quant.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// The README's figures are given to 2–3 significant digits; a decoder with a wrong bit position or scale
// lands far outside ±5 % (typically at 0.3–1.0 or more), while rounding of the printed figure stays inside.
constexpr double kRelativeTolerance = 0.05;

std::map<DType, int> countTypes(const ModelFile& m) {
    std::map<DType, int> n;
    for (const auto& t : m.tensors) ++n[t.dtype];
    return n;
}

TEST(GgufModels, Stories260KF32Facts) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.gguf");
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    const ModelFile& f = **m;
    EXPECT_EQ(f.format, "gguf");
    ASSERT_EQ(f.tensors.size(), 48u);
    EXPECT_EQ(countTypes(f)[DType::F32], 48);
    EXPECT_EQ(f.totalElements(), 292800u);
    auto e = f.find("token_embd.weight");
    ASSERT_TRUE(e);
    // GGUF dims [64, 512] (64 values per row, 512 rows) → numpy shape [512, 64].
    EXPECT_EQ(f.tensors[*e].shape, (std::vector<int64_t>{512, 64}));
    bool sawVersion = false;
    for (const auto& kv : f.metadata)
        if (kv.key == "GGUF.version") {
            EXPECT_EQ(kv.value, "3");
            sawVersion = true;
        }
    EXPECT_TRUE(sawVersion);
}

TEST(GgufModels, Stories260KQ4_0TypeCounts) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-q4_0.gguf");
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    auto n = countTypes(**m);
    EXPECT_EQ(n[DType::Q4_0], 32);
    EXPECT_EQ(n[DType::F32], 11);
    EXPECT_EQ(n[DType::F16], 5);
    EXPECT_EQ((*m)->tensors.size(), 48u);
    // A Q4_0 tensor's stored facts: 4.5 bits per weight (18 bytes per 32).
    for (const auto& t : (*m)->tensors) {
        if (t.dtype != DType::Q4_0) continue;
        const auto facts = storedQuantFacts(t);
        EXPECT_EQ(facts.typeName, "q4_0");
        EXPECT_DOUBLE_EQ(facts.bitsPerWeight, 4.5);
        EXPECT_TRUE(facts.blockQuantized);
        EXPECT_TRUE(facts.decodable);
        break;
    }
}

TEST(GgufModels, HeyJarvisQ4_KTypeCounts) {
    QV_REQUIRE_SHARED_MODEL(path, "hey_jarvis/hey_jarvis_v0.1-q4_k.gguf");
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    auto n = countTypes(**m);
    EXPECT_EQ(n[DType::Q4_K], 2);
    EXPECT_EQ(n[DType::Q5_0], 2);
    EXPECT_EQ(n[DType::F32], 16);
    EXPECT_EQ((*m)->tensors.size(), 20u);
    // The Q4_K tensors' stored groups: rows of 1536 → 48 sub-blocks of 32 per row; every decoded weight
    // lies in its sub-block's range [offset, offset + 15·step] (steps d·sc ≥ 0).
    int checked = 0;
    for (size_t i = 0; i < (*m)->tensors.size(); ++i) {
        const TensorInfo& t = (*m)->tensors[i];
        if (t.dtype != DType::Q4_K) continue;
        auto g = storedGroupScales((*m)->view(i));
        ASSERT_TRUE(g) << g.message();
        EXPECT_EQ(g->groupElements, 32u);
        EXPECT_EQ(g->groupsPerRow, static_cast<uint64_t>(t.shape.back()) / 32);
        auto values = storedReconstruction((*m)->view(i));
        ASSERT_TRUE(values);
        ASSERT_EQ(g->step.size() * 32, values->size());
        for (size_t e = 0; e < values->size(); ++e) {
            const float step = g->step[e / 32], offset = g->offset[e / 32];
            ASSERT_GE(step, 0.0f);
            ASSERT_GE((*values)[e], offset - 1e-6f) << t.name << " element " << e;
            ASSERT_LE((*values)[e], offset + 15 * step + 1e-6f) << t.name << " element " << e;
        }
        ++checked;
    }
    EXPECT_EQ(checked, 2);
}

struct Figure {
    const char* quantized;
    const char* reference;
    double relativeRms;  // README figure; < 0: no figure, report only
};

void checkFigure(const Figure& fig) {
    const std::string q = test::sharedModel(fig.quantized);
    const std::string r = test::sharedModel(fig.reference);
    if (q.empty() || r.empty()) GTEST_SKIP() << "../shared/models/" << fig.quantized << " is absent; skipping (real-model test)";
    auto mq = openModel(q);
    auto mr = openModel(r);
    ASSERT_TRUE(mq) << mq.message();
    ASSERT_TRUE(mr) << mr.message();
    auto c = compareStoredModel(**mq, **mr);
    ASSERT_TRUE(c) << c.message();
    for (const auto& u : c->unmatched) ADD_FAILURE() << fig.quantized << ": unmatched " << u;
    EXPECT_EQ(c->tensors.size(), (*mq)->tensors.size());
    EXPECT_EQ(c->count, (*mr)->totalElements());
    std::cout << "[ figure   ] " << fig.quantized << ": whole-model relative RMS error vs F32 = " << c->relativeRms
              << " (SQNR " << c->sqnrDb << " dB)";
    if (fig.relativeRms > 0) std::cout << "; README ≈ " << fig.relativeRms;
    std::cout << "\n";
    if (fig.relativeRms > 0)
        EXPECT_NEAR(c->relativeRms, fig.relativeRms, kRelativeTolerance * fig.relativeRms) << fig.quantized;
    else
        EXPECT_LT(c->relativeRms, 0.5) << fig.quantized;  // no README figure: at least a sane reconstruction
}

class GgufFigures : public ::testing::TestWithParam<Figure> {};

TEST_P(GgufFigures, RelativeRmsErrorMatchesReadme) { checkFigure(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    SharedModels, GgufFigures,
    ::testing::Values(
        Figure{"stories260K/stories260K-q8_0.gguf", "stories260K/stories260K-f32.gguf", 0.005},
        Figure{"stories260K/stories260K-q5_1.gguf", "stories260K/stories260K-f32.gguf", 0.035},
        Figure{"stories260K/stories260K-q4_0.gguf", "stories260K/stories260K-f32.gguf", 0.078},
        Figure{"stories260K/stories260K-iq4_nl.gguf", "stories260K/stories260K-f32.gguf", 0.072},
        Figure{"stories260K/stories260K-q5_0.gguf", "stories260K/stories260K-f32.gguf", -1},
        Figure{"stories260K/stories260K-q4_1.gguf", "stories260K/stories260K-f32.gguf", -1},
        Figure{"stories260K/stories260K-f16.gguf", "stories260K/stories260K-f32.gguf", -1},
        Figure{"hey_jarvis/hey_jarvis_v0.1-q6_k.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", 0.015},
        Figure{"hey_jarvis/hey_jarvis_v0.1-q5_k.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", 0.031},
        Figure{"hey_jarvis/hey_jarvis_v0.1-q4_k.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", 0.059},
        Figure{"hey_jarvis/hey_jarvis_v0.1-q3_k.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", 0.122},
        Figure{"hey_jarvis/hey_jarvis_v0.1-q2_k.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", 0.237},
        Figure{"hey_jarvis/hey_jarvis_v0.1-q8_0.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", -1},
        Figure{"hey_jarvis/hey_jarvis_v0.1-q4_0.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", -1},
        Figure{"hey_jarvis/hey_jarvis_v0.1-iq4_nl.gguf", "hey_jarvis/hey_jarvis_v0.1-f32.gguf", -1}),
    // Readable CTest names: the quantized file's stem (e.g. hey_jarvis_v0_1_q4_k).
    [](const ::testing::TestParamInfo<Figure>& info) {
        std::string n = info.param.quantized;
        n = n.substr(n.find('/') + 1);
        n = n.substr(0, n.rfind('.'));
        for (char& c : n)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        return n;
    });

TEST(GgufModels, F16TwinIsNearlyExact) {
    // F16 storage of weights of magnitude ≲ 1 keeps 11 significant bits: relative error ≈ 2^-12 ≈ 2.4e-4 at most.
    QV_REQUIRE_SHARED_MODEL(q, "stories260K/stories260K-f16.gguf");
    QV_REQUIRE_SHARED_MODEL(r, "stories260K/stories260K-f32.gguf");
    auto mq = openModel(q);
    auto mr = openModel(r);
    ASSERT_TRUE(mq && mr);
    auto c = compareStoredModel(**mq, **mr);
    ASSERT_TRUE(c) << c.message();
    EXPECT_LT(c->relativeRms, 3e-4);
    EXPECT_GT(c->relativeRms, 0.0);
}

}  // namespace
}  // namespace qv
