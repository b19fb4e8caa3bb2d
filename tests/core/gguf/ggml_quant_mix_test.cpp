// llama-quantize's presets as per-tensor plans (ggmlMixPlan): the types worked out by hand from the rules in
// llama.cpp's src/llama-quant.cpp (commit in ggml_quant_mix.h) on hand-built tensor lists, the name mapping from
// Hugging Face / Meta names, and the plans and totals of real models from ../shared/models.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "core/formats/model_file.h"
#include "core/metrics/ggml_quant_mix.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

GgmlPreset preset(const char* name) {
    auto p = ggmlPresetFromName(name);
    EXPECT_TRUE(p) << name << ": " << (p ? "" : p.message());
    return p ? *p : GgmlPreset{};
}

// A Llama-3-8B-like model: 32 blocks, hidden 4096, 32 heads, 8 KV heads (attn_k/attn_v rows 1024), FFN 14336.
// Every row length (4096, 14336) is a whole number of 256-element super-blocks, so no fallback applies.
std::vector<TensorInfo> llamaLike(bool hfNames, bool withOutput = true, int kvRows = 1024) {
    std::vector<TensorInfo> t;
    auto add = [&](std::string name, DType d, std::vector<int64_t> shape) {
        TensorInfo i;
        i.name = std::move(name);
        i.dtype = d;
        i.shape = std::move(shape);
        t.push_back(std::move(i));
    };
    add(hfNames ? "model.embed_tokens.weight" : "token_embd.weight", DType::F16, {128256, 4096});
    add(hfNames ? "model.norm.weight" : "output_norm.weight", DType::F32, {4096});
    if (withOutput) add(hfNames ? "lm_head.weight" : "output.weight", DType::F16, {128256, 4096});
    for (int l = 0; l < 32; ++l) {
        const std::string p = hfNames ? "model.layers." + std::to_string(l) + "." : "blk." + std::to_string(l) + ".";
        add(p + (hfNames ? "input_layernorm.weight" : "attn_norm.weight"), DType::F32, {4096});
        add(p + (hfNames ? "self_attn.q_proj.weight" : "attn_q.weight"), DType::F16, {4096, 4096});
        add(p + (hfNames ? "self_attn.k_proj.weight" : "attn_k.weight"), DType::F16, {kvRows, 4096});
        add(p + (hfNames ? "self_attn.v_proj.weight" : "attn_v.weight"), DType::F16, {kvRows, 4096});
        add(p + (hfNames ? "self_attn.o_proj.weight" : "attn_output.weight"), DType::F16, {4096, 4096});
        add(p + (hfNames ? "post_attention_layernorm.weight" : "ffn_norm.weight"), DType::F32, {4096});
        add(p + (hfNames ? "mlp.gate_proj.weight" : "ffn_gate.weight"), DType::F16, {14336, 4096});
        add(p + (hfNames ? "mlp.up_proj.weight" : "ffn_up.weight"), DType::F16, {14336, 4096});
        add(p + (hfNames ? "mlp.down_proj.weight" : "ffn_down.weight"), DType::F16, {4096, 14336});
    }
    return t;
}

std::vector<MetadataEntry> llamaMetadata(const char* arch = "llama") {
    const std::string a = arch;
    return {{"general.architecture", a},
            {a + ".block_count", "32"},
            {a + ".attention.head_count", "32"},
            {a + ".attention.head_count_kv", "8"}};
}

const GgmlMixEntry& entry(const GgmlMixPlan& plan, const std::vector<TensorInfo>& t, const std::string& name) {
    for (const auto& e : plan.tensors)
        if (t[e.tensor].name == name) return e;
    ADD_FAILURE() << "no tensor " << name;
    static GgmlMixEntry none;
    return none;
}

// The chosen type of blk.L.<what>.weight for every layer.
std::vector<DType> perLayer(const GgmlMixPlan& plan, const std::vector<TensorInfo>& t, const std::string& what) {
    std::vector<DType> out;
    for (int l = 0; l < 32; ++l) out.push_back(entry(plan, t, "blk." + std::to_string(l) + "." + what + ".weight").chosen);
    return out;
}

