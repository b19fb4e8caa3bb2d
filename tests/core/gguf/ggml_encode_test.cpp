// The ggml block encoders (core/tensor/ggml_encode.h): blocks worked out by hand, and the strongest check
// there is — re-quantizing the F32 GGUF of stories260K gives, byte for byte, the blocks llama.cpp's
// reference quantizers wrote into its Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 files (../shared/models/README.md: "the
// quantized GGUFs were made with ggml's reference quantizers").
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/base/byte_source.h"
#include "core/formats/model_file.h"
#include "core/metrics/ggml_requant.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/ggml_encode.h"
#include "core/tensor/ggml_encode_impl.h"
#include "core/tensor/ggml_levels.h"
#include "core/tensor/half.h"
#include "tests/support/tensor_view_builder.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

std::vector<std::byte> encode(DType t, const std::vector<float>& x) {
    const auto& tr = traits(t);
    std::vector<std::byte> out(x.size() / tr.blockElements * tr.blockBytes);
    EXPECT_TRUE(encodeGgmlBlocks(t, x.data(), x.size() / tr.blockElements, out.data()));
    return out;
}

std::vector<std::byte> encodeWith(GgmlEncodePath path, DType t, const std::vector<float>& x) {
    const auto& tr = traits(t);
    std::vector<std::byte> out(x.size() / tr.blockElements * tr.blockBytes);
    EXPECT_TRUE(encodeGgmlBlocksWith(path, t, x.data(), x.size() / tr.blockElements, out.data()));
    return out;
}

// The vector paths this CPU runs (AVX2, AVX-512), and with the scalar reference first: the paths the
// real-file tests run.
std::vector<GgmlEncodePath> vectorPathsHere() {
    std::vector<GgmlEncodePath> paths;
    for (GgmlEncodePath p : {GgmlEncodePath::Avx2, GgmlEncodePath::Avx512})
        if (ggmlEncodePathAvailable(p)) paths.push_back(p);
    return paths;
}
std::vector<GgmlEncodePath> pathsHere() {
    std::vector<GgmlEncodePath> paths{GgmlEncodePath::Portable};
    for (GgmlEncodePath p : vectorPathsHere()) paths.push_back(p);
    return paths;
}
const char* pathName(GgmlEncodePath p) {
    return p == GgmlEncodePath::Avx512 ? "avx512" : p == GgmlEncodePath::Avx2 ? "avx2" : "portable";
}

uint16_t halfAt(const std::vector<std::byte>& b, size_t at) {
    uint16_t h;
    std::memcpy(&h, b.data() + at, 2);
    return h;
}
int nibble(const std::vector<std::byte>& b, size_t qsAt, int j) {  // element j of a 32-block
    const auto v = static_cast<uint8_t>(b[qsAt + static_cast<size_t>(j % 16)]);
    return j < 16 ? (v & 0x0F) : (v >> 4);
}

// One block x_j = j − 8 for j = 0..31 (−8 … 23), worked by hand:
// - Q4_0: the largest |x| is 23 (j = 31), d = 23/−8 = −2.875 (f16 exact: 0xC1C0), 1/d = −0.347826…;
//   x = −8 → −8·(1/d) + 8.5 = 2.7826 + 8.5 → trunc 11; x = 0 → 8; x = 23 → −8 + 8.5 = 0.5 → 0;
//   x = −1 → 0.3478 + 8.5 → 8 (round half up would give 8.85 → 8 too); x = 3 → −1.043 + 8.5 = 7.457 → 7.
// - Q4_1: min −8, max 23, d = 31/15 = 2.0666…, m = −8; x = 23 → 15; x = −8 → 0; x = 0: 8/d = 3.871 + 0.5 → 4.
// - Q8_0: amax 23, d = 23/127, x = 23 → 127; x = −8 → −8·127/23 = −44.17 → −44; x = 1 → 5.52 → 6.
// - Q5_0: d = 23/−16 = −1.4375, x = 23 → −16 + 16.5 → 0; x = −8 → 5.565 + 16.5 → 22; x = 0 → 16.
TEST(GgmlEncode, HandWorkedBlocks) {
    std::vector<float> x(32);
    for (int j = 0; j < 32; ++j) x[static_cast<size_t>(j)] = static_cast<float>(j - 8);

    const auto q40 = encode(DType::Q4_0, x);
    ASSERT_EQ(q40.size(), 18u);
    EXPECT_EQ(halfAt(q40, 0), f32ToF16(-2.875f));
    EXPECT_EQ(f16ToF32(halfAt(q40, 0)), -2.875f);
    EXPECT_EQ(nibble(q40, 2, 0), 11);   // x = −8
    EXPECT_EQ(nibble(q40, 2, 7), 8);    // x = −1
    EXPECT_EQ(nibble(q40, 2, 8), 8);    // x = 0
    EXPECT_EQ(nibble(q40, 2, 11), 7);   // x = 3
    EXPECT_EQ(nibble(q40, 2, 31), 0);   // x = 23

    const auto q41 = encode(DType::Q4_1, x);
    ASSERT_EQ(q41.size(), 20u);
    EXPECT_EQ(halfAt(q41, 0), f32ToF16(31.0f / 15));
    EXPECT_EQ(f16ToF32(halfAt(q41, 2)), -8.0f);
    EXPECT_EQ(nibble(q41, 4, 0), 0);
    EXPECT_EQ(nibble(q41, 4, 8), 4);
    EXPECT_EQ(nibble(q41, 4, 31), 15);

    const auto q80 = encode(DType::Q8_0, x);
    ASSERT_EQ(q80.size(), 34u);
    EXPECT_EQ(halfAt(q80, 0), f32ToF16(23.0f / 127));
    EXPECT_EQ(static_cast<int8_t>(q80[2 + 31]), 127);
    EXPECT_EQ(static_cast<int8_t>(q80[2 + 0]), -44);
    EXPECT_EQ(static_cast<int8_t>(q80[2 + 9]), 6);

    const auto q50 = encode(DType::Q5_0, x);
    ASSERT_EQ(q50.size(), 22u);
    EXPECT_EQ(f16ToF32(halfAt(q50, 0)), -1.4375f);
    uint32_t qh;
    std::memcpy(&qh, q50.data() + 2, 4);
    const auto q5 = [&](int j) { return nibble(q50, 6, j) | static_cast<int>(((qh >> j) & 1u) << 4); };
    EXPECT_EQ(q5(31), 0);
    EXPECT_EQ(q5(0), 22);
    EXPECT_EQ(q5(8), 16);

    // Decoding gives (q − 8)·d etc.: Q4_0 of x = 3 is (7 − 8)·(−2.875) = 2.875.
    std::vector<float> back(32);
    ASSERT_TRUE(decodeGgmlBlocks(DType::Q4_0, q40.data(), 1, back.data()));
    EXPECT_EQ(back[11], 2.875f);
    EXPECT_FALSE(ggmlEncodable(DType::IQ2_XXS));
    EXPECT_FALSE(encodeGgmlBlocks(DType::F32, x.data(), 1, nullptr));
}

