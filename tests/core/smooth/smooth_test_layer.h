// A deterministic Linear layer with planted outlier input channels for the SmoothQuant tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace qv::test {

// splitmix64 (Steele, Lea, Flood 2014) and Box–Muller: the same numbers on every compiler and library
// (std::normal_distribution is implementation-defined).
class SmoothTestRng {
public:
    explicit SmoothTestRng(uint64_t seed) : m_state(seed) {}
    uint64_t next() {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return (double(next() >> 11) + 0.5) * 0x1p-53; }  // (0, 1)
    double gaussian() {
        const double u = uniform(), v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
    }

private:
    uint64_t m_state;
};

struct PlantedLayer {
    int64_t tokens = 64, cIn = 128, cOut = 256;
    std::vector<float> x, w;
};

// X [64, 128] ~ N(0, 1) with channels 7, 66, 113 scaled ×60, ×25, ×40 (as the bundled sample's captured
// activations); W [256, 128] ~ N(0, 1/128) (std 1/sqrt(fan_in)).
inline PlantedLayer plantedOutlierLayer(uint64_t seed = 20230211) {
    PlantedLayer L;
    SmoothTestRng rng(seed);
    L.x.resize(size_t(L.tokens * L.cIn));
    for (int64_t t = 0; t < L.tokens; ++t)
        for (int64_t j = 0; j < L.cIn; ++j) {
            const double scale = j == 7 ? 60 : j == 66 ? 25 : j == 113 ? 40 : 1;
            L.x[size_t(t * L.cIn + j)] = float(rng.gaussian() * scale);
        }
    L.w.resize(size_t(L.cOut * L.cIn));
    for (float& v : L.w) v = float(rng.gaussian() / std::sqrt(double(L.cIn)));
    return L;
}

}  // namespace qv::test
