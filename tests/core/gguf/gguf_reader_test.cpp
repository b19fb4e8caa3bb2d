// GGUF reader on files built by GgufWriter: metadata of every type, layout, dims order, and hostile headers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/formats/gguf.h"
#include "core/formats/model_file.h"
#include "tests/core/gguf/gguf_writer.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

using test::ByteWriter;
using test::GgufTestTensor;
using test::GgufWriter;

Result<ModelFile> openBytes(const std::vector<std::byte>& bytes, const std::string& name = "mem.gguf") {
    return openGgufFromBytes(std::make_shared<OwnedBytes>(bytes), name);
}

std::string metadataValue(const ModelFile& m, const std::string& key) {
    for (const auto& e : m.metadata)
        if (e.key == key) return e.value;
    return "<missing>";
}

// A valid two-tensor file: an F32 [2 rows × 3] (GGUF dims [3, 2]) and a Q8_0 [1 × 32].
GgufWriter smallFile() {
    GgufWriter w;
    w.addString("general.architecture", "llama");
    w.addTensor({"a.weight", {3, 2}, 0, test::f32Bytes({1, 2, 3, 4, 5, 6}), {}, {}});
    std::vector<std::byte> q8(34, std::byte{0});
    const uint16_t one = 0x3C00;  // f16 1.0
    std::memcpy(q8.data(), &one, 2);
    for (int i = 0; i < 32; ++i) q8[2 + i] = static_cast<std::byte>(static_cast<int8_t>(i - 16));
    w.addTensor({"b.weight", {32, 1}, 8, q8, {}, {}});
    return w;
}

TEST(GgufReader, OpensValidFileWithShapesReversedAndValues) {
    auto m = openBytes(smallFile().build());
    ASSERT_TRUE(m) << m.message();
    EXPECT_EQ(m->format, "gguf");
    ASSERT_EQ(m->tensors.size(), 2u);
    EXPECT_EQ(m->tensors[0].name, "a.weight");
    EXPECT_EQ(m->tensors[0].dtype, DType::F32);
    EXPECT_EQ(m->tensors[0].shape, (std::vector<int64_t>{2, 3}));  // GGUF [3, 2] → numpy [2, 3]
    EXPECT_EQ(m->tensors[1].dtype, DType::Q8_0);
    EXPECT_EQ(m->tensors[1].shape, (std::vector<int64_t>{1, 32}));
    EXPECT_EQ(m->tensors[1].bytes, 34u);
    // Data section: header (4+4+8+8) + KV (8+20 key + 4 + 8+5) + infos; then aligned to 32; the second
    // tensor sits at the next multiple of 32 after the first's 24 bytes.
    EXPECT_EQ(m->tensors[0].offset % 32, 0u);
    EXPECT_EQ(m->tensors[1].offset, m->tensors[0].offset + 32);
    auto a = m->view(0).toFloat();
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, (std::vector<float>{1, 2, 3, 4, 5, 6}));
    auto b = m->view(1).toFloat();
    ASSERT_TRUE(b);
    EXPECT_FLOAT_EQ((*b)[0], -16.0f);  // q = −16, d = 1
    EXPECT_FLOAT_EQ((*b)[31], 15.0f);
    EXPECT_EQ(metadataValue(*m, "GGUF.version"), "3");
    EXPECT_EQ(metadataValue(*m, "GGUF.alignment"), "32");
    EXPECT_EQ(metadataValue(*m, "general.architecture"), "llama");
}

