// The one-pass summary: moments, NaN/Inf/zero counts, top-k, sample, degenerate tensors, every SIMD path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "core/base/byte_source.h"
#include "core/stats/summary_kernel.h"
#include "core/stats/tensor_summary.h"
#include "tests/support/tensor_view_builder.h"

namespace qv {
namespace {

TensorView viewOf(const std::vector<float>& v, std::vector<int64_t> shape, DType dtype = DType::F32) {
    return test::viewOf(v, dtype, std::move(shape));
}

// Runs `fn` once per summary kernel this CPU has (QV_SIMD forces the choice).
template <class F>
void forEachKernel(F&& fn) {
    for (const char* name : {"portable", "avx2", "avx512"}) {
        if (!detail::summaryKernelByName(name)) continue;
        setenv("QV_SIMD", name, 1);
        SCOPED_TRACE(name);
        fn();
    }
    unsetenv("QV_SIMD");
}

// {−2, −1, 1, 2} repeated: mean 0, variance (4+1+1+4)/4 = 2.5, fourth moment (16+1+1+16)/4 = 8.5,
// excess kurtosis 8.5/2.5² − 3 = −1.64, mean |x − mean| = 1.5. 250 000 copies span several
// chunks and both threads. Kurtosis and MAD come from the fine histogram (bin centres, relative
// width 2^−11), so they carry a relative error of about 10^−3.
TEST(TensorSummary, KnownMoments) {
    std::vector<float> v;
    for (int i = 0; i < 250000; ++i)
        for (float x : {-2.0f, -1.0f, 1.0f, 2.0f}) v.push_back(x);
    forEachKernel([&] {
        const auto s = summarizeValues(v.data(), v.size());
        EXPECT_EQ(s.elements, 1000000u);
        EXPECT_EQ(s.finite, 1000000u);
        EXPECT_EQ(s.min, -2.0);
        EXPECT_EQ(s.max, 2.0);
        EXPECT_EQ(s.absMax, 2.0);
        EXPECT_NEAR(s.mean, 0.0, 1e-12);
        EXPECT_NEAR(s.std, std::sqrt(2.5), 1e-12);
        EXPECT_NEAR(s.kurtosis, -1.64, 2e-3);
        EXPECT_NEAR(s.meanAbsDeviation, 1.5, 2e-3);
        EXPECT_EQ(s.zeroCount, 0u);
        EXPECT_EQ(s.histogram.total(), 1000000u);
        EXPECT_EQ(s.histogram.bins().size(), 4u);
        EXPECT_EQ(s.histogram.bins()[0].count, 250000u);
    });
}

// Every kernel bins exactly as FineHistogram::fromValues: ±0 (counted per block by the AVX-512
// kernel, +0 and −0 to their own keys), subnormals, NaN/Inf (dropped), a length that is not a
// multiple of the vector width, and runs of zeros inside otherwise dense blocks.
TEST(TensorSummary, KernelsBinLikeFromValues) {
    std::mt19937 rng(3);
    std::normal_distribution<float> g(0.0f, 0.5f);
    std::vector<float> v(200'003);
    for (auto& x : v) x = g(rng);
    for (size_t i = 0; i < v.size(); i += 97) v[i] = (i / 97) % 2 ? 0.0f : -0.0f;
    for (size_t i = 5000; i < 5100; ++i) v[i] = 0.0f;
    v[10] = 1e-40f;  // subnormal
    v[11] = -1e-42f;
    v[12] = NAN;
    v[13] = INFINITY;
    v[200'002] = -0.0f;
    const FineHistogram ref = FineHistogram::fromValues(v.data(), v.size());
    uint64_t zeros = 0;
    for (float x : v) zeros += x == 0.0f;
    forEachKernel([&] {
        const auto s = summarizeValues(v.data(), v.size());
        EXPECT_EQ(s.zeroCount, zeros);
        EXPECT_EQ(s.nanCount, 1u);
        EXPECT_EQ(s.posInfCount, 1u);
        ASSERT_EQ(s.histogram.bins().size(), ref.bins().size());
        for (size_t i = 0; i < ref.bins().size(); ++i) {
            ASSERT_EQ(s.histogram.bins()[i].count, ref.bins()[i].count) << i;
            ASSERT_EQ(s.histogram.bins()[i].lo, ref.bins()[i].lo) << i;
        }
    });
}

// Uniform on [0, 1): excess kurtosis −6/5, std 1/√12; checked against a direct two-pass computation.
TEST(TensorSummary, MatchesTwoPassReference) {
    std::mt19937 rng(11);
    std::normal_distribution<float> g(1000.0f, 0.01f);  // |mean| ≫ std: tests the pivoted sums
    std::vector<float> v(3'000'001);
    for (auto& x : v) x = g(rng);
    long double sum = 0;
    for (float x : v) sum += x;
    const long double mean = sum / v.size();
    long double m2 = 0;
    for (float x : v) m2 += (x - mean) * (x - mean);
    const double stdRef = std::sqrt(static_cast<double>(m2 / v.size()));
    forEachKernel([&] {
        const auto s = summarizeValues(v.data(), v.size());
        EXPECT_NEAR(s.mean, static_cast<double>(mean), 1e-9);
        EXPECT_NEAR(s.std, stdRef, stdRef * 1e-6);
        EXPECT_EQ(s.min, *std::min_element(v.begin(), v.end()));
        EXPECT_EQ(s.max, *std::max_element(v.begin(), v.end()));
    });
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (auto& x : v) x = u(rng);
    const auto s = summarizeValues(v.data(), v.size());
    EXPECT_NEAR(s.std, 1.0 / std::sqrt(12.0), 1e-3);
    EXPECT_NEAR(s.kurtosis, -1.2, 5e-3);
    EXPECT_NEAR(s.meanAbsDeviation, 0.25, 1e-3);
}

TEST(TensorSummary, NanInfCountedAndExcluded) {
    std::vector<float> v(200000, 1.0f);
    v[3] = NAN;
    v[70000] = INFINITY;
    v[70001] = -INFINITY;
    v[150000] = -NAN;
    v[5] = -7.0f;
    v[6] = 0.0f;
    v[7] = -0.0f;
    v[199999] = 9.0f;
    forEachKernel([&] {
        const auto s = summarizeValues(v.data(), v.size());
        EXPECT_EQ(s.nanCount, 2u);
        EXPECT_EQ(s.posInfCount, 1u);
        EXPECT_EQ(s.negInfCount, 1u);
        EXPECT_EQ(s.finite, 200000u - 4);
        EXPECT_EQ(s.zeroCount, 2u);
        EXPECT_EQ(s.min, -7.0);
        EXPECT_EQ(s.max, 9.0);
        EXPECT_EQ(s.histogram.total(), s.finite);
        // mean over finite: (199992 ones − 7 + 9 + 0 + 0) / 199996
        EXPECT_NEAR(s.mean, (199992.0 - 7 + 9) / 199996.0, 1e-12);
        ASSERT_GE(s.topAbs.size(), 2u);
        EXPECT_EQ(s.topAbs[0].index, 199999u);
        EXPECT_EQ(s.topAbs[0].value, 9.0f);
        EXPECT_EQ(s.topAbs[1].index, 5u);
        EXPECT_EQ(s.topAbs[1].value, -7.0f);
        EXPECT_EQ(s.topAbs.size(), TensorSummary::kTopK);
        for (float x : s.sample) EXPECT_TRUE(std::isfinite(x));
    });
}

TEST(TensorSummary, TopKFromManyOutliers) {
    std::vector<float> v(500000);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 1000) * 1e-3f;
    // 100 outliers of magnitude 10 + k at indices 4999·k; the top 64 are k = 99..36.
    for (int k = 0; k < 100; ++k) v[4999 * static_cast<size_t>(k) + 7] = (k % 2 ? -1.0f : 1.0f) * (10.0f + k);
    forEachKernel([&] {
        const auto s = summarizeValues(v.data(), v.size());
        ASSERT_EQ(s.topAbs.size(), 64u);
        for (int r = 0; r < 64; ++r) {
            const int k = 99 - r;
            EXPECT_EQ(s.topAbs[r].index, 4999u * k + 7) << r;
            EXPECT_EQ(std::fabs(s.topAbs[r].value), 10.0f + k);
        }
    });
}

TEST(TensorSummary, SampleIsEvenlyStrided) {
    std::vector<float> small(100);
    for (size_t i = 0; i < small.size(); ++i) small[i] = static_cast<float>(i);
    EXPECT_EQ(summarizeValues(small.data(), small.size()).sample, small);
    std::vector<float> big(200000);
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<float>(i);
    const auto s = summarizeValues(big.data(), big.size());
    ASSERT_EQ(s.sample.size(), TensorSummary::kSampleSize);
    for (size_t k = 0; k < s.sample.size(); k += 997)
        EXPECT_EQ(s.sample[k], static_cast<float>(k * big.size() / TensorSummary::kSampleSize));
}

TEST(TensorSummary, DegenerateTensors) {
    // Empty.
    const auto e = summarizeValues(nullptr, 0);
    EXPECT_EQ(e.elements, 0u);
    EXPECT_FALSE(e.hasFinite());
    EXPECT_EQ(e.min, 0.0);
    EXPECT_EQ(e.std, 0.0);
    // Constant: std 0, kurtosis 0 (no division by zero).
    std::vector<float> c(1000, 3.5f);
    const auto k = summarizeValues(c.data(), c.size());
    EXPECT_EQ(k.min, 3.5);
    EXPECT_EQ(k.max, 3.5);
    EXPECT_EQ(k.mean, 3.5);
    EXPECT_EQ(k.std, 0.0);
    EXPECT_EQ(k.kurtosis, 0.0);
    EXPECT_TRUE(std::isfinite(k.meanAbsDeviation));
    // All zero.
    std::vector<float> z(100, 0.0f);
    const auto zs = summarizeValues(z.data(), z.size());
    EXPECT_EQ(zs.zeroCount, 100u);
    EXPECT_EQ(zs.absMax, 0.0);
    // All NaN: nothing finite, ranges stay 0.
    std::vector<float> n(70000, NAN);
    const auto ns = summarizeValues(n.data(), n.size());
    EXPECT_EQ(ns.nanCount, 70000u);
    EXPECT_EQ(ns.finite, 0u);
    EXPECT_EQ(ns.min, 0.0);
    EXPECT_EQ(ns.max, 0.0);
    EXPECT_TRUE(ns.histogram.empty());
    EXPECT_TRUE(ns.topAbs.empty());
    EXPECT_TRUE(ns.sample.empty());
}

TEST(TensorSummary, ViewsScalarsProgressCancel) {
    // 0-d scalar through a TensorView.
    const auto scalar = summarize(viewOf({-4.25f}, {}));
    ASSERT_TRUE(scalar.ok()) << scalar.message();
    EXPECT_EQ((*scalar)->elements, 1u);
    EXPECT_EQ((*scalar)->min, -4.25);
    EXPECT_EQ((*scalar)->topAbs.at(0).index, 0u);

    std::vector<float> v(300000);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 17) - 8.0f;
    const auto view = viewOf(v, {300, 1000});
    Progress p;
    const auto r = summarize(view, &p, SummaryOptions{2});
    ASSERT_TRUE(r.ok());
    EXPECT_DOUBLE_EQ(p.fraction(), 1.0);
    EXPECT_EQ((*r)->min, -8.0);
    EXPECT_EQ((*r)->max, 8.0);

    Progress cancelled;
    cancelled.cancel();
    const auto c = summarize(view, &cancelled);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.message(), "cancelled");