// An all-zero block: d = 0/−8 = −0 (stored as the f16 pattern 0x8000, as llama.cpp writes it), 1/d = 0,
// every code is the zero code (Q4_0: trunc(8.5) = 8).
TEST(GgmlEncode, ZeroBlock) {
    const std::vector<float> x(32, 0.0f);
    const auto q40 = encode(DType::Q4_0, x);
    EXPECT_EQ(halfAt(q40, 0), 0x8000u);
    for (int j = 0; j < 32; ++j) EXPECT_EQ(nibble(q40, 2, j), 8);
    const auto q41 = encode(DType::Q4_1, x);
    for (int j = 0; j < 32; ++j) EXPECT_EQ(nibble(q41, 4, j), 0);
}

// Re-encodes every tensor of the quantized file `path` that quantviz can write (its own type and the
// fallbacks) from the F32 model, on every encoder path this CPU has, and expects the file's bytes exactly.
// Returns how many tensors of `own` type were compared.
int expectFileReproduced(const ModelFile& f32, const std::string& path, DType own) {
    auto q = openModel(path);
    EXPECT_TRUE(q) << q.message();
    if (!q) return 0;
    int compared = 0;
    for (size_t i = 0; i < (*q)->tensors.size(); ++i) {
        const TensorInfo& info = (*q)->tensors[i];
        if (!ggmlEncodable(info.dtype)) continue;
        const auto src = f32.find(info.name);
        EXPECT_TRUE(src) << info.name;
        if (!src) continue;
        const TensorView fv = f32.view(*src);
        std::vector<float> x(fv.elements());
        EXPECT_TRUE(fv.read(0, x.size(), x.data()));
        const auto theirs = (*q)->view(i).rawBytes();
        for (GgmlEncodePath p : pathsHere()) {
            const auto mine = encodeWith(p, info.dtype, x);
            EXPECT_EQ(mine.size(), theirs.size()) << info.name;
            if (mine.size() != theirs.size()) continue;
            size_t differing = 0, firstDiff = mine.size();
            for (size_t b = 0; b < mine.size(); ++b)
                if (mine[b] != theirs[b]) {
                    if (!differing) firstDiff = b;
                    ++differing;
                }
            EXPECT_EQ(differing, 0u) << info.name << " (" << dtypeName(info.dtype) << ", " << pathName(p)
                                     << "), first at byte " << firstDiff;
        }
        compared += info.dtype == own;
    }
    return compared;
}

TEST(GgmlEncode, ReproducesLlamaCppFilesByteForByte) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    auto f32 = openModel(f32Path);
    ASSERT_TRUE(f32) << f32.message();
    const std::pair<DType, const char*> files[] = {{DType::Q4_0, "stories260K/stories260K-q4_0.gguf"},
                                                   {DType::Q4_1, "stories260K/stories260K-q4_1.gguf"},
                                                   {DType::Q5_0, "stories260K/stories260K-q5_0.gguf"},
                                                   {DType::Q5_1, "stories260K/stories260K-q5_1.gguf"},
                                                   {DType::Q8_0, "stories260K/stories260K-q8_0.gguf"},
                                                   {DType::IQ4_NL, "stories260K/stories260K-iq4_nl.gguf"}};
    for (const auto& [type, rel] : files) {
        SCOPED_TRACE(rel);
        QV_REQUIRE_SHARED_MODEL(path, rel);
        // Every file: 32 tensors of its type, 11 F32, 5 F16 (ffn_down rows of 172).
        EXPECT_EQ(expectFileReproduced(**f32, path, type), 32);
    }
}

