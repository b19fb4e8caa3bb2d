// Importance matrices: the reader (core/formats/imatrix.h) on legacy .dat and GGUF files written here, valid and
// hostile; the importance-weighted encoders (core/tensor/ggml_encode_weighted.h) on blocks worked out by hand
// from llama.cpp's quantize_row_*_impl definitions and on properties those definitions imply; and the weighted
// round-trip error (core/metrics/ggml_requant.h) on generated and real tensors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/formats/imatrix.h"
#include "core/formats/model_file.h"
#include "core/metrics/ggml_requant.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/ggml_encode.h"
#include "core/tensor/ggml_encode_impl.h"
#include "core/tensor/ggml_encode_search.h"
#include "core/tensor/ggml_encode_weighted.h"
#include "core/tensor/half.h"
#include "tests/core/gguf/gguf_writer.h"
#include "tests/support/tensor_view_builder.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

using test::ByteWriter;

// [SECTION] Reader

// A legacy .dat as save_imatrix_legacy writes it: values stored as mean·ncall.
struct LegacyEntry {
    std::string name;
    int32_t ncall;
    std::vector<float> values;
};
std::vector<std::byte> legacyFile(const std::vector<LegacyEntry>& entries, bool trailer = true) {
    ByteWriter w;
    w.put<int32_t>(static_cast<int32_t>(entries.size()));
    for (const auto& e : entries) {
        w.put<int32_t>(static_cast<int32_t>(e.name.size()));
        w.putRaw(e.name.data(), e.name.size());
        w.put<int32_t>(e.ncall);
        w.put<int32_t>(static_cast<int32_t>(e.values.size()));
        w.putRaw(e.values.data(), e.values.size() * 4);
    }
    if (trailer) {
        w.put<int32_t>(10);  // last chunk
        const std::string dataset = "wiki.train.raw";
        w.put<int32_t>(static_cast<int32_t>(dataset.size()));
        w.putRaw(dataset.data(), dataset.size());
    }
    return std::move(w.bytes());
}

std::vector<LegacyEntry> twoEntries() {
    // "b…" first on purpose: entries come back sorted by name.
    return {{"blk.1.attn_q.weight", 0, {0.5f, 0.25f}}, {"blk.0.ffn_up.weight", 10, {10, 20, 30, 40}}};
}

TEST(ImatrixReader, LegacyValuesAreDividedByNcall) {
    const auto bytes = legacyFile(twoEntries());
    const std::string path = test::tempPath("legacy.dat");
    test::writeBytes(path, bytes);
    auto m = readImatrix(path);
    ASSERT_TRUE(m) << m.message();
    EXPECT_TRUE(m->legacy);
    ASSERT_EQ(m->entries.size(), 2u);
    // stored (mean x²)·ncall with ncall 10: 10, 20, 30, 40 → 1, 2, 3, 4.
    const ImatrixEntry* up = m->find("blk.0.ffn_up.weight");
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(up->values, (std::vector<float>{1, 2, 3, 4}));
    EXPECT_EQ(up->columns, 4u);
    EXPECT_EQ(up->matrices, 1u);
    // ncall 0: the values as stored (quantize.cpp load_imatrix).
    EXPECT_EQ(m->find("blk.1.attn_q.weight")->values, (std::vector<float>{0.5f, 0.25f}));
    EXPECT_EQ(m->entries[0].name, "blk.0.ffn_up.weight");
    EXPECT_EQ(m->find("blk.2.attn_q.weight"), nullptr);
    EXPECT_EQ(m->chunkCount, 10);
    EXPECT_EQ(m->datasets, (std::vector<std::string>{"wiki.train.raw"}));
    // The trailer is optional.
    auto bare = parseImatrix(legacyFile(twoEntries(), false), "bare.dat");
    ASSERT_TRUE(bare) << bare.message();
    EXPECT_EQ(bare->chunkCount, -1);
    EXPECT_TRUE(bare->datasets.empty());
}

// Every cut of a legacy file: an error (never a crash or a read past the end) until the last value is in;
// from there the trailer is optional and the entries are all read.
TEST(ImatrixReader, LegacyTruncatedAtEveryByte) {
    const auto full = legacyFile(twoEntries());
    const size_t lastValueEnd = 4 + (4 + 19 + 8 + 8) + (4 + 19 + 8 + 16);
    for (size_t n = 0; n <= full.size(); ++n) {
        auto m = parseImatrix(std::span(full.data(), n), "cut.dat");
        if (n < lastValueEnd) {
            EXPECT_FALSE(m) << n;
            if (!m) {
                EXPECT_NE(m.message().find("cut.dat"), std::string::npos);
            }
        } else {
            ASSERT_TRUE(m) << n << ": " << m.message();
            EXPECT_EQ(m->entries.size(), 2u);
        }
    }
}

