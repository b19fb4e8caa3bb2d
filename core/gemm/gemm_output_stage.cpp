// Builds the per-column output-stage constants once per GEMM call (the same formulas as gemm_reference.cpp).
#include "core/gemm/gemm_output_stage.h"

namespace qv::gemm_detail {

OutputStage makeOutputStage(const GemmParams& p) {
    OutputStage s;
    s.mode = p.out.mode;
    s.rounding = p.out.rounding;
    s.ySigned = p.out.ySigned;
    s.yZero = p.out.yZero;
    s.qmin = p.out.ySigned ? -128 : 0;
    s.qmax = p.out.ySigned ? 127 : 255;
    s.lo = static_cast<float>(s.qmin - s.yZero);
    s.hi = static_cast<float>(s.qmax - s.yZero);
    if (s.mode == GemmOutput::Int32) return s;
    const auto n = static_cast<size_t>(p.N);
    s.deqScale.resize(n);
    s.mFloat.resize(n);
    s.mFixed.resize(n);
    for (size_t j = 0; j < n; ++j) {
        const float sb = p.bScales.size() == 1 ? p.bScales[0] : p.bScales[j];
        const double sab = static_cast<double>(p.aScale) * static_cast<double>(sb);
        const double m = sab / static_cast<double>(p.out.yScale);
        s.deqScale[j] = static_cast<float>(sab);
        s.mFloat[j] = static_cast<float>(m);
        s.mFixed[j] = quantizeMultiplier(m);
    }
    return s;
}

}  // namespace qv::gemm_detail
