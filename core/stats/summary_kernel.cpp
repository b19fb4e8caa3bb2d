// Portable summary kernel, the top-k heap, and run-time selection of the widest kernel the CPU runs.
#include "core/stats/summary_kernel.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "core/base/simd_dispatch.h"
#include "core/stats/summary_kernel_impl.h"

namespace qv::detail {

void summaryKernelPortable(const float* x, size_t n, float pivot, uint32_t* hist, ChunkStats& out, TopK& top,
                           uint64_t baseIndex) {
    summaryKernelBody<8>(x, n, pivot, hist, out, top, baseIndex);
}

void TopK::scan(const float* x, size_t n, uint64_t base) {
    for (size_t i = 0; i < n; ++i) {
        const float a = std::fabs(x[i]);
        if (a > threshold && a <= 3.40282347e38f) insert(x[i], base + i);  // finite only
    }
}

void TopK::insert(float v, uint64_t index) {
    const Entry e{std::fabs(v), v, index};
    auto less = [](const Entry& a, const Entry& b) { return a.absValue < b.absValue; };
    if (m_size < kCapacity) {
        // Sift up in a min-heap on |x|.
        int i = m_size++;
        m_heap[i] = e;
        while (i > 0) {
            const int parent = (i - 1) / 2;
            if (!less(m_heap[i], m_heap[parent])) break;
            std::swap(m_heap[i], m_heap[parent]);
            i = parent;
        }
    } else {
        if (!(e.absValue > m_heap[0].absValue)) return;
        m_heap[0] = e;
        int i = 0;
        for (;;) {
            const int l = 2 * i + 1, r = l + 1;
            int m = i;
            if (l < m_size && less(m_heap[l], m_heap[m])) m = l;
            if (r < m_size && less(m_heap[r], m_heap[m])) m = r;
            if (m == i) break;
            std::swap(m_heap[i], m_heap[m]);
            i = m;
        }
    }
    if (m_size == kCapacity) threshold = m_heap[0].absValue;
}


SummaryKernelFn summaryKernelByName(const char* name) {
    if (!std::strcmp(name, "portable")) return summaryKernelPortable;
#if defined(__x86_64__)
    if (!std::strcmp(name, "avx2")) return cpuHasAvx2Fma() ? summaryKernelAvx2 : nullptr;
    if (!std::strcmp(name, "avx512")) return cpuHasAvx512() ? summaryKernelAvx512 : nullptr;
#endif
    return nullptr;
}

SummaryKernelFn selectSummaryKernel(const char** name) {
    return selectKernel<SummaryKernelFn>(summaryKernelByName, summaryKernelPortable, name);
}

}  // namespace qv::detail
