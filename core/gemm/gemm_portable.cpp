// Portable kernel over PackedB's plain layout: the zero-point-by-sums formulation in scalar C++ (no SIMD).
#include <vector>

#include "core/gemm/gemm_kernels.h"

namespace qv::gemm_detail {

void gemmPortable(const GemmJob& job, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const int64_t K = job.K, N = job.N;
    std::vector<uint8_t> row(static_cast<size_t>(K));
    std::vector<uint32_t> acc(static_cast<size_t>(n1 - n0));
    const int8_t* b = job.b->data();
    for (int64_t i = m0; i < m1; ++i) {
        int32_t rowTerm = 0;
        packARows(job, i, 1, K, 1, row.data(), &rowTerm);
        std::fill(acc.begin(), acc.end(), 0u);
        // k outer, j inner: B is read row by row (unsigned arithmetic wraps mod 2^32 as int32 hardware does).
        for (int64_t k = 0; k < K; ++k) {
            const uint32_t av = row[static_cast<size_t>(k)];
            const int8_t* brow = b + k * N + n0;
            for (int64_t j = 0; j < n1 - n0; ++j) acc[static_cast<size_t>(j)] += av * static_cast<uint32_t>(brow[j]);
        }
        for (int64_t j = n0; j < n1; ++j) {
            const uint32_t v = acc[static_cast<size_t>(j - n0)] + static_cast<uint32_t>(rowTerm) +
                               static_cast<uint32_t>(job.colTerm[j]);
            storeOne(*job.out, job.y, i * N + j, j, static_cast<int32_t>(v));
        }
    }
}

}  // namespace qv::gemm_detail
