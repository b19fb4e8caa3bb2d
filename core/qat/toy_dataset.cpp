// ToyDataset: the spirals, moons and blobs generators and the seeded generator they use.
#include "core/qat/toy_dataset.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace qv {

const char* toyTaskName(ToyTask task) {
    switch (task) {
        case ToyTask::Spirals: return "spirals";
        case ToyTask::Moons: return "moons";
        case ToyTask::Blobs: return "blobs";
    }
    return "?";
}

uint64_t ToyRng::next() {
    // SplitMix64 (Steele, Lea, Flood 2014; the seeding generator of xoshiro).
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double ToyRng::uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }

double ToyRng::normal() {
    // Box–Muller: u1 in (0, 1] so the log is finite.
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

uint64_t ToyRng::below(uint64_t n) { return n <= 1 ? 0 : next() % n; }  // bias < 2^-50 for our n

ToySplit makeToySplit(ToyTask task, int pointsPerClass, float noise, uint64_t seed) {
    ToyRng rng(seed);
    const int classes = task == ToyTask::Spirals ? 3 : task == ToyTask::Moons ? 2 : 4;
    const int per = std::max(pointsPerClass, 3);
    struct Point { float x, y; int label; };
    std::vector<Point> pts;
    pts.reserve(static_cast<size_t>(per * classes));
    constexpr double kPi = std::numbers::pi;
    for (int c = 0; c < classes; ++c) {
        for (int i = 0; i < per; ++i) {
            const double t = (i + 0.5) / per;  // 0..1 along the class's curve
            double px = 0, py = 0;
            switch (task) {
                case ToyTask::Spirals: {
                    const double r = 0.05 + 0.95 * t, a = 2 * kPi * 1.25 * r + c * 2 * kPi / 3;
                    px = r * std::cos(a);
                    py = r * std::sin(a);
                    break;
                }
                case ToyTask::Moons: {
                    const double a = kPi * t;
                    // Upper moon centred at (0, 0), lower one at (1, 0.5) flipped; shifted to centre at 0.
                    px = c == 0 ? std::cos(a) - 0.5 : 1.0 - std::cos(a) - 0.5;
                    py = c == 0 ? std::sin(a) - 0.25 : 0.5 - std::sin(a) - 0.25;
                    break;
                }
                case ToyTask::Blobs: {
                    const double sd = 0.35;
                    px = (c % 2 ? 0.8 : -0.8) + sd * rng.normal();
                    py = (c / 2 ? 0.8 : -0.8) + sd * rng.normal();
                    break;
                }
            }
            px += noise * rng.normal();
            py += noise * rng.normal();
            pts.push_back({static_cast<float>(px), static_cast<float>(py), c});
        }
    }
    rng.shuffle(pts);
    ToySplit s;
    s.train.classes = s.test.classes = classes;
    s.xMin = s.yMin = INFINITY;
    s.xMax = s.yMax = -INFINITY;
    for (size_t i = 0; i < pts.size(); ++i) {
        ToyData& d = i % 3 == 2 ? s.test : s.train;
        d.x.push_back(pts[i].x);
        d.x.push_back(pts[i].y);
        d.y.push_back(pts[i].label);
        s.xMin = std::min(s.xMin, pts[i].x);
        s.xMax = std::max(s.xMax, pts[i].x);
        s.yMin = std::min(s.yMin, pts[i].y);
        s.yMax = std::max(s.yMax, pts[i].y);
    }
    return s;
}

}  // namespace qv