TEST(ImatrixReader, LegacyHostileCountsAreRefused) {
    const auto expectError = [](std::vector<std::byte> bytes, const std::string& needle) {
        auto m = parseImatrix(bytes, "bad.dat");
        ASSERT_FALSE(m);
        EXPECT_NE(m.message().find(needle), std::string::npos) << m.message();
    };
    ByteWriter zero;
    zero.put<int32_t>(0);
    expectError(zero.bytes(), "no data");
    ByteWriter huge;
    huge.put<int32_t>(INT32_MAX);  // 2^31 − 1 entries in 4 bytes
    huge.put<int32_t>(1);
    expectError(huge.bytes(), "cannot fit");
    auto longName = legacyFile({{"w", 1, {1}}});
    const int32_t len = 1 << 30;
    std::memcpy(longName.data() + 4, &len, 4);
    expectError(longName, "name length");
    auto manyValues = legacyFile({{"w", 1, {1}}});
    const int32_t nval = 1 << 28;
    std::memcpy(manyValues.data() + 4 + 4 + 1 + 4, &nval, 4);
    expectError(manyValues, "values with");
    const int32_t negative = -3;
    std::memcpy(manyValues.data() + 4 + 4 + 1 + 4, &negative, 4);
    expectError(manyValues, "-3 values");
    expectError(legacyFile({{"w", 1, {1, NAN}}}), "finite");
    expectError(legacyFile({{"w", 1, {-1}}}), "finite");
    expectError({}, "too short");
}

// A GGUF imatrix as save_imatrix writes it: per weight "in_sum2" [columns, matrices], "counts" [1, matrices]
// (and "in_sum", which the importance does not use).
std::vector<std::byte> ggufImatrix(const std::vector<float>& sums, const std::vector<float>& counts, uint64_t columns,
                                   bool withCounts = true, uint32_t countsType = 0 /* ggml F32 */) {
    test::GgufWriter g;
    g.addString("general.type", "imatrix");
    g.addStringArray("imatrix.datasets", {"calibration.txt"});
    g.addScalar<uint32_t>("imatrix.chunk_count", test::kU32, 7);
    g.addScalar<uint32_t>("imatrix.chunk_size", test::kU32, 512);
    const std::string w = "blk.0.ffn_up.weight";
    const uint64_t rows = sums.size() / columns;  // = counts.size() unless the test says otherwise
    g.addTensor({w + ".in_sum2", {columns, rows}, 0, test::f32Bytes(sums), {}, {}});
    if (withCounts) {
        auto cb = test::f32Bytes(counts);
        if (countsType == 1) cb.resize(counts.size() * 2);  // ggml F16: 2 bytes each
        g.addTensor({w + ".counts", {1, counts.size()}, countsType, cb, {}, {}});
    }
    g.addTensor({w + ".in_sum", {columns, rows}, 0, test::f32Bytes(std::vector<float>(sums.size(), 0.5f)), {}, {}});
    return g.build();
}

TEST(ImatrixReader, GgufImportanceIsSumOverCountPerMatrix) {
    // Two stacked matrices of 3 columns: matrix 0 summed over 4 tokens, matrix 1 never used (count 0).
    const auto bytes = ggufImatrix({4, 8, 2, 9, 9, 9}, {4, 0}, 3);
    const std::string path = test::tempPath("imatrix.gguf");
    test::writeBytes(path, bytes);
    auto m = readImatrix(path);
    ASSERT_TRUE(m) << m.message();
    EXPECT_FALSE(m->legacy);
    ASSERT_EQ(m->entries.size(), 1u);  // in_sum2, counts and in_sum make one entry
    const ImatrixEntry& e = m->entries[0];
    EXPECT_EQ(e.name, "blk.0.ffn_up.weight");
    EXPECT_EQ(e.columns, 3u);
    EXPECT_EQ(e.matrices, 2u);
    // 4/4, 8/4, 2/4; a matrix of count 0 gets 1 everywhere (quantize.cpp load_imatrix).
    EXPECT_EQ(e.values, (std::vector<float>{1, 2, 0.5f, 1, 1, 1}));
    EXPECT_EQ(e.counts, (std::vector<double>{4, 0}));
    EXPECT_EQ(m->chunkCount, 7);
    EXPECT_EQ(m->chunkSize, 512);
    EXPECT_EQ(m->datasets, (std::vector<std::string>{"calibration.txt"}));
}

TEST(ImatrixReader, GgufHostileFilesAreRefused) {
    const auto expectError = [](const std::vector<std::byte>& bytes, const std::string& needle) {
        auto m = parseImatrix(bytes, "bad.gguf");
        ASSERT_FALSE(m);
        EXPECT_NE(m.message().find(needle), std::string::npos) << m.message();
        EXPECT_NE(m.message().find("bad.gguf"), std::string::npos) << m.message();
    };
    expectError(ggufImatrix({1, 2, 3}, {1}, 3, false), "no counts");
    expectError(ggufImatrix({1, 2, 3}, {1}, 3, true, 1 /* ggml F16 */), "not F32");
    expectError(ggufImatrix({1, 2, 3}, {1, 1}, 3), "do not split");  // 3 sums, 2 counts
    expectError(ggufImatrix({1, NAN, 3}, {1}, 3), "finite");
    expectError(ggufImatrix({1, 2, 3}, {-2}, 3), "count");
    test::GgufWriter empty;
    empty.addString("general.type", "imatrix");
    expectError(empty.build(), "in_sum2");
    // Truncated anywhere: the header parser's error (extents are checked against the file), never a crash.
    const auto full = ggufImatrix({4, 8, 2}, {4}, 3);
    for (size_t n = 4; n < full.size(); n += 7) EXPECT_FALSE(parseImatrix(std::span(full.data(), n), "cut.gguf")) << n;
}

