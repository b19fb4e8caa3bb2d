// ggmlRequantDetail ("see the damage" of one llama.cpp type): per-row error, the worst blocks and their share,
// the error histogram and envelope, on tensors whose round trip is worked out by hand, and pooled back to the
// table's total on a real layer.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "core/base/byte_source.h"
#include "core/formats/model_file.h"
#include "core/metrics/ggml_requant.h"
#include "tests/support/tensor_view_builder.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

TensorView viewOf(const std::vector<float>& v, std::vector<int64_t> shape) {
    return test::viewOf(v, DType::F32, std::move(shape));
}

double sumSq(const std::vector<float>& v, size_t first, size_t count) {
    double s = 0;
    for (size_t i = first; i < first + count; ++i) s += static_cast<double>(v[i]) * v[i];
    return s;
}

// Q8_0 (ggml-quants.c quantize_row_q8_0_ref): d = amax/127, q = roundf(x/d), x̂ = q·d. Every block of this
// 2 × 64 tensor holds ±127, so d = 1 (exact in f16) and integers come back exactly; two elements are not
// integers: row 0, column 5 holds 3.5 → roundf = 4 (half away from zero), e = +0.5; row 1, column 40 holds
// 10.25 → 10, e = −0.25. Σe² = 0.25 + 0.0625 = 0.3125: block (row 0, columns 0–31) has 0.25/0.3125 = 80 %,
// block (row 1, columns 32–63) 20 %, the two others none.
TEST(GgmlRequantDetail, Q8_0ByHand) {
    std::vector<float> v(128);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
    for (size_t b = 0; b < 4; ++b) v[b * 32 + 1] = b % 2 ? -127.0f : 127.0f;
    v[5] = 3.5f;
    v[64 + 40] = 10.25f;
    GgmlDetailOptions o;
    o.errorLo = -1, o.errorHi = 1, o.errorBins = 4;
    o.valueLo = -128, o.valueHi = 128, o.valueBins = 256;
    Progress progress;
    auto d = ggmlRequantDetail(viewOf(v, {2, 64}), DType::Q8_0, o, &progress);
    ASSERT_TRUE(d) << d.message();
    EXPECT_EQ(d->written, DType::Q8_0);
    EXPECT_FALSE(d->kept);
    EXPECT_EQ(d->rowLength, 64u);
    EXPECT_EQ(d->blockElements, 32u);
    EXPECT_EQ(d->blocks, 4u);
    progress.setTotal(256);  // both ranges given: one pass, 128 elements added
    EXPECT_DOUBLE_EQ(progress.fraction(), 0.5);
    // Per row: Σe² 0.25 and 0.0625; SQNR = 10·log10(Σx²/Σe²) from the row's own values.
    ASSERT_EQ(d->rows.size(), 2u);
    EXPECT_DOUBLE_EQ(d->rowSums[0].sumSqErr, 0.25);
    EXPECT_DOUBLE_EQ(d->rowSums[1].sumSqErr, 0.0625);
    EXPECT_NEAR(d->rows[0].sqnrDb, 10 * std::log10(sumSq(v, 0, 64) / 0.25), 1e-9);
    EXPECT_NEAR(d->rows[1].sqnrDb, 10 * std::log10(sumSq(v, 64, 64) / 0.0625), 1e-9);
    EXPECT_DOUBLE_EQ(d->rows[0].maxAbsError, 0.5);
    EXPECT_DOUBLE_EQ(d->rows[1].maxAbsError, 0.25);
    EXPECT_EQ(d->rows[0].count, 64u);
    // The total is the table's (ggmlRequantError's sums, bit for bit).
    ErrorAccumulator table;
    ASSERT_TRUE(ggmlRequantError(viewOf(v, {2, 64}), DType::Q8_0, nullptr, 0, &table));
    EXPECT_EQ(d->total.sumSqErr, table.sumSqErr);
    EXPECT_EQ(d->total.sumSqX, table.sumSqX);
    EXPECT_DOUBLE_EQ(d->total.sumSqErr, 0.3125);
    // Worst blocks: by Σe², then position (the two error-free blocks in element order).
    ASSERT_EQ(d->worstBlocks.size(), 4u);
    const auto& w = d->worstBlocks;
    EXPECT_EQ(w[0].row, 0u);
    EXPECT_EQ(w[0].column, 0u);
    EXPECT_DOUBLE_EQ(w[0].sumSqErr, 0.25);
    EXPECT_DOUBLE_EQ(w[0].share, 0.8);
    EXPECT_DOUBLE_EQ(w[0].maxAbsX, 127.0);
    EXPECT_DOUBLE_EQ(w[0].maxAbsErr, 0.5);
    EXPECT_DOUBLE_EQ(w[0].step, 1.0);  // the block's decoded d
    EXPECT_DOUBLE_EQ(w[0].offset, 0.0);
    EXPECT_EQ(w[1].row, 1u);
    EXPECT_EQ(w[1].column, 32u);
    EXPECT_DOUBLE_EQ(w[1].share, 0.2);
    EXPECT_EQ(w[2].row, 0u);
    EXPECT_EQ(w[2].column, 32u);
    EXPECT_EQ(w[2].sumSqErr, 0.0);
    EXPECT_EQ(w[3].row, 1u);
    EXPECT_EQ(w[3].column, 0u);
    // Histogram of e over [−1, 1] in 4 bins of 0.5: −0.25 in [−0.5, 0), the 126 zeros in [0, 0.5), +0.5 in [0.5, 1].
    ASSERT_EQ(d->errorHistogram.size(), 4u);
    EXPECT_EQ(d->errorHistogram[0], 0.0);
    EXPECT_EQ(d->errorHistogram[1], 1.0);
    EXPECT_EQ(d->errorHistogram[2], 126.0);
    EXPECT_EQ(d->errorHistogram[3], 1.0);
    EXPECT_EQ(d->errorOutside, 0u);
    // Envelope over [−128, 128] in bins of 1: x = 3.5 in bin 131 (e = +0.5), x = 10.25 in bin 138 (e = −0.25),
    // the integers' bins hold e = 0, and no value lies in [100, 126).
    EXPECT_EQ(d->envelopeHi[131], 0.5);
    EXPECT_EQ(d->envelopeLo[138], -0.25);
    EXPECT_EQ(d->envelopeHas[128 + 100], 0);
    EXPECT_EQ(d->envelopeHas[128 + 127], 1);
    EXPECT_EQ(d->envelopeHi[128 + 127], 0.0);
    // Without ranges: a first pass finds max|e| = 0.5 and [min x, max x] = [−127, 127] (two passes of progress).
    Progress two;
    auto e = ggmlRequantDetail(viewOf(v, {2, 64}), DType::Q8_0, {}, &two);
    ASSERT_TRUE(e) << e.message();
    EXPECT_EQ(e->errorLo, -0.5);
    EXPECT_EQ(e->errorHi, 0.5);
    EXPECT_EQ(e->valueLo, -127.0);
    EXPECT_EQ(e->valueHi, 127.0);
    two.setTotal(512);  // 2 × 128 elements added
    EXPECT_DOUBLE_EQ(two.fraction(), 0.5);
}

