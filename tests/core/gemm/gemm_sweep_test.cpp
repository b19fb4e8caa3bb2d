// Every optimized kernel gives exactly the reference's bytes: sizes around the SIMD widths, zero points, output modes, threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/gemm/gemm.h"

namespace qv {
namespace {

const std::vector<int64_t> kSizes = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                     13, 14, 15, 16, 17, 31, 32, 33, 63, 64, 65};

std::vector<GemmKernel> optimizedKernels() {
    std::vector<GemmKernel> ks{GemmKernel::Reference};  // the portable loop behind PackedB
    for (GemmKernel k : {GemmKernel::Avx2, GemmKernel::Avx512Vnni})
        if (gemmKernelSupported(k)) ks.push_back(k);
    return ks;
}

std::vector<uint8_t> randomBytes(size_t n, std::mt19937& rng) {
    std::vector<uint8_t> v(n);
    std::uniform_int_distribution<int> d(0, 255);
    for (auto& x : v) x = static_cast<uint8_t>(d(rng));
    return v;
}

size_t outBytes(const GemmParams& p) {
    const size_t n = static_cast<size_t>(p.M * p.N);
    switch (p.out.mode) {
        case GemmOutput::Int32: return n * 4;
        case GemmOutput::Float: return n * 4;
        case GemmOutput::Quantized8: return n;
    }
    return 0;
}

// Runs the reference and `kernel` on the same data and compares the output bytes.
void expectSame(const GemmParams& p, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, bool bSigned,
                int32_t bZero, GemmKernel kernel, const std::string& what) {
    std::vector<uint8_t> want(outBytes(p), 0xCD), got(outBytes(p), 0x5A);
    ASSERT_TRUE(gemmReference(p, a.data(), b.data(), bSigned, bZero, want.data()).ok()) << what;
    auto info = gemm(p, a.data(), b.data(), bSigned, bZero, got.data(), kernel);
    ASSERT_TRUE(info.ok()) << what << ": " << info.message();
    EXPECT_EQ(info->kernel, kernel) << what;
    if (want != got) {
        size_t first = 0;
        while (first < want.size() && want[first] == got[first]) ++first;
        ADD_FAILURE() << what << " kernel " << gemmKernelName(kernel) << ": first differing byte " << first
                      << " of " << want.size();
    }
}

GemmParams shape(int64_t M, int64_t N, int64_t K) {
    GemmParams p;
    p.M = M;
    p.N = N;
    p.K = K;
    return p;
}

TEST(GemmSweep, ShapesInt32AllKernels) {
    std::mt19937 rng(1234);
    const std::vector<int64_t> ks = {1, 3, 4, 5, 7, 17, 33, 64, 65};
    int run = 0;
    for (int64_t M : kSizes) {
        for (int64_t N : kSizes) {
            for (int64_t K : ks) {
                GemmParams p = shape(M, N, K);
                p.aZero = 3;
                p.threads = 1 + (run++ % 2);
                const auto a = randomBytes(static_cast<size_t>(M * K), rng);
                const auto b = randomBytes(static_cast<size_t>(K * N), rng);
                for (GemmKernel k : optimizedKernels()) {
                    expectSame(p, a, b, true, -2, k,
                               std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K));
                }
                if (HasFailure()) return;
            }
        }
    }
}

TEST(GemmSweep, ZeroPointsAndSignedness) {
    std::mt19937 rng(99);
    const int32_t zps[] = {0, 1, -1, -128, 127, 255};
    const int64_t shapes[][3] = {{17, 33, 65}, {1, 65, 31}, {33, 17, 7}, {5, 64, 64}};
    for (const auto& s : shapes) {
        const auto a = randomBytes(static_cast<size_t>(s[0] * s[2]), rng);
        const auto b = randomBytes(static_cast<size_t>(s[2] * s[1]), rng);
        for (bool aSigned : {false, true})
            for (bool bSigned : {false, true})
                for (int32_t za : zps)
                    for (int32_t zb : zps) {
                        GemmParams p = shape(s[0], s[1], s[2]);
                        p.aSigned = aSigned;
                        p.aZero = za;
                        p.threads = 2;
                        const std::string what = std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" +
                                                 std::to_string(s[2]) + " aSigned=" + std::to_string(aSigned) +
                                                 " bSigned=" + std::to_string(bSigned) + " za=" + std::to_string(za) +
                                                 " zb=" + std::to_string(zb);
                        for (GemmKernel k : optimizedKernels()) expectSame(p, a, b, bSigned, zb, k, what);
                        if (HasFailure()) return;
                    }
    }
}

