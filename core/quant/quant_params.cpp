// paramsFromRange: scale and zero point from a clip range, per tool convention (REFERENCE.md §1).
#include "core/quant/quant_params.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "core/quant/quantizer.h"

namespace qv {

namespace {

// NaN carries no range information (→ 0); ±Inf is clamped to the largest float so the scale
// stays finite. Calibrators never produce these, but a user-typed range might.
float sanitize(double v) {
    if (std::isnan(v)) return 0.0f;
    if (v > FLT_MAX) return FLT_MAX;
    if (v < -FLT_MAX) return -FLT_MAX;
    return static_cast<float>(v);
}

int32_t clampZero(float z, int32_t qmin, int32_t qmax) {
    if (!(z >= static_cast<float>(qmin))) return qmin;  // also NaN
    if (z > static_cast<float>(qmax)) return qmax;
    return static_cast<int32_t>(z);
}

// pytorch-quantization (tensor_quant.py): amax ≤ 2^−24 ("smaller than the minimum fp16
// subnormal") makes every output 0. We keep one code path for all conventions by choosing the
// largest float as the scale: round(x / FLT_MAX) = 0 for every |x| ≤ FLT_MAX/2, so all codes
// are the zero point and every dequantized value is 0, as in TensorRT.
constexpr float kTensorRtZeroAmax = 0x1p-24f;
constexpr float kAllZeroScale = FLT_MAX;

// NVFP4 (NVIDIA, "NVFP4" in the Blackwell/TensorRT-LLM docs; REFERENCE.md §3): one slice's scale from
// its amax and the tensor scale s_t: the block scale amax_b / (6·s_t) stored as FP8 E4M3.
float nvfp4SliceScale(float amaxBlock, float tensorScale) {
    const LevelTable& e4m3 = *levelTable(NumberFormat::Fp8E4M3);
    const float block = amaxBlock / (6.0f * tensorScale);
    const float stored = e4m3.levels[static_cast<size_t>(e4m3.index(block))];
    const float s = tensorScale * stored;
    // A block scale that rounds to 0 (a block far below the tensor's amax): every value of the block
    // quantizes to 0, which scale 1 does as well as any (the quantizer's fallback for a zero scale).
    return s >= FLT_MIN && s <= FLT_MAX ? s : 1.0f;
}

}  // namespace

// Arithmetic is float32 throughout, as the frameworks do it (their scales are float32 tensors):
// e.g. PyTorch computes fl32(amax / 127.5), not the double quotient rounded once more.
SliceParams paramsFromRange(const QuantScheme& scheme, ClipRange range) {
    SliceParams p;
    p.clip = range;
    const int32_t qmin = scheme.qmin(), qmax = scheme.qmax();
    float lo = sanitize(range.lo), hi = sanitize(range.hi);
    if (lo > hi) std::swap(lo, hi);
    const float amax = std::max(std::fabs(lo), std::fabs(hi));
    const auto levels = static_cast<float>(qmax - qmin);

    if (const LevelTable* t = scheme.levelTable()) {
        if (const int emax = mxElementEmax(scheme.format); emax >= 0) {
            // OCP MX v1.0 §6.3: the shared scale X = 2^(floor(log2 amax) − emax_elem), an E8M0 value
            // (2^−127..2^127). amax/X then lies in [2^emax, 2^(emax+1)), so the top of the block can
            // exceed the largest element (6 for E2M1) and saturate — the spec's choice, kept. A block of
            // zeros (or a non-finite amax) gets X = 1.
            float s = 1.0f;
            if (amax > 0.0f && amax <= FLT_MAX)
                s = std::ldexp(1.0f, std::clamp(std::ilogb(amax) - emax, -127, 127));
            p.scale = s;
            p.zeroPoint = t->zeroIndex;
            return p;
        }
        if (hasTensorScale(scheme.format)) {
            // NVFP4 with this range as the whole tensor (applyTensorScale redoes it with the tensor's amax).
            const float tensorScale = amax / (448.0f * 6.0f);
            p.scale = tensorScale >= FLT_MIN ? nvfp4SliceScale(amax, tensorScale) : 1.0f;
            p.zeroPoint = t->zeroIndex;
            return p;
        }
        // Level formats: the scale maps amax onto the largest level, as FP8 recipes (Transformer
        // Engine, ModelOpt: amax / 448) and NF4's absmax scaling do; the zero point is the zero level.
        float s = amax / t->maxAbs;
        if (!(s >= FLT_MIN) || s > FLT_MAX) s = 1.0f;  // all-zero or denormal range: any scale gives 0
        p.scale = s;
        p.zeroPoint = t->zeroIndex;
        return p;
    }

    if (scheme.convention == Convention::TensorRT && amax <= kTensorRtZeroAmax) {
        p.scale = kAllZeroScale;
        p.zeroPoint = scheme.symmetry == Symmetry::Symmetric ? 0 : qmin;
        return p;
    }

    if (scheme.convention == Convention::OnnxRuntime) {
        // onnxruntime/python/tools/quantization/quant_utils.py compute_scale_zp: rmin/rmax are
        // float32, widened to include 0 (and made ±absmax when symmetric); the scale is
        // (rmax − rmin)/(qmax − qmin) in float64, compared with float32 tiny, and cast to float32
        // only after the zero point: symmetric z = round((qmin + qmax)/2), else
        // z = round(qmin − rmin/scale) — both numpy.round, i.e. half to even.
        float rlo = std::min(lo, 0.0f), rhi = std::max(hi, 0.0f);
        if (scheme.symmetry == Symmetry::Symmetric) {
            rlo = -amax;
            rhi = amax;
        }
        const double ds = static_cast<double>(rhi - rlo) / static_cast<double>(qmax - qmin);
        if (!(ds >= static_cast<double>(FLT_MIN))) {
            p.scale = 1.0f;
            p.zeroPoint = 0;
            return p;
        }
        const double z = scheme.symmetry == Symmetry::Symmetric ? std::nearbyint((qmin + qmax) / 2.0)
                                                                 : std::nearbyint(qmin - static_cast<double>(rlo) / ds);
        p.scale = static_cast<float>(ds);
        p.zeroPoint = static_cast<int32_t>(std::clamp<double>(z, qmin, qmax));
        return p;
    }

    if (scheme.symmetry == Symmetry::Symmetric) {
        float s;
        if (scheme.convention == Convention::PyTorch || scheme.fullRange) {
            // MinMaxObserver: scale = max_val_pos / ((quant_max − quant_min) / 2), e.g. amax/127.5.
            s = amax / (levels / 2.0f);
        } else {
            // Restricted range: amax maps to qmax exactly (seeds, pytorch-quantization amax/127,
            // ONNX Runtime (rmax − rmin)/(qmax − qmin) with rmin = −amax, qmin = −127).
            s = amax / static_cast<float>(qmax);
        }
        switch (scheme.convention) {
            case Convention::PyTorch:
                s = std::max(s, FLT_EPSILON);  // torch.finfo(torch.float32).eps = 2^−23
                break;
            case Convention::Seeds:
            case Convention::OnnxRuntime:  // (handled above)
            case Convention::TensorRT:     // (amax > 2^−24 here, so s is a normal float)
                // As ONNX Runtime: a scale below float32 tiny (only an all-zero or denormal
                // range) becomes 1 — any scale reproduces zeros, and 1 keeps x/s finite.
                if (!(s >= FLT_MIN)) s = 1.0f;
                break;
        }
        p.scale = s;
        p.zeroPoint = 0;
        return p;
    }

    // Asymmetric: widen the range to include 0 so that 0.0 is exactly representable (gemmlowp
    // quantization.md: zero-padding and ReLU outputs must not carry error).
    lo = std::min(lo, 0.0f);
    hi = std::max(hi, 0.0f);
    float s = (hi - lo) / levels;
    switch (scheme.convention) {
        case Convention::PyTorch:
            s = std::max(s, FLT_EPSILON);
            // quant_min − round(min_val_neg / scale), clamped.
            p.scale = s;
            p.zeroPoint = clampZero(static_cast<float>(qmin) - roundHalfEven(lo / s), qmin, qmax);
            return p;
        case Convention::OnnxRuntime:  // handled above
        case Convention::Seeds:
        case Convention::TensorRT:
            if (!(s >= FLT_MIN)) {
                // Only reachable when the widened range is [0, 0] (or denormal): every value is 0.
                p.scale = 1.0f;
                p.zeroPoint = qmin;
                return p;
            }
            p.scale = s;
            p.zeroPoint = clampZero(static_cast<float>(qmin) - roundHalfEven(lo / s), qmin, qmax);
            return p;
    }
    return p;
}

QuantParams paramsFromRanges(const QuantScheme& scheme, const std::vector<ClipRange>& ranges) {
    QuantParams q;
    q.scheme = scheme;
    q.slices.reserve(ranges.size());
    for (const auto& r : ranges) q.slices.push_back(paramsFromRange(scheme, r));
    applyTensorScale(q);
    return q;
}

void applyTensorScale(QuantParams& params) {
    if (!hasTensorScale(params.scheme.format) || params.slices.empty()) return;
    float amaxTensor = 0;
    for (const auto& p : params.slices)
        amaxTensor = std::max({amaxTensor, std::fabs(sanitize(p.clip.lo)), std::fabs(sanitize(p.clip.hi))});
    const float tensorScale = amaxTensor / (448.0f * 6.0f);
    if (!(tensorScale >= FLT_MIN)) return;  // all zero (or denormal): paramsFromRange's scale 1 stays
    for (auto& p : params.slices) {
        const float amax = std::max(std::fabs(sanitize(p.clip.lo)), std::fabs(sanitize(p.clip.hi)));
        p.scale = nvfp4SliceScale(amax, tensorScale);
    }
}

}  // namespace qv
