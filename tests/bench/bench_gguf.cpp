// Bench section "gguf": opening a sparse 10 GB GGUF (header only, memory flat) and block-decoding speed per type.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/formats/model_file.h"
#include "core/tensor/dtype.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/half.h"
#include "tests/bench/bench_report.h"
#include "tests/core/gguf/gguf_writer.h"

namespace qv::bench {
namespace {

// Resident set size in bytes, from /proc/self/status (VmRSS, kB).
double rssBytes() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) * 1024.0;
    return 0;
}

// Writes a GGUF header describing `tensors` F16 tensors of rows × cols each, then extends the file with
// ftruncate so the data section exists but occupies no disk blocks (a sparse file).
bool writeSparseGguf(const std::string& path, int tensors, uint64_t rows, uint64_t cols, uint64_t& fileSize) {
    test::ByteWriter w;
    w.putRaw("GGUF", 4);
    w.put<uint32_t>(3);
    w.put<uint64_t>(static_cast<uint64_t>(tensors));
    w.put<uint64_t>(2);
    w.putString("general.architecture");
    w.put<uint32_t>(test::kString);
    w.putString("bench");
    w.putString("general.alignment");
    w.put<uint32_t>(test::kU32);
    w.put<uint32_t>(32);
    const uint64_t bytesEach = rows * cols * 2;  // F16
    for (int t = 0; t < tensors; ++t) {
        w.putString("blk." + std::to_string(t) + ".ffn.weight");
        w.put<uint32_t>(2);
        w.put<uint64_t>(cols);  // GGUF order: row length first
        w.put<uint64_t>(rows);
        w.put<uint32_t>(1);     // F16
        w.put<uint64_t>(static_cast<uint64_t>(t) * bytesEach);
    }
    w.padTo(32);
    fileSize = w.size() + static_cast<uint64_t>(tensors) * bytesEach;
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) return false;
    bool ok = ::write(fd, w.bytes().data(), w.size()) == static_cast<ssize_t>(w.size()) &&
              ::ftruncate(fd, static_cast<off_t>(fileSize)) == 0;
    ::close(fd);
    return ok;
}

void openTenGigabytes(BenchReport& report) {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("qv-bench-10gb-" + std::to_string(::getpid()) + ".gguf")).string();
    // 5 tensors of 32768 × 32768 F16 = 5 × 2 GiB = 10 GiB.
    uint64_t size = 0;
    if (!writeSparseGguf(path, 5, 32768, 32768, size)) {
        std::printf("  gguf: cannot create the sparse file %s; skipped\n", path.c_str());
        return;
    }
    const double rssBefore = rssBytes();
    size_t tensors = 0;
    double rssOpen = 0;
    const double seconds = medianSeconds(
        [&] {
            auto m = openModel(path);
            if (!m) {
                std::printf("  gguf: %s\n", m.message().c_str());
                return;
            }
            tensors = (*m)->tensors.size();
            rssOpen = std::max(rssOpen, rssBytes());
        },
        9, 1);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    Record r;
    r.name = "open_10gb_gguf";
    r.value = seconds * 1e3;
    r.unit = "ms";
    r.note = std::to_string(size >> 20) + " MiB sparse file, " + std::to_string(tensors) + " tensors, median of 9";
    report.add(r);
    Record m;
    m.name = "open_10gb_gguf_rss_delta";
    m.value = std::max(0.0, rssOpen - rssBefore) / (1 << 20);
    m.unit = "MiB";
    m.note = "peak VmRSS while open minus before";
    report.add(m);
}

// Decoding throughput of each ggml block type (random quants, scales set to 1 so no NaN/Inf), one thread.
void decodeSpeed(BenchReport& report) {
    const DType types[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K,
                           DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS};
    constexpr size_t kElements = size_t{1} << 22;  // 4M floats = 16 MiB out per pass
    std::mt19937 rng(7);
    std::vector<float> out(kElements);
    for (DType t : types) {
        const auto& tr = traits(t);
        const size_t blocks = kElements / tr.blockElements;
        std::vector<std::byte> src(blocks * tr.blockBytes);
        for (auto& b : src) b = static_cast<std::byte>(rng());
        const double secs = medianSeconds([&] { decodeGgmlBlocks(t, src.data(), blocks, out.data()); }, 7, 1);
        Record r;
        r.name = "dequant_" + std::string(tr.name);
        r.value = static_cast<double>(kElements) / secs / 1e9;
        r.unit = "Gelem/s";
        r.threads = 1;
        r.note = "decodeGgmlBlocks, 4M elements";
        report.add(r);
    }
}

void runGguf(BenchReport& report) {
    openTenGigabytes(report);
    decodeSpeed(report);
}

QV_BENCH_SECTION("gguf", runGguf);

}  // namespace
}  // namespace qv::bench