// The K-quants (super-blocks of 256) and IQ4_NL (blocks of 32, a 16-level non-uniform grid whose scale is
// searched over 15 candidates: llama-quantize's ntry = 7) on hey_jarvis, whose rows of 1536 take the
// K-quants; its 128- and 64-wide matrices hold the fallbacks (Q5_0/Q5_1/Q8_0), compared too.
TEST(GgmlEncode, ReproducesLlamaCppKQuantsByteForByte) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    auto f32 = openModel(f32Path);
    ASSERT_TRUE(f32) << f32.message();
    const std::pair<DType, const char*> files[] = {{DType::IQ4_NL, "hey_jarvis/hey_jarvis_v0.1-iq4_nl.gguf"},
                                                   {DType::Q2_K, "hey_jarvis/hey_jarvis_v0.1-q2_k.gguf"},
                                                   {DType::Q3_K, "hey_jarvis/hey_jarvis_v0.1-q3_k.gguf"},
                                                   {DType::Q4_K, "hey_jarvis/hey_jarvis_v0.1-q4_k.gguf"},
                                                   {DType::Q5_K, "hey_jarvis/hey_jarvis_v0.1-q5_k.gguf"},
                                                   {DType::Q6_K, "hey_jarvis/hey_jarvis_v0.1-q6_k.gguf"}};
    for (const auto& [type, rel] : files) {
        SCOPED_TRACE(rel);
        QV_REQUIRE_SHARED_MODEL(path, rel);
        // Two matrices of the file's type (IQ4_NL: all four; it needs no fallback).
        EXPECT_EQ(expectFileReproduced(**f32, path, type), type == DType::IQ4_NL ? 4 : 2);
    }
}

// The vector encoders (AVX-512: 16 lanes, AVX2: 8; one sub-block per lane, the scalar code's float operations
// in its order) against the scalar reference, byte for byte, on inputs chosen to reach every branch of the
// searches: Gaussians of scales from 1e-20 (below the 1e-15 group threshold: the early returns) to 1e3, uniform
// values, heavy tails, and super-blocks whose sub-blocks of 16 are each drawn from: all +0, all −0, ±0 mixed, a
// constant (the "max == min" return of make_qkx2_quants), all positive (min clamped to 0), all negative, one
// huge outlier among small values, subnormals, values on a grid of 1/8 (exact ties for the round-half-to-even
// of nearest_int), or Gaussian. 7 super-blocks per input: an odd count (AVX-512's Q4_K/Q5_K/IQ4_XS go two at a
// time, so one is left to the scalar code; AVX2's go one at a time) and 56 IQ4_NL blocks (16 at a time plus a
// remainder of 8 on AVX-512; 8 at a time on AVX2); one more input has 3 extra blocks of 32 (59 IQ4_NL blocks:
// remainders on both paths). Two scalar-only encoders (Q4_0, Q8_0) are checked too: every path must agree on
// every type. (Removing Q3_K's later refinement passes, or fusing a lane sum's multiply-add, makes this test
// fail.)
TEST(GgmlEncode, VectorPathsEqualScalarPath) {
    if (vectorPathsHere().empty()) GTEST_SKIP() << "this CPU has neither AVX2 nor AVX-512";
    constexpr size_t kN = 7 * 256;
    std::mt19937 rng(2024);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    std::uniform_int_distribution<int> kindOf(0, 10), lane(0, 15), small(-12, 12);
    std::vector<std::vector<float>> inputs;
    for (float scale : {1e-20f, 1e-6f, 0.02f, 1.0f, 1e3f}) {
        std::vector<float> x(kN);
        for (auto& v : x) v = scale * gauss(rng);
        inputs.push_back(x);
    }
    for (float width : {1e-3f, 1.0f}) {  // uniform on [−width, width]
        std::vector<float> x(kN);
        for (auto& v : x) v = width * (2.0f * unit(rng) - 1.0f);
        inputs.push_back(x);
    }
    for (int heavy = 0; heavy < 4; ++heavy) {  // Gaussian over a uniform power: tails like Student's t
        std::vector<float> x(kN);
        for (auto& v : x) v = gauss(rng) / std::pow(std::max(unit(rng), 1e-6f), 0.5f + 0.5f * static_cast<float>(heavy));
        inputs.push_back(x);
    }
    for (int round = 0; round < 200; ++round) {
        std::vector<float> x(kN);
        const float scale = std::pow(10.0f, static_cast<float>(small(rng)) / 3.0f);
        for (size_t sb = 0; sb < kN; sb += 16) {
            float* p = x.data() + sb;
            const float c = scale * gauss(rng);
            switch (kindOf(rng)) {
                case 0: for (int i = 0; i < 16; ++i) p[i] = 0.0f; break;
                case 1: for (int i = 0; i < 16; ++i) p[i] = -0.0f; break;
                case 2: for (int i = 0; i < 16; ++i) p[i] = unit(rng) < 0.5f ? 0.0f : -0.0f; break;
                case 3: for (int i = 0; i < 16; ++i) p[i] = c; break;
                case 4: for (int i = 0; i < 16; ++i) p[i] = scale * std::fabs(gauss(rng)) + 0.5f * scale; break;
                case 5: for (int i = 0; i < 16; ++i) p[i] = -scale * std::fabs(gauss(rng)) - 0.5f * scale; break;
                case 6:
                    for (int i = 0; i < 16; ++i) p[i] = 1e-3f * scale * gauss(rng);
                    p[lane(rng)] = (unit(rng) < 0.5f ? -1e4f : 1e4f) * scale;
                    break;
                case 7: for (int i = 0; i < 16; ++i) p[i] = 1e-39f * gauss(rng); break;  // subnormal (FLT_MIN ≈ 1.2e-38)
                case 8: for (int i = 0; i < 16; ++i) p[i] = scale * static_cast<float>(small(rng)) / 8; break;
                default: for (int i = 0; i < 16; ++i) p[i] = scale * gauss(rng); break;
            }
        }
        inputs.push_back(x);
    }
    {
        std::vector<float> x(kN + 3 * 32);
        for (auto& v : x) v = 0.02f * gauss(rng);
        inputs.push_back(x);
    }
    for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS,
                    DType::Q4_0, DType::Q8_0}) {
        SCOPED_TRACE(dtypeName(t));
        std::vector<std::vector<std::byte>> scalar;
        for (const auto& x : inputs) scalar.push_back(encodeWith(GgmlEncodePath::Portable, t, x));
        for (GgmlEncodePath p : vectorPathsHere()) {
            SCOPED_TRACE(pathName(p));
            int mismatched = 0;
            for (size_t n = 0; n < inputs.size(); ++n)
                if (encodeWith(p, t, inputs[n]) != scalar[n] && mismatched++ < 3)
                    ADD_FAILURE() << "input " << n << " differs";
            EXPECT_EQ(mismatched, 0);
        }
    }
    // The inputs do reach the searches' early returns: an all-zero Q6_K super-block is 210 zero bytes.
    for (GgmlEncodePath p : vectorPathsHere()) {
        const auto zeros = encodeWith(p, DType::Q6_K, std::vector<float>(256, -0.0f));
        EXPECT_EQ(zeros, std::vector<std::byte>(210, std::byte{0})) << pathName(p);
    }
}

