// The exact error pass's inner loop: quantize, dequantize and accumulate one run of elements that
// share a slice's parameters — one implementation compiled per instruction set, chosen at run time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qv::detail {

// One slice's quantizer in the form the kernel needs (see AffineQuantizer: same arithmetic).
struct ErrorKernelParams {
    float scale = 1, invScale = 1;
    float lowF = 0, highF = 0;  // bounds of round(x/s) before the code saturates: qmin−z, qmax−z
    int32_t zeroPoint = 0;
    bool useReciprocal = false;
};

// Sums over the finite elements of a run (non-finite ones contribute nothing).
struct ErrorRunSums {
    uint64_t count = 0, clipped = 0;
    double sumSqErr = 0, sumAbsErr = 0, sumSqX = 0, sumSqXq = 0, sumXXq = 0;
    double maxAbsErr = 0;
};

// For x[0..n) (n ≤ kErrorRunMax): codes[i] = the code, err[i] = x̂ − x (0 for non-finite x),
// finite[i] = 1 for finite x; sums accumulated into `out` (which it overwrites).
constexpr size_t kErrorRunMax = 1024;
using ErrorKernelFn = void (*)(const float* x, size_t n, const ErrorKernelParams& p, int32_t* codes, float* err,
                               uint8_t* finite, ErrorRunSums& out);

void errorKernelPortable(const float*, size_t, const ErrorKernelParams&, int32_t*, float*, uint8_t*, ErrorRunSums&);
void errorKernelAvx2(const float*, size_t, const ErrorKernelParams&, int32_t*, float*, uint8_t*, ErrorRunSums&);
void errorKernelAvx512(const float*, size_t, const ErrorKernelParams&, int32_t*, float*, uint8_t*, ErrorRunSums&);

// Widest kernel this CPU runs; QV_SIMD=portable|avx2|avx512 forces one (tests run each).
ErrorKernelFn selectErrorKernel(const char** name = nullptr);
ErrorKernelFn errorKernelByName(const char* name);

}  // namespace qv::detail
