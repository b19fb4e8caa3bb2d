// parallelFor: split [0, n) into chunks over a few threads — the data-parallel loop inside a job.
#pragma once

#include <cstddef>
#include <functional>

namespace qv {

// Number of hardware threads (at least 1).
int hardwareThreads();

// Calls body(begin, end, worker) over disjoint chunks covering [0, n). `worker` is in
// [0, threadCount) so callers can keep per-thread accumulators. threads <= 0 means all
// hardware threads. Chunks are handed out dynamically (an atomic counter), so a slow core
// (shared machine) does not hold the others back. Runs inline when one thread suffices.
// Returns the number of workers used (the size accumulators need).
int parallelFor(size_t n, size_t chunk, int threads,
                const std::function<void(size_t begin, size_t end, int worker)>& body);

// How many workers parallelFor(n, chunk, threads, …) will use.
int parallelWorkers(size_t n, size_t chunk, int threads);

}  // namespace qv
