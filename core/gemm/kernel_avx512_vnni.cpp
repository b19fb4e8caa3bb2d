// AVX-512 VNNI kernels: a 12×32 register-tiled vpdpbusd micro-kernel, its vectorized output stage, and the M = 1 stream.
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
#include <cstring>
#include <vector>

#include "core/gemm/gemm_kernels.h"

namespace qv::gemm_detail {

namespace {

constexpr int kMaxMr = 12;   // rows per register tile: 12×2 accumulators + 2 B + 1 broadcast ≤ 32 zmm
constexpr int kNr = 32;      // columns per tile = B panel width (2 zmm of 16 int32)

inline __m512i broadcast4(const uint8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

// Output stage for one row of a tile: v0/v1 hold Σa'b' for columns n0..n0+31 (cols valid ones).
inline void storeRow(const GemmJob& job, int64_t i, int64_t n0, int cols, int32_t rowTerm, __m512i v0, __m512i v1) {
    const OutputStage& s = *job.out;
    const __mmask16 m0 = cols >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << cols) - 1);
    const __mmask16 m1 = cols >= 32 ? __mmask16(0xFFFF) : (cols <= 16 ? __mmask16(0) : __mmask16((1u << (cols - 16)) - 1));
    const __m512i rt = _mm512_set1_epi32(rowTerm);
    v0 = _mm512_add_epi32(_mm512_add_epi32(v0, rt), _mm512_maskz_loadu_epi32(m0, job.colTerm + n0));
    v1 = _mm512_add_epi32(_mm512_add_epi32(v1, rt), _mm512_maskz_loadu_epi32(m1, job.colTerm + n0 + 16));
    const int64_t idx = i * job.N + n0;
    switch (s.mode) {
        case GemmOutput::Int32: {
            auto* y = static_cast<int32_t*>(job.y) + idx;
            _mm512_mask_storeu_epi32(y, m0, v0);
            _mm512_mask_storeu_epi32(y + 16, m1, v1);
            return;
        }
        case GemmOutput::Float: {
            auto* y = static_cast<float*>(job.y) + idx;
            const float* sc = s.deqScale.data() + n0;
            _mm512_mask_storeu_ps(y, m0, _mm512_mul_ps(_mm512_cvtepi32_ps(v0), _mm512_maskz_loadu_ps(m0, sc)));
            _mm512_mask_storeu_ps(y + 16, m1, _mm512_mul_ps(_mm512_cvtepi32_ps(v1), _mm512_maskz_loadu_ps(m1, sc + 16)));
            return;
        }
        case GemmOutput::Quantized8: break;
    }
    if (s.rounding == RequantRounding::Float) {
        // FBGEMM: nearbyint(fl32(acc)·m) + zy, clamped. vcvtps2dq rounds half to even (MXCSR default).
        const float* mf = s.mFloat.data() + n0;
        const __m512 lo = _mm512_set1_ps(s.lo), hi = _mm512_set1_ps(s.hi);
        const __m512i zy = _mm512_set1_epi32(s.yZero);
        auto q = [&](__m512i v, __mmask16 m, const float* mult) {
            __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_maskz_loadu_ps(m, mult));
            f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
            return _mm512_add_epi32(_mm512_cvtps_epi32(f), zy);  // already inside [qmin, qmax]
        };
        const __m512i q0 = q(v0, m0, mf), q1 = q(v1, m1, mf + 16);
        auto* y = static_cast<uint8_t*>(job.y) + idx;  // int8 and uint8 share the low byte
        _mm_mask_storeu_epi8(y, m0, _mm512_cvtepi32_epi8(q0));
        _mm_mask_storeu_epi8(y + 16, m1, _mm512_cvtepi32_epi8(q1));
        return;
    }
    // Fixed-point paths: scalar, element by element (requantize.h), the teaching arithmetic verbatim.
    alignas(64) int32_t tmp[32];
    _mm512_store_si512(tmp, v0);
    _mm512_store_si512(tmp + 16, v1);
    for (int c = 0; c < cols; ++c) storeOne(s, job.y, idx + c, n0 + c, tmp[c]);
}

template <int MR>
void tile(const GemmJob& job, const uint8_t* a, const int8_t* b, int64_t kSteps, int64_t i0, int64_t n0, int cols,
          const int32_t* rowTerm) {
    __m512i c0[MR], c1[MR];
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm512_setzero_si512();
    for (int64_t k = 0; k < kSteps; ++k) {
        const __m512i b0 = _mm512_load_si512(b);
        const __m512i b1 = _mm512_load_si512(b + 64);
#pragma GCC unroll 12
        for (int r = 0; r < MR; ++r) {
            const __m512i av = broadcast4(a + r * 4);
            c0[r] = _mm512_dpbusd_epi32(c0[r], av, b0);
            c1[r] = _mm512_dpbusd_epi32(c1[r], av, b1);
        }
        a += MR * 4;
        b += 128;
    }
    for (int r = 0; r < MR; ++r) storeRow(job, i0 + r, n0, cols, rowTerm[r], c0[r], c1[r]);
}

