// Hostile safetensors/.npy files built byte by byte: each must be refused with a message naming
// the problem, never read out of bounds. Also compiled with ASan+UBSan (qv_formats_asan_tests).
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "core/formats/model_file.h"
#include "core/formats/npy.h"
#include "core/formats/safetensors.h"
#include "tests/core/formats/format_builders.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

using test::rawBytes;
using test::safetensorsImage;

struct Hostile {
    const char* what;
    std::vector<std::byte> bytes;
    std::vector<std::string> expected;  // substrings of the error message
};

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, const std::string& offsets) {
    return "\"" + name + R"(":{"dtype":")" + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}";
}

std::vector<Hostile> hostileSafetensors() {
    const std::vector<std::byte> data16(16);
    const std::string ok = "{" + entry("w", "F32", "[2,2]", "[0,16]") + "}";
    std::vector<Hostile> h;
    h.push_back({"empty file", {}, {"file is empty"}});
    h.push_back({"truncated length", std::vector<std::byte>(4), {"truncated", "byte offset 0", "needs 8 bytes, file has 4"}});
    h.push_back({"absurd header length", safetensorsImage(ok, data16, uint64_t{1} << 60),
                 {"header length 1152921504606846976", "is absurd", "byte offset 0"}});
    h.push_back({"header length past EOF", safetensorsImage(ok, data16, ok.size() + 17),
                 {"header length", "runs past the end of the file"}});
    const auto whole = safetensorsImage(ok, data16);
    h.push_back({"truncated header", std::vector<std::byte>(whole.begin(), whole.begin() + 20),
                 {"header length " + std::to_string(ok.size()), "runs past the end of the file (12 bytes after byte offset 8)"}});
    h.push_back({"invalid JSON", safetensorsImage(R"({"w":{"dtype":"F32",,}})", data16), {"header JSON is invalid", "byte offset 2"}});
    h.push_back({"JSON not an object", safetensorsImage("[1,2,3] ", data16), {"is not an object"}});
    // Found by fuzzing: a number literal that overflows double makes nlohmann throw out_of_range,
    // not parse_error — it must still be a refusal, never an abort.
    h.push_back({"overflowing number literal", safetensorsImage(R"({"w":99999990440E7370})", data16),
                 {"header JSON is invalid"}});
    h.push_back({"entry not an object", safetensorsImage(R"({"w":5})", data16), {"tensor 'w'", "not a JSON object"}});
    h.push_back({"offsets past the end", safetensorsImage("{" + entry("w", "F32", "[2,2]", "[8,24]") + "}", data16),
                 {"tensor 'w'", "'data_offsets'", "end 24", "past the end of the data (16 bytes"}});
    h.push_back({"begin > end", safetensorsImage("{" + entry("w", "F32", "[1]", "[12,8]") + "}", data16),
                 {"tensor 'w'", "'data_offsets'", "begin 12 > end 8 (relative to the data at byte offset"}});
    h.push_back({"overlapping tensors",
                 safetensorsImage("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]") + "}", data16),
                 {"tensor 'b'", "[4, 12) overlaps tensor 'a' [0, 8)"}});
    h.push_back({"wrong dtype size", safetensorsImage("{" + entry("w", "F16", "[2,2]", "[0,16]") + "}", data16),
                 {"tensor 'w'", "spans 16 bytes", "shape [2, 2] of F16 needs 8"}});
    h.push_back({"negative shape", safetensorsImage("{" + entry("w", "F32", "[-1,4]", "[0,16]") + "}", data16),
                 {"tensor 'w' (header entry at byte offset 9): field 'shape'[0] is negative (-1)"}});
    h.push_back({"overflowing shape",
                 safetensorsImage("{" + entry("w", "F32", "[4294967296,4294967296]", "[0,16]") + "}", data16),
                 {"tensor 'w'", "field 'shape' [4294967296, 4294967296]", "overflows"}});
    h.push_back({"shape times size overflows", safetensorsImage("{" + entry("w", "F64", "[4611686018427387904]", "[0,16]") + "}", data16),
                 {"tensor 'w'", "overflows 64 bits"}});
    h.push_back({"huge shape entry", safetensorsImage("{" + entry("w", "F32", "[18446744073709551615]", "[0,16]") + "}", data16),
                 {"tensor 'w'", "'shape'[0] is too large"}});
    h.push_back({"fractional shape", safetensorsImage("{" + entry("w", "F32", "[2.5]", "[0,16]") + "}", data16),
                 {"tensor 'w'", "'shape'[0] is not a non-negative integer"}});
    h.push_back({"unknown dtype", safetensorsImage("{" + entry("w", "C64", "[2]", "[0,16]") + "}", data16),
                 {"tensor 'w' (header entry at byte offset 9): field 'dtype': unknown dtype 'C64'"}});
    h.push_back({"fp8 dtype", safetensorsImage("{" + entry("w", "F8_E4M3", "[16]", "[0,16]") + "}", data16),
                 {"tensor 'w'", "unsupported dtype 'F8_E4M3'", "ROADMAP"}});
    h.push_back({"missing dtype", safetensorsImage(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", data16),
                 {"tensor 'w'", "field 'dtype' missing"}});
    h.push_back({"bad data_offsets", safetensorsImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", data16),
                 {"tensor 'w'", "'data_offsets' must be an array of two non-negative integers"}});
    h.push_back({"negative data_offsets", safetensorsImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", data16),
                 {"tensor 'w'", "'data_offsets' must be"}});
    h.push_back({"metadata not an object", safetensorsImage(R"({"__metadata__":[1]})", data16), {"'__metadata__' is not an object"}});
    std::string manyDims = "[";
    for (int i = 0; i < 65; ++i) manyDims += i ? ",1" : "1";
    manyDims += "]";
    h.push_back({"65 dimensions", safetensorsImage("{" + entry("w", "F32", manyDims, "[0,4]") + "}", data16),
                 {"tensor 'w'", "field 'shape' has 65 dimensions (limit 64)"}});
    h.push_back({"deeply nested JSON", safetensorsImage(std::string(1000, '[') + std::string(1000, ']'), data16),
                 {"header JSON nests deeper than 16 levels at byte offset 24"}});
    h.push_back({"tiny header", safetensorsImage("{", {}), {"too small for a JSON object"}});
    return h;
}