// use_more_bits(i, 32) = i < 32/8 || i >= 7·32/8 || (i − 32/8) % 3 == 2: layers 0–3, 28–31, and 6, 9, …, 27.
const std::set<int> kMoreBits32 = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31};

// [SECTION] presets and names

TEST(GgmlQuantMix, PresetNamesAliasesAndRefusals) {
    EXPECT_EQ(ggmlPresets().size(), 17u);
    for (const auto& p : ggmlPresets()) {
        const auto& writable = ggmlRequantTypes();
        EXPECT_NE(std::find(writable.begin(), writable.end(), p.base), writable.end()) << p.name;
    }
    EXPECT_EQ(preset("q4_k_m").name, "Q4_K_M");
    EXPECT_EQ(preset("Q4_K_M").ftype, 15);  // llama.h LLAMA_FTYPE_MOSTLY_Q4_K_M
    EXPECT_EQ(preset("Q4_K").name, "Q4_K_M");  // quantize.cpp's aliases
    EXPECT_EQ(preset("Q3_K").name, "Q3_K_M");
    EXPECT_EQ(preset("Q5_K").name, "Q5_K_M");
    EXPECT_EQ(preset("Q2_K_S").base, DType::Q2_K);
    auto iq = ggmlPresetFromName("IQ3_M");
    ASSERT_FALSE(iq);
    EXPECT_NE(iq.message().find("cannot encode"), std::string::npos) << iq.message();
    EXPECT_FALSE(ggmlPresetFromName("Q9_K"));
    EXPECT_FALSE(ggmlPresetFromName("F16"));
}

TEST(GgmlQuantMix, NamesMapOntoLlamaCpp) {
    EXPECT_EQ(ggmlLlamaName("blk.3.attn_v.weight"), "blk.3.attn_v.weight");
    EXPECT_EQ(ggmlLlamaName("model.layers.7.self_attn.v_proj.weight"), "blk.7.attn_v.weight");
    EXPECT_EQ(ggmlLlamaName("model.layers.7.mlp.down_proj.weight"), "blk.7.ffn_down.weight");
    EXPECT_EQ(ggmlLlamaName("model.layers.7.self_attn.q_proj.bias"), "blk.7.attn_q.bias");
    EXPECT_EQ(ggmlLlamaName("lm_head.weight"), "output.weight");
    EXPECT_EQ(ggmlLlamaName("model.embed_tokens.weight"), "token_embd.weight");
    EXPECT_EQ(ggmlLlamaName("model.norm.weight"), "output_norm.weight");
    EXPECT_EQ(ggmlLlamaName("layers.2.attention.wv.weight"), "blk.2.attn_v.weight");     // Meta
    EXPECT_EQ(ggmlLlamaName("layers.2.feed_forward.w2.weight"), "blk.2.ffn_down.weight");
    EXPECT_EQ(ggmlLlamaName("tok_embeddings.weight"), "token_embd.weight");
    EXPECT_EQ(ggmlLlamaName("transformer.h.0.attn.c_attn.weight"), "blk.0.attn_qkv.weight");  // GPT-2
    EXPECT_EQ(ggmlLlamaName("transformer.h.0.mlp.c_proj.weight"), "blk.0.ffn_down.weight");
    EXPECT_EQ(ggmlLlamaName("model.layers.3.mlp.experts.7.down_proj.weight"), "blk.3.ffn_down_exps.weight");
    EXPECT_EQ(ggmlLlamaName("model.1.weight"), "");  // hey_jarvis' ONNX initializer names
    EXPECT_EQ(ggmlLlamaLayer("blk.12.ffn_down.weight"), 12);
    EXPECT_EQ(ggmlLlamaLayer("output.weight"), -1);
}

// [SECTION] hand-built models, rules worked out from llama_tensor_get_type_impl

