// AVX-512 VNNI kernels: a 6×64 register-tiled vpdpbusd micro-kernel, its vectorized output stage, and the M = 1 stream.
//
// Built with -mavx512f -mavx512bw -mavx512vl -mavx512vnni for this file only (core/gemm/sources.cmake);
// only called after gemmKernelSupported(Avx512Vnni) checked the CPU at run time.
// vpdpbusd (Intel SDM, VPDPBUSD): for each dword lane, Σ of 4 products u8(src2 byte)·s8(src3 byte)
// added to the lane, without intermediate saturation (the non-"s" form wraps mod 2^32 like int32).
// A is the unsigned operand (int8 A is shifted to uint8 by the dispatcher's zero-point fold) and is
// broadcast 4 bytes at a time; B (int8) is packed so one zmm holds 4 consecutive k of 16 columns.
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_*; GCC bug 105593): not our code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/gemm/gemm_kernels.h"

namespace qv::gemm_detail {

namespace {

constexpr int kMaxMr = kVnniTileRows;  // rows per register tile
constexpr int kNr = kVnniPanel;        // columns per tile = B panel width
constexpr int kNv = kNr / 16;          // zmm per tile row: kMaxMr·kNv accumulators + kNv B + 1 broadcast ≤ 32

inline __m512i broadcast4(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

// Output stage for 16 columns n0.. of row i (cols ≤ 16 valid): v holds Σ a'·b'.
__attribute__((noinline)) void storeVec(const GemmJob& job, int64_t i, int64_t n0, int cols, int32_t rowTerm, __m512i v) {
    if (cols <= 0) return;
    const OutputStage& s = *job.out;
    const __mmask16 m = cols >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << cols) - 1);
    v = _mm512_add_epi32(_mm512_add_epi32(v, _mm512_set1_epi32(rowTerm)), _mm512_maskz_loadu_epi32(m, job.colTerm + n0));
    const int64_t idx = i * job.N + n0;
    switch (s.mode) {
        case GemmOutput::Int32: _mm512_mask_storeu_epi32(static_cast<int32_t*>(job.y) + idx, m, v); return;
        case GemmOutput::Float: {
            const __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_maskz_loadu_ps(m, s.deqScale.data() + n0));
            _mm512_mask_storeu_ps(static_cast<float*>(job.y) + idx, m, f);
            return;
        }
        case GemmOutput::Quantized8: break;
    }
    if (s.rounding == RequantRounding::Float) {
        // FBGEMM: nearbyint(fl32(acc)·m) + zy, clamped. vcvtps2dq rounds half to even (MXCSR default);
        // clamping first (bounds are integers) keeps huge products from overflowing the conversion.
        __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_maskz_loadu_ps(m, s.mFloat.data() + n0));
        f = _mm512_min_ps(_mm512_max_ps(f, _mm512_set1_ps(s.lo)), _mm512_set1_ps(s.hi));
        const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), _mm512_set1_epi32(s.yZero));
        // int8 and uint8 share the low byte of the (in-range) code.
        _mm_mask_storeu_epi8(static_cast<uint8_t*>(job.y) + idx, m, _mm512_cvtepi32_epi8(q));
        return;
    }
    // Fixed-point paths: scalar, element by element (requantize.h), the teaching arithmetic verbatim.
    alignas(64) int32_t tmp[16];
    _mm512_store_si512(tmp, v);
    for (int c = 0; c < cols; ++c) storeOne(s, job.y, idx + c, n0 + c, tmp[c]);
}

// One register tile over kSteps k-groups of 4: acc (MR×32 int32, in memory between k-blocks) += A·B.
template <int MR>
void tile(const uint8_t* a, const int8_t* b, int64_t kSteps, int32_t* acc, bool first) {
    __m512i c[MR][kNv];
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kNv; ++v) c[r][v] = first ? _mm512_setzero_si512() : _mm512_load_si512(acc + r * kNr + 16 * v);
    for (int64_t k = 0; k < kSteps; ++k) {
        __m512i bv[kNv];
#pragma GCC unroll 4
        for (int v = 0; v < kNv; ++v) bv[v] = _mm512_load_si512(b + 64 * v);
#pragma GCC unroll 12
        for (int r = 0; r < MR; ++r) {
            const __m512i av = broadcast4(a + r * 4);
#pragma GCC unroll 4
            for (int v = 0; v < kNv; ++v) c[r][v] = _mm512_dpbusd_epi32(c[r][v], av, bv[v]);
        }
        a += MR * 4;
        b += 4 * kNr;
    }
    // Compile-time indices only, so the accumulators above stay in registers (a run-time-indexed
    // use of c makes GCC keep them on the stack inside the k loop).
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kNv; ++v) _mm512_store_si512(acc + r * kNr + 16 * v, c[r][v]);
}

using TileFn = void (*)(const uint8_t*, const int8_t*, int64_t, int32_t*, bool);
template <size_t... I>
constexpr std::array<TileFn, sizeof...(I) + 1> makeTiles(std::index_sequence<I...>) {
    return {nullptr, &tile<static_cast<int>(I) + 1>...};
}
constexpr auto kTiles = makeTiles(std::make_index_sequence<kMaxMr>{});

