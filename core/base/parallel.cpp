// Thread fan-out for data-parallel loops; std::thread per call is cheap next to the chunks it runs.
#include "core/base/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace qv {

int hardwareThreads() {
    // hardware_concurrency() reads /sys on every call in libstdc++; per-slice loops ask often.
    static const int kThreads = [] {
        unsigned n = std::thread::hardware_concurrency();
        return n == 0 ? 1 : static_cast<int>(n);
    }();
    return kThreads;
}

int parallelWorkers(size_t n, size_t chunk, int threads) {
    if (threads <= 0) threads = hardwareThreads();
    chunk = std::max<size_t>(chunk, 1);
    size_t chunks = (n + chunk - 1) / chunk;
    return static_cast<int>(std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(threads), chunks)));
}

int parallelFor(size_t n, size_t chunk, int threads,
                const std::function<void(size_t, size_t, int)>& body) {
    chunk = std::max<size_t>(chunk, 1);
    const int workers = parallelWorkers(n, chunk, threads);
    if (n == 0) return workers;
    std::atomic<size_t> next{0};
    auto run = [&](int w) {
        for (;;) {
            size_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
            if (begin >= n) break;
            body(begin, std::min(n, begin + chunk), w);
        }
    };
    if (workers == 1) {
        run(0);
        return 1;
    }
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(workers - 1));
    for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
    run(0);
    for (auto& t : pool) t.join();
    return workers;
}

}  // namespace qv
