// Error metrics: a vector worked by hand, clipping, per-slice stats, code usage, every SIMD path
// against the scalar Quantizer + ErrorAccumulator reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "core/base/byte_source.h"
#include "core/metrics/error_kernel.h"
#include "core/metrics/error_stats.h"
#include "tests/support/tensor_view_builder.h"

namespace qv {
namespace {

QuantParams perTensor(Symmetry sym, float scale, int32_t zero, int bits = 8, Convention c = Convention::Seeds) {
    QuantParams p;
    p.scheme.bits = bits;
    p.scheme.symmetry = sym;
    p.scheme.convention = c;
    p.slices = {SliceParams{scale, zero, {}}};
    return p;
}

template <class F>
void forEachKernel(F&& fn) {
    for (const char* name : {"portable", "avx2", "avx512"}) {
        if (!detail::errorKernelByName(name)) continue;
        setenv("QV_SIMD", name, 1);
        SCOPED_TRACE(name);
        fn();
    }
    unsetenv("QV_SIMD");
}

// x = [1, −2, 3, 0.5], int8 symmetric, s = 1: codes [1, −2, 3, 0] (0.5 is a tie → 0),
// x̂ = [1, −2, 3, 0], e = [0, 0, 0, −0.5].
//   MSE = 0.25/4 = 0.0625, RMSE = 0.25, max|e| = 0.5, mean|e| = 0.125
//   ‖x‖² = 1 + 4 + 9 + 0.25 = 14.25, ‖e‖² = 0.25 → SQNR = 10·log10(57) = 17.5587 dB
//   cos = (1 + 4 + 9)/(√14.25·√14) = 14/√199.5 = 0.991189
//   codes used: {−2, 0, 1, 3} = 4 of 255
TEST(ErrorStats, HandWorkedVector) {
    const std::vector<float> x = {1, -2, 3, 0.5f};
    forEachKernel([&] {
        const auto r = measureErrorValues(x, {4}, perTensor(Symmetry::Symmetric, 1.0f, 0));
        const auto& t = r.total;
        EXPECT_EQ(t.count, 4u);
        EXPECT_DOUBLE_EQ(t.mse, 0.0625);
        EXPECT_DOUBLE_EQ(t.rmse, 0.25);
        EXPECT_DOUBLE_EQ(t.maxAbsError, 0.5);
        EXPECT_DOUBLE_EQ(t.meanAbsError, 0.125);
        EXPECT_NEAR(t.sqnrDb, 10 * std::log10(57.0), 1e-12);
        EXPECT_NEAR(t.sqnrDb, 17.558748556724915, 1e-12);
        EXPECT_NEAR(t.cosine, 14.0 / std::sqrt(199.5), 1e-15);
        EXPECT_EQ(t.clippedCount, 0u);
        EXPECT_EQ(t.codesUsed, 4u);
        EXPECT_EQ(t.codesAvailable, 255u);
        ASSERT_EQ(r.codeHistogram.size(), 255u);
        EXPECT_EQ(r.codeHistogram[1 + 127], 1u);
        EXPECT_EQ(r.codeHistogram[0 + 127], 1u);
        EXPECT_TRUE(r.perSlice.empty());
        double histTotal = 0;
        for (double c : r.errorHistogram) histTotal += c;
        EXPECT_NEAR(histTotal, 4.0, 1e-9);
        EXPECT_DOUBLE_EQ(r.errorLo, -0.5);
        EXPECT_NEAR(r.errorHi, 0.0, 1e-30);  // the upper edge of the key bin holding e = 0
    });
}

// Clipping: s = 1, int8 sym; 200 → 127 (e = −73), −130 → −127 (e = 3), 127.4 → 127 (e = −0.4,
// not clipped). NaN/Inf are excluded from every metric.
TEST(ErrorStats, ClippingAndNonFinite) {
    const std::vector<float> x = {200, -130, 127.4f, NAN, INFINITY, 0};
    const auto r = measureErrorValues(x, {6}, perTensor(Symmetry::Symmetric, 1.0f, 0));
    EXPECT_EQ(r.total.count, 4u);
    EXPECT_EQ(r.total.clippedCount, 2u);
    EXPECT_DOUBLE_EQ(r.total.clippedFraction, 0.5);
    EXPECT_DOUBLE_EQ(r.total.maxAbsError, 73.0);
    const double e3 = static_cast<double>(127.0f - 127.4f);
    EXPECT_NEAR(r.total.mse, (73.0 * 73 + 9 + e3 * e3) / 4, 1e-9);
    EXPECT_EQ(r.total.codesUsed, 3u);  // 127, −127, 0
}

TEST(ErrorStats, DegenerateInputs) {
    // Empty: zeros, cosine 1.
    const auto e = measureErrorValues({}, {0}, perTensor(Symmetry::Symmetric, 1.0f, 0));
    EXPECT_EQ(e.total.count, 0u);
    EXPECT_EQ(e.total.cosine, 1.0);
    EXPECT_EQ(e.total.mse, 0.0);
    // All zero: perfect reconstruction; ‖x‖ = 0 → SQNR 0 by convention, cosine 1.
    const std::vector<float> z(10, 0.0f);
    const auto zr = measureErrorValues(z, {10}, perTensor(Symmetry::Symmetric, 1.0f, 0));
    EXPECT_EQ(zr.total.mse, 0.0);
    EXPECT_EQ(zr.total.sqnrDb, 0.0);
    EXPECT_EQ(zr.total.cosine, 1.0);
    EXPECT_EQ(zr.total.codesUsed, 1u);
    // Exact representation: SQNR +inf.
    const std::vector<float> ints = {1, 2, -3};
    const auto ir = measureErrorValues(ints, {3}, perTensor(Symmetry::Symmetric, 1.0f, 0));
    EXPECT_TRUE(std::isinf(ir.total.sqnrDb));
    EXPECT_EQ(ir.total.cosine, 1.0);
}

// Per-channel on M = [[1, −2, 4, 0.25], [0.5, 8, −1, −3]] axis 0 with s = 1 and 0.5:
//   row 0 (s = 1):  codes 1, −2, 4, 0 (0.25 → 0) → e = 0, 0, 0, −0.25 → MSE 0.0625/4
//   row 1 (s = 0.5): 0.5 → 1, 8 → 16, −1 → −2, −3 → −6: all exact → MSE 0
TEST(ErrorStats, PerChannel) {
    const std::vector<float> m = {1, -2, 4, 0.25f, 0.5f, 8, -1, -3};
    QuantParams p = perTensor(Symmetry::Symmetric, 1.0f, 0);
    p.scheme.granularity = Granularity::PerChannel;
    p.scheme.axis = 0;
    p.slices = {SliceParams{1.0f, 0, {}}, SliceParams{0.5f, 0, {}}};
    forEachKernel([&] {
        const auto r = measureErrorValues(m, {2, 4}, p);
        ASSERT_EQ(r.perSlice.size(), 2u);
        EXPECT_DOUBLE_EQ(r.perSlice[0].mse, 0.0625 / 4);
        EXPECT_EQ(r.perSlice[0].codesUsed, 4u);  // 1, −2, 4, 0
        EXPECT_EQ(r.perSlice[1].mse, 0.0);
        EXPECT_EQ(r.perSlice[1].codesUsed, 4u);  // 1, 16, −2, −6
        EXPECT_DOUBLE_EQ(r.total.mse, 0.0625 / 8);
        EXPECT_EQ(r.total.codesUsed, 6u);  // union: 1, −2, 4, 0, 16, −6
    });
}

// Every kernel, every granularity, against the scalar reference built from Quantizer.
TEST(ErrorStats, KernelsMatchScalarReference) {
    std::mt19937 rng(5);
    std::normal_distribution<float> g(0.0f, 1.0f);
    const std::vector<int64_t> shape = {37, 1031};  // odd sizes: tails of every vector width
    std::vector<float> x(37 * 1031);
    for (auto& v : x) v = g(rng);
    x[100] = NAN;
    x[2000] = -INFINITY;
    x[3000] = 40.0f;
    for (int variant = 0; variant < 4; ++variant) {
        QuantParams p;
        p.scheme.bits = variant == 3 ? 4 : 8;
        p.scheme.symmetry = variant == 1 ? Symmetry::Asymmetric : Symmetry::Symmetric;
        p.scheme.convention = variant == 2 ? Convention::PyTorch : Convention::Seeds;
        p.scheme.granularity = variant == 0 ? Granularity::PerTensor
                               : variant == 1 ? Granularity::PerChannel
                               : variant == 2 ? Granularity::PerGroup
                                              : Granularity::PerChannel;
        p.scheme.axis = variant == 3 ? 1 : 0;
        p.scheme.groupSize = 64;
        const auto layout = SliceLayout::make(p.scheme, shape);
        for (uint64_t s = 0; s < layout.slices; ++s)
            p.slices.push_back(paramsFromRange(p.scheme, {-2.5 - 0.01 * s, 2.0 + 0.02 * s}));
        // Reference.
        std::vector<ErrorAccumulator> ref(layout.slices);
        ErrorAccumulator total;
        std::vector<uint64_t> codes(static_cast<size_t>(p.scheme.qmax() - p.scheme.qmin() + 1));
        for (size_t i = 0; i < x.size(); ++i) {
            if (!std::isfinite(x[i])) continue;
            const auto slice = layout.sliceOf(i);
            const Quantizer q(p.scheme, p.slices[slice]);
            bool clipped;
            const int32_t c = q.quantize(x[i], clipped);
            ++codes[static_cast<size_t>(c - p.scheme.qmin())];
            ref[slice].add(x[i], q.dequantize(c), clipped);
            total.add(x[i], q.dequantize(c), clipped);
        }
        const auto expected = total.finish(0, 0);
        forEachKernel([&] {
            SCOPED_TRACE(variant);
            const auto r = measureErrorValues(x, shape, p);
            EXPECT_EQ(r.codeHistogram, codes);
            EXPECT_EQ(r.total.count, expected.count);
            EXPECT_EQ(r.total.clippedCount, expected.clippedCount);
            EXPECT_NEAR(r.total.mse, expected.mse, expected.mse * 1e-9);
            EXPECT_NEAR(r.total.sqnrDb, expected.sqnrDb, 1e-9);
            EXPECT_NEAR(r.total.cosine, expected.cosine, 1e-12);
            EXPECT_EQ(r.total.maxAbsError, expected.maxAbsError);
            EXPECT_NEAR(r.total.meanAbsError, expected.meanAbsError, expected.meanAbsError * 1e-9);
            if (layout.slices > 1) {
                ASSERT_EQ(r.perSlice.size(), layout.slices);
                for (uint64_t s = 0; s < layout.slices; ++s) {
                    const auto e = ref[s].finish(0, 0);
                    ASSERT_NEAR(r.perSlice[s].mse, e.mse, e.mse * 1e-9) << s;
                    ASSERT_EQ(r.perSlice[s].count, e.count) << s;
                }
            }
            double histTotal = 0;
            for (double c : r.errorHistogram) histTotal += c;
            EXPECT_NEAR(histTotal, static_cast<double>(expected.count), 1e-6);
        });
    }
}

TEST(ErrorStats, TensorViewPassWithProgressAndCancel) {
    std::vector<float> v(250000);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 8) * 0.5f;  // 0, 0.5, …, 3.5
    const TensorView view = test::viewOf(v, DType::F32, {250, 1000}, "w");
    // s = 1: 0.5 → 0 (tie, even), 1.5 → 2, 2.5 → 2, 3.5 → 4: each error is ±0.5 on half the values.
    Progress p;
    const auto r = measureError(view, perTensor(Symmetry::Symmetric, 1.0f, 0), &p);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_DOUBLE_EQ(p.fraction(), 1.0);
    EXPECT_DOUBLE_EQ((*r)->total.mse, 0.125);
    EXPECT_EQ((*r)->total.codesUsed, 5u);  // 0, 1, 2, 3, 4

