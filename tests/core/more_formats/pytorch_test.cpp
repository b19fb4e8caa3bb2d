// PyTorch checkpoint loader: torch.save layouts built byte by byte, values, views, refusals.
#include <gtest/gtest.h>

#include "core/formats/model_file.h"
#include "core/formats/pickle.h"
#include "core/formats/pytorch.h"
#include "core/tensor/half.h"
#include "tests/core/more_formats/torch_writer.h"
#include "tests/core/more_formats/zip_builder.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

using test::PickleWriter;
using test::rawBytes;
using test::toBytes;
using test::ZipEntry;

std::vector<float> readAll(const ModelFile& m, const std::string& name) {
    auto i = m.find(name);
    EXPECT_TRUE(i.has_value()) << name;
    if (!i) return {};
    auto v = m.view(*i).toFloat();
    EXPECT_TRUE(v.ok()) << name;
    return v.ok() ? *v : std::vector<float>{};
}

std::string metadata(const ModelFile& m, const std::string& key) {
    for (const auto& e : m.metadata)
        if (e.key == key) return e.value;
    return "<absent>";
}

// A small "Linear + BatchNorm" state dict as torch.save writes it:
//   fc.weight  f32 [2, 3] = storage '0'          fc.bias f32 [2] = storage '1'
//   fc.weight_t f32 [3, 2] = fc.weight.t()  (shares storage '0', strides (1, 3): non-contiguous)
//   bn.num_batches_tracked i64 [] = storage '2' (a 0-d tensor)
//   half.w f16 [3] = storage '3' from element 1 (storage_offset 1 of a 4-element storage)
//   p  f32 [2] as an nn.Parameter (_rebuild_parameter) on storage '4'
std::vector<ZipEntry> smallCheckpoint(const std::string& archive) {
    PickleWriter w;
    w.beginStateDict();
    w.str("fc.weight");
    w.tensor("FloatStorage", "0", 6, 0, {2, 3}, {3, 1});
    w.str("fc.bias");
    w.tensor("FloatStorage", "1", 2, 0, {2}, {1});
    w.str("fc.weight_t");
    w.tensor("FloatStorage", "0", 6, 0, {3, 2}, {1, 3});
    w.str("bn.num_batches_tracked");
    w.tensor("LongStorage", "2", 1, 0, {}, {});
    w.str("half.w");
    w.tensor("HalfStorage", "3", 4, 1, {3}, {1});
    w.str("p");
    w.tensor("FloatStorage", "4", 2, 0, {2}, {1}, /*parameter=*/true);
    w.endStateDict();
    const auto pkl = w.finish();
    const std::vector<uint16_t> halves = {0x7C00 /*inf*/, 0x3C00 /*1.0*/, 0xC000 /*-2.0*/, 0x3800 /*0.5*/};
    return {
        {archive + "/data.pkl", pkl, false},
        {archive + "/byteorder", toBytes("little"), false},
        {archive + "/data/0", rawBytes(std::vector<float>{1, 2, 3, 4, 5, 6}), false},
        {archive + "/data/1", rawBytes(std::vector<float>{-0.5f, 0.25f}), false},
        {archive + "/data/2", rawBytes(std::vector<int64_t>{12345}), false},
        {archive + "/data/3", rawBytes(halves), false},
        {archive + "/data/4", rawBytes(std::vector<float>{7, -8}), false},
        {archive + "/version", toBytes("3\n"), false},
    };
}