// k-block: B micro-panel of kKc k × 64 columns = 16 KB stays in L1 while every row tile of the
// block passes over it (BLIS-style cache blocking; the A block, rows × kKc bytes, sits in L2).
constexpr int64_t kKc = 256;

}  // namespace

void gemmAvx512Vnni(const GemmJob& job, const PackedATiles& a, int64_t t0, int64_t t1, int64_t p0, int64_t p1) {
    const PackedB& pb = *job.b;
    const int64_t kPad = pb.kPadded();
    const int64_t rowBase = a.tileStart[static_cast<size_t>(t0)];
    const int64_t rows = a.tileStart[static_cast<size_t>(t1)] - rowBase;
    thread_local std::vector<int32_t> accBuf;  // rows × 32 partial sums of one panel, 64-byte aligned
    accBuf.resize(static_cast<size_t>(rows * kNr + 16));
    int32_t* acc = accBuf.data() + (16 - (reinterpret_cast<uintptr_t>(accBuf.data()) / 4) % 16) % 16;
    for (int64_t p = p0; p < p1; ++p) {
        const int8_t* panel = pb.data() + p * kPad * kNr;
        const int64_t n0 = p * kNr;
        const int cols = static_cast<int>(std::min<int64_t>(kNr, job.N - n0));
        for (int64_t k0 = 0; k0 < kPad; k0 += kKc) {
            const int64_t kLen = std::min(kKc, kPad - k0);
            for (int64_t t = t0; t < t1; ++t) {
                const int64_t r0 = a.tileStart[static_cast<size_t>(t)], h = a.tileStart[static_cast<size_t>(t) + 1] - r0;
                kTiles[h](a.data.data() + r0 * kPad + k0 * h, panel + k0 * kNr, kLen / 4,
                          acc + (r0 - rowBase) * kNr, k0 == 0);
            }
        }
        if (job.out->mode == GemmOutput::Int32 && cols == kNr) {
            // The common case inline: acc + rowTerm + colTerm stored as int32.
            __m512i ct[kNv];
            for (int q = 0; q < kNv; ++q) ct[q] = _mm512_loadu_si512(job.colTerm + n0 + 16 * q);
            for (int64_t r = 0; r < rows; ++r) {
                const __m512i rt = _mm512_set1_epi32(a.rowTerm[static_cast<size_t>(rowBase + r)]);
                int32_t* y = static_cast<int32_t*>(job.y) + (rowBase + r) * job.N + n0;
                for (int q = 0; q < kNv; ++q) {
                    const __m512i v = _mm512_add_epi32(_mm512_load_si512(acc + r * kNr + 16 * q), _mm512_add_epi32(rt, ct[q]));
                    _mm512_storeu_si512(y + 16 * q, v);
                }
            }
            continue;
        }
        for (int64_t r = 0; r < rows; ++r) {
            const int32_t* v = acc + r * kNr;
            for (int q = 0; q < kNv; ++q) {
                storeVec(job, rowBase + r, n0 + 16 * q, cols - 16 * q, a.rowTerm[static_cast<size_t>(rowBase + r)],
                         _mm512_load_si512(v + 16 * q));
            }
        }
    }
}

void gemvAvx512Vnni(const GemmJob& job, const uint8_t* a, int32_t rowTerm, int64_t p0, int64_t p1) {
    const PackedB& pb = *job.b;
    const int64_t kPad = pb.kPadded(), kSteps = kPad / 4;
    for (int64_t p = p0; p < p1; ++p) {
        const int8_t* b = pb.data() + p * kPad * kNr;
        // Two independent accumulator sets hide vpdpbusd latency; the loop is bound by B's stream.
        __m512i c[2][kNv];
        for (auto& set : c)
            for (auto& v : set) v = _mm512_setzero_si512();
        int64_t k = 0;
        for (; k + 2 <= kSteps; k += 2) {
            _mm_prefetch(reinterpret_cast<const char*>(b + (k + 16) * 4 * kNr), _MM_HINT_T0);
            _mm_prefetch(reinterpret_cast<const char*>(b + (k + 16) * 4 * kNr + 128), _MM_HINT_T0);
#pragma GCC unroll 2
            for (int u = 0; u < 2; ++u) {
                const __m512i av = broadcast4(a + (k + u) * 4);
#pragma GCC unroll 4
                for (int v = 0; v < kNv; ++v)
                    c[u][v] = _mm512_dpbusd_epi32(c[u][v], av, _mm512_load_si512(b + (k + u) * 4 * kNr + 64 * v));
            }
        }
        for (; k < kSteps; ++k) {
            const __m512i av = broadcast4(a + k * 4);
#pragma GCC unroll 4
            for (int v = 0; v < kNv; ++v) c[0][v] = _mm512_dpbusd_epi32(c[0][v], av, _mm512_load_si512(b + k * 4 * kNr + 64 * v));
        }
        const int64_t n0 = p * kNr;
        const int cols = static_cast<int>(std::min<int64_t>(kNr, job.N - n0));
        for (int v = 0; v < kNv; ++v) storeVec(job, 0, n0 + 16 * v, cols - 16 * v, rowTerm, _mm512_add_epi32(c[0][v], c[1][v]));
    }
}

}  // namespace qv::gemm_detail
