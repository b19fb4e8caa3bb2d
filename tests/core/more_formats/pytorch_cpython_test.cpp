// PyTorch loader on a checkpoint whose pickle came from CPython's own pickler, in a zip laid out as
// torch's writer lays it out (64-byte data alignment through "FB" padding in local headers only).
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>

#include "core/formats/model_file.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// pickle.Pickler(buf, protocol=2) of CPython 3.11 with a persistent_id hook, dumping
//   {'epoch': 7, 'lr': 0.0003, 'step': 2**40, 'model': sd}
// where sd is an OrderedDict (with a _metadata attribute, as Module.state_dict() returns) of
//   'layer.weight'            _rebuild_tensor_v2(storage '0' Float ×6, 0, (2, 3), (3, 1), False, OrderedDict())
//   'layer.weight_t'          _rebuild_tensor_v2(storage '0', 0, (3, 2), (1, 3), …)   (a transposed view)
//   'layer.bias'              _rebuild_parameter(_rebuild_tensor_v2(storage '1' Float ×2, 0, (2,), (1,), …), True, OrderedDict())
//   'bn.num_batches_tracked'  _rebuild_tensor_v2(storage '2' Long ×1, 0, (), (), …)
// and persistent ids ('storage', torch.<T>Storage, key, 'cpu', numel) — what torch.save emits
// (torch/serialization.py _save; torch/_tensor.py __reduce_ex__; torch/nn/parameter.py). The fake
// torch globals were plain Python functions/classes with matching __module__/__qualname__, so
// these bytes are CPython's, not ours.
constexpr char kPickle[] =
    "\x80\x02\x7d\x71\x00\x28\x58\x05\x00\x00\x00\x65\x70\x6f\x63\x68\x71\x01\x4b\x07"
    "\x58\x02\x00\x00\x00\x6c\x72\x71\x02\x47\x3f\x33\xa9\x2a\x30\x55\x32\x61\x58\x04"
    "\x00\x00\x00\x73\x74\x65\x70\x71\x03\x8a\x06\x00\x00\x00\x00\x00\x01\x58\x05\x00"
    "\x00\x00\x6d\x6f\x64\x65\x6c\x71\x04\x63\x63\x6f\x6c\x6c\x65\x63\x74\x69\x6f\x6e"
    "\x73\x0a\x4f\x72\x64\x65\x72\x65\x64\x44\x69\x63\x74\x0a\x71\x05\x29\x52\x71\x06"
    "\x28\x58\x0c\x00\x00\x00\x6c\x61\x79\x65\x72\x2e\x77\x65\x69\x67\x68\x74\x71\x07"
    "\x63\x74\x6f\x72\x63\x68\x2e\x5f\x75\x74\x69\x6c\x73\x0a\x5f\x72\x65\x62\x75\x69"
    "\x6c\x64\x5f\x74\x65\x6e\x73\x6f\x72\x5f\x76\x32\x0a\x71\x08\x28\x28\x58\x07\x00"
    "\x00\x00\x73\x74\x6f\x72\x61\x67\x65\x71\x09\x63\x74\x6f\x72\x63\x68\x0a\x46\x6c"
    "\x6f\x61\x74\x53\x74\x6f\x72\x61\x67\x65\x0a\x71\x0a\x58\x01\x00\x00\x00\x30\x71"
    "\x0b\x58\x03\x00\x00\x00\x63\x70\x75\x71\x0c\x4b\x06\x74\x71\x0d\x51\x4b\x00\x4b"
    "\x02\x4b\x03\x86\x71\x0e\x4b\x03\x4b\x01\x86\x71\x0f\x89\x68\x05\x29\x52\x71\x10"
    "\x74\x71\x11\x52\x71\x12\x58\x0e\x00\x00\x00\x6c\x61\x79\x65\x72\x2e\x77\x65\x69"
    "\x67\x68\x74\x5f\x74\x71\x13\x68\x08\x28\x28\x68\x09\x68\x0a\x68\x0b\x68\x0c\x4b"
    "\x06\x74\x71\x14\x51\x4b\x00\x4b\x03\x4b\x02\x86\x71\x15\x4b\x01\x4b\x03\x86\x71"
    "\x16\x89\x68\x05\x29\x52\x71\x17\x74\x71\x18\x52\x71\x19\x58\x0a\x00\x00\x00\x6c"
    "\x61\x79\x65\x72\x2e\x62\x69\x61\x73\x71\x1a\x63\x74\x6f\x72\x63\x68\x2e\x5f\x75"
    "\x74\x69\x6c\x73\x0a\x5f\x72\x65\x62\x75\x69\x6c\x64\x5f\x70\x61\x72\x61\x6d\x65"
    "\x74\x65\x72\x0a\x71\x1b\x68\x08\x28\x28\x68\x09\x68\x0a\x58\x01\x00\x00\x00\x31"
    "\x71\x1c\x68\x0c\x4b\x02\x74\x71\x1d\x51\x4b\x00\x4b\x02\x85\x71\x1e\x4b\x01\x85"
    "\x71\x1f\x89\x68\x05\x29\x52\x71\x20\x74\x71\x21\x52\x71\x22\x88\x68\x05\x29\x52"
    "\x71\x23\x87\x71\x24\x52\x71\x25\x58\x16\x00\x00\x00\x62\x6e\x2e\x6e\x75\x6d\x5f"
    "\x62\x61\x74\x63\x68\x65\x73\x5f\x74\x72\x61\x63\x6b\x65\x64\x71\x26\x68\x08\x28"
    "\x28\x68\x09\x63\x74\x6f\x72\x63\x68\x0a\x4c\x6f\x6e\x67\x53\x74\x6f\x72\x61\x67"
    "\x65\x0a\x71\x27\x58\x01\x00\x00\x00\x32\x71\x28\x68\x0c\x4b\x01\x74\x71\x29\x51"
    "\x4b\x00\x29\x29\x89\x68\x05\x29\x52\x71\x2a\x74\x71\x2b\x52\x71\x2c\x75\x7d\x71"
    "\x2d\x58\x09\x00\x00\x00\x5f\x6d\x65\x74\x61\x64\x61\x74\x61\x71\x2e\x68\x05\x29"
    "\x52\x71\x2f\x28\x58\x00\x00\x00\x00\x71\x30\x7d\x71\x31\x58\x07\x00\x00\x00\x76"
    "\x65\x72\x73\x69\x6f\x6e\x71\x32\x4b\x01\x73\x58\x05\x00\x00\x00\x6c\x61\x79\x65"
    "\x72\x71\x33\x7d\x71\x34\x68\x32\x4b\x01\x73\x75\x73\x62\x75\x2e";

