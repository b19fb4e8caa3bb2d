// Bench section "gguf": opening a sparse 10 GB GGUF (header only, memory flat) and block-decoding speed per type.
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
#include "core/tensor/ggml_encode.h"
#include "core/tensor/ggml_encode_impl.h"
#include "core/tensor/half.h"
#include "tests/bench/bench_report.h"

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

// Appends little-endian fields straight to a FILE (no intermediate buffer).
struct FieldWriter {
    std::FILE* f;
    uint64_t written = 0;
    bool ok = true;
    void raw(const void* p, size_t n) {
        ok = ok && std::fwrite(p, 1, n, f) == n;
        written += n;
    }
    template <class T>
    void put(T v) { raw(&v, sizeof v); }
    void str(const std::string& s) {
        put<uint64_t>(s.size());
        raw(s.data(), s.size());
    }
};

// Writes a GGUF header describing `tensors` F16 tensors of rows × cols each, then extends the file with
// ftruncate so the data section exists but occupies no disk blocks (a sparse file).
bool writeSparseGguf(const std::string& path, int tensors, uint64_t rows, uint64_t cols, uint64_t& fileSize) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    FieldWriter w{f};
    w.raw("GGUF", 4);
    w.put<uint32_t>(3);
    w.put<uint64_t>(static_cast<uint64_t>(tensors));
    w.put<uint64_t>(2);
    w.str("general.architecture");
    w.put<uint32_t>(8);  // string
    w.str("bench");
    w.str("general.alignment");
    w.put<uint32_t>(4);  // u32
    w.put<uint32_t>(32);
    const uint64_t bytesEach = rows * cols * 2;  // F16
    for (int t = 0; t < tensors; ++t) {
        w.str("blk." + std::to_string(t) + ".ffn.weight");
        w.put<uint32_t>(2);
        w.put<uint64_t>(cols);  // GGUF order: row length first
        w.put<uint64_t>(rows);
        w.put<uint32_t>(1);     // F16
        w.put<uint64_t>(static_cast<uint64_t>(t) * bytesEach);
    }
    const uint64_t dataStart = (w.written + 31) / 32 * 32;
    fileSize = dataStart + static_cast<uint64_t>(tensors) * bytesEach;
    bool ok = w.ok && std::fflush(f) == 0 && ::ftruncate(::fileno(f), static_cast<off_t>(fileSize)) == 0;
    ok = std::fclose(f) == 0 && ok;
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
    // Designated initializers: member-by-member assignment trips a GCC 12 -O3 false -Wmaybe-uninitialized.
    report.add(Record{.name = "open_10gb_gguf",
                      .value = seconds * 1e3,
                      .unit = "ms",
                      .note = std::to_string(size >> 20) + " MiB sparse file, " + std::to_string(tensors) +
                              " tensors, median of 9"});
    report.add(Record{.name = "open_10gb_gguf_rss_delta",
                      .value = std::max(0.0, rssOpen - rssBefore) / (1 << 20),
                      .unit = "MiB",
                      .note = "peak VmRSS while open minus before"});
}