// Which path encodeGgmlBlocks takes: the widest this CPU runs, unless QV_SIMD (core/base/simd_dispatch.h) names
// another one it runs — "avx2" on a CPU with AVX-512 is how an AVX2-only desktop CPU's path is chosen here.
TEST(GgmlEncode, QvSimdPicksThePath) {
    const char* before = std::getenv("QV_SIMD");
    const std::string saved = before ? before : "";
    const bool avx2 = ggmlEncodePathAvailable(GgmlEncodePath::Avx2);
    const bool avx512 = ggmlEncodePathAvailable(GgmlEncodePath::Avx512);
    const GgmlEncodePath widest =
        avx512 ? GgmlEncodePath::Avx512 : avx2 ? GgmlEncodePath::Avx2 : GgmlEncodePath::Portable;
    unsetenv("QV_SIMD");
    EXPECT_EQ(resolvedGgmlEncodePath(), widest);
    setenv("QV_SIMD", "portable", 1);
    EXPECT_EQ(resolvedGgmlEncodePath(), GgmlEncodePath::Portable);
    setenv("QV_SIMD", "avx2", 1);
    EXPECT_EQ(resolvedGgmlEncodePath(), avx2 ? GgmlEncodePath::Avx2 : widest);
    setenv("QV_SIMD", "avx512", 1);
    EXPECT_EQ(resolvedGgmlEncodePath(), widest);  // AVX-512 when there is any, else the next widest
    setenv("QV_SIMD", "sse9", 1);                 // not a path: ignored
    EXPECT_EQ(resolvedGgmlEncodePath(), widest);
    if (before) setenv("QV_SIMD", saved.c_str(), 1);
    else unsetenv("QV_SIMD");
}

// [SECTION] IQ4_XS — no reference file is at hand (../shared/models has none), so from the definition
// (llama.cpp ggml-quants.c quantize_iq4_xs → quantize_row_iq4_nl_impl(QK_K, 32, …, ntry 7), as ggml_encode.cpp).

// block_iq4_xs {f16 d @0; u16 scales_h @2; u8 scales_l[4] @4; u8 qs[128] @8}: block ib's stored 6-bit scale.
int iq4XsStoredScale(const std::vector<std::byte>& b, size_t at, int ib) {
    const uint16_t h = halfAt(b, at + 2);
    const auto low = static_cast<uint8_t>(b[at + 4 + static_cast<size_t>(ib / 2)]);
    return ((low >> (4 * (ib % 2))) & 0xF) | (((h >> (2 * ib)) & 3) << 4);
}

