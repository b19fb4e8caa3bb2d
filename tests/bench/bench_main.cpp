// quantviz-bench: runs every registered section, prints the table, writes results.json.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/bench/bench_report.h"

int main(int argc, char** argv) {
    std::string out = "build/bench/results.json";
    std::vector<std::string> only;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only.emplace_back(argv[++i]);
        else if (!std::strcmp(argv[i], "--list")) {
            for (auto& s : qv::bench::sections()) std::printf("%s\n", s.name.c_str());
            return 0;
        } else {
            std::fprintf(stderr, "usage: quantviz-bench [--out results.json] [--only SECTION]... [--list]\n");
            return 2;
        }
    }
    qv::bench::BenchReport report;
    for (auto& s : qv::bench::sections()) {
        if (!only.empty() && std::find(only.begin(), only.end(), s.name) == only.end()) continue;
        std::printf("== %s\n", s.name.c_str());
        std::fflush(stdout);
        s.run(report);
    }
    report.printTable();
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(out).parent_path(), ec);
    if (!report.writeJson(out)) {
        std::fprintf(stderr, "quantviz-bench: cannot write %s\n", out.c_str());
        return 1;
    }
    std::printf("\nwrote %s\n", out.c_str());
    return 0;
}
