// Eigen fp32 GEMM (the float reference of the comparison and the eigen_fp32 benchmark peer); Eigen stays inside this file.
//
// Compiled with AVX-512F/FMA (sources.cmake) and entered only after a run-time CPU check; this is the
// only translation unit of quantviz_core that instantiates Eigen, so no other copy of its templates
// compiled for another instruction set can be mixed in at link time.
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_*; GCC bug 105593): not our code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>

#include <algorithm>

#include "core/base/parallel.h"
#include "core/gemm/gemm_fp32.h"

namespace qv {

namespace {

bool eigenUsable() {
    static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") &&
                           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                           __builtin_cpu_supports("avx512bw");
    return ok;
}

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;

}  // namespace

const char* gemmFp32Backend() { return eigenUsable() ? "eigen" : "scalar"; }

void gemmFp32(const float* a, const float* b, float* y, int64_t M, int64_t N, int64_t K, int threads) {
    if (M <= 0 || N <= 0) return;
    // Column blocks of B per worker, multiples of 64 so every block keeps full SIMD width.
    const int workers = threads <= 0 ? hardwareThreads() : threads;
    const auto chunk = static_cast<size_t>(std::max<int64_t>(64, (N / workers + 63) / 64 * 64));
    parallelFor(static_cast<size_t>(N), chunk, workers, [&](size_t n0s, size_t n1s, int) {
        const auto n0 = static_cast<int64_t>(n0s), n1 = static_cast<int64_t>(n1s);
        if (!eigenUsable()) {
            gemmFp32Scalar(a, b, y, M, N, K, n0, n1);
            return;
        }
        Eigen::Map<const RowMajor> A(a, M, K);
        Eigen::Map<const RowMajor, 0, Stride> B(b + n0, K, n1 - n0, Stride(N));
        Eigen::Map<RowMajor, 0, Stride> Y(y + n0, M, n1 - n0, Stride(N));
        if (K == 0) {
            Y.setZero();
            return;
        }
        Y.noalias() = A * B;
    });
}

}  // namespace qv
