// safetensors: writer/reader round trips with known values, header layout, metadata, sharded index.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "core/formats/model_file.h"
#include "core/formats/safetensors.h"
#include "core/tensor/half.h"
#include "tests/core/formats/format_builders.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

using test::rawBytes;

std::vector<float> readTensor(const ModelFile& m, std::string_view name) {
    auto i = m.find(name);
    EXPECT_TRUE(i.has_value()) << name;
    if (!i) return {};
    auto v = m.view(*i).toFloat();
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.message());
    return v.ok() ? *v : std::vector<float>{};
}

TEST(Safetensors, RoundTripEveryDtype) {
    std::vector<SafetensorsEntry> entries = {
        {"f64", DType::F64, {2}, rawBytes(std::vector<double>{0.5, -1e-3})},
        {"f32", DType::F32, {2, 2}, rawBytes(std::vector<float>{1, -2, 3.5f, 1e-20f})},
        {"f16", DType::F16, {3}, rawBytes(std::vector<uint16_t>{0x3C00, 0x0001, 0xFC00})},
        {"bf16", DType::BF16, {2}, rawBytes(std::vector<uint16_t>{0x3F80, 0xC040})},
        {"i64", DType::I64, {1}, rawBytes(std::vector<int64_t>{-(int64_t{1} << 33)})},
        {"i32", DType::I32, {2}, rawBytes(std::vector<int32_t>{-7, 1 << 20})},
        {"i16", DType::I16, {2}, rawBytes(std::vector<int16_t>{-32768, 5})},
        {"i8", DType::I8, {3}, rawBytes(std::vector<int8_t>{-128, 0, 127})},
        {"u8", DType::U8, {2}, rawBytes(std::vector<uint8_t>{0, 255})},
        {"bool", DType::Bool, {2}, rawBytes(std::vector<uint8_t>{1, 0})},
        {"u16", DType::U16, {1}, rawBytes(std::vector<uint16_t>{65535})},
        {"u32", DType::U32, {1}, rawBytes(std::vector<uint32_t>{123456})},
        {"u64", DType::U64, {1}, rawBytes(std::vector<uint64_t>{1u << 30})},
        {"scalar", DType::F32, {}, rawBytes(std::vector<float>{9})},
        {"empty", DType::F32, {0, 3}, {}},
    };
    const std::string path = test::tempPath("all.safetensors");
    ASSERT_TRUE(writeSafetensors(path, entries, {{"format", "pt"}, {"note", "test"}}).ok());
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    const ModelFile& f = **m;
    EXPECT_EQ(f.format, "safetensors");
    ASSERT_EQ(f.tensors.size(), entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {  // header order = the order written
        EXPECT_EQ(f.tensors[i].name, entries[i].name);
        EXPECT_EQ(f.tensors[i].dtype, entries[i].dtype);
        EXPECT_EQ(f.tensors[i].shape, entries[i].shape);
        EXPECT_EQ(f.tensors[i].bytes, entries[i].data.size());
    }
    EXPECT_EQ(readTensor(f, "f64"), (std::vector<float>{0.5f, -1e-3f}));
    EXPECT_EQ(readTensor(f, "f32"), (std::vector<float>{1, -2, 3.5f, 1e-20f}));
    EXPECT_EQ(readTensor(f, "f16"), (std::vector<float>{1.0f, 5.9604644775390625e-8f, -std::numeric_limits<float>::infinity()}));
    EXPECT_EQ(readTensor(f, "bf16"), (std::vector<float>{1.0f, -3.0f}));
    EXPECT_EQ(readTensor(f, "i64"), (std::vector<float>{-8589934592.0f}));
    EXPECT_EQ(readTensor(f, "i32"), (std::vector<float>{-7, 1048576}));
    EXPECT_EQ(readTensor(f, "i16"), (std::vector<float>{-32768, 5}));
    EXPECT_EQ(readTensor(f, "i8"), (std::vector<float>{-128, 0, 127}));
    EXPECT_EQ(readTensor(f, "u8"), (std::vector<float>{0, 255}));
    EXPECT_EQ(readTensor(f, "bool"), (std::vector<float>{1, 0}));
    EXPECT_EQ(readTensor(f, "u16"), (std::vector<float>{65535}));
    EXPECT_EQ(readTensor(f, "u32"), (std::vector<float>{123456}));
    EXPECT_EQ(readTensor(f, "u64"), (std::vector<float>{1073741824}));
    EXPECT_EQ(readTensor(f, "scalar"), (std::vector<float>{9}));
    EXPECT_TRUE(readTensor(f, "empty").empty());
    ASSERT_EQ(f.metadata.size(), 2u);
    EXPECT_EQ(f.metadata[0].key, "format");
    EXPECT_EQ(f.metadata[0].value, "pt");
    EXPECT_EQ(f.metadata[1].key, "note");
}

TEST(Safetensors, WrittenLayoutFollowsTheReference) {
    const std::string path = test::tempPath("layout.safetensors");
    ASSERT_TRUE(writeSafetensors(path, {{"a", DType::F32, {2}, rawBytes(std::vector<float>{1, 2})},
                                        {"b", DType::I8, {3}, rawBytes(std::vector<int8_t>{1, 2, 3})}},
                                 {{"k", "v"}})
                    .ok());
    std::ifstream in(path, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t{static_cast<unsigned char>(all[i])} << (8 * i);
    EXPECT_EQ(n % 8, 0u);  // padded with spaces to 8 bytes
    const std::string json = R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]}})";
    EXPECT_EQ(all.substr(8, json.size()), json);
    EXPECT_EQ(all.substr(8 + json.size(), n - json.size()), std::string(n - json.size(), ' '));
    EXPECT_EQ(all.size(), 8 + n + 11);
    auto m = openSafetensors(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m->tensors[0].offset, 8 + n);
    EXPECT_EQ(m->tensors[1].offset, 8 + n + 8);
}