// Decoding throughput of each ggml block type (random quants, normal f16 scales), one thread.
void decodeSpeed(BenchReport& report) {
    // Each type with the byte offsets of its f16 scale fields (ggml-common.h), set to 0.5 in every block:
    // random bits there would give subnormals/NaN, whose slow paths would be measured instead of decoding.
    struct TypeCase {
        DType type;
        std::vector<int> f16Fields;
    };
    const TypeCase cases[] = {
        {DType::Q4_0, {0}},    {DType::Q4_1, {0, 2}}, {DType::Q5_0, {0}},      {DType::Q5_1, {0, 2}},
        {DType::Q8_0, {0}},    {DType::Q2_K, {80, 82}}, {DType::Q3_K, {108}},  {DType::Q4_K, {0, 2}},
        {DType::Q5_K, {0, 2}}, {DType::Q6_K, {208}},  {DType::IQ4_NL, {0}},    {DType::IQ4_XS, {0}},
        {DType::TQ1_0, {52}},  {DType::TQ2_0, {64}},
    };
    constexpr size_t kElements = size_t{1} << 22;  // 4M floats = 16 MiB out per pass
    std::mt19937 rng(7);
    std::vector<float> out(kElements);
    for (const auto& c : cases) {
        const DType t = c.type;
        const auto& tr = traits(t);
        const size_t blocks = kElements / tr.blockElements;
        std::vector<std::byte> src(blocks * tr.blockBytes);
        for (auto& b : src) b = static_cast<std::byte>(rng());
        const uint16_t half = f32ToF16(0.5f);
        for (size_t k = 0; k < blocks; ++k)
            for (int off : c.f16Fields) std::memcpy(&src[k * tr.blockBytes + static_cast<size_t>(off)], &half, 2);
        const double secs = medianSeconds([&] { decodeGgmlBlocks(t, src.data(), blocks, out.data()); }, 7, 1);
        report.add(Record{.name = "dequant_" + std::string(tr.name),
                          .value = static_cast<double>(kElements) / secs / 1e9,
                          .unit = "Gelem/s",
                          .threads = 1,
                          .note = "decodeGgmlBlocks, 4M elements"});
    }
}

// Encoding throughput of each type quantviz writes as llama.cpp does (Gaussian weights, one thread): what the
// Compare tab's llama.cpp view and quantviz-cli llamacpp spend per element. The K-quants and IQ4_NL search
// their scales, so they cost tens of times more than the legacy types; those are also timed through every path
// this CPU runs (requant_<type>_portable, _avx2, _avx512; the record without a suffix takes the widest).
void encodeSpeed(BenchReport& report) {
    constexpr size_t kElements = size_t{1} << 20;  // 1M floats (a multiple of every block size)
    std::mt19937 rng(11);
    std::normal_distribution<float> g(0.0f, 0.02f);
    std::vector<float> x(kElements);
    for (auto& v : x) v = g(rng);
    for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K, DType::Q3_K,
                    DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS}) {
        const auto& tr = traits(t);
        const size_t blocks = kElements / tr.blockElements;
        std::vector<std::byte> out(blocks * tr.blockBytes);
        const double secs = medianSeconds([&] { encodeGgmlBlocks(t, x.data(), blocks, out.data()); }, 5, 1);
        report.add(Record{.name = "requant_" + std::string(tr.name),
                          .value = static_cast<double>(kElements) / secs / 1e6,
                          .unit = "Melem/s",
                          .threads = 1,
                          .note = "encodeGgmlBlocks (llama.cpp's reference quantizer), 1M Gaussian values"});
        // The types with a vector form, through each path this CPU runs (the record above took the widest).
        if (t == DType::Q8_0 || t == DType::Q4_0 || t == DType::Q4_1 || t == DType::Q5_0 || t == DType::Q5_1) continue;
        for (const auto& [path, suffix] :
             {std::pair{GgmlEncodePath::Portable, "_portable"}, std::pair{GgmlEncodePath::Avx2, "_avx2"},
              std::pair{GgmlEncodePath::Avx512, "_avx512"}}) {
            if (!ggmlEncodePathAvailable(path)) continue;
            const double pathSecs =
                medianSeconds([&] { encodeGgmlBlocksWith(path, t, x.data(), blocks, out.data()); }, 5, 1);
            report.add(Record{.name = "requant_" + std::string(tr.name) + suffix,
                              .value = static_cast<double>(kElements) / pathSecs / 1e6,
                              .unit = "Melem/s",
                              .threads = 1,
                              .note = std::string("encodeGgmlBlocksWith(") + (suffix + 1) + "), 1M Gaussian values"});
        }
    }
}

void runGguf(BenchReport& report) {
    openTenGigabytes(report);
    decodeSpeed(report);
    encodeSpeed(report);
}

QV_BENCH_SECTION("gguf", runGguf);

}  // namespace
}  // namespace qv::bench
