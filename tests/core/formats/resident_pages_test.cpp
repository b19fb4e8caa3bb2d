// Streaming passes over a tensor above streamReleaseBytes() leave its pages unmapped behind them:
// the process's resident set does not grow to the tensor's size (ROADMAP: memory ceilings for
// 20 GB+ models on a 24 GB machine). Measured on the mapping itself through /proc/self/smaps.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/formats/model_file.h"
#include "core/metrics/error_stats.h"
#include "core/stats/tensor_summary.h"
#include "core/base/page_releaser.h"
#include "core/tensor/tensor_view.h"
#include "tests/core/formats/format_builders.h"
#include "tests/core/gguf/gguf_writer.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// Resident kB of the mapping that contains `p` (the "Rss:" line of its /proc/self/smaps entry).
long residentKb(const void* p) {
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    const auto addr = reinterpret_cast<uintptr_t>(p);
    bool inside = false;
    while (std::getline(smaps, line)) {
        unsigned long lo = 0, hi = 0;
        // A mapping's header line starts "lo-hi perms …"; field lines ("Rss:   12 kB") never parse
        // as two hex numbers joined by '-'.
        if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {
            inside = addr >= lo && addr < hi;
            continue;
        }
        if (inside && line.rfind("Rss:", 0) == 0) return std::stol(line.substr(4));
    }
    return -1;
}

struct ThresholdGuard {
    uint64_t saved = streamReleaseBytes(), savedSource = sourceReleaseBytes();
    ~ThresholdGuard() {
        setStreamReleaseBytes(saved);
        setSourceReleaseBytes(savedSource);
    }
};

TEST(ResidentPages, PassesOverALargeTensorDoNotKeepItResident) {
    // 16 MiB of f32 (4M values, i mod 1000 − 500) in a safetensors file.
    const size_t n = 4u << 20;
    std::vector<float> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = static_cast<float>(static_cast<int>(i % 1000) - 500);
    const std::string header = R"({"w":{"dtype":"F32","shape":[)" + std::to_string(n) + R"(],"data_offsets":[0,)" +
                               std::to_string(n * 4) + "]}}";
    const std::string path = test::tempPath("resident.safetensors");
    test::writeBytes(path, test::safetensorsImage(header, test::rawBytes(values)));
    ThresholdGuard restore;

    auto run = [&](uint64_t threshold, long& rssAfterSummary, long& rssAfterError, double& mse, double& mean) {
        setStreamReleaseBytes(threshold);
        setSourceReleaseBytes(uint64_t{1} << 40);
        auto model = openModel(path);
        ASSERT_TRUE(model) << model.message();
        TensorView view = model.value()->view(0);
        ASSERT_EQ(view.releasesPages(), threshold <= n * 4);
        auto s = summarize(view);
        ASSERT_TRUE(s) << s.message();
        rssAfterSummary = residentKb(view.rawBytes().data());
        QuantParams params;
        params.scheme.bits = 8;
        params.slices = {SliceParams{500.0f / 127.0f, 0}};
        auto e = measureError(view, params);
        ASSERT_TRUE(e) << e.message();
        rssAfterError = residentKb(view.rawBytes().data());
        mse = e.value()->total.mse;
        mean = s.value()->mean;
        EXPECT_EQ(s.value()->min, -500.0);
        EXPECT_EQ(s.value()->max, 499.0);
    };
    long keptS = 0, keptE = 0, droppedS = 0, droppedE = 0;
    double keptMse = 0, droppedMse = 0, keptMean = 0, droppedMean = 0;
    run(uint64_t{1} << 40, keptS, keptE, keptMse, keptMean);  // never release: the default for small tensors
    run(1u << 20, droppedS, droppedE, droppedMse, droppedMean);
    // Kept: the whole 16 MiB is resident after the pass. Released: at most the header page and the
    // partial pages at the tensor's ends remain.
    EXPECT_GE(keptS, 16 * 1024 - 8);
    EXPECT_GE(keptE, 16 * 1024 - 8);
    EXPECT_LE(droppedS, 16) << "kB resident after the summary";
    EXPECT_LE(droppedE, 16) << "kB resident after the exact pass";
    // Same numbers either way: releasing pages changes residency, never values.
    EXPECT_EQ(keptMse, droppedMse);
    EXPECT_EQ(keptMean, droppedMean);
}