    Progress c;
    c.cancel();
    const auto rc = measureError(view, perTensor(Symmetry::Symmetric, 1.0f, 0), &c);
    ASSERT_FALSE(rc.ok());
    EXPECT_EQ(rc.message(), "cancelled");
    // Too few slice parameters is an error, not a crash.
    QuantParams bad = perTensor(Symmetry::Symmetric, 1.0f, 0);
    bad.scheme.granularity = Granularity::PerChannel;
    EXPECT_FALSE(measureError(view, bad).ok());
}

// Ties (values exactly on a decision boundary), counted on every element. int8 symmetric, s = 1:
//   0.5 → boundary 0|1, 1.5 → 1|2, 2.5 twice → 2|3, −0.5 → −1|0, 126.5 → 126|127: 6 ties;
//   127.5 and −127.5 lie beyond the grid (both neighbours saturate): not ties; 3, 0.49999997,
//   NaN and Inf: not ties. Boundaries s·(q − z + ½): −0.5, 0.5, 1.5, 2.5, 126.5.
TEST(ErrorStats, TiesCountedExactlyPerBoundary) {
    const std::vector<float> x = {0.5f, 1.5f, 2.5f, 2.5f, -0.5f, 126.5f, 127.5f, -127.5f, 3.0f, 0.49999997f, NAN, INFINITY};
    for (bool histograms : {true, false}) {
        forEachKernel([&] {
            SCOPED_TRACE(histograms);
            ErrorPassOptions o;
            o.histograms = histograms;
            const auto r = measureErrorValues(x, {12}, perTensor(Symmetry::Symmetric, 1.0f, 0), o);
            EXPECT_EQ(r.tieCount, 6u);
            EXPECT_FALSE(r.tiesTruncated);
            ASSERT_EQ(r.ties.size(), 5u);
            const int32_t below[] = {-1, 0, 1, 2, 126};
            const double at[] = {-0.5, 0.5, 1.5, 2.5, 126.5};
            const uint64_t count[] = {1, 1, 1, 2, 1};
            for (size_t i = 0; i < 5; ++i) {
                EXPECT_EQ(r.ties[i].codeBelow, below[i]) << i;
                EXPECT_DOUBLE_EQ(r.ties[i].boundary, at[i]) << i;
                EXPECT_EQ(r.ties[i].count, count[i]) << i;
            }
            EXPECT_EQ(r.hasHistograms, histograms);
            EXPECT_EQ(r.codeHistogram.empty(), !histograms);
        });
    }
}

// Values at and within a few ulps of every half-integer boundary, for awkward scales: every kernel
// must give the codes (and so the clipping, ties and code histogram) of fl32(x / s) exactly — the
// SIMD kernels must not drift from the quantizer by one code anywhere near a boundary.
TEST(ErrorStats, DivisionAgreesWithTheQuantizerAtEveryBoundary) {
    for (float scale : {0.1f, 1.0f / 3.0f, 0.0078740157f, 7.3e-5f, 13.7f, 0.0001234567f}) {
        std::vector<float> x;
        for (int k = -130; k <= 129; ++k) {
            const float b = static_cast<float>((k + 0.5) * double(scale));
            float up = b, down = b;
            x.push_back(b);
            for (int u = 0; u < 4; ++u) {
                up = std::nextafter(up, INFINITY);
                down = std::nextafter(down, -INFINITY);
                x.push_back(up);
                x.push_back(down);
            }
        }
        x.push_back(3.0e38f);  // far outside the grid
        x.push_back(-3.0e38f);
        const QuantParams p = perTensor(Symmetry::Symmetric, scale, 0);
        const Quantizer q(p.scheme, p.slices[0]);
        std::vector<uint64_t> codes(255);
        uint64_t clippedRef = 0, tiesRef = 0;
        for (float v : x) {
            bool clipped;
            const int32_t c = q.quantize(v, clipped);
            ++codes[static_cast<size_t>(c + 127)];
            clippedRef += clipped ? 1 : 0;
            const float t = v / scale;  // the seeds convention: x / s in float32
            if (std::fabs(t - std::nearbyint(t)) == 0.5f && t > -127.0f && t < 127.0f) ++tiesRef;
        }
        ASSERT_GT(tiesRef + clippedRef, 0u);
        forEachKernel([&] {
            SCOPED_TRACE(scale);
            const auto r = measureErrorValues(x, {int64_t(x.size())}, p);
            EXPECT_EQ(r.codeHistogram, codes);
            EXPECT_EQ(r.total.clippedCount, clippedRef);
            EXPECT_EQ(r.tieCount, tiesRef);
        });
    }
}

// Asymmetric uint8 (qmin 0, qmax 255), s = 0.5, z = 10: x = 0.25 → x/s = 0.5 → boundary between
// codes 10 and 11 at 0.25; −4.75 → −9.5 → between codes 0 and 1 at 0.5·(0 − 10 + ½) = −4.75;
// −5.25 → −10.5 lies below code 0 (saturates either way): not a tie. Ties hidden in a long run
// of non-tie values land in every vector lane position.
TEST(ErrorStats, TiesWithZeroPointInLongRuns) {
    std::vector<float> x(3000);
    for (size_t i = 0; i < x.size(); ++i) x[i] = 0.125f * static_cast<float>(i % 40) - 2.4f;  // x/s = k/4 − 4.8: never ½
    const size_t at[] = {0, 17, 1023, 1024, 2999};
    for (size_t i : at) x[i] = 0.25f;
    x[500] = -4.75f;
    x[501] = -5.25f;
    QuantParams p = perTensor(Symmetry::Asymmetric, 0.5f, 10);
    forEachKernel([&] {
        ErrorPassOptions o;
        o.histograms = false;
        const auto r = measureErrorValues(x, {3000}, p, o);
        EXPECT_EQ(r.tieCount, 6u);
        ASSERT_EQ(r.ties.size(), 2u);
        EXPECT_EQ(r.ties[0].codeBelow, 0);
        EXPECT_DOUBLE_EQ(r.ties[0].boundary, -4.75);
        EXPECT_EQ(r.ties[0].count, 1u);
        EXPECT_EQ(r.ties[1].codeBelow, 10);
        EXPECT_DOUBLE_EQ(r.ties[1].boundary, 0.25);
        EXPECT_EQ(r.ties[1].count, 5u);
    });
    // Per-channel: the total is still exact, the per-boundary list is per-tensor only.
    QuantParams pc = p;
    pc.scheme.granularity = Granularity::PerChannel;
    pc.scheme.axis = 0;
    pc.slices = {SliceParams{0.5f, 10, {}}, SliceParams{0.5f, 10, {}}};
    forEachKernel([&] {
        const auto r = measureErrorValues(x, {2, 1500}, pc);
        EXPECT_EQ(r.tieCount, 6u);
        EXPECT_TRUE(r.ties.empty());
    });
}

// The metrics-only pass gives the same numbers as the pass with histograms, and code usage
// (total and per slice) equals a count of distinct codes from Quantizer: 4-bit and 8-bit
// (bitmap in a register), 10-bit (32 words: tested code by code), per-group with many slices.
TEST(ErrorStats, MetricsOnlyMatchesHistogramPassAndDistinctCodes) {
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 1.0f);
    const std::vector<int64_t> shape = {64, 520};
    std::vector<float> x(64 * 520);
    for (auto& v : x) v = g(rng);
    x[7] = NAN;
    x[900] = 1e30f;
    for (int bits : {4, 8, 10}) {
        for (Granularity gr : {Granularity::PerTensor, Granularity::PerChannel, Granularity::PerGroup}) {
            QuantParams p;
            p.scheme.bits = bits;
            p.scheme.symmetry = Symmetry::Asymmetric;
            p.scheme.granularity = gr;
            p.scheme.axis = 0;
            p.scheme.groupSize = 8;
            const auto layout = SliceLayout::make(p.scheme, shape);
            for (uint64_t s = 0; s < layout.slices; ++s)
                p.slices.push_back(paramsFromRange(p.scheme, {-1.5 - 0.001 * double(s), 2.5}));
            std::vector<std::set<int32_t>> perSlice(layout.slices);
            std::set<int32_t> all;
            for (size_t i = 0; i < x.size(); ++i) {
                if (!std::isfinite(x[i])) continue;
                const auto slice = layout.sliceOf(i);
                const int32_t c = Quantizer(p.scheme, p.slices[slice]).quantize(x[i]);
                perSlice[slice].insert(c);
                all.insert(c);
            }
            forEachKernel([&] {
                SCOPED_TRACE(bits);
                SCOPED_TRACE(static_cast<int>(gr));
                ErrorPassOptions off;
                off.histograms = false;
                const auto a = measureErrorValues(x, shape, p, off);
                const auto b = measureErrorValues(x, shape, p);
                EXPECT_EQ(a.total.codesUsed, all.size());
                EXPECT_EQ(b.total.codesUsed, all.size());
                EXPECT_EQ(a.total.count, b.total.count);
                EXPECT_EQ(a.total.clippedCount, b.total.clippedCount);
                EXPECT_EQ(a.total.mse, b.total.mse);
                EXPECT_EQ(a.total.maxAbsError, b.total.maxAbsError);
                EXPECT_EQ(a.total.sqnrDb, b.total.sqnrDb);
                EXPECT_TRUE(a.codeHistogram.empty());
                EXPECT_TRUE(a.errorHistogram.empty());
                if (gr != Granularity::PerTensor) {
                    ASSERT_EQ(a.perSlice.size(), layout.slices);
                    for (uint64_t s = 0; s < layout.slices; ++s)
                        ASSERT_EQ(a.perSlice[s].codesUsed, perSlice[s].size()) << s;
                }
            });
        }
    }
}

