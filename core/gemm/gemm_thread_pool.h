// A persistent worker pool for the GEMM, so multithreaded calls of a millisecond or less do not pay for starting threads.
//
// parallelFor (core/base/parallel.h) starts std::threads on every call: fine for long data-parallel
// passes, but a 16×4096×4096 int8 GEMM takes ~0.5 ms and a thread start plus join is tens of
// microseconds, paid on every call. The pool keeps its helpers parked: after a job they spin briefly
// (back-to-back GEMMs, like a layer run batch after batch, find them awake), then sleep on a condition
// variable. The calling thread always takes part as worker 0.
//
// Tasks are handed out dynamically (an atomic counter), so the split never changes a result: each
// GEMM task writes its own disjoint output block, computed the same way whoever runs it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qv::gemm_detail {

class GemmThreadPool {
public:
    // The process-wide pool (helpers are started on first use, up to the largest count asked for).
    static GemmThreadPool& instance();

    GemmThreadPool() = default;
    ~GemmThreadPool();
    GemmThreadPool(const GemmThreadPool&) = delete;
    GemmThreadPool& operator=(const GemmThreadPool&) = delete;

    // Calls body(task, worker) for every task in [0, tasks), on at most `threads` workers (the caller
    // is worker 0; worker < threads, so callers may keep per-worker state). Returns the number of
    // workers the job was offered to: min(threads, tasks), at least 1. When the pool is already busy
    // (a GEMM from another thread, or one nested inside a task), it falls back to parallelFor's
    // short-lived threads, so it never blocks on itself.
    int run(size_t tasks, int threads, const std::function<void(size_t task, int worker)>& body);

    // Helpers started so far (tests check that repeated calls do not start more).
    int helpers() const;

private:
    struct Job {
        const std::function<void(size_t, int)>* body = nullptr;
        size_t tasks = 0;
        int maxWorkers = 1;
        std::atomic<size_t> next{0};
        std::atomic<int> joined{1};  // worker ids handed out (the caller is 0)
        std::atomic<int> active{0};  // helpers still inside the job
    };
    void helperLoop();
    static void work(Job& job, int worker);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<std::thread> m_helpers;
    Job* m_job = nullptr;                  // the open job (under m_mutex)
    std::atomic<unsigned> m_generation{0};  // bumped per job; helpers spin on it before sleeping
    bool m_stop = false;
    std::atomic<bool> m_busy{false};  // one job at a time (an atomic, not a mutex: a nested call on the same thread must see it taken)
};

}  // namespace qv::gemm_detail