TEST(ResidentPages, BlockQuantizedTensorsReleaseWholeBlocks) {
    // A GGUF Q8_0 tensor (blocks of 32 values in 34 bytes: f16 scale d, 32 int8) of 128K blocks,
    // 4.25 MiB, read through the converting path. Block b holds d = 1 (f16 0x3C00) and codes
    // (b + i) mod 7 − 3, so every value is an integer in [−3, 3].
    const uint64_t blocks = 128 * 1024;
    std::vector<std::byte> data(blocks * 34);
    for (uint64_t b = 0; b < blocks; ++b) {
        data[b * 34] = std::byte{0x00};
        data[b * 34 + 1] = std::byte{0x3C};
        for (int i = 0; i < 32; ++i) data[b * 34 + 2 + i] = static_cast<std::byte>(static_cast<int8_t>(int((b + i) % 7) - 3));
    }
    test::GgufWriter w;
    w.addTensor({"q", {blocks * 32}, 8, data});
    const std::string path = test::tempPath("resident_q8.gguf");
    test::writeBytes(path, w.build());
    ThresholdGuard restore;
    setSourceReleaseBytes(uint64_t{1} << 40);
    for (uint64_t threshold : {uint64_t{1} << 40, uint64_t{1} << 20}) {
        setStreamReleaseBytes(threshold);
        auto model = openModel(path);
        ASSERT_TRUE(model) << model.message();
        TensorView view = model.value()->view(0);
        auto s = summarize(view);
        ASSERT_TRUE(s) << s.message();
        EXPECT_EQ(s.value()->min, -3.0);
        EXPECT_EQ(s.value()->max, 3.0);
        const long rss = residentKb(view.rawBytes().data());
        if (threshold > data.size()) EXPECT_GE(rss, long(data.size() / 1024) - 8) << "kept";
        else EXPECT_LE(rss, 16) << "released: only pages at the tensor's ends may stay";
    }
}

TEST(ResidentPages, ALargeFileReleasesEvenItsSmallTensors) {
    // Two 64 KiB tensors in a 128 KiB file: below the tensor threshold, above the file threshold (a
    // model that is a large part of memory: a sweep over all its tensors must not keep it resident).
    const std::string header = R"({"a":{"dtype":"F32","shape":[16384],"data_offsets":[0,65536]},)"
                               R"("b":{"dtype":"F32","shape":[16384],"data_offsets":[65536,131072]}})";
    const std::string path = test::tempPath("large_file.safetensors");
    test::writeBytes(path, test::safetensorsImage(header, std::vector<std::byte>(131072, std::byte{0x3f})));
    ThresholdGuard restore;
    setStreamReleaseBytes(uint64_t{1} << 40);
    auto model = openModel(path);
    ASSERT_TRUE(model) << model.message();
    setSourceReleaseBytes(uint64_t{1} << 20);
    EXPECT_FALSE(model.value()->view(0).releasesPages()) << "a 128 KiB file is below 1 MiB";
    setSourceReleaseBytes(100000);
    EXPECT_TRUE(model.value()->view(0).releasesPages());
    EXPECT_TRUE(model.value()->view(1).releasesPages());
    EXPECT_GT(sourceReleaseBytes(), 0u);
}

TEST(ResidentPages, ReleaserHandsOverTheFinishedPrefixInBatches) {
    // 10 chunks of 4 elements, batches of at least 12 elements, chunks finishing out of order.
    std::vector<std::pair<uint64_t, uint64_t>> calls;
    PageReleaser r(38, 4, 12, [&](uint64_t first, uint64_t count) { calls.push_back({first, count}); });
    for (uint64_t c : {1, 2, 0}) r.chunkDone(c * 4);  // prefix 0..2 = 12 elements: one batch
    EXPECT_EQ(calls, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 12}}));
    for (uint64_t c : {4, 5, 6}) r.chunkDone(c * 4);  // chunk 3 missing: nothing to release yet
    EXPECT_EQ(calls.size(), 1u);
    r.chunkDone(12);  // 3..6 done: 16 elements
    for (uint64_t c : {9, 8, 7}) r.chunkDone(c * 4);  // the last chunk (36..37) makes the rest due
    EXPECT_EQ(calls, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 12}, {12, 16}, {28, 10}}));
    PageReleaser inert;
    inert.chunkDone(0);
    EXPECT_FALSE(inert.active());
}

}  // namespace
}  // namespace qv