TEST(GemmSweep, OutputModesRoundingAndSaturation) {
    std::mt19937 rng(7);
    const int64_t shapes[][3] = {{1, 33, 65}, {1, 4096 / 64, 129}, {13, 31, 63}, {16, 64, 17}, {32, 65, 33}};
    std::uniform_real_distribution<float> scaleDist(0.5f, 2.0f);
    for (const auto& s : shapes) {
        const int64_t M = s[0], N = s[1], K = s[2];
        const auto a = randomBytes(static_cast<size_t>(M * K), rng);
        const auto b = randomBytes(static_cast<size_t>(K * N), rng);
        std::vector<int32_t> bias(static_cast<size_t>(N));
        std::uniform_int_distribution<int32_t> bd(-50000, 50000);
        for (auto& v : bias) v = bd(rng);
        std::vector<float> perChannel(static_cast<size_t>(N));
        for (auto& v : perChannel) v = 0.01f * scaleDist(rng);
        // yScale small → most outputs saturate; large → mostly in range with many ties near small values.
        for (float yScale : {0.001f, 0.02f, 1.5f, 37.0f}) {
            for (int mode = 0; mode < 8; ++mode) {
                for (int threads : {1, 2}) {
                    GemmParams p = shape(M, N, K);
                    p.aSigned = mode % 2 == 1;
                    p.aZero = p.aSigned ? -5 : 131;
                    p.aScale = 0.05f;
                    p.bScales = (mode / 2) % 2 ? perChannel : std::vector<float>{0.013f};
                    p.bias = bias;
                    p.threads = threads;
                    if (mode == 0) p.out.mode = GemmOutput::Float;
                    else if (mode == 7) p.out.mode = GemmOutput::Int32;
                    else p.out.mode = GemmOutput::Quantized8;
                    p.out.yScale = yScale;
                    p.out.ySigned = mode >= 4;
                    p.out.yZero = p.out.ySigned ? -3 : 128;
                    for (RequantRounding r :
                         {RequantRounding::Float, RequantRounding::FixedDouble, RequantRounding::FixedSingle}) {
                        p.out.rounding = r;
                        const std::string what = std::to_string(M) + "x" + std::to_string(N) + "x" +
                                                 std::to_string(K) + " mode " + std::to_string(mode) + " yScale " +
                                                 std::to_string(yScale) + " " + requantRoundingName(r);
                        for (GemmKernel k : optimizedKernels()) {
                            // Different b signedness per mode, same bytes.
                            expectSame(p, a, b, mode % 3 != 0, mode % 3 == 2 ? 7 : 0, k, what);
                        }
                        if (HasFailure()) return;
                    }
                }
            }
        }
    }
}

TEST(GemmSweep, ExactTiesInEveryRoundingPath) {
    // Scales that are powers of two make acc·M land exactly on .5 for many outputs (M = 2^−1…2^−4
    // per channel), where the three rounding paths disagree (requantize_test.cpp has the hand cases);
    // every kernel must reproduce the reference's choice on each of them, small values included.
    std::mt19937 rng(11);
    const int64_t M = 9, N = 70, K = 5;
    std::vector<uint8_t> a(static_cast<size_t>(M * K)), b(static_cast<size_t>(K * N));
    std::uniform_int_distribution<int> small(0, 6);
    for (auto& v : a) v = static_cast<uint8_t>(small(rng));
    for (auto& v : b) v = static_cast<uint8_t>(small(rng) - 3);
    std::vector<float> scales(static_cast<size_t>(N));
    for (size_t j = 0; j < scales.size(); ++j) scales[j] = std::ldexp(1.0f, -static_cast<int>(j % 4));
    for (bool ySigned : {false, true}) {
        for (RequantRounding r : {RequantRounding::Float, RequantRounding::FixedDouble, RequantRounding::FixedSingle}) {
            GemmParams p = shape(M, N, K);
            p.aZero = 3;
            p.bScales = scales;
            p.out.mode = GemmOutput::Quantized8;
            p.out.rounding = r;
            p.out.yScale = 2.0f;
            p.out.ySigned = ySigned;
            p.out.yZero = ySigned ? 0 : 100;
            for (GemmKernel k : optimizedKernels()) expectSame(p, a, b, true, 0, k, std::string("ties ") + requantRoundingName(r));
        }
    }
    // And the paths really do differ on this data (otherwise the test would prove nothing).
    GemmParams p = shape(M, N, K);
    p.aZero = 3;
    p.bScales = scales;
    p.out.mode = GemmOutput::Quantized8;
    p.out.yScale = 2.0f;
    p.out.ySigned = true;
    std::vector<int8_t> yFloat(static_cast<size_t>(M * N)), yFixed(static_cast<size_t>(M * N));
    ASSERT_TRUE(gemmReference(p, a.data(), b.data(), true, 0, yFloat.data()).ok());
    p.out.rounding = RequantRounding::FixedDouble;
    ASSERT_TRUE(gemmReference(p, a.data(), b.data(), true, 0, yFixed.data()).ok());
    EXPECT_NE(yFloat, yFixed);
}

