// BenchReport output (table and JSON) and timing helpers.
#include "tests/bench/bench_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

namespace qv::bench {

void BenchReport::add(Record r) {
    std::string extra;
    if (r.vs && r.timeRatio) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "  time ratio vs %s = %.3f (%s)", r.vs->c_str(), *r.timeRatio,
                      *r.timeRatio < 1 ? "faster" : "slower");
        extra = buf;
    }
    std::printf("  %-40s %14.4g %-10s%s%s%s\n", r.name.c_str(), r.value, r.unit.c_str(), extra.c_str(),
                r.note.empty() ? "" : "  — ", r.note.c_str());
    std::fflush(stdout);
    m_records.push_back(std::move(r));
}

void BenchReport::printTable() const {
    // GEMM rows share one name; their shape and thread count tell them apart.
    std::printf("\n%-34s %-22s %12s %-10s %-22s %s\n", "name", "shape/threads", "value", "unit", "vs", "time ratio");
    for (const auto& r : m_records) {
        std::string shape;
        if (r.M && r.N && r.K) shape = std::to_string(*r.M) + "x" + std::to_string(*r.N) + "x" + std::to_string(*r.K);
        if (r.threads) {
            // appended piecewise: GCC 12 -O3 misfires -Wrestrict on "literal" + std::string (GCC bug 105329)
            if (!shape.empty()) shape += ' ';
            shape += 't';
            shape += std::to_string(*r.threads);
        }
        std::printf("%-34s %-22s %12.4g %-10s %-22s %s\n", r.name.c_str(), shape.c_str(), r.value, r.unit.c_str(),
                    r.vs ? r.vs->c_str() : "", r.timeRatio ? std::to_string(*r.timeRatio).c_str() : "");
    }
}

bool BenchReport::writeJson(const std::string& path) const {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : m_records) {
        nlohmann::json j{{"name", r.name}, {"value", r.value}, {"unit", r.unit}};
        if (r.vs) j["vs"] = *r.vs;
        if (r.timeRatio) j["time_ratio"] = *r.timeRatio;
        if (r.M) j["M"] = *r.M;
        if (r.N) j["N"] = *r.N;
        if (r.K) j["K"] = *r.K;
        if (r.threads) j["threads"] = *r.threads;
        arr.push_back(std::move(j));
    }
    std::ofstream out(path);
    if (!out) return false;
    out << arr.dump(2) << "\n";
    return static_cast<bool>(out);
}

double medianSeconds(const std::function<void()>& fn, int reps, int warmup) {
    return interleavedMedians({fn}, reps, warmup)[0];
}

std::vector<double> interleavedMedians(const std::vector<std::function<void()>>& fns, int reps, int warmup) {
    using Clock = std::chrono::steady_clock;
    for (int w = 0; w < warmup; ++w)
        for (auto& f : fns) f();
    std::vector<std::vector<double>> times(fns.size());
    for (int r = 0; r < reps; ++r) {
        for (size_t i = 0; i < fns.size(); ++i) {
            auto t0 = Clock::now();
            fns[i]();
            times[i].push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
    }
    std::vector<double> med;
    for (auto& t : times) {
        std::sort(t.begin(), t.end());
        med.push_back(t.empty() ? 0.0 : t[t.size() / 2]);
    }
    return med;
}

std::vector<Section>& sections() {
    static std::vector<Section> s;
    return s;
}

int registerSection(std::string name, std::function<void(BenchReport&)> run) {
    sections().push_back({std::move(name), std::move(run)});
    return static_cast<int>(sections().size());
}

}  // namespace qv::bench