// A super-block whose 32-blocks lie exactly on scaled copies of the level table, worked by hand: block ib
// holds x = s_ib·kvalues_iq4nl[L_j] with L_j = j for j < 16 and 31 − j above (so qs byte j of a block is
// j | (15 − j) << 4 — 0xF0, 0xE1, … 0x0F), s = 1, 1/2, 1/4, 3/4, 1/8, 7/8, 3/8, 5/8 (every x exact).
// - Each block's search: its largest |x| is the first −127·s (j = 0), so the candidate itry = 0 has
//   id = (0 − 127)/(−127·s) = 1/s and picks the levels L_j; x is proportional to those levels, so that fit
//   beats every other candidate (Cauchy–Schwarz) and the block's scale is s up to float rounding (~1e-7).
// - The super-block: the largest |scale| is block 0's ≈ 1, d = −1/32 (f16 exact: 0xA800), and block ib's
//   l = nearest_int(s_ib/(−1/32)) = −32·s_ib = −32, −16, −8, −24, −4, −28, −12, −20, stored l + 32 =
//   0, 16, 24, 8, 28, 4, 20, 12. scales_l = low nibbles in pairs: (0, 0) → 0x00, (8, 8) → 0x88, (12, 4) → 0x4C,
//   (4, 12) → 0xC4; scales_h = high two bits (0,1,1,0,1,0,1,0) at bits 2·ib: 0x4 | 0x10 | 0x100 | 0x1000 = 0x1114.
// - The codes redone against d·l ≈ s_ib: L_j again; decoding gives (−1/32)·(ls − 32)·level = s·level = x.
// Also an all-zero super-block: every block below GROUP_MAX_EPS has scale 0, d = −0/32 = −0 (f16 0x8000, as
// llama.cpp writes it), l = 0 stored as 32 (low nibbles 0, high bits 0b10: scales_h 0xAAAA), 1/(d·l) = 0 and
// every code the level nearest 0: index 8 (level 1; 2·0 ≥ −10 + 1), qs bytes 0x88.
TEST(GgmlEncodeIq4Xs, HandWorkedSuperBlock) {
    const float s[8] = {1.0f, 0.5f, 0.25f, 0.75f, 0.125f, 0.875f, 0.375f, 0.625f};
    std::vector<float> x(256);
    for (int ib = 0; ib < 8; ++ib)
        for (int j = 0; j < 32; ++j) x[static_cast<size_t>(32 * ib + j)] = s[ib] * kValuesIq4nl[j < 16 ? j : 31 - j];
    for (GgmlEncodePath p : pathsHere()) {
        SCOPED_TRACE(pathName(p));
        const auto b = encodeWith(p, DType::IQ4_XS, x);
        ASSERT_EQ(b.size(), 136u);
        EXPECT_EQ(halfAt(b, 0), 0xA800u);
        EXPECT_EQ(f16ToF32(halfAt(b, 0)), -0.03125f);
        EXPECT_EQ(halfAt(b, 2), 0x1114u);
        EXPECT_EQ(static_cast<uint8_t>(b[4]), 0x00u);
        EXPECT_EQ(static_cast<uint8_t>(b[5]), 0x88u);
        EXPECT_EQ(static_cast<uint8_t>(b[6]), 0x4Cu);
        EXPECT_EQ(static_cast<uint8_t>(b[7]), 0xC4u);
        const int stored[8] = {0, 16, 24, 8, 28, 4, 20, 12};
        for (int ib = 0; ib < 8; ++ib) EXPECT_EQ(iq4XsStoredScale(b, 0, ib), stored[ib]) << ib;
        for (int ib = 0; ib < 8; ++ib)
            for (int j = 0; j < 16; ++j)
                EXPECT_EQ(static_cast<uint8_t>(b[8 + static_cast<size_t>(16 * ib + j)]), j | ((15 - j) << 4)) << ib << " " << j;
        std::vector<float> back(256);
        ASSERT_TRUE(decodeGgmlBlocks(DType::IQ4_XS, b.data(), 1, back.data()));
        EXPECT_EQ(back, x);  // lossless: x is on the grid the stored scales describe

        const auto z = encodeWith(p, DType::IQ4_XS, std::vector<float>(256, 0.0f));
        EXPECT_EQ(halfAt(z, 0), 0x8000u);
        EXPECT_EQ(halfAt(z, 2), 0xAAAAu);
        for (size_t k = 4; k < 8; ++k) EXPECT_EQ(static_cast<uint8_t>(z[k]), 0u);
        for (size_t k = 8; k < 136; ++k) EXPECT_EQ(static_cast<uint8_t>(z[k]), 0x88u) << k;
    }
    EXPECT_TRUE(ggmlEncodable(DType::IQ4_XS));
}

// On random super-blocks (Gaussians of σ 0.5 to 1e3, half of them with one block 50× louder: the others then
// get small 6-bit scales), every decoded value is one of the 16 points f16(d)·(ls − 32)·kvalues_iq4nl[k] of its
// block (read back from the stored d and ls, not through the decoder), and the nearest of them up to the f16
// rounding of d: the codes are chosen against the float d·l, which differs from the stored f16(d)·l by at
// most 2^−11 relatively (d a normal f16 here), so |x − x̂| ≤ min_k |x − g_k| + 2·2^−11·|d·l|·127.
TEST(GgmlEncodeIq4Xs, DecodedValuesAreTheNearestPointsOfTheStoredGrid) {
    std::mt19937 rng(7);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (float scale : {0.5f, 1.0f, 1e3f}) {
        for (int loud = 0; loud < 2; ++loud) {
            std::vector<float> x(8 * 256);
            for (size_t i = 0; i < x.size(); ++i) x[i] = scale * gauss(rng) * (loud && (i / 32) % 8 == 3 ? 50.0f : 1.0f);
            const auto b = encode(DType::IQ4_XS, x);
            std::vector<float> back(x.size());
            ASSERT_TRUE(decodeGgmlBlocks(DType::IQ4_XS, b.data(), 8, back.data()));
            for (size_t sb = 0; sb < 8; ++sb) {
                const float d = f16ToF32(halfAt(b, 136 * sb));
                ASSERT_GE(std::fabs(d), std::ldexp(1.0f, -14)) << "the premise: d is a normal f16";
                for (int ib = 0; ib < 8; ++ib) {
                    const float dl = d * static_cast<float>(iq4XsStoredScale(b, 136 * sb, ib) - 32);
                    for (int j = 0; j < 32; ++j) {
                        const size_t i = 256 * sb + static_cast<size_t>(32 * ib + j);
                        double nearest = INFINITY;
                        bool onGrid = false;
                        for (int8_t v : kValuesIq4nl) {
                            const float g = dl * static_cast<float>(v);
                            onGrid = onGrid || g == back[i];
                            nearest = std::min(nearest, std::fabs(static_cast<double>(x[i]) - g));
                        }
                        ASSERT_TRUE(onGrid) << "value " << i << " = " << back[i];
                        EXPECT_LE(std::fabs(static_cast<double>(x[i]) - back[i]),
                                  nearest + 2.0 * std::ldexp(1.0, -11) * std::fabs(dl) * 127)
                            << "value " << i;
                    }
                }
            }
        }
    }
}