using TileFn = void (*)(const GemmJob&, const uint8_t*, const int8_t*, int64_t, int64_t, int64_t, int, const int32_t*);
constexpr TileFn kTiles[kMaxMr + 1] = {nullptr,  tile<1>,  tile<2>, tile<3>, tile<4>,  tile<5>, tile<6>,
                                       tile<7>,  tile<8>,  tile<9>, tile<10>, tile<11>, tile<12>};

}  // namespace

void gemmAvx512Vnni(const GemmJob& job, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
    const PackedB& pb = *job.b;
    const int64_t kPad = pb.kPadded(), kSteps = kPad / 4, rows = m1 - m0;
    // Row tiles of nearly equal height ≤ 12 (16 rows → 8 + 8, not 12 + 4).
    const int64_t tiles = (rows + kMaxMr - 1) / kMaxMr;
    std::vector<int64_t> tileStart(static_cast<size_t>(tiles) + 1, 0);
    for (int64_t t = 0; t < tiles; ++t) tileStart[static_cast<size_t>(t) + 1] = tileStart[static_cast<size_t>(t)] + rows / tiles + (t < rows % tiles ? 1 : 0);
    // The whole A block stays packed in L2 while the panels stream past it.
    thread_local std::vector<uint8_t> aBuf;
    thread_local std::vector<int32_t> rowTerm;
    aBuf.resize(static_cast<size_t>(rows * kPad) + 64);
    rowTerm.resize(static_cast<size_t>(rows));
    for (int64_t t = 0; t < tiles; ++t) {
        const int64_t r0 = tileStart[static_cast<size_t>(t)], h = tileStart[static_cast<size_t>(t) + 1] - r0;
        packARows(job, m0 + r0, h, kPad, 4, aBuf.data() + r0 * kPad, rowTerm.data() + r0);
    }
    for (int64_t p = p0; p < p1; ++p) {
        const int8_t* b = pb.data() + p * kPad * kNr;
        const int64_t n0 = p * kNr;
        const int cols = static_cast<int>(std::min<int64_t>(kNr, job.N - n0));
        for (int64_t t = 0; t < tiles; ++t) {
            const int64_t r0 = tileStart[static_cast<size_t>(t)], h = tileStart[static_cast<size_t>(t) + 1] - r0;
            kTiles[h](job, aBuf.data() + r0 * kPad, b, kSteps, m0 + r0, n0, cols, rowTerm.data() + r0);
        }
    }
}

void gemvAvx512Vnni(const GemmJob& job, const uint8_t* a, int32_t rowTerm, int64_t p0, int64_t p1) {
    const PackedB& pb = *job.b;
    const int64_t kPad = pb.kPadded(), kSteps = kPad / 4;
    for (int64_t p = p0; p < p1; ++p) {
        const int8_t* b = pb.data() + p * kPad * kNr;
        // Four independent accumulator pairs hide vpdpbusd latency; the loop is bound by B's stream.
        __m512i c[8];
        for (auto& v : c) v = _mm512_setzero_si512();
        int64_t k = 0;
        for (; k + 4 <= kSteps; k += 4) {
            _mm_prefetch(reinterpret_cast<const char*>(b + k * 128 + 2048), _MM_HINT_T0);
            _mm_prefetch(reinterpret_cast<const char*>(b + k * 128 + 2048 + 256), _MM_HINT_T0);
#pragma GCC unroll 4
            for (int u = 0; u < 4; ++u) {
                const __m512i av = broadcast4(a + (k + u) * 4);
                c[2 * u] = _mm512_dpbusd_epi32(c[2 * u], av, _mm512_load_si512(b + (k + u) * 128));
                c[2 * u + 1] = _mm512_dpbusd_epi32(c[2 * u + 1], av, _mm512_load_si512(b + (k + u) * 128 + 64));
            }
        }
        for (; k < kSteps; ++k) {
            const __m512i av = broadcast4(a + k * 4);
            c[0] = _mm512_dpbusd_epi32(c[0], av, _mm512_load_si512(b + k * 128));
            c[1] = _mm512_dpbusd_epi32(c[1], av, _mm512_load_si512(b + k * 128 + 64));
        }
        const __m512i v0 = _mm512_add_epi32(_mm512_add_epi32(c[0], c[2]), _mm512_add_epi32(c[4], c[6]));
        const __m512i v1 = _mm512_add_epi32(_mm512_add_epi32(c[1], c[3]), _mm512_add_epi32(c[5], c[7]));
        const int64_t n0 = p * kNr;
        storeRow(job, 0, n0, static_cast<int>(std::min<int64_t>(kNr, job.N - n0)), rowTerm, v0, v1);
    }
}

}  // namespace qv::gemm_detail