TEST(GemmSweep, BlockingAndThreadsOnLargerShapes) {
    std::mt19937 rng(5);
    // K = 3000 → row blocks of 126 rows: several blocks and panel chunks per thread; M = 1 → GEMV path.
    // uint8 A with K a multiple of 4 is read in place by the VNNI kernel; int8 A, or K = 2999, is packed.
    const int64_t shapes[][3] = {{300, 200, 1000}, {130, 97, 3000}, {97, 130, 2999}, {1, 1000, 3001}, {2, 513, 700}};
    for (const auto& s : shapes) {
        const auto a = randomBytes(static_cast<size_t>(s[0] * s[2]), rng);
        const auto b = randomBytes(static_cast<size_t>(s[2] * s[1]), rng);
        for (bool aSigned : {false, true}) {
            for (int threads : {1, 2}) {
                GemmParams p = shape(s[0], s[1], s[2]);
                p.aSigned = aSigned;
                p.aZero = aSigned ? -7 : 128;
                p.threads = threads;
                for (GemmKernel k : optimizedKernels()) {
                    if (k == GemmKernel::Reference) continue;
                    expectSame(p, a, b, true, 0, k,
                               std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]) +
                                   (aSigned ? " int8 A" : " uint8 A"));
                    expectSame(p, a, b, false, 131, k, "uint8 B, zb 131");
                }
            }
        }
    }
}

TEST(GemmSweep, BothThreadSplitsWithFewRowBlocks) {
    // Two threads and 1–3 row blocks per thread: the split depends on the size of packed B
    // (gemm_dispatch.cpp). K = 6000 → row blocks of 60 rows; M = 66 → 2 blocks.
    //  * N = 384: B = 6000 × 384 bytes = 2.2 MiB > 2 MiB → by columns (blocks × panel chunks);
    //  * N = 320: B = 1.8 MiB → by rows (one block per thread).
    std::mt19937 rng(9);
    for (int64_t n : {384, 320}) {
        const int64_t M = 66, K = 6000;
        const auto a = randomBytes(static_cast<size_t>(M * K), rng);
        const auto b = randomBytes(static_cast<size_t>(K * n), rng);
        GemmParams p = shape(M, n, K);
        p.aZero = 3;
        p.threads = 2;
        for (GemmKernel k : optimizedKernels()) {
            if (k == GemmKernel::Reference) continue;
            expectSame(p, a, b, true, 0, k, "66x" + std::to_string(n) + "x6000, 2 threads");
        }
    }
}

TEST(GemmSweep, Avx2BlockingThreadSplitsAndStream) {
    // The AVX2 path's own blocking (kernel_avx2.cpp): row blocks of 1 MB of int16 A, B widened in
    // cache blocks of 512 k-steps (1024 k). K = 6000 → 5 full cache blocks and a 440-step tail; A rows
    // take 12 000 bytes, so a row block is 14 tiles of 6 rows:
    //  * M = 300 → 50 tiles → 4 blocks: with 2 threads the work is split by row blocks;
    //  * M = 66 → 11 tiles → 1 block: split by ranges of panels (with the next panel prefetched);
    //    these blocks widen B to int16 first;
    //  * M = 16 → tiles of 6 + 5 + 5 rows, a block short enough to read int8 B directly;
    //  * M = 1 → the GEMV stream.
    // N = 40: two full 16-column panels and a partial one (8 columns, the element-wise output stage).
    if (!gemmKernelSupported(GemmKernel::Avx2)) GTEST_SKIP() << "no AVX2";
    std::mt19937 rng(21);
    const int64_t N = 40, K = 6000;
    const auto b = randomBytes(static_cast<size_t>(K * N), rng);
    for (int64_t M : {300, 66, 16, 1}) {
        const auto a = randomBytes(static_cast<size_t>(M * K), rng);
        for (int threads : {1, 2}) {
            GemmParams p = shape(M, N, K);
            p.aZero = 5;
            p.threads = threads;
            const std::string what = std::to_string(M) + "x40x6000, " + std::to_string(threads) + " threads";
            expectSame(p, a, b, true, 3, GemmKernel::Avx2, what);
            p.out.mode = GemmOutput::Quantized8;
            p.out.yScale = 5000.0f;
            expectSame(p, a, b, false, 128, GemmKernel::Avx2, what + ", 8-bit output");
        }
    }
}

