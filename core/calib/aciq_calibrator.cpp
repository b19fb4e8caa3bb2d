// AciqCalibrator: Laplace/Gaussian analytic clipping per bit width (see header for the derivation).
#include "core/calib/aciq_calibrator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/calib/calib_math.h"

namespace qv {

namespace {

// Banner, Nahshan & Soudry 2018 (arXiv 1810.05723), optimal α for M = 2…8 bits, as published.
constexpr std::array<double, 7> kLaplaceTable = {2.83, 3.89, 5.03, 6.2, 7.41, 8.64, 9.89};
constexpr std::array<double, 7> kGaussTable = {1.71, 2.15, 2.55, 2.93, 3.28, 3.61, 3.92};

double noiseCoefficient(int bits) { return 1.0 / (3.0 * std::pow(4.0, bits)); }  // α²/(3·4^M)

// dE/dα for a unit scale (up to a positive factor), increasing in α: negative below the optimum.
double derivative(AciqCalibrator::Fit fit, double a, int bits) {
    const double c = noiseCoefficient(bits);
    if (fit == AciqCalibrator::Fit::Laplace) return -std::exp(-a) + a * c;  // ∝ −2b e^(−α/b) + 2α/(3·4^M)
    return a * std::erfc(a / std::numbers::sqrt2) - std::sqrt(2.0 / std::numbers::pi) * std::exp(-0.5 * a * a) + a * c;
}

// The Gaussian derivative above is negative then positive but not monotone in between for
// tiny M; bisection on the sign change is still sound on [lo, hi] with f(lo) < 0 < f(hi).
double bisect(AciqCalibrator::Fit fit, int bits) {
    double lo = 1e-9, hi = 1.0;
    while (derivative(fit, hi, bits) < 0 && hi < 1e6) hi *= 2;
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (derivative(fit, mid, bits) < 0 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace

double AciqCalibrator::solveAlphaRatio(Fit fit, int bits) {
    return bisect(fit == Fit::Auto ? Fit::Laplace : fit, std::max(bits, 1));
}

double AciqCalibrator::alphaRatio(Fit fit, int bits) {
    if (fit == Fit::Auto) fit = Fit::Laplace;
    if (bits >= 2 && bits <= 8)
        return (fit == Fit::Laplace ? kLaplaceTable : kGaussTable)[static_cast<size_t>(bits - 2)];
    return solveAlphaRatio(fit, bits);
}

double AciqCalibrator::expectedError(Fit fit, double a, int bits) {
    const double noise = a * a * noiseCoefficient(bits);
    if (fit == Fit::Gauss)
        return (a * a + 1.0) * std::erfc(a / std::numbers::sqrt2) -
               std::sqrt(2.0 / std::numbers::pi) * a * std::exp(-0.5 * a * a) + noise;
    return 2.0 * std::exp(-a) + noise;
}

std::string AciqCalibrator::arg() const {
    switch (m_fit) {
        case Fit::Laplace: return "laplace";
        case Fit::Gauss: return "gauss";
        case Fit::Auto: break;
    }
    return {};
}

std::string AciqCalibrator::description() const {
    return "ACIQ (Banner et al. 2018): fits a Laplace (b = mean|x - mean|) or Gaussian (sigma) model and "
           "clips at the alpha that minimizes the model's clipping + rounding error for the bit width "
           "(e.g. 9.89 b or 3.92 sigma at 8 bits). Plain 'aciq' keeps the fit with the lower error.";
}

ClipRange AciqCalibrator::rangeFor(Fit fit, const TensorSummary& summary, const QuantScheme& scheme) const {
    const double unit = fit == Fit::Gauss ? summary.std : summary.meanAbsDeviation;
    const double alpha = alphaRatio(fit, scheme.codeBits()) * unit;
    if (scheme.symmetric())
        return symmetricRange(std::min(std::abs(summary.mean) + alpha, summary.absMax));
    return {std::max(summary.mean - alpha, summary.min), std::min(summary.mean + alpha, summary.max)};
}

AciqCalibrator::Fit AciqCalibrator::fitChoice(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (m_fit != Fit::Auto) return m_fit;
    if (degenerate(summary)) return Fit::Laplace;
    // Judge both clips on the data's own histogram (the bin-centre error of the MSE estimate),
    // not on each model's own prediction, so that the better-fitting model wins.
    const std::vector<double> hist = linearHistogram(summary, summary.min, summary.max, kCalibBins);
    std::vector<float> centre, weight;
    const double w = (summary.max - summary.min) / static_cast<double>(kCalibBins);
    for (size_t i = 0; i < hist.size(); ++i) {
        if (hist[i] <= 0) continue;
        centre.push_back(static_cast<float>(summary.min + w * (static_cast<double>(i) + 0.5)));
        weight.push_back(static_cast<float>(hist[i]));
    }
    auto err = [&](Fit f) {
        return weightedQuantError(centre.data(), weight.data(), centre.size(), gridFor(scheme, rangeFor(f, summary, scheme)));
    };
    return err(Fit::Gauss) < err(Fit::Laplace) ? Fit::Gauss : Fit::Laplace;
}

std::string AciqCalibrator::detail(const TensorSummary& summary, const QuantScheme& scheme) const {
    const Fit f = fitChoice(summary, scheme);
    char buf[128];
    if (f == Fit::Gauss)
        std::snprintf(buf, sizeof buf, "gauss fit: sigma = %.6g, alpha = %.4g sigma", summary.std, alphaRatio(f, scheme.codeBits()));
    else
        std::snprintf(buf, sizeof buf, "laplace fit: b = %.6g, alpha = %.4g b", summary.meanAbsDeviation,
                      alphaRatio(f, scheme.codeBits()));
    return buf;
}

ClipRange AciqCalibrator::calibrate(const TensorSummary& summary, const QuantScheme& scheme) const {
    if (degenerate(summary)) return degenerateRange(summary, scheme);
    return rangeFor(fitChoice(summary, scheme), summary, scheme);
}

}  // namespace qv
