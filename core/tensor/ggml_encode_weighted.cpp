// Importance-weighted ggml encoders: llama.cpp ggml/src/ggml-quants.c quantize_row_q4_0_impl, _q4_1_impl,
// _q5_0_impl, _q5_1_impl, _q2_K_impl, _q3_K_impl, _q4_K_impl, _q5_K_impl, _q6_K_impl and
// quantize_row_iq4_nl_impl (through quantize_iq4_nl / quantize_iq4_xs) with quant_weights given; quantize_q8_0
// ignores them. Facts from that source (ggml-org/llama.cpp, read 2026-11), written here in quantviz's words:
//   weights      w[j] = qw[j]·sqrt(σ² + x[j]²), with
//                σ² = Σx²/n over the whole row (Q4_0, Q4_1, Q5_0, Q5_1), Σx²/256 over the super-block (Q2_K),
//                2·Σx²/256 (Q3_K, Q4_K, Q5_K), Σx²·(2/size) over the IQ4 super-block (32 for IQ4_NL, 256 for
//                IQ4_XS); Q6_K's weights are qw[j] alone.
//   Q4_0/Q5_0    d = make_qx_quants(32, 8 / 16, x, L, rmse_type 1, w): the scale and codes l + nmax of the best
//                of 19 candidate scales; stored as f16 d and the codes as the reference packs them.
//   Q4_1/Q5_1    d, −m = make_qkx3_quants(32, 15 / 31, x, w, …, rmin −0.9, rdelta 0.05, nstep 36); f16 d and m.
//   Q2_K         16 sub-blocks of 16: make_qkx3_quants(16, 3, …, −0.9, 0.05, 36, squared error); the 16 scales and
//                the 16 minima each fitted onto 0..15 by make_qp_quants under the sub-blocks' Σw; f16 d, dmin;
//                codes redone against the decoded scales.
//   Q3_K         16 sub-blocks of 16: make_qx_quants(16, 4, …, w); the 16 scales fitted onto −32..31 by
//                make_qx_quants(16, 32, scales, …, Σw); f16 d; codes redone.
//   Q4_K/Q5_K    8 sub-blocks of 32: make_qkx3_quants(32, 15 / 31, …, −0.9, 0.05, 36); scales and minima onto
//                0..63 by make_qp_quants(8, 63, …, Σw) (Q5_K caps them at 63, Q4_K does not need to); f16 d =
//                the fitted super-block scales themselves (not max/63); codes redone.
//   Q6_K         16 sub-blocks of 16: make_qx_quants(16, 32, …, qw); then as the reference (int8 scales under
//                −128/max, codes redone).
//   IQ4_NL/XS    the reference search (ntry 7) with weights w instead of x²; then as the reference.
// make_qkx3_quants with weights given is make_qkx2_quants (ggml_encode.h ggmlFitScaleMin): the same sums, the
// same candidates; its codes clamp(nearest_int(v)) and nearest_int(min(v, nmax)) agree for every finite v.
#include "core/tensor/ggml_encode_weighted.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/tensor/ggml_encode.h"
#include "core/tensor/ggml_encode_impl.h"
#include "core/tensor/ggml_encode_search.h"

