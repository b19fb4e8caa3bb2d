// .npy: writer/reader round trips for every dtype, header layout, Fortran order, v2/v3 headers, refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/formats/model_file.h"
#include "core/formats/npy.h"
#include "core/tensor/half.h"
#include "tests/core/formats/format_builders.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

using test::npyImage;
using test::rawBytes;

std::vector<float> readAll(const ModelFile& m, size_t i = 0) {
    auto v = m.view(i).toFloat();
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.message());
    return v.ok() ? *v : std::vector<float>{};
}

template <class T>
void roundTrip(DType t, const std::vector<T>& values, const std::vector<float>& expected) {
    const std::string path = test::tempPath(std::string("rt_") + std::string(dtypeName(t)) + ".npy");
    const std::vector<int64_t> shape = {2, static_cast<int64_t>(values.size() / 2)};
    ASSERT_TRUE(writeNpy(path, t, shape, rawBytes(values)).ok());
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    ASSERT_EQ((*m)->tensors.size(), 1u);
    const TensorInfo& info = (*m)->tensors[0];
    EXPECT_EQ((*m)->format, "npy");
    EXPECT_EQ(info.name, std::string("rt_") + std::string(dtypeName(t)));  // the file's stem
    EXPECT_EQ(info.dtype, t);
    EXPECT_EQ(info.shape, shape);
    EXPECT_FALSE(info.fortranOrder);
    EXPECT_EQ(info.bytes, values.size() * sizeof(T));
    EXPECT_EQ(readAll(**m), expected) << dtypeName(t);
    // The stored bytes are exactly what was written.
    auto raw = (*m)->view(0).rawBytes();
    ASSERT_EQ(raw.size(), values.size() * sizeof(T));
    EXPECT_EQ(std::memcmp(raw.data(), values.data(), raw.size()), 0);
}

TEST(Npy, RoundTripEveryDtype) {
    roundTrip<float>(DType::F32, {1.5f, -2.0f, 0.0f, 3.25f}, {1.5f, -2.0f, 0.0f, 3.25f});
    roundTrip<double>(DType::F64, {0.5, -1e10, 2.0, 7.0}, {0.5f, -1e10f, 2.0f, 7.0f});
    roundTrip<uint16_t>(DType::F16, {0x3C00, 0xC000, 0x0001, 0x7BFF}, {1.0f, -2.0f, 5.9604644775390625e-8f, 65504.0f});
    roundTrip<int8_t>(DType::I8, {-128, -1, 0, 127}, {-128, -1, 0, 127});
    roundTrip<uint8_t>(DType::U8, {0, 1, 128, 255}, {0, 1, 128, 255});
    roundTrip<uint8_t>(DType::Bool, {0, 1, 1, 0}, {0, 1, 1, 0});
    roundTrip<int16_t>(DType::I16, {-32768, -2, 3, 32767}, {-32768, -2, 3, 32767});
    roundTrip<uint16_t>(DType::U16, {0, 1, 40000, 65535}, {0, 1, 40000, 65535});
    roundTrip<int32_t>(DType::I32, {-100000, -1, 2, 2147483647}, {-100000, -1, 2, 2147483648.0f});
    roundTrip<uint32_t>(DType::U32, {0, 7, 100000, 4294967295u}, {0, 7, 100000, 4294967296.0f});
    roundTrip<int64_t>(DType::I64, {-5, 1, int64_t{1} << 40, 9}, {-5, 1, 1099511627776.0f, 9});
    roundTrip<uint64_t>(DType::U64, {0, 3, uint64_t{1} << 63, 1}, {0, 3, 9223372036854775808.0f, 1});
}

