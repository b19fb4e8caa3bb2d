// PageReleaser: the finished-prefix bookkeeping.
#include "core/base/page_releaser.h"

#include <algorithm>

namespace qv {

PageReleaser::PageReleaser(uint64_t n, uint64_t chunk, uint64_t spanElements, ReleaseFn release)
    : m_n(n), m_chunk(std::max<uint64_t>(chunk, 1)), m_span(std::max<uint64_t>(spanElements, 1)),
      m_release(std::move(release)) {
    if (m_release) m_done.assign((n + m_chunk - 1) / m_chunk, 0);
}

void PageReleaser::chunkDone(uint64_t begin) {
    if (!m_release) return;
    uint64_t first = 0, last = 0;
    {
        std::lock_guard lock(m_mutex);
        const uint64_t c = begin / m_chunk;
        if (c >= m_done.size()) return;
        m_done[c] = 1;
        while (m_frontier < m_done.size() && m_done[m_frontier]) ++m_frontier;
        const uint64_t ready = (m_frontier - m_released) * m_chunk;
        if (ready < m_span && m_frontier < m_done.size()) return;
        if (m_frontier == m_released) return;
        first = m_released * m_chunk;
        last = std::min(m_frontier * m_chunk, m_n);
        m_released = m_frontier;
    }
    m_release(first, last - first);
}

}  // namespace qv