    // A pass's own Progress linked to a job's: cancelling the job cancels the pass.
    Progress job, pass;
    pass.setCancelSource(&job);
    EXPECT_FALSE(pass.cancelled());
    job.cancel();
    EXPECT_TRUE(pass.cancelled());
    EXPECT_FALSE(Progress().cancelled());
    const auto linked = summarize(view, &pass);
    ASSERT_FALSE(linked.ok());
    EXPECT_EQ(linked.message(), "cancelled");

    EXPECT_FALSE(summarize(TensorView()).ok());
}

// The dense count arrays are pooled between passes: nothing of one pass may leak into the next
// (huge values, NaN/Inf keys, a cancelled pass).
TEST(TensorSummary, RepeatedPassesDoNotLeakCounts) {
    std::vector<float> a(300000, -1e30f);
    a[10] = NAN;
    a[20] = INFINITY;
    a[299999] = 3e38f;
    std::vector<float> b(300000, 1.0f);
    for (int round = 0; round < 3; ++round) {
        const auto sa = summarizeValues(a.data(), a.size());
        EXPECT_EQ(sa.histogram.total(), 299998u);
        Progress cancelled;
        cancelled.cancel();
        const auto view = viewOf(a, {300000});
        EXPECT_FALSE(summarize(view, &cancelled).ok());
        const auto sb = summarizeValues(b.data(), b.size());
        ASSERT_EQ(sb.histogram.bins().size(), 1u);
        EXPECT_EQ(sb.histogram.bins()[0].count, 300000u);
        EXPECT_EQ(sb.histogram.bins()[0].lo, 1.0f);
    }
}

// Mostly-zero tensors take the zero-skipping binning path: counts must be identical to the plain
// path's (−0 is binned with +0 there, so the test uses +0 only, plus one −0 counted as a zero).
TEST(TensorSummary, SparseTensor) {
    std::vector<float> v(500000, 0.0f);
    for (size_t i = 0; i < v.size(); i += 20) v[i] = static_cast<float>(i % 7) + 1.0f;  // 25 000 non-zeros
    v[1] = -0.0f;
    forEachKernel([&] {
        const auto s = summarizeValues(v.data(), v.size());
        EXPECT_EQ(s.zeroCount, 475000u);
        EXPECT_EQ(s.histogram.total(), 500000u);
        uint64_t zerosBinned = 0, nonZero = 0;
        for (const auto& b : s.histogram.bins()) {
            if (b.lo <= 0.0f && b.hi >= 0.0f && std::fabs(b.hi - b.lo) < 1e-30f) zerosBinned += b.count;
            else nonZero += b.count;
        }
        EXPECT_EQ(zerosBinned, 475000u);
        EXPECT_EQ(nonZero, 25000u);
        EXPECT_EQ(s.max, 7.0);
        EXPECT_EQ(s.min, 0.0);
    });
}

TEST(TensorSummary, ConvertedDtypes) {
    // f16 storage goes through TensorView::read: 1.0 = 0x3C00, −2.0 = 0xC000, 0.5 = 0x3800.
    const uint16_t halves[4] = {0x3C00, 0xC000, 0x3800, 0x3C00};
    std::vector<std::byte> bytes(sizeof halves);
    std::memcpy(bytes.data(), halves, sizeof halves);
    TensorInfo info;
    info.name = "h";
    info.dtype = DType::F16;
    info.shape = {4};
    info.bytes = bytes.size();
    const TensorView view(info, std::make_shared<OwnedBytes>(std::move(bytes)));
    const auto r = summarize(view);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ((*r)->min, -2.0);
    EXPECT_EQ((*r)->max, 1.0);
    EXPECT_DOUBLE_EQ((*r)->mean, 0.125);

    // A large f16 tensor takes the parallel path through per-worker conversion buffers:
    // 200 000 × {1.0, −2.0, 0.5, 1.0} with one +Inf (0x7C00) and one NaN (0x7E00).
    std::vector<uint16_t> many;
    for (int i = 0; i < 50000; ++i) many.insert(many.end(), {0x3C00, 0xC000, 0x3800, 0x3C00});
    many[1000] = 0x7C00;
    many[150001] = 0x7E00;
    std::vector<std::byte> big(many.size() * 2);
    std::memcpy(big.data(), many.data(), big.size());
    info.shape = {static_cast<int64_t>(many.size())};
    info.bytes = big.size();
    const TensorView bigView(info, std::make_shared<OwnedBytes>(std::move(big)));
    const auto rb = summarize(bigView, nullptr, SummaryOptions{2});
    ASSERT_TRUE(rb.ok()) << rb.message();
    EXPECT_EQ((*rb)->posInfCount, 1u);
    EXPECT_EQ((*rb)->nanCount, 1u);
    EXPECT_EQ((*rb)->finite, 199998u);
    EXPECT_EQ((*rb)->min, -2.0);
    EXPECT_EQ((*rb)->histogram.bins().size(), 3u);
    // Replaced: one 1.0 (index 1000 ≡ 0 mod 4) and one −2.0 (150001 ≡ 1 mod 4).
    EXPECT_NEAR((*rb)->mean, (99999 * 1.0 - 49999 * 2.0 + 50000 * 0.5) / 199998.0, 1e-12);
}

}  // namespace
}  // namespace qv
