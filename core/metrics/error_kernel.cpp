// Portable error kernel and run-time selection of the widest one the CPU runs.
#include "core/metrics/error_kernel.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "core/base/simd_dispatch.h"
#include "core/metrics/error_kernel_impl.h"

namespace qv::detail {

void errorKernelPortable(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                         const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    errorKernelDispatch<8>(x, n, p, usage, ties, outputs, out);
}

void recordTie(TieLog& log, int32_t codeBelowIndex) {
    ++log.total;
    if (log.perCode) ++log.perCode[codeBelowIndex];
}


ErrorKernelFn errorKernelByName(const char* name) {
    if (!std::strcmp(name, "portable")) return errorKernelPortable;
#if defined(__x86_64__)
    if (!std::strcmp(name, "avx2")) return cpuHasAvx2Fma() ? errorKernelAvx2 : nullptr;
    if (!std::strcmp(name, "avx512")) return cpuHasAvx512() ? errorKernelAvx512 : nullptr;
#endif
    return nullptr;
}

ErrorKernelFn selectErrorKernel(const char** name) {
    return selectKernel<ErrorKernelFn>(errorKernelByName, errorKernelPortable, name);
}

}  // namespace qv::detail
