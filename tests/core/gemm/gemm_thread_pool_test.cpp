// The GEMM's persistent pool: every task exactly once, helpers reused across calls, nested and concurrent calls safe, results independent of the split.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/gemm/gemm.h"
#include "core/gemm/gemm_thread_pool.h"

namespace qv {
namespace {

using gemm_detail::GemmThreadPool;

TEST(GemmThreadPool, RunsEveryTaskExactlyOnceWithWorkerIdsInRange) {
    GemmThreadPool pool;
    for (int threads : {1, 2, 3, 4}) {
        for (size_t tasks : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{1000}}) {
            std::vector<std::atomic<int>> hits(tasks);
            std::atomic<int> badWorker{0};
            const int used = pool.run(tasks, threads, [&](size_t t, int w) {
                hits[t].fetch_add(1);
                if (w < 0 || w >= threads) badWorker.fetch_add(1);
            });
            EXPECT_EQ(used, std::max(1, std::min(threads, static_cast<int>(tasks)))) << threads << " threads, " << tasks;
            for (size_t t = 0; t < tasks; ++t) ASSERT_EQ(hits[t].load(), 1) << "task " << t << " of " << tasks;
            EXPECT_EQ(badWorker.load(), 0);
        }
    }
    // Helpers are started once, up to the largest count asked for (4 threads = caller + 3), not per call.
    EXPECT_EQ(pool.helpers(), 3);
    for (int i = 0; i < 50; ++i) pool.run(8, 2, [](size_t, int) {});
    EXPECT_EQ(pool.helpers(), 3);
}

TEST(GemmThreadPool, ParkedHelpersWakeForTheNextJob) {
    // Helpers poll for 50 µs after a job, then sleep on the condition variable: a job arriving after
    // they went to sleep must still be shared and complete (the bench pauses 5 ms between calls).
    GemmThreadPool pool;
    for (int round = 0; round < 5; ++round) {
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        std::atomic<int> sum{0};
        EXPECT_EQ(pool.run(64, 2, [&](size_t t, int) { sum.fetch_add(static_cast<int>(t)); }), 2);
        EXPECT_EQ(sum.load(), 64 * 63 / 2);
    }
    EXPECT_EQ(pool.helpers(), 1);
}

TEST(GemmThreadPool, NestedRunFallsBackInsteadOfDeadlocking) {
    GemmThreadPool pool;
    std::atomic<int> inner{0};
    pool.run(4, 2, [&](size_t, int) {
        // A GEMM inside a task (the pool is busy with this job): it must still run all its tasks.
        pool.run(10, 2, [&](size_t, int) { inner.fetch_add(1); });
    });
    EXPECT_EQ(inner.load(), 40);
}

std::vector<uint8_t> randomBytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(0, 255);
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = static_cast<uint8_t>(d(rng));
    return v;
}

// Shapes on both sides of the split rule (gemm_dispatch.cpp): K = 4000 gives row blocks of 96 rows,
// so M = 400 has 5 blocks (by rows on ≤ 2 threads), M = 100 has 2 (by column ranges), and M = 7 one.
TEST(GemmThreadPool, GemmResultDoesNotDependOnTheSplit) {
    const int64_t N = 130, K = 4000;  // 3 panels of the VNNI layout, the last one 2 columns wide
    const auto b = randomBytes(static_cast<size_t>(K * N), 11);
    for (GemmKernel kernel : {GemmKernel::Avx2, GemmKernel::Avx512Vnni}) {
        if (!gemmKernelSupported(kernel)) continue;
        auto packed = PackedB::make(b.data(), K, N, true, -3, kernel);
        ASSERT_TRUE(packed.ok());
        for (int64_t M : {7, 100, 400}) {
            const auto a = randomBytes(static_cast<size_t>(M * K), static_cast<uint32_t>(M));
            GemmParams p;
            p.M = M;
            p.N = N;
            p.K = K;
            p.aZero = 5;
            std::vector<int32_t> want(static_cast<size_t>(M * N));
            ASSERT_TRUE(gemmReference(p, a.data(), b.data(), true, -3, want.data()).ok());
            for (int threads : {1, 2, 3, 4}) {
                p.threads = threads;
                std::vector<int32_t> got(want.size(), 0x5A5A5A5A);
                auto info = gemm(p, a.data(), **packed, got.data());
                ASSERT_TRUE(info.ok()) << info.message();
                EXPECT_EQ(info->kernel, kernel);
                EXPECT_EQ(got, want) << gemmKernelName(kernel) << " M=" << M << " threads=" << threads;
            }
        }
    }
}

TEST(GemmThreadPool, ConcurrentGemmsFromTwoThreadsAreBothExact) {
    // The GUI's job thread and a bench/CLI thread may both multiply at once: one gets the pool, the
    // other falls back to short-lived threads; both results must be exact.
    const int64_t M = 64, N = 256, K = 1000;
    const auto a = randomBytes(static_cast<size_t>(M * K), 1), b = randomBytes(static_cast<size_t>(K * N), 2);
    GemmParams p;
    p.M = M;
    p.N = N;
    p.K = K;
    p.threads = 2;
    std::vector<int32_t> want(static_cast<size_t>(M * N));
    ASSERT_TRUE(gemmReference(p, a.data(), b.data(), true, 0, want.data()).ok());
    auto packed = PackedB::make(b.data(), K, N, true, 0);
    ASSERT_TRUE(packed.ok());
    std::atomic<int> wrong{0};
    auto loop = [&] {
        std::vector<int32_t> y(want.size());
        for (int i = 0; i < 40; ++i) {
            if (!gemm(p, a.data(), **packed, y.data()).ok() || y != want) wrong.fetch_add(1);
        }
    };
    std::thread t1(loop), t2(loop);
    t1.join();
    t2.join();
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace qv
