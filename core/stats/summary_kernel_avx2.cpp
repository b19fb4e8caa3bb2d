// Summary kernel compiled for AVX2 + FMA (per-file flags in stats/sources.cmake; chosen at run time).
#include "core/stats/summary_kernel_impl.h"

namespace qv::detail {
void summaryKernelAvx2(const float* x, size_t n, float pivot, uint32_t* hist, ChunkStats& out, TopK& top,
                       uint64_t baseIndex) {
    summaryKernelBody<16>(x, n, pivot, hist, out, top, baseIndex);
}
}  // namespace qv::detail