TEST(GgmlQuantMix, Q4_K_M_BumpsAttnVAndFfnDownByUseMoreBits) {
    const auto t = llamaLike(false);
    const auto plan = ggmlMixPlan(t, llamaMetadata(), preset("Q4_K_M"));
    EXPECT_EQ(plan.facts.layers, 32);
    EXPECT_EQ(plan.facts.gqa, 4);
    EXPECT_EQ(plan.facts.gqaSource, "metadata");
    EXPECT_FALSE(plan.facts.tiedEmbeddings);
    const auto v = perLayer(plan, t, "attn_v"), d = perLayer(plan, t, "ffn_down");
    for (int l = 0; l < 32; ++l) {
        const DType want = kMoreBits32.count(l) ? DType::Q6_K : DType::Q4_K;
        EXPECT_EQ(v[size_t(l)], want) << "attn_v layer " << l;
        EXPECT_EQ(d[size_t(l)], want) << "ffn_down layer " << l;
    }
    EXPECT_EQ(entry(plan, t, "output.weight").chosen, DType::Q6_K);  // every preset but Q8_0
    EXPECT_EQ(entry(plan, t, "token_embd.weight").chosen, DType::Q4_K);  // not tied: no rule for K presets
    EXPECT_EQ(entry(plan, t, "blk.5.attn_q.weight").chosen, DType::Q4_K);
    EXPECT_EQ(entry(plan, t, "blk.5.ffn_up.weight").chosen, DType::Q4_K);
    EXPECT_TRUE(entry(plan, t, "blk.5.attn_norm.weight").kept);
    EXPECT_EQ(entry(plan, t, "blk.5.attn_norm.weight").written, DType::F32);
    EXPECT_EQ(plan.bumped(), 16u + 16u + 1u);
    EXPECT_EQ(plan.fallbacks(), 0u);  // rows of 4096 and 14336 are whole super-blocks
    for (const auto& e : plan.tensors)
        if (!e.kept) {
            EXPECT_EQ(e.written, e.chosen) << t[e.tensor].name;
        }
    EXPECT_NE(entry(plan, t, "blk.6.attn_v.weight").reason.find("use_more_bits"), std::string::npos);
    EXPECT_NE(entry(plan, t, "output.weight").reason.find("q6_K"), std::string::npos);
}

