// Seed corpus generator for the fuzz targets: small valid files of every format, built with the
// same writers the tests use (so the fuzzers start from inputs that reach deep into each parser).
// Usage: fuzz_seeds OUT_DIR  → OUT_DIR/<target>/<name>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/formats/npy.h"
#include "core/formats/safetensors.h"
#include "tests/core/gguf/gguf_writer.h"
#include "tests/core/more_formats/torch_writer.h"
#include "tests/core/more_formats/zip_builder.h"

namespace fs = std::filesystem;
using namespace qv;
using namespace qv::test;

namespace {

fs::path g_out;

void put(const std::string& target, const std::string& name, const std::vector<std::byte>& bytes) {
    fs::create_directories(g_out / target);
    std::ofstream f(g_out / target / name, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::byte> slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(f)), {});
    std::vector<std::byte> out(c.size());
    std::memcpy(out.data(), c.data(), c.size());
    return out;
}

std::vector<std::byte> pattern(size_t n, uint8_t seed) {
    std::vector<std::byte> v(n);
    uint32_t x = 2463534242u ^ seed;
    for (auto& b : v) {  // xorshift32: deterministic filler
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        b = static_cast<std::byte>(x);
    }
    return v;
}

void npySeeds() {
    const fs::path tmp = g_out / "tmp.npy";
    struct S { const char* name; DType t; std::vector<int64_t> shape; size_t elem; };
    const S specs[] = {{"f32_2x3", DType::F32, {2, 3}, 4}, {"f64_4", DType::F64, {4}, 8},
                       {"i8_scalar", DType::I8, {}, 1},   {"u8_2x2x2", DType::U8, {2, 2, 2}, 1},
                       {"f16_5", DType::F16, {5}, 2},     {"i64_0", DType::I64, {0}, 8}};
    for (const auto& s : specs) {
        size_t n = 1;
        for (auto d : s.shape) n *= static_cast<size_t>(d);
        auto data = pattern(n * s.elem, 1);
        if (writeNpy(tmp.string(), s.t, s.shape, data)) put("npy", s.name, slurp(tmp));
    }
    put("npy", "fortran", npyImage("<f4", "(2, 3)", pattern(24, 2), true));
    put("npy", "bool", npyImage("|b1", "(3,)", pattern(3, 3)));
    fs::remove(tmp);
}

void safetensorsSeeds() {
    const fs::path tmp = g_out / "tmp.safetensors";
    std::vector<SafetensorsEntry> e = {
        {"a.weight", DType::F32, {2, 3}, pattern(24, 4)},
        {"a.bias", DType::BF16, {3}, pattern(6, 5)},
        {"b", DType::I8, {4}, pattern(4, 6)},
    };
    if (writeSafetensors(tmp.string(), e, {{"format", "pt"}})) put("safetensors", "three", slurp(tmp));
    if (writeSafetensors(tmp.string(), {{"x", DType::F16, {}, pattern(2, 7)}})) put("safetensors", "scalar", slurp(tmp));
    fs::remove(tmp);
}

void ggufSeeds() {
    GgufWriter w;
    w.addString("general.architecture", "llama");
    w.addScalar<uint32_t>("llama.block_count", kU32, 2);
    w.addScalar<float>("x.f32", kF32, 0.5f);
    w.addScalar<uint8_t>("x.bool", kBool, 1);
    w.addStringArray("tokenizer.ggml.tokens", {"a", "b", "<s>"});
    w.addTensor({"f32", {4, 2}, 0, pattern(32, 8)});
    w.addTensor({"f16", {8}, 1, pattern(16, 9)});
    w.addTensor({"q8_0", {32}, 8, pattern(34, 10)});
    w.addTensor({"q4_0", {32}, 2, pattern(18, 11)});
    put("gguf", "mixed", w.build());
    // One tensor of each K-quant / IQ block type (ggml type ids; 256-element super-blocks, IQ4_NL 32):
    // Q2_K..Q6_K, IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ1_M (sizes: core/tensor/dtype.cpp).
    // The grid types index codebooks with bits from the data, so the fuzzer mutates those indices.
    const std::pair<uint32_t, size_t> blocks[] = {{10, 84}, {11, 110}, {12, 144}, {13, 176}, {14, 210},
                                                  {16, 66}, {17, 74},   {18, 98},  {19, 50},  {20, 18},
                                                  {21, 110}, {22, 82},  {29, 56}};
    for (auto [type, bytes] : blocks) {
        GgufWriter k;
        k.version = 2 + (type % 2);
        k.addTensor({"t", {type == 20 ? 32u : 256u}, type, pattern(bytes, static_cast<uint8_t>(type))});
        put("gguf", "type" + std::to_string(type), k.build());
    }
}