// Where the algorithm makes IQ4_XS write IQ4_NL's codes: the block with the largest |scale| s gets d = −s/32
// and l = nearest_int(s·(1/d)) = −32, so d·l = (−s/32)·(−32) = s exactly (÷32 and ×32 are exact in binary
// float, away from underflow) and its codes are those of 1/s — IQ4_NL's for the same 32 values (the same
// search, the same id). When all eight blocks are the same 32 values, every block is such a block: all eight
// ls = 0 and the codes are IQ4_NL's throughout; and since s/32 is then an f16 normal (s ≈ 0.02 here, ≫ 32·2^−14),
// f16(−s/32)·(0 − 32) = f16(s): the decoded values equal IQ4_NL's too. Elsewhere the 6-bit l rounds s_ib/d, so
// the other blocks' codes may differ (not asserted).
TEST(GgmlEncodeIq4Xs, TheLargestScaleBlockHasIq4NlsCodes) {
    std::mt19937 rng(11);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (int round = 0; round < 20; ++round) {
        std::vector<float> x(256);
        const int loud = round % 8;  // this block, 3× louder, holds the largest scale
        for (size_t i = 0; i < x.size(); ++i) x[i] = gauss(rng) * (static_cast<int>(i / 32) == loud ? 3.0f : 1.0f);
        const auto xs = encode(DType::IQ4_XS, x);
        const std::vector<float> block(x.begin() + 32 * loud, x.begin() + 32 * loud + 32);
        const auto nl = encode(DType::IQ4_NL, block);
        EXPECT_EQ(iq4XsStoredScale(xs, 0, loud), 0) << round;
        for (int j = 0; j < 32; ++j) EXPECT_EQ(nibble(xs, 8 + 16 * static_cast<size_t>(loud), j), nibble(nl, 2, j)) << round;

        std::vector<float> same(256);
        for (size_t i = 0; i < same.size(); ++i) same[i] = block[i % 32];
        const auto xs8 = encode(DType::IQ4_XS, same);
        std::vector<float> backXs(256), backNl(32);
        ASSERT_TRUE(decodeGgmlBlocks(DType::IQ4_XS, xs8.data(), 1, backXs.data()));
        ASSERT_TRUE(decodeGgmlBlocks(DType::IQ4_NL, nl.data(), 1, backNl.data()));
        for (int ib = 0; ib < 8; ++ib) {
            EXPECT_EQ(iq4XsStoredScale(xs8, 0, ib), 0);
            for (int j = 0; j < 32; ++j) {
                EXPECT_EQ(nibble(xs8, 8 + 16 * static_cast<size_t>(ib), j), nibble(nl, 2, j));
                EXPECT_EQ(backXs[static_cast<size_t>(32 * ib + j)], backNl[static_cast<size_t>(j)]);
            }
        }
    }
}

// Σ(x̂ − x)² and Σx² of `type`'s round trip over the elements of `x` (whole blocks).
std::pair<double, double> roundTripSums(DType type, const std::vector<float>& x) {
    const auto b = encode(type, x);
    std::vector<float> back(x.size());
    EXPECT_TRUE(decodeGgmlBlocks(type, b.data(), x.size() / traits(type).blockElements, back.data()));
    double e2 = 0, x2 = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        e2 += (static_cast<double>(back[i]) - x[i]) * (static_cast<double>(back[i]) - x[i]);
        x2 += static_cast<double>(x[i]) * x[i];
    }
    return {e2, x2};
}

// IQ4_XS stores IQ4_NL's block scales in 6 bits under one f16 scale (4.25 instead of 4.5 bits per weight):
// on real weights its error may exceed IQ4_NL's by the scales' rounding, but not by much (measured: 0.5–1.8%
// per tensor on the two models below), and stays below Q4_0's (whose uniform grid wastes levels on
// bell-shaped weights).
constexpr double kIq4XsOverIq4NlMax = 1.03;