TEST(GgufReader, MetadataOfEveryTypeIncludingNestedArrays) {
    GgufWriter w;
    w.addScalar<uint8_t>("u8", test::kU8, 200);
    w.addScalar<int8_t>("i8", test::kI8, -100);
    w.addScalar<uint16_t>("u16", test::kU16, 65535);
    w.addScalar<int16_t>("i16", test::kI16, -32768);
    w.addScalar<uint32_t>("u32", test::kU32, 4000000000u);
    w.addScalar<int32_t>("i32", test::kI32, -2000000000);
    w.addScalar<float>("f32", test::kF32, 0.1f);
    w.addScalar<uint8_t>("bool", test::kBool, 1);
    w.addString("string", "héllo");
    w.addScalar<uint64_t>("u64", test::kU64, 18446744073709551615ull);
    w.addScalar<int64_t>("i64", test::kI64, std::numeric_limits<int64_t>::min());
    w.addScalar<double>("f64", test::kF64, 2.5e-300);
    {
        ByteWriter a;  // [1, 2, 3] as i32
        a.put<uint32_t>(test::kI32);
        a.put<uint64_t>(3);
        for (int32_t v : {1, 2, 3}) a.put(v);
        w.addKv("arr.i32", test::kArray, a.bytes());
    }
    {
        ByteWriter a;  // [[1, 2], [], [3]] of u8 arrays
        a.put<uint32_t>(test::kArray);
        a.put<uint64_t>(3);
        a.put<uint32_t>(test::kU8); a.put<uint64_t>(2); a.put<uint8_t>(1); a.put<uint8_t>(2);
        a.put<uint32_t>(test::kU8); a.put<uint64_t>(0);
        a.put<uint32_t>(test::kU8); a.put<uint64_t>(1); a.put<uint8_t>(3);
        w.addKv("arr.nested", test::kArray, a.bytes());
    }
    std::vector<std::string> vocab;
    for (int i = 0; i < 512; ++i) {
        std::string tok(1, 't');  // not "t" + to_string(i): GCC 12 -O3 reports a false -Wrestrict there
        tok += std::to_string(i);
        vocab.push_back(i == 0 ? "<unk>" : i == 1 ? "<s>" : i == 2 ? "</s>" : tok);
    }
    w.addStringArray("tokenizer.ggml.tokens", vocab);
    {
        ByteWriter a;  // 1000 f32 zeros: preview only, the rest skipped
        a.put<uint32_t>(test::kF32);
        a.put<uint64_t>(1000);
        for (int i = 0; i < 1000; ++i) a.put<float>(static_cast<float>(i) * 0.5f);
        w.addKv("arr.f32", test::kArray, a.bytes());
    }
    const auto bytes = w.build();
    auto h = parseGgufHeader(bytes, "meta.gguf");
    ASSERT_TRUE(h) << h.message();
    EXPECT_EQ(h->find("u8")->u, 200u);
    EXPECT_EQ(h->find("i8")->i, -100);
    EXPECT_EQ(h->find("u16")->u, 65535u);
    EXPECT_EQ(h->find("i16")->i, -32768);
    EXPECT_EQ(h->find("u32")->u, 4000000000u);
    EXPECT_EQ(h->find("i32")->i, -2000000000);
    EXPECT_EQ(h->find("f32")->f, static_cast<double>(0.1f));
    EXPECT_EQ(h->find("bool")->u, 1u);
    EXPECT_EQ(h->find("string")->s, "héllo");
    EXPECT_EQ(h->find("u64")->u, 18446744073709551615ull);
    EXPECT_EQ(h->find("i64")->i, std::numeric_limits<int64_t>::min());
    EXPECT_EQ(h->find("f64")->f, 2.5e-300);
    const GgufValue* nested = h->find("arr.nested");
    ASSERT_EQ(nested->count, 3u);
    ASSERT_EQ(nested->items.size(), 3u);
    EXPECT_EQ(nested->items[0].items[1].u, 2u);
    EXPECT_EQ(nested->items[2].items[0].u, 3u);
    EXPECT_EQ(h->find("tokenizer.ggml.tokens")->count, 512u);
    EXPECT_EQ(h->find("tokenizer.ggml.tokens")->items.size(), kGgufArrayPreview);

    auto m = openBytes(bytes);
    ASSERT_TRUE(m) << m.message();
    EXPECT_EQ(metadataValue(*m, "u8"), "200");
    EXPECT_EQ(metadataValue(*m, "i16"), "-32768");
    EXPECT_EQ(metadataValue(*m, "f32"), "0.1");  // shortest float form
    EXPECT_EQ(metadataValue(*m, "bool"), "true");
    EXPECT_EQ(metadataValue(*m, "u64"), "18446744073709551615");
    EXPECT_EQ(metadataValue(*m, "i64"), "-9223372036854775808");
    EXPECT_EQ(metadataValue(*m, "f64"), "2.5e-300");
    EXPECT_EQ(metadataValue(*m, "string"), "héllo");
    EXPECT_EQ(metadataValue(*m, "arr.i32"), "[1, 2, 3]");
    EXPECT_EQ(metadataValue(*m, "arr.nested"), "[[1, 2], [], [3]]");
    EXPECT_EQ(metadataValue(*m, "tokenizer.ggml.tokens"), "[512 strings: \"<unk>\", \"<s>\", \"</s>\", …]");
    EXPECT_EQ(metadataValue(*m, "arr.f32"), "[1000 f32s: 0, 0.5, 1, …]");
}