TEST(Safetensors, WriterRefusesInconsistentEntries) {
    const std::string path = test::tempPath("refused.safetensors");
    auto st = writeSafetensors(path, {{"a", DType::F32, {3}, rawBytes(std::vector<float>{1, 2})}});
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("tensor 'a'"), std::string::npos) << st.message();
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(writeSafetensors(path, {{"q", DType::Q4_0, {32}, std::vector<std::byte>(18)}}).ok());
    EXPECT_FALSE(writeSafetensors(path, {{"a", DType::U8, {1}, std::vector<std::byte>(1)},
                                         {"a", DType::U8, {1}, std::vector<std::byte>(1)}})
                     .ok());
}

// A header written by hand with holes between tensors and keys in non-offset order still opens:
// the format requires no particular order, only in-bounds, exact-size, non-overlapping ranges.
TEST(Safetensors, HandWrittenHeaderOutOfOrder) {
    const std::string header =
        R"({"second":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"first":{"shape":[1],"data_offsets":[0,4],"dtype":"F32"}})";
    const std::string path = test::tempPath("ooo.safetensors");
    test::writeBytes(path, test::safetensorsImage(header, rawBytes(std::vector<float>{1.5f, 0.0f, -2.5f})));
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ((*m)->tensors[0].name, "second");
    EXPECT_EQ(readTensor(**m, "first"), std::vector<float>{1.5f});
    EXPECT_EQ(readTensor(**m, "second"), std::vector<float>{-2.5f});
}

// The reference writer pads the header to 8 bytes, but the format does not require it: an unpadded
// header leaves f32 data misaligned; the view then converts instead of handing out a float pointer.
TEST(Safetensors, UnpaddedHeaderMisalignedData) {
    const std::string header = R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}})";  // 55 bytes
    ASSERT_NE((8 + header.size()) % 4, 0u);
    const std::string path = test::tempPath("unpadded.safetensors");
    test::writeBytes(path, test::safetensorsImage(header, rawBytes(std::vector<float>{0.5f, -1.0f, 3.0f})));
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ((*m)->tensors[0].offset, 8 + header.size());
    EXPECT_EQ((*m)->view(0).directF32(), nullptr);
    EXPECT_EQ(readTensor(**m, "w"), (std::vector<float>{0.5f, -1.0f, 3.0f}));
}