uint32_t crc32(const std::vector<std::byte>& data) {  // IEEE 802.3, reflected, as zip uses
    uint32_t c = 0xFFFFFFFFu;
    for (std::byte b : data) {
        c ^= static_cast<uint8_t>(b);
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

template <class T>
void put(std::vector<std::byte>& out, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<std::byte>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF));
}

void putText(std::vector<std::byte>& out, const std::string& s) {
    for (char c : s) out.push_back(static_cast<std::byte>(c));
}

// A stored zip like caffe2/serialize/inline_container.cc writes through miniz: each local header
// (APPNOTE 4.3.7) carries an extra field 'FB' (0x4246) of padding so the data starts at a
// multiple of 64; central directory entries (4.3.12) carry no extra field; then the EOCD (4.3.16).
std::vector<std::byte> torchZip(const std::vector<std::pair<std::string, std::vector<std::byte>>>& records) {
    std::vector<std::byte> out, central;
    for (const auto& [name, data] : records) {
        const uint32_t offset = static_cast<uint32_t>(out.size());
        const size_t base = out.size() + 30 + name.size() + 4;
        const uint16_t pad = static_cast<uint16_t>((64 - base % 64) % 64);
        const uint32_t crc = crc32(data);
        put<uint32_t>(out, 0x04034b50u);
        for (uint16_t v : {20, 0, 0, 0, 0}) put<uint16_t>(out, v);  // version, flags, method, time, date
        put<uint32_t>(out, crc);
        put<uint32_t>(out, static_cast<uint32_t>(data.size()));
        put<uint32_t>(out, static_cast<uint32_t>(data.size()));
        put<uint16_t>(out, static_cast<uint16_t>(name.size()));
        put<uint16_t>(out, static_cast<uint16_t>(4 + pad));
        putText(out, name);
        put<uint16_t>(out, 0x4246);
        put<uint16_t>(out, pad);
        out.insert(out.end(), pad, std::byte{'Z'});
        out.insert(out.end(), data.begin(), data.end());

        put<uint32_t>(central, 0x02014b50u);
        for (uint16_t v : {20, 20, 0, 0, 0, 0}) put<uint16_t>(central, v);
        put<uint32_t>(central, crc);
        put<uint32_t>(central, static_cast<uint32_t>(data.size()));
        put<uint32_t>(central, static_cast<uint32_t>(data.size()));
        put<uint16_t>(central, static_cast<uint16_t>(name.size()));
        for (uint16_t v : {0, 0, 0, 0}) put<uint16_t>(central, v);  // extra, comment, disk, internal attrs
        put<uint32_t>(central, 0);                                    // external attrs
        put<uint32_t>(central, offset);
        putText(central, name);
    }
    const uint32_t cdOffset = static_cast<uint32_t>(out.size());
    out.insert(out.end(), central.begin(), central.end());
    put<uint32_t>(out, 0x06054b50u);
    put<uint16_t>(out, 0);
    put<uint16_t>(out, 0);
    put<uint16_t>(out, static_cast<uint16_t>(records.size()));
    put<uint16_t>(out, static_cast<uint16_t>(records.size()));
    put<uint32_t>(out, static_cast<uint32_t>(central.size()));
    put<uint32_t>(out, cdOffset);
    put<uint16_t>(out, 0);
    return out;
}

