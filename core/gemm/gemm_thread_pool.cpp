// The GEMM's persistent worker pool: parked helpers, dynamic task hand-out, the caller as worker 0.
#include "core/gemm/gemm_thread_pool.h"

#include <algorithm>
#include <chrono>

#include "core/base/parallel.h"

namespace qv::gemm_detail {

namespace {
// How long a helper keeps polling for the next job before it sleeps. Long enough for a caller that
// runs GEMMs back to back, short enough not to steal a shared core from other processes for long.
constexpr auto kSpin = std::chrono::microseconds(50);
constexpr int kMaxHelpers = 255;
}  // namespace

GemmThreadPool& GemmThreadPool::instance() {
    // Never destroyed: helpers may still be parked when static destructors run at exit.
    static GemmThreadPool* pool = new GemmThreadPool();
    return *pool;
}

GemmThreadPool::~GemmThreadPool() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
        m_generation.fetch_add(1, std::memory_order_release);
    }
    m_wake.notify_all();
    for (auto& t : m_helpers) t.join();
}

int GemmThreadPool::helpers() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return static_cast<int>(m_helpers.size());
}

void GemmThreadPool::work(Job& job, int worker) {
    for (;;) {
        const size_t t = job.next.fetch_add(1, std::memory_order_relaxed);
        if (t >= job.tasks) break;
        (*job.body)(t, worker);
    }
}

void GemmThreadPool::helperLoop() {
    unsigned seen = m_generation.load(std::memory_order_acquire);
    for (;;) {
        // Poll first (cheap wake-up for back-to-back jobs), then sleep.
        const auto until = std::chrono::steady_clock::now() + kSpin;
        while (m_generation.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until) {
#if defined(__x86_64__)
            __builtin_ia32_pause();
#endif
        }
        Job* job = nullptr;
        int worker = 0;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation.load(std::memory_order_relaxed) != seen; });
            if (m_stop) return;
            seen = m_generation.load(std::memory_order_relaxed);
            // Join only a job that is still open, and only while it wants more workers. Joining under
            // the mutex is what lets the caller know, once it closes the job, exactly who is inside.
            if (m_job && m_job->joined.load(std::memory_order_relaxed) < m_job->maxWorkers) {
                job = m_job;
                worker = job->joined.fetch_add(1, std::memory_order_relaxed);
                job->active.fetch_add(1, std::memory_order_relaxed);
            }
        }
        if (!job) continue;
        work(*job, worker);
        job->active.fetch_sub(1, std::memory_order_release);  // the last touch of the job
    }
}

int GemmThreadPool::run(size_t tasks, int threads, const std::function<void(size_t, int)>& body) {
    if (threads <= 0) threads = hardwareThreads();
    const int workers = static_cast<int>(std::clamp<size_t>(tasks, 1, static_cast<size_t>(std::min(threads, kMaxHelpers + 1))));
    if (tasks == 0) return workers;
    if (workers == 1) {
        for (size_t t = 0; t < tasks; ++t) body(t, 0);
        return 1;
    }
    if (m_busy.exchange(true, std::memory_order_acquire)) {
        // Busy (another thread's GEMM, or a GEMM inside a task): short-lived threads instead.
        return parallelFor(tasks, 1, workers, [&](size_t t0, size_t t1, int w) {
            for (size_t t = t0; t < t1; ++t) body(t, w);
        });
    }
    Job job;
    job.body = &body;
    job.tasks = tasks;
    job.maxWorkers = workers;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        while (static_cast<int>(m_helpers.size()) < workers - 1) m_helpers.emplace_back([this] { helperLoop(); });
        m_job = &job;
        m_generation.fetch_add(1, std::memory_order_release);
    }
    m_wake.notify_all();
    work(job, 0);
    {
        // Close the job: no helper can join from now on; wait for those inside to finish.
        std::lock_guard<std::mutex> lock(m_mutex);
        m_job = nullptr;
    }
    while (job.active.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    m_busy.store(false, std::memory_order_release);
    return workers;
}

}  // namespace qv::gemm_detail