namespace qv {
namespace {

using detail::ggmlNearestInt;
using detail::ggmlPutHalf;

constexpr int kQk = 32;
constexpr int kQkK = 256;
constexpr float kGroupMaxEps = 1e-15f;  // GROUP_MAX_EPS

// make_qp_quants: a scale for non-negative values x (n of them) with codes 0..nmax, under weights w — the best
// of 9 candidate scales (nmax + 0.1·is)/max by weighted squared error, then up to five passes that move single
// codes while the least-squares fit Σwxl/Σwl² improves; returns that fit (0 when Σwl² is 0, or max < 1e-15).
// Codes are kept in uint8 as the reference keeps them.
float fitScaleUnsigned(int n, int nmax, const float* x, uint8_t* L, const float* w) {
    float max = 0;
    for (int i = 0; i < n; ++i) max = max > x[i] ? max : x[i];
    if (max < kGroupMaxEps) {
        std::fill(L, L + n, uint8_t{0});
        return 0.0f;
    }
    const auto fn = static_cast<float>(nmax);
    float iscale = fn / max;
    for (int i = 0; i < n; ++i) L[i] = static_cast<uint8_t>(ggmlNearestInt(iscale * x[i]));
    const float scale = 1 / iscale;
    float bestMse = 0;
    for (int i = 0; i < n; ++i) {
        const float diff = x[i] - scale * static_cast<float>(L[i]);
        bestMse += w[i] * diff * diff;
    }
    for (int is = -4; is <= 4; ++is) {
        if (is == 0) continue;
        const float iscaleIs = (0.1f * static_cast<float>(is) + fn) / max;
        const float scaleIs = 1 / iscaleIs;
        float mse = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::min(nmax, ggmlNearestInt(iscaleIs * x[i]));
            const float diff = x[i] - scaleIs * static_cast<float>(l);
            mse += w[i] * diff * diff;
        }
        if (mse < bestMse) {
            bestMse = mse;
            iscale = iscaleIs;
        }
    }
    float sumLX = 0, sumL2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = std::min(nmax, ggmlNearestInt(iscale * x[i]));
        L[i] = static_cast<uint8_t>(l);
        const auto fl = static_cast<float>(l);
        sumLX += w[i] * x[i] * fl;
        sumL2 += w[i] * fl * fl;
    }
    for (int itry = 0; itry < 5; ++itry) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const auto li = static_cast<float>(L[i]);
            float slx = sumLX - w[i] * x[i] * li;
            float sl2 = sumL2 - w[i] * li * li;
            if (slx > 0 && sl2 > 0) {
                const int newL = std::min(nmax, ggmlNearestInt(x[i] * sl2 / slx));
                if (newL != L[i]) {
                    const auto fl = static_cast<float>(newL);
                    slx += w[i] * x[i] * fl;
                    sl2 += w[i] * fl * fl;
                    if (slx * slx * sumL2 > sumLX * sumLX * sl2) {
                        L[i] = static_cast<uint8_t>(newL);
                        sumLX = slx;
                        sumL2 = sl2;
                        ++changed;
                    }
                }
            }
        }
        if (!changed) break;
    }
    return sumL2 > 0 ? sumLX / sumL2 : 0.0f;
}

float sumSquares(const float* x, size_t n) {
    float s = 0;
    for (size_t j = 0; j < n; ++j) s += x[j] * x[j];
    return s;
}

