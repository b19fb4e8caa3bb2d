// Packing B once per weight matrix: int8 conversion, the kernel's panel layout, and the column sums.
//
// Layouts (K×N row-major input, b' = b as int8, uint8 input XOR 0x80):
//   Reference:   b' as K×N row-major (kPadded = K, panel width 0).
//   Avx512Vnni:  panels of 64 columns; inside a panel [K/4][64 columns][4 consecutive k] bytes — one
//                k-step of vpdpbusd reads 4 zmm = 256 bytes (Intel SDM: VPDPBUSD multiplies groups of 4
//                adjacent bytes and sums them into the matching dword).
//   Avx2:        panels of 16 columns: [K/2][16 columns][2 consecutive k] bytes — one k-step is 32
//                bytes, sign-extended to 2 ymm of int16 for vpmaddwd (non-saturating, see kernel_avx2.cpp).
// Padding (k beyond K, columns beyond N) is zero, so it adds nothing to any product.
#include <cstring>
#include <string>

#include "core/gemm/gemm.h"
#include "core/gemm/gemm_kernels.h"

namespace qv {

Result<std::shared_ptr<const PackedB>> PackedB::make(const void* b, int64_t K, int64_t N, bool bSigned,
                                                    int32_t bZero, GemmKernel kernel) {
    if (K <= 0 || N <= 0) {
        return makeError("gemm: B has shape " + std::to_string(K) + "×" + std::to_string(N) +
                         "; K and N must be positive");
    }
    if (bZero < -128 || bZero > 255) {
        return makeError("gemm: B zero point " + std::to_string(bZero) + " is outside [−128, 255]");
    }
    if (!b) return makeError("gemm: B data is null");
    if (kernel == GemmKernel::Auto) kernel = bestGemmKernel();
    if (!gemmKernelSupported(kernel)) {
        return makeError(std::string("gemm: kernel ") + gemmKernelName(kernel) + " is not supported by this CPU");
    }
    std::shared_ptr<PackedB> p(new PackedB());
    p->m_kernel = kernel;
    p->m_K = K;
    p->m_N = N;
    p->m_bSigned = bSigned;
    p->m_bZero = bZero;
    p->m_zeroInternal = bSigned ? bZero : bZero - 128;
    const uint8_t flip = bSigned ? 0x00 : 0x80;
    const auto* src = static_cast<const uint8_t*>(b);
    auto at = [&](int64_t k, int64_t n) { return static_cast<int8_t>(src[k * N + n] ^ flip); };

    p->m_colSums.assign(static_cast<size_t>(N), 0);
    for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n) p->m_colSums[static_cast<size_t>(n)] += at(k, n);

    int kGroup = 1, elemBytes = 1;
    switch (kernel) {
        case GemmKernel::Avx512Vnni: p->m_panel = gemm_detail::kVnniPanel; kGroup = 4; break;
        case GemmKernel::Avx2: p->m_panel = 16; kGroup = 2; break;
        default: p->m_panel = 0; break;
    }
    p->m_kPadded = (K + kGroup - 1) / kGroup * kGroup;
    const int64_t cols = p->m_panel ? p->panels() * p->m_panel : N;
    p->m_bytes = static_cast<size_t>(p->m_kPadded * cols * elemBytes);
    p->m_data.assign(p->m_bytes + 64, 0);
    const auto addr = reinterpret_cast<uintptr_t>(p->m_data.data());
    p->m_offset = static_cast<size_t>((64 - addr % 64) % 64);
    int8_t* dst = p->m_data.data() + p->m_offset;

    if (kernel == GemmKernel::Reference) {
        for (int64_t k = 0; k < K; ++k)
            for (int64_t n = 0; n < N; ++n) dst[k * N + n] = at(k, n);
    } else if (kernel == GemmKernel::Avx512Vnni) {
        constexpr int64_t W = gemm_detail::kVnniPanel;
        const int64_t panelBytes = p->m_kPadded * W;
        for (int64_t k = 0; k < K; ++k)
            for (int64_t n = 0; n < N; ++n)
                dst[(n / W) * panelBytes + (k / 4) * (4 * W) + (n % W) * 4 + (k % 4)] = at(k, n);
    } else {
        const int64_t panelBytes = p->m_kPadded * 16;
        for (int64_t k = 0; k < K; ++k)
            for (int64_t n = 0; n < N; ++n) dst[(n / 16) * panelBytes + (k / 2) * 32 + (n % 16) * 2 + (k % 2)] = at(k, n);
    }
    return std::shared_ptr<const PackedB>(std::move(p));
}

}  // namespace qv