TEST(ImatrixReader, ImportanceFromActivationsIsMeanSquarePerColumn) {
    // Tokens (1, 2), (3, −4): column 0 (1 + 9)/2 = 5, column 1 (4 + 16)/2 = 10.
    const std::vector<float> x = {1, 2, 3, -4};
    EXPECT_EQ(importanceFromActivations(x.data(), 2, 2), (std::vector<float>{5, 10}));
    EXPECT_TRUE(importanceFromActivations(x.data(), 0, 2).empty());
}

// [SECTION] Weighted encoders

std::vector<std::byte> encodeWeighted(DType t, const std::vector<float>& x, const std::vector<float>& imp, size_t rowLength) {
    const auto& tr = traits(t);
    std::vector<std::byte> out(x.size() / tr.blockElements * tr.blockBytes);
    EXPECT_TRUE(encodeGgmlBlocksWeighted(t, x.data(), imp.empty() ? nullptr : imp.data(), x.size() / rowLength,
                                         rowLength, out.data()));
    return out;
}
std::vector<std::byte> encodeRef(DType t, const std::vector<float>& x) {
    const auto& tr = traits(t);
    std::vector<std::byte> out(x.size() / tr.blockElements * tr.blockBytes);
    EXPECT_TRUE(encodeGgmlBlocks(t, x.data(), x.size() / tr.blockElements, out.data()));
    return out;
}
std::vector<float> decode(DType t, const std::vector<std::byte>& b) {
    const auto& tr = traits(t);
    std::vector<float> y(b.size() / tr.blockBytes * tr.blockElements);
    EXPECT_TRUE(decodeGgmlBlocks(t, b.data(), b.size() / tr.blockBytes, y.data()));
    return y;
}
uint16_t halfAt(const std::vector<std::byte>& b, size_t at) {
    uint16_t h;
    std::memcpy(&h, b.data() + at, 2);
    return h;
}
// Σ imp[column]·(x̂ − x)² over rows of rowLength.
double weightedSqErr(const std::vector<float>& x, const std::vector<float>& y, const std::vector<float>& imp) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += imp[i % imp.size()] * (double(y[i]) - x[i]) * (double(y[i]) - x[i]);
    return s;
}

// Q4_0 with equal importance on ±1 (+1 first, the largest |x|): make_qx_quants(32, 8, rmse_type 1) starts from
// iscale −8/max = −8 → codes l = −8 for +1 and 7 for −1 (clamped), fit Σwxl/Σwl² = −240/1808, merit
// (Σwxl)²/Σwl² = 31.86·w. Candidate is = −9 (iscale −7.1) gives l = −7 and 7: merit 224²/1568 = 32·w, larger,
// so d = −224/1568 = −1/7 and every value comes back as ±1 (within f16 rounding of d). The reference
// (max/−8 = −1/8, trunc(x/d + 8.5) capped at 15) gives −0.875 for −1.
TEST(GgmlEncodeWeighted, Q4_0HandWorkedBlockFollowsTheImplSearch) {
    std::vector<float> x(32);
    for (int j = 0; j < 32; ++j) x[j] = j % 2 ? -1.0f : 1.0f;
    const std::vector<float> imp(32, 1.0f);
    const auto b = encodeWeighted(DType::Q4_0, x, imp, 32);
    EXPECT_EQ(halfAt(b, 0), f32ToF16(-1.0f / 7));
    for (int j = 0; j < 16; ++j) {
        const int lo = static_cast<int>(b[2 + j]) & 0xF, hi = static_cast<int>(b[2 + j]) >> 4;
        EXPECT_EQ(lo, j % 2 ? 15 : 1) << j;  // element j: −7 + 8 = 1 for +1, 7 + 8 = 15 for −1
        EXPECT_EQ(hi, j % 2 ? 15 : 1) << j;  // element j + 16: same parity
    }
    const auto y = decode(DType::Q4_0, b);
    const float d = f16ToF32(f32ToF16(-1.0f / 7));
    for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], (j % 2 ? 7 : -7) * d) << j;
    const auto yr = decode(DType::Q4_0, encodeRef(DType::Q4_0, x));
    EXPECT_FLOAT_EQ(yr[1], -0.875f);
    EXPECT_LT(weightedSqErr(x, y, imp), 1e-5);
    EXPECT_GT(weightedSqErr(x, yr, imp), 16 * 0.125 * 0.125 * 0.99);
}

// Q4_0 with all the importance on element 1 (x = 3.3; element 0 = −8 is the largest |x|): the weights are 0 but
// there, so every fit is d = Σwxl/Σwl² = 3.3/l₁ (first iscale −8/−8 = 1: l₁ = 3; every candidate has the same
// merit w·3.3², up to rounding) and element 1 comes back as l₁·f16(3.3/l₁) — 3.3 within f16 rounding — where the
// reference (d = max/−8 = 1) gives 3.
TEST(GgmlEncodeWeighted, Q4_0ImportanceOnOneElementFitsIt) {
    std::vector<float> x(32, 0.0f);
    x[0] = -8;
    x[1] = 3.3f;
    std::vector<float> imp(32, 0.0f);
    imp[1] = 1;
    const auto y = decode(DType::Q4_0, encodeWeighted(DType::Q4_0, x, imp, 32));
    EXPECT_NEAR(y[1], 3.3, 3 * 1.1 * 0x1p-11);  // d rounded to f16: 11 significant bits
    const auto yr = decode(DType::Q4_0, encodeRef(DType::Q4_0, x));
    EXPECT_FLOAT_EQ(yr[1], 3.0f);
    EXPECT_FLOAT_EQ(y[2], 0.0f);  // l = nearest(0) = 0: code 8, (8 − 8)·d
}