// w[j] = qw[j]·sqrt(σ² + x[j]²), j < n.
void importanceWeights(const float* x, const float* qw, float sigma2, int n, float* w) {
    for (int j = 0; j < n; ++j) w[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
}

// [SECTION] Blocks of 32: σ² over the whole row.

// Q4_0 (half 8) / Q5_0 (half 16): one row.
void encodeSymmetricRow(const float* x, const float* qw, size_t n, int half, std::byte* y) {
    const float sigma2 = sumSquares(x, n) / static_cast<float>(n);
    const size_t bytes = half == 8 ? 18 : 22;
    for (size_t ib = 0; ib < n / kQk; ++ib, y += bytes) {
        const float* xb = x + kQk * ib;
        float w[kQk];
        importanceWeights(xb, qw + kQk * ib, sigma2, kQk, w);
        int8_t L[kQk];
        const float d = detail::ggmlFitScaleSigned(kQk, half, xb, L, w);
        ggmlPutHalf(y, d);
        int q[kQk];
        for (int j = 0; j < kQk; ++j) q[j] = L[j];
        if (half == 8) {
            detail::ggmlPackNibbles(q, y + 2);
        } else {
            detail::ggmlPackHighBits(q, y + 2);
            detail::ggmlPackNibbles(q, y + 6);
        }
    }
}

// Q4_1 (nmax 15) / Q5_1 (nmax 31): one row.
void encodeMinRow(const float* x, const float* qw, size_t n, int nmax, std::byte* y) {
    const float sigma2 = sumSquares(x, n) / static_cast<float>(n);
    const size_t bytes = nmax == 15 ? 20 : 24;
    for (size_t ib = 0; ib < n / kQk; ++ib, y += bytes) {
        const float* xb = x + kQk * ib;
        float w[kQk];
        importanceWeights(xb, qw + kQk * ib, sigma2, kQk, w);
        uint8_t L[kQk];
        float theMin = 0;
        const float d = ggmlFitScaleMin(kQk, nmax, xb, w, L, &theMin, -0.9f, 0.05f, 36);
        ggmlPutHalf(y, d);
        ggmlPutHalf(y + 2, -theMin);
        int q[kQk];
        for (int j = 0; j < kQk; ++j) q[j] = L[j];
        if (nmax == 15) {
            detail::ggmlPackNibbles(q, y + 4);
        } else {
            detail::ggmlPackHighBits(q, y + 4);
            detail::ggmlPackNibbles(q, y + 8);
        }
    }
}

// [SECTION] K-quants: one super-block of 256 (x) with its 256 importances (qw).

// block_q2_K {u8 scales[16]; u8 qs[64]; f16 d; f16 dmin}.
// Q2_K's weights of one super-block: w (256) and their sums per sub-block of 16 (sw, 16).
void q2Weights(const float* x, const float* qw, float* w, float* sw) {
    const float sigma2 = sumSquares(x, kQkK) / kQkK;
    for (int j = 0; j < 16; ++j) {
        importanceWeights(x + 16 * j, qw + 16 * j, sigma2, 16, w + 16 * j);
        sw[j] = 0;
        for (int l = 0; l < 16; ++l) sw[j] += w[16 * j + l];
    }
}

void finishQ2_K(const float* x, const float* scales, const float* mins, const float* sw, uint8_t* L, std::byte* y);

void encodeQ2_K(const float* x, const float* qw, std::byte* y) {
    float scales[16], mins[16], sw[16], w[kQkK];
    uint8_t L[kQkK];
    q2Weights(x, qw, w, sw);
    for (int j = 0; j < 16; ++j)
        scales[j] = ggmlFitScaleMin(16, 3, x + 16 * j, w + 16 * j, L + 16 * j, &mins[j], -0.9f, 0.05f, 36);
    finishQ2_K(x, scales, mins, sw, L, y);
}

// Q2_K after the 16 fits: the 4-bit scales and minima by make_qp_quants, f16 d and dmin, the codes redone.
void finishQ2_K(const float* x, const float* scales, const float* mins, const float* sw, uint8_t* L, std::byte* y) {
    uint8_t ls[16], lm[16];
    const float d = fitScaleUnsigned(16, 15, scales, ls, sw);
    const float m = fitScaleUnsigned(16, 15, mins, lm, sw);
    ggmlPutHalf(y + 80, d);
    ggmlPutHalf(y + 82, m);
    for (int j = 0; j < 16; ++j) y[j] = static_cast<std::byte>(ls[j] | (lm[j] << 4));
    detail::ggmlRoundPackQ2_K(x, y, L);
}

// block_q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d}.
void encodeQ3_K(const float* x, const float* qw, std::byte* y) {
    const float sigma2 = 2 * sumSquares(x, kQkK) / kQkK;
    float scales[16], sw[16], w[16];
    int8_t L[kQkK];
    for (int j = 0; j < 16; ++j) {
        importanceWeights(x + 16 * j, qw + 16 * j, sigma2, 16, w);
        float sumW = 0;
        for (int l = 0; l < 16; ++l) sumW += w[l];
        sw[j] = sumW;
        scales[j] = detail::ggmlFitScaleSigned(16, 4, x + 16 * j, L + 16 * j, w);
    }
    int8_t lsCodes[16];
    const float d = detail::ggmlFitScaleSigned(16, 32, scales, lsCodes, sw);
    int ls[16];
    for (int j = 0; j < 16; ++j) ls[j] = lsCodes[j];
    detail::ggmlPackQ3_KScales(ls, y);
    ggmlPutHalf(y + 108, d);
    detail::ggmlRoundPackQ3_K(x, y, L);
}

// Q4_K / Q5_K's weights of one super-block: w (256) and their sums per sub-block of 32 (sw, 8).
void scaleMinWeights(const float* x, const float* qw, float* w, float* sw) {
    const float sigma2 = 2 * sumSquares(x, kQkK) / kQkK;
    for (int j = 0; j < 8; ++j) {
        importanceWeights(x + 32 * j, qw + 32 * j, sigma2, 32, w + 32 * j);
        float sumW = 0;
        for (int l = 0; l < 32; ++l) sumW += w[32 * j + l];
        sw[j] = sumW;
    }
}

// Q4_K / Q5_K after the 8 fits (scales, −mins, codes L of 256): the super-block scales, the bytes.
void finishScaleMin(const float* x, int nmax, const float* scales, const float* mins, const float* sw, uint8_t* L,
                    std::byte* y) {
    uint8_t ls[8], lm[8];
    const float d = fitScaleUnsigned(8, 63, scales, ls, sw);
    const float m = fitScaleUnsigned(8, 63, mins, lm, sw);
    if (nmax == 31)
        for (int j = 0; j < 8; ++j) {
            ls[j] = std::min<uint8_t>(63, ls[j]);
            lm[j] = std::min<uint8_t>(63, lm[j]);
        }
    detail::ggmlWriteScaleMinSuperBlock(x, nmax, ls, lm, d, m, y, L);
    if (nmax == 15) detail::ggmlPackQ4_K(L, y);
    else detail::ggmlPackQ5_K(L, y);
}

// Q4_K / Q5_K (nmax 15 / 31): block_q4_K {f16 d; f16 dmin; u8 scales[12]; u8 qs[128]}, block_q5_K adds qh[32].
void encodeScaleMin(const float* x, const float* qw, int nmax, std::byte* y) {
    float scales[8], mins[8], sw[8], w[kQkK];
    uint8_t L[kQkK];
    scaleMinWeights(x, qw, w, sw);
    for (int j = 0; j < 8; ++j)
        scales[j] = ggmlFitScaleMin(32, nmax, x + 32 * j, w + 32 * j, L + 32 * j, &mins[j], -0.9f, 0.05f, 36);
    finishScaleMin(x, nmax, scales, mins, sw, L, y);
}

void encodeQ6_K(const float* x, const float* qw, std::byte* y) {
    float scales[16];
    int8_t L[kQkK];
    for (int ib = 0; ib < 16; ++ib) scales[ib] = detail::ggmlFitScaleSigned(16, 32, x + 16 * ib, L + 16 * ib, qw + 16 * ib);
    detail::ggmlFinishQ6_K(x, scales, L, y);
}

// IQ4_NL: super-block = block = 32.
void encodeIq4Nl(const float* x, const float* qw, std::byte* y) {
    const float sigma2 = sumSquares(x, kQk) * (2.0f / kQk);
    float w[kQk];
    importanceWeights(x, qw, sigma2, kQk, w);
    uint8_t L[kQk];
    detail::ggmlFinishIq4Nl(x, detail::ggmlIq4NlScale(x, 7, L, w), y);
}

// IQ4_XS: super-block of 256, blocks of 32.
void encodeIq4Xs(const float* x, const float* qw, std::byte* y) {
    const float sigma2 = sumSquares(x, kQkK) * (2.0f / kQkK);
    float scales[8], w[kQk];
    uint8_t L[kQk];
    for (int ib = 0; ib < 8; ++ib) {
        importanceWeights(x + kQk * ib, qw + kQk * ib, sigma2, kQk, w);
        scales[ib] = detail::ggmlIq4NlScale(x + kQk * ib, 7, L, w);
    }
    detail::ggmlFinishIq4Xs(x, scales, y);
}

// [SECTION] The vector path: the sub-block fits of Q2_K, Q4_K and Q5_K (make_qkx3_quants with weights =
// make_qkx2_quants) run `lanes` sub-blocks at a time through the reference encoders' lane kernels
// (ggml_encode_impl.h fitScaleMin: the scalar code's float operations in its order, so the same bytes — tested
// against the portable path); weights, super-block scales and packing stay scalar.

using LaneKernels = detail::GgmlLaneKernels;

// Element i of run k (runs of n at x + n·k, k < lanes) to [lanes·i + k], and back.
template <class T>
void toLanes(const T* x, int n, int lanes, T* xt) {
    for (int k = 0; k < lanes; ++k)
        for (int i = 0; i < n; ++i) xt[i * lanes + k] = x[n * k + i];
}
template <class T>
void fromLanes(const T* xt, int n, int lanes, T* x) {
    for (int k = 0; k < lanes; ++k)
        for (int i = 0; i < n; ++i) x[n * k + i] = xt[i * lanes + k];
}

// Q4_K / Q5_K: lanes/8 super-blocks per call; the rest of the row scalar.
void encodeScaleMinRowLanes(const LaneKernels& kern, const float* x, const float* qw, size_t superBlocks, int nmax,
                            std::byte* y) {
    const size_t bytes = traits(nmax == 15 ? DType::Q4_K : DType::Q5_K).blockBytes;
    const int lanes = kern.lanes, per = lanes / 8;
    constexpr int kMax = 32 * detail::kGgmlMaxLanes;
    size_t b = 0;
    for (; b + static_cast<size_t>(per) <= superBlocks; b += static_cast<size_t>(per)) {
        float w[kMax], sw[2 * 8], xt[kMax], wt[kMax], scales[detail::kGgmlMaxLanes], mins[detail::kGgmlMaxLanes];
        uint8_t lt[kMax], L[kMax];
        const float* xb = x + b * kQkK;
        for (int h = 0; h < per; ++h) scaleMinWeights(xb + h * kQkK, qw + (b + static_cast<size_t>(h)) * kQkK, w + h * kQkK, sw + 8 * h);
        toLanes(xb, 32, lanes, xt);
        toLanes(w, 32, lanes, wt);
        kern.fitScaleMin(32, nmax, xt, wt, lt, scales, mins, -0.9f, 0.05f, 36, false);
        fromLanes(lt, 32, lanes, L);
        for (int h = 0; h < per; ++h)
            finishScaleMin(xb + h * kQkK, nmax, scales + 8 * h, mins + 8 * h, sw + 8 * h, L + h * kQkK,
                           y + (b + static_cast<size_t>(h)) * bytes);
    }
    for (; b < superBlocks; ++b) encodeScaleMin(x + b * kQkK, qw + b * kQkK, nmax, y + b * bytes);
}

// Q2_K: one super-block (16 sub-blocks of 16) per 16/lanes calls.
void encodeQ2_KLanes(const LaneKernels& kern, const float* x, const float* qw, std::byte* y) {
    const int lanes = kern.lanes;
    float w[kQkK], sw[16], xt[kQkK], wt[kQkK], scales[16], mins[16];
    uint8_t lt[kQkK], L[kQkK];
    q2Weights(x, qw, w, sw);
    for (int g = 0; g < 16; g += lanes) {
        toLanes(x + 16 * g, 16, lanes, xt);
        toLanes(w + 16 * g, 16, lanes, wt);
        kern.fitScaleMin(16, 3, xt, wt, lt, scales + g, mins + g, -0.9f, 0.05f, 36, false);
        fromLanes(lt, 16, lanes, L + 16 * g);
    }
    finishQ2_K(x, scales, mins, sw, L, y);
}

}  // namespace

