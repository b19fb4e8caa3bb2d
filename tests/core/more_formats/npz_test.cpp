// .npz loader: constructed archives (stored, deflated, mixed, hostile) and the shared Shakespeare GPT.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/formats/model_file.h"
#include "core/formats/npz.h"
#include "tests/core/more_formats/zip_builder.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

using test::npyImage;
using test::rawBytes;
using test::writeZip;

std::vector<float> readAll(const ModelFile& m, size_t i) {
    auto v = m.view(i).toFloat();
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : std::vector<float>{};
}

TEST(Npz, StoredAndDeflatedMembersNamedWithoutNpySuffix) {
    const std::string path = test::tempPath("mixed.npz");
    writeZip(path, {
        {"w.npy", npyImage("<f4", "(2, 3)", rawBytes(std::vector<float>{1, -2, 3.5f, 0.25f, -0, 6})), false},
        {"layer.0/b.npy", npyImage("<i2", "(3,)", rawBytes(std::vector<int16_t>{-7, 0, 300})), true},
        {"scalar.npy", npyImage("<f8", "()", rawBytes(std::vector<double>{2.5})), true},
        {"README.txt", test::toBytes("not an array"), false},
    });
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& m = **model;
    EXPECT_EQ(m.format, "npz");
    ASSERT_EQ(m.tensors.size(), 3u);
    EXPECT_EQ(m.tensors[0].name, "w");
    EXPECT_EQ(m.tensors[1].name, "layer.0/b");
    EXPECT_EQ(m.tensors[2].name, "scalar");
    EXPECT_EQ(m.tensors[0].shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(m.tensors[1].dtype, DType::I16);
    EXPECT_TRUE(m.tensors[2].shape.empty());
    EXPECT_EQ(readAll(m, 0), (std::vector<float>{1, -2, 3.5f, 0.25f, 0, 6}));
    EXPECT_EQ(readAll(m, 1), (std::vector<float>{-7, 0, 300}));
    EXPECT_EQ(readAll(m, 2), (std::vector<float>{2.5f}));
    // The stored member is a window of the mapped archive (source 0); the deflated ones own memory.
    EXPECT_EQ(m.tensors[0].source, 0u);
    EXPECT_NE(m.tensors[1].source, 0u);
    bool skippedNoted = false;
    for (const auto& e : m.metadata) skippedNoted |= e.key == "npz.skipped_non_npy_members" && e.value == "1";
    EXPECT_TRUE(skippedNoted);
}

TEST(Npz, FortranOrderMemberReadsRowMajor) {
    const std::string path = test::tempPath("fortran.npz");
    // Column-major storage of [[1, 2, 3], [4, 5, 6]] is 1 4 2 5 3 6.
    writeZip(path, {{"f.npy", npyImage("<f4", "(2, 3)", rawBytes(std::vector<float>{1, 4, 2, 5, 3, 6}), true), true}});
    auto m = openNpz(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_TRUE(m->tensors[0].fortranOrder);
    EXPECT_EQ(readAll(*m, 0), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Npz, BadMemberIsReportedWithItsName) {
    const std::string path = test::tempPath("bad.npz");
    auto img = npyImage("<f4", "(4,)", rawBytes(std::vector<float>{1, 2, 3, 4}));
    img.erase(img.end() - 4, img.end());  // one element short (erase, not resize: no growth path for GCC to warn about)
    writeZip(path, {{"short.npy", img, false}});
    auto m = openNpz(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("short.npy"), std::string::npos) << m.message();
}

TEST(Npz, HostileArchivesAreRefused) {
    const std::string path = test::tempPath("lying.npz");
    writeZip(path, {{"x.npy", npyImage("<f4", "(64,)", rawBytes(std::vector<float>(64, 1.0f))), true}});
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    // Central directory entry (APPNOTE 4.3.12): signature PK\1\2, uncompressed size at +24.
    // Claim 3 GB uncompressed: impossible for a few compressed bytes, refused before allocating.
    std::string s(bytes.begin(), bytes.end());
    const size_t cd = s.find("PK\x01\x02");
    ASSERT_NE(cd, std::string::npos);
    const uint32_t huge = 3000000000u;
    std::memcpy(&bytes[cd + 24], &huge, 4);
    const size_t lh = s.find("PK\x03\x04");
    std::memcpy(&bytes[lh + 22], &huge, 4);
    test::writeBytes(path, std::vector<std::byte>(reinterpret_cast<std::byte*>(bytes.data()),
                                                  reinterpret_cast<std::byte*>(bytes.data()) + bytes.size()));
    auto m = openNpz(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("x.npy"), std::string::npos) << m.message();

    // A truncated archive (central directory cut off).
    const std::string cut = test::tempPath("cut.npz");
    writeZip(cut, {{"x.npy", npyImage("<f4", "(4,)", rawBytes(std::vector<float>(4, 1.0f))), false}});
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 30);
    auto c = openModel(cut);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.message().find("cut.npz"), std::string::npos) << c.message();
}

TEST(Npz, ShakespeareGpt) {
    QV_REQUIRE_SHARED_MODEL(path, "shakespeare-gpt/weights.npz");
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& m = **model;
    // Expected figures from Python's zipfile + a hand parse of each .npy header (not numpy).
    ASSERT_EQ(m.tensors.size(), 53u);
    EXPECT_EQ(m.totalElements(), 464640u);
    EXPECT_EQ(m.tensors[0].name, "norm.bias");
    EXPECT_TRUE(m.tensors[0].fortranOrder);
    // ZIP64 local header with a 20-byte extra field: data at 30 + 13 + 20 + 72 = 135.
    EXPECT_EQ(m.tensors[0].source, 0u);
    EXPECT_EQ(m.tensors[0].offset, 135u);
    auto ffn = m.find("layers.3.ffwd.lin2.weight");
    ASSERT_TRUE(ffn.has_value());
    EXPECT_EQ(m.tensors[*ffn].shape, (std::vector<int64_t>{96, 384}));
    float first[3];
    ASSERT_TRUE(m.view(*ffn).read(0, 3, first));
    EXPECT_FLOAT_EQ(first[0], -0.01797543279826641f);
    EXPECT_FLOAT_EQ(first[1], 0.06679201126098633f);
    EXPECT_FLOAT_EQ(first[2], -0.0511423721909523f);
    auto out = m.find("out_proj.weight");
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(m.tensors[*out].shape, (std::vector<int64_t>{65, 96}));
    float last = 0;
    ASSERT_TRUE(m.view(*out).read(65 * 96 - 1, 1, &last));
    EXPECT_FLOAT_EQ(last, 0.10898527503013611f);
    double sum = 0;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        EXPECT_EQ(m.tensors[i].dtype, DType::F32) << m.tensors[i].name;
        for (float v : readAll(m, i)) sum += v;
    }
    EXPECT_NEAR(sum, 817.581676593, 1e-6);
}

}  // namespace
}  // namespace qv
