// The int8 GEMM core: Y = requantize(A_q·B_q + bias) with zero points, int32 accumulation and a report of the kernel that ran.
//
// Pipeline (docs/gemm.md derives it): A is M×K (uint8 or int8, per-tensor zero point za), B is K×N
// (int8 or uint8, zero point zb, per-tensor or per-output-channel scales), both row-major.
//   acc_ij = Σ_k (a_ik − za)(b_kj − zb) + bias_j                        (int32, wraps mod 2^32)
//          = Σ a·b − zb·rowsum_i(A) − za·colsum_j(B) + K·za·zb + bias_j  (gemmlowp: sums made while packing)
// then one of the output stages: int32 acc, dequantized float acc·s_a·s_b_j, or 8-bit requantized with
// multiplier M_j = s_a·s_b_j/s_y through one of three rounding paths (REFERENCE.md §5, requantize.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace qv {

// Which implementation computes the products. Auto picks the best the CPU supports at run time
// (__builtin_cpu_supports), never a compile-time -march.
enum class GemmKernel { Auto, Reference, Avx2, Avx512Vnni };
const char* gemmKernelName(GemmKernel k);  // "reference", "avx2", "avx512_vnni", "auto"
GemmKernel bestGemmKernel();                // what Auto resolves to on this CPU
bool gemmKernelSupported(GemmKernel k);

enum class GemmOutput { Int32, Float, Quantized8 };

// How acc·M becomes an integer (REFERENCE.md §5): (a) float multiply, round half to even (FBGEMM);
// (b) fixed point M0·2^−shift with gemmlowp/TFLite "double rounding" (SaturatingRoundingDoublingHighMul
// then RoundingDivideByPOT); (c) TFLite single rounding (one 64-bit multiply, one rounding shift).
enum class RequantRounding { Float, FixedDouble, FixedSingle };
const char* requantRoundingName(RequantRounding r);  // "float", "fixed-double", "fixed-single"

struct GemmOutputSpec {
    GemmOutput mode = GemmOutput::Int32;
    RequantRounding rounding = RequantRounding::Float;
    bool ySigned = false;  // Quantized8: int8 (−128..127) or uint8 (0..255)
    float yScale = 1.0f;
    int32_t yZero = 0;
};

struct GemmParams {
    int64_t M = 0, N = 0, K = 0;
    bool aSigned = false;      // A holds int8 (true) or uint8 (false)
    int32_t aZero = 0;         // in [−128, 255]
    float aScale = 1.0f;
    std::vector<float> bScales{1.0f};  // 1 (per tensor) or N (per output channel)
    std::span<const int32_t> bias;     // empty or N values, scale s_a·s_b_j, zero point 0
    GemmOutputSpec out;
    int threads = 1;           // explicit; ≤ 0 means all hardware threads
};

// B prepared once per weight matrix in the layout of one kernel, with its column sums, so that
// repeated GEMMs (a layer applied to many batches) never repack. Immutable after make().
class PackedB {
public:
    // B is K×N row-major, int8 (bSigned) or uint8, with zero point bZero in [−128, 255].
    // kernel = Auto picks bestGemmKernel(); asking for an unsupported kernel is an error.
    static Result<std::shared_ptr<const PackedB>> make(const void* b, int64_t K, int64_t N, bool bSigned,
                                                      int32_t bZero, GemmKernel kernel = GemmKernel::Auto);

    GemmKernel kernel() const { return m_kernel; }
    int64_t K() const { return m_K; }
    int64_t N() const { return m_N; }
    bool bSigned() const { return m_bSigned; }
    int32_t bZero() const { return m_bZero; }
    // Internal form used by every kernel: b' = b as int8 (uint8 input XOR 0x80) with zero point
    // zb' = zb − 128 for uint8 input, so b − zb = b' − zb'.
    int32_t internalZero() const { return m_zeroInternal; }
    const std::vector<int32_t>& colSums() const { return m_colSums; }  // Σ_k b'_kj
    const int8_t* data() const { return m_data.data() + m_offset; }  // 64-byte aligned
    size_t bytes() const { return m_bytes; }
    int64_t kPadded() const { return m_kPadded; }   // K rounded up to the kernel's k-group
    int64_t panelWidth() const { return m_panel; }  // columns per packed panel (0: plain K×N)
    int64_t panels() const { return m_panel ? (m_N + m_panel - 1) / m_panel : 0; }

private:
    PackedB() = default;
    GemmKernel m_kernel = GemmKernel::Reference;
    int64_t m_K = 0, m_N = 0, m_kPadded = 0, m_panel = 0;
    bool m_bSigned = true;
    int32_t m_bZero = 0, m_zeroInternal = 0;
    std::vector<int32_t> m_colSums;
    std::vector<int8_t> m_data;  // m_bytes used from m_offset (64-byte aligned for the kernels)
    size_t m_offset = 0, m_bytes = 0;
};

// What actually ran (tests assert it; the GUI shows it).
struct GemmRunInfo {
    GemmKernel kernel = GemmKernel::Reference;
    bool gemv = false;        // the M = 1 streaming path
    int threads = 1;          // workers used
    std::string describe() const;  // "avx512_vnni gemm, 2 threads"
};

// Y (M×N row-major) receives int32_t, float, or uint8_t/int8_t per params.out. A is M×K row-major.
// Bad shapes or parameters return an Error (never abort).
Result<GemmRunInfo> gemm(const GemmParams& params, const void* a, const PackedB& b, void* y);

// Convenience: packs B for `kernel` and runs. bSigned/bZero describe B.
Result<GemmRunInfo> gemm(const GemmParams& params, const void* a, const void* b, bool bSigned, int32_t bZero,
                         void* y, GemmKernel kernel = GemmKernel::Auto);

// The teaching path (gemm_reference.cpp): the definition, element by element, no packing.
// Every optimized path is tested to give identical bytes.
Status gemmReference(const GemmParams& params, const void* a, const void* b, bool bSigned, int32_t bZero,
                     void* y);

// Checks shapes and parameters; the message names the field.
Status validateGemm(const GemmParams& params, int32_t bZero);

}  // namespace qv