// hey_jarvis' two matrices with rows of 1536 (6 super-blocks a row: what llama-quantize writes as IQ4_XS),
// and stories260K's matrices, whose rows of 64 llama-quantize would write as IQ4_NL (its fallback), encoded
// here as flat runs of super-blocks to try the encoder on a second model's weights. Relative RMS
// ‖x̂ − x‖/‖x‖ per tensor, and printed over each model's matrices.
TEST(GgmlEncodeIq4Xs, RealWeightsErrorNearIq4NlAndBelowQ4_0) {
    QV_REQUIRE_SHARED_MODEL(jarvisPath, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    QV_REQUIRE_SHARED_MODEL(storiesPath, "stories260K/stories260K-f32.gguf");
    const DType types[3] = {DType::IQ4_XS, DType::IQ4_NL, DType::Q4_0};
    for (const auto& [path, rows] : {std::pair{jarvisPath, 1536}, std::pair{storiesPath, 64}}) {
        auto m = openModel(path);
        ASSERT_TRUE(m) << m.message();
        int measured = 0;
        double e2[3] = {}, x2 = 0;
        for (size_t i = 0; i < (*m)->tensors.size(); ++i) {
            const TensorInfo& info = (*m)->tensors[i];
            if (info.shape.size() != 2 || info.shape.back() != rows || info.elements() % 256 != 0) continue;
            std::vector<float> x(info.elements());
            ASSERT_TRUE((*m)->view(i).read(0, x.size(), x.data()));
            double rel[3];
            for (int k = 0; k < 3; ++k) {
                const auto [e, xx] = roundTripSums(types[k], x);
                rel[k] = std::sqrt(e / xx);
                e2[k] += e;
                if (k == 0) x2 += xx;
            }
            EXPECT_LE(rel[0], rel[1] * kIq4XsOverIq4NlMax) << info.name << ": iq4_xs " << rel[0] << ", iq4_nl " << rel[1];
            EXPECT_LT(rel[0], rel[2]) << info.name << ": iq4_xs " << rel[0] << ", q4_0 " << rel[2];
            ++measured;
        }
        EXPECT_GE(measured, 2) << path;
        std::printf("%d matrices of %s: relative RMS iq4_xs %.4f, iq4_nl %.4f, q4_0 %.4f\n", measured, path.c_str(),
                    std::sqrt(e2[0] / x2), std::sqrt(e2[1] / x2), std::sqrt(e2[2] / x2));
    }
}

// llama-quantize's write rule (llama.cpp src/llama-quant.cpp, the convert_incompatible_tensor fallbacks:
// "case GGML_TYPE_IQ4_XS: new_type = GGML_TYPE_IQ4_NL", then F16 when the rows are not whole blocks of 32
// either): rows of 1536 are IQ4_XS, rows of 64 IQ4_NL, rows of 172 F16; 1-D tensors stay as stored.
TEST(GgmlEncodeIq4Xs, WrittenAsLlamaQuantizeWritesIt) {
    TensorInfo info;
    info.dtype = DType::F32;
    info.shape = {128, 1536};
    EXPECT_EQ(ggmlWrittenType(info, DType::IQ4_XS), DType::IQ4_XS);
    info.shape = {512, 64};
    EXPECT_EQ(ggmlWrittenType(info, DType::IQ4_XS), DType::IQ4_NL);
    info.shape = {64, 172};
    EXPECT_EQ(ggmlWrittenType(info, DType::IQ4_XS), DType::F16);
    info.shape = {1, 512};
    EXPECT_EQ(ggmlWrittenType(info, DType::IQ4_XS), DType::F32);
    // In the list by bits per weight: 136 bytes per 256 = 4.25, after Q4_0's 4.5 and before Q3_K's 3.4375.
    const auto& types = ggmlRequantTypes();
    ASSERT_EQ(types.size(), 12u);
    EXPECT_EQ(types[8], DType::Q4_0);
    EXPECT_EQ(types[9], DType::IQ4_XS);
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::IQ4_XS), 4.25);
    for (size_t k = 1; k < types.size(); ++k) EXPECT_GE(bitsPerElement(types[k - 1]), bitsPerElement(types[k])) << k;
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// ggmlRequantError against the real files: the round trip's error on each F32 tensor equals the error of
// the file's own Q4_0/Q8_0 tensor against it (the same bytes, so the same decoded values, summed in the
// same order), e.g. the README's whole-model relative RMS for Q4_0 of about 0.078 comes out per tensor.
TEST(GgmlRequantError, EqualsTheFilesOwnError) {
    QV_REQUIRE_SHARED_MODEL(f32Path, "stories260K/stories260K-f32.gguf");
    auto f32 = openModel(f32Path);
    ASSERT_TRUE(f32) << f32.message();
    for (const auto& [type, rel] : {std::pair{DType::Q4_0, "stories260K/stories260K-q4_0.gguf"},
                                    std::pair{DType::Q8_0, "stories260K/stories260K-q8_0.gguf"}}) {
        QV_REQUIRE_SHARED_MODEL(path, rel);
        auto q = openModel(path);
        ASSERT_TRUE(q) << q.message();
        double sumSq = 0, sumRef = 0;
        for (size_t i = 0; i < (*q)->tensors.size(); ++i) {
            const TensorInfo& info = (*q)->tensors[i];
            if (info.dtype != type) continue;
            const TensorView fv = (*f32)->view(*(*f32)->find(info.name));
            std::vector<float> x(fv.elements()), y(fv.elements());
            ASSERT_TRUE(fv.read(0, x.size(), x.data()));
            ASSERT_TRUE((*q)->view(i).read(0, y.size(), y.data()));
            ErrorAccumulator acc;
            for (size_t k = 0; k < x.size(); ++k) acc.add(x[k], y[k], false);
            const ErrorStats want = acc.finish(0, 0);
            const auto got = ggmlRequantError(fv, type, nullptr, 2);
            ASSERT_TRUE(got) << got.message();
            EXPECT_EQ(got->count, want.count) << info.name;
            EXPECT_DOUBLE_EQ(got->mse, want.mse) << info.name;
            EXPECT_DOUBLE_EQ(got->maxAbsError, want.maxAbsError) << info.name;
            EXPECT_DOUBLE_EQ(got->sqnrDb, want.sqnrDb) << info.name;
            sumSq += acc.sumSqErr;
            sumRef += acc.sumSqX;
        }
        // Over the quantized tensors only (the README's figure also counts the F32/F16 ones, error 0).
        const double relRms = std::sqrt(sumSq / sumRef);
        if (type == DType::Q4_0) EXPECT_NEAR(relRms, 0.078, 0.01);
        else EXPECT_NEAR(relRms, 0.005, 0.001);
    }
}

