// TensorInfo element counts and TensorView reads: bounds, row-major and Fortran-order gathers.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <numeric>
#include <vector>

#include "core/tensor/tensor_view.h"

namespace qv {
namespace {

std::shared_ptr<const ByteSource> floatsSource(const std::vector<float>& v, size_t padFront = 0) {
    std::vector<std::byte> raw(padFront + v.size() * 4);
    std::memcpy(raw.data() + padFront, v.data(), v.size() * 4);
    return std::make_shared<OwnedBytes>(std::move(raw));
}

TEST(TensorInfo, CheckedElements) {
    EXPECT_EQ(checkedElements({}), 1u);  // 0-d scalar
    EXPECT_EQ(checkedElements({0, 5}), 0u);
    EXPECT_EQ(checkedElements({3, 4, 5}), 60u);
    EXPECT_FALSE(checkedElements({2, -1}).has_value());
    EXPECT_FALSE(checkedElements({int64_t{1} << 32, int64_t{1} << 32}).has_value());  // 2^64 overflows
    EXPECT_EQ(checkedElements({int64_t{1} << 31, int64_t{1} << 32}), uint64_t{1} << 63);
    TensorInfo t;
    t.shape = {64, 512};
    EXPECT_EQ(t.shapeString(), "[64, 512]");
    EXPECT_EQ(t.elements(), 32768u);
    t.shape = {};
    EXPECT_EQ(t.shapeString(), "[]");
    EXPECT_EQ(t.elements(), 1u);
}

TEST(TensorView, RowMajorReadsAndBounds) {
    TensorInfo info{.name = "x", .dtype = DType::F32, .shape = {2, 3}, .source = 0, .offset = 4, .bytes = 24};
    TensorView v(info, floatsSource({1, 2, 3, 4, 5, 6}, 4));
    ASSERT_TRUE(v.valid());
    EXPECT_EQ(v.elements(), 6u);
    std::vector<float> out(3);
    ASSERT_TRUE(v.read(2, 3, out.data()));
    EXPECT_EQ(out, (std::vector<float>{3, 4, 5}));
    EXPECT_FALSE(v.read(4, 3, out.data()));  // past the end
    EXPECT_TRUE(v.read(6, 0, out.data()));
    ASSERT_NE(v.directF32(), nullptr);
    EXPECT_EQ(v.directF32()[5], 6.0f);
    auto all = v.toFloat();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(*all, (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_FALSE(v.toFloat(5).ok());  // refuses above maxElements
}

TEST(TensorView, OutOfRangeInfoIsInvalidNotARead) {
    TensorInfo info{.name = "x", .dtype = DType::F32, .shape = {4}, .source = 0, .offset = 8, .bytes = 16};
    TensorView v(info, floatsSource({1, 2, 3, 4}));  // 16 bytes, but the info says [8, 24)
    EXPECT_FALSE(v.valid());
    float f;
    EXPECT_FALSE(v.read(0, 1, &f));
    EXPECT_FALSE(v.toFloat().ok());
}

TEST(TensorView, FortranOrder2D) {
    // Logical [[1, 2, 3], [4, 5, 6]] stored column by column: 1 4 2 5 3 6.
    TensorInfo info{.name = "f", .dtype = DType::F32, .shape = {2, 3}, .source = 0, .offset = 0, .bytes = 24,
                    .fortranOrder = true};
    TensorView v(info, floatsSource({1, 4, 2, 5, 3, 6}));
    EXPECT_EQ(v.directF32(), nullptr);  // storage order differs from logical order
    auto all = v.toFloat();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(*all, (std::vector<float>{1, 2, 3, 4, 5, 6}));
    std::vector<float> part(2);
    ASSERT_TRUE(v.read(2, 2, part.data()));
    EXPECT_EQ(part, (std::vector<float>{3, 4}));
}

TEST(TensorView, FortranOrder3D) {
    // Shape (2, 3, 4); logical value at (i, j, k) = 100i + 10j + k; column-major storage index
    // = i + 2j + 6k.
    std::vector<float> stored(24);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k) stored[i + 2 * j + 6 * k] = static_cast<float>(100 * i + 10 * j + k);
    TensorInfo info{.name = "f3", .dtype = DType::F32, .shape = {2, 3, 4}, .source = 0, .offset = 0, .bytes = 96,
                    .fortranOrder = true};
    TensorView v(info, floatsSource(stored));
    auto all = v.toFloat();
    ASSERT_TRUE(all.ok());
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 4; ++k) EXPECT_EQ((*all)[12 * i + 4 * j + k], 100 * i + 10 * j + k);
}

TEST(TensorView, FortranOrderPartialReadsMatchWholeRead) {
    // Shape (3, 4, 5): every sub-range [first, first+count) equals the same slice of the full read.
    std::vector<float> stored(60);
    for (size_t i = 0; i < stored.size(); ++i) stored[i] = static_cast<float>(i);
    TensorInfo info{.name = "p", .dtype = DType::F32, .shape = {3, 4, 5}, .source = 0, .offset = 0, .bytes = 240,
                    .fortranOrder = true};
    TensorView v(info, floatsSource(stored));
    auto all = v.toFloat();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ((*all)[1], 12.0f);  // logical (0, 0, 1) → storage 1 · 12
    for (uint64_t first = 0; first < 60; first += 7)
        for (size_t count : {size_t{1}, size_t{4}, size_t{13}}) {
            if (first + count > 60) continue;
            std::vector<float> part(count);
            ASSERT_TRUE(v.read(first, count, part.data()));
            for (size_t k = 0; k < count; ++k) ASSERT_EQ(part[k], (*all)[first + k]) << first << "+" << k;
        }
    // Logical (i, j, k) holds storage index i + 3j + 12k.
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 5; ++k) EXPECT_EQ((*all)[20 * i + 5 * j + k], static_cast<float>(i + 3 * j + 12 * k));
}

TEST(TensorView, FortranOrder1DIsPlain) {
    TensorInfo info{.name = "v", .dtype = DType::F32, .shape = {3}, .source = 0, .offset = 0, .bytes = 12,
                    .fortranOrder = true};
    TensorView v(info, floatsSource({7, 8, 9}));
    ASSERT_NE(v.directF32(), nullptr);
    EXPECT_EQ(*v.toFloat(), (std::vector<float>{7, 8, 9}));
}

TEST(TensorView, ChunkElementsWholeBlocks) {
    TensorInfo q{.name = "q", .dtype = DType::Q4_K, .shape = {1024}, .source = 0, .offset = 0, .bytes = 576};
    TensorView v(q, nullptr);
    EXPECT_EQ(v.chunkElements() % 256, 0u);
    EXPECT_GT(v.chunkElements(), 0u);
}

}  // namespace
}  // namespace qv