// The fast step of the SIMD kernels (AVX-512 and AVX2, metrics only) takes e = x̂ − x in float32,
// clamps codes to the run of codes already seen and, for grids of ≤ 2^10 codes, rounds x·fl(1/s)
// where that cannot differ from fl(x/s); all must leave every figure as the scalar reference has
// it. Values a few ulps around s/2 (the tight case of the float error's exactness) and around the
// boundaries, in long runs so that whole vectors take the fast step, for awkward scales and both
// conventions; 16-bit codes (a bitmap of 2048 words).
TEST(ErrorStats, FastStepKeepsMaxErrorExactAndCodesComplete) {
    for (Convention conv : {Convention::Seeds, Convention::PyTorch}) {
        // 0x1.2022eep+9: x = −0x1.1841fap+16 gives x/s = −124.5 exactly (a tie, code −124) but
        // x·fl(1/s) = −124.50000763 (code −125) — the fast step must not take the product there.
        for (float scale : {0.1f, 1.0f / 3.0f, 0.0078740157f, 7.3e-5f, 13.7f, 1.0f, 0x1.2022eep+9f}) {
            // The hard values, one in every 16 (a vector with one goes the careful way as a
            // whole), among the grid's own levels k·s (every code in use, so the run of codes
            // seen soon spans the grid and the other vectors take the fast step).
            std::vector<float> hard;
            const float h = scale * 0.5f;
            for (int u = -24; u <= 24; ++u) {
                hard.push_back(h * (1.0f + static_cast<float>(u) * 0x1p-24f));
                hard.push_back(-h * (1.0f + static_cast<float>(u) * 0x1p-24f));
            }
            for (int k = -130; k <= 129; ++k) {
                const float b = static_cast<float>((k + 0.5) * double(scale));
                float up = b, down = b;
                hard.push_back(b);
                for (int u = 0; u < 3; ++u) {
                    up = std::nextafter(up, INFINITY);
                    down = std::nextafter(down, -INFINITY);
                    hard.push_back(up);
                    hard.push_back(down);
                }
            }
            std::vector<float> x;
            int level = -127;
            for (size_t j = 0; j < hard.size() * 16; ++j) {
                x.push_back(j % 16 == 15 ? hard[j / 16] : static_cast<float>(level) * scale);
                level = level == 127 ? -127 : level + 1;
            }
            const QuantParams p = perTensor(Symmetry::Symmetric, scale, 0, 8, conv);
            const Quantizer q(p.scheme, p.slices[0]);
            ErrorAccumulator ref;
            std::set<int32_t> used;
            uint64_t tiesRef = 0;
            for (float v : x) {
                bool clipped;
                const int32_t c = q.quantize(v, clipped);
                used.insert(c);
                ref.add(v, q.dequantize(c), clipped);
                // A tie: x/s (x·fl(1/s) for PyTorch) halfway between two codes of the grid
                // (PyTorch's int8 grid is −128…127, the others' −127…127).
                const float t = conv == Convention::PyTorch ? v * (1.0f / scale) : v / scale;
                const bool inside = t > static_cast<float>(p.scheme.qmin()) && t < static_cast<float>(p.scheme.qmax());
                if (std::fabs(t - std::nearbyint(t)) == 0.5f && inside) ++tiesRef;
            }
            const auto e = ref.finish(0, 0);
            forEachKernel([&] {
                SCOPED_TRACE(scale);
                SCOPED_TRACE(static_cast<int>(conv));
                ErrorPassOptions o;
                o.histograms = false;
                const auto r = measureErrorValues(x, {int64_t(x.size())}, p, o);
                EXPECT_EQ(r.total.maxAbsError, e.maxAbsError);
                EXPECT_NEAR(r.total.mse, e.mse, e.mse * 1e-12);
                EXPECT_NEAR(r.total.meanAbsError, e.meanAbsError, e.meanAbsError * 1e-12);
                EXPECT_EQ(r.total.clippedCount, e.clippedCount);
                EXPECT_EQ(r.total.codesUsed, used.size());
                EXPECT_EQ(r.tieCount, tiesRef);
            });
        }
    }
    // 16 bits: codes 2^16 wide, the seen interval grows from the middle; an outlier leaves a gap.
    std::mt19937 rng(3);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<float> x(200000);
    for (auto& v : x) v = g(rng);
    x[12345] = 3.9f;
    QuantParams p = perTensor(Symmetry::Symmetric, 4.0f / 32767.0f, 0, 16);
    const Quantizer q(p.scheme, p.slices[0]);
    std::set<int32_t> used;
    for (float v : x) used.insert(q.quantize(v));
    forEachKernel([&] {
        ErrorPassOptions o;
        o.histograms = false;
        const auto a = measureErrorValues(x, {int64_t(x.size())}, p, o);
        const auto b = measureErrorValues(x, {int64_t(x.size())}, p);
        EXPECT_EQ(a.total.codesUsed, used.size());
        EXPECT_EQ(b.total.codesUsed, used.size());
        EXPECT_EQ(a.total.mse, b.total.mse);
        EXPECT_EQ(a.total.maxAbsError, b.total.maxAbsError);
    });
}

