// The summary pass's inner loop: per-chunk sums, min/max, zero count, fine-histogram counts, top-k
// candidates — one implementation compiled per instruction set and chosen at run time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qv::detail {

// What one chunk contributes. Sums are of d = x − pivot in double (pivot: a value of the chunk),
// so the variance stays accurate when |mean| ≫ std. min/max ignore NaN but include ±Inf; a
// NaN or Inf anywhere makes s1/s2 non-finite, which is how the caller knows to redo the chunk's
// moments carefully (rare) — the hot loop itself never tests for them.
struct ChunkStats {
    double s1 = 0, s2 = 0;
    float mn = 0, mx = 0;
    uint64_t zeros = 0;
};

// The kTopK largest finite |x| seen by one worker: a min-heap, so `threshold` (the smallest kept
// |x| once full, −1 before) lets the kernel skip whole blocks whose max |x| cannot enter.
class TopK {
public:
    static constexpr int kCapacity = 64;
    struct Entry {
        float absValue;
        float value;
        uint64_t index;
    };
    float threshold = -1.0f;

    // Offers every finite element of x[0..n) (flat indices base..base+n) — called only for
    // blocks whose max |x| exceeds the threshold.
    void scan(const float* x, size_t n, uint64_t base);
    void insert(float v, uint64_t index);
    const Entry* begin() const { return m_heap; }
    const Entry* end() const { return m_heap + m_size; }

private:
    Entry m_heap[kCapacity];
    int m_size = 0;
};

// hist: 2^20 uint32 counts indexed by FineHistogram key (the caller keeps them from overflowing).
using SummaryKernelFn = void (*)(const float* x, size_t n, float pivot, uint32_t* hist, ChunkStats& out,
                                 TopK& top, uint64_t baseIndex);

void summaryKernelPortable(const float*, size_t, float, uint32_t*, ChunkStats&, TopK&, uint64_t);
void summaryKernelAvx2(const float*, size_t, float, uint32_t*, ChunkStats&, TopK&, uint64_t);
void summaryKernelAvx512(const float*, size_t, float, uint32_t*, ChunkStats&, TopK&, uint64_t);

// The best kernel this CPU runs (AVX-512 → AVX2 → portable); QV_SIMD=portable|avx2|avx512 in the
// environment forces one (tests run every path). `name` receives "avx512", "avx2" or "portable".
SummaryKernelFn selectSummaryKernel(const char** name = nullptr);
// A named kernel if this CPU supports it, else nullptr.
SummaryKernelFn summaryKernelByName(const char* name);

}  // namespace qv::detail
