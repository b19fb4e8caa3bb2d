// Error kernel compiled for AVX2 + FMA (per-file flags in metrics/sources.cmake; chosen at run time).
#include "core/metrics/error_kernel_impl.h"

namespace qv::detail {
void errorKernelAvx2(const float* x, size_t n, const ErrorKernelParams& p, int32_t* codes, float* err,
                     uint8_t* finite, ErrorRunSums& out) {
    errorKernelDispatch<16>(x, n, p, codes, err, finite, out);
}
}  // namespace qv::detail