TEST(Npy, WrittenHeaderMatchesNumpyLayout) {
    const std::string path = test::tempPath("layout.npy");
    std::vector<float> v(6, 0.0f);
    ASSERT_TRUE(writeNpy(path, DType::F32, {2, 3}, rawBytes(v)).ok());
    std::ifstream in(path, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    ASSERT_GE(all.size(), 10u);
    EXPECT_EQ(all.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    const size_t hl = static_cast<unsigned char>(all[8]) | static_cast<unsigned char>(all[9]) << 8;
    EXPECT_EQ((10 + hl) % 64, 0u);  // numpy aligns the data to 64 bytes
    EXPECT_EQ(all[10 + hl - 1], '\n');
    EXPECT_EQ(all.substr(10, 59), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    EXPECT_EQ(all.size(), 10 + hl + 24);

    ASSERT_TRUE(writeNpy(path, DType::I8, {5}, rawBytes(std::vector<int8_t>(5))).ok());
    std::ifstream in2(path, std::ios::binary);
    std::string one((std::istreambuf_iterator<char>(in2)), {});
    EXPECT_NE(one.find("{'descr': '|i1', 'fortran_order': False, 'shape': (5,), }"), std::string::npos);
}

TEST(Npy, ScalarAndEmptyArrays) {
    const std::string s = test::tempPath("scalar.npy");
    ASSERT_TRUE(writeNpy(s, DType::F32, {}, rawBytes(std::vector<float>{42.5f})).ok());
    auto m = openModel(s);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_TRUE((*m)->tensors[0].shape.empty());
    EXPECT_EQ(readAll(**m), std::vector<float>{42.5f});

    const std::string e = test::tempPath("empty.npy");
    ASSERT_TRUE(writeNpy(e, DType::F32, {0, 4}, {}).ok());
    auto me = openModel(e);
    ASSERT_TRUE(me.ok()) << me.message();
    EXPECT_EQ((*me)->tensors[0].elements(), 0u);
    EXPECT_TRUE(readAll(**me).empty());
}

TEST(Npy, FortranOrder2DReadsRowMajor) {
    // numpy.asfortranarray([[1, 2, 3], [4, 5, 6]]) stores columns: 1 4 2 5 3 6.
    const std::string path = test::tempPath("fortran2.npy");
    test::writeBytes(path, npyImage(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                                    rawBytes(std::vector<float>{1, 4, 2, 5, 3, 6})));
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_TRUE((*m)->tensors[0].fortranOrder);
    EXPECT_EQ(readAll(**m), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, FortranOrder3DReadsRowMajor) {
    // Shape (2, 3, 2) int16, value(i, j, k) = 100i + 10j + k; column-major index = i + 2j + 6k.
    std::vector<int16_t> stored(12);
    std::vector<float> expected(12);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 2; ++k) {
                stored[i + 2 * j + 6 * k] = static_cast<int16_t>(100 * i + 10 * j + k);
                expected[6 * i + 2 * j + k] = static_cast<float>(100 * i + 10 * j + k);
            }
    const std::string path = test::tempPath("fortran3.npy");
    test::writeBytes(path, npyImage(1, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3, 2), }", rawBytes(stored)));
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(readAll(**m), expected);
}

TEST(Npy, Version2And3Headers) {
    for (int major : {2, 3}) {
        const std::string path = test::tempPath(std::string("v").append(std::to_string(major)).append(".npy"));
        test::writeBytes(path, npyImage(major, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                                        rawBytes(std::vector<double>{0.25, -8, 1e-3})));
        auto m = openModel(path);
        ASSERT_TRUE(m.ok()) << m.message();
        EXPECT_EQ((*m)->tensors[0].offset, 128u);  // 12 + 59-byte dict + padding to 64, as numpy pads
        EXPECT_EQ(readAll(**m), (std::vector<float>{0.25f, -8.0f, 1e-3f}));
    }
}

TEST(Npy, HeaderVariantsNumpyWrites) {
    // Double quotes, key order, Python-2 'L' suffix and '<i1' / '>u1' for single bytes all occur in the wild.
    const std::string path = test::tempPath("variants.npy");
    test::writeBytes(path, npyImage(1, "{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<i1\"}",
                                    rawBytes(std::vector<int8_t>{-3, 4})));
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(readAll(**m), (std::vector<float>{-3, 4}));
    test::writeBytes(path, npyImage(1, "{'descr': '>u1', 'fortran_order': False, 'shape': (1,)}",
                                    rawBytes(std::vector<uint8_t>{200})));
    auto m2 = openModel(path);
    ASSERT_TRUE(m2.ok()) << m2.message();
    EXPECT_EQ(readAll(**m2), std::vector<float>{200});
}

TEST(Npy, ParseInMemoryImage) {
    auto img = npyImage(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 2), }", rawBytes(std::vector<uint16_t>{1, 2, 3, 4}));
    auto info = parseNpyHeader(img, "member", "weights.npz:member.npy");
    ASSERT_TRUE(info.ok()) << info.message();
    EXPECT_EQ(info->name, "member");
    EXPECT_EQ(info->dtype, DType::U16);
    EXPECT_EQ(info->offset, 128u);
    EXPECT_EQ(info->bytes, 8u);
    img.pop_back();
    auto bad = parseNpyHeader(img, "member", "weights.npz:member.npy");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.message().find("weights.npz:member.npy"), std::string::npos) << bad.message();
    EXPECT_NE(bad.message().find("file truncated"), std::string::npos) << bad.message();
}

struct NpyRefusal {
    const char* what;
    int major;
    std::string dict;
    size_t dataBytes;
    const char* expected;
};

TEST(Npy, RefusesBadHeadersWithClearMessages) {
    const NpyRefusal cases[] = {
        {"big-endian", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "big-endian dtype '>f4'"},
        {"complex", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "'<c8' (complex numbers"},
        {"object", 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype '|O'"},
        {"unicode", 1, "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", 24, "'<U3' (strings"},
        {"long double", 1, "{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }", 16, "unsupported dtype '<f16'"},
        {"structured", 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4, "structured"},
        {"missing shape", 1, "{'descr': '<f4', 'fortran_order': False, }", 4, "missing key 'shape'"},
        {"unknown key", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4, "unexpected key 'x'"},
        {"duplicate key", 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4, "duplicate key 'descr'"},
        {"negative dim", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4, "negative dimension"},
        {"overflow dim", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 4, "overflows 64 bits"},
        {"overflow product", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 4, "overflows 64 bits"},
        {"65 dimensions", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (" + [] {
             std::string d;
             for (int i = 0; i < 65; ++i) d += "1, ";
             return d;
         }() + "), }", 4, "more than 64 dimensions"},
        {"bad bool", 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", 4, "expected True or False"},
        {"not a dict", 1, "['descr', '<f4']", 4, "expected '{'"},
        {"unterminated", 1, "{'descr': '<f4", 0, "unterminated string"},
        {"truncated data", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8, "needs 12 (file truncated)"},
        {"trailing data", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8, "(trailing bytes)"},
    };
    for (const auto& c : cases) {
        const std::string path = test::tempPath("bad.npy");
        test::writeBytes(path, npyImage(c.major, c.dict, std::vector<std::byte>(c.dataBytes)));
        auto m = openModel(path);
        ASSERT_FALSE(m.ok()) << c.what;
        EXPECT_NE(m.message().find(c.expected), std::string::npos) << c.what << ": " << m.message();
        EXPECT_NE(m.message().find(path), std::string::npos) << c.what << ": " << m.message();
    }
}

TEST(Npy, RefusesBrokenPrefixes) {
    const std::string path = test::tempPath("prefix.npy");
    auto good = npyImage(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", rawBytes(std::vector<float>{1}));
    auto v4 = good;
    v4[6] = std::byte{4};
    test::writeBytes(path, v4);
    auto m = openNpy(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("unsupported .npy format version 4.0 at byte offset 6"), std::string::npos) << m.message();

    auto longLen = good;
    longLen[8] = std::byte{0xFF};
    longLen[9] = std::byte{0xFF};
    test::writeBytes(path, longLen);
    m = openNpy(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("header length 65535 (field at byte offset 8) runs past the end"), std::string::npos) << m.message();

    test::writeBytes(path, std::vector<std::byte>(good.begin(), good.begin() + 9));
    m = openNpy(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("truncated"), std::string::npos) << m.message();

    test::writeBytes(path, {});
    m = openNpy(path);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.message().find("file is empty"), std::string::npos) << m.message();

    auto notNpy = good;
    notNpy[1] = std::byte{'X'};
    test::writeBytes(path, notNpy);
    auto viaSniffer = openModel(path);  // routed by the extension, refused by the loader
    ASSERT_FALSE(viaSniffer.ok());
    EXPECT_NE(viaSniffer.message().find("magic"), std::string::npos) << viaSniffer.message();
}

TEST(Npy, WriteFailureLeavesNoFile) {
    namespace fs = std::filesystem;
    const std::string missingDir = test::tempPath("no/such/dir/out.npy");
    auto st = writeNpy(missingDir, DType::F32, {1}, rawBytes(std::vector<float>{1}));
    ASSERT_FALSE(st.ok());
    EXPECT_FALSE(fs::exists(missingDir));

    const std::string path = test::tempPath("keep.npy");
    ASSERT_TRUE(writeNpy(path, DType::F32, {1}, rawBytes(std::vector<float>{7})).ok());
    st = writeNpy(path, DType::F32, {2}, rawBytes(std::vector<float>{1}));  // 4 bytes for 2 elements
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("do not match"), std::string::npos) << st.message();
    auto m = openModel(path);  // the earlier file is untouched
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(readAll(**m), std::vector<float>{7});
    EXPECT_FALSE(writeNpy(path, DType::Q4_0, {32}, std::vector<std::byte>(18)).ok());
    for (const auto& e : fs::directory_iterator(test::tempDir()))
        EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << "leftover " << e.path();
}

}  // namespace
}  // namespace qv
