// Packing A: one row tile converted to uint8 and interleaved in k-groups, with the row sums the zero points need.
#include <cstring>

#include "core/gemm/gemm_output_stage.h"

namespace qv::gemm_detail {

void packARows(const GemmJob& job, int64_t m0, int64_t rows, int64_t kPadded, int kGroup, uint8_t* dst,
               int32_t* rowTerm) {
    const int64_t K = job.K;
    const uint8_t flip = job.aSigned ? 0x80 : 0x00;  // int8 → uint8 by adding 128 (XOR of the sign bit)
    const uint32_t flip4 = flip * 0x01010101u;
    const int64_t stride = rows * kGroup;  // bytes between consecutive k-groups of one row
    const int64_t fullGroups = K / kGroup;
    for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* src = job.a + (m0 + r) * K;
        // Row sum of a' (a simple loop the compiler vectorizes): Σ a' = Σ a (+128·K for int8 A).
        uint32_t sum = 0;
        if (job.bZeroInternal == 0) {
            // rowTerm = −0·Σa' = 0: the sum is not needed (the common symmetric-weights case).
        } else if (job.aSigned) {
            int32_t s = 0;
            for (int64_t k = 0; k < K; ++k) s += static_cast<int8_t>(src[k]);
            sum = static_cast<uint32_t>(s) + 128u * static_cast<uint32_t>(K);
        } else {
            for (int64_t k = 0; k < K; ++k) sum += src[k];
        }
        uint8_t* out = dst + r * kGroup;
        if (kGroup == 4) {
            for (int64_t g = 0; g < fullGroups; ++g, out += stride) {
                uint32_t v;
                std::memcpy(&v, src + g * 4, 4);
                v ^= flip4;
                std::memcpy(out, &v, 4);
            }
        } else {
            for (int64_t g = 0; g < fullGroups; ++g, out += stride)
                for (int c = 0; c < kGroup; ++c) out[c] = static_cast<uint8_t>(src[g * kGroup + c] ^ flip);
        }
        // The tail group: remaining k, then zeros up to kPadded (zero times anything adds nothing).
        if (fullGroups * kGroup < kPadded) {
            for (int c = 0; c < kGroup; ++c) {
                const int64_t k = fullGroups * kGroup + c;
                out[c] = k < K ? static_cast<uint8_t>(src[k] ^ flip) : 0;
            }
            out += stride;
            for (int64_t g = fullGroups + 1; g < kPadded / kGroup; ++g, out += stride) std::memset(out, 0, static_cast<size_t>(kGroup));
        }
        // −zb'·rowsum in wrapping arithmetic (the exact value is recovered mod 2^32, like the products).
        rowTerm[r] = static_cast<int32_t>(0u - static_cast<uint32_t>(job.bZeroInternal) * sum);
    }
}

void rowTermsOnly(const GemmJob& job, int64_t m0, int64_t rows, int32_t* rowTerm) {
    const auto K = job.K;
    for (int64_t r = 0; r < rows; ++r) {
        uint32_t sum = 0;
        if (job.bZeroInternal != 0) {
            const uint8_t* src = job.a + (m0 + r) * K;
            if (job.aSigned) {
                int32_t s = 0;
                for (int64_t k = 0; k < K; ++k) s += static_cast<int8_t>(src[k]);
                sum = static_cast<uint32_t>(s) + 128u * static_cast<uint32_t>(K);
            } else {
                for (int64_t k = 0; k < K; ++k) sum += src[k];
            }
        }
        rowTerm[r] = static_cast<int32_t>(0u - static_cast<uint32_t>(job.bZeroInternal) * sum);
    }
}

}  // namespace qv::gemm_detail