TEST(GgmlQuantMix, OtherPresetsOnTheSameModel) {
    const auto t = llamaLike(false);
    const auto md = llamaMetadata();
    {   // Q3_K_M: the first two attn_v q5_K (i_attention_wv < 2), the rest q4_K; ffn_down q5_K below 32/16 = 2
        // layers, q4_K after (not falcon); attn_output q4_K; the others q3_K; output q6_K.
        const auto plan = ggmlMixPlan(t, md, preset("Q3_K_M"));
        const auto v = perLayer(plan, t, "attn_v"), d = perLayer(plan, t, "ffn_down");
        for (int l = 0; l < 32; ++l) {
            EXPECT_EQ(v[size_t(l)], l < 2 ? DType::Q5_K : DType::Q4_K) << l;
            EXPECT_EQ(d[size_t(l)], l < 2 ? DType::Q5_K : DType::Q4_K) << l;
        }
        EXPECT_EQ(entry(plan, t, "blk.9.attn_output.weight").chosen, DType::Q4_K);
        EXPECT_EQ(entry(plan, t, "blk.9.attn_q.weight").chosen, DType::Q3_K);
        EXPECT_EQ(entry(plan, t, "output.weight").chosen, DType::Q6_K);
    }
    {   // Q4_K_S: attn_v and ffn_down q5_K in the first four (i < 4, i < 32/8).
        const auto plan = ggmlMixPlan(t, md, preset("Q4_K_S"));
        const auto v = perLayer(plan, t, "attn_v"), d = perLayer(plan, t, "ffn_down");
        for (int l = 0; l < 32; ++l) {
            EXPECT_EQ(v[size_t(l)], l < 4 ? DType::Q5_K : DType::Q4_K) << l;
            EXPECT_EQ(d[size_t(l)], l < 4 ? DType::Q5_K : DType::Q4_K) << l;
        }
    }
    {   // Q2_K with GQA 4: attn_v q4_K, ffn_down q3_K, attn_output q3_K, the rest q2_K.
        const auto plan = ggmlMixPlan(t, md, preset("Q2_K"));
        EXPECT_EQ(entry(plan, t, "blk.0.attn_v.weight").chosen, DType::Q4_K);
        EXPECT_EQ(entry(plan, t, "blk.0.ffn_down.weight").chosen, DType::Q3_K);
        EXPECT_EQ(entry(plan, t, "blk.0.attn_output.weight").chosen, DType::Q3_K);
        EXPECT_EQ(entry(plan, t, "blk.0.ffn_gate.weight").chosen, DType::Q2_K);
        // Without GQA (attn_k/attn_v as wide as attn_q, no head counts): attn_v q3_K.
        const auto mha = llamaLike(false, true, 4096);
        const auto p1 = ggmlMixPlan(mha, {}, preset("Q2_K"));
        EXPECT_EQ(p1.facts.gqa, 1);
        EXPECT_EQ(p1.facts.gqaSource, "attn_q/attn_k shapes");
        EXPECT_EQ(entry(p1, mha, "blk.0.attn_v.weight").chosen, DType::Q3_K);
    }
    {   // IQ4_XS with GQA 4: attn_v q5_K; ffn_down q5_K in the first eighth (no imatrix); output q6_K.
        const auto plan = ggmlMixPlan(t, md, preset("IQ4_XS"));
        EXPECT_EQ(entry(plan, t, "blk.20.attn_v.weight").chosen, DType::Q5_K);
        EXPECT_EQ(entry(plan, t, "blk.3.ffn_down.weight").chosen, DType::Q5_K);
        EXPECT_EQ(entry(plan, t, "blk.4.ffn_down.weight").chosen, DType::IQ4_XS);
        EXPECT_EQ(entry(plan, t, "output.weight").chosen, DType::Q6_K);
    }
    for (const char* name : {"Q4_0", "Q5_1", "Q3_K_S", "Q5_K_S", "Q6_K"}) {  // only output.weight differs
        const auto plan = ggmlMixPlan(t, md, preset(name));
        EXPECT_EQ(plan.bumped(), std::string(name) == "Q6_K" ? 0u : 1u) << name;  // Q6_K: q6_K is its own type
        EXPECT_EQ(entry(plan, t, "output.weight").chosen, DType::Q6_K) << name;
    }
    {   // With an importance matrix (has_imatrix): IQ4_XS's first-eighth ffn_down bump to q5_K does not apply, and
        // Q4_0 / Q5_0 give the first eighth of ffn_down (layers 0..3 of 32) q4_1 / q5_1 instead ("guard against
        // craziness", only with an imatrix so that files made without one do not change).
        const auto iq = ggmlMixPlan(t, md, preset("IQ4_XS"), true);
        EXPECT_EQ(entry(iq, t, "blk.3.ffn_down.weight").chosen, DType::IQ4_XS);
        EXPECT_EQ(entry(iq, t, "blk.20.attn_v.weight").chosen, DType::Q5_K);  // GQA rule: imatrix or not
        for (const auto& [name, bumped] : {std::pair{"Q4_0", DType::Q4_1}, std::pair{"Q5_0", DType::Q5_1}}) {
            const auto with = ggmlMixPlan(t, md, preset(name), true);
            for (int l = 0; l < 32; ++l)
                EXPECT_EQ(entry(with, t, "blk." + std::to_string(l) + ".ffn_down.weight").chosen,
                          l < 4 ? bumped : preset(name).base)
                    << name << " layer " << l;
            EXPECT_EQ(with.bumped(), 5u) << name;  // 4 ffn_down + output.weight
            EXPECT_EQ(ggmlMixPlan(t, md, preset(name)).bumped(), 1u) << name;  // without: output only
        }
        // Q2_K_S's note that llama-quantize needs an imatrix for it goes away when there is one.
        auto saysNeedsImatrix = [&](bool with) {
            for (const auto& n : ggmlMixPlan(t, md, preset("Q2_K_S"), with).notes)
                if (n.find("only with an importance matrix") != std::string::npos) return true;
            return false;
        };
        EXPECT_TRUE(saysNeedsImatrix(false));
        EXPECT_FALSE(saysNeedsImatrix(true));
    }
    {   // Q8_0: output stays q8_0 ("new_type != Q8_0" is false): nothing bumped.
        const auto plan = ggmlMixPlan(t, md, preset("Q8_0"));
        EXPECT_EQ(plan.bumped(), 0u);
        EXPECT_EQ(entry(plan, t, "output.weight").chosen, DType::Q8_0);
    }
}

