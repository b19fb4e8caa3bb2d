// The fp32 side of the comparison: a float GEMM (Eigen) and the error metrics between int8 and fp32 outputs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace qv {

// Y = A·B, all row-major float (A M×K, B K×N, Y M×N). Eigen's GEMM when the CPU has AVX-512F
// (gemm_fp32.cpp is compiled for it; Eigen chooses its kernels at compile time), otherwise a plain
// blocked loop. threads > 1 splits the columns of B between workers (Eigen alone is single-threaded
// without OpenMP).
void gemmFp32(const float* a, const float* b, float* y, int64_t M, int64_t N, int64_t K, int threads = 1);
const char* gemmFp32Backend();  // "eigen" or "scalar"

// Error of `test` (dequantized int8 output) against `ref` (fp32 output), e = test − ref.
struct OutputError {
    uint64_t count = 0;
    double mse = 0;
    double sqnrDb = 0;       // 10·log10(Σref² / Σe²); +inf when e = 0; 0 when ref = 0 and e ≠ 0
    double cosine = 1;       // cos(test, ref); 1 when both are 0, 0 when only one is
    double maxAbsError = 0;
    double meanAbsError = 0;
};

struct GemmComparison {
    OutputError total;
    std::vector<OutputError> perChannel;  // one per output column j (channel of B)
};

// Over M×N row-major outputs. Non-finite pairs are skipped (not counted).
GemmComparison compareGemmOutputs(std::span<const float> test, std::span<const float> ref, int64_t M, int64_t N);

// Internal: the plain fallback (gemm_compare.cpp).
void gemmFp32Scalar(const float* a, const float* b, float* y, int64_t M, int64_t N, int64_t K, int64_t n0,
                    int64_t n1);

}  // namespace qv