void onnxSeeds() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("seed");
    m.add_opset_import()->set_version(17);
    auto* g = m.mutable_graph();
    auto* raw = g->add_initializer();
    raw->set_name("raw");
    raw->set_data_type(onnx::TensorProto::FLOAT);
    raw->add_dims(2);
    raw->add_dims(2);
    auto rb = pattern(16, 12);
    raw->set_raw_data(std::string(reinterpret_cast<const char*>(rb.data()), rb.size()));
    auto* typed = g->add_initializer();
    typed->set_name("typed");
    typed->set_data_type(onnx::TensorProto::FLOAT16);
    typed->add_dims(3);
    for (int v : {0x3C00, 0xC100, 0x7BFF}) typed->add_int32_data(v);
    auto* i64 = g->add_initializer();
    i64->set_name("i64");
    i64->set_data_type(onnx::TensorProto::INT64);
    i64->add_dims(2);
    i64->add_int64_data(-1);
    i64->add_int64_data(7);
    auto* ifn = g->add_node();
    ifn->set_op_type("If");
    auto* a = ifn->add_attribute();
    a->set_name("then_branch");
    a->set_type(onnx::AttributeProto::GRAPH);
    auto* c = a->mutable_g()->add_node();
    c->set_op_type("Constant");
    c->add_output("c");
    auto* v = c->add_attribute();
    v->set_name("value");
    auto* t = v->mutable_t();
    t->set_data_type(onnx::TensorProto::DOUBLE);
    t->add_dims(2);
    t->add_double_data(1.5);
    t->add_double_data(-2);
    auto* c2 = a->mutable_g()->add_node();
    c2->set_op_type("Constant");
    c2->add_output("ints");
    auto* v2 = c2->add_attribute();
    v2->set_name("value_ints");
    v2->add_ints(3);
    v2->add_ints(-4);
    auto* kv = m.add_metadata_props();
    kv->set_key("k");
    kv->set_value("v");
    std::string s;
    m.SerializeToString(&s);
    std::vector<std::byte> bytes(s.size());
    std::memcpy(bytes.data(), s.data(), s.size());
    put("onnx", "model", bytes);
}

void zipSeeds() {
    const fs::path tmp = g_out / "tmp.zip";
    writeZip(tmp.string(), {{"w.npy", npyImage("<f4", "(2, 2)", pattern(16, 13)), false},
                            {"b.npy", npyImage("<i2", "(3,)", pattern(6, 14)), true}});
    put("npz", "mixed", slurp(tmp));
    writeZip(tmp.string(), {{"f.npy", npyImage("<f8", "(2, 1)", pattern(16, 15), true), true}});
    put("npz", "deflated", slurp(tmp));

    PickleWriter w;
    w.beginStateDict();
    w.str("fc.weight");
    w.tensor("FloatStorage", "0", 6, 0, {2, 3}, {3, 1});
    w.str("fc.weight_t");
    w.tensor("FloatStorage", "0", 6, 0, {3, 2}, {1, 3});
    w.str("n");
    w.tensor("LongStorage", "1", 1, 0, {}, {});
    w.str("h");
    w.tensor("HalfStorage", "2", 4, 1, {3}, {1}, true);
    w.endStateDict();
    const auto pkl = w.finish();
    put("pickle", "state_dict", pkl);
    writeZip(tmp.string(), {{"archive/data.pkl", pkl, false},
                            {"archive/byteorder", toBytes("little"), false},
                            {"archive/data/0", pattern(24, 16), false},
                            {"archive/data/1", pattern(8, 17), false},
                            {"archive/data/2", pattern(8, 18), false},
                            {"archive/version", toBytes("3\n"), false}});
    put("pytorch", "state_dict", slurp(tmp));
    fs::remove(tmp);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    g_out = argv[1];
    fs::create_directories(g_out);
    npySeeds();
    safetensorsSeeds();
    ggufSeeds();
    onnxSeeds();
    zipSeeds();
    return 0;
}