TEST(GgufReader, CustomAlignmentAndVersion2) {
    GgufWriter w = smallFile();
    w.version = 2;
    w.alignment = 64;
    w.addScalar<uint32_t>("general.alignment", test::kU32, 64);
    auto m = openBytes(w.build());
    ASSERT_TRUE(m) << m.message();
    EXPECT_EQ(metadataValue(*m, "GGUF.version"), "2");
    EXPECT_EQ(metadataValue(*m, "GGUF.alignment"), "64");
    EXPECT_EQ(m->tensors[0].offset % 64, 0u);
    EXPECT_EQ(m->tensors[1].offset, m->tensors[0].offset + 64);
    auto b = m->view(1).toFloat();
    ASSERT_TRUE(b);
    EXPECT_FLOAT_EQ((*b)[17], 1.0f);
}

TEST(GgufReader, IqGridTypeIsListedAndRead) {
    GgufWriter w;
    // IQ2_XXS (id 16): 256 elements → one 66-byte block. All-zero bytes: d = 0, so every weight decodes to 0.
    w.addTensor({"iq.weight", {256}, 16, std::vector<std::byte>(66, std::byte{0}), {}, {}});
    auto m = openBytes(w.build());
    ASSERT_TRUE(m) << m.message();
    ASSERT_EQ(m->tensors.size(), 1u);
    EXPECT_EQ(m->tensors[0].dtype, DType::IQ2_XXS);
    EXPECT_EQ(m->tensors[0].bytes, 66u);
    auto v = m->view(0).toFloat();
    ASSERT_TRUE(v) << v.message();
    ASSERT_EQ(v->size(), 256u);
    EXPECT_EQ((*v)[0], 0.0f);
    EXPECT_EQ((*v)[255], 0.0f);
}

TEST(GgufReader, OpenModelSniffsGguf) {
    const std::string path = test::tempPath("sniff.bin");  // no .gguf extension: sniffed by magic
    test::writeBytes(path, smallFile().build());
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    EXPECT_EQ((*m)->format, "gguf");
    EXPECT_EQ((*m)->tensors.size(), 2u);
}

// [SECTION] hostile files: each must fail with a message naming the problem.
void expectError(const std::vector<std::byte>& bytes, const std::string& fragment) {
    auto m = openBytes(bytes, "bad.gguf");
    ASSERT_FALSE(m) << "expected an error containing: " << fragment;
    EXPECT_NE(m.message().find("bad.gguf"), std::string::npos) << m.message();
    EXPECT_NE(m.message().find(fragment), std::string::npos) << m.message();
}

TEST(GgufHostile, TruncatedAnywhere) {
    const auto good = smallFile().build();
    // Every prefix of the file must fail cleanly (never crash, never read past the end).
    for (size_t n = 0; n < good.size(); ++n) {
        std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        auto m = openBytes(cut, "bad.gguf");
        EXPECT_FALSE(m) << "prefix of " << n << " bytes opened";
    }
    std::vector<std::byte> header(good.begin(), good.begin() + 20);
    expectError(header, "kv_count: needs 8 bytes but the file ends after 4 (truncated)");
    // Cut inside the data of the last tensor.
    std::vector<std::byte> noData(good.begin(), good.end() - 1);
    expectError(noData, "tensor 'b.weight': data");
}

TEST(GgufHostile, BadMagicAndVersions) {
    auto bytes = smallFile().build();
    bytes[0] = std::byte{'X'};
    expectError(bytes, "magic: expected \"GGUF\"");
    GgufWriter w = smallFile();
    w.version = 1;
    expectError(w.build(), "version 1 is not supported");
    w.version = 4;
    expectError(w.build(), "version 4 is not supported");
    w.version = 0x03000000;
    expectError(w.build(), "big-endian GGUF files are not supported");
}

