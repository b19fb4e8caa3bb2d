// chunkedPass: a cancellable, progress-reporting parallel pass over float chunks read per worker.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/base/page_releaser.h"
#include "core/base/parallel.h"
#include "core/base/progress.h"

namespace qv {

// Where a pass gets its floats: straight from memory when the tensor is plain f32 (zero copy),
// otherwise converted chunk by chunk into one buffer per worker. Templated on the view type so
// core/base stays below core/tensor (anything with directF32(), read() and chunkElements()).
class ChunkReader {
public:
    using ReadFn = std::function<bool(uint64_t first, size_t count, float* out)>;

    static ChunkReader direct(const float* data, size_t chunk) {
        ChunkReader r;
        r.m_direct = data;
        r.m_chunk = chunk;
        return r;
    }
    static ChunkReader converting(ReadFn read, size_t chunk) {
        ChunkReader r;
        r.m_read = std::move(read);
        r.m_chunk = chunk;
        return r;
    }
    template <class View>
    static ChunkReader forView(const View& view, size_t directChunk) {
        ChunkReader r = view.directF32()
                            ? direct(view.directF32(), directChunk)
                            : converting([&view](uint64_t first, size_t count, float* out) { return view.read(first, count, out); },
                                         view.chunkElements());
        if (view.releasesPages()) {
            r.m_release = [&view](uint64_t first, uint64_t count) { view.releasePages(first, count); };
            r.m_releaseSpan = view.releaseSpanElements();
        }
        return r;
    }
    // Gives back the pages of the elements a pass has finished (views of very large tensors only).
    PageReleaser releaser(uint64_t n) const {
        return m_release ? PageReleaser(n, m_chunk, m_releaseSpan, m_release) : PageReleaser();
    }

    size_t chunk() const { return m_chunk; }
    // Sizes the per-worker buffers (converting readers only).
    void prepare(int workers) {
        if (!m_direct) m_buffers.resize(static_cast<size_t>(workers));
    }
    // The floats of [first, first + count) for `worker`, or nullptr when decoding fails.
    const float* get(uint64_t first, size_t count, int worker) {
        if (m_direct) return m_direct + first;
        auto& buf = m_buffers[static_cast<size_t>(worker)];
        if (buf.size() < count) buf.resize(std::max(m_chunk, count));
        return m_read(first, count, buf.data()) ? buf.data() : nullptr;
    }

private:
    const float* m_direct = nullptr;
    ReadFn m_read;
    size_t m_chunk = 0;
    PageReleaser::ReleaseFn m_release;
    uint64_t m_releaseSpan = 0;
    std::vector<std::vector<float>> m_buffers;
};

enum class PassStatus { Done, Cancelled, Failed };

// Runs body(x, first, count, worker) over [0, n) in reader.chunk()-sized chunks on up to `threads`
// workers (0: all). Checks progress->cancelled() once per chunk and stops handing out work after a
// cancel or a failed read; adds each chunk's size to the progress. `workers` must be what
// parallelWorkers(n, reader.chunk(), threads) returned (the caller sizes its accumulators by it).
inline PassStatus chunkedPass(uint64_t n, int threads, Progress* progress, ChunkReader& reader,
                              const std::function<void(const float* x, uint64_t first, size_t count, int worker)>& body) {
    reader.prepare(parallelWorkers(n, reader.chunk(), threads));
    PageReleaser releaser = reader.releaser(n);
    std::atomic<bool> cancelled{false}, failed{false};
    parallelFor(n, reader.chunk(), threads, [&](size_t begin, size_t end, int worker) {
        if (cancelled.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed)) return;
        if (progress && progress->cancelled()) {
            cancelled.store(true);
            return;
        }
        const size_t count = end - begin;
        const float* x = reader.get(begin, count, worker);
        if (!x) {
            failed.store(true);
            return;
        }
        body(x, begin, count, worker);
        releaser.chunkDone(begin);
        if (progress) progress->add(static_cast<double>(count));
    });
    if (cancelled) return PassStatus::Cancelled;
    if (failed) return PassStatus::Failed;
    return PassStatus::Done;
}

}  // namespace qv
