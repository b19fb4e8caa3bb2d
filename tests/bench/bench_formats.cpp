// Bench section "formats": openModel on a sparse 10 GB safetensors file vs a 1 MB one with the same
// header, and resident memory before/after the open (it must stay flat: headers only, mmap).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "core/formats/model_file.h"
#include "tests/bench/bench_report.h"

namespace qv::bench {
namespace {

double rssBytes() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) * 1024.0;
    return 0;
}

// Writes a safetensors header describing `tensors` F16 tensors of rows × cols in a Llama-like
// naming scheme, then extends the file to its full size with ftruncate: the data section exists
// but takes no disk blocks (sparse), so a "10 GB model" costs nothing to create.
bool writeSparseSafetensors(const std::string& path, int tensors, int64_t rows, int64_t cols, uint64_t& fileSize) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    header["__metadata__"] = {{"format", "pt"}, {"note", "quantviz bench: sparse file"}};
    const char* kinds[] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                           "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "post_attention_layernorm"};
    uint64_t offset = 0;
    const uint64_t bytes = static_cast<uint64_t>(rows * cols) * 2;
    for (int i = 0; i < tensors; ++i) {
        const std::string name = "model.layers." + std::to_string(i / 8) + "." + kinds[i % 8] + ".weight";
        header[name] = {{"dtype", "F16"}, {"shape", {rows, cols}}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((uint64_t{text.size()} >> (8 * i)) & 0xFF);
    fileSize = 8 + text.size() + offset;
    bool ok = std::fwrite(len, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
              std::fflush(f) == 0 && ::ftruncate(::fileno(f), static_cast<off_t>(fileSize)) == 0;
    ok = std::fclose(f) == 0 && ok;
    return ok;
}

void runFormats(BenchReport& report) {
    namespace fs = std::filesystem;
    const std::string stem = (fs::temp_directory_path() / ("qv-bench-formats-" + std::to_string(::getpid()))).string();
    const std::string big = stem + "-10gb.safetensors";
    const std::string small = stem + "-1mb.safetensors";
    // 320 tensors each way: 320 × 4096 × 4096 F16 = 10 GiB; 320 × 16 × 100 F16 ≈ 1 MB.
    constexpr int kTensors = 320;
    uint64_t bigSize = 0, smallSize = 0;
    if (!writeSparseSafetensors(big, kTensors, 4096, 4096, bigSize) ||
        !writeSparseSafetensors(small, kTensors, 16, 100, smallSize)) {
        std::printf("  formats: cannot create the sparse files under %s; skipped\n", fs::temp_directory_path().c_str());
        fs::remove(big);
        fs::remove(small);
        return;
    }
    bool ok = true;
    auto openOnce = [&](const std::string& p) {
        auto m = openModel(p);
        if (!m || (*m)->tensors.size() != kTensors) ok = false;
    };
    const auto medians = interleavedMedians({[&] { openOnce(big); }, [&] { openOnce(small); }}, 31, 3);

    const double rssBefore = rssBytes();
    auto held = openModel(big);  // kept open while measuring: the mapping must not pull pages in
    const double rssAfter = rssBytes();
    if (!held || !ok) std::printf("  formats: opening the bench files failed: %s\n", held ? "" : held.message().c_str());
    held = makeError("released");
    fs::remove(big);
    fs::remove(small);

    Record b;
    b.name = "open_10gb_safetensors";
    b.value = medians[0] * 1e3;
    b.unit = "ms";
    b.vs = "open_1mb_safetensors";
    b.timeRatio = medians[0] / medians[1];
    b.note = std::to_string(bigSize >> 20) + " MiB sparse file, " + std::to_string(kTensors) + " tensors, median of 31 (interleaved)";
    report.add(b);
    Record s;
    s.name = "open_1mb_safetensors";
    s.value = medians[1] * 1e3;
    s.unit = "ms";
    s.note = std::to_string(smallSize >> 10) + " KiB, same 320-tensor header";
    report.add(s);
    Record r;
    r.name = "open_10gb_safetensors_rss_delta";
    r.value = (rssAfter - rssBefore) / (1024.0 * 1024.0);
    r.unit = "MiB";
    r.note = "RSS " + std::to_string(static_cast<long>(rssBefore / 1048576)) + " → " +
             std::to_string(static_cast<long>(rssAfter / 1048576)) + " MiB across openModel";
    report.add(r);
}

QV_BENCH_SECTION("formats", runFormats);

}  // namespace
}  // namespace qv::bench
