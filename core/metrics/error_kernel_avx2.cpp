// Error kernel compiled for AVX2 + FMA (per-file flags in metrics/sources.cmake; chosen at run time).
#include "core/metrics/error_kernel_impl.h"

namespace qv::detail {
void errorKernelAvx2(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                     const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    errorKernelDispatch<16>(x, n, p, usage, ties, outputs, out);
}
}  // namespace qv::detail