bool ggmlWeightedEncodable(DType t) { return ggmlEncodable(t); }

bool encodeGgmlBlocksWeighted(DType t, const float* src, const float* importance, size_t rows, size_t rowLength,
                              std::byte* dst) {
    return encodeGgmlBlocksWeightedWith(GgmlEncodePath::Auto, t, src, importance, rows, rowLength, dst);
}

bool encodeGgmlBlocksWeightedWith(GgmlEncodePath path, DType t, const float* src, const float* importance, size_t rows,
                                  size_t rowLength, std::byte* dst) {
    if (path == GgmlEncodePath::Auto) path = resolvedGgmlEncodePath();
    if (!ggmlEncodePathAvailable(path) || !ggmlWeightedEncodable(t)) return false;
    const size_t block = traits(t).blockElements, bytes = traits(t).blockBytes;
    if (rowLength == 0 || rowLength % block != 0) return false;
    const size_t blocksPerRow = rowLength / block;
    if (!importance || t == DType::Q8_0) return encodeGgmlBlocksWith(path, t, src, rows * blocksPerRow, dst);
    const LaneKernels* kern = detail::ggmlLaneKernels(path);
    void (*perBlock)(const float*, const float*, std::byte*) = nullptr;
    switch (t) {
        case DType::Q2_K: perBlock = encodeQ2_K; break;
        case DType::Q3_K: perBlock = encodeQ3_K; break;
        case DType::Q4_K: perBlock = [](const float* x, const float* qw, std::byte* y) { encodeScaleMin(x, qw, 15, y); }; break;
        case DType::Q5_K: perBlock = [](const float* x, const float* qw, std::byte* y) { encodeScaleMin(x, qw, 31, y); }; break;
        case DType::Q6_K: perBlock = encodeQ6_K; break;
        case DType::IQ4_NL: perBlock = encodeIq4Nl; break;
        case DType::IQ4_XS: perBlock = encodeIq4Xs; break;
        default: break;
    }
    for (size_t r = 0; r < rows; ++r) {
        const float* x = src + r * rowLength;
        std::byte* y = dst + r * blocksPerRow * bytes;
        switch (t) {
            case DType::Q4_0: encodeSymmetricRow(x, importance, rowLength, 8, y); continue;
            case DType::Q5_0: encodeSymmetricRow(x, importance, rowLength, 16, y); continue;
            case DType::Q4_1: encodeMinRow(x, importance, rowLength, 15, y); continue;
            case DType::Q5_1: encodeMinRow(x, importance, rowLength, 31, y); continue;
            default: break;
        }
        if (kern && (t == DType::Q4_K || t == DType::Q5_K)) {
            encodeScaleMinRowLanes(*kern, x, importance, blocksPerRow, t == DType::Q4_K ? 15 : 31, y);
            continue;
        }
        if (kern && t == DType::Q2_K) {
            for (size_t b = 0; b < blocksPerRow; ++b) encodeQ2_KLanes(*kern, x + b * block, importance + b * block, y + b * bytes);
            continue;
        }
        for (size_t b = 0; b < blocksPerRow; ++b) perBlock(x + b * block, importance + b * block, y + b * bytes);
    }
    return true;
}

}  // namespace qv
