// ONNX loader: models built with the protobuf API (every typed field, raw, external, subgraphs) and Silero VAD.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/formats/model_file.h"
#include "core/formats/onnx.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

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

void save(const onnx::ModelProto& model, const std::string& path) {
    std::string bytes;
    ASSERT_TRUE(model.SerializeToString(&bytes));
    std::vector<std::byte> out(bytes.size());
    std::memcpy(out.data(), bytes.data(), bytes.size());
    test::writeBytes(path, out);
}

onnx::TensorProto* addInit(onnx::GraphProto* g, const std::string& name, int type, std::vector<int64_t> dims) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (auto d : dims) t->add_dims(d);
    return t;
}

onnx::ModelProto baseModel() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("quantviz-test");
    m.set_producer_version("1.0");
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(17);
    auto* ml = m.add_opset_import();
    ml->set_domain("ai.onnx.ml");
    ml->set_version(3);
    m.set_doc_string("hand-built");
    auto* kv = m.add_metadata_props();
    kv->set_key("author");
    kv->set_value("tests");
    m.mutable_graph()->set_name("main");
    return m;
}

TEST(Onnx, TypedFieldsOfEveryNumericType) {
    onnx::ModelProto m = baseModel();
    auto* g = m.mutable_graph();
    using T = onnx::TensorProto;
    auto* f = addInit(g, "f32", T::FLOAT, {2, 2});
    for (float v : {1.5f, -2.0f, 0.0f, 3.25f}) f->add_float_data(v);
    auto* d = addInit(g, "f64", T::DOUBLE, {2});
    d->add_double_data(0.125);
    d->add_double_data(-1e10);
    auto* i64 = addInit(g, "i64", T::INT64, {3});
    for (int64_t v : {int64_t{-5}, int64_t{0}, int64_t{1} << 40}) i64->add_int64_data(v);
    auto* i32 = addInit(g, "i32", T::INT32, {2});
    i32->add_int32_data(-100000);
    i32->add_int32_data(7);
    auto* i16 = addInit(g, "i16", T::INT16, {2});
    i16->add_int32_data(-300);
    i16->add_int32_data(300);
    auto* i8 = addInit(g, "i8", T::INT8, {3});
    for (int v : {-128, -1, 127}) i8->add_int32_data(v);
    auto* u8 = addInit(g, "u8", T::UINT8, {2});
    u8->add_int32_data(0);
    u8->add_int32_data(255);
    auto* u16 = addInit(g, "u16", T::UINT16, {1});
    u16->add_int32_data(65535);
    auto* b = addInit(g, "bool", T::BOOL, {3});
    for (int v : {1, 0, 1}) b->add_int32_data(v);
    // f16 and bf16 travel in int32_data as their bit patterns: 0x3C00 = 1.0, 0xC100 = -2.5 (f16);
    // 0x3F80 = 1.0, 0xC020 = -2.5 (bf16).
    auto* h = addInit(g, "f16", T::FLOAT16, {2});
    h->add_int32_data(0x3C00);
    h->add_int32_data(0xC100);
    auto* bf = addInit(g, "bf16", T::BFLOAT16, {2});
    bf->add_int32_data(0x3F80);
    bf->add_int32_data(0xC020);
    auto* u32 = addInit(g, "u32", T::UINT32, {1});
    u32->add_uint64_data(4000000000u);
    auto* u64 = addInit(g, "u64", T::UINT64, {1});
    u64->add_uint64_data(uint64_t{1} << 50);
    auto* s = addInit(g, "names", T::STRING, {1});
    s->add_string_data("skipped");
    const std::string path = test::tempPath("typed.onnx");
    save(m, path);

    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& mf = **model;
    EXPECT_EQ(mf.format, "onnx");
    ASSERT_EQ(mf.tensors.size(), 13u);
    EXPECT_EQ(readAll(mf, "f32"), (std::vector<float>{1.5f, -2.0f, 0.0f, 3.25f}));
    EXPECT_EQ(mf.tensors[0].shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(readAll(mf, "f64"), (std::vector<float>{0.125f, -1e10f}));
    EXPECT_EQ(readAll(mf, "i64"), (std::vector<float>{-5, 0, 1099511627776.0f}));
    EXPECT_EQ(readAll(mf, "i32"), (std::vector<float>{-100000, 7}));
    EXPECT_EQ(readAll(mf, "i16"), (std::vector<float>{-300, 300}));
    EXPECT_EQ(readAll(mf, "i8"), (std::vector<float>{-128, -1, 127}));
    EXPECT_EQ(readAll(mf, "u8"), (std::vector<float>{0, 255}));
    EXPECT_EQ(readAll(mf, "u16"), (std::vector<float>{65535}));
    EXPECT_EQ(readAll(mf, "bool"), (std::vector<float>{1, 0, 1}));
    EXPECT_EQ(readAll(mf, "f16"), (std::vector<float>{1.0f, -2.5f}));
    EXPECT_EQ(readAll(mf, "bf16"), (std::vector<float>{1.0f, -2.5f}));
    EXPECT_EQ(readAll(mf, "u32"), (std::vector<float>{4000000000.0f}));
    EXPECT_EQ(readAll(mf, "u64"), (std::vector<float>{1125899906842624.0f}));
    EXPECT_FALSE(mf.find("names").has_value());
    EXPECT_NE(metadata(mf, "onnx.skipped").find("names (data_type 8)"), std::string::npos);
    EXPECT_EQ(metadata(mf, "onnx.ir_version"), "8");
    EXPECT_EQ(metadata(mf, "onnx.producer_name"), "quantviz-test");
    EXPECT_EQ(metadata(mf, "onnx.producer_version"), "1.0");
    EXPECT_EQ(metadata(mf, "onnx.opset.ai.onnx"), "17");
    EXPECT_EQ(metadata(mf, "onnx.opset.ai.onnx.ml"), "3");
    EXPECT_EQ(metadata(mf, "onnx.doc_string"), "hand-built");
    EXPECT_EQ(metadata(mf, "author"), "tests");
    EXPECT_EQ(metadata(mf, "onnx.initializers"), "14");
}

TEST(Onnx, RawDataExternalDataAndNestedConstants) {
    onnx::ModelProto m = baseModel();
    auto* g = m.mutable_graph();
    auto* raw = addInit(g, "raw", onnx::TensorProto::FLOAT, {3});
    const float rv[3] = {0.5f, -1.0f, 8.0f};
    raw->set_raw_data(std::string(reinterpret_cast<const char*>(rv), sizeof rv));

    // External data: 16 bytes of padding, then two int16 values, in weights.bin beside the model.
    const std::string dir = test::tempPath("ext");
    std::filesystem::create_directories(dir);
    std::vector<std::byte> ext(20, std::byte{0xEE});
    const int16_t ev[2] = {-2, 1000};
    std::memcpy(ext.data() + 16, ev, 4);
    test::writeBytes(dir + "/weights.bin", ext);
    auto* e = addInit(g, "ext", onnx::TensorProto::INT16, {2});
    e->set_data_location(onnx::TensorProto::EXTERNAL);
    for (auto [k, v] : {std::pair{"location", "weights.bin"}, {"offset", "16"}, {"length", "4"}}) {
        auto* kv = e->add_external_data();
        kv->set_key(k);
        kv->set_value(v);
    }

    // If → then_branch holds a Constant and a Loop whose body holds another Constant (value_floats),
    // else_branch holds a Constant with value_int. Named by their outputs.
    auto* ifNode = g->add_node();
    ifNode->set_op_type("If");
    ifNode->add_output("y");
    auto* thenAttr = ifNode->add_attribute();
    thenAttr->set_name("then_branch");
    thenAttr->set_type(onnx::AttributeProto::GRAPH);
    auto* thenG = thenAttr->mutable_g();
    auto* c1 = thenG->add_node();
    c1->set_op_type("Constant");
    c1->add_output("then/w");
    auto* c1v = c1->add_attribute();
    c1v->set_name("value");
    c1v->set_type(onnx::AttributeProto::TENSOR);
    auto* t1 = c1v->mutable_t();
    t1->set_data_type(onnx::TensorProto::FLOAT);
    t1->add_dims(2);
    t1->add_dims(1);
    const float tv[2] = {-0.75f, 4.5f};
    t1->set_raw_data(std::string(reinterpret_cast<const char*>(tv), sizeof tv));
    auto* loop = thenG->add_node();
    loop->set_op_type("Loop");
    auto* body = loop->add_attribute();
    body->set_name("body");
    body->set_type(onnx::AttributeProto::GRAPH);
    auto* c2 = body->mutable_g()->add_node();
    c2->set_op_type("Constant");
    c2->add_output("loop/v");
    auto* c2v = c2->add_attribute();
    c2v->set_name("value_floats");
    c2v->set_type(onnx::AttributeProto::FLOATS);
    c2v->add_floats(1.0f);
    c2v->add_floats(2.0f);
    auto* elseAttr = ifNode->add_attribute();
    elseAttr->set_name("else_branch");
    elseAttr->set_type(onnx::AttributeProto::GRAPH);
    auto* c3 = elseAttr->mutable_g()->add_node();
    c3->set_op_type("Constant");
    c3->add_output("else/k");
    auto* c3v = c3->add_attribute();
    c3v->set_name("value_int");
    c3v->set_type(onnx::AttributeProto::INT);
    c3v->set_i(-42);

    const std::string path = dir + "/model.onnx";
    save(m, path);
    auto model = openOnnx(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& mf = *model;
    ASSERT_EQ(mf.tensors.size(), 5u);
    EXPECT_EQ(mf.tensors[0].name, "raw");
    EXPECT_EQ(mf.tensors[1].name, "ext");
    EXPECT_EQ(mf.tensors[2].name, "then/w");
    EXPECT_EQ(mf.tensors[3].name, "loop/v");
    EXPECT_EQ(mf.tensors[4].name, "else/k");
    EXPECT_EQ(readAll(mf, "raw"), (std::vector<float>{0.5f, -1.0f, 8.0f}));
    EXPECT_EQ(readAll(mf, "ext"), (std::vector<float>{-2, 1000}));
    EXPECT_EQ(mf.tensors[1].offset, 16u);  // mapped, zero copy
    EXPECT_EQ(readAll(mf, "then/w"), (std::vector<float>{-0.75f, 4.5f}));
    EXPECT_EQ(mf.tensors[2].shape, (std::vector<int64_t>{2, 1}));
    EXPECT_EQ(readAll(mf, "loop/v"), (std::vector<float>{1, 2}));
    EXPECT_EQ(mf.tensors[4].dtype, DType::I64);
    EXPECT_TRUE(mf.tensors[4].shape.empty());
    EXPECT_EQ(readAll(mf, "else/k"), (std::vector<float>{-42}));
    EXPECT_EQ(metadata(mf, "onnx.constants"), "3");
}

TEST(Onnx, FunctionConstantsAndSkippedKinds) {
    onnx::ModelProto m = baseModel();
    // A model-local function (ModelProto.functions, IR ≥ 8) whose body holds a Constant.
    auto* f = m.add_functions();
    f->set_name("Scale");
    f->set_domain("custom");
    auto* c = f->add_node();
    c->set_op_type("Constant");
    c->add_output("fn/k");
    auto* v = c->add_attribute();
    v->set_name("value_float");
    v->set_type(onnx::AttributeProto::FLOAT);
    v->set_f(0.125f);
    // A Constant of another domain is an ordinary custom op, not a weight.
    auto* other = m.mutable_graph()->add_node();
    other->set_op_type("Constant");
    other->set_domain("com.example");
    other->add_output("not_a_constant");
    auto* ov = other->add_attribute();
    ov->set_name("value_float");
    ov->set_f(1.0f);
    // A string Constant and a sparse initializer are listed as skipped.
    auto* sc = m.mutable_graph()->add_node();
    sc->set_op_type("Constant");
    sc->add_output("label");
    auto* sv = sc->add_attribute();
    sv->set_name("value_string");
    sv->set_s("hello");
    auto* sparse = m.mutable_graph()->add_sparse_initializer();
    sparse->mutable_values()->set_name("sp");
    const std::string path = test::tempPath("functions.onnx");
    save(m, path);
    auto model = openOnnx(path);
    ASSERT_TRUE(model.ok()) << model.message();
    ASSERT_EQ(model->tensors.size(), 1u);
    EXPECT_EQ(model->tensors[0].name, "fn/k");
    EXPECT_EQ(readAll(*model, "fn/k"), (std::vector<float>{0.125f}));
    const std::string skipped = metadata(*model, "onnx.skipped");
    EXPECT_NE(skipped.find("sp (sparse initializer)"), std::string::npos) << skipped;
    EXPECT_NE(skipped.find("label (Constant value_string)"), std::string::npos) << skipped;
}

TEST(Onnx, HostileModelsAreRefusedWithReasons) {
    auto refused = [](const onnx::ModelProto& m, const std::string& name) {
        const std::string path = test::tempPath(name);
        save(m, path);
        auto r = openOnnx(path);
        EXPECT_FALSE(r.ok()) << name;
        return r.ok() ? std::string() : r.message();
    };
    {
        onnx::ModelProto m = baseModel();
        auto* t = addInit(m.mutable_graph(), "short", onnx::TensorProto::FLOAT, {4});
        t->set_raw_data(std::string(12, '\0'));
        auto msg = refused(m, "short.onnx");
        EXPECT_NE(msg.find("'short'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("12 bytes"), std::string::npos) << msg;
    }
    {
        onnx::ModelProto m = baseModel();
        auto* t = addInit(m.mutable_graph(), "neg", onnx::TensorProto::FLOAT, {-1});
        t->add_float_data(1);
        EXPECT_NE(refused(m, "neg.onnx").find("invalid dims"), std::string::npos);
    }
    {
        onnx::ModelProto m = baseModel();
        auto* t = addInit(m.mutable_graph(), "huge", onnx::TensorProto::FLOAT, {1 << 30, 1 << 30, 1 << 30});
        t->add_float_data(1);
        EXPECT_NE(refused(m, "huge.onnx").find("'huge'"), std::string::npos);
    }
    for (auto [loc, what] : {std::pair{"../secret.bin", "leaves the model's directory"},
                             {"/etc/passwd", "must be relative"},
                             {"missing.bin", "external data"}}) {
        onnx::ModelProto m = baseModel();
        auto* t = addInit(m.mutable_graph(), "x", onnx::TensorProto::FLOAT, {1});
        t->set_data_location(onnx::TensorProto::EXTERNAL);
        auto* kv = t->add_external_data();
        kv->set_key("location");
        kv->set_value(loc);
        auto msg = refused(m, "ext_bad.onnx");
        EXPECT_NE(msg.find(what), std::string::npos) << msg;
    }
    {  // Offset past the end of the external file.
        test::writeBytes(test::tempPath("small.bin"), std::vector<std::byte>(8));
        onnx::ModelProto m = baseModel();
        auto* t = addInit(m.mutable_graph(), "x", onnx::TensorProto::FLOAT, {2});
        t->set_data_location(onnx::TensorProto::EXTERNAL);
        for (auto [k, v] : {std::pair{"location", "small.bin"}, {"offset", "4"}}) {
            auto* kv = t->add_external_data();
            kv->set_key(k);
            kv->set_value(v);
        }
        auto msg = refused(m, "ext_off.onnx");
        EXPECT_NE(msg.find("lies outside"), std::string::npos) << msg;
    }
    {  // Not protobuf at all.
        const std::string path = test::tempPath("garbage.onnx");
        test::writeBytes(path, std::vector<std::byte>(64, std::byte{0xFF}));
        auto r = openModel(path);
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.message().find("not a valid ONNX model"), std::string::npos) << r.message();
    }
}

// Expected figures below come from a 60-line Python protobuf wire decoder written for this check
// (not the protobuf library), walking graph → initializers, nodes → attributes → subgraphs.
TEST(Onnx, SileroVadV4InitializersIncludingSubgraphs) {
    QV_REQUIRE_SHARED_MODEL(path, "silero-vad/silero_vad_v4_legacy.onnx");
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& m = **model;
    ASSERT_EQ(m.tensors.size(), 259u);  // 69 main-graph + 90 depth-1 + 100 depth-2 initializers
    EXPECT_EQ(m.totalElements(), 445117u);
    EXPECT_EQ(metadata(m, "onnx.ir_version"), "8");
    EXPECT_EQ(metadata(m, "onnx.producer_name"), "pytorch");
    EXPECT_EQ(metadata(m, "onnx.producer_version"), "1.12.0");
    EXPECT_EQ(metadata(m, "onnx.opset.ai.onnx"), "16");
    EXPECT_EQ(metadata(m, "onnx.opset.com.microsoft"), "1");
    EXPECT_EQ(metadata(m, "onnx.constants"), "0");
    EXPECT_EQ(m.tensors[0].name, "model.feature_extractor.forward_basis_buffer");
    EXPECT_EQ(m.tensors[0].shape, (std::vector<int64_t>{258, 1, 256}));
    auto dw = m.find("model.first_layer.0.dw_conv.0.weight");
    ASSERT_TRUE(dw.has_value());
    EXPECT_EQ(m.tensors[*dw].shape, (std::vector<int64_t>{258, 1, 5}));
    float v[3];
    ASSERT_TRUE(m.view(*dw).read(0, 3, v));
    EXPECT_FLOAT_EQ(v[0], -0.2788598835468292f);
    EXPECT_FLOAT_EQ(v[1], 0.3189355432987213f);
    EXPECT_FLOAT_EQ(v[2], 0.2084248661994934f);
    EXPECT_EQ(m.tensors.back().name, "613");
    EXPECT_EQ(m.tensors.back().dtype, DType::I64);
    EXPECT_EQ(readAll(m, "613"), (std::vector<float>{1}));
    size_t f32 = 0;
    double sum = 0;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        if (m.tensors[i].dtype != DType::F32) continue;
        ++f32;
        auto all = m.view(i).toFloat();
        ASSERT_TRUE(all.ok());
        for (float x : *all) sum += x;
    }
    EXPECT_EQ(f32, 100u);
    EXPECT_NEAR(sum, 2097792.88, 0.01);
}

TEST(Onnx, SileroVadV5WeightsLiveInIfSubgraphConstants) {
    QV_REQUIRE_SHARED_MODEL(path, "silero-vad/silero_vad_v5.onnx");
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    const ModelFile& m = **model;
    ASSERT_EQ(m.tensors.size(), 341u);  // all Constant nodes, up to 4 subgraph levels deep
    EXPECT_EQ(m.totalElements(), 545597u);
    EXPECT_EQ(metadata(m, "onnx.initializers"), "0");
    EXPECT_EQ(metadata(m, "onnx.constants"), "341");
    EXPECT_EQ(metadata(m, "onnx.producer_name"), "spox");
    // The only main-graph Constant: int64 scalar 16000 in int64_data (a typed field).
    EXPECT_EQ(m.tensors[0].name, "Constant_0_output");
    EXPECT_TRUE(m.tensors[0].shape.empty());
    EXPECT_EQ(readAll(m, "Constant_0_output"), (std::vector<float>{16000}));
    auto wih = m.find("If_0_else_branch__Inline_0__decoder.rnn.weight_ih");
    ASSERT_TRUE(wih.has_value());
    EXPECT_EQ(m.tensors[*wih].shape, (std::vector<int64_t>{512, 128}));
    float v[3];
    ASSERT_TRUE(m.view(*wih).read(0, 3, v));
    EXPECT_FLOAT_EQ(v[0], -0.10089914500713348f);
    EXPECT_FLOAT_EQ(v[1], 0.2985338270664215f);
    EXPECT_FLOAT_EQ(v[2], -0.0255461223423481f);
    size_t f32 = 0;
    double sum = 0;
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        if (m.tensors[i].dtype != DType::F32) continue;
        ++f32;
        auto all = m.view(i).toFloat();
        ASSERT_TRUE(all.ok());
        for (float x : *all) sum += x;
    }
    EXPECT_EQ(f32, 34u);
    EXPECT_NEAR(sum, -2983.14223, 1e-4);
}

}  // namespace
}  // namespace qv
