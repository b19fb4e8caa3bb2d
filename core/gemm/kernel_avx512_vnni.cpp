// AVX-512 VNNI kernels: a 6×64 register-tiled vpdpbusd micro-kernel over the full K, its vectorized output stage, and the M = 1 stream.
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

// Output stage for 16 columns n0.. of row i (the first min(cols, 16) valid): v holds Σ a'·b'.
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
    // cols counts every column left in the tile (up to 64); this vector holds 16 of them.
    for (int c = 0; c < std::min(cols, 16); ++c) storeOne(s, job.y, idx + c, n0 + c, tmp[c]);
}

// Lines (64 bytes) of the next B panel that one row tile prefetches while it computes: the next panel
// is split evenly over the tiles of the block, so DRAM streams the whole time the block's tiles pass
// over the current panel (instead of the first tile stalling on a cold panel).
struct Prefetch {
    const char* next = nullptr;
    int64_t lines = 0;
};

// Output stage of one finished register tile: acc + rowTerm + colTerm, then the job's output mode.
template <int MR>
inline void storeTile(const GemmJob& job, int64_t row0, int64_t n0, int cols, const int32_t* rowTerm, const __m512i (&c)[MR][kNv]) {
    if (job.out->mode == GemmOutput::Int32 && cols == kNr) {
        // The common case inline, from registers: no partial sums ever go through memory.
        __m512i ct[kNv];
#pragma GCC unroll 4
        for (int v = 0; v < kNv; ++v) ct[v] = _mm512_loadu_si512(job.colTerm + n0 + 16 * v);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const __m512i rt = _mm512_set1_epi32(rowTerm[r]);
            int32_t* y = static_cast<int32_t*>(job.y) + (row0 + r) * job.N + n0;
#pragma GCC unroll 4
            for (int v = 0; v < kNv; ++v) _mm512_storeu_si512(y + 16 * v, _mm512_add_epi32(c[r][v], _mm512_add_epi32(rt, ct[v])));
        }
        return;
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kNv; ++v) storeVec(job, row0 + r, n0 + 16 * v, cols - 16 * v, rowTerm[r], c[r][v]);
}

// One register tile over the whole of K: MR rows × 64 columns, MR·4 zmm accumulators that stay in
// registers from the first k to the output stage (oneDNN's brgemm also reduces the full K in
// registers; spilling partial sums per k-block cost L1 space the B stream needs). Per k-step: 4 B
// loads (one 256-byte row of the panel) and MR broadcasts of 4 A bytes feed MR·4 vpdpbusd.
// A's 4-byte group of row r at k-step k is at a + r·rowStride + k·stepStride: packed tiles have
// (4, MR·4), A read in place has (K, 4).
template <int MR>
void tile(const GemmJob& job, const uint8_t* a, int64_t rowStride, int64_t stepStride, const int8_t* b, int64_t kSteps,
          int64_t row0, int64_t n0, int cols, const int32_t* rowTerm, Prefetch pf) {
    const uint8_t* ar[MR];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) ar[r] = a + r * rowStride;
    __m512i c[MR][kNv];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kNv; ++v) c[r][v] = _mm512_setzero_si512();
    auto step = [&](int64_t ak, const int8_t* bk) __attribute__((always_inline)) {
        __m512i bv[kNv];
#pragma GCC unroll 4
        for (int v = 0; v < kNv; ++v) bv[v] = _mm512_load_si512(bk + 64 * v);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const __m512i av = broadcast4(ar[r] + ak);
#pragma GCC unroll 4
            for (int v = 0; v < kNv; ++v) c[r][v] = _mm512_dpbusd_epi32(c[r][v], av, bv[v]);
        }
    };
    // The tile's share of the next panel is prefetched evenly over all of its k-steps (a Bresenham
    // count: `lines` prefetches in `kSteps` steps, at most a couple per step). Spread evenly, the
    // requests keep DRAM busy at a steady rate the whole time the block computes; issued in a burst
    // (measured: two lines per step until done), they fill the miss buffers and stall the kernel's
    // own loads. Into L1 (T0) measured slightly faster than into L2 (T1) here.
    int64_t frac = 0, ak = 0;
    for (int64_t k = 0; k < kSteps; ++k) {
        frac += pf.lines;
        while (frac >= kSteps) {
            _mm_prefetch(pf.next, _MM_HINT_T0);
            pf.next += 64;
            frac -= kSteps;
        }
        step(ak, b);
        ak += stepStride;
        b += 4 * kNr;
    }
    storeTile<MR>(job, row0, n0, cols, rowTerm, c);
}

using TileFn = void (*)(const GemmJob&, const uint8_t*, int64_t, int64_t, const int8_t*, int64_t, int64_t, int64_t, int,
                        const int32_t*, Prefetch);
template <size_t... I>
constexpr std::array<TileFn, sizeof...(I) + 1> makeTiles(std::index_sequence<I...>) {
    return {nullptr, &tile<static_cast<int>(I) + 1>...};
}
constexpr auto kTiles = makeTiles(std::make_index_sequence<kMaxMr>{});

}  // namespace

void gemmAvx512Vnni(const GemmJob& job, const PackedATiles& a, int64_t t0, int64_t t1, int64_t p0, int64_t p1,
                    int64_t thenPanel) {
    const PackedB& pb = *job.b;
    const int64_t kPad = pb.kPadded();
    const int64_t panelBytes = kPad * kNr, panelLines = panelBytes / 64;
    const int64_t tiles = t1 - t0;
    for (int64_t p = p0; p < p1; ++p) {
        const int8_t* panel = pb.data() + p * panelBytes;
        const int64_t n0 = p * kNr;
        const int cols = static_cast<int>(std::min<int64_t>(kNr, job.N - n0));
        const char* next = p + 1 < p1 ? reinterpret_cast<const char*>(panel + panelBytes)
                           : thenPanel >= 0 ? reinterpret_cast<const char*>(pb.data() + thenPanel * panelBytes)
                                            : nullptr;
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t r0 = a.tileStart[static_cast<size_t>(t)], h = a.tileStart[static_cast<size_t>(t) + 1] - r0;
            Prefetch pf;
            if (next) {
                const int64_t l0 = panelLines * (t - t0) / tiles, l1 = panelLines * (t - t0 + 1) / tiles;
                pf = {next + 64 * l0, l1 - l0};
            }
            const uint8_t* at = (a.direct ? a.direct : a.data.data()) + r0 * kPad;
            const int64_t rowStride = a.direct ? kPad : 4, stepStride = a.direct ? 4 : 4 * h;
            kTiles[static_cast<size_t>(h)](job, at, rowStride, stepStride, panel, kPad / 4, r0, n0, cols,
                                           a.rowTerm.data() + r0, pf);
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