// ---- The SIMD kernels called directly (errorKernelByName), as the exact pass calls them: runs
// of ≤ kErrorRunMax elements with one code bitmap and its interval of known codes
// (CodeUsage::seen) kept from run to run, so that later runs take the fast step.

// The kernel parameters of one slice, from Quantizer as error_stats.cpp makes them.
detail::ErrorKernelParams kernelParams(const QuantScheme& scheme, const SliceParams& slice) {
    const Quantizer q(scheme, slice);
    detail::ErrorKernelParams k;
    k.scale = q.scale();
    k.invScale = 1.0f / q.scale();
    k.zeroPoint = q.zeroPoint();
    k.qmin = scheme.qmin();
    k.lowF = static_cast<float>(scheme.qmin() - q.zeroPoint());
    k.highF = static_cast<float>(scheme.qmax() - q.zeroPoint());
    k.useReciprocal = scheme.convention == Convention::PyTorch;
    return k;
}

struct KernelResult {
    std::vector<detail::ErrorRunSums> runs;
    std::vector<uint32_t> bits;
    std::vector<int32_t> codes;  // with the histogram outputs only
    std::vector<uint64_t> tiesPerCode;
    uint64_t ties = 0;
};

// Runs of `runLen` elements; run r uses slice r mod slices.size() (slices sharing one bitmap, as
// per-channel slices do when per-slice bitmaps would be too large). `outputs`: ask for the
// histogram outputs, which keeps every kernel on its careful step.
KernelResult runKernel(detail::ErrorKernelFn fn, const std::vector<float>& x,
                       const std::vector<detail::ErrorKernelParams>& slices, uint32_t range, size_t runLen,
                       bool outputs) {
    KernelResult k;
    const uint32_t words = (range + 31) / 32;
    k.bits.assign(words, 0);
    k.tiesPerCode.assign(range, 0);
    int32_t seen[2] = {1, 0};  // empty
    detail::TieLog log;
    log.perCode = k.tiesPerCode.data();
    std::vector<int32_t> codes(detail::kErrorRunMax);
    std::vector<float> err(detail::kErrorRunMax);
    std::vector<uint8_t> finite(detail::kErrorRunMax);
    for (size_t i = 0, r = 0; i < x.size(); i += runLen, ++r) {
        const size_t n = std::min(runLen, x.size() - i);
        detail::ErrorRunOutputs o;
        if (outputs) o = {codes.data(), err.data(), finite.data()};
        detail::ErrorRunSums s;
        fn(x.data() + i, n, slices[r % slices.size()], {k.bits.data(), words, seen}, log, o, s);
        k.runs.push_back(s);
        if (outputs) k.codes.insert(k.codes.end(), codes.begin(), codes.begin() + static_cast<ptrdiff_t>(n));
    }
    k.ties = log.total;
    return k;
}