// Q6_K on ±1 (+1 first), importance 1: make_qx_quants(16, 32, qw) per sub-block starts from l = −32 / 31
// (merit 504²/15880 = 15.996), candidate −9 (iscale −31.1: l = −31 / 31) has merit 496²/15376 = 16, so every
// sub-block scale is −1/31; the int8 scales are nearest(−128/(−1/31)·(−1/31)) = −128 under d = f16(1/3968), and
// the values return as ±1 within f16 rounding. The reference weighs by x² = 1 — the same weights — so here,
// and only because every |x| is equal, the two paths write the same bytes.
TEST(GgmlEncodeWeighted, Q6_KHandWorkedSuperBlock) {
    std::vector<float> x(256);
    for (int j = 0; j < 256; ++j) x[j] = j % 2 ? -1.0f : 1.0f;
    const std::vector<float> imp(256, 1.0f);
    const auto b = encodeWeighted(DType::Q6_K, x, imp, 256);
    EXPECT_EQ(halfAt(b, 208), f32ToF16(1.0f / 3968));
    for (int j = 0; j < 16; ++j) EXPECT_EQ(static_cast<int8_t>(b[192 + j]), -128) << j;
    const auto y = decode(DType::Q6_K, b);
    for (int j = 0; j < 256; ++j) EXPECT_NEAR(y[j], x[j], 2e-3) << j;
    EXPECT_EQ(b, encodeRef(DType::Q6_K, x));
}

// The K-quants' super-block scales under make_qp_quants, by hand. Each sub-block j holds 0 and a_j alternately, a_j
// = nmax·s_j with s = (1, ½, ½, …): its fit is exact (iscale nmax/a_j = 1/s_j, error 0, which no candidate beats
// strictly): scale s_j, minimum 0. The super-block scale is make_qp_quants(nsub, nq, s, sw), sw_j = Σ w over
// sub-block j with w = sqrt(σ² + x²): the first sub-block's sw is α times the others' (α ≈ 1.29 for Q4_K/Q5_K,
// 1.43 for Q2_K, from σ² = 2Σx²/256 and Σx²/256). nq = 63 (Q4_K, Q5_K): of iscale 63 (codes 63, nearest(31.5) =
// 32: weighted error 7·(½ − 32/63)² = 4.4e-4 per unit of the others' sw) and the candidates 62.6 … 63.4, 63.4 wins
// (codes 63, 32: α·4.0e-5 + 1.57e-4; the nearest rival, 63.3, needs α > 3.3); the least-squares passes keep the
// codes (the first would move to 7168/112 = 64, capped at 63; a ½ to nearest(½·(3969α + 6144)/(63α + 96)) = 32 for
// every α), so d = Σ sw·s·l / Σ sw·l² = (63α + 112)/(3969α + 7168) ≈ 0.015728 — not the reference's max/63.
// nq = 15 (Q2_K, 16 sub-blocks of 16): 15.4 wins likewise (codes 15, 8; rivals need α > 7.4), the passes keep
// the codes, d = (15α + 60)/(225α + 960) ≈ 0.06355 against the reference's 1/15. Minima are all 0: dmin +0.
struct ScaleCase {
    DType type;
    int nmax, subBlock, nq;
};
TEST(GgmlEncodeWeighted, KQuantSuperBlockScalesByHand) {
    for (const ScaleCase c : {ScaleCase{DType::Q4_K, 15, 32, 63}, ScaleCase{DType::Q5_K, 31, 32, 63},
                              ScaleCase{DType::Q2_K, 3, 16, 15}}) {
        std::vector<float> x(256);
        for (int i = 0; i < 256; ++i) {
            const float a = static_cast<float>(c.nmax) * (i < c.subBlock ? 1.0f : 0.5f);
            x[i] = i % 2 ? a : 0.0f;
        }
        // α from the definition of the weights (importance 1).
        double sumX2 = 0;
        for (float v : x) sumX2 += double(v) * v;
        const double sigma2 = (c.type == DType::Q2_K ? 1.0 : 2.0) * sumX2 / 256, a0 = c.nmax, a1 = c.nmax / 2.0;
        const double alpha = (std::sqrt(sigma2) + std::sqrt(sigma2 + a0 * a0)) / (std::sqrt(sigma2) + std::sqrt(sigma2 + a1 * a1));
        const double dExpected = c.nq == 63 ? (63 * alpha + 112) / (3969 * alpha + 7168) : (15 * alpha + 60) / (225 * alpha + 960);
        const int codeFirst = c.nq, codeRest = c.nq == 63 ? 32 : 8;
        const std::vector<float> imp(256, 1.0f);
        const auto b = encodeWeighted(c.type, x, imp, 256);
        const size_t dAt = c.type == DType::Q2_K ? 80 : 0;
        EXPECT_EQ(halfAt(b, dAt), f32ToF16(static_cast<float>(dExpected))) << dtypeName(c.type) << " α " << alpha;
        EXPECT_EQ(halfAt(b, dAt + 2), 0u) << dtypeName(c.type);
        // Every value decodes as its code (0, or nmax: a_j/(d·code) rounds to nmax) times d·(scale code), as the
        // decoder computes d·sc first.
        const auto y = decode(c.type, b);
        const float d = f16ToF32(halfAt(b, dAt));
        const float first = d * static_cast<float>(codeFirst), rest = d * static_cast<float>(codeRest);
        for (int i = 0; i < 256; ++i) {
            const float expected = i % 2 ? (i < c.subBlock ? first : rest) * static_cast<float>(c.nmax) : 0.0f;
            EXPECT_EQ(y[i], expected) << dtypeName(c.type) << " element " << i;
        }
        // The reference: d = max/63 (max/15 for Q2_K).
        const auto r = encodeRef(c.type, x);
        EXPECT_EQ(halfAt(r, dAt), f32ToF16(1.0f / static_cast<float>(c.nq))) << dtypeName(c.type);
        EXPECT_NE(halfAt(r, dAt), halfAt(b, dAt)) << dtypeName(c.type);
    }
}