TEST(HostileSafetensors, EachIsRefusedWithItsReason) {
    const std::string path = test::tempPath("hostile.safetensors");
    for (const auto& h : hostileSafetensors()) {
        test::writeBytes(path, h.bytes);
        auto m = openModel(path);
        ASSERT_FALSE(m.ok()) << h.what;
        EXPECT_NE(m.message().find(path), std::string::npos) << h.what << ": " << m.message();
        for (const auto& s : h.expected)
            EXPECT_NE(m.message().find(s), std::string::npos) << h.what << ": missing \"" << s << "\" in: " << m.message();
    }
}

TEST(HostileSafetensors, BracketsInsideStringsAreNotNesting) {
    const std::string deepInString(40, '[');
    std::string header = "{";  // appended piecewise: GCC 12's -Wrestrict misfires on "lit" + string&&
    header += entry("w", "F32", "[4]", "[0,16]");
    header += R"(,"__metadata__":{"k":")";
    header += deepInString;
    header += R"(\"[{"}})";
    const std::string path = test::tempPath("strings.safetensors");
    test::writeBytes(path, safetensorsImage(header, std::vector<std::byte>(16)));
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    ASSERT_EQ((*m)->metadata.size(), 1u);
    EXPECT_EQ((*m)->metadata[0].value, deepInString + "\"[{");
}

