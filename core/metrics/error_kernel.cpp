// Portable error kernel and run-time selection of the widest one the CPU runs.
#include "core/metrics/error_kernel.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "core/metrics/error_kernel_impl.h"

namespace qv::detail {

void errorKernelPortable(const float* x, size_t n, const ErrorKernelParams& p, int32_t* codes, float* err,
                         uint8_t* finite, ErrorRunSums& out) {
    errorKernelDispatch<8>(x, n, p, codes, err, finite, out);
}

namespace {
bool cpuHasAvx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool cpuHasAvx512() {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && cpuHasAvx2();
}
}  // namespace

ErrorKernelFn errorKernelByName(const char* name) {
    if (!std::strcmp(name, "portable")) return errorKernelPortable;
#if defined(__x86_64__)
    if (!std::strcmp(name, "avx2")) return cpuHasAvx2() ? errorKernelAvx2 : nullptr;
    if (!std::strcmp(name, "avx512")) return cpuHasAvx512() ? errorKernelAvx512 : nullptr;
#endif
    return nullptr;
}

ErrorKernelFn selectErrorKernel(const char** name) {
    const char* forced = std::getenv("QV_SIMD");
    if (forced) {
        if (auto fn = errorKernelByName(forced)) {
            if (name) *name = forced;
            return fn;
        }
    }
    for (const char* candidate : {"avx512", "avx2"}) {
        if (auto fn = errorKernelByName(candidate)) {
            if (name) *name = candidate;
            return fn;
        }
    }
    if (name) *name = "portable";
    return errorKernelPortable;
}

}  // namespace qv::detail