// Q3_K on ±3 (sub-block 0) and ±1.5 (the others), + first, importance 1 (equal weights inside each sub-block):
// make_qx_quants(16, 4, w) starts from iscale −4/3 per unit (codes −4 and 3 after the clamp: merit 8·(4 + 3)²/
// (8·25) = 15.68 per a²), and candidate −9 (−3.1/a: codes −3, 3: merit 8·6²/(8·18) = 16) wins — an exact fit,
// scale −a/3. The scales (−1, −½, …) go through make_qx_quants(16, 32, scales, sw): iscale 32 gives codes −32,
// −16, again an exact fit (d = 1/32) that no candidate equals. So d = 1/32 (f16 0x2800), the 6-bit scales are 0
// and 16 (−32 and −16 stored + 32), the sub-block steps −1 and −½, and every value comes back exactly.
TEST(GgmlEncodeWeighted, Q3_KHandWorkedSuperBlock) {
    std::vector<float> x(256);
    for (int i = 0; i < 256; ++i) x[i] = (i % 2 ? -1.0f : 1.0f) * (i < 16 ? 3.0f : 1.5f);
    const auto b = encodeWeighted(DType::Q3_K, x, std::vector<float>(256, 1.0f), 256);
    EXPECT_EQ(halfAt(b, 108), 0x2800u);  // 1/32
    // Scale j's low nibble: byte j (j < 8) or the high nibble of byte j − 8; its high two bits in byte 8 + j % 4.
    const auto scaleCode = [&](int j) {
        const int lo = j < 8 ? static_cast<int>(b[96 + j]) & 0xF : static_cast<int>(b[96 + j - 8]) >> 4;
        return lo | (((static_cast<int>(b[104 + j % 4]) >> (2 * (j / 4))) & 3) << 4);
    };
    EXPECT_EQ(scaleCode(0), 0);
    for (int j = 1; j < 16; ++j) EXPECT_EQ(scaleCode(j), 16) << j;
    EXPECT_EQ(decode(DType::Q3_K, b), x);
}

// Q4_1 / Q5_1 store the minimum itself (−the_min of make_qkx3_quants): a block of −1 and 2 fits exactly with
// d = 3/nmax and m = −1.
TEST(GgmlEncodeWeighted, MinimumBlocksStoreTheMinimum) {
    std::vector<float> x(32);
    for (int j = 0; j < 32; ++j) x[j] = j % 2 ? 2.0f : -1.0f;
    for (const auto& [t, nmax] : {std::pair{DType::Q4_1, 15}, std::pair{DType::Q5_1, 31}}) {
        const auto b = encodeWeighted(t, x, std::vector<float>(32, 1.0f), 32);
        EXPECT_EQ(halfAt(b, 0), f32ToF16(3.0f / static_cast<float>(nmax))) << dtypeName(t);
        EXPECT_EQ(halfAt(b, 2), f32ToF16(-1.0f)) << dtypeName(t);
        const auto y = decode(t, b);
        for (int j = 0; j < 32; ++j) EXPECT_NEAR(y[j], x[j], 2e-3) << dtypeName(t) << " " << j;
    }
}

// Rows of a spread of magnitudes with a few outliers, and a skewed importance (a few columns 100× the rest, as
// activations with outlier channels make).
struct Workload {
    std::vector<float> x, imp;
    size_t rowLength = 512;
};
Workload workload(uint32_t seed, size_t rows = 32) {
    Workload w;
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    w.x.resize(rows * w.rowLength);
    for (auto& v : w.x) v = g(rng) * (u(rng) < 0.02f ? 6.0f : 1.0f);
    w.imp.resize(w.rowLength);
    for (auto& v : w.imp) v = u(rng) < 0.1f ? 100.0f * u(rng) : u(rng);
    return w;
}

const std::vector<DType> kAllTypes = {DType::Q4_0, DType::Q4_1, DType::Q5_0,  DType::Q5_1,   DType::Q8_0,  DType::Q2_K,
                                      DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS};

