// AciqCalibrator: analytic clipping (ACIQ, Banner, Nahshan & Soudry 2018, arXiv 1810.05723).
#pragma once

#include "core/calib/calibrator.h"

namespace qv {

// The tensor is modelled as Laplace(μ, b) with b = mean|x − μ|, or Gaussian(μ, σ). With M bits
// and a clip at ±α the expected squared error is (Banner et al. 2018, eqs. 5 and 9; the
// quantization-noise term takes 2^M levels of width 2α/2^M with uniform error, Δ²/12):
//   Laplace:  E(α) = 2b²·e^(−α/b) + α²/(3·4^M)
//   Gaussian: E(α) = (α² + σ²)·[1 − erf(α/(√2σ))] − √(2/π)·α·σ·e^(−α²/(2σ²)) + α²/(3·4^M)
// (the clipping term is 2∫_α^∞ (x − α)² f(x) dx in closed form). dE/dα = 0 gives
//   Laplace:  b·e^(−α/b) = α/(3·4^M)
//   Gaussian: α·[1 − erf(α/(√2σ))] − σ·√(2/π)·e^(−α²/(2σ²)) + α/(3·4^M) = 0
// solved by bisection for any M; for M = 2…8 the paper's table (REFERENCE.md §2) is used as
// published (the solver reproduces it to its 2–3 digits; a test checks this).
// The clip is centred on the mean: symmetric → amax = |μ| + α, asymmetric → [μ − α, μ + α],
// both intersected with the data's range. Plain `aciq` fits both and keeps the one whose
// clip has the smaller squared error on the summary's histogram (fitChoice() says which).
class AciqCalibrator final : public Calibrator {
public:
    enum class Fit { Auto, Laplace, Gauss };
    explicit AciqCalibrator(Fit fit = Fit::Auto) : m_fit(fit) {}
    std::string name() const override { return "aciq"; }
    std::string arg() const override;
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;

    // Which fit calibrate() uses for this summary (resolves Auto), and a one-line detail
    // such as "laplace fit: b = 0.0123, alpha = 9.89 b" for the table/JSON.
    Fit fitChoice(const TensorSummary& summary, const QuantScheme& scheme) const;
    std::string detail(const TensorSummary& summary, const QuantScheme& scheme) const;

    // α in units of b (Laplace) or σ (Gauss): the published table for 2–8 bits, the solver otherwise.
    static double alphaRatio(Fit fit, int bits);
    // The solver alone (dE/dα = 0 by bisection), for any bits ≥ 1.
    static double solveAlphaRatio(Fit fit, int bits);
    // Expected MSE per element of the model, for a unit scale (b = 1 or σ = 1).
    static double expectedError(Fit fit, double alphaRatio, int bits);

private:
    ClipRange rangeFor(Fit fit, const TensorSummary& summary, const QuantScheme& scheme) const;
    Fit m_fit;
};

}  // namespace qv
