// Shared helpers of the calibrator tests: seeded samples and the exact expected-MSE oracles.
#pragma once

#include <cstdint>
#include <vector>

#include "core/quant/quant_scheme.h"

namespace qv::test {

std::vector<float> uniformSamples(size_t n, double lo, double hi, uint64_t seed);
std::vector<float> gaussianSamples(size_t n, double sigma, uint64_t seed);
std::vector<float> laplaceSamples(size_t n, double b, uint64_t seed);

enum class Density { Gauss, Laplace };
// Expected squared error per element of the restricted symmetric grid (codes ±(2^(b−1)−1),
// s = amax/qmax, round to nearest) for N(0, 1) or Laplace(0, 1), in closed form: each
// decision cell's ∫ (x − level)² f(x) dx from the density's partial moments.
double expectedGridError(Density d, double amax, int bits);
// argmin over amax of expectedGridError by a dense scan then refinement (the oracle).
double optimalGridAmax(Density d, int bits);

}  // namespace qv::test
