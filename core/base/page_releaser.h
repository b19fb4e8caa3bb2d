// PageReleaser: lets a streaming pass over a tensor larger than memory give back the pages it has
// finished with, so the process's resident set stays near the chunks in flight instead of growing
// to the tensor's size (a 12 GB tensor left 11.9 GB resident after one pass before this).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace qv {

// Chunks of [0, n) finish in any order on any worker; the releaser tracks the prefix of finished
// chunks and, each time it has grown by at least `spanElements`, hands that range to `release`
// (outside its lock). Batching matters: each release is an madvise that also flushes the TLB of
// every thread of the process, too costly per 256 KiB chunk. An empty `release` makes it inert.
class PageReleaser {
public:
    using ReleaseFn = std::function<void(uint64_t first, uint64_t count)>;
    PageReleaser() = default;
    PageReleaser(uint64_t n, uint64_t chunk, uint64_t spanElements, ReleaseFn release);
    // The chunk starting at `begin` (a multiple of chunk) is done. Thread-safe.
    void chunkDone(uint64_t begin);
    bool active() const { return static_cast<bool>(m_release); }

private:
    uint64_t m_n = 0, m_chunk = 1, m_span = 0;
    ReleaseFn m_release;
    std::mutex m_mutex;
    std::vector<uint8_t> m_done;  // per chunk
    uint64_t m_frontier = 0;      // chunks [0, m_frontier) are all done
    uint64_t m_released = 0;      // chunks [0, m_released) were handed to release
};

}  // namespace qv
