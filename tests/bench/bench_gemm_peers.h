// Peer GEMMs for the "gemm" bench section (oneDNN, gemmlowp), each in its own translation unit with its own flags.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace qv::bench {

// C (M×N int32) = A (M×K uint8) · B (K×N int8), row-major, zero points 0, on `threads` threads.
class PeerGemm {
public:
    virtual ~PeerGemm() = default;
    virtual void run(int threads) = 0;
    virtual const int32_t* result() const = 0;
    virtual std::string implementation() const { return {}; }  // e.g. oneDNN's chosen implementation
};

// oneDNN matmul primitive, weights in format_tag::any reordered once (the inference path).
std::unique_ptr<PeerGemm> makeOnednnMatmul(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K);
// Caps oneDNN's instruction set at AVX2 for the rest of the process (dnnl_set_max_cpu_isa: only
// before the first primitive is created, hence the separate process of the gemm_avx2 section).
// Returns false if oneDNN refused (a primitive already exists).
bool onednnCapIsaAtAvx2();
// The instruction set oneDNN dispatches to now ("avx2", "avx512_core_vnni", ...).
std::string onednnEffectiveIsa();
// oneDNN dnnl_gemm_u8s8s32 (repacks B on every call).
std::unique_ptr<PeerGemm> makeOnednnGemm(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K);
// gemmlowp with its AVX2 kernel; unsigned only, so B is passed XOR 0x80 with rhs offset −128.
std::unique_ptr<PeerGemm> makeGemmlowp(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K);

// Register-only vpdpbusd rate (GOPS) on `threads` threads, each spinning for `seconds`
// (bench_gemm_peak.cpp; AVX-512 VNNI CPUs only).
double vnniRegisterPeakGops(int threads, double seconds);
// Register-only AVX2 rate (GOPS) of the exact vpmaddwd + vpaddd scheme (quantviz's AVX2 kernel) or
// of the saturating vpmaddubsw + vpmaddwd + vpaddd one (oneDNN's), on `threads` threads each spinning
// for `seconds` (bench_gemm_avx2_peak.cpp; AVX2 CPUs).
double avx2RegisterPeakGops(bool saturating, int threads, double seconds);

}  // namespace qv::bench
