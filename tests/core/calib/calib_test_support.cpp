// Seeded samples and the closed-form expected-error oracle for the calibrator tests.
#include "calib_test_support.h"

#include <cmath>
#include <numbers>
#include <random>

namespace qv::test {

std::vector<float> uniformSamples(size_t n, double lo, double hi, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(d(rng));
    return v;
}

std::vector<float> gaussianSamples(size_t n, double sigma, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> d(0.0, sigma);
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(d(rng));
    return v;
}

std::vector<float> laplaceSamples(size_t n, double b, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::exponential_distribution<double> e(1.0 / b);
    std::bernoulli_distribution sign(0.5);
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(sign(rng) ? e(rng) : -e(rng));
    return v;
}

namespace {

// Partial moments on [0, x] of the density restricted to x ≥ 0 (both densities are even):
// m0 = ∫_0^x f, m1 = ∫_0^x t f, m2 = ∫_0^x t² f.
struct Moments { double m0, m1, m2; };

Moments moments(Density d, double x) {
    if (d == Density::Gauss) {
        if (std::isinf(x)) return {0.5, 1.0 / std::sqrt(2.0 * std::numbers::pi), 0.5};
        const double phi = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
        const double cdf0 = 0.5 * std::erf(x / std::numbers::sqrt2);  // Φ(x) − 1/2
        return {cdf0, 1.0 / std::sqrt(2.0 * std::numbers::pi) - phi, cdf0 - x * phi};
    }
    // Laplace(0, 1): f = e^(−t)/2.
    if (std::isinf(x)) return {0.5, 0.5, 1.0};
    const double e = std::exp(-x);
    return {0.5 * (1 - e), 0.5 * (1 - (x + 1) * e), 0.5 * (2 - (x * x + 2 * x + 2) * e)};
}

// ∫_u^v (t − c)² f(t) dt for 0 ≤ u ≤ v.
double cellError(Density d, double u, double v, double c) {
    const Moments a = moments(d, u), b = moments(d, v);
    return (b.m2 - a.m2) - 2 * c * (b.m1 - a.m1) + c * c * (b.m0 - a.m0);
}

}  // namespace

double expectedGridError(Density d, double amax, int bits) {
    const int qmax = (1 << (bits - 1)) - 1;
    const double s = amax / qmax;
    // Positive half, doubled: cell 0 is [0, s/2] → level 0; cell k is [(k − ½)s, (k + ½)s];
    // the last cell runs to +∞ (clipped values map to the top level).
    double e = cellError(d, 0, 0.5 * s, 0);
    for (int k = 1; k <= qmax; ++k) {
        const double hi = k == qmax ? HUGE_VAL : (k + 0.5) * s;
        e += cellError(d, (k - 0.5) * s, hi, k * s);
    }
    return 2 * e;
}

double optimalGridAmax(Density d, int bits) {
    double best = HUGE_VAL, arg = 0;
    const double top = d == Density::Gauss ? 8.0 : 20.0;
    for (double a = 0.05; a <= top; a += 0.001) {
        const double e = expectedGridError(d, a, bits);
        if (e < best) { best = e; arg = a; }
    }
    for (double a = arg - 0.001; a <= arg + 0.001; a += 1e-6) {
        const double e = expectedGridError(d, a, bits);
        if (e < best) { best = e; arg = a; }
    }
    return arg;
}

}  // namespace qv::test
