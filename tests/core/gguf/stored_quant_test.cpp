// Stored-quantization facts and error against a reference, on tensors whose error is worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "core/formats/gguf.h"
#include "core/formats/stored_quant.h"
#include "core/tensor/half.h"
#include "tests/core/gguf/gguf_writer.h"

namespace qv {
namespace {

using test::GgufWriter;

// Reference x = 1, 2, …, 32 (F32). Stored: one Q8_0 block with d = 1 and q = x except q[0] = 2 and
// q[31] = 30, so e[0] = +1, e[31] = −2 and every other error is 0.
//   Σe² = 1 + 4 = 5;  Σx² = 32·33·65/6 = 11440;  MSE = 5/32 = 0.15625;  max|e| = 2;
//   relative RMS = sqrt(5/11440) = 0.020906…;  SQNR = 10·log10(11440/5) = 33.5946… dB.
std::vector<std::byte> q8Block() {
    std::vector<std::byte> b(34, std::byte{0});
    const uint16_t one = 0x3C00;  // f16 1.0
    std::memcpy(b.data(), &one, 2);
    for (int i = 0; i < 32; ++i) b[2 + i] = static_cast<std::byte>(static_cast<int8_t>(i + 1));
    b[2] = static_cast<std::byte>(2);
    b[2 + 31] = static_cast<std::byte>(30);
    return b;
}

std::vector<float> ramp() {
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i + 1);
    return x;
}

ModelFile build(const GgufWriter& w, const std::string& name) {
    auto m = openGgufFromBytes(std::make_shared<OwnedBytes>(w.build()), name);
    EXPECT_TRUE(m) << m.message();
    return std::move(m).value();
}

TEST(StoredQuant, ErrorOfOneTensorByHand) {
    GgufWriter ref, q;
    ref.addTensor({"w", {32}, 0, test::f32Bytes(ramp()), {}, {}});
    q.addTensor({"w", {32}, 8, q8Block(), {}, {}});
    const ModelFile mr = build(ref, "ref.gguf"), mq = build(q, "q.gguf");
    auto e = compareStoredTensor(mq.view(0), mr.view(0));
    ASSERT_TRUE(e) << e.message();
    EXPECT_EQ(e->count, 32u);
    EXPECT_DOUBLE_EQ(e->sumSqError, 5.0);
    EXPECT_DOUBLE_EQ(e->sumSqReference, 11440.0);
    EXPECT_DOUBLE_EQ(e->mse, 0.15625);
    EXPECT_DOUBLE_EQ(e->maxAbsError, 2.0);
    EXPECT_NEAR(e->relativeRms, 0.0209061, 1e-7);
    EXPECT_NEAR(e->sqnrDb, 33.59456, 1e-5);
    // The same figures in quantviz's ErrorStats: RMSE = sqrt(0.15625) = 0.3953…, mean |e| = 3/32,
    // cosine = Σx·x̂ / (‖x‖·‖x̂‖) with Σx·x̂ = 11440 + 1·1 − 32·2 = 11377, Σx̂² = 11440 + (4 − 1) + (900 − 1024) = 11319.
    EXPECT_DOUBLE_EQ(e->stats.mse, 0.15625);
    EXPECT_DOUBLE_EQ(e->stats.rmse, std::sqrt(0.15625));
    EXPECT_DOUBLE_EQ(e->stats.meanAbsError, 3.0 / 32.0);
    EXPECT_DOUBLE_EQ(e->stats.maxAbsError, 2.0);
    EXPECT_NEAR(e->stats.sqnrDb, 33.59456, 1e-5);
    EXPECT_NEAR(e->stats.cosine, 11377.0 / std::sqrt(11440.0 * 11319.0), 1e-12);
    EXPECT_EQ(e->stats.count, 32u);
    EXPECT_EQ(e->storedType, DType::Q8_0);
    EXPECT_EQ(e->referenceType, DType::F32);

    const auto facts = storedQuantFacts(mq.tensors[0]);
    EXPECT_EQ(facts.typeName, "q8_0");
    EXPECT_DOUBLE_EQ(facts.bitsPerWeight, 8.5);  // 34 bytes · 8 / 32
    EXPECT_EQ(facts.blockElements, 32u);
    auto rec = storedReconstruction(mq.view(0));
    ASSERT_TRUE(rec);
    EXPECT_FLOAT_EQ((*rec)[0], 2.0f);
    EXPECT_FLOAT_EQ((*rec)[5], 6.0f);
    EXPECT_FLOAT_EQ((*rec)[31], 30.0f);
}

TEST(StoredQuant, WholeModelMatchesByNameAndReportsMismatches) {
    // Reference: w (the ramp), v = 32 × 0.5, extra (only in the reference).
    // Stored: w as above, v exact in F32 (error 0), only_here (no reference), shape_differs.
    // Whole model: Σe² = 5, Σx² = 11440 + 32·0.25 = 11448 → relative RMS = sqrt(5/11448).
    GgufWriter ref, q;
    ref.addTensor({"w", {32}, 0, test::f32Bytes(ramp()), {}, {}});
    ref.addTensor({"v", {32}, 0, test::f32Bytes(std::vector<float>(32, 0.5f)), {}, {}});
    ref.addTensor({"extra", {2}, 0, test::f32Bytes({1, 2}), {}, {}});
    ref.addTensor({"shape_differs", {4}, 0, test::f32Bytes({1, 2, 3, 4}), {}, {}});
    q.addTensor({"w", {32}, 8, q8Block(), {}, {}});
    q.addTensor({"v", {32}, 0, test::f32Bytes(std::vector<float>(32, 0.5f)), {}, {}});
    q.addTensor({"only_here", {2}, 0, test::f32Bytes({1, 2}), {}, {}});
    q.addTensor({"shape_differs", {2, 2}, 0, test::f32Bytes({1, 2, 3, 4}), {}, {}});
    const ModelFile mr = build(ref, "ref.gguf"), mq = build(q, "q.gguf");
    auto c = compareStoredModel(mq, mr);
    ASSERT_TRUE(c) << c.message();
    ASSERT_EQ(c->tensors.size(), 2u);
    EXPECT_EQ(c->tensors[0].name, "w");
    EXPECT_EQ(c->tensors[1].name, "v");
    EXPECT_DOUBLE_EQ(c->tensors[1].sumSqError, 0.0);
    EXPECT_TRUE(std::isinf(c->tensors[1].sqnrDb));
    ASSERT_EQ(c->unmatched.size(), 2u);
    EXPECT_EQ(c->unmatched[0], "only_here: not in the reference file");
    EXPECT_EQ(c->unmatched[1], "shape_differs: shape [2, 2] vs reference [4]");
    EXPECT_EQ(c->count, 64u);
    EXPECT_NEAR(c->relativeRms, std::sqrt(5.0 / 11448.0), 1e-12);
    EXPECT_DOUBLE_EQ(c->stats.mse, 5.0 / 64.0);  // whole model: Σe² over 64 compared elements
    EXPECT_NEAR(c->stats.sqnrDb, 10.0 * std::log10(11448.0 / 5.0), 1e-9);

    auto onlyQ = compareStoredModel(mq, mr, /*onlyQuantized=*/true);
    ASSERT_TRUE(onlyQ);
    ASSERT_EQ(onlyQ->tensors.size(), 1u);
    EXPECT_EQ(onlyQ->tensors[0].name, "w");
    EXPECT_TRUE(onlyQ->unmatched.empty());

    Progress p;
    p.cancel();
    auto cancelled = compareStoredModel(mq, mr, false, &p);
    ASSERT_FALSE(cancelled);
    EXPECT_NE(cancelled.message().find("cancelled"), std::string::npos);
}

TEST(StoredQuant, GroupScalesOfAStoredTensor) {
    // Two rows of 64 Q8_0 values (2 blocks per row), block k with d = 0.5·(k+1): steps 0.5, 1, 1.5, 2.
    std::vector<std::byte> data(4 * 34, std::byte{0});
    for (int k = 0; k < 4; ++k) {
        const uint16_t h = f32ToF16(0.5f * static_cast<float>(k + 1));
        std::memcpy(&data[k * 34], &h, 2);
    }
    GgufWriter q;
    q.addTensor({"w", {64, 2}, 8, data, {}, {}});
    const ModelFile mq = build(q, "q.gguf");
    auto g = storedGroupScales(mq.view(0));
    ASSERT_TRUE(g) << g.message();
    EXPECT_EQ(g->groupElements, 32u);
    EXPECT_EQ(g->groupsPerRow, 2u);
    EXPECT_EQ(g->step, (std::vector<float>{0.5f, 1.0f, 1.5f, 2.0f}));
    EXPECT_EQ(g->offset, (std::vector<float>{0, 0, 0, 0}));
    GgufWriter f;
    f.addTensor({"f", {2}, 0, test::f32Bytes({1, 2}), {}, {}});
    auto none = storedGroupScales(build(f, "f.gguf").view(0));
    ASSERT_FALSE(none);
    EXPECT_EQ(none.message(), "f: stored type f32 has no block scales (not a decoded ggml block type)");
}

TEST(StoredQuant, ResultDoesNotDependOnTheThreadCount) {
    // 4 × 65536 + 96 elements (five chunks, the last partial): reference x_i = sin(i), stored as Q8_0 whose
    // blocks all have d = 1/64 and q = round(64·x) (|x| ≤ 1 → |q| ≤ 64): e_i = q/64 − x_i, |e_i| ≤ 1/128.
    const size_t n = 4 * 65536 + 96;
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(std::sin(static_cast<double>(i)));
    std::vector<std::byte> q(n / 32 * 34);
    const uint16_t d = f32ToF16(1.0f / 64);
    for (size_t blk = 0; blk < n / 32; ++blk) {
        std::memcpy(&q[blk * 34], &d, 2);
        for (int j = 0; j < 32; ++j)
            q[blk * 34 + 2 + j] = static_cast<std::byte>(static_cast<int8_t>(std::lround(64.0f * x[blk * 32 + j])));
    }
    GgufWriter ref, st;
    ref.addTensor({"w", {n}, 0, test::f32Bytes(x), {}, {}});
    st.addTensor({"w", {n}, 8, q, {}, {}});
    const ModelFile mr = build(ref, "ref.gguf"), mq = build(st, "q.gguf");
    auto one = compareStoredTensor(mq.view(0), mr.view(0), nullptr, 1);
    auto two = compareStoredTensor(mq.view(0), mr.view(0), nullptr, 2);
    ASSERT_TRUE(one && two);
    EXPECT_EQ(one->count, n);
    EXPECT_EQ(one->sumSqError, two->sumSqError);  // bit-identical: per-chunk sums merged in chunk order
    EXPECT_EQ(one->sumSqReference, two->sumSqReference);
    EXPECT_LE(one->maxAbsError, 1.0 / 128 + 1e-7);
    // Rounding error uniform on ±1/128: MSE ≈ (1/64)²/12 = 2.03e-5.
    EXPECT_NEAR(one->mse, 1.0 / (64.0 * 64.0 * 12.0), 0.1 / (64.0 * 64.0 * 12.0));
}

TEST(StoredQuant, IqGridTypeIsNamedAndReconstructed) {
    // IQ2_XXS, one block: f16 d = 1 (0x3C00), the rest zero → grid point 0 (all levels 8), no signs, scale 0:
    // every weight is 1·(0.5 + 0)·0.25·8 = 1.
    std::vector<std::byte> block(66, std::byte{0});
    block[1] = std::byte{0x3C};
    GgufWriter q;
    q.addTensor({"iq", {256}, 16, block, {}, {}});
    const ModelFile mq = build(q, "iq.gguf");
    const auto facts = storedQuantFacts(mq.tensors[0]);
    EXPECT_EQ(facts.typeName, "iq2_xxs");
    EXPECT_DOUBLE_EQ(facts.bitsPerWeight, 2.0625);  // 66 · 8 / 256
    EXPECT_TRUE(facts.blockQuantized);
    EXPECT_TRUE(facts.decodable);
    auto rec = storedReconstruction(mq.view(0));
    ASSERT_TRUE(rec) << rec.message();
    ASSERT_EQ(rec->size(), 256u);
    for (float v : *rec) EXPECT_EQ(v, 1.0f);
    // Its scales are not a step·code grid, so no group scales are claimed (see ggmlGroupLayout).
    auto groups = storedGroupScales(mq.view(0));
    ASSERT_FALSE(groups);
    EXPECT_EQ(groups.message(), "iq: stored type iq2_xxs has no step·code block scales (an IQ grid type: codebook "
                                "points with per-weight signs)");
}

}  // namespace
}  // namespace qv
