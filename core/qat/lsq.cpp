// LSQ: fake quantization with a given step through qv::Quantizer, ∂x̂/∂s, the gradient scale, the initial step.
#include "core/qat/lsq.h"

#include <algorithm>
#include <cmath>

#include "core/qat/fake_quant.h"
#include "core/quant/quantizer.h"

namespace qv {

namespace {
void stepRun(const Quantizer& q, const float* x, size_t n, float* out, uint8_t* pass, float* dStep) {
    const float s = q.scale();
    const int32_t z = q.zeroPoint();
    for (size_t i = 0; i < n; ++i) {
        bool clipped = false;
        const float xi = x[i];
        const int32_t code = q.quantize(xi, clipped);
        out[i] = q.dequantize(code);
        if (pass) pass[i] = clipped ? 0 : 1;
        if (dStep) dStep[i] = lsqStepGradient(xi, s, code, z, clipped);
    }
}
}  // namespace

void fakeQuantStep(std::span<const float> x, const QuantScheme& scheme, float step, int32_t zero,
                   std::span<float> out, std::span<uint8_t> pass, std::span<float> dStep) {
    SliceParams p;
    p.scale = step;
    p.zeroPoint = zero;
    const Quantizer q(scheme, p);
    stepRun(q, x.data(), x.size(), out.data(), pass.empty() ? nullptr : pass.data(),
            dStep.empty() ? nullptr : dStep.data());
}

void fakeQuantWeightsStep(std::span<const float> w, int rows, int cols, int bits, std::span<const float> steps,
                          std::span<float> out, std::span<uint8_t> pass, std::span<float> dStep) {
    const QuantScheme scheme = qatWeightScheme(bits);
    const size_t C = static_cast<size_t>(cols);
    for (size_t r = 0; r < static_cast<size_t>(rows); ++r) {
        const size_t off = r * C;
        fakeQuantStep(w.subspan(off, C), scheme, steps[r], 0, out.subspan(off, C),
                      pass.empty() ? pass : pass.subspan(off, C), dStep.empty() ? dStep : dStep.subspan(off, C));
    }
}

int32_t lsqPositiveLevels(const QuantScheme& scheme, int32_t zero) {
    return std::max(1, scheme.qmax() - std::clamp(zero, scheme.qmin(), scheme.qmax()));
}

double lsqGradScale(size_t n, int32_t qp) {
    return 1.0 / std::sqrt(double(std::max<size_t>(1, n)) * double(std::max(1, qp)));
}

float lsqInitialStep(std::span<const float> x, int32_t qp) {
    if (x.empty()) return 0.0f;
    double sum = 0;
    for (float v : x) sum += std::fabs(double(v));
    return static_cast<float>(2.0 * (sum / double(x.size())) / std::sqrt(double(std::max(1, qp))));
}

}  // namespace qv