TEST(GgufHostile, HugeCountsFailFastWithoutAllocating) {
    GgufWriter w = smallFile();
    w.kvCountOverride = uint64_t{1} << 62;
    expectError(w.build(), "kv_count 4611686018427387904 cannot fit");
    w.kvCountOverride.reset();
    w.tensorCountOverride = uint64_t{1} << 63;
    expectError(w.build(), "tensor_count 9223372036854775808 cannot fit");
    // An array claiming 2^61 u32 elements.
    GgufWriter a;
    ByteWriter p;
    p.put<uint32_t>(test::kU32);
    p.put<uint64_t>(uint64_t{1} << 61);
    a.addKv("big", test::kArray, p.bytes());
    expectError(a.build(), "array of 2305843009213693952 u32 elements cannot fit");
    // An array of 2^40 strings (each at least 8 bytes).
    GgufWriter s;
    ByteWriter q;
    q.put<uint32_t>(test::kString);
    q.put<uint64_t>(uint64_t{1} << 40);
    s.addKv("strings", test::kArray, q.bytes());
    expectError(s.build(), "array of 1099511627776 string elements cannot fit");
}

TEST(GgufHostile, HugeCountInsideAMultiGigabyteFileDoesNotReserveForIt) {
    // A sparse 4 GiB file whose header claims 1 000 000 KV pairs (within the limit of 2^20): the count
    // "fits" the bytes left, so it is parsed; the zero bytes that follow read as key "" of type u8, then the
    // same key again. And 300 000 000 pairs, which would also "fit", exceed the limit.
    const std::string path = test::tempPath("huge-count.gguf");
    {
        ByteWriter w;
        w.putRaw("GGUF", 4);
        w.put<uint32_t>(3);
        w.put<uint64_t>(0);
        w.put<uint64_t>(1000000);
        test::writeBytes(path, w.bytes());
        std::error_code ec;
        std::filesystem::resize_file(path, uint64_t{4} << 30, ec);
        if (ec) GTEST_SKIP() << "cannot make a sparse 4 GiB file in " << path << ": " << ec.message();
    }
    auto m = openModel(path);
    ASSERT_FALSE(m);
    EXPECT_NE(m.message().find("metadata key '' appears twice"), std::string::npos) << m.message();
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(16);
        const uint64_t huge = 300000000;
        f.write(reinterpret_cast<const char*>(&huge), 8);
    }
    auto n = openModel(path);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    ASSERT_FALSE(n);
    EXPECT_NE(n.message().find("kv_count 300000000 exceeds the limit of 1048576"), std::string::npos) << n.message();
}

TEST(GgufHostile, StringLengthPastEof) {
    GgufWriter w;
    ByteWriter p;
    p.put<uint64_t>(1000000);  // string claims 1e6 bytes
    p.putRaw("abc", 3);
    w.addKv("general.name", test::kString, p.bytes());
    expectError(w.build(), "metadata 'general.name': string length 1000000 runs past the end of the file");
    // A key whose length runs past the end: header with kv_count = 1, then a key length of 2^63.
    ByteWriter k;
    k.putRaw("GGUF", 4);
    k.put<uint32_t>(3);
    k.put<uint64_t>(0);
    k.put<uint64_t>(1);
    k.put<uint64_t>(uint64_t{1} << 63);
    k.put<uint64_t>(0);
    const std::vector<std::byte> bytes = k.bytes();
    expectError(bytes, "metadata key 0: string length 9223372036854775808 runs past the end");
}

TEST(GgufHostile, BadValueTypesAndDeepNesting) {
    GgufWriter w;
    w.addKv("weird", 13, {});
    expectError(w.build(), "metadata 'weird' type: unknown value type 13");
    GgufWriter b;
    b.addScalar<uint8_t>("flag", test::kBool, 7);
    expectError(b.build(), "bool value 7 is neither 0 nor 1");
    GgufWriter n;
    ByteWriter p;
    for (int i = 0; i < 40; ++i) {
        p.put<uint32_t>(test::kArray);
        p.put<uint64_t>(1);
    }
    p.put<uint32_t>(test::kU8);
    p.put<uint64_t>(0);
    n.addKv("deep", test::kArray, p.bytes());
    expectError(n.build(), "arrays nested deeper than 16");
    GgufWriter d;
    d.addString("dup", "a");
    d.addString("dup", "b");
    expectError(d.build(), "metadata key 'dup' appears twice");
}

