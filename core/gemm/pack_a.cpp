// Packing A: one row tile converted to uint8 and interleaved in k-groups, with the row sums the zero points need.
#include <cstring>

#include "core/gemm/gemm_output_stage.h"

namespace qv::gemm_detail {

void packARows(const GemmJob& job, int64_t m0, int64_t rows, int64_t kPadded, int kGroup, uint8_t* dst,
               int32_t* rowTerm) {
    const int64_t K = job.K;
    const uint8_t flip = job.aSigned ? 0x80 : 0x00;  // int8 → uint8 by adding 128 (XOR of the sign bit)
    std::memset(dst, 0, static_cast<size_t>(kPadded * rows));
    const int64_t stride = rows * kGroup;  // bytes between consecutive k-groups of one row
    for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* src = job.a + (m0 + r) * K;
        uint8_t* out = dst + r * kGroup;
        uint32_t sum = 0;
        int64_t k = 0;
        for (; k + kGroup <= K; k += kGroup, out += stride) {
            for (int c = 0; c < kGroup; ++c) {
                const uint8_t v = static_cast<uint8_t>(src[k + c] ^ flip);
                sum += v;
                out[c] = v;
            }
        }
        for (int c = 0; k < K; ++k, ++c) {
            const uint8_t v = static_cast<uint8_t>(src[k] ^ flip);
            sum += v;
            out[c] = v;
        }
        // −zb'·rowsum in wrapping arithmetic (the exact value is recovered mod 2^32, like the products).
        rowTerm[r] = static_cast<int32_t>(0u - static_cast<uint32_t>(job.bZeroInternal) * sum);
    }
}

}  // namespace qv::gemm_detail