TEST(GgmlQuantMix, FalconFfnDownUnderQ4_K_M) {
    // Falcon: ffn_down q6_K below n/16 = 2 layers, q5_K where use_more_bits, q4_K elsewhere; output q8_0.
    const auto t = llamaLike(false);
    const auto plan = ggmlMixPlan(t, llamaMetadata("falcon"), preset("Q4_K_M"));
    const auto d = perLayer(plan, t, "ffn_down");
    for (int l = 0; l < 32; ++l)
        EXPECT_EQ(d[size_t(l)], l < 2 ? DType::Q6_K : kMoreBits32.count(l) ? DType::Q5_K : DType::Q4_K) << l;
    EXPECT_EQ(entry(plan, t, "output.weight").chosen, DType::Q8_0);
}

TEST(GgmlQuantMix, HuggingFaceNamesGetTheSamePlanInAnyFileOrder) {
    const auto gguf = llamaLike(false);
    auto hf = llamaLike(true);
    std::reverse(hf.begin(), hf.end());  // the counters follow llama.cpp's order, not the file's
    for (const char* name : {"Q4_K_M", "Q3_K_M", "Q2_K"}) {
        const auto pg = ggmlMixPlan(gguf, llamaMetadata(), preset(name));
        const auto ph = ggmlMixPlan(hf, {}, preset(name));  // no metadata: GQA from the shapes (4096 / 1024)
        EXPECT_EQ(ph.facts.gqa, 4);
        EXPECT_EQ(ph.facts.layers, 32);
        for (const auto& e : ph.tensors) {
            const auto& g = entry(pg, gguf, e.llamaName);
            EXPECT_EQ(e.chosen, g.chosen) << name << " " << hf[e.tensor].name;
            EXPECT_EQ(e.kept, g.kept) << name << " " << hf[e.tensor].name;
        }
    }
    // Tied embeddings (no lm_head): the embedding takes the output's rule.
    const auto tied = llamaLike(true, false);
    const auto pt = ggmlMixPlan(tied, {}, preset("Q4_K_M"));
    EXPECT_TRUE(pt.facts.tiedEmbeddings);
    EXPECT_EQ(entry(pt, tied, "model.embed_tokens.weight").chosen, DType::Q6_K);
}

// [SECTION] real models

// The model as one type everywhere (the pure columns), from the same round trips.
GgmlModelTotals pureTotals(const ModelFile& m, DType type) {
    GgmlModelTotals tot{type};
    for (size_t i = 0; i < m.tensors.size(); ++i) {
        auto r = ggmlRoundTrips(m.view(i), {type});
        EXPECT_TRUE(r) << r.message();
        if (r) tot.add(m.tensors[i].elements(), (*r)[0]);
    }
    return tot;
}

