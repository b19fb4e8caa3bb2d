// ToyDataset: small, seeded 2-D classification tasks (spirals, moons, blobs) for the QAT demo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qv {

enum class ToyTask { Spirals, Moons, Blobs };

const char* toyTaskName(ToyTask task);  // "spirals", "moons", "blobs"

// n points of 2 features each, row-major (x[2i], x[2i+1]), with labels 0..classes−1.
struct ToyData {
    int classes = 0;
    std::vector<float> x;
    std::vector<int> y;
    size_t size() const { return y.size(); }
};

struct ToySplit {
    ToyData train, test;
    // Bounds of all points (train and test), for the decision-region picture.
    float xMin = 0, xMax = 0, yMin = 0, yMax = 0;
};

// Deterministic for a given (task, pointsPerClass, noise, seed) on every platform: the generator is
// our own (SplitMix64 + Box–Muller, see ToyRng), never std::*_distribution, whose output the C++
// standard leaves to the library. Points are shuffled, then every third goes to the test set
// (train : test = 2 : 1), so both sets follow the same distribution.
//   Spirals: 3 arms, r ∈ [0.05, 1], angle = 2π·(1.25·r) + arm·2π/3, plus N(0, noise²) per coordinate.
//   Moons:   2 interleaved half circles (the scikit-learn shape), plus N(0, noise²).
//   Blobs:   4 Gaussian clusters of std 0.35 + noise at (±0.8, ±0.8).
ToySplit makeToySplit(ToyTask task, int pointsPerClass, float noise, uint64_t seed);

// A small seeded generator with a fixed algorithm (SplitMix64, Steele et al. 2014), so datasets,
// initial weights and mini-batch orders are the same with every compiler and standard library.
class ToyRng {
public:
    explicit ToyRng(uint64_t seed) : m_state(seed) {}
    uint64_t next();
    double uniform();                 // [0, 1), 53 random bits
    double normal();                  // N(0, 1), Box–Muller (one value per call)
    uint64_t below(uint64_t n);       // 0..n−1 (n ≥ 1)
    template <class T>
    void shuffle(std::vector<T>& v) {  // Fisher–Yates
        for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(below(i))]);
    }

private:
    uint64_t m_state;
};

}  // namespace qv