// Every prefix of a valid file, and every single-byte corruption of its header, must either be
// refused or open with views that stay inside the file (ASan checks the reads).
TEST(HostileSafetensors, TruncationsAndByteFlipsNeverReadOutOfBounds) {
    const std::string good = test::tempPath("good.safetensors");
    ASSERT_TRUE(writeSafetensors(good, {{"a", DType::F32, {2, 3}, rawBytes(std::vector<float>{1, 2, 3, 4, 5, 6})},
                                        {"b", DType::F16, {4}, rawBytes(std::vector<uint16_t>{1, 2, 3, 4})}},
                                 {{"k", "v"}})
                    .ok());
    auto full = openSafetensors(good);
    ASSERT_TRUE(full.ok());
    const auto bytes = full->sources[0]->bytes();
    const std::vector<std::byte> image(bytes.begin(), bytes.end());
    // Hundreds of tiny files: write them in RAM (/dev/shm) when available, the disk is slow here.
    const std::string path = std::filesystem::is_directory("/dev/shm")
                                 ? "/dev/shm/qv-mutant-" + std::to_string(::getpid()) + ".safetensors"
                                 : test::tempPath("mutant.safetensors");
    auto exercise = [&](const std::vector<std::byte>& img) {
        test::writeBytes(path, img);
        auto m = openModel(path);
        if (!m.ok()) {
            EXPECT_FALSE(m.message().empty());
            return;
        }
        for (size_t i = 0; i < (*m)->tensors.size(); ++i) {
            auto v = (*m)->view(i);
            if (v.elements() <= 4096) (void)v.toFloat();
        }
    };
    for (size_t len = 0; len < image.size(); ++len)
        exercise(std::vector<std::byte>(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(len)));
    const size_t headerEnd = image.size() - 32;
    const std::byte flips[] = {std::byte{'0'}, std::byte{'9'}, std::byte{'-'}, std::byte{'"'}, std::byte{'}'}, std::byte{0xFF}};
    for (size_t pos = 0; pos < headerEnd; ++pos)
        for (std::byte f : flips) {
            auto img = image;
            img[pos] = f;
            exercise(img);
        }
    std::filesystem::remove(path);
}

TEST(HostileNpy, TruncationsAndByteFlipsNeverReadOutOfBounds) {
    const std::string good = test::tempPath("good.npy");
    ASSERT_TRUE(writeNpy(good, DType::I16, {3, 2}, rawBytes(std::vector<int16_t>{1, 2, 3, 4, 5, 6})).ok());
    auto full = openNpy(good);
    ASSERT_TRUE(full.ok());
    const auto bytes = full->sources[0]->bytes();
    const std::vector<std::byte> image(bytes.begin(), bytes.end());
    for (size_t len = 0; len < image.size(); ++len) {
        std::span<const std::byte> prefix(image.data(), len);
        auto info = parseNpyHeader(prefix, "x", "mem");
        EXPECT_FALSE(info.ok()) << len;  // every proper prefix is short of data
    }
    const std::byte flips[] = {std::byte{'9'}, std::byte{'('}, std::byte{','}, std::byte{'\''}, std::byte{0}, std::byte{0xFF}};
    for (size_t pos = 0; pos < 64; ++pos)
        for (std::byte f : flips) {
            auto img = image;
            img[pos] = f;
            auto info = parseNpyHeader(img, "x", "mem");
            if (!info.ok()) continue;
            // Accepted: the claimed range must lie inside the image.
            EXPECT_LE(info->offset + info->bytes, img.size());
            auto src = std::make_shared<OwnedBytes>(img);
            TensorView v(*info, src);
            if (v.elements() <= 4096) (void)v.toFloat();
        }
}

TEST(HostileIndex, BrokenIndexFiles) {
    const std::string dir = test::tempPath("hostile_index");
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/model.safetensors.index.json";
    test::writeText(path, "{\"weight_map\": {\"a\": \"x.safetensors\"");
    auto m = openModel(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("index JSON is invalid"), std::string::npos) << m.message();
    test::writeText(path, R"({"weight_map": {"a": "missing.safetensors"}})");
    m = openModel(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("shard 'missing.safetensors' (for tensor 'a')"), std::string::npos) << m.message();
    test::writeBytes(dir + "/bad.safetensors", safetensorsImage("{", {}, 1u << 20));
    test::writeText(path, R"({"weight_map": {"a": "bad.safetensors"}})");
    m = openModel(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("runs past the end of the file"), std::string::npos) << m.message();
}

TEST(HostileFiles, MissingAndDirectory) {
    auto m = openModel(test::tempPath("does-not-exist.safetensors"));
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("does-not-exist.safetensors"), std::string::npos);
    m = openModel(test::tempDir());
    ASSERT_FALSE(m.ok());
}

}  // namespace
}  // namespace qv