class ShardedIndex : public ::testing::Test {
protected:
    void SetUp() override {
        namespace fs = std::filesystem;
        m_dir = test::tempPath("sharded");
        fs::create_directories(m_dir);
        ASSERT_TRUE(writeSafetensors(m_dir + "/model-00001-of-00002.safetensors",
                                     {{"embed", DType::F32, {2, 2}, rawBytes(std::vector<float>{1, 2, 3, 4})},
                                      {"layer.0.w", DType::F16, {2}, rawBytes(std::vector<uint16_t>{0x3800, 0xB800})}})
                        .ok());
        ASSERT_TRUE(writeSafetensors(m_dir + "/model-00002-of-00002.safetensors",
                                     {{"layer.1.w", DType::BF16, {1}, rawBytes(std::vector<uint16_t>{0x4000})},
                                      {"head", DType::F32, {3}, rawBytes(std::vector<float>{7, 8, 9})}})
                        .ok());
    }
    std::string writeIndex(const std::string& weightMap) {
        const std::string path = m_dir + "/model.safetensors.index.json";
        test::writeText(path, R"({"metadata": {"total_size": 34}, "weight_map": )" + weightMap + "}");
        return path;
    }
    std::string m_dir;
};

TEST_F(ShardedIndex, MergesShardsInIndexOrder) {
    const std::string path = writeIndex(R"({"head": "model-00002-of-00002.safetensors",
        "embed": "model-00001-of-00002.safetensors", "layer.0.w": "model-00001-of-00002.safetensors",
        "layer.1.w": "model-00002-of-00002.safetensors"})");
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    const ModelFile& f = **m;
    EXPECT_EQ(f.format, "safetensors");
    ASSERT_EQ(f.sources.size(), 2u);  // each shard mapped once
    ASSERT_EQ(f.tensors.size(), 4u);
    EXPECT_EQ(f.tensors[0].name, "head");
    EXPECT_EQ(f.tensors[0].source, 0u);
    EXPECT_EQ(f.tensors[1].name, "embed");
    EXPECT_EQ(f.tensors[1].source, 1u);
    EXPECT_EQ(f.tensors[3].source, 0u);
    EXPECT_EQ(readTensor(f, "head"), (std::vector<float>{7, 8, 9}));
    EXPECT_EQ(readTensor(f, "embed"), (std::vector<float>{1, 2, 3, 4}));
    EXPECT_EQ(readTensor(f, "layer.0.w"), (std::vector<float>{0.5f, -0.5f}));
    EXPECT_EQ(readTensor(f, "layer.1.w"), (std::vector<float>{2.0f}));
    EXPECT_EQ(f.totalElements(), 10u);
    ASSERT_FALSE(f.metadata.empty());
    EXPECT_EQ(f.metadata[0].key, "total_size");
    EXPECT_EQ(f.metadata[0].value, "34");
}

TEST_F(ShardedIndex, TensorMissingFromItsShard) {
    auto m = openModel(writeIndex(R"({"embed": "model-00001-of-00002.safetensors",
        "head": "model-00001-of-00002.safetensors"})"));
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("tensor 'head' is missing from shard 'model-00001-of-00002.safetensors'"), std::string::npos)
        << m.message();
}

TEST_F(ShardedIndex, MissingShardFile) {
    auto m = openModel(writeIndex(R"({"embed": "model-00001-of-00002.safetensors", "x": "model-00003-of-00003.safetensors"})"));
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("shard 'model-00003-of-00003.safetensors'"), std::string::npos) << m.message();
    EXPECT_NE(m.message().find("cannot open"), std::string::npos) << m.message();
}

TEST_F(ShardedIndex, RefusesPathsOutsideTheFolder) {
    auto m = openModel(writeIndex(R"({"embed": "../outside.safetensors"})"));
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("must be a file name beside the index"), std::string::npos) << m.message();
    m = openModel(writeIndex(R"({"embed": 3})"));
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("shard is not a string"), std::string::npos) << m.message();
    m = openModel(writeIndex(R"([1, 2])"));
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("'weight_map' missing or not an object"), std::string::npos) << m.message();
}

}  // namespace
}  // namespace qv