// What the importance is for: on every type but Q8_0 (which ignores it, so writes the reference bytes), the
// importance-weighted error of the weighted encoding is below the reference encoding's.
TEST(GgmlEncodeWeighted, WeightedErrorBelowReferenceOnEveryType) {
    const Workload w = workload(7);
    for (DType t : kAllTypes) {
        const auto bw = encodeWeighted(t, w.x, w.imp, w.rowLength);
        const auto br = encodeRef(t, w.x);
        const double ew = weightedSqErr(w.x, decode(t, bw), w.imp), er = weightedSqErr(w.x, decode(t, br), w.imp);
        if (t == DType::Q8_0) {
            EXPECT_EQ(bw, br);
            continue;
        }
        EXPECT_LT(ew, 0.95 * er) << dtypeName(t) << ": weighted " << ew << " vs reference " << er;
    }
}

// Every comparison in the _impl searches is homogeneous in the weights, and ×4 is exact in binary floating
// point: the same bytes. No importance at all: the reference encoders, as llama.cpp without an imatrix.
TEST(GgmlEncodeWeighted, ScalingTheImportanceByFourChangesNothing) {
    const Workload w = workload(11, 4);
    std::vector<float> imp4 = w.imp;
    for (auto& v : imp4) v *= 4;
    for (DType t : kAllTypes) {
        EXPECT_EQ(encodeWeighted(t, w.x, w.imp, w.rowLength), encodeWeighted(t, w.x, imp4, w.rowLength)) << dtypeName(t);
        EXPECT_EQ(encodeWeighted(t, w.x, {}, w.rowLength), encodeRef(t, w.x)) << dtypeName(t);
    }
}

// The vector paths (Q2_K, Q4_K and Q5_K's sub-block fits on AVX2 / AVX-512 lanes) write the portable path's
// bytes, on rows whose super-block count leaves a remainder for the scalar code (1536 = 6 × 256).
TEST(GgmlEncodeWeighted, VectorPathsWriteThePortableBytes) {
    Workload w = workload(23, 5);
    std::vector<float> x(5 * 1536), imp(1536);
    for (size_t i = 0; i < x.size(); ++i) x[i] = w.x[i % w.x.size()] * (1.0f + 0.001f * static_cast<float>(i % 977));
    for (size_t j = 0; j < imp.size(); ++j) imp[j] = w.imp[j % w.imp.size()] + 0.01f * static_cast<float>(j % 7);
    for (DType t : kAllTypes) {
        const auto& tr = traits(t);
        std::vector<std::byte> portable(x.size() / tr.blockElements * tr.blockBytes), other(portable.size());
        ASSERT_TRUE(encodeGgmlBlocksWeightedWith(GgmlEncodePath::Portable, t, x.data(), imp.data(), 5, 1536, portable.data()));
        int compared = 0;
        for (GgmlEncodePath p : {GgmlEncodePath::Avx2, GgmlEncodePath::Avx512}) {
            if (!ggmlEncodePathAvailable(p)) continue;
            ASSERT_TRUE(encodeGgmlBlocksWeightedWith(p, t, x.data(), imp.data(), 5, 1536, other.data()));
            EXPECT_EQ(other, portable) << dtypeName(t) << (p == GgmlEncodePath::Avx2 ? " avx2" : " avx512");
            ++compared;
        }
        if (!compared) GTEST_SKIP() << "this CPU has neither AVX2 nor AVX-512";
    }
}

// Equal importance is not "no importance": every type but Q8_0 (and Q6_K on data of equal |x|, above) writes
// other bytes than the reference, because the _impl searches themselves differ (see ggml_encode_weighted.h).
TEST(GgmlEncodeWeighted, EqualImportanceIsNotTheReference) {
    Workload w = workload(13, 4);
    std::fill(w.imp.begin(), w.imp.end(), 1.0f);
    for (DType t : kAllTypes) {
        const bool same = encodeWeighted(t, w.x, w.imp, w.rowLength) == encodeRef(t, w.x);
        EXPECT_EQ(same, t == DType::Q8_0) << dtypeName(t);
    }
}

// Row by row: Q4_0 … Q5_1 take σ² over the whole row, so a row's bytes depend on the rest of that row but not
// on other rows; rows that are not whole blocks are refused.
TEST(GgmlEncodeWeighted, RowsAreIndependentAndWhole) {
    const Workload w = workload(17, 3);
    for (DType t : {DType::Q4_0, DType::Q5_1, DType::Q4_K}) {
        const auto all = encodeWeighted(t, w.x, w.imp, w.rowLength);
        const size_t rowBytes = all.size() / 3;
        std::vector<float> row1(w.x.begin() + static_cast<long>(w.rowLength), w.x.begin() + 2 * static_cast<long>(w.rowLength));
        const auto one = encodeWeighted(t, row1, w.imp, w.rowLength);
        EXPECT_TRUE(std::equal(one.begin(), one.end(), all.begin() + static_cast<long>(rowBytes))) << dtypeName(t);
    }
    std::vector<std::byte> out(1024);
    EXPECT_FALSE(encodeGgmlBlocksWeighted(DType::Q4_K, w.x.data(), w.imp.data(), 1, 128, out.data()));
    EXPECT_FALSE(encodeGgmlBlocksWeighted(DType::F16, w.x.data(), w.imp.data(), 1, 512, out.data()));
}

