// Number formats: the level tables of FP8 E4M3FN / E5M2, FP4 E2M1 and NF4, their bit decoders,
// rounding (nearest, ties to the even bit pattern / even NF4 code), saturation and "clipped", and
// the names. Expected values are worked out from the format definitions (OCP OFP8 rev. 1.0
// table 1, OCP MX v1.0 §5.3.3, QLoRA appendix E; REFERENCE.md §3), not from the code under test.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/quant/number_format.h"
#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"
#include "core/quant/quantizer.h"

namespace qv {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

const LevelTable& table(NumberFormat f) {
    const LevelTable* t = levelTable(f);
    EXPECT_NE(t, nullptr);
    return *t;
}

// The level index → value, looked up by the test (not through index()).
float levelAt(const LevelTable& t, int32_t i) { return t.levels[static_cast<size_t>(i)]; }

// ---- Decoders -------------------------------------------------------------------------------

// E4M3FN: S.EEEE.MMM, bias 7. 0x38 = 0.0111.000 → 2^0 = 1; 0x7E = 0.1111.110 → 1.75·2^8 = 448;
// 0x01 = 0.0000.001 (subnormal) → 1/8·2^(1−7) = 2^−9; 0x08 = 0.0001.000 → 2^−6 (smallest normal);
// 0x07 → 7/8·2^−6; 0x7D → 1.625·2^8 = 416; 0xC0 = 1.1000.000 → −2^1 = −2; 0x80 → −0;
// only S.1111.111 is NaN (0x7F, 0xFF), so 0x78..0x7E are ordinary numbers (no Inf).
TEST(NumberFormat, DecodeE4M3) {
    EXPECT_EQ(decodeFp8E4M3(0x38), 1.0f);
    EXPECT_EQ(decodeFp8E4M3(0x7E), 448.0f);
    EXPECT_EQ(decodeFp8E4M3(0xFE), -448.0f);
    EXPECT_EQ(decodeFp8E4M3(0x7D), 416.0f);
    EXPECT_EQ(decodeFp8E4M3(0x78), 256.0f);
    EXPECT_EQ(decodeFp8E4M3(0x01), std::ldexp(1.0f, -9));
    EXPECT_EQ(decodeFp8E4M3(0x07), 0.875f * std::ldexp(1.0f, -6));
    EXPECT_EQ(decodeFp8E4M3(0x08), std::ldexp(1.0f, -6));
    EXPECT_EQ(decodeFp8E4M3(0x39), 1.125f);
    EXPECT_EQ(decodeFp8E4M3(0xC0), -2.0f);
    EXPECT_EQ(decodeFp8E4M3(0x00), 0.0f);
    EXPECT_FALSE(std::signbit(decodeFp8E4M3(0x00)));
    EXPECT_EQ(decodeFp8E4M3(0x80), 0.0f);
    EXPECT_TRUE(std::signbit(decodeFp8E4M3(0x80)));
    EXPECT_TRUE(std::isnan(decodeFp8E4M3(0x7F)));
    EXPECT_TRUE(std::isnan(decodeFp8E4M3(0xFF)));
    int nans = 0, infs = 0;
    for (int p = 0; p < 256; ++p) {
        const float v = decodeFp8E4M3(static_cast<uint8_t>(p));
        nans += std::isnan(v) ? 1 : 0;
        infs += std::isinf(v) ? 1 : 0;
    }
    EXPECT_EQ(nans, 2);
    EXPECT_EQ(infs, 0);
}

// E5M2: S.EEEEE.MM, bias 15, IEEE-like. 0x3C = 0.01111.00 → 1; 0x7B = 0.11110.11 → 1.75·2^15 = 57344;
// 0x7A → 1.5·2^15 = 49152; 0x01 → 1/4·2^(1−15) = 2^−16; 0x04 → 2^−14 (smallest normal);
// 0x7C = +Inf, 0xFC = −Inf, 0x7D..0x7F and 0xFD..0xFF NaN (6 NaNs).
TEST(NumberFormat, DecodeE5M2) {
    EXPECT_EQ(decodeFp8E5M2(0x3C), 1.0f);
    EXPECT_EQ(decodeFp8E5M2(0x7B), 57344.0f);
    EXPECT_EQ(decodeFp8E5M2(0xFB), -57344.0f);
    EXPECT_EQ(decodeFp8E5M2(0x7A), 49152.0f);
    EXPECT_EQ(decodeFp8E5M2(0x01), std::ldexp(1.0f, -16));
    EXPECT_EQ(decodeFp8E5M2(0x03), 0.75f * std::ldexp(1.0f, -14));
    EXPECT_EQ(decodeFp8E5M2(0x04), std::ldexp(1.0f, -14));
    EXPECT_EQ(decodeFp8E5M2(0x3D), 1.25f);
    EXPECT_EQ(decodeFp8E5M2(0x7C), kInf);
    EXPECT_EQ(decodeFp8E5M2(0xFC), -kInf);
    for (int p : {0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF}) EXPECT_TRUE(std::isnan(decodeFp8E5M2(static_cast<uint8_t>(p)))) << p;
    int nans = 0;
    for (int p = 0; p < 256; ++p) nans += std::isnan(decodeFp8E5M2(static_cast<uint8_t>(p))) ? 1 : 0;
    EXPECT_EQ(nans, 6);
}

// E2M1: S.EE.M, bias 1. 0b0001 → subnormal 1/2·2^0 = 0.5; 0b0010 → 1; 0b0011 → 1.5; 0b0100 → 2;
// 0b0101 → 3; 0b0110 → 4; 0b0111 → 1.5·2^2 = 6; 0b1001 → −0.5; 0b1111 → −6. Only the low 4 bits count.
TEST(NumberFormat, DecodeE2M1) {
    const float positive[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
    for (uint8_t p = 0; p < 8; ++p) {
        EXPECT_EQ(decodeFp4E2M1(p), positive[p]) << int(p);
        EXPECT_EQ(decodeFp4E2M1(static_cast<uint8_t>(p | 8u)), -positive[p]) << int(p);
    }
    EXPECT_EQ(decodeFp4E2M1(0b0111), 6.0f);
    EXPECT_EQ(decodeFp4E2M1(0b1001), -0.5f);
    EXPECT_EQ(decodeFp4E2M1(0xF7), 6.0f);  // high nibble ignored
    EXPECT_TRUE(std::signbit(decodeFp4E2M1(0b1000)));
}

// ---- Tables -----------------------------------------------------------------------------------

// Level counts: E4M3 256 patterns − 2 NaN = 254 finite, ±0 one level → 253 (126 per sign);
// E5M2 256 − 2 Inf − 6 NaN = 248, ±0 merged → 247 (123 per sign); E2M1 16 → 15 (7 per sign);
// NF4 16 codes, 16 distinct values.
TEST(NumberFormat, TableSizesRangesAndZero) {
    struct Case {
        NumberFormat f;
        int32_t size, zeroIndex;
        int bits;
        float maxAbs, smallestPositive;
    };
    const Case cases[] = {
        {NumberFormat::Fp8E4M3, 253, 126, 8, 448.0f, std::ldexp(1.0f, -9)},
        {NumberFormat::Fp8E5M2, 247, 123, 8, 57344.0f, std::ldexp(1.0f, -16)},
        {NumberFormat::Fp4E2M1, 15, 7, 4, 6.0f, 0.5f},
        {NumberFormat::Nf4, 16, 7, 4, 1.0f, 0.07958029955625534f},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(formatName(c.f));
        const LevelTable& t = table(c.f);
        EXPECT_EQ(t.format, c.f);
        EXPECT_EQ(t.size(), c.size);
        EXPECT_EQ(t.bits, c.bits);
        EXPECT_EQ(t.zeroIndex, c.zeroIndex);
        EXPECT_EQ(t.maxAbs, c.maxAbs);
        EXPECT_EQ(t.levels.back(), c.maxAbs);
        EXPECT_EQ(t.levels.front(), -c.maxAbs);
        ASSERT_EQ(t.midpoints.size(), static_cast<size_t>(c.size - 1));
        ASSERT_EQ(t.tieUp.size(), static_cast<size_t>(c.size - 1));
        EXPECT_EQ(levelAt(t, t.zeroIndex), 0.0f);
        EXPECT_FALSE(std::signbit(levelAt(t, t.zeroIndex)));
        EXPECT_EQ(levelAt(t, t.zeroIndex + 1), c.smallestPositive);
        int zeros = 0;
        for (float l : t.levels) zeros += l == 0.0f ? 1 : 0;
        EXPECT_EQ(zeros, 1);
        for (size_t i = 0; i + 1 < t.levels.size(); ++i) {
            ASSERT_LT(t.levels[i], t.levels[i + 1]) << i;
            // The decision point is the exact midpoint rounded once to float.
            const double mid = (static_cast<double>(t.levels[i]) + t.levels[i + 1]) / 2;
            EXPECT_EQ(t.midpoints[i], static_cast<float>(mid)) << i;
        }
    }
    EXPECT_EQ(levelTable(NumberFormat::Int), nullptr);
}

// Every positive FP level is its pattern: the positive patterns 1..126 (E4M3), 1..123 (E5M2), 1..7
// (E2M1) increase with the pattern, so level[zeroIndex + p] = decode(p) and level[zeroIndex − p] =
// decode(p | sign). Also the low end by hand: E4M3 and E5M2 subnormals are k·2^−9 / k·2^−16 and the
// first normal continues the sequence (8·2^−9 = 2^−6, 4·2^−16 = 2^−14 …), so level[z + k] = k·ulp for
// k = 0..8.
TEST(NumberFormat, FpLevelsAreTheDecodedPatterns) {
    struct Case {
        NumberFormat f;
        float (*decode)(uint8_t);
        uint32_t positives, sign;
    };
    const Case cases[] = {{NumberFormat::Fp8E4M3, decodeFp8E4M3, 126, 0x80},
                          {NumberFormat::Fp8E5M2, decodeFp8E5M2, 123, 0x80},
                          {NumberFormat::Fp4E2M1, decodeFp4E2M1, 7, 0x8}};
    for (const Case& c : cases) {
        SCOPED_TRACE(formatName(c.f));
        const LevelTable& t = table(c.f);
        for (uint32_t p = 1; p <= c.positives; ++p) {
            const auto up = static_cast<int32_t>(p);
            EXPECT_EQ(levelAt(t, t.zeroIndex + up), c.decode(static_cast<uint8_t>(p))) << p;
            EXPECT_EQ(levelAt(t, t.zeroIndex - up), c.decode(static_cast<uint8_t>(p | c.sign))) << p;
        }
    }
    const LevelTable& e4 = table(NumberFormat::Fp8E4M3);
    const LevelTable& e5 = table(NumberFormat::Fp8E5M2);
    for (int k = 0; k <= 8; ++k) {
        EXPECT_EQ(levelAt(e4, e4.zeroIndex + k), static_cast<float>(k) * std::ldexp(1.0f, -9)) << k;
        EXPECT_EQ(levelAt(e5, e5.zeroIndex + k), static_cast<float>(k) * std::ldexp(1.0f, -16)) << k;
    }
    EXPECT_EQ(levelAt(e4, e4.size() - 2), 416.0f);
    EXPECT_EQ(levelAt(e5, e5.size() - 2), 49152.0f);
    const LevelTable& e2 = table(NumberFormat::Fp4E2M1);
    EXPECT_EQ(e2.levels, (std::vector<float>{-6, -4, -3, -2, -1.5f, -1, -0.5f, 0, 0.5f, 1, 1.5f, 2, 3, 4, 6}));
}

// NF4: QLoRA's table (appendix E), code k = the k-th value; symmetric ends ±1, zero at code 7.
TEST(NumberFormat, Nf4Table) {
    const LevelTable& t = table(NumberFormat::Nf4);
    EXPECT_EQ(t.levels[0], -1.0f);
    EXPECT_EQ(t.levels[1], -0.6961928009986877f);
    EXPECT_EQ(t.levels[6], -0.09105003625154495f);
    EXPECT_EQ(t.levels[7], 0.0f);
    EXPECT_EQ(t.levels[8], 0.07958029955625534f);
    EXPECT_EQ(t.levels[14], 0.7229568362236023f);
    EXPECT_EQ(t.levels[15], 1.0f);
}

// ---- Rounding ---------------------------------------------------------------------------------

// The key accelerator gives the binary search's answer everywhere: on every level and midpoint, one ulp
// either side of them, on every 16-bit key's end patterns, and on a million pseudo-random patterns.
TEST(NumberFormat, AcceleratedIndexEqualsTheSearch) {
    for (NumberFormat f : {NumberFormat::Fp8E4M3, NumberFormat::Fp8E5M2, NumberFormat::Fp6E2M3, NumberFormat::Fp6E3M2,
                           NumberFormat::Fp4E2M1, NumberFormat::Nf4}) {
        const LevelTable& t = *levelTable(f);
        std::vector<float> probes;
        for (const std::vector<float>* v : {&t.levels, &t.midpoints})
            for (float x : *v)
                for (float y : {x, std::nextafter(x, -INFINITY), std::nextafter(x, INFINITY)}) probes.push_back(y);
        for (uint32_t key = 0; key < (1u << 16); ++key)
            for (uint32_t bits : {key << 16, (key << 16) | 0xFFFFu, (key << 16) | 0x8000u}) probes.push_back(std::bit_cast<float>(bits));
        uint64_t state = 0x9E3779B97F4A7C15ull;
        for (int i = 0; i < 1000000; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            probes.push_back(std::bit_cast<float>(static_cast<uint32_t>(state >> 32)));
        }
        size_t wrong = 0;
        for (float x : probes)
            if (t.index(x) != t.indexBySearch(x)) ++wrong;
        EXPECT_EQ(wrong, 0u) << formatName(f);
        // The tie filter never misses a midpoint (it may pass other values).
        for (float m : t.midpoints) EXPECT_TRUE(t.mayBeTie(m)) << formatName(f) << " " << m;
    }
}

// What a file stores for each level: its own bit pattern (the zero level: +0), or NF4's code.
TEST(NumberFormat, StoredPatternsDecodeToTheLevels) {
    const std::pair<NumberFormat, float (*)(uint8_t)> fp[] = {
        {NumberFormat::Fp8E4M3, decodeFp8E4M3}, {NumberFormat::Fp8E5M2, decodeFp8E5M2}, {NumberFormat::Fp4E2M1, decodeFp4E2M1},
        {NumberFormat::Fp6E2M3, decodeFp6E2M3}, {NumberFormat::Fp6E3M2, decodeFp6E3M2}};
    for (const auto& [f, decode] : fp) {
        const LevelTable& t = *levelTable(f);
        ASSERT_EQ(t.patterns.size(), t.levels.size());
        for (size_t i = 0; i < t.levels.size(); ++i) EXPECT_EQ(decode(t.patterns[i]), t.levels[i]) << formatName(f) << " " << i;
        EXPECT_EQ(t.patterns[static_cast<size_t>(t.zeroIndex)], 0);
    }
    EXPECT_EQ(levelTable(NumberFormat::Fp8E4M3)->patterns.back(), 0x7E);   // 448
    EXPECT_EQ(levelTable(NumberFormat::Fp8E4M3)->patterns.front(), 0xFE);  // −448
    const LevelTable& nf4 = *levelTable(NumberFormat::Nf4);
    for (size_t k = 0; k < 16; ++k) EXPECT_EQ(nf4.patterns[k], k);
}

// FP6 (OCP MX v1.0 §5.3.2; the ONNX FLOAT6 table): every one of the 64 patterns is a number, ±0 merged → 63.
//   E2M3 (bias 1): max 0 11 111 = 1.875·2^2 = 7.5, min subnormal 0 00 001 = 0.125, min normal 1.0.
//   E3M2 (bias 3): max 0 111 11 = 1.75·2^4 = 28, min subnormal 0 000 01 = 0.0625, min normal 0.25.
// Rounding, by hand: E3M2 25 lies between 24 (0x1E, even) and 28; the midpoint is 26, so 24 (ONNX's
// example). E2M3 25 saturates to 7.5 and is clipped: the top binade [4, 8) has steps of 0.5, so the clip
// point is 7.5 + (7.5 − 7)/2 = 7.75.
// MXFP6 E3M2 with amax 100: floor(log2 100) = 6 → X = 2^(6 − 4) = 4; 100/4 = 25 → 24 → x̂ = 96.
TEST(NumberFormat, Fp6Formats) {
    const LevelTable& a = *levelTable(NumberFormat::Fp6E2M3);
    const LevelTable& b = *levelTable(NumberFormat::Fp6E3M2);
    EXPECT_EQ(a.size(), 63);
    EXPECT_EQ(b.size(), 63);
    EXPECT_EQ(a.bits, 6);
    EXPECT_EQ(a.maxAbs, 7.5f);
    EXPECT_EQ(b.maxAbs, 28.0f);
    EXPECT_EQ(decodeFp6E2M3(0x1F), 7.5f);
    EXPECT_EQ(decodeFp6E2M3(0x01), 0.125f);
    EXPECT_EQ(decodeFp6E2M3(0x08), 1.0f);
    EXPECT_EQ(decodeFp6E2M3(0x21), -0.125f);
    EXPECT_EQ(decodeFp6E3M2(0x1F), 28.0f);
    EXPECT_EQ(decodeFp6E3M2(0x01), 0.0625f);
    EXPECT_EQ(decodeFp6E3M2(0x04), 0.25f);
    EXPECT_EQ(b.levels[static_cast<size_t>(b.index(25.0f))], 24.0f);
    EXPECT_FALSE(b.clipped(25.0f));
    EXPECT_EQ(a.levels[static_cast<size_t>(a.index(25.0f))], 7.5f);
    EXPECT_TRUE(a.clipped(25.0f));
    EXPECT_EQ(a.highClip, 7.75f);
    EXPECT_TRUE(a.highClipTieOut);  // 0x1F is odd
    EXPECT_EQ(mxElementEmax(NumberFormat::MxFp6E3M2), 4);
    EXPECT_EQ(levelTable(NumberFormat::MxFp6E2M3), &a);
    QuantScheme mx;
    mx.format = NumberFormat::MxFp6E3M2;
    const SliceParams p = paramsFromRange(mx, {-100.0, 50.0});
    EXPECT_EQ(p.scale, 4.0f);
    const Quantizer q(mx, p);
    EXPECT_EQ(q.dequantize(q.quantize(100.0f)), 96.0f);
}

TEST(NumberFormat, ExactLevelsMapToThemselves) {
    for (NumberFormat f : {NumberFormat::Fp8E4M3, NumberFormat::Fp8E5M2, NumberFormat::Fp4E2M1, NumberFormat::Nf4}) {
        SCOPED_TRACE(formatName(f));
        const LevelTable& t = table(f);
        for (int32_t i = 0; i < t.size(); ++i) {
            EXPECT_EQ(t.index(levelAt(t, i)), i) << i;
            EXPECT_FALSE(t.clipped(levelAt(t, i))) << i;
        }
        EXPECT_EQ(t.index(-0.0f), t.zeroIndex);
    }
}

// E4M3 ties (value exactly between two levels → the level with the even bit pattern):
//   1.0625 = (1.0 [0x38] + 1.125 [0x39]) / 2 → 1.0 (0x38 even)
//   1.1875 = (1.125 [0x39] + 1.25 [0x3A]) / 2 → 1.25 (0x3A even)
//   2^−10 = (0 [0x00] + 2^−9 [0x01]) / 2 → 0
//   3·2^−10 = (2^−9 [0x01] + 2^−8 [0x02]) / 2 → 2^−8 (0x02 even)
//   432 = (416 [0x7D] + 448 [0x7E]) / 2 → 448 (0x7E even)
//   −1.0625 = (−1.125 [0xB9] + −1.0 [0xB8]) / 2 → −1.0; −2^−10 → 0 (+0 = 0x00 even; −0 = 0x80 also even)
// Off-tie neighbours go to the nearer level.
TEST(NumberFormat, E4M3RoundsToNearestTiesToEvenPattern) {
    const LevelTable& t = table(NumberFormat::Fp8E4M3);
    const auto at = [&](float v) { return levelAt(t, t.index(v)); };
    EXPECT_EQ(at(1.0625f), 1.0f);
    EXPECT_EQ(at(std::nextafter(1.0625f, 2.0f)), 1.125f);
    EXPECT_EQ(at(1.1875f), 1.25f);
    EXPECT_EQ(at(std::nextafter(1.1875f, 0.0f)), 1.125f);
    EXPECT_EQ(at(std::ldexp(1.0f, -10)), 0.0f);
    EXPECT_EQ(t.index(std::ldexp(1.0f, -10)), t.zeroIndex);
    EXPECT_EQ(at(std::nextafter(std::ldexp(1.0f, -10), 1.0f)), std::ldexp(1.0f, -9));
    EXPECT_EQ(at(3.0f * std::ldexp(1.0f, -10)), std::ldexp(1.0f, -8));
    EXPECT_EQ(at(std::nextafter(3.0f * std::ldexp(1.0f, -10), 0.0f)), std::ldexp(1.0f, -9));
    EXPECT_EQ(at(432.0f), 448.0f);
    EXPECT_EQ(at(431.0f), 416.0f);
    EXPECT_EQ(at(-1.0625f), -1.0f);
    EXPECT_EQ(at(-1.1875f), -1.25f);
    EXPECT_EQ(at(-std::ldexp(1.0f, -10)), 0.0f);
    EXPECT_EQ(at(-3.0f * std::ldexp(1.0f, -10)), -std::ldexp(1.0f, -8));
    // Below half the smallest subnormal: 0.
    EXPECT_EQ(at(1e-30f), 0.0f);
    // 300 lies in [256, 512) where the step is 32: 288 (0x79) and 320 (0x7A); 304 is their tie → 320.
    EXPECT_EQ(at(300.0f), 288.0f);
    EXPECT_EQ(at(304.0f), 320.0f);
    EXPECT_EQ(at(305.0f), 320.0f);
}

// E5M2 ties: (1 [0x3C] + 1.25 [0x3D]) / 2 = 1.125 → 1; (1.25 + 1.5 [0x3E]) / 2 = 1.375 → 1.5;
// 2^−17 → 0; (49152 [0x7A] + 57344 [0x7B]) / 2 = 53248 → 49152 (0x7A even).
TEST(NumberFormat, E5M2RoundsToNearestTiesToEvenPattern) {
    const LevelTable& t = table(NumberFormat::Fp8E5M2);
    const auto at = [&](float v) { return levelAt(t, t.index(v)); };
    EXPECT_EQ(at(1.125f), 1.0f);
    EXPECT_EQ(at(1.375f), 1.5f);
    EXPECT_EQ(at(std::ldexp(1.0f, -17)), 0.0f);
    EXPECT_EQ(at(3.0f * std::ldexp(1.0f, -17)), std::ldexp(1.0f, -15));  // (2^−16 [0x01] + 2^−15 [0x02]) / 2
    EXPECT_EQ(at(53248.0f), 49152.0f);
    EXPECT_EQ(at(53249.0f), 57344.0f);
    EXPECT_EQ(at(-53248.0f), -49152.0f);
}

// E2M1 ties (codes: 0.5 = 0001, 1 = 0010, 1.5 = 0011, 2 = 0100, 3 = 0101, 4 = 0110, 6 = 0111):
//   0.25 → 0, 0.75 → 1, 1.25 → 1, 1.75 → 2, 2.5 → 2, 3.5 → 4, 5 → 4; negatives mirror (−2.5 → −2).
TEST(NumberFormat, E2M1RoundsToNearestTiesToEvenPattern) {
    const LevelTable& t = table(NumberFormat::Fp4E2M1);
    const auto at = [&](float v) { return levelAt(t, t.index(v)); };
    EXPECT_EQ(at(0.25f), 0.0f);
    EXPECT_EQ(at(0.75f), 1.0f);
    EXPECT_EQ(at(1.25f), 1.0f);
    EXPECT_EQ(at(1.75f), 2.0f);
    EXPECT_EQ(at(2.5f), 2.0f);
    EXPECT_EQ(at(3.5f), 4.0f);
    EXPECT_EQ(at(5.0f), 4.0f);
    EXPECT_EQ(at(-0.25f), 0.0f);
    EXPECT_EQ(at(-0.75f), -1.0f);
    EXPECT_EQ(at(-2.5f), -2.0f);
    EXPECT_EQ(at(-5.0f), -4.0f);
    EXPECT_EQ(at(2.6f), 3.0f);
    EXPECT_EQ(at(5.1f), 6.0f);
    EXPECT_EQ(at(0.26f), 0.5f);
    // The tie rule per midpoint: tieUp is set exactly where the upper level's pattern is even.
    // Levels from the bottom with their patterns: −6 (1111), −4 (1110), −3 (1101), −2 (1100),
    // −1.5 (1011), −1 (1010), −0.5 (1001), 0 (0000), 0.5 (0001), 1 (0010), 1.5 (0011), 2 (0100),
    // 3 (0101), 4 (0110), 6 (0111): the upper level of midpoint i is even for i = 0, 2, 4, …
    EXPECT_EQ(t.tieUp, (std::vector<uint8_t>{1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0}));
}

// NF4 ties go to the even code. (0 [code 7] + 0.0795803 [code 8]) / 2 = 0.0397901… is exact in
// float (half a float) → code 8; (−0.0910500 [6] + 0 [7]) / 2 → code 6; between codes 14 and 15
// the (rounded) midpoint goes to 14.
TEST(NumberFormat, Nf4TiesToEvenCode) {
    const LevelTable& t = table(NumberFormat::Nf4);
    EXPECT_EQ(t.index(0.07958029955625534f / 2), 8);
    EXPECT_EQ(t.index(-0.09105003625154495f / 2), 6);
    EXPECT_EQ(t.index(t.midpoints[14]), 14);
    EXPECT_EQ(t.index(std::nextafter(t.midpoints[14], 2.0f)), 15);
    EXPECT_EQ(t.index(0.5f), 12);  // (0.4407 + 0.5626) / 2 = 0.5017 > 0.5 → 0.4407 (code 12)
    EXPECT_EQ(t.index(0.51f), 13);
    for (size_t i = 0; i < t.tieUp.size(); ++i) EXPECT_EQ(t.tieUp[i], (i + 1) % 2 == 0 ? 1 : 0) << i;
}

// ---- Saturation and clipped -------------------------------------------------------------------

// E4M3: end gap 448 − 416 = 32, so the clip point is 448 + 16 = 464. 464 is the tie between 448
// (0x7E, even) and the continued grid's 480 → stays 448, not clipped; anything above is clipped.
TEST(NumberFormat, E4M3SaturatesAndClipsBeyond464) {
    const LevelTable& t = table(NumberFormat::Fp8E4M3);
    const int32_t top = t.size() - 1;
    EXPECT_EQ(t.highClip, 464.0f);
    EXPECT_EQ(t.lowClip, -464.0f);
    EXPECT_FALSE(t.highClipTieOut);
    EXPECT_FALSE(t.lowClipTieOut);
    for (float v : {448.0f, 460.0f, 464.0f}) {
        EXPECT_EQ(t.index(v), top) << v;
        EXPECT_FALSE(t.clipped(v)) << v;
    }
    for (float v : {std::nextafter(464.0f, 1e9f), 465.0f, 1e30f, std::numeric_limits<float>::max(), kInf}) {
        EXPECT_EQ(t.index(v), top) << v;
        EXPECT_TRUE(t.clipped(v)) << v;
    }
    EXPECT_EQ(t.index(-464.0f), 0);
    EXPECT_FALSE(t.clipped(-464.0f));
    EXPECT_EQ(t.index(-465.0f), 0);
    EXPECT_TRUE(t.clipped(-465.0f));
    EXPECT_EQ(t.index(-kInf), 0);
    EXPECT_EQ(levelAt(t, t.index(-kInf)), -448.0f);
    EXPECT_TRUE(t.clipped(-kInf));
    EXPECT_EQ(t.index(kNaN), t.zeroIndex);
    EXPECT_FALSE(t.clipped(kNaN));
}

// E5M2: end gap 57344 − 49152 = 8192 → clip point 61440; 57344 is 0x7B (odd), so the tie at 61440
// goes out (to the next binade's 65536): clipped. Just below it: 57344, not clipped.
TEST(NumberFormat, E5M2ClipsFrom61440) {
    const LevelTable& t = table(NumberFormat::Fp8E5M2);
    const int32_t top = t.size() - 1;
    EXPECT_EQ(t.highClip, 61440.0f);
    EXPECT_TRUE(t.highClipTieOut);
    EXPECT_TRUE(t.lowClipTieOut);
    EXPECT_FALSE(t.clipped(std::nextafter(61440.0f, 0.0f)));
    EXPECT_EQ(t.index(std::nextafter(61440.0f, 0.0f)), top);
    EXPECT_TRUE(t.clipped(61440.0f));
    EXPECT_EQ(t.index(61440.0f), top);
    EXPECT_TRUE(t.clipped(-61440.0f));
    EXPECT_FALSE(t.clipped(-61000.0f));
    EXPECT_EQ(t.index(kInf), top);
    EXPECT_TRUE(t.clipped(kInf));
    EXPECT_EQ(t.index(kNaN), t.zeroIndex);
    EXPECT_FALSE(t.clipped(kNaN));
}

// E2M1: end gap 6 − 4 = 2 → clip point 7; 6 is 0111 (odd) → 7 itself is clipped; 6.99 is not.
TEST(NumberFormat, E2M1ClipsFrom7) {
    const LevelTable& t = table(NumberFormat::Fp4E2M1);
    EXPECT_EQ(t.highClip, 7.0f);
    EXPECT_EQ(t.lowClip, -7.0f);
    EXPECT_FALSE(t.clipped(6.99f));
    EXPECT_TRUE(t.clipped(7.0f));
    EXPECT_TRUE(t.clipped(-7.0f));
    EXPECT_FALSE(t.clipped(-6.99f));
    EXPECT_EQ(t.index(7.0f), 14);
    EXPECT_EQ(t.index(-100.0f), 0);
    EXPECT_EQ(t.index(kNaN), 7);
}

// NF4: top gap 1 − 0.7229568 → clip above 1 + 0.1385216 = 1.1385216 (code 15 odd: the tie is out);
// bottom gap −0.6961928 − (−1) → clip below −1.1519036 (code 0 even: the tie stays).
TEST(NumberFormat, Nf4ClipPoints) {
    const LevelTable& t = table(NumberFormat::Nf4);
    EXPECT_NEAR(t.highClip, 1.1385216f, 1e-6f);
    EXPECT_NEAR(t.lowClip, -1.1519036f, 1e-6f);
    EXPECT_TRUE(t.highClipTieOut);
    EXPECT_FALSE(t.lowClipTieOut);
    EXPECT_FALSE(t.clipped(1.13f));
    EXPECT_TRUE(t.clipped(1.14f));
    EXPECT_FALSE(t.clipped(-1.15f));
    EXPECT_TRUE(t.clipped(-1.16f));
}

// ---- Names and scheme -------------------------------------------------------------------------

TEST(NumberFormat, NamesRoundTrip) {
    const std::vector<NumberFormat> all = allNumberFormats();
    ASSERT_EQ(all.size(), 13u);
    EXPECT_STREQ(formatName(NumberFormat::Int), "int");
    EXPECT_STREQ(formatName(NumberFormat::Fp8E4M3), "fp8-e4m3");
    EXPECT_STREQ(formatName(NumberFormat::Fp8E5M2), "fp8-e5m2");
    EXPECT_STREQ(formatName(NumberFormat::Fp4E2M1), "fp4-e2m1");
    EXPECT_STREQ(formatName(NumberFormat::Nf4), "nf4");
    EXPECT_STREQ(formatName(NumberFormat::MxFp8E4M3), "mxfp8-e4m3");
    EXPECT_STREQ(formatName(NumberFormat::MxFp8E5M2), "mxfp8-e5m2");
    EXPECT_STREQ(formatName(NumberFormat::MxFp4), "mxfp4");
    EXPECT_STREQ(formatName(NumberFormat::NvFp4), "nvfp4");
    EXPECT_EQ(numberFormatChoices(),
              "int|fp8-e4m3|fp8-e5m2|fp6-e2m3|fp6-e3m2|fp4-e2m1|nf4|mxfp8-e4m3|mxfp8-e5m2|mxfp6-e2m3|mxfp6-e3m2|mxfp4|nvfp4");
    EXPECT_EQ(levelTable(NumberFormat::NvFp4), levelTable(NumberFormat::Fp4E2M1));
    EXPECT_TRUE(hasTensorScale(NumberFormat::NvFp4));
    EXPECT_FALSE(hasTensorScale(NumberFormat::MxFp4));
    // An MX format has its element format's table.
    EXPECT_EQ(levelTable(NumberFormat::MxFp4), levelTable(NumberFormat::Fp4E2M1));
    EXPECT_EQ(mxElementEmax(NumberFormat::MxFp8E5M2), 15);
    EXPECT_EQ(mxElementEmax(NumberFormat::Fp8E5M2), -1);
    EXPECT_STREQ(formatTitle(NumberFormat::Fp8E4M3), "FP8 E4M3FN (max 448)");
    for (NumberFormat f : all) {
        NumberFormat out = f == NumberFormat::Int ? NumberFormat::Nf4 : NumberFormat::Int;
        EXPECT_TRUE(parseNumberFormat(formatName(f), out)) << formatName(f);
        EXPECT_EQ(out, f);
    }
    NumberFormat keep = NumberFormat::Fp4E2M1;
    for (const char* bad : {"", "fp8", "FP8-E4M3", "e4m3", "nf4 ", "int8"}) {
        EXPECT_FALSE(parseNumberFormat(bad, keep)) << bad;
        EXPECT_EQ(keep, NumberFormat::Fp4E2M1);
    }
}

// A level format's scheme: codes 0..levels−1, symmetric whatever `symmetry` says, code bits from the
// format, described by the format's name.
TEST(NumberFormat, SchemeOfALevelFormat) {
    QuantScheme s;
    s.format = NumberFormat::Fp8E4M3;
    s.symmetry = Symmetry::Asymmetric;
    s.bits = 3;
    EXPECT_EQ(s.qmin(), 0);
    EXPECT_EQ(s.qmax(), 252);
    EXPECT_TRUE(s.symmetric());
    EXPECT_EQ(s.codeBits(), 8);
    EXPECT_EQ(s.describe(), "fp8-e4m3 per-tensor");
    s.format = NumberFormat::Fp4E2M1;
    EXPECT_EQ(s.qmax(), 14);
    EXPECT_EQ(s.codeBits(), 4);
    s.format = NumberFormat::Nf4;
    s.granularity = Granularity::PerGroup;
    s.groupSize = 64;
    EXPECT_EQ(s.qmax(), 15);
    EXPECT_EQ(s.describe(), "nf4 per-group(64)");
    s.format = NumberFormat::Fp8E5M2;
    EXPECT_EQ(s.qmax(), 246);
    s.format = NumberFormat::Int;
    EXPECT_FALSE(s.symmetric());
    EXPECT_EQ(s.codeBits(), 3);
}

}  // namespace
}  // namespace qv