TEST(Pytorch, StateDictTensorsValuesAndViews) {
    const std::string path = test::tempPath("model.pt");
    test::writeZip(path, smallCheckpoint("model"));
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& m = **model;
    EXPECT_EQ(m.format, "pytorch");
    ASSERT_EQ(m.tensors.size(), 6u);
    // State-dict order, keys verbatim.
    EXPECT_EQ(m.tensors[0].name, "fc.weight");
    EXPECT_EQ(m.tensors[1].name, "fc.bias");
    EXPECT_EQ(m.tensors[2].name, "fc.weight_t");
    EXPECT_EQ(m.tensors[3].name, "bn.num_batches_tracked");
    EXPECT_EQ(m.tensors[4].name, "half.w");
    EXPECT_EQ(m.tensors[5].name, "p");

    EXPECT_EQ(m.tensors[0].shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(readAll(m, "fc.weight"), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(readAll(m, "fc.bias"), (std::vector<float>{-0.5f, 0.25f}));
    // The transpose: row-major [3, 2] of [[1,2,3],[4,5,6]]ᵀ = 1 4 2 5 3 6 (gathered copy).
    EXPECT_EQ(m.tensors[2].shape, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(readAll(m, "fc.weight_t"), (std::vector<float>{1, 4, 2, 5, 3, 6}));
    EXPECT_NE(m.tensors[2].source, 0u);
    EXPECT_EQ(m.tensors[3].dtype, DType::I64);
    EXPECT_TRUE(m.tensors[3].shape.empty());
    EXPECT_EQ(readAll(m, "bn.num_batches_tracked"), (std::vector<float>{12345}));
    EXPECT_EQ(m.tensors[4].dtype, DType::F16);
    EXPECT_EQ(readAll(m, "half.w"), (std::vector<float>{1.0f, -2.0f, 0.5f}));  // skips the inf at offset 0
    EXPECT_EQ(readAll(m, "p"), (std::vector<float>{7, -8}));

    // Contiguous tensors are windows of the mapped archive (source 0), at the member's data.
    EXPECT_EQ(m.tensors[0].source, 0u);
    EXPECT_EQ(m.tensors[4].source, 0u);
    const auto raw = m.view(0).rawBytes();
    float second = 0;
    std::memcpy(&second, raw.data() + 4, 4);
    EXPECT_EQ(second, 2.0f);
    EXPECT_EQ(metadata(m, "pytorch.archive"), "model/");
}

TEST(Pytorch, NestedCheckpointDictJoinsKeysAndKeepsScalars) {
    // {'epoch': 3, 'lr': 0.001, 'model': state_dict}: a dict (EMPTY_DICT) with SETITEMS.
    PickleWriter w;
    w.op('}');
    w.memoize();
    w.op('(');
    w.str("epoch");
    w.integer(3);
    w.str("lr");
    w.op('G');
    const double lr = 0.001;
    uint64_t bits;
    std::memcpy(&bits, &lr, 8);
    for (int i = 7; i >= 0; --i) w.byte(static_cast<uint8_t>(bits >> (8 * i)));
    w.str("model");
    w.beginStateDict();
    w.str("w");
    w.tensor("DoubleStorage", "0", 2, 0, {2}, {1});
    w.endStateDict();
    w.op('u');
    const std::string path = test::tempPath("ckpt.pth");
    test::writeZip(path, {{"archive/data.pkl", w.finish(), false},
                          {"archive/data/0", rawBytes(std::vector<double>{1.5, -3.25}), true}});
    auto m = openPytorch(path);
    ASSERT_TRUE(m.ok()) << m.message();
    ASSERT_EQ(m->tensors.size(), 1u);
    EXPECT_EQ(m->tensors[0].name, "model.w");
    EXPECT_EQ(m->tensors[0].dtype, DType::F64);
    EXPECT_EQ(readAll(*m, "model.w"), (std::vector<float>{1.5f, -3.25f}));
    EXPECT_EQ(metadata(*m, "epoch"), "3");
    EXPECT_EQ(metadata(*m, "lr"), "0.001");
}

std::string openError(const std::vector<std::byte>& pkl, const std::string& name,
                      std::vector<ZipEntry> extra = {}) {
    const std::string path = test::tempPath(name);
    extra.insert(extra.begin(), ZipEntry{"a/data.pkl", pkl, false});
    test::writeZip(path, extra);
    auto m = openModel(path);
    EXPECT_FALSE(m.ok()) << name;
    return m.ok() ? "" : m.message();
}

TEST(Pytorch, RefusesCodeAndUnknownOpcodesNamingThem) {
    {  // GLOBAL os.system: never imported, refused at the opcode (offset 2, right after PROTO).
        PickleWriter w;
        w.global("os", "system");
        w.str("echo pwned");
        w.op(0x85);
        w.op('R');
        auto msg = openError(w.finish(), "evil.pt");
        EXPECT_NE(msg.find("os.system"), std::string::npos) << msg;
        EXPECT_NE(msg.find("byte offset 2"), std::string::npos) << msg;
    }
    {  // INST (protocol 0 class instantiation) is not in the subset.
        PickleWriter w;
        w.op('(');
        w.op('i');
        auto msg = openError(w.finish(), "inst.pt");
        EXPECT_NE(msg.find("INST"), std::string::npos) << msg;
        EXPECT_NE(msg.find("byte offset 3"), std::string::npos) << msg;
    }
    {  // REDUCE of an allowed but non-callable global (a storage class).
        PickleWriter w;
        w.global("torch", "FloatStorage");
        w.op(')');
        w.op('R');
        auto msg = openError(w.finish(), "reduce.pt");
        EXPECT_NE(msg.find("REDUCE torch.FloatStorage"), std::string::npos) << msg;
    }
    {  // Truncated pickle: no STOP.
        auto bytes = PickleWriter().op('}').finish();
        bytes.pop_back();
        auto msg = openError(bytes, "trunc.pt");
        EXPECT_NE(msg.find("without STOP"), std::string::npos) << msg;
    }
}

TEST(Pytorch, RefusesInconsistentStorages) {
    auto one = [](const std::string& type, int64_t numel, int64_t offset, std::vector<int64_t> size,
                  std::vector<int64_t> stride) {
        PickleWriter w;
        w.beginStateDict();
        w.str("t");
        w.tensor(type, "0", numel, offset, size, stride);
        w.endStateDict();
        return w.finish();
    };
    const auto four = rawBytes(std::vector<float>{1, 2, 3, 4});
    // Size reaching past the storage.
    auto msg = openError(one("FloatStorage", 4, 2, {3}, {1}), "past.pt", {{"a/data/0", four, false}});
    EXPECT_NE(msg.find("tensor 't'"), std::string::npos) << msg;
    // Storage member missing.
    msg = openError(one("FloatStorage", 4, 0, {4}, {1}), "missing.pt");
    EXPECT_NE(msg.find("a/data/0"), std::string::npos) << msg;
    // Pickle claims more elements than the member holds.
    msg = openError(one("FloatStorage", 9, 0, {4}, {1}), "numel.pt", {{"a/data/0", four, false}});
    EXPECT_NE(msg.find("holds 4 elements"), std::string::npos) << msg;
    // Big-endian storages.
    msg = openError(one("FloatStorage", 4, 0, {4}, {1}), "big.pt",
                    {{"a/data/0", four, false}, {"a/byteorder", toBytes("big"), false}});
    EXPECT_NE(msg.find("byteorder 'big'"), std::string::npos) << msg;
}

TEST(Pytorch, ExpandedTensorsAreGatheredWithinABudget) {
    // x = torch.tensor([2.5]).expand(4): size (4,), stride (0,) over a 1-element storage.
    auto expanded = [](int64_t n, int copies) {
        PickleWriter w;
        w.beginStateDict();
        for (int i = 0; i < copies; ++i) {
            std::string key = "x";  // (not "x" + …: GCC 12 -Wrestrict false positive)
            key += std::to_string(i);
            w.str(key);
            w.tensor("FloatStorage", "0", 1, 0, {n}, {0});
        }
        w.endStateDict();
        return w.finish();
    };
    const auto one = rawBytes(std::vector<float>{2.5f});
    const std::string path = test::tempPath("expand.pt");
    test::writeZip(path, {{"a/data.pkl", expanded(4, 1), false}, {"a/data/0", one, false}});
    auto m = openPytorch(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(readAll(*m, "x0"), (std::vector<float>{2.5f, 2.5f, 2.5f, 2.5f}));
    // 4 × 2^24 floats = 256 MiB gathered (the whole budget); a 5th copy is refused.
    const std::string big = test::tempPath("expand_big.pt");
    test::writeZip(big, {{"a/data.pkl", expanded(int64_t{1} << 24, 5), false}, {"a/data/0", one, false}});
    auto b = openPytorch(big);
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.message().find("tensor 'x4'"), std::string::npos) << b.message();
    EXPECT_NE(b.message().find("gather budget"), std::string::npos) << b.message();
}

TEST(Pickle, IntegerOpcodesDecodeAsPickleDefinesThem) {
    // BININT1 200, BININT2 40000, BININT -5, LONG1 (3 bytes) -2^23, LONG1 (0 bytes) 0 in a list.
    std::vector<uint8_t> p = {0x80, 2, ']', '(', 'K', 200, 'M', 0x40, 0x9c, 'J', 0xfb, 0xff, 0xff, 0xff,
                              0x8a, 3, 0x00, 0x00, 0x80, 0x8a, 0, 'e', '.'};
    std::vector<std::byte> bytes(p.size());
    std::memcpy(bytes.data(), p.data(), p.size());
    auto prog = unpickleTorch(bytes, "ints");
    ASSERT_TRUE(prog.ok()) << prog.message();
    const PickleValue& list = prog->values[prog->root];
    ASSERT_EQ(list.kind, PickleValue::Kind::List);
    ASSERT_EQ(list.items.size(), 5u);
    const int64_t expect[] = {200, 40000, -5, -(int64_t{1} << 23), 0};
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(prog->values[list.items[i]].integer, expect[i]) << i;
}

TEST(Pickle, SelfContainingDictDoesNotLoopTheWalk) {
    // d = {}; d['d'] = d  →  } q0 X'd' h0 s .
    PickleWriter w;
    w.op('}');
    w.memoize();
    w.str("d");
    w.get(0);
    w.op('s');
    const std::string path = test::tempPath("loop.pt");
    test::writeZip(path, {{"a/data.pkl", w.finish(), false}});
    auto m = openModel(path);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_TRUE((*m)->tensors.empty());
}

}  // namespace
}  // namespace qv