// Mostly smooth values (a Gaussian of σ = sigma·s, so that runs soon know every code they use),
// with one awkward value in about every 150: on or a few ulps around a decision boundary (inside
// the grid, at its ends and beyond), around s/2 (the tight case of the fast step's float error),
// NaN, ±Inf, far outside the grid, ±0, the smallest subnormal, an exact level; then a stretch
// where every value clips (the kernels give up the fast step for the rest of such runs).
std::vector<float> awkwardValues(const detail::ErrorKernelParams& p, float sigma, size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, sigma);
    std::uniform_int_distribution<int> pick(0, 149), kind(0, 11), ulps(-3, 3), halfUlps(-24, 24);
    const auto lo = static_cast<int>(p.lowF), hi = static_cast<int>(p.highF);
    std::uniform_int_distribution<int> level(lo - 2, hi + 1);
    const double s = p.scale;
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i) {
        float v = static_cast<float>(g(rng) * s);
        if (i >= n / 2 && i < n / 2 + 2048) v = (i % 7 ? 1.0f : -1.0f) * static_cast<float>((hi - lo + 40) * s);
        if (pick(rng) == 0) {
            const int k = kind(rng);
            if (k < 5) {  // a boundary s·(r + ½) and a few ulps around it
                v = static_cast<float>((level(rng) + 0.5) * s);
                for (int u = ulps(rng); u != 0; u += u > 0 ? -1 : 1)
                    v = std::nextafter(v, u > 0 ? INFINITY : -INFINITY);
            } else if (k == 5) {
                v = static_cast<float>(0.5 * s * (1.0 + halfUlps(rng) * 0x1p-24)) * (i % 2 ? 1.0f : -1.0f);
            } else if (k == 6) {
                v = i % 3 == 0 ? NAN : (i % 3 == 1 ? INFINITY : -INFINITY);
            } else if (k == 7) {
                v = static_cast<float>((i % 2 ? hi + 50.0 : lo - 50.0) * s);
            } else if (k == 8) {
                v = i % 3 == 0 ? 0.0f : (i % 3 == 1 ? -0.0f : 0x1p-149f);
            } else {
                v = static_cast<float>(level(rng) * s);
            }
        }
        x[i] = v;
    }
    return x;
}

