// DType traits table, name lookup, storage sizes and plain-type conversion to float.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <vector>

#include "core/tensor/dtype.h"

namespace qv {
namespace {

TEST(DType, TraitsOfPlainTypes) {
    EXPECT_EQ(traits(DType::F32).blockBytes, 4u);
    EXPECT_EQ(traits(DType::F16).blockBytes, 2u);
    EXPECT_EQ(traits(DType::BF16).blockBytes, 2u);
    EXPECT_EQ(traits(DType::F64).blockBytes, 8u);
    EXPECT_EQ(traits(DType::I64).blockBytes, 8u);
    EXPECT_EQ(traits(DType::Bool).blockBytes, 1u);
    EXPECT_TRUE(traits(DType::BF16).isFloat);
    EXPECT_FALSE(traits(DType::I8).isFloat);
    EXPECT_TRUE(traits(DType::I8).isSigned);
    EXPECT_FALSE(traits(DType::U8).isSigned);
    EXPECT_TRUE(traits(DType::U16).isInteger);
    EXPECT_EQ(dtypeName(DType::BF16), "bf16");
    for (int i = 0; i < static_cast<int>(DType::Count); ++i) {
        const auto t = static_cast<DType>(i);
        EXPECT_EQ(traits(t).type, t);
        EXPECT_EQ(dtypeFromName(dtypeName(t)), t) << dtypeName(t);
        EXPECT_GT(traits(t).blockBytes, 0u);
    }
}

TEST(DType, BlockTypes) {
    // ggml-common.h: block_q4_0 = f16 scale + 16 bytes of nibbles for 32 weights → 4.5 bits.
    EXPECT_EQ(traits(DType::Q4_0).blockElements, 32u);
    EXPECT_EQ(traits(DType::Q4_0).blockBytes, 18u);
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q4_0), 4.5);
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q8_0), 8.5);
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q4_K), 4.5);   // 144 bytes / 256
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::Q6_K), 6.5625);  // 210 bytes / 256
    EXPECT_DOUBLE_EQ(bitsPerElement(DType::F16), 16.0);
    EXPECT_TRUE(traits(DType::Q4_K).isBlockQuantized);
}

TEST(DType, NamesAndAliases) {
    EXPECT_EQ(dtypeFromName("float32"), DType::F32);
    EXPECT_EQ(dtypeFromName("FLOAT16"), DType::F16);
    EXPECT_EQ(dtypeFromName("BF16"), DType::BF16);
    EXPECT_EQ(dtypeFromName("q4_k"), DType::Q4_K);
    EXPECT_EQ(dtypeFromName("uint8"), DType::U8);
    EXPECT_FALSE(dtypeFromName("complex64").has_value());
    EXPECT_FALSE(dtypeFromName("").has_value());
}

TEST(DType, StorageBytes) {
    EXPECT_EQ(storageBytes(DType::F32, 6), 24u);
    EXPECT_EQ(storageBytes(DType::F32, 0), 0u);
    EXPECT_EQ(storageBytes(DType::Q4_0, 64), 36u);
    EXPECT_FALSE(storageBytes(DType::Q4_0, 33).has_value());              // not whole blocks
    EXPECT_FALSE(storageBytes(DType::F32, (uint64_t{1} << 62) + 1).has_value());  // × 4 overflows
    EXPECT_EQ(storageBytes(DType::F32, uint64_t{1} << 61), uint64_t{1} << 63);
}

template <class T>
std::vector<float> convert(DType t, const std::vector<T>& values, uint64_t first, size_t count) {
    std::vector<std::byte> raw(values.size() * sizeof(T));
    std::memcpy(raw.data(), values.data(), raw.size());
    std::vector<float> out(count, -999.0f);
    EXPECT_TRUE(convertToFloat(t, raw.data(), first, count, out.data()));
    return out;
}

TEST(DType, ConvertPlainTypes) {
    EXPECT_EQ(convert<int8_t>(DType::I8, {-128, -1, 0, 127}, 0, 4), (std::vector<float>{-128, -1, 0, 127}));
    EXPECT_EQ(convert<uint8_t>(DType::U8, {0, 200, 255}, 1, 2), (std::vector<float>{200, 255}));
    EXPECT_EQ(convert<uint8_t>(DType::Bool, {0, 1, 1}, 0, 3), (std::vector<float>{0, 1, 1}));
    EXPECT_EQ(convert<int16_t>(DType::I16, {-32768, 32767}, 0, 2), (std::vector<float>{-32768, 32767}));
    EXPECT_EQ(convert<uint16_t>(DType::U16, {65535}, 0, 1), (std::vector<float>{65535}));
    EXPECT_EQ(convert<int32_t>(DType::I32, {-7, 16777217}, 0, 2), (std::vector<float>{-7, 16777216}));  // 2^24+1 → nearest float
    EXPECT_EQ(convert<uint32_t>(DType::U32, {4294967295u}, 0, 1), (std::vector<float>{4294967296.0f}));
    EXPECT_EQ(convert<int64_t>(DType::I64, {-(int64_t{1} << 40), 3}, 0, 2), (std::vector<float>{-1099511627776.0f, 3}));
    EXPECT_EQ(convert<uint64_t>(DType::U64, {std::numeric_limits<uint64_t>::max()}, 0, 1),
              (std::vector<float>{18446744073709551616.0f}));
    EXPECT_EQ(convert<double>(DType::F64, {0.1, -1e300, 1.5}, 0, 3),
              (std::vector<float>{0.1f, -std::numeric_limits<float>::infinity(), 1.5f}));
    EXPECT_EQ(convert<float>(DType::F32, {1.5f, -2.25f, 3.0f}, 1, 2), (std::vector<float>{-2.25f, 3.0f}));
    EXPECT_EQ(convert<uint16_t>(DType::F16, {0x3C00, 0x0001, 0xFBFF}, 0, 3),
              (std::vector<float>{1.0f, 5.9604644775390625e-8f, -65504.0f}));
    EXPECT_EQ(convert<uint16_t>(DType::BF16, {0x3F80, 0xC040}, 0, 2), (std::vector<float>{1.0f, -3.0f}));
}

}  // namespace
}  // namespace qv