// σ² is the row's for the blocks of 32 (Q4_0 … Q5_1) and the super-block's for the K-quants and IQ4_XS: growing
// the second half of a row changes the weights, hence here the bytes, of the first half's blocks of 32, and leaves
// a K-quant's first super-block alone (the reference encoders see neither).
TEST(GgmlEncodeWeighted, SigmaSquaredIsTheRowsOrTheSuperBlocks) {
    const Workload w = workload(29, 1);
    std::vector<float> grown = w.x;
    for (size_t i = 256; i < 512; ++i) grown[i] *= 8;
    for (DType t : kAllTypes) {
        if (t == DType::Q8_0) continue;
        const auto a = encodeWeighted(t, w.x, w.imp, 512), b = encodeWeighted(t, grown, w.imp, 512);
        const size_t half = a.size() / 2;
        const bool firstHalfSame = std::equal(a.begin(), a.begin() + static_cast<long>(half), b.begin());
        const bool rowWide = traits(t).blockElements == 32 && t != DType::IQ4_NL;  // IQ4_NL: σ² of its own 32
        EXPECT_EQ(firstHalfSame, !rowWide) << dtypeName(t);
        const auto ra = encodeRef(t, w.x), rb = encodeRef(t, grown);
        EXPECT_TRUE(std::equal(ra.begin(), ra.begin() + static_cast<long>(half), rb.begin())) << dtypeName(t);
    }
}

// [SECTION] Weighted round-trip error

TEST(GgmlRequantImportance, ErrorSumsAndStackedMatrices) {
    const Workload w = workload(19, 8);
    const TensorView view = test::viewOf(w.x, DType::F32, {2, 4, 512});  // two stacked matrices of 4 rows
    // Importance 1 under the reference encoders: the weighted sums are the plain ones.
    const std::vector<float> ones(512, 1.0f);
    ErrorAccumulator plain, sums;
    GgmlWeightedSums ws;
    ASSERT_TRUE(ggmlRequantError(view, DType::Q4_K, nullptr, 0, &plain));
    ASSERT_TRUE(ggmlRequantError(view, DType::Q4_K, GgmlImportance{ones, false}, nullptr, 0, &sums, &ws));
    EXPECT_NEAR(sums.sumSqErr, plain.sumSqErr, 1e-12 * plain.sumSqErr);
    EXPECT_NEAR(ws.sumImpSqErr, plain.sumSqErr, 1e-12 * plain.sumSqErr);
    EXPECT_NEAR(ws.sumImpSqX, plain.sumSqX, 1e-12 * plain.sumSqX);
    // 2 × 512 values: matrix m's rows use the m-th 512. Importance only on matrix 0 → the weighted sums of the
    // first 4 rows alone.
    std::vector<float> stacked(1024, 0.0f);
    std::copy(w.imp.begin(), w.imp.end(), stacked.begin());
    GgmlWeightedSums wStacked, wFirst;
    ASSERT_TRUE(ggmlRequantError(view, DType::Q4_K, GgmlImportance{stacked}, nullptr, 0, nullptr, &wStacked));
    const std::vector<float> first(w.x.begin(), w.x.begin() + 4 * 512);
    ASSERT_TRUE(ggmlRequantError(test::viewOf(first, DType::F32, {4, 512}), DType::Q4_K, GgmlImportance{w.imp}, nullptr,
                                 0, nullptr, &wFirst));
    EXPECT_NEAR(wStacked.sumImpSqErr, wFirst.sumImpSqErr, 1e-12 * wFirst.sumImpSqErr);
    EXPECT_GT(wFirst.sumImpSqErr, 0.0);
    // The weighted encoding lowers the weighted error on this tensor too.
    GgmlWeightedSums wRef;
    ASSERT_TRUE(ggmlRequantError(test::viewOf(first, DType::F32, {4, 512}), DType::Q4_K, GgmlImportance{w.imp, false},
                                 nullptr, 0, nullptr, &wRef));
    EXPECT_LT(wFirst.relative(), wRef.relative());
    // Sizes that fit neither a row nor whole matrices are refused.
    const std::vector<float> wrong(300, 1.0f), three(1536, 1.0f);
    auto e = ggmlRequantError(view, DType::Q4_K, GgmlImportance{wrong});
    ASSERT_FALSE(e);
    EXPECT_NE(e.message().find("300"), std::string::npos) << e.message();
    EXPECT_FALSE(ggmlRequantError(view, DType::Q4_K, GgmlImportance{three}));  // 3 matrices do not divide 8 rows
}

