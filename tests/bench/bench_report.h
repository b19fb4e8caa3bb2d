// BenchReport: how every benchmark section records figures; written as a table and as results.json.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace qv::bench {

// One figure. Records compared with a peer carry `vs` (the peer record's name) and
// timeRatio = our time / its time (< 1: we are faster). GEMM records also carry M, N, K, threads.
struct Record {
    std::string name;
    double value = 0;
    std::string unit;
    std::optional<std::string> vs;
    std::optional<double> timeRatio;
    std::optional<long> M, N, K;
    std::optional<int> threads;
    std::string note;  // shown in the table only
};

class BenchReport {
public:
    void add(Record r);
    const std::vector<Record>& records() const { return m_records; }
    void printTable() const;
    bool writeJson(const std::string& path) const;

private:
    std::vector<Record> m_records;
};

// Median of repeated timings in seconds; `fn` is run `reps` times after `warmup` runs.
double medianSeconds(const std::function<void()>& fn, int reps, int warmup = 1);
// Interleaved medians for a set of candidates (fairer on a noisy shared machine).
std::vector<double> interleavedMedians(const std::vector<std::function<void()>>& fns, int reps, int warmup = 1);

// A benchmark section: registered statically by each bench_*.cpp, run in registration order
// unless --only selects some by name.
struct Section {
    std::string name;
    std::function<void(BenchReport&)> run;
};
int registerSection(std::string name, std::function<void(BenchReport&)> run);
std::vector<Section>& sections();

}  // namespace qv::bench

#define QV_BENCH_CONCAT2(a, b) a##b
#define QV_BENCH_CONCAT(a, b) QV_BENCH_CONCAT2(a, b)
#define QV_BENCH_SECTION(name, fn) \
    static const int QV_BENCH_CONCAT(qvBenchSection_, __LINE__) = ::qv::bench::registerSection(name, fn)