// Q4_0 (quantize_row_q4_0_ref): m = the value of largest |x|, d = m/−8, q = min(15, trunc(x/d + 8.5)),
// x̂ = (q − 8)·d. Both rows hold −8 (d = 1, so the decoded step is 1 and the offset −8·d = −8) and integers of
// [−7, 7], which come back exactly; row 1 also holds 2.5 → trunc(11.0) = 11 → 3 (e = +0.5) and 2.4f →
// trunc(10.9) = 10 → 2 (e = 2 − 2.4f). Row 0 has no error (SQNR +inf); row 1's block has all of Σe².
TEST(GgmlRequantDetail, Q4_0ByHand) {
    std::vector<float> v(64);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(static_cast<int>(i % 15) - 7);
    v[3] = -8.0f;
    v[32 + 7] = -8.0f;
    v[32 + 9] = 2.5f;
    v[32 + 20] = 2.4f;
    auto d = ggmlRequantDetail(viewOf(v, {2, 32}), DType::Q4_0);
    ASSERT_TRUE(d) << d.message();
    const double e2 = 2.0 - static_cast<double>(2.4f);
    ASSERT_EQ(d->rows.size(), 2u);
    EXPECT_EQ(d->rowSums[0].sumSqErr, 0.0);
    EXPECT_TRUE(std::isinf(d->rows[0].sqnrDb));
    EXPECT_DOUBLE_EQ(d->rowSums[1].sumSqErr, 0.25 + e2 * e2);
    EXPECT_DOUBLE_EQ(d->rows[1].maxAbsError, 0.5);
    ASSERT_EQ(d->worstBlocks.size(), 2u);
    EXPECT_EQ(d->worstBlocks[0].row, 1u);
    EXPECT_EQ(d->worstBlocks[0].column, 0u);
    EXPECT_DOUBLE_EQ(d->worstBlocks[0].share, 1.0);
    EXPECT_DOUBLE_EQ(d->worstBlocks[0].maxAbsX, 8.0);
    EXPECT_DOUBLE_EQ(d->worstBlocks[0].step, 1.0);
    EXPECT_DOUBLE_EQ(d->worstBlocks[0].offset, -8.0);
    EXPECT_EQ(d->worstBlocks[1].share, 0.0);
}

