// FakeQuant: weights per channel and activations per tensor through qv::Quantizer, the STE mask.
#include "core/qat/fake_quant.h"

#include <algorithm>

#include "core/quant/quantizer.h"

namespace qv {

QuantScheme qatWeightScheme(int bits) {
    QuantScheme s;
    s.bits = bits;
    s.symmetry = Symmetry::Symmetric;
    s.granularity = Granularity::PerChannel;
    s.axis = 0;
    return s;
}

QuantScheme qatActivationScheme(int bits) {
    QuantScheme s;
    s.bits = bits;
    s.symmetry = Symmetry::Asymmetric;
    return s;
}

namespace {
void fakeQuantRun(const Quantizer& q, const float* x, size_t n, float* out, uint8_t* pass) {
    for (size_t i = 0; i < n; ++i) {
        bool clipped = false;
        const int32_t code = q.quantize(x[i], clipped);
        out[i] = q.dequantize(code);
        if (pass) pass[i] = clipped ? 0 : 1;
    }
}
}  // namespace

ClipRange minMaxOf(std::span<const float> v) {
    if (v.empty()) return {};
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return {*lo, *hi};
}

void fakeQuantWeights(std::span<const float> w, int rows, int cols, int bits, std::span<float> out,
                      std::span<uint8_t> pass) {
    const QuantScheme scheme = qatWeightScheme(bits);
    for (int r = 0; r < rows; ++r) {
        const size_t off = static_cast<size_t>(r) * static_cast<size_t>(cols);
        const std::span<const float> row = w.subspan(off, static_cast<size_t>(cols));
        const Quantizer q(scheme, paramsFromRange(scheme, minMaxOf(row)));
        fakeQuantRun(q, row.data(), row.size(), out.data() + off, pass.empty() ? nullptr : pass.data() + off);
    }
}

void fakeQuantActivations(std::span<const float> a, ClipRange range, int bits, std::span<float> out,
                          std::span<uint8_t> pass) {
    const QuantScheme scheme = qatActivationScheme(bits);
    const Quantizer q(scheme, paramsFromRange(scheme, range));
    fakeQuantRun(q, a.data(), a.size(), out.data(), pass.empty() ? nullptr : pass.data());
}

void steBackward(std::span<const float> gradOut, std::span<const uint8_t> pass, std::span<float> gradIn) {
    for (size_t i = 0; i < gradOut.size(); ++i) gradIn[i] = pass[i] ? gradOut[i] : 0.0f;
}

void RangeObserver::observe(ClipRange batch) {
    if (!initialized) {
        range = batch;
        initialized = true;
        return;
    }
    range.lo += averaging * (batch.lo - range.lo);
    range.hi += averaging * (batch.hi - range.hi);
}

}  // namespace qv