template <class T>
std::vector<std::byte> le(std::initializer_list<T> values) {
    std::vector<std::byte> out(values.size() * sizeof(T));
    std::memcpy(out.data(), values.begin(), out.size());
    return out;
}

TEST(PytorchCPython, PicklerOutputWithTorchZipPadding) {
    std::vector<std::byte> pkl(sizeof kPickle - 1);
    std::memcpy(pkl.data(), kPickle, pkl.size());
    ASSERT_EQ(pkl.size(), 596u);
    const std::string path = test::tempPath("cpython.pt");
    test::writeBytes(path, torchZip({{"ckpt/data.pkl", pkl},
                                     {"ckpt/byteorder", le<char>({'l', 'i', 't', 't', 'l', 'e'})},
                                     {"ckpt/data/0", le<float>({1, 2, 3, 4, 5, 6})},
                                     {"ckpt/data/1", le<float>({-0.5f, 0.25f})},
                                     {"ckpt/data/2", le<int64_t>({99})},
                                     {"ckpt/version", le<char>({'3', '\n'})}}));
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& m = **model;
    ASSERT_EQ(m.tensors.size(), 4u);
    EXPECT_EQ(m.tensors[0].name, "model.layer.weight");
    EXPECT_EQ(m.tensors[1].name, "model.layer.weight_t");
    EXPECT_EQ(m.tensors[2].name, "model.layer.bias");
    EXPECT_EQ(m.tensors[3].name, "model.bn.num_batches_tracked");
    // Zero-copy windows at the 64-byte aligned data of each storage member.
    EXPECT_EQ(m.tensors[0].source, 0u);
    EXPECT_EQ(m.tensors[0].offset % 64, 0u);
    EXPECT_EQ(m.tensors[2].offset % 64, 0u);
    EXPECT_NE(m.view(0).directF32(), nullptr);
    auto all = [&](size_t i) { return *m.view(i).toFloat(); };
    EXPECT_EQ(all(0), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(all(1), (std::vector<float>{1, 4, 2, 5, 3, 6}));
    EXPECT_EQ(all(2), (std::vector<float>{-0.5f, 0.25f}));
    EXPECT_EQ(all(3), (std::vector<float>{99}));
    std::map<std::string, std::string> md;
    for (const auto& e : m.metadata) md[e.key] = e.value;
    EXPECT_EQ(md["epoch"], "7");
    EXPECT_EQ(md["lr"], "0.0003");
    EXPECT_EQ(md["step"], "1099511627776");
    EXPECT_EQ(md["pytorch.archive"], "ckpt/");
}

}  // namespace
}  // namespace qv