// The blocks of the list are the groups sharing one step (ggml-common.h): Q6_K's 16 sub-blocks of 16 and
// Q4_K's 8 of 32 per super-block of 256; rows of 64 are not whole super-blocks, so Q4_K falls back to Q5_0
// (llama-quantize), blocks of 32; a 1-D tensor is kept as stored and nothing is measured.
TEST(GgmlRequantDetail, BlocksFallbacksAndKeptTensors) {
    std::vector<float> v(512);
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<float>(i) * 0.37f);
    auto q6 = ggmlRequantDetail(viewOf(v, {2, 256}), DType::Q6_K);
    ASSERT_TRUE(q6) << q6.message();
    EXPECT_EQ(q6->blockElements, 16u);
    EXPECT_EQ(q6->blocks, 32u);
    EXPECT_EQ(q6->worstBlocks.size(), 10u);
    for (size_t k = 1; k < q6->worstBlocks.size(); ++k)
        EXPECT_GE(q6->worstBlocks[k - 1].sumSqErr, q6->worstBlocks[k].sumSqErr);
    auto q4 = ggmlRequantDetail(viewOf(v, {2, 256}), DType::Q4_K);
    ASSERT_TRUE(q4) << q4.message();
    EXPECT_EQ(q4->blockElements, 32u);
    EXPECT_EQ(q4->blocks, 16u);
    auto fb = ggmlRequantDetail(viewOf(v, {8, 64}), DType::Q4_K);
    ASSERT_TRUE(fb) << fb.message();
    EXPECT_EQ(fb->type, DType::Q4_K);
    EXPECT_EQ(fb->written, DType::Q5_0);
    EXPECT_EQ(fb->rows.size(), 8u);
    EXPECT_EQ(fb->blockElements, 32u);
    auto kept = ggmlRequantDetail(viewOf(v, {512}), DType::Q4_K);
    ASSERT_TRUE(kept) << kept.message();
    EXPECT_TRUE(kept->kept);
    EXPECT_EQ(kept->written, DType::F32);
    EXPECT_TRUE(kept->rows.empty());
    EXPECT_TRUE(kept->worstBlocks.empty());
}

// hey_jarvis' model.1.weight (F32, rows of 1536: Q4_K's super-blocks): the per-row sums pooled back are the
// table's total (ggmlRequantError: the same Σe², Σx² up to the order of the additions), and the shares of the
// worst blocks are their Σe² over that total, largest first.
TEST(GgmlRequantDetail, RowsPoolToTheTableTotalOnHeyJarvis) {
    QV_REQUIRE_SHARED_MODEL(path, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    auto model = openModel(path);
    ASSERT_TRUE(model) << model.message();
    auto index = (*model)->find("model.1.weight");
    ASSERT_TRUE(index);
    const TensorView view = (*model)->view(*index);
    ErrorAccumulator table;
    ASSERT_TRUE(ggmlRequantError(view, DType::Q4_K, nullptr, 0, &table));
    auto d = ggmlRequantDetail(view, DType::Q4_K);
    ASSERT_TRUE(d) << d.message();
    EXPECT_EQ(d->written, DType::Q4_K);
    EXPECT_EQ(d->total.sumSqErr, table.sumSqErr);
    EXPECT_EQ(d->total.sumSqX, table.sumSqX);
    ASSERT_EQ(d->rows.size(), view.elements() / static_cast<uint64_t>(view.info().shape.back()));
    ErrorAccumulator pooled;
    for (const auto& r : d->rowSums) pooled.merge(r);
    EXPECT_EQ(pooled.count, table.count);
    EXPECT_NEAR(pooled.sumSqErr, table.sumSqErr, 1e-12 * table.sumSqErr);
    EXPECT_NEAR(pooled.sumSqX, table.sumSqX, 1e-12 * table.sumSqX);
    EXPECT_EQ(pooled.maxAbsErr, table.maxAbsErr);
    EXPECT_NEAR(pooled.finish(0, 0).sqnrDb, table.finish(0, 0).sqnrDb, 1e-9);
    ASSERT_EQ(d->worstBlocks.size(), 10u);
    EXPECT_EQ(d->blockElements, 32u);
    for (const auto& b : d->worstBlocks) EXPECT_DOUBLE_EQ(b.share, b.sumSqErr / table.sumSqErr);
    // No row holds less than the worst block's error inside it.
    EXPECT_GE(d->rowSums[d->worstBlocks[0].row].sumSqErr, d->worstBlocks[0].sumSqErr);
    double histogram = 0;
    for (double c : d->errorHistogram) histogram += c;
    EXPECT_EQ(histogram + static_cast<double>(d->errorOutside), static_cast<double>(view.elements()));
    EXPECT_EQ(d->errorOutside, 0u);  // the first pass's range is ±max|e|
}

}  // namespace
}  // namespace qv