// `name`'s metrics-only runs (fast step) against its own runs with outputs (careful step only):
// the same bits in every field of every run — the fast step's float e is exact, so it feeds the
// same double e into the same accumulators. Against the portable kernel: the same counts,
// clipping, ties (per code), code usage, max |e| and codes; the sums up to their order and FMA.
void expectKernelMatchesPortableAndItsCarefulStep(const char* name) {
    const detail::ErrorKernelFn simd = detail::errorKernelByName(name);
    if (!simd) GTEST_SKIP() << "this CPU has no " << name;
    const detail::ErrorKernelFn portable = detail::errorKernelByName("portable");
    struct Case {
        int bits;
        Symmetry sym;
        Convention conv;
        std::vector<std::pair<float, int32_t>> slices;  // (scale, zero point) per slice
        float sigma;                                     // of the values, in steps s
    };
    const std::vector<Case> cases = {
        {8, Symmetry::Symmetric, Convention::Seeds, {{0.0078740157f, 0}}, 30},
        {8, Symmetry::Symmetric, Convention::Seeds, {{0x1.2022eep+9f, 0}}, 40},  // the band's counterexample
        {8, Symmetry::Symmetric, Convention::Seeds, {{13.7f, 0}, {1.0f / 3.0f, 0}}, 30},
        {8, Symmetry::Symmetric, Convention::PyTorch, {{1.0f / 3.0f, 0}}, 30},
        {8, Symmetry::Asymmetric, Convention::PyTorch, {{0.02f, 128}, {0.0123f, 3}}, 30},
        {8, Symmetry::Asymmetric, Convention::Seeds, {{0.1f, 10}, {0.1f, 200}}, 30},  // zero points, one bitmap
        {4, Symmetry::Symmetric, Convention::Seeds, {{0.37f, 0}}, 3},
        {10, Symmetry::Asymmetric, Convention::Seeds, {{7.3e-5f, 300}}, 80},  // 32 words: not in a register
        {16, Symmetry::Symmetric, Convention::Seeds, {{4.0f / 32767.0f, 0}}, 3000},  // > 2^10 codes: divides
        {8, Symmetry::Symmetric, Convention::Seeds, {{0x1p126f, 0}}, 0.5f},   // huge scale: divides
        {8, Symmetry::Symmetric, Convention::Seeds, {{1e-41f, 0}}, 30},       // subnormal scale: divides
        {8, Symmetry::Symmetric, Convention::Seeds, {{0x1p-124f, 0}}, 30},    // smallest scale multiplying
        {8, Symmetry::Symmetric, Convention::PyTorch, {{0x1p126f, 0}}, 0.5f},
    };
    // The same bits (or both NaN: a huge scale's x̂ = s·qmax overflows, and a sum is ∞ − ∞).
    const auto same = [](double a, double c) { return a == c || (std::isnan(a) && std::isnan(c)); };
    const auto close = [&](double a, double c, double tol) { return same(a, c) || std::fabs(a - c) <= tol; };
    uint32_t seed = 1;
    for (const Case& c : cases) {
        QuantScheme scheme;
        scheme.bits = c.bits;
        scheme.symmetry = c.sym;
        scheme.convention = c.conv;
        std::vector<detail::ErrorKernelParams> ps;
        for (const auto& [scale, zero] : c.slices) ps.push_back(kernelParams(scheme, SliceParams{scale, zero, {}}));
        const auto range = static_cast<uint32_t>(scheme.qmax() - scheme.qmin() + 1);
        std::vector<float> x = awkwardValues(ps[0], c.sigma, 40000, seed++);
        if (c.slices[0].first == 0x1.2022eep+9f)
            for (size_t i = 5; i < x.size(); i += 397) x[i] = -0x1.1841fap+16f;
        for (size_t runLen : {detail::kErrorRunMax, size_t{1000}, size_t{37}, size_t{31}, size_t{17}}) {
            SCOPED_TRACE(testing::Message() << name << " bits " << c.bits << " scale " << c.slices[0].first
                                            << " conv " << static_cast<int>(c.conv) << " run " << runLen);
            const KernelResult fast = runKernel(simd, x, ps, range, runLen, false);
            const KernelResult careful = runKernel(simd, x, ps, range, runLen, true);
            const KernelResult ref = runKernel(portable, x, ps, range, runLen, true);
            ASSERT_EQ(fast.runs.size(), ref.runs.size());
            EXPECT_GT(ref.ties, 0u);
            EXPECT_EQ(fast.ties, ref.ties);
            EXPECT_EQ(careful.ties, ref.ties);
            EXPECT_EQ(fast.tiesPerCode, ref.tiesPerCode);
            EXPECT_EQ(careful.tiesPerCode, ref.tiesPerCode);
            EXPECT_EQ(fast.bits, ref.bits);
            EXPECT_EQ(careful.bits, ref.bits);
            EXPECT_EQ(careful.codes, ref.codes);
            uint64_t clipped = 0;
            for (size_t r = 0; r < ref.runs.size(); ++r) {
                const auto &f = fast.runs[r], &k = careful.runs[r], &e = ref.runs[r];
                clipped += e.clipped;
                ASSERT_EQ(f.count, e.count) << r;
                ASSERT_EQ(f.clipped, e.clipped) << r;
                ASSERT_EQ(f.maxAbsErr, e.maxAbsErr) << r;
                ASSERT_EQ(k.count, e.count) << r;
                ASSERT_EQ(k.clipped, e.clipped) << r;
                ASSERT_EQ(k.maxAbsErr, e.maxAbsErr) << r;
                // Fast step against careful step: the same bits.
                ASSERT_PRED2(same, f.sumSqErr, k.sumSqErr) << r;
                ASSERT_PRED2(same, f.sumAbsErr, k.sumAbsErr) << r;
                ASSERT_PRED2(same, f.sumSqX, k.sumSqX) << r;
                ASSERT_PRED2(same, f.sumSqXq, k.sumSqXq) << r;
                ASSERT_PRED2(same, f.sumXXq, k.sumXXq) << r;
                // Against the portable kernel: up to the order of the sums and FMA. Σx̂² and Σx·x̂ are
                // derived (Σx² + 2Σx·e + Σe², Σx² + Σx·e), so relative to their terms.
                const double terms = e.sumSqX + e.sumSqErr + e.sumSqXq;
                ASSERT_PRED3(close, f.sumSqErr, e.sumSqErr, e.sumSqErr * 1e-12) << r;
                ASSERT_PRED3(close, f.sumAbsErr, e.sumAbsErr, e.sumAbsErr * 1e-12) << r;
                ASSERT_PRED3(close, f.sumSqX, e.sumSqX, e.sumSqX * 1e-12) << r;
                ASSERT_PRED3(close, f.sumSqXq, e.sumSqXq, terms * 1e-12) << r;
                ASSERT_PRED3(close, f.sumXXq, e.sumXXq, terms * 1e-12) << r;
            }
            if ((ps[0].highF + 1.0) * ps[0].scale < FLT_MAX) {  // else no finite x clips
                EXPECT_GT(clipped, 0u);
            }
        }
    }
}