// Integer tensors (an ONNX graph's shape constants, Slice bounds of 2^63 − 1) are kept as stored whatever their
// rank and stay out of the whole-model totals: with them, silero_vad_v5.onnx's relative RMS error came out as
// 5e-19, ‖x‖ being mostly one int64 constant.
TEST(GgmlModelTotals, IntegerTensorsAreKeptAndNotCounted) {
    std::vector<float> w(64);
    for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(float(i)) * 0.1f;
    const TensorView weight = test::viewOf(w, DType::F32, {2, 32});
    const std::vector<int64_t> ends = {INT64_MAX, INT64_MAX, 3, 16000};
    const TensorView constants = test::viewOf(ends, DType::I64, {2, 2});
    EXPECT_TRUE(ggmlKeptAsStored(constants.info()));
    EXPECT_EQ(ggmlWrittenType(constants.info(), DType::Q8_0), DType::I64);
    GgmlModelTotals totals;
    totals.type = DType::Q8_0;
    auto a = ggmlRoundTrips(weight, {DType::Q8_0});
    auto b = ggmlRoundTrips(constants, {DType::Q8_0});
    ASSERT_TRUE(a && b);
    EXPECT_TRUE((*b)[0].kept);
    totals.add(64, (*a)[0]);
    totals.add(4, (*b)[0]);
    // Only the f32 matrix counts: 64 elements at 8.5 bits, its own relative error.
    EXPECT_EQ(totals.elements, 64u);
    EXPECT_DOUBLE_EQ(totals.bitsPerWeight(), 8.5);
    EXPECT_DOUBLE_EQ(totals.relativeRms(), std::sqrt((*a)[0].sums.sumSqErr / (*a)[0].sums.sumSqX));
    EXPECT_GT(totals.relativeRms(), 1e-4);  // Q8_0 of sin values: far from 5e-19
}

TEST(GgmlRequantError, RefusesWhatLlamaCppWouldNotQuantize) {
    const auto viewOf = [](const std::vector<float>& v, std::vector<int64_t> shape) {
        return test::viewOf(v, DType::F32, std::move(shape));
    };
    std::vector<float> rows172(2 * 172, 0.5f);
    auto r = ggmlRequantError(viewOf(rows172, {2, 172}), DType::Q4_0);
    ASSERT_FALSE(r);
    EXPECT_NE(r.message().find("rows of 172 values are not a multiple of q4_0's block of 32 (llama.cpp writes such a tensor as f16)"),
              std::string::npos)
        << r.message();
    // Under a K-quant: rows of 128 fall back to q5_0; rows of 172 are not whole q5_0 blocks either: f16.
    std::vector<float> rows128(2 * 128, 0.5f);
    r = ggmlRequantError(viewOf(rows128, {2, 128}), DType::Q4_K);
    ASSERT_FALSE(r);
    EXPECT_NE(r.message().find("q4_K's block of 256 (llama.cpp writes such a tensor as q5_0)"), std::string::npos) << r.message();
    r = ggmlRequantError(viewOf(rows172, {2, 172}), DType::Q4_K);
    ASSERT_FALSE(r);
    EXPECT_NE(r.message().find("q4_K's block of 256 (llama.cpp writes such a tensor as f16)"), std::string::npos) << r.message();
    // F16 and the stored type itself are accepted: 0.5 is exact in f16, so both round trips have no error.
    r = ggmlRequantError(viewOf(rows172, {2, 172}), DType::F16);
    ASSERT_TRUE(r) << r.message();
    EXPECT_EQ(r->mse, 0.0);
    EXPECT_EQ(r->count, 344u);
    std::vector<float> withNan(64, 1.0f);
    withNan[40] = std::nanf("");
    r = ggmlRequantError(viewOf(withNan, {2, 32}), DType::Q8_0);
    ASSERT_FALSE(r);
    EXPECT_NE(r.message().find("NaN or Inf"), std::string::npos);
    EXPECT_FALSE(ggmlRequantError(viewOf(withNan, {2, 32}), DType::IQ2_XXS));
    // One block of 32 equal values 0.5 under Q8_0: d = 0.5/127, every code 127, x̂ = 127·f16(0.5/127).
    std::vector<float> half(32, 0.5f);
    r = ggmlRequantError(viewOf(half, {32}), DType::Q8_0);
    ASSERT_TRUE(r) << r.message();
    const double xq = static_cast<double>(127.0f * f16ToF32(f32ToF16(0.5f / 127)));
    EXPECT_DOUBLE_EQ(r->maxAbsError, std::fabs(xq - 0.5));
    EXPECT_DOUBLE_EQ(r->mse, (xq - 0.5) * (xq - 0.5));
}

}  // namespace
}  // namespace qv