TEST(GgmlQuantMix, Stories260KUnderQ4_K_M) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.gguf");
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    const ModelFile& model = **m;
    const auto plan = ggmlMixPlan(model, preset("Q4_K_M"));
    // README: 5 layers, 8 heads, 4 KV heads.
    EXPECT_EQ(plan.facts.layers, 5);
    EXPECT_EQ(plan.facts.gqa, 2);
    EXPECT_EQ(plan.facts.gqaSource, "metadata");
    const auto& t = model.tensors;
    // Rows of 64 are no whole 256-element super-block: output.weight gets q8_0 (llama.cpp's "nx % qk_k" test);
    // use_more_bits(i, 5) holds for i = 2 ((2 − 0) % 3 == 2) and i = 4 (≥ 7·5/8 = 4): attn_v q6_K there, which
    // falls back to q8_0; q4_K falls back to q5_0; ffn_down's rows of 172 are not whole blocks of 32: f16.
    EXPECT_EQ(entry(plan, t, "output.weight").chosen, DType::Q8_0);
    EXPECT_EQ(entry(plan, t, "output.weight").written, DType::Q8_0);
    EXPECT_EQ(entry(plan, t, "token_embd.weight").written, DType::Q5_0);
    for (int l = 0; l < 5; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        const bool more = l == 2 || l == 4;
        EXPECT_EQ(entry(plan, t, b + "attn_v.weight").chosen, more ? DType::Q6_K : DType::Q4_K) << l;
        EXPECT_EQ(entry(plan, t, b + "attn_v.weight").written, more ? DType::Q8_0 : DType::Q5_0) << l;
        EXPECT_EQ(entry(plan, t, b + "ffn_down.weight").chosen, more ? DType::Q6_K : DType::Q4_K) << l;
        EXPECT_EQ(entry(plan, t, b + "ffn_down.weight").written, DType::F16) << l;
        EXPECT_EQ(entry(plan, t, b + "attn_q.weight").written, DType::Q5_0) << l;
        EXPECT_TRUE(entry(plan, t, b + "attn_norm.weight").kept) << l;
    }
    auto mix = ggmlMixMeasure(model, plan);
    ASSERT_TRUE(mix) << mix.message();
    EXPECT_EQ(mix->error, "");
    // Bits by hand: q5_0 (5.5) on token_embd 32768 + attn_q 5·4096 + attn_k 5·2048 + attn_v 3·2048 + attn_output
    // 5·4096 + ffn_gate/up 2·5·11008 = 200192; q8_0 (8.5) on output 32768 + attn_v 2·2048 = 36864; f16 on
    // ffn_down 5·11008 = 55040; f32 on the norms 64 + 5·128 = 704 — 292 800 elements in all.
    EXPECT_EQ(mix->totals.elements, 292800u);
    const double bits = 200192 * 5.5 + 36864 * 8.5 + 55040 * 16.0 + 704 * 32.0;
    EXPECT_DOUBLE_EQ(mix->totals.bitsPerWeight(), bits / 292800);
    // Between the pure types around it: pure q4_K writes q5_0 where the mix writes q8_0, pure q6_K writes q8_0
    // everywhere — so the mix costs more bits than pure q4_K and less than pure q6_K, and errs in between.
    const auto q4 = pureTotals(model, DType::Q4_K), q6 = pureTotals(model, DType::Q6_K);
    EXPECT_GT(mix->totals.bitsPerWeight(), q4.bitsPerWeight());
    EXPECT_LT(mix->totals.bitsPerWeight(), q6.bitsPerWeight());
    EXPECT_LT(mix->totals.relativeRms(), q4.relativeRms());
    EXPECT_GT(mix->totals.relativeRms(), q6.relativeRms());
    // The same Σx² (every element counted once, as stored), and the error is the per-tensor errors pooled.
    EXPECT_DOUBLE_EQ(mix->totals.sumSqX, q4.sumSqX);
    double sumSqErr = 0;
    for (size_t i = 0; i < t.size(); ++i) sumSqErr += mix->trips[i].sums.sumSqErr;
    EXPECT_NEAR(mix->totals.sumSqErr, sumSqErr, 1e-12 * sumSqErr);
    std::cout << "stories260K Q4_K_M: " << mix->totals.bitsPerWeight() << " bits/weight, relative RMS "
              << mix->totals.relativeRms() << " (pure q4_K " << q4.bitsPerWeight() << ", " << q4.relativeRms()
              << "; pure q6_K " << q6.bitsPerWeight() << ", " << q6.relativeRms() << ")\n";
}

