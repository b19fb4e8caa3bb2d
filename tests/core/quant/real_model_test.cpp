// Summary and error pass on real trained weights (../shared/models; skipped with a reason when absent).
#include <gtest/gtest.h>

#include <cmath>

#include "core/formats/model_file.h"
#include "core/metrics/error_stats.h"
#include "core/stats/tensor_summary.h"
#include "core/tensor/half.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// stories260K in f32, f16 and bf16 safetensors: 47 tensors, 260 032 elements, all finite. Rounding
// is monotonic, so the f16/bf16 files' min and max are exactly the f32 file's min and max rounded
// to those formats; the means agree to the formats' precision.
TEST(RealModel, Stories260KSummariesAcrossFormats) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.safetensors");
    QV_REQUIRE_SHARED_MODEL(f16Path, "stories260K/stories260K-f16.safetensors");
    QV_REQUIRE_SHARED_MODEL(bf16Path, "stories260K/stories260K-bf16.safetensors");
    auto f32 = openModel(f32Path);
    auto f16 = openModel(f16Path);
    auto bf16 = openModel(bf16Path);
    ASSERT_TRUE(f32.ok()) << f32.message();
    ASSERT_TRUE(f16.ok()) << f16.message();
    ASSERT_TRUE(bf16.ok()) << bf16.message();
    uint64_t elements = 0;
    for (size_t i = 0; i < (*f32)->tensors.size(); ++i) {
        const auto& name = (*f32)->tensors[i].name;
        SCOPED_TRACE(name);
        auto s = summarize((*f32)->view(i));
        ASSERT_TRUE(s.ok()) << s.message();
        const TensorSummary& a = **s;
        elements += a.elements;
        EXPECT_EQ(a.finite, a.elements);
        EXPECT_EQ(a.nanCount + a.posInfCount + a.negInfCount, 0u);
        EXPECT_EQ(a.histogram.total(), a.finite);
        const auto j = (*f16)->find(name);
        const auto k = (*bf16)->find(name);
        ASSERT_TRUE(j && k);
        auto h = summarize((*f16)->view(*j));
        auto b = summarize((*bf16)->view(*k));
        ASSERT_TRUE(h.ok() && b.ok());
        EXPECT_EQ((*h)->min, f16ToF32(f32ToF16(static_cast<float>(a.min))));
        EXPECT_EQ((*h)->max, f16ToF32(f32ToF16(static_cast<float>(a.max))));
        EXPECT_EQ((*b)->min, bf16ToF32(f32ToBf16(static_cast<float>(a.min))));
        EXPECT_EQ((*b)->max, bf16ToF32(f32ToBf16(static_cast<float>(a.max))));
        EXPECT_NEAR((*b)->mean, a.mean, 4e-3 * (std::fabs(a.mean) + a.std));
    }
    EXPECT_EQ(elements, 260032u);
}

// int8 symmetric per-tensor min-max on every 2-D weight: the clipped share is 0 (the range is the
// data's), the largest |x| is represented exactly, so max |e| ≤ s/2 and SQNR ≥ 6.02·8 − (a few) dB.
TEST(RealModel, Stories260KInt8ErrorBounds) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.safetensors");
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    for (size_t i = 0; i < (*model)->tensors.size(); ++i) {
        const auto view = (*model)->view(i);
        if (view.info().shape.size() != 2) continue;
        SCOPED_TRACE(view.info().name);
        auto s = summarize(view);
        ASSERT_TRUE(s.ok());
        QuantParams p;
        p.slices = {paramsFromRange(p.scheme, {(*s)->min, (*s)->max})};
        auto r = measureError(view, p);
        ASSERT_TRUE(r.ok()) << r.message();
        const auto& t = (*r)->total;
        EXPECT_EQ(t.clippedCount, 0u);
        EXPECT_LE(t.maxAbsError, 0.5 * p.slices[0].scale * (1 + 1e-6));
        EXPECT_GT(t.sqnrDb, 25.0);
        EXPECT_GT(t.cosine, 0.99);
        EXPECT_LE(t.codesUsed, 255u);
        EXPECT_GE(t.codesUsed, 100u);
    }
}

}  // namespace
}  // namespace qv
