// Summary kernel compiled for AVX-512 (F/DQ/BW/VL; per-file flags in stats/sources.cmake; chosen at run time).
#include "core/stats/summary_kernel_impl.h"

namespace qv::detail {
void summaryKernelAvx512(const float* x, size_t n, float pivot, uint32_t* hist, ChunkStats& out, TopK& top,
                         uint64_t baseIndex) {
    summaryKernelBody<32>(x, n, pivot, hist, out, top, baseIndex);
}
}  // namespace qv::detail
