// The AVX-512 level-format error kernel against the scalar one (errorKernelLevels, whose values the
// hand-worked tests in level_quantizer_test.cpp pin down), called directly as the exact pass calls them:
// runs of ≤ kErrorRunMax elements sharing one level bitmap and its interval of known levels. The two
// must agree exactly on counts, clipping, ties (per level), levels used and max |e|, and on the sums up
// to their order of addition.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/metrics/error_kernel.h"
#include "core/quant/number_format.h"

namespace qv {
namespace {

struct LevelRun {
    std::vector<detail::ErrorRunSums> sums;
    std::vector<uint32_t> bits;
    std::vector<uint64_t> tiesPerLevel;
    uint64_t ties = 0;
};

LevelRun runLevels(detail::ErrorKernelFn fn, const std::vector<float>& x, const LevelTable& t, float scale, size_t runLen) {
    LevelRun r;
    const auto words = static_cast<uint32_t>((t.size() + 31) / 32);
    r.bits.assign(words, 0);
    r.tiesPerLevel.assign(static_cast<size_t>(t.size()), 0);
    int32_t seen[2] = {1, 0};  // empty
    detail::TieLog log;
    log.perCode = r.tiesPerLevel.data();
    detail::ErrorKernelParams p;
    p.table = &t;
    p.scale = scale;
    p.invScale = 1.0f / scale;
    for (size_t i = 0; i < x.size(); i += runLen) {
        detail::ErrorRunSums s;
        fn(x.data() + i, std::min(runLen, x.size() - i), p, {r.bits.data(), words, seen}, log, {}, s);
        r.sums.push_back(s);
    }
    r.ties = log.total;
    return r;
}

// A Gaussian of σ = sigma·s (in units of the largest level), and in about one value of 100 an awkward
// one: exactly s·midpoint (a tie) or a few ulps around it, s·level, the clip points and around them,
// beyond the ends, NaN, ±Inf, ±0, the smallest subnormal, a value whose low 16 bits are 0.
std::vector<float> awkwardLevelValues(const LevelTable& t, float s, float sigma, size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, sigma * t.maxAbs);
    std::uniform_int_distribution<int> pick(0, 99), kind(0, 9), ulps(-2, 2);
    std::uniform_int_distribution<int> mid(0, t.size() - 2), lev(0, t.size() - 1);
    std::vector<float> x(n);
    for (size_t i = 0; i < n; ++i) {
        float v = g(rng) * s;
        if (pick(rng) == 0) {
            switch (kind(rng)) {
                case 0:
                case 1:
                case 2: {
                    // s·m is exact for the scales below (powers of two times small mantissas), so x/s = m.
                    v = s * t.midpoints[static_cast<size_t>(mid(rng))];
                    for (int u = ulps(rng); u != 0; u += u > 0 ? -1 : 1)
                        v = std::nextafter(v, u > 0 ? INFINITY : -INFINITY);
                    break;
                }
                case 3: v = s * t.levels[static_cast<size_t>(lev(rng))]; break;
                case 4: v = s * (i % 2 ? t.highClip : t.lowClip); break;
                case 5: v = std::nextafter(s * (i % 2 ? t.highClip : t.lowClip), i % 4 < 2 ? INFINITY : -INFINITY); break;
                case 6: v = s * t.maxAbs * (i % 2 ? 3.0f : -3.0f); break;
                case 7: v = i % 3 == 0 ? NAN : (i % 3 == 1 ? INFINITY : -INFINITY); break;
                case 8: v = i % 3 == 0 ? 0.0f : (i % 3 == 1 ? -0.0f : 0x1p-149f); break;
                default: v = s * 0x1p-3f * static_cast<float>(static_cast<int>(i % 64) - 32); break;  // low bits 0
            }
        }
        x[i] = v;
    }
    return x;
}

TEST(LevelErrorKernel, Avx512MatchesScalar) {
    const detail::ErrorKernelFn simd = detail::errorKernelLevelsByName("avx512");
    if (!simd) GTEST_SKIP() << "this CPU has no AVX-512";
    const detail::ErrorKernelFn scalar = detail::errorKernelLevelsByName("portable");
    ASSERT_NE(scalar, nullptr);
    // Every table size class: permute of one register (FP4 15 levels, NF4 16), of two (none between 17
    // and 32 today), gather (FP6 63, FP8 253/247). Scales: 1, a power of two, amax/448-like, tiny.
    const NumberFormat formats[] = {NumberFormat::Fp8E4M3, NumberFormat::Fp8E5M2, NumberFormat::Fp6E2M3,
                                    NumberFormat::Fp6E3M2, NumberFormat::Fp4E2M1, NumberFormat::Nf4};
    const float scales[] = {1.0f, 0x1p-7f, 0x1.25p-9f, 0x1p-120f};
    uint32_t seed = 7;
    for (NumberFormat f : formats) {
        // Each table as built (FP grids: rounding by arithmetic; NF4: midpoint compares), and a copy that
        // hides the float structure, so the kernel takes its other search (≤ 16 levels: compares; more:
        // the key accelerator with gathers) on the same values.
        LevelTable hidden = *levelTable(f);
        hidden.fpMantissaBits = -1;
        for (const LevelTable* table : {levelTable(f), static_cast<const LevelTable*>(&hidden)})
        for (float s : scales) {
            const LevelTable& t = *table;
            const std::vector<float> x = awkwardLevelValues(t, s, 0.3f, 30000, seed++);
            for (size_t runLen : {detail::kErrorRunMax, size_t{1000}, size_t{37}, size_t{16}, size_t{5}}) {
                SCOPED_TRACE(testing::Message() << formatName(f) << (table == &hidden ? " (search)" : "") << " scale "
                                                << s << " run " << runLen);
                const LevelRun a = runLevels(simd, x, t, s, runLen), b = runLevels(scalar, x, t, s, runLen);
                ASSERT_EQ(a.sums.size(), b.sums.size());
                EXPECT_GT(b.ties, 0u);  // the cases do reach the tie path
                EXPECT_EQ(a.ties, b.ties);
                EXPECT_EQ(a.tiesPerLevel, b.tiesPerLevel);
                EXPECT_EQ(a.bits, b.bits);
                uint64_t clipped = 0;
                for (size_t r = 0; r < a.sums.size(); ++r) {
                    const auto &u = a.sums[r], &v = b.sums[r];
                    clipped += v.clipped;
                    ASSERT_EQ(u.count, v.count) << r;
                    ASSERT_EQ(u.clipped, v.clipped) << r;
                    ASSERT_EQ(u.maxAbsErr, v.maxAbsErr) << r;
                    const auto near = [](double p, double q) { return std::fabs(p - q) <= 1e-12 * std::fabs(q) + 1e-300; };
                    EXPECT_PRED2(near, u.sumSqErr, v.sumSqErr) << r;
                    EXPECT_PRED2(near, u.sumAbsErr, v.sumAbsErr) << r;
                    EXPECT_PRED2(near, u.sumSqX, v.sumSqX) << r;
                    EXPECT_PRED2(near, u.sumSqXq, v.sumSqXq) << r;
                    EXPECT_PRED2(near, u.sumXXq, v.sumXXq) << r;
                }
                EXPECT_GT(clipped, 0u);
            }
        }
    }
}

// Four values worked by hand, E2M1 with s = 1 (levels ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}; patterns 0b0SEM):
// - 2.5 is the midpoint of 2 (0b0100, even) and 3 (0b0101): a tie, to 2; e = −0.5.
// - 7 lies beyond 6: the clip point is 6 + (6 − 4)/2 = 7, and 6's pattern 0b0111 is odd, so 7 itself
//   is clipped (it saturates to 6; e = −1). It is not a table midpoint, so no tie is logged.
// - 0.2 goes to 0 (below the midpoint 0.25); e = −0.2f.
// - −5 is the midpoint of −4 (0b1110, even) and −6 (0b1111): a tie, to −4; e = +1.
// So: 4 counted, 1 clipped, 2 ties, Σe² = 0.25 + 1 + 0.2f² + 1, max |e| = 1.
// The float grids' arithmetic description (OCP OFP8 / MX: m mantissa bits, smallest normal 2^(1 − bias)),
// which buildFp checks against every level; NF4 has none.
TEST(LevelErrorKernel, FloatGridDescriptions) {
    const struct {
        NumberFormat f;
        int m, emin;
    } cases[] = {{NumberFormat::Fp8E4M3, 3, -6}, {NumberFormat::Fp8E5M2, 2, -14}, {NumberFormat::Fp4E2M1, 1, 0},
                 {NumberFormat::Fp6E2M3, 3, 0},  {NumberFormat::Fp6E3M2, 2, -2}};
    for (const auto& c : cases) {
        EXPECT_EQ(levelTable(c.f)->fpMantissaBits, c.m) << formatName(c.f);
        EXPECT_EQ(levelTable(c.f)->fpMinExponent, c.emin) << formatName(c.f);
    }
    EXPECT_LT(levelTable(NumberFormat::Nf4)->fpMantissaBits, 0);
}

TEST(LevelErrorKernel, HandWorkedE2M1Run) {
    const LevelTable& t = *levelTable(NumberFormat::Fp4E2M1);
    const std::vector<float> x = {2.5f, 7.0f, 0.2f, -5.0f};
    for (const char* name : {"portable", "avx512"}) {
        const detail::ErrorKernelFn fn = detail::errorKernelLevelsByName(name);
        if (!fn) continue;
        SCOPED_TRACE(name);
        const LevelRun r = runLevels(fn, x, t, 1.0f, 16);
        ASSERT_EQ(r.sums.size(), 1u);
        const auto& s = r.sums[0];
        EXPECT_EQ(s.count, 4u);
        EXPECT_EQ(s.clipped, 1u);  // 7
        EXPECT_EQ(r.ties, 2u);     // 2.5 and −5
        EXPECT_EQ(r.tiesPerLevel[11], 1u);  // below 2.5: level 2 (index 11 of 15)
        EXPECT_EQ(r.tiesPerLevel[0], 1u);   // below −5: level −6 (index 0)
        EXPECT_EQ(r.bits[0], (1u << 11) | (1u << 14) | (1u << 7) | (1u << 1));  // levels 2, 6, 0, −4
        const double e02 = static_cast<double>(0.2f);
        EXPECT_DOUBLE_EQ(s.sumSqErr, 0.25 + 1.0 + e02 * e02 + 1.0);
        EXPECT_DOUBLE_EQ(s.maxAbsErr, 1.0);
    }
}

}  // namespace
}  // namespace qv