TEST(GemmSweep, ExtremeValuesAccumulateExactly) {
    // A = 255 and B = −128 everywhere with zero points 0: acc = K·255·(−128) = −32640·K, far beyond
    // what a saturating int16 pair (vpmaddubsw) could hold; every path must agree.
    for (int64_t K : {2, 64, 1000}) {
        GemmParams p = shape(3, 40, K);
        std::vector<uint8_t> a(static_cast<size_t>(3 * K), 255), b(static_cast<size_t>(K * 40), 0x80);
        std::vector<int32_t> y(120);
        for (GemmKernel k : optimizedKernels()) {
            auto info = gemm(p, a.data(), b.data(), true, 0, y.data(), k);
            ASSERT_TRUE(info.ok());
            for (int32_t v : y) ASSERT_EQ(v, -32640 * K) << gemmKernelName(k);
        }
    }
}

TEST(GemmKernelChoice, ReportsWhichKernelRan) {
    // This machine has AVX-512 VNNI; on another CPU Auto must still resolve to what it supports.
    const GemmKernel best = bestGemmKernel();
    const std::string forced = std::getenv("QV_SIMD") ? std::getenv("QV_SIMD") : "";
    if (forced == "portable") EXPECT_EQ(best, GemmKernel::Reference);
    else if (forced == "avx2" && gemmKernelSupported(GemmKernel::Avx2)) EXPECT_EQ(best, GemmKernel::Avx2);
    else if (gemmKernelSupported(GemmKernel::Avx512Vnni)) EXPECT_EQ(best, GemmKernel::Avx512Vnni);
    else if (gemmKernelSupported(GemmKernel::Avx2)) EXPECT_EQ(best, GemmKernel::Avx2);
    else EXPECT_EQ(best, GemmKernel::Reference);
    std::vector<uint8_t> a(4 * 8, 1), b(8 * 40, 2);
    std::vector<int32_t> y(4 * 40);
    GemmParams p = shape(4, 40, 8);
    p.threads = 2;
    auto autoRun = gemm(p, a.data(), b.data(), true, 0, y.data());
    ASSERT_TRUE(autoRun.ok());
    EXPECT_EQ(autoRun->kernel, best);
    EXPECT_FALSE(autoRun->gemv);
    EXPECT_EQ(y[0], 16);  // 8 · 1 · 2
    // Forcing a kernel (the test override) is reported back.
    for (GemmKernel k : {GemmKernel::Reference, GemmKernel::Avx2}) {
        if (!gemmKernelSupported(k)) continue;
        auto forced = gemm(p, a.data(), b.data(), true, 0, y.data(), k);
        ASSERT_TRUE(forced.ok());
        EXPECT_EQ(forced->kernel, k);
        EXPECT_EQ(std::string(gemmKernelName(forced->kernel)), k == GemmKernel::Avx2 ? "avx2" : "reference");
    }
    // M = 1 on each SIMD path streams B (N = 1000: several B panels, so both threads get a share; the last one
    // is partial: 1000 is a multiple of neither panel width).
    for (GemmKernel k : {GemmKernel::Avx2, GemmKernel::Avx512Vnni}) {
        if (!gemmKernelSupported(k)) continue;
        std::vector<uint8_t> bw(8 * 1000, 3);
        std::vector<int32_t> yw(1000);
        GemmParams g = shape(1, 1000, 8);
        g.threads = 2;
        auto gemv = gemm(g, a.data(), bw.data(), true, 0, yw.data(), k);
        ASSERT_TRUE(gemv.ok());
        EXPECT_TRUE(gemv->gemv);
        EXPECT_EQ(gemv->describe(), std::string(gemmKernelName(k)) + " gemv, 2 threads");
        EXPECT_EQ(yw[0], 24);    // 8 · 1 · 3
        EXPECT_EQ(yw[999], 24);  // column 999 of 1000, in the partial last panel
    }
}

TEST(GemmErrors, BadParametersAreReportedNotFatal) {
    std::vector<uint8_t> a(4, 0), b(4, 0);
    std::vector<int32_t> y(4);
    GemmParams p = shape(2, 2, 2);
    p.aZero = 300;
    auto r = gemm(p, a.data(), b.data(), true, 0, y.data());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("A zero point 300"), std::string::npos);
    p.aZero = 0;
    p.bScales = {1.f, 2.f, 3.f};
    r = gemm(p, a.data(), b.data(), true, 0, y.data());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("3 scales"), std::string::npos);
    auto packed = PackedB::make(b.data(), 2, 2, true, 0);
    ASSERT_TRUE(packed.ok());
    GemmParams q = shape(2, 2, 3);
    r = gemm(q, a.data(), **packed, y.data());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("packed B is 2×2"), std::string::npos);
}

}  // namespace
}  // namespace qv
