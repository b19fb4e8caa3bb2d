// ggml block encoders. Facts (block layouts, scale rules, rounding) from llama.cpp ggml/src/ggml-quants.c
// quantize_row_q4_0_ref … quantize_row_q8_0_ref and ggml-common.h block_q4_0 … block_q8_0:
//   Q4_0 {f16 d; u8 qs[16]}          d = m/−8 where m is the block's value of largest |x| (sign kept),
//                                    q = min(15, trunc(x·(1/d) + 8.5)), x̂ = (q − 8)·d
//   Q4_1 {f16 d; f16 m; u8 qs[16]}   d = (max − min)/15, q = min(15, trunc((x − min)·(1/d) + 0.5)), x̂ = q·d + m
//   Q5_0 {f16 d; u8 qh[4]; u8 qs[16]} d = m/−16, q = min(31, trunc(x·(1/d) + 16.5)), x̂ = (q − 16)·d
//   Q5_1 {f16 d; f16 m; u8 qh[4]; u8 qs[16]} d = (max − min)/31, q = trunc((x − min)·(1/d) + 0.5)
//   Q8_0 {f16 d; i8 qs[32]}          d = amax/127, q = roundf(x·(1/d)) (half away from zero)
// with 1/d taken from the float d (before d is rounded to f16 for storage) and 1/d = 0 when d = 0. Nibbles:
// element j of the first half in the low nibble of qs[j], element j + 16 in the high nibble; Q5's fifth
// bits in qh as a little-endian u32, bit j for element j. Note the rounding: trunc(v + 0.5) on a
// non-negative v is round half up, not the half-to-even quantviz's own schemes use — one reason the same
// weights give different codes in llama.cpp and in PyTorch.
//
// K-quants (quantize_row_q2_K_ref … quantize_row_q6_K_ref; ggml-common.h block_q2_K … block_q6_K): super-blocks
// of 256 (Q2_K and Q3_K are described beside their encoders below). Q4_K/Q5_K: 8 sub-blocks of 32, each fitted by make_qkx2_quants (a
// weighted least-squares search over 21 / 16 candidate scales for a scale and a non-positive minimum, weights
// sqrt(mean x²) + |x|), the 8 scales and 8 minima quantized to 6 bits against their maxima (f16 d and dmin),
// packed into 12 bytes, then every weight re-rounded against its sub-block's final scale and minimum.
// Q6_K: 16 sub-blocks of 16, each fitted by make_qx_quants (signed, rmse_type 1: weights x², 19 candidate
// scales), the 16 scales quantized to int8 against the largest (f16 d = max/−128), weights re-rounded.
// IQ4_NL and IQ4_XS: quantize_row_iq4_nl_impl (ntry 7), described at their encoders below.
// nearest_int is round half to even (llama.cpp adds 1.5·2^23 in float). Every float expression below keeps
// the reference's order of operations, so the bytes match (tested on real files; IQ4_XS, of which no
// reference file is at hand, on blocks worked out from the definition).
// On a CPU with AVX-512 the scale searches run 16 sub-blocks at a time (ggml_encode_avx512.cpp, one
// sub-block per lane, the same float operations in the same order: the same bytes, tested against this file's
// scalar code), and the final re-rounding of the codes 16 elements at a time; with AVX2 but no AVX-512, 8 at a
// time (ggml_encode_avx2.cpp, the same kernel bodies from ggml_encode_impl.h). QV_SIMD=portable|avx2 forces
// the scalar code (which stays the reference) or the AVX2 one.
#include "core/tensor/ggml_encode.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/base/simd_dispatch.h"
#include "core/tensor/ggml_encode_impl.h"
#include "core/tensor/ggml_encode_search.h"
#include "core/tensor/ggml_levels.h"
#include "core/tensor/half.h"