TEST(GgmlQuantMix, Stories260KUnderQ3_K_M) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.gguf");
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    const ModelFile& model = **m;
    const auto plan = ggmlMixPlan(model, preset("Q3_K_M"));
    const auto& t = model.tensors;
    // attn_v: q5_K for the first two (→ q5_1 on rows of 64), q4_K after (→ q5_0); attn_output q4_K (→ q5_0);
    // ffn_down q4_K (5/16 = 0 layers get q5_K) → f16; the rest q3_K → ggmlWrittenType's fallback q5_0.
    for (int l = 0; l < 5; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        EXPECT_EQ(entry(plan, t, b + "attn_v.weight").chosen, l < 2 ? DType::Q5_K : DType::Q4_K) << l;
        EXPECT_EQ(entry(plan, t, b + "attn_v.weight").written, l < 2 ? DType::Q5_1 : DType::Q5_0) << l;
        EXPECT_EQ(entry(plan, t, b + "attn_output.weight").chosen, DType::Q4_K) << l;
        EXPECT_EQ(entry(plan, t, b + "ffn_down.weight").chosen, DType::Q4_K) << l;
        EXPECT_EQ(entry(plan, t, b + "ffn_gate.weight").chosen, DType::Q3_K) << l;
        EXPECT_EQ(entry(plan, t, b + "ffn_gate.weight").written, DType::Q5_0) << l;
    }
    EXPECT_EQ(entry(plan, t, "output.weight").written, DType::Q8_0);
    auto mix = ggmlMixMeasure(model, plan);
    ASSERT_TRUE(mix) << mix.message();
    const auto q3 = pureTotals(model, DType::Q3_K), q6 = pureTotals(model, DType::Q6_K);
    EXPECT_GT(mix->totals.bitsPerWeight(), q3.bitsPerWeight());
    EXPECT_LT(mix->totals.bitsPerWeight(), q6.bitsPerWeight());
    EXPECT_LT(mix->totals.relativeRms(), q3.relativeRms());
    std::cout << "stories260K Q3_K_M: " << mix->totals.bitsPerWeight() << " bits/weight, relative RMS "
              << mix->totals.relativeRms() << " (pure q3_K " << q3.bitsPerWeight() << ", " << q3.relativeRms() << ")\n";
}

TEST(GgmlQuantMix, HeyJarvisHasNoLlamaNamesSoEveryMixIsThePureType) {
    QV_REQUIRE_SHARED_MODEL(path, "hey_jarvis/hey_jarvis_v0.1-f32.gguf");
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    const ModelFile& model = **m;
    for (const char* name : {"Q4_K_M", "Q3_K_M"}) {
        const auto p = preset(name);
        const auto plan = ggmlMixPlan(model, p);
        EXPECT_FALSE(plan.facts.llamaNames);
        ASSERT_FALSE(plan.notes.empty());
        EXPECT_NE(plan.notes[0].find("no tensor-specific rule"), std::string::npos);
        for (const auto& e : plan.tensors) {
            EXPECT_EQ(e.written, ggmlWrittenType(model.tensors[e.tensor], p.base)) << model.tensors[e.tensor].name;
            if (!e.kept) {
                EXPECT_EQ(e.chosen, p.base);
            }
        }
        // model.1.weight has rows of 1536 = 6 super-blocks: the K type itself; model.4.weight rows of 128: q5_0.
        EXPECT_EQ(entry(plan, model.tensors, "model.1.weight").written, p.base);
        EXPECT_EQ(entry(plan, model.tensors, "model.4.weight").written, DType::Q5_0);
        auto mix = ggmlMixMeasure(model, plan);
        ASSERT_TRUE(mix) << mix.message();
        const auto pure = pureTotals(model, p.base);
        EXPECT_DOUBLE_EQ(mix->totals.bitsPerWeight(), pure.bitsPerWeight()) << name;
        EXPECT_DOUBLE_EQ(mix->totals.relativeRms(), pure.relativeRms()) << name;
    }
}

TEST(GgmlQuantMix, MeasureIsCancellable) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.gguf");
    auto m = openModel(path);
    ASSERT_TRUE(m) << m.message();
    Progress progress;
    progress.cancel();
    auto mix = ggmlMixMeasure(**m, ggmlMixPlan(**m, preset("Q4_K_M")), &progress);
    ASSERT_FALSE(mix);
    EXPECT_EQ(mix.message(), "cancelled");
}

}  // namespace
}  // namespace qv
