// The ggml block encoders (core/tensor/ggml_encode.h): blocks worked out by hand, and the strongest check
// there is — re-quantizing the F32 GGUF of stories260K gives, byte for byte, the blocks llama.cpp's
// reference quantizers wrote into its Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 files (../shared/models/README.md: "the
// quantized GGUFs were made with ggml's reference quantizers").
#include <gtest/gtest.h>

#include <cmath>
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
#include "core/tensor/half.h"
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

// The paths the real-file tests run: the scalar reference always, AVX-512 when this CPU has it.
std::vector<GgmlEncodePath> pathsHere() {
    std::vector<GgmlEncodePath> paths{GgmlEncodePath::Portable};
    if (ggmlEncodePathAvailable(GgmlEncodePath::Avx512)) paths.push_back(GgmlEncodePath::Avx512);
    return paths;
}
const char* pathName(GgmlEncodePath p) { return p == GgmlEncodePath::Avx512 ? "avx512" : "portable"; }

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

// The AVX-512 encoders (one sub-block per lane, the scalar code's float operations in its order) against the
// scalar reference, byte for byte, on inputs chosen to reach every branch of the searches: Gaussians of
// scales from 1e-20 (below the 1e-15 group threshold: the early returns) to 1e3, heavy tails, and
// super-blocks whose sub-blocks of 16 are each drawn from: all +0, all −0, ±0 mixed, a constant (the
// "max == min" return of make_qkx2_quants), all positive (min clamped to 0), all negative, one huge
// outlier among small values, subnormals, values on a grid of 1/8 (exact ties for the round-half-to-even
// of nearest_int), or Gaussian. 7 super-blocks per input: an odd count (Q4_K/Q5_K go two at a time) and
// 56 IQ4_NL blocks (16 at a time, plus a remainder of 8). Two scalar-only encoders (Q4_0, Q8_0) are checked
// too: both paths must agree on every type. (Removing Q3_K's later refinement passes, or fusing a lane sum's
// multiply-add, makes this test fail.)
TEST(GgmlEncode, Avx512PathEqualsScalarPath) {
    if (!ggmlEncodePathAvailable(GgmlEncodePath::Avx512)) GTEST_SKIP() << "this CPU has no AVX-512";
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
    for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::Q4_0,
                    DType::Q8_0}) {
        SCOPED_TRACE(dtypeName(t));
        int mismatched = 0;
        for (size_t n = 0; n < inputs.size(); ++n) {
            const auto scalar = encodeWith(GgmlEncodePath::Portable, t, inputs[n]);
            const auto simd = encodeWith(GgmlEncodePath::Avx512, t, inputs[n]);
            if (scalar != simd && mismatched++ < 3) ADD_FAILURE() << "input " << n << " differs";
        }
        EXPECT_EQ(mismatched, 0);
    }
    // The inputs do reach the searches' early returns: an all-zero Q6_K super-block is 210 zero bytes.
    const auto zeros = encodeWith(GgmlEncodePath::Avx512, DType::Q6_K, std::vector<float>(256, -0.0f));
    EXPECT_EQ(zeros, std::vector<std::byte>(210, std::byte{0}));
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

TEST(GgmlRequantError, RefusesWhatLlamaCppWouldNotQuantize) {
    const auto viewOf = [](std::vector<float>& v, std::vector<int64_t> shape) {
        TensorInfo info;
        info.name = "t";
        info.dtype = DType::F32;
        info.shape = std::move(shape);
        info.offset = 0;
        info.bytes = v.size() * sizeof(float);
        auto bytes = std::make_shared<OwnedBytes>(std::vector<std::byte>(reinterpret_cast<std::byte*>(v.data()),
                                                                         reinterpret_cast<std::byte*>(v.data() + v.size())));
        return TensorView(info, bytes);
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