// The detail (per row, per block) of an importance-weighted round trip is the same round trip as
// ggmlRequantError's importance form: equal totals and rows that add up to them, on two stacked matrices.
TEST(GgmlRequantImportance, DetailIsTheSameRoundTrip) {
    const Workload w = workload(19, 8);
    const TensorView view = test::viewOf(w.x, DType::F32, {2, 4, 512});
    std::vector<float> stacked(1024, 1.0f);
    std::copy(w.imp.begin(), w.imp.end(), stacked.begin());
    for (DType t : {DType::Q4_0, DType::Q4_K, DType::Q6_K}) {
        ErrorAccumulator sums;
        ASSERT_TRUE(ggmlRequantError(view, t, GgmlImportance{stacked}, nullptr, 0, &sums));
        GgmlDetailOptions o;
        o.importance = GgmlImportance{stacked};
        auto d = ggmlRequantDetail(view, t, o);
        ASSERT_TRUE(d) << d.message();
        EXPECT_NEAR(d->total.sumSqErr, sums.sumSqErr, 1e-12 * sums.sumSqErr) << dtypeName(t);
        EXPECT_NEAR(d->total.sumSqX, sums.sumSqX, 1e-12 * sums.sumSqX) << dtypeName(t);
        ASSERT_EQ(d->rowSums.size(), 8u);
        double rowsTotal = 0;
        for (const auto& r : d->rowSums) rowsTotal += r.sumSqErr;
        EXPECT_NEAR(rowsTotal, sums.sumSqErr, 1e-12 * sums.sumSqErr) << dtypeName(t);
        // And it is not the plain encoding: matrix 0's rows (skewed importance) come out differently.
        auto plain = ggmlRequantDetail(view, t);
        ASSERT_TRUE(plain);
        bool differs = false;
        for (size_t r = 0; r < 4; ++r) differs |= d->rowSums[r].sumSqErr != plain->rowSums[r].sumSqErr;
        EXPECT_TRUE(differs) << dtypeName(t);
    }
    // A wrong-sized importance is refused as ggmlRequantError refuses it.
    GgmlDetailOptions bad;
    const std::vector<float> wrong(300, 1.0f);
    bad.importance = GgmlImportance{wrong};
    EXPECT_FALSE(ggmlRequantDetail(view, DType::Q4_K, bad));
}

// A real tensor with rows of 1536 (so the K-quants apply) and a skewed importance: on every type the weighted
// encoding's Σ imp·e² / Σ imp·x² is below the reference encoding's. The figures are printed.
TEST(GgmlRequantImportance, RealTensorEveryTypeGains) {
    QV_REQUIRE_SHARED_MODEL(path, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    auto model = openModel(path);
    ASSERT_TRUE(model) << model.message();
    size_t index = (*model)->tensors.size();
    for (size_t i = 0; i < (*model)->tensors.size(); ++i)
        if ((*model)->tensors[i].shape.size() == 2 && (*model)->tensors[i].shape.back() == 1536) index = i;
    ASSERT_LT(index, (*model)->tensors.size()) << "no tensor with rows of 1536";
    const TensorView view = (*model)->view(index);
    // Skewed: column j's importance 1 + 99·[j % 16 == 0] (one input channel in 16 carries 100× the energy).
    std::vector<float> imp(1536);
    for (size_t j = 0; j < imp.size(); ++j) imp[j] = j % 16 == 0 ? 100.0f : 1.0f;
    auto withImatrix = ggmlRoundTrips(view, ggmlRequantTypes(), GgmlImportance{imp});
    auto reference = ggmlRoundTrips(view, ggmlRequantTypes(), GgmlImportance{imp, false});
    ASSERT_TRUE(withImatrix) << withImatrix.message();
    ASSERT_TRUE(reference) << reference.message();
    for (size_t k = 0; k < withImatrix->size(); ++k) {
        const auto& a = (*withImatrix)[k];
        const auto& r = (*reference)[k];
        ASSERT_EQ(a.written, a.type);
        std::printf("[ figure   ] %s %s: Σimp·e²/Σimp·x² reference %.4g, imatrix %.4g (%.1f%% lower)\n",
                    view.info().name.c_str(), std::string(dtypeName(a.type)).c_str(), r.weighted.relative(),
                    a.weighted.relative(), 100.0 * (1 - a.weighted.relative() / r.weighted.relative()));
        if (a.type == DType::Q8_0) EXPECT_EQ(a.weighted.sumImpSqErr, r.weighted.sumImpSqErr);
        else EXPECT_LT(a.weighted.relative(), r.weighted.relative()) << dtypeName(a.type);
    }
}

// stories260K's blk.0.ffn_up.weight (rows of 64): the K-quants fall back to Q5_0 (llama-quantize), which takes
// the importance too; every distinct written type still gains.
TEST(GgmlRequantImportance, StoriesFfnUpWithFallbacks) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.gguf");
    auto model = openModel(path);
    ASSERT_TRUE(model) << model.message();
    const auto i = (*model)->find("blk.0.ffn_up.weight");
    ASSERT_TRUE(i);
    const TensorView view = (*model)->view(*i);
    const size_t row = static_cast<size_t>(view.info().shape.back());
    std::vector<float> imp(row);
    for (size_t j = 0; j < row; ++j) imp[j] = 1.0f + 30.0f * static_cast<float>((j * 7) % 5 == 0);
    auto a = ggmlRoundTrips(view, ggmlRequantTypes(), GgmlImportance{imp});
    auto r = ggmlRoundTrips(view, ggmlRequantTypes(), GgmlImportance{imp, false});
    ASSERT_TRUE(a) << a.message();
    ASSERT_TRUE(r) << r.message();
    for (size_t k = 0; k < a->size(); ++k) {
        const auto& x = (*a)[k];
        std::printf("[ figure   ] stories260K blk.0.ffn_up.weight %s (written %s): reference %.4g, imatrix %.4g\n",
                    std::string(dtypeName(x.type)).c_str(), std::string(dtypeName(x.written)).c_str(),
                    (*r)[k].weighted.relative(), x.weighted.relative());
        if (x.written == DType::Q8_0) continue;
        EXPECT_LT(x.weighted.relative(), (*r)[k].weighted.relative()) << dtypeName(x.type);
    }
}

}  // namespace
}  // namespace qv