namespace qv {
namespace {

constexpr int kQk = 32;

void putHalf(std::byte* dst, float v) {
    const uint16_t h = f32ToF16(v);
    std::memcpy(dst, &h, 2);
}

// The element of largest |x| with its sign (the first one on ties, as the reference's strict compare).
float signedAbsMax(const float* x, int n = kQk, float* absMax = nullptr) {
    float amax = 0, max = 0;
    for (int j = 0; j < n; ++j)
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    if (absMax) *absMax = amax;
    return max;
}

void minMax(const float* x, float& mn, float& mx) {
    mn = FLT_MAX;
    mx = -FLT_MAX;
    for (int j = 0; j < kQk; ++j) {
        if (x[j] < mn) mn = x[j];
        if (x[j] > mx) mx = x[j];
    }
}

// C's (int8_t)(float) as compiled for x86 (cvttss2si, then the low byte): the values here are in range.
int truncToInt(float v) { return static_cast<int>(v); }

void packNibbles(const int* q, std::byte* qs) {
    for (int j = 0; j < kQk / 2; ++j) qs[j] = static_cast<std::byte>((q[j] & 0x0F) | ((q[j + kQk / 2] & 0x0F) << 4));
}

void packHighBits(const int* q, std::byte* qh) {
    uint32_t h = 0;
    for (int j = 0; j < kQk; ++j) h |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
    const uint8_t b[4] = {static_cast<uint8_t>(h), static_cast<uint8_t>(h >> 8), static_cast<uint8_t>(h >> 16),
                          static_cast<uint8_t>(h >> 24)};
    std::memcpy(qh, b, 4);
}

// Q4_0 / Q5_0: d = m/−half from the block's value m of largest |x|, codes trunc(x·(1/d) + half + 0.5) capped at
// 2·half − 1. Returns d.
float symmetricCodes(const float* x, int half, int* q) {
    const float d = signedAbsMax(x) / static_cast<float>(-half);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    const float offset = static_cast<float>(half) + 0.5f;
    for (int j = 0; j < kQk; ++j) q[j] = std::min(2 * half - 1, truncToInt(x[j] * id + offset));
    return d;
}

// Q4_1 / Q5_1: d = (max − min)/top, codes trunc((x − min)·(1/d) + 0.5); Q4_1 caps them at top, Q5_1 keeps the
// low five bits of the reference's uint8 (the same for every code it can reach). Returns d; min in `mn`.
float minCodes(const float* x, int top, bool cap, int* q, float& mn) {
    float mx;
    minMax(x, mn, mx);
    const float d = (mx - mn) / static_cast<float>(top);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    for (int j = 0; j < kQk; ++j) {
        const int v = truncToInt((x[j] - mn) * id + 0.5f);
        q[j] = cap ? std::min(top, v) : v & 0x1F;
    }
    return d;
}

void encodeQ4_0(const float* x, std::byte* y) {
    int q[kQk];
    putHalf(y, symmetricCodes(x, 8, q));
    packNibbles(q, y + 2);
}

void encodeQ4_1(const float* x, std::byte* y) {
    int q[kQk];
    float mn;
    putHalf(y, minCodes(x, 15, true, q, mn));
    putHalf(y + 2, mn);
    packNibbles(q, y + 4);
}

void encodeQ5_0(const float* x, std::byte* y) {
    int q[kQk];
    putHalf(y, symmetricCodes(x, 16, q));
    packHighBits(q, y + 2);
    packNibbles(q, y + 6);
}

void encodeQ5_1(const float* x, std::byte* y) {
    int q[kQk];
    float mn;
    putHalf(y, minCodes(x, 31, false, q, mn));
    putHalf(y + 2, mn);
    packHighBits(q, y + 4);
    packNibbles(q, y + 8);
}

void encodeQ8_0(const float* x, std::byte* y) {
    float amax = 0;
    for (int j = 0; j < kQk; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    putHalf(y, d);
    for (int j = 0; j < kQk; ++j) {
        const auto q = static_cast<int8_t>(std::round(x[j] * id));  // roundf: half away from zero
        std::memcpy(y + 2 + j, &q, 1);
    }
}

// [SECTION] K-quants

constexpr int kQkK = 256;
constexpr float kGroupMaxEps = 1e-15f;

int nearestInt(float v) { return static_cast<int>(std::nearbyint(v)); }  // RNE, as ggml's nearest_int

using LaneKernels = detail::GgmlLaneKernels;

// The vector form of a final re-rounding loop below (element by element, so the same codes): true when it
// ran, false when the scalar loop must (simd null: the portable path).
bool quotientCodesSimd(const LaneKernels* simd, const float* x, int n, bool addShift, float shift, float d, int lo,
                       int hi, int offset, void* L) {
    if (!simd) return false;
    simd->quotientCodes(x, n, addShift, shift, d, lo, hi, offset, static_cast<uint8_t*>(L));
    return true;
}

// make_qkx2_quants: the scale and minimum (returned as −min ≥ 0 in *theMin) of an asymmetric nmax+1-level
// fit of x (n values) under weights w, searching iscale = (rmin + rdelta·is + nmax)/(max − min), is = 0..nstep;
// the weighted squared error, or the weighted absolute error (Q2_K's use_mad). *winner (when given): the
// candidate `is` that won, −1 when the first, nmax/(max − min), was never beaten.
float fitScaleMin(int n, int nmax, const float* x, const float* w, uint8_t* L, float* theMin, float rmin, float rdelta,
                  int nstep, bool absoluteError = false, int* winner = nullptr) {
    if (winner) *winner = -1;
    const auto cost = [absoluteError](float diff) { return absoluteError ? std::fabs(diff) : diff * diff; };
    float mn = x[0], mx = x[0];
    float sumW = w[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < mn) mn = x[i];
        if (x[i] > mx) mx = x[i];
        sumW += w[i];
        sumX += w[i] * x[i];
    }
    if (mn > 0) mn = 0;
    if (mx == mn) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        *theMin = -mn;
        return 0.0f;
    }
    float iscale = static_cast<float>(nmax) / (mx - mn);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - mn));
        L[i] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
        const float diff = scale * static_cast<float>(L[i]) + mn - x[i];
        bestError += w[i] * cost(diff);
    }
    uint8_t aux[32];
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (mx - mn);
        float sumL = 0, sumL2 = 0, sumXL = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::max(0, std::min(nmax, nearestInt(iscale * (x[i] - mn))));
            aux[i] = static_cast<uint8_t>(l);
            const float fl = static_cast<float>(l);
            sumL += w[i] * fl;
            sumL2 += w[i] * fl * fl;
            sumXL += w[i] * fl * x[i];
        }
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float error = 0;
            for (int i = 0; i < n; ++i) {
                const float diff = thisScale * static_cast<float>(aux[i]) + thisMin - x[i];
                error += w[i] * cost(diff);
            }
            if (error < bestError) {
                for (int i = 0; i < n; ++i) L[i] = aux[i];
                bestError = error;
                scale = thisScale;
                mn = thisMin;
                if (winner) *winner = is;
            }
        }
    }
    *theMin = -mn;
    return scale;
}

// make_qx_quants with rmse_type 1: a symmetric fit of x onto −nmax..nmax−1 with weights x² (qw null, the
// reference quantizers) or qw[i] (the importance-weighted ones, ggml_encode_weighted.cpp), the best of 19
// candidate scales; L receives l + nmax.
float fitScaleSigned(int n, int nmax, const float* x, int8_t* L, const float* qw = nullptr) {
    float amax;
    const float mx = signedAbsMax(x, n, &amax);
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.0f;
    }
    float iscale = static_cast<float>(-nmax) / mx;
    float sumLX = 0, sumL2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::max(-nmax, std::min(nmax - 1, nearestInt(iscale * x[i])));
        L[i] = static_cast<int8_t>(l + nmax);
        const float w = qw ? qw[i] : x[i] * x[i];
        sumLX += w * x[i] * static_cast<float>(l);
        sumL2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
    float best = scale * sumLX;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / mx;
        sumLX = sumL2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::max(-nmax, std::min(nmax - 1, nearestInt(iscale * x[i])));
            const float w = qw ? qw[i] : x[i] * x[i];
            sumLX += w * x[i] * static_cast<float>(l);
            sumL2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
        if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
            for (int i = 0; i < n; ++i)
                L[i] = static_cast<int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, nearestInt(iscale * x[i]))));
            scale = sumLX / sumL2;
            best = scale * sumLX;
        }
    }
    return scale;
}

// make_q3_quants with do_rmse: a symmetric fit of 16 values onto −nmax..nmax−1 under weights x², then up to
// five passes that move single codes while the weighted fit improves; L receives l + nmax.
float fitScaleSignedRefined(int n, int nmax, const float* x, int8_t* L) {
    float amax;
    const float mx = signedAbsMax(x, n, &amax);
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.0f;
    }
    const float iscale = static_cast<float>(-nmax) / mx;
    float sumLX = 0, sumL2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::max(-nmax, std::min(nmax - 1, nearestInt(iscale * x[i])));
        L[i] = static_cast<int8_t>(l);
        const float w = x[i] * x[i];
        sumLX += w * x[i] * static_cast<float>(l);
        sumL2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    for (int itry = 0; itry < 5; ++itry) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            const float li = static_cast<float>(L[i]);
            float slx = sumLX - w * x[i] * li;
            if (slx > 0) {
                float sl2 = sumL2 - w * li * li;
                const int newL = std::max(-nmax, std::min(nmax - 1, nearestInt(x[i] * sl2 / slx)));
                if (newL != L[i]) {
                    const float fl = static_cast<float>(newL);
                    slx += w * x[i] * fl;
                    sl2 += w * fl * fl;
                    if (sl2 > 0 && slx * slx * sumL2 > sumLX * sumLX * sl2) {
                        L[i] = static_cast<int8_t>(newL);
                        sumLX = slx;
                        sumL2 = sl2;
                        ++changed;
                    }
                }
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(L[i] + nmax);
    return sumL2 > 0 ? sumLX / sumL2 : 0.0f;
}