TEST(GgufHostile, TensorInfoLies) {
    {
        GgufWriter w;  // n_dims 9 > GGML_MAX_DIMS
        w.addTensor({"t", {1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, test::f32Bytes({1}), {}, {}});
        expectError(w.build(), "tensor 't': n_dims 9 exceeds the maximum of 4");
    }
    {
        GgufWriter w;  // dims whose product overflows 64 bits
        w.addTensor({"t", {uint64_t{1} << 32, uint64_t{1} << 32, 2}, 0, {}, {}, {}});
        expectError(w.build(), "tensor 't': element count overflows 64 bits");
    }
    {
        GgufWriter w;  // a dimension that is negative as int64
        w.addTensor({"t", {uint64_t{1} << 63}, 0, {}, {}, {}});
        expectError(w.build(), "is negative as ggml's int64 ne");
    }
    {
        GgufWriter w;  // product fits u64 but its byte size does not
        w.addTensor({"t", {uint64_t{1} << 31, uint64_t{1} << 31}, 0, {}, {}, {}});
        expectError(w.build(), "tensor 't': byte size overflows 64 bits");
    }
    {
        GgufWriter w;  // unknown ggml type id
        w.addTensor({"t", {4}, 99, test::f32Bytes({1, 2, 3, 4}), {}, {}});
        expectError(w.build(), "tensor 't': unknown ggml type id 99");
        GgufWriter r;  // removed type id (Q4_2)
        r.addTensor({"t", {32}, 4, std::vector<std::byte>(20), {}, {}});
        expectError(r.build(), "unknown ggml type id 4");
    }
    {
        GgufWriter w;  // Q4_0 row of 48: not a multiple of the block size 32
        w.addTensor({"t", {48, 2}, 2, std::vector<std::byte>(54), {}, {}});
        expectError(w.build(), "tensor 't': row length 48 is not a multiple of the Q4_0 block size 32");
    }
    {
        GgufWriter w;  // misaligned offset
        w.addTensor({"t", {4}, 0, test::f32Bytes({1, 2, 3, 4}), 8, {}});
        expectError(w.build(), "tensor 't': data offset 8 is not a multiple of the alignment 32");
    }
    {
        GgufWriter w;  // offset past the end of the file
        w.addTensor({"t", {4}, 0, test::f32Bytes({1, 2, 3, 4}), uint64_t{1} << 40, {}});
        expectError(w.build(), "tensor 't': data [1099511627776, +16) at file offset");
        GgufWriter x;  // offset + size wrapping around 2^64
        x.addTensor({"t", {4}, 0, test::f32Bytes({1, 2, 3, 4}), ~uint64_t{31}, {}});
        expectError(x.build(), "runs past the end of the file");
    }
    {
        GgufWriter w;  // duplicate tensor names
        w.addTensor({"t", {4}, 0, test::f32Bytes({1, 2, 3, 4}), {}, {}});
        w.addTensor({"t", {4}, 0, test::f32Bytes({1, 2, 3, 4}), {}, {}});
        expectError(w.build(), "tensor 't': name appears twice");
    }
}

TEST(GgufHostile, BadAlignmentValues) {
    GgufWriter w = smallFile();
    w.addScalar<uint32_t>("general.alignment", test::kU32, 48);
    expectError(w.build(), "general.alignment 48 is not a power of two");
    GgufWriter z = smallFile();
    z.addScalar<uint32_t>("general.alignment", test::kU32, 0);
    expectError(z.build(), "general.alignment 0 is not a power of two");
    GgufWriter t = smallFile();
    t.addScalar<uint64_t>("general.alignment", test::kU64, 32);
    expectError(t.build(), "general.alignment must be a u32, found u64");
}

}  // namespace
}  // namespace qv