TEST(ErrorKernels, Avx2MatchesPortableAndItsCarefulStep) { expectKernelMatchesPortableAndItsCarefulStep("avx2"); }
TEST(ErrorKernels, Avx512MatchesPortableAndItsCarefulStep) { expectKernelMatchesPortableAndItsCarefulStep("avx512"); }

// The fast step's safety band, on whole vectors it would otherwise take: s = 0x1.2022eep+9,
// x = −0x1.1841fap+16 (int8 symmetric, every code already known). fl(x/s) = −124.5: a tie between
// codes −125 and −124, rounded to −124 (even). x·fl(1/s) rounds to −124.50000763 and would give
// −125 and no tie; it lies within the band (½ − 128.5·2^−22 ≈ 0.4999694 < 0.4999924), so the kernel
// must divide there. e = fl(−124·s) − x.
void expectSafetyBandHoldsTheTie(const char* name) {
    const detail::ErrorKernelFn fn = detail::errorKernelByName(name);
    if (!fn) GTEST_SKIP() << "this CPU has no " << name;
    const float s = 0x1.2022eep+9f, xv = -0x1.1841fap+16f;
    ASSERT_EQ(xv / s, -124.5f);
    ASSERT_EQ(std::nearbyint(xv * (1.0f / s)), -125.0f);
    QuantScheme scheme;  // int8 symmetric, seeds: codes −127…127
    const detail::ErrorKernelParams p = kernelParams(scheme, SliceParams{s, 0, {}});
    ASSERT_EQ(p.qmin, -127);
    std::vector<uint32_t> bits(8, ~0u);
    bits[7] = 0x7FFFFFFFu;      // code indices 0…254: all 255 codes known
    int32_t seen[2] = {0, 254};
    std::vector<uint64_t> perCode(255);
    detail::TieLog log;
    log.perCode = perCode.data();
    const std::vector<float> x(64, xv);  // four steps of 16 (AVX2: 2 × 8 lanes)
    detail::ErrorRunSums o;
    fn(x.data(), x.size(), p, {bits.data(), 8, seen}, log, {}, o);
    EXPECT_EQ(log.total, 64u);
    EXPECT_EQ(perCode[static_cast<size_t>(-125 + 127)], 64u);  // code below the boundary
    const double e = static_cast<double>(s * -124.0f) - static_cast<double>(xv);
    EXPECT_EQ(o.count, 64u);
    EXPECT_EQ(o.clipped, 0u);
    EXPECT_EQ(o.maxAbsErr, std::fabs(e));
    EXPECT_EQ(o.sumSqErr, 64 * e * e);  // e has ≤ 24 significant bits: e² and every partial sum are exact
}

TEST(ErrorKernels, Avx2SafetyBandKeepsTheProductOffATie) { expectSafetyBandHoldsTheTie("avx2"); }
TEST(ErrorKernels, Avx512SafetyBandKeepsTheProductOffATie) { expectSafetyBandHoldsTheTie("avx512"); }

}  // namespace
}  // namespace qv