// The 2-bit planes of Q2_K and Q3_K: element j + l + 32·k (j in steps of 128) in bits 2k of qs[j/4 + l].
void packTwoBits(const uint8_t* L, std::byte* qs) {
    for (int j = 0; j < kQkK; j += 128)
        for (int l = 0; l < 32; ++l)
            qs[j / 4 + l] = static_cast<std::byte>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
}

void roundPackQ2_K(const float* x, std::byte* y, uint8_t* L, const LaneKernels* simd = nullptr);

// block_q2_K {u8 scales[16]; u8 qs[64]; f16 d; f16 dmin}: 16 sub-blocks of 16, each fitted with weights |x|
// under the absolute error; 4-bit scale and minimum per sub-block against their maxima (q4scale 15).
// Everything after the 16 fits (scales, mins, codes L of each sub-block): the 4-bit scales and minima, the
// codes redone against them, the packing.
void finishQ2_K(const float* x, const float* scales, const float* mins, uint8_t* L, std::byte* y,
                const LaneKernels* simd = nullptr) {
    float maxScale = 0, maxMin = 0;
    for (int j = 0; j < 16; ++j) {
        if (scales[j] > maxScale) maxScale = scales[j];
        if (mins[j] > maxMin) maxMin = mins[j];
    }
    uint8_t sc[16] = {};
    if (maxScale > 0) {
        const float iscale = 15.0f / maxScale;
        for (int j = 0; j < 16; ++j) sc[j] = static_cast<uint8_t>(nearestInt(iscale * scales[j]));
        putHalf(y + 80, maxScale / 15.0f);
    } else {
        putHalf(y + 80, 0.0f);
    }
    if (maxMin > 0) {
        const float iscale = 15.0f / maxMin;
        for (int j = 0; j < 16; ++j) sc[j] = static_cast<uint8_t>(sc[j] | (nearestInt(iscale * mins[j]) << 4));
        putHalf(y + 82, maxMin / 15.0f);
    } else {
        putHalf(y + 82, 0.0f);
    }
    std::memcpy(y, sc, 16);
    roundPackQ2_K(x, y, L, simd);
}

// Q2_K after its scales (bytes 0..15) and f16 d, dmin (bytes 80..83) are written: every code redone against its
// sub-block's d·(sc & 0xF) and dmin·(sc >> 4), then packed.
void roundPackQ2_K(const float* x, std::byte* y, uint8_t* L, const LaneKernels* simd) {
    uint8_t sc[16];
    std::memcpy(sc, y, 16);
    uint16_t dh, mh;
    std::memcpy(&dh, y + 80, 2);
    std::memcpy(&mh, y + 82, 2);
    for (int j = 0; j < 16; ++j) {
        const float d = f16ToF32(dh) * static_cast<float>(sc[j] & 0xF);
        if (d == 0) continue;
        const float dm = f16ToF32(mh) * static_cast<float>(sc[j] >> 4);
        if (quotientCodesSimd(simd, x + 16 * j, 16, true, dm, d, 0, 3, 0, L + 16 * j)) continue;
        for (int ii = 0; ii < 16; ++ii)
            L[16 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(3, nearestInt((x[16 * j + ii] + dm) / d))));
    }
    packTwoBits(L, y + 16);
}

void encodeQ2_K(const float* x, std::byte* y) {
    uint8_t L[kQkK];
    float mins[16], scales[16], weights[16];
    for (int j = 0; j < 16; ++j) {
        for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
        scales[j] = fitScaleMin(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], -0.5f, 0.1f, 15, true);
    }
    finishQ2_K(x, scales, mins, L, y);
}

// block_q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d}: 16 sub-blocks of 16 with signed 6-bit scales
// (low nibbles in bytes 0..7, high two bits in bytes 8..11), codes −4..3 as two low bits plus a high bit
// (set for codes ≥ 0) in hmask: element j in bit j/32 of hmask[j % 32].
void packQ3_KScales(const int* ls, std::byte* y);
void roundPackQ3_K(const float* x, std::byte* y, int8_t* L, const LaneKernels* simd = nullptr);

// Everything after the 16 fits (scales, codes L).
void finishQ3_K(const float* x, const float* scales, int8_t* L, std::byte* y, const LaneKernels* simd = nullptr) {
    float maxScale = 0, amax = 0;
    for (int j = 0; j < 16; ++j) {
        const float a = std::fabs(scales[j]);
        if (a > amax) {
            amax = a;
            maxScale = scales[j];
        }
    }
    int ls[16] = {};
    if (maxScale != 0) {
        const float iscale = -32.0f / maxScale;
        for (int j = 0; j < 16; ++j) {
            const int l = static_cast<int8_t>(nearestInt(iscale * scales[j]));
            ls[j] = std::max(-32, std::min(31, l)) + 32;
        }
        putHalf(y + 108, 1 / iscale);
    } else {
        putHalf(y + 108, 0.0f);
    }
    packQ3_KScales(ls, y);
    roundPackQ3_K(x, y, L, simd);
}

// Q3_K's 16 six-bit scales (l + 32, 0..63) into bytes 96..107: low nibbles of 0..7 in bytes 0..7, of 8..15 in
// their high nibbles, the high two bits of scale j in bits 2·(j/4) of byte 8 + j % 4.
void packQ3_KScales(const int* ls, std::byte* y) {
    uint8_t packed[12] = {};
    for (int j = 0; j < 16; ++j) {
        const int l = ls[j];
        if (j < 8) packed[j] = static_cast<uint8_t>(l & 0xF);
        else packed[j - 8] = static_cast<uint8_t>(packed[j - 8] | ((l & 0xF) << 4));
        packed[j % 4 + 8] = static_cast<uint8_t>(packed[j % 4 + 8] | ((l >> 4) << (2 * (j / 4))));
    }
    std::memcpy(y + 96, packed, 12);
}

// Q3_K after its packed scales and f16 d (bytes 96..109) are written: the codes redone, hmask and the 2-bit planes.
void roundPackQ3_K(const float* x, std::byte* y, int8_t* L, const LaneKernels* simd) {
    uint8_t packed[12];
    std::memcpy(packed, y + 96, 12);
    uint16_t dh;
    std::memcpy(&dh, y + 108, 2);
    for (int j = 0; j < 16; ++j) {
        int sc = j < 8 ? (packed[j] & 0xF) : (packed[j - 8] >> 4);
        sc = (sc | (((packed[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
        const float d = f16ToF32(dh) * static_cast<float>(sc);
        if (d == 0) continue;
        if (quotientCodesSimd(simd, x + 16 * j, 16, false, 0.0f, d, -4, 3, 4, L + 16 * j)) continue;
        for (int ii = 0; ii < 16; ++ii)
            L[16 * j + ii] = static_cast<int8_t>(std::max(-4, std::min(3, nearestInt(x[16 * j + ii] / d))) + 4);
    }
    uint8_t hmask[32] = {}, low[kQkK];
    for (int j = 0, m = 0, hm = 1; j < kQkK; ++j) {
        int l = L[j];
        if (l > 3) {
            hmask[m] = static_cast<uint8_t>(hmask[m] | hm);
            l -= 4;
        }
        low[j] = static_cast<uint8_t>(l);
        if (++m == 32) {
            m = 0;
            hm <<= 1;
        }
    }
    std::memcpy(y, hmask, 32);
    packTwoBits(low, y + 32);
}

void encodeQ3_K(const float* x, std::byte* y) {
    int8_t L[kQkK];
    float scales[16];
    for (int j = 0; j < 16; ++j) scales[j] = fitScaleSignedRefined(16, 4, x + 16 * j, L + 16 * j);
    finishQ3_K(x, scales, L, y);
}

// [SECTION] IQ4_NL

// best_index_int8: the level of a sorted table nearest to v; on an exact midpoint the upper one (v is compared
// as 2v against the sum of two neighbours, both exact).
int nearestLevel(const int8_t* values, int n, float v) {
    const float v2 = v + v;
    int idx = 0;
    for (int step = n >> 1; step > 0; step >>= 1) {
        const int j = idx + step;
        if (v2 >= static_cast<float>(values[j - 1] + values[j])) idx = j;
    }
    return idx;
}

// The codes of one block of 32 against 1/scale `id`: nearestLevel(id·x[j]) element by element.
void iq4NlCodes(const float* x, float id, uint8_t* L, const LaneKernels* simd) {
    if (simd) return simd->iq4NlCodes(x, id, L);
    for (int j = 0; j < 32; ++j) L[j] = static_cast<uint8_t>(nearestLevel(kValuesIq4nl, 16, id * x[j]));
}

// Codes L of elements 32i..32i+15 in the low nibbles and 32i+16..32i+31 in the high nibbles of qs[16i..16i+15]
// (i < blocks), as Q4_0 places them.
void packIq4Nibbles(const uint8_t* L, int blocks, std::byte* qs) {
    int q[32];
    for (int i = 0; i < blocks; ++i) {
        for (int j = 0; j < 32; ++j) q[j] = L[32 * i + j];
        packNibbles(q, qs + 16 * i);
    }
}

// After the search: the f16 scale, the codes redone against the float scale when ntry > 0, the packing.
void finishIq4Nl(const float* x, float scale, int ntry, uint8_t* L, std::byte* y, const LaneKernels* simd = nullptr) {
    putHalf(y, scale);
    if (ntry > 0) iq4NlCodes(x, scale != 0 ? 1 / scale : 0.0f, L, simd);
    packIq4Nibbles(L, 1, y + 2);
}

// The search of quantize_row_iq4_nl_impl (llama.cpp ggml/src/ggml-quants.c) for one block of 32 without
// importance weights (quant_weights null: weights x²; its sigma2 only enters the imatrix weights, which
// `weights` carries when given: ggml_encode_weighted.cpp): the scale
// fitted by least squares on the nearest levels of max/−127, then, when ntry > 0, the best of the scales
// (itry − 127)/max, itry = −ntry..ntry. Returns the scale (0 for a block below GROUP_MAX_EPS, whose codes are
// 0) and leaves the codes of the first fit in L, which only ntry ≤ 0 keeps. IQ4_NL and IQ4_XS run it per
// block of 32; what follows differs by super_block_size (finishIq4Nl, finishIq4Xs).
float iq4NlScale(const float* x, int ntry, uint8_t* L, const float* weights = nullptr) {
    const int8_t* values = kValuesIq4nl;
    float weight[32];
    for (int j = 0; j < 32; ++j) weight[j] = weights ? weights[j] : x[j] * x[j];
    float amax = 0, mx = 0;
    for (int j = 0; j < 32; ++j) {
        const float ax = std::fabs(x[j]);
        if (ax > amax) {
            amax = ax;
            mx = x[j];
        }
    }
    if (amax < kGroupMaxEps) {
        std::memset(L, 0, 32);
        return 0.0f;
    }
    float d = ntry > 0 ? -mx / static_cast<float>(values[0]) : mx / static_cast<float>(values[0]);
    float id = 1 / d;
    float sumQX = 0, sumQ2 = 0;
    for (int j = 0; j < 32; ++j) {
        const int l = nearestLevel(values, 16, id * x[j]);
        L[j] = static_cast<uint8_t>(l);
        const float q = values[l];
        sumQX += weight[j] * q * x[j];
        sumQ2 += weight[j] * q * q;
    }
    d = sumQ2 > 0 ? sumQX / sumQ2 : 0.0f;
    float best = d * sumQX;
    for (int itry = -ntry; itry <= ntry; ++itry) {
        id = static_cast<float>(itry + values[0]) / mx;
        sumQX = sumQ2 = 0;
        for (int j = 0; j < 32; ++j) {
            const float q = values[nearestLevel(values, 16, id * x[j])];
            sumQX += weight[j] * q * x[j];
            sumQ2 += weight[j] * q * q;
        }
        if (sumQ2 > 0 && sumQX * sumQX > best * sumQ2) {
            d = sumQX / sumQ2;
            best = d * sumQX;
        }
    }
    return d;
}

// IQ4_NL: quantize_row_iq4_nl_impl with super_block_size = block_size = 32. llama-quantize uses ntry = 7
// (quantize_iq4_nl); quantize_row_iq4_nl_ref passes −1 (the first fit only).
// block_iq4_nl {f16 d; u8 qs[16]}, nibbles placed as in Q4_0.
void encodeIq4NlTry(const float* x, std::byte* y, int ntry) {
    uint8_t L[32];
    const float scale = iq4NlScale(x, ntry, L);
    finishIq4Nl(x, scale, ntry, L, y);
}

void encodeIq4Nl(const float* x, std::byte* y) { encodeIq4NlTry(x, y, 7); }

// [SECTION] IQ4_XS

// block_iq4_xs {f16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128]}: a super-block of 256 as 8 blocks of 32,
// each searched as IQ4_NL's (iq4NlScale, ntry 7: quantize_iq4_xs), then quantize_row_iq4_nl_impl's
// super-block step: d = −s/32 from the block scale s of largest |s| (the first on ties), the 6-bit scale of
// block ib l = clamp(nearest_int(scales[ib]·(1/d)), −32, 31), stored as l + 32 — low nibble in nibble ib%2 of
// scales_l[ib/2], high two bits in bits 2ib, 2ib+1 of scales_h — and every code redone against the float
// d·l (not the f16 d). y = f16(d)·(ls − 32)·kvalues_iq4nl[q].
void finishIq4Xs(const float* x, const float* scales, std::byte* y, const LaneKernels* simd = nullptr) {
    float maxScale = 0, amaxScale = 0;
    for (int ib = 0; ib < 8; ++ib) {
        const float a = std::fabs(scales[ib]);
        if (a > amaxScale) {
            amaxScale = a;
            maxScale = scales[ib];
        }
    }
    const float d = -maxScale / 32;  // −0 when every block is below GROUP_MAX_EPS: f16 0x8000, as llama.cpp
    putHalf(y, d);
    const float id = d != 0 ? 1 / d : 0.0f;
    uint16_t scalesH = 0;
    uint8_t scalesL[4] = {}, L[kQkK];
    for (int ib = 0; ib < 8; ++ib) {
        int l = std::max(-32, std::min(31, nearestInt(id * scales[ib])));
        const float dl = d * static_cast<float>(l);
        iq4NlCodes(x + 32 * ib, dl != 0 ? 1 / dl : 0.0f, L + 32 * ib, simd);
        l += 32;
        scalesL[ib / 2] = static_cast<uint8_t>(scalesL[ib / 2] | ((l & 0xF) << (4 * (ib % 2))));
        scalesH = static_cast<uint16_t>(scalesH | ((l >> 4) << (2 * ib)));
    }
    std::memcpy(y + 2, &scalesH, 2);  // little-endian, as on every target ggml writes for
    std::memcpy(y + 4, scalesL, 4);
    packIq4Nibbles(L, 8, y + 8);
}

void encodeIq4Xs(const float* x, std::byte* y) {
    float scales[8];
    uint8_t L[32];
    for (int ib = 0; ib < 8; ++ib) scales[ib] = iq4NlScale(x + 32 * ib, 7, L);
    finishIq4Xs(x, scales, y);
}

// get_scale_min_k4: sub-block j's 6-bit scale and minimum from the 12 packed bytes.
void unpackScaleMin(int j, const uint8_t* q, uint8_t& sc, uint8_t& m) {
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q4_K and Q5_K share everything but the code width (nmax 15 / 31), the search and the packing of the codes.
// Writes d, dmin and the 12 scale bytes at y, and the final codes into L (0..nmax).
// The weights of one sub-block of 32: sqrt(mean x²) + |x|.
void scaleMinWeights(const float* xb, float* weights) {
    float sumX2 = 0;
    for (int l = 0; l < 32; ++l) sumX2 += xb[l] * xb[l];
    const float avX = std::sqrt(sumX2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = avX + std::fabs(xb[l]);
}

void writeScaleMinSuperBlock(const float* x, int nmax, const uint8_t* ls, const uint8_t* lm, float dAll, float mAll,
                             std::byte* y, uint8_t* L, const LaneKernels* simd = nullptr);

// Everything after the 8 fits (scales, mins, codes L): the 6-bit scales and minima, the codes redone.
void finishScaleMinSuperBlock(const float* x, int nmax, const float* scales, const float* mins, std::byte* y, uint8_t* L,
                              const LaneKernels* simd = nullptr) {
    float maxScale = 0, maxMin = 0;
    for (int j = 0; j < 8; ++j) {
        if (scales[j] > maxScale) maxScale = scales[j];
        if (mins[j] > maxMin) maxMin = mins[j];
    }
    const float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
    const float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
    uint8_t ls[8], lm[8];
    for (int j = 0; j < 8; ++j) {
        ls[j] = static_cast<uint8_t>(std::min<int>(63, static_cast<uint8_t>(nearestInt(invScale * scales[j]))));
        lm[j] = static_cast<uint8_t>(std::min<int>(63, static_cast<uint8_t>(nearestInt(invMin * mins[j]))));
    }
    writeScaleMinSuperBlock(x, nmax, ls, lm, maxScale / 63.0f, maxMin / 63.0f, y, L, simd);
}

// Q4_K / Q5_K once the 6-bit scales ls and minima lm (and the float d, dmin) are chosen: the 12 packed bytes,
// f16 d and dmin, and the codes redone against each sub-block's decoded scale and minimum (into L, 0..nmax).
void writeScaleMinSuperBlock(const float* x, int nmax, const uint8_t* ls, const uint8_t* lm, float dAll, float mAll,
                             std::byte* y, uint8_t* L, const LaneKernels* simd) {
    uint8_t packed[12] = {};
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            packed[j] = ls[j];
            packed[j + 4] = lm[j];
        } else {
            packed[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
            packed[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
            packed[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
        }
    }
    putHalf(y, dAll);
    putHalf(y + 2, mAll);
    std::memcpy(y + 4, packed, 12);
    uint16_t dh, mh;
    std::memcpy(&dh, y, 2);
    std::memcpy(&mh, y + 2, 2);
    const float d0 = f16ToF32(dh), m0 = f16ToF32(mh);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        unpackScaleMin(j, packed, sc, m);
        const float d = d0 * static_cast<float>(sc);
        if (d == 0) continue;
        const float dm = m0 * static_cast<float>(m);
        if (quotientCodesSimd(simd, x + 32 * j, 32, true, dm, d, 0, nmax, 0, L + 32 * j)) continue;
        for (int ii = 0; ii < 32; ++ii)
            L[32 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(nmax, nearestInt((x[32 * j + ii] + dm) / d))));
    }
}

void encodeScaleMinSuperBlock(const float* x, int nmax, float rmin, float rdelta, int nstep, std::byte* y, uint8_t* L) {
    float mins[8], scales[8], weights[32];
    for (int j = 0; j < 8; ++j) {
        scaleMinWeights(x + 32 * j, weights);
        scales[j] = fitScaleMin(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], rmin, rdelta, nstep);
    }
    finishScaleMinSuperBlock(x, nmax, scales, mins, y, L);
}

// block_q4_K {f16 d; f16 dmin; u8 scales[12]; u8 qs[128]}: codes of elements j..j+31 and j+32..j+63 of each
// 64 in the low and high nibbles of 32 bytes.
void packQ4_K(const uint8_t* L, std::byte* y) {
    std::byte* q = y + 16;
    for (int j = 0; j < kQkK; j += 64, q += 32)
        for (int l = 0; l < 32; ++l) q[l] = static_cast<std::byte>(L[j + l] | (L[j + l + 32] << 4));
}

void encodeQ4_K(const float* x, std::byte* y) {
    uint8_t L[kQkK];
    encodeScaleMinSuperBlock(x, 15, -1.0f, 0.1f, 20, y, L);
    packQ4_K(L, y);
}

// block_q5_K {f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}: low four bits as Q4_K, the fifth
// bit of element n + j (n in steps of 64) in qh[j] bit 2·(n/64), of element n + j + 32 in bit 2·(n/64) + 1.
void packQ5_K(const uint8_t* L, std::byte* y) {
    uint8_t qh[32] = {};
    std::byte* ql = y + 16 + 32;
    uint8_t m1 = 1, m2 = 2;
    for (int n = 0; n < kQkK; n += 64, ql += 32) {
        for (int j = 0; j < 32; ++j) {
            int l1 = L[n + j], l2 = L[n + j + 32];
            if (l1 > 15) {
                l1 -= 16;
                qh[j] |= m1;
            }
            if (l2 > 15) {
                l2 -= 16;
                qh[j] |= m2;
            }
            ql[j] = static_cast<std::byte>(l1 | (l2 << 4));
        }
        m1 = static_cast<uint8_t>(m1 << 2);
        m2 = static_cast<uint8_t>(m2 << 2);
    }
    std::memcpy(y + 16, qh, 32);
}

void encodeQ5_K(const float* x, std::byte* y) {
    uint8_t L[kQkK];
    encodeScaleMinSuperBlock(x, 31, -0.5f, 0.1f, 15, y, L);
    packQ5_K(L, y);
}

// block_q6_K {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}.
// Everything after the 16 fits (scales, codes L).
void finishQ6_K(const float* x, const float* scales, int8_t* L, std::byte* y, const LaneKernels* simd = nullptr) {
    float maxScale = 0, maxAbsScale = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const float a = std::fabs(scales[ib]);
        if (a > maxAbsScale) {
            maxAbsScale = a;
            maxScale = scales[ib];
        }
    }
    if (maxAbsScale < kGroupMaxEps) {
        std::memset(y, 0, 210);
        return;  // d = +0 too
    }
    const float iscale = -128.0f / maxScale;
    putHalf(y + 208, 1 / iscale);
    int8_t sc[16];
    for (int ib = 0; ib < 16; ++ib) sc[ib] = static_cast<int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
    std::memcpy(y + 192, sc, 16);
    uint16_t dh;
    std::memcpy(&dh, y + 208, 2);
    const float d0 = f16ToF32(dh);
    for (int j = 0; j < 16; ++j) {
        const float d = d0 * static_cast<float>(sc[j]);
        if (d == 0) continue;
        if (quotientCodesSimd(simd, x + 16 * j, 16, false, 0.0f, d, -32, 31, 32, L + 16 * j)) continue;
        for (int ii = 0; ii < 16; ++ii)
            L[16 * j + ii] = static_cast<int8_t>(std::max(-32, std::min(31, nearestInt(x[16 * j + ii] / d))) + 32);
    }
    uint8_t ql[128], qh[64];
    for (int j = 0, o = 0; j < kQkK; j += 128, o += 1) {
        uint8_t* pl = ql + 64 * o;
        uint8_t* ph = qh + 32 * o;
        for (int l = 0; l < 32; ++l) {
            const auto u = [&](int k) { return static_cast<uint8_t>(L[j + l + k]); };
            pl[l] = static_cast<uint8_t>((u(0) & 0xF) | ((u(64) & 0xF) << 4));
            pl[l + 32] = static_cast<uint8_t>((u(32) & 0xF) | ((u(96) & 0xF) << 4));
            ph[l] = static_cast<uint8_t>((u(0) >> 4) | ((u(32) >> 4) << 2) | ((u(64) >> 4) << 4) | ((u(96) >> 4) << 6));
        }
    }
    std::memcpy(y, ql, 128);
    std::memcpy(y + 128, qh, 64);
}

void encodeQ6_K(const float* x, std::byte* y) {
    int8_t L[kQkK];
    float scales[16];
    for (int ib = 0; ib < 16; ++ib) scales[ib] = fitScaleSigned(16, 32, x + 16 * ib, L + 16 * ib);
    finishQ6_K(x, scales, L, y);
}

// [SECTION] The vector paths: the same encoders with their fits run `lanes` sub-blocks (or IQ4_NL blocks) at a
// time by ggml_encode_avx512.cpp (16 lanes) or ggml_encode_avx2.cpp (8), on lane-major copies (element i of
// lane k at [lanes·i + k]); the weights and everything after the fits are the scalar functions above. A
// remainder too small to fill the lanes takes the scalar encoder.

// Lane-major copy of `lanes` consecutive runs of n values (run k at x + n·k), and back; the lane count a
// constant of each instantiation, so the compiler can vectorize the copies (the vector paths spend a good part
// of their time here).
template <int Lanes, bool Back, class T>
void transposeLanes(const T* from, int n, T* to) {
    for (int k = 0; k < Lanes; ++k)
        for (int i = 0; i < n; ++i) {
            if (Back) to[n * k + i] = from[i * Lanes + k];
            else to[i * Lanes + k] = from[n * k + i];
        }
}
template <class T>
void toLaneMajor(const T* x, int n, int lanes, T* xt) {
    if (lanes == 16) transposeLanes<16, false>(x, n, xt);
    else transposeLanes<8, false>(x, n, xt);
}
template <class T>
void fromLaneMajor(const T* xt, int n, int lanes, T* x) {
    if (lanes == 16) transposeLanes<16, true>(xt, n, x);
    else transposeLanes<8, true>(xt, n, x);
}

// Q4_K / Q5_K: lanes/8 super-blocks (sub-blocks of 32) per call.
void encodeScaleMinLanes(const LaneKernels& kern, const float* src, size_t blocks, std::byte* dst, bool q5) {
    const int nmax = q5 ? 31 : 15, nstep = q5 ? 15 : 20;
    const float rmin = q5 ? -0.5f : -1.0f;
    const size_t bytes = traits(q5 ? DType::Q5_K : DType::Q4_K).blockBytes;
    const int lanes = kern.lanes, per = lanes / 8;
    size_t b = 0;
    for (; b + static_cast<size_t>(per) <= blocks; b += static_cast<size_t>(per)) {
        const float* x = src + b * kQkK;
        float xt[32 * detail::kGgmlMaxLanes], wt[32 * detail::kGgmlMaxLanes], w[32 * detail::kGgmlMaxLanes];
        float scales[detail::kGgmlMaxLanes], mins[detail::kGgmlMaxLanes];
        uint8_t lt[32 * detail::kGgmlMaxLanes], L[32 * detail::kGgmlMaxLanes];
        for (int k = 0; k < lanes; ++k) scaleMinWeights(x + 32 * k, w + 32 * k);
        toLaneMajor(x, 32, lanes, xt);
        toLaneMajor(w, 32, lanes, wt);
        kern.fitScaleMin(32, nmax, xt, wt, lt, scales, mins, rmin, 0.1f, nstep, false);
        fromLaneMajor(lt, 32, lanes, L);
        for (int h = 0; h < per; ++h) {
            std::byte* y = dst + (b + static_cast<size_t>(h)) * bytes;
            finishScaleMinSuperBlock(x + h * kQkK, nmax, scales + 8 * h, mins + 8 * h, y, L + h * kQkK, &kern);
            if (q5) packQ5_K(L + h * kQkK, y);
            else packQ4_K(L + h * kQkK, y);
        }
    }
    for (; b < blocks; ++b) (q5 ? encodeQ5_K : encodeQ4_K)(src + b * kQkK, dst + b * bytes);
}

// Q2_K, Q3_K, Q6_K: one super-block (16 sub-blocks of 16) per 16/lanes calls.
void encodeQ2_KLanes(const LaneKernels& kern, const float* src, size_t blocks, std::byte* dst) {
    const size_t bytes = traits(DType::Q2_K).blockBytes;
    const int lanes = kern.lanes;
    for (size_t b = 0; b < blocks; ++b) {
        const float* x = src + b * kQkK;
        float w[kQkK], xt[kQkK], wt[kQkK], scales[16], mins[16];
        uint8_t lt[kQkK], L[kQkK];
        for (int i = 0; i < kQkK; ++i) w[i] = std::fabs(x[i]);
        for (int g = 0; g < 16; g += lanes) {
            toLaneMajor(x + 16 * g, 16, lanes, xt);
            toLaneMajor(w + 16 * g, 16, lanes, wt);
            kern.fitScaleMin(16, 3, xt, wt, lt, scales + g, mins + g, -0.5f, 0.1f, 15, true);
            fromLaneMajor(lt, 16, lanes, L + 16 * g);
        }
        finishQ2_K(x, scales, mins, L, dst + b * bytes, &kern);
    }
}

void encodeSignedLanes(const LaneKernels& kern, DType t, const float* src, size_t blocks, std::byte* dst) {
    const bool q6 = t == DType::Q6_K;
    const size_t bytes = traits(t).blockBytes;
    const int lanes = kern.lanes;
    for (size_t b = 0; b < blocks; ++b) {
        const float* x = src + b * kQkK;
        float xt[kQkK], scales[16];
        int8_t lt[kQkK], L[kQkK];
        for (int g = 0; g < 16; g += lanes) {
            toLaneMajor(x + 16 * g, 16, lanes, xt);
            if (q6) kern.fitScaleSigned(16, 32, xt, lt, scales + g);
            else kern.fitScaleSignedRefined(16, 4, xt, lt, scales + g);
            fromLaneMajor(lt, 16, lanes, L + 16 * g);
        }
        if (q6) finishQ6_K(x, scales, L, dst + b * bytes, &kern);
        else finishQ3_K(x, scales, L, dst + b * bytes, &kern);
    }
}

// IQ4_NL: `lanes` blocks of 32 per call.
void encodeIq4NlLanes(const LaneKernels& kern, const float* src, size_t blocks, std::byte* dst, int ntry) {
    const size_t bytes = traits(DType::IQ4_NL).blockBytes;
    const auto lanes = static_cast<size_t>(kern.lanes);
    size_t b = 0;
    for (; b + lanes <= blocks; b += lanes) {
        const float* x = src + b * kQk;
        float xt[32 * detail::kGgmlMaxLanes], scales[detail::kGgmlMaxLanes];
        uint8_t lt[32 * detail::kGgmlMaxLanes], L[32 * detail::kGgmlMaxLanes];
        toLaneMajor(x, 32, kern.lanes, xt);
        kern.iq4NlScale(xt, ntry, lt, scales);
        fromLaneMajor(lt, 32, kern.lanes, L);
        for (size_t k = 0; k < lanes; ++k)
            finishIq4Nl(x + 32 * k, scales[k], ntry, L + 32 * k, dst + (b + k) * bytes, &kern);
    }
    for (; b < blocks; ++b) encodeIq4NlTry(src + b * kQk, dst + b * bytes, ntry);
}

// IQ4_XS: lanes/8 super-blocks (blocks of 32) per call, the same search as IQ4_NL's lanes.
void encodeIq4XsLanes(const LaneKernels& kern, const float* src, size_t blocks, std::byte* dst) {
    const size_t bytes = traits(DType::IQ4_XS).blockBytes;
    const int per = kern.lanes / 8;
    size_t b = 0;
    for (; b + static_cast<size_t>(per) <= blocks; b += static_cast<size_t>(per)) {
        const float* x = src + b * kQkK;
        float xt[32 * detail::kGgmlMaxLanes], scales[detail::kGgmlMaxLanes];
        uint8_t lt[32 * detail::kGgmlMaxLanes];
        toLaneMajor(x, 32, kern.lanes, xt);
        kern.iq4NlScale(xt, 7, lt, scales);
        for (int h = 0; h < per; ++h)
            finishIq4Xs(x + h * kQkK, scales + 8 * h, dst + (b + static_cast<size_t>(h)) * bytes, &kern);
    }
    for (; b < blocks; ++b) encodeIq4Xs(src + b * kQkK, dst + b * bytes);
}


// For selectKernel: the path of QV_SIMD's name ("portable", "avx2", "avx512"), as its name; null for another
// name or when this CPU lacks the path.
const char* availablePathName(const char* name) {
    if (!std::strcmp(name, "portable")) return "portable";
    if (!std::strcmp(name, "avx2")) return ggmlEncodePathAvailable(GgmlEncodePath::Avx2) ? "avx2" : nullptr;
    if (!std::strcmp(name, "avx512")) return ggmlEncodePathAvailable(GgmlEncodePath::Avx512) ? "avx512" : nullptr;
    return nullptr;
}

}  // namespace

GgmlEncodePath resolvedGgmlEncodePath() {
    const char* name = selectKernel<const char*>(availablePathName, "portable", nullptr);
    if (!std::strcmp(name, "avx512")) return GgmlEncodePath::Avx512;
    return !std::strcmp(name, "avx2") ? GgmlEncodePath::Avx2 : GgmlEncodePath::Portable;
}

bool ggmlEncodePathAvailable(GgmlEncodePath path) {
    switch (path) {
        case GgmlEncodePath::Avx512: return cpuHasAvx512();
        case GgmlEncodePath::Avx2: return cpuHasAvx2Fma();
        default: return true;
    }
}

bool ggmlEncodable(DType t) {
    return t == DType::Q4_0 || t == DType::Q4_1 || t == DType::Q5_0 || t == DType::Q5_1 || t == DType::Q8_0 ||
           t == DType::Q2_K || t == DType::Q3_K || t == DType::Q4_K || t == DType::Q5_K || t == DType::Q6_K ||
           t == DType::IQ4_NL || t == DType::IQ4_XS;
}

bool encodeGgmlBlocks(DType t, const float* src, size_t blocks, std::byte* dst) {
    return encodeGgmlBlocksWith(GgmlEncodePath::Auto, t, src, blocks, dst);
}

bool encodeGgmlBlocksWith(GgmlEncodePath path, DType t, const float* src, size_t blocks, std::byte* dst) {
    if (path == GgmlEncodePath::Auto) path = resolvedGgmlEncodePath();
    if (!ggmlEncodePathAvailable(path)) return false;
    if (const LaneKernels* kern = detail::ggmlLaneKernels(path)) {
        switch (t) {
            case DType::Q2_K: encodeQ2_KLanes(*kern, src, blocks, dst); return true;
            case DType::Q3_K:
            case DType::Q6_K: encodeSignedLanes(*kern, t, src, blocks, dst); return true;
            case DType::Q4_K: encodeScaleMinLanes(*kern, src, blocks, dst, false); return true;
            case DType::Q5_K: encodeScaleMinLanes(*kern, src, blocks, dst, true); return true;
            case DType::IQ4_NL: encodeIq4NlLanes(*kern, src, blocks, dst, 7); return true;
            case DType::IQ4_XS: encodeIq4XsLanes(*kern, src, blocks, dst); return true;
            default: break;
        }
    }
    void (*encode)(const float*, std::byte*) = nullptr;
    switch (t) {
        case DType::Q4_0: encode = encodeQ4_0; break;
        case DType::Q4_1: encode = encodeQ4_1; break;
        case DType::Q5_0: encode = encodeQ5_0; break;
        case DType::Q5_1: encode = encodeQ5_1; break;
        case DType::Q8_0: encode = encodeQ8_0; break;
        case DType::IQ4_NL: encode = encodeIq4Nl; break;
        case DType::IQ4_XS: encode = encodeIq4Xs; break;
        case DType::Q2_K: encode = encodeQ2_K; break;
        case DType::Q3_K: encode = encodeQ3_K; break;
        case DType::Q4_K: encode = encodeQ4_K; break;
        case DType::Q5_K: encode = encodeQ5_K; break;
        case DType::Q6_K: encode = encodeQ6_K; break;
        default: return false;
    }
    const size_t bytes = traits(t).blockBytes, elements = traits(t).blockElements;
    for (size_t b = 0; b < blocks; ++b) encode(src + b * elements, dst + b * bytes);
    return true;
}

float ggmlFitScaleMin(int n, int nmax, const float* x, const float* w, uint8_t* L, float* theMin, float rmin,
                      float rdelta, int nstep, int* winner) {
    return fitScaleMin(n, nmax, x, w, L, theMin, rmin, rdelta, nstep, false, winner);
}

}  // namespace qv

// ggml_encode_search.h: the pieces above that the importance-weighted encoders share.
namespace qv::detail {

const GgmlLaneKernels* ggmlLaneKernels(GgmlEncodePath path) {
#if defined(__x86_64__)
    if (path == GgmlEncodePath::Avx512) return &ggmlLaneKernelsAvx512();
    if (path == GgmlEncodePath::Avx2) return &ggmlLaneKernelsAvx2();
#endif
    (void)path;
    return nullptr;
}

int ggmlNearestInt(float v) { return nearestInt(v); }
void ggmlPutHalf(std::byte* dst, float v) { putHalf(dst, v); }
float ggmlFitScaleSigned(int n, int nmax, const float* x, int8_t* L, const float* qw) {
    return fitScaleSigned(n, nmax, x, L, qw);
}
float ggmlIq4NlScale(const float* x, int ntry, uint8_t* L, const float* weights) { return iq4NlScale(x, ntry, L, weights); }
void ggmlFinishIq4Nl(const float* x, float scale, std::byte* y) {
    uint8_t L[32];
    finishIq4Nl(x, scale, 7, L, y);
}
void ggmlFinishIq4Xs(const float* x, const float* scales, std::byte* y) { finishIq4Xs(x, scales, y); }
void ggmlFinishQ6_K(const float* x, const float* scales, int8_t* L, std::byte* y) { finishQ6_K(x, scales, L, y); }
void ggmlWriteScaleMinSuperBlock(const float* x, int nmax, const uint8_t* ls, const uint8_t* lm, float d, float dmin,
                                 std::byte* y, uint8_t* L) {
    writeScaleMinSuperBlock(x, nmax, ls, lm, d, dmin, y, L);
}
void ggmlPackQ4_K(const uint8_t* L, std::byte* y) { packQ4_K(L, y); }
void ggmlPackQ5_K(const uint8_t* L, std::byte* y) { packQ5_K(L, y); }
void ggmlRoundPackQ2_K(const float* x, std::byte* y, uint8_t* L) { roundPackQ2_K(x, y, L); }
void ggmlPackQ3_KScales(const int* ls, std::byte* y) { packQ3_KScales(ls, y); }
void ggmlRoundPackQ3_K(const float* x, std::byte* y, int8_t* L) { roundPackQ3_K(x, y, L); }
void ggmlPackNibbles(const int* q, std::byte* qs) { packNibbles(q, qs); }
void ggmlPackHighBits(const int* q, std::byte* qh) { packHighBits(q, qh); }

}  // namespace qv::detail
