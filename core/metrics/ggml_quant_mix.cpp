// llama-quantize's presets as per-tensor plans (see ggml_quant_mix.h for the source and the commit).
//
// Index:
//   [SECTION] presets
//   [SECTION] names: Hugging Face / Meta / GPT-2 → llama.cpp, categories, what llama-quantize leaves alone
//   [SECTION] model facts (n_layer, GQA, experts) from metadata or shapes
//   [SECTION] the per-tensor rule (llama_tensor_get_type_impl for the presets quantviz can write)
//   [SECTION] plan and measurement
#include "core/metrics/ggml_quant_mix.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <map>
#include <optional>
#include <utility>

namespace qv {

// [SECTION] presets ---------------------------------------------------------------------------------------------

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string typeName(DType t) { return std::string(dtypeName(t)); }

}  // namespace

const std::vector<GgmlPreset>& ggmlPresets() {
    // LLAMA_FTYPE_MOSTLY_* numbers (llama.h) and llama_ftype_get_default_type (llama-quant.cpp).
    static const std::vector<GgmlPreset> presets = {
        {"Q4_0", 2, DType::Q4_0},     {"Q4_1", 3, DType::Q4_1},     {"Q5_0", 8, DType::Q5_0},
        {"Q5_1", 9, DType::Q5_1},     {"Q2_K", 10, DType::Q2_K},    {"Q2_K_S", 21, DType::Q2_K},
        {"Q3_K_S", 11, DType::Q3_K},  {"Q3_K_M", 12, DType::Q3_K},  {"Q3_K_L", 13, DType::Q3_K},
        {"IQ4_NL", 25, DType::IQ4_NL}, {"IQ4_XS", 30, DType::IQ4_XS}, {"Q4_K_S", 14, DType::Q4_K},
        {"Q4_K_M", 15, DType::Q4_K},  {"Q5_K_S", 16, DType::Q5_K},  {"Q5_K_M", 17, DType::Q5_K},
        {"Q6_K", 18, DType::Q6_K},    {"Q8_0", 7, DType::Q8_0},
    };
    return presets;
}

Result<GgmlPreset> ggmlPresetFromName(std::string_view name) {
    std::string n = upper(name);
    // quantize.cpp's aliases.
    if (n == "Q3_K") n = "Q3_K_M";
    if (n == "Q4_K") n = "Q4_K_M";
    if (n == "Q5_K") n = "Q5_K_M";
    for (const auto& p : ggmlPresets())
        if (p.name == n) return p;
    static const std::vector<std::string_view> grid = {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S",  "IQ2_M",
                                                       "IQ3_XXS", "IQ3_XS", "IQ3_S", "IQ3_M", "TQ1_0", "TQ2_0",
                                                       "MXFP4_MOE", "Q1_0", "Q2_0", "NVFP4"};
    std::string list;
    for (const auto& p : ggmlPresets()) list += (list.empty() ? "" : ", ") + std::string(p.name);
    if (std::find(grid.begin(), grid.end(), n) != grid.end())
        return Error{"the " + n + " preset writes types quantviz cannot encode (IQ1/IQ2/IQ3 grids, ternary or FP4 "
                     "blocks); presets quantviz plans: " + list};
    if (n == "F16" || n == "BF16" || n == "F32" || n == "COPY")
        return Error{n + " is not a quantizing preset (every matrix is simply stored as " + n +
                     "); presets quantviz plans: " + list};
    return Error{"'" + std::string(name) + "' is not a llama-quantize preset quantviz plans: " + list};
}

// [SECTION] names -------------------------------------------------------------------------------------------------

namespace {

std::vector<std::string_view> splitDots(std::string_view s) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        const size_t dot = s.find('.', start);
        parts.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return parts;
}

bool allDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<int> parseInt(std::string_view s) {
    int v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr == s.data()) return std::nullopt;
    return v;
}

bool endsWith(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// Names outside the blocks (convert_hf_to_gguf's tensor map, the common architectures).
const std::map<std::string_view, std::string_view>& globalNames() {
    static const std::map<std::string_view, std::string_view> m = {
        {"model.embed_tokens", "token_embd"}, {"embed_tokens", "token_embd"}, {"tok_embeddings", "token_embd"},
        {"transformer.wte", "token_embd"}, {"wte", "token_embd"}, {"transformer.word_embeddings", "token_embd"},
        {"gpt_neox.embed_in", "token_embd"}, {"model.model.embed_tokens", "token_embd"},
        {"lm_head", "output"}, {"output", "output"}, {"embed_out", "output"},
        {"model.norm", "output_norm"}, {"norm", "output_norm"}, {"transformer.ln_f", "output_norm"},
        {"ln_f", "output_norm"}, {"gpt_neox.final_layer_norm", "output_norm"},
        {"transformer.wpe", "position_embd"}, {"wpe", "position_embd"},
    };
    return m;
}

// The part of a block tensor's name after "layers.N." (expert index removed).
const std::map<std::string_view, std::string_view>& blockNames() {
    static const std::map<std::string_view, std::string_view> m = {
        {"self_attn.q_proj", "attn_q"}, {"attention.wq", "attn_q"}, {"attn.q_proj", "attn_q"},
        {"self_attn.k_proj", "attn_k"}, {"attention.wk", "attn_k"}, {"attn.k_proj", "attn_k"},
        {"self_attn.v_proj", "attn_v"}, {"attention.wv", "attn_v"}, {"attn.v_proj", "attn_v"},
        {"self_attn.o_proj", "attn_output"}, {"attention.wo", "attn_output"}, {"attn.c_proj", "attn_output"},
        {"attn.out_proj", "attn_output"}, {"self_attn.out_proj", "attn_output"}, {"attn.o_proj", "attn_output"},
        {"attention.dense", "attn_output"}, {"self_attention.dense", "attn_output"},
        {"self_attn.qkv_proj", "attn_qkv"}, {"attn.c_attn", "attn_qkv"}, {"attn.qkv", "attn_qkv"},
        {"self_attention.query_key_value", "attn_qkv"}, {"attention.query_key_value", "attn_qkv"},
        {"mlp.gate_proj", "ffn_gate"}, {"feed_forward.w1", "ffn_gate"},
        {"mlp.up_proj", "ffn_up"}, {"feed_forward.w3", "ffn_up"}, {"mlp.c_fc", "ffn_up"},
        {"mlp.dense_h_to_4h", "ffn_up"}, {"mlp.fc1", "ffn_up"},
        {"mlp.down_proj", "ffn_down"}, {"feed_forward.w2", "ffn_down"}, {"mlp.c_proj", "ffn_down"},
        {"mlp.dense_4h_to_h", "ffn_down"}, {"mlp.fc2", "ffn_down"},
        {"input_layernorm", "attn_norm"}, {"attention_norm", "attn_norm"}, {"ln_1", "attn_norm"},
        {"post_attention_layernorm", "ffn_norm"}, {"ffn_norm", "ffn_norm"}, {"ln_2", "ffn_norm"},
        {"mlp.gate", "ffn_gate_inp"}, {"block_sparse_moe.gate", "ffn_gate_inp"},
        {"mlp.experts.gate_proj", "ffn_gate_exps"}, {"block_sparse_moe.experts.w1", "ffn_gate_exps"},
        {"mlp.experts.up_proj", "ffn_up_exps"}, {"block_sparse_moe.experts.w3", "ffn_up_exps"},
        {"mlp.experts.down_proj", "ffn_down_exps"}, {"block_sparse_moe.experts.w2", "ffn_down_exps"},
        {"mlp.shared_expert.gate_proj", "ffn_gate_shexp"}, {"mlp.shared_experts.gate_proj", "ffn_gate_shexp"},
        {"mlp.shared_expert.up_proj", "ffn_up_shexp"}, {"mlp.shared_experts.up_proj", "ffn_up_shexp"},
        {"mlp.shared_expert.down_proj", "ffn_down_shexp"}, {"mlp.shared_experts.down_proj", "ffn_down_shexp"},
    };
    return m;
}

// Names llama.cpp itself writes outside the blocks.
bool isLlamaGlobal(std::string_view stem) {
    return stem == "token_embd" || stem == "output" || stem == "output_norm" || stem == "per_layer_token_embd" ||
           stem == "position_embd" || stem == "token_types" || stem == "rope_freqs";
}

// The expert index of a per-expert Hugging Face name ("…mlp.experts.7.down_proj.weight" → 7), −1 when none.
int expertIndex(std::string_view name) {
    const auto parts = splitDots(name);
    for (size_t i = 0; i + 1 < parts.size(); ++i)
        if (parts[i] == "experts" && allDigits(parts[i + 1])) return parseInt(parts[i + 1]).value_or(-1);
    return -1;
}

// llama.cpp's tensor categories (tensor_get_category): exact names for the output and the embeddings, substrings
// for the rest, tested in this order.
enum class Category { TokenEmbd, AttnQ, AttnV, AttnK, AttnQkv, AttnKvB, AttnOutput, FfnUp, FfnGate, FfnDown, Output, Other };

Category categoryOf(std::string_view n) {
    auto has = [&](std::string_view s) { return n.find(s) != std::string_view::npos; };
    if (n == "output.weight") return Category::Output;
    if (n == "token_embd.weight" || n == "per_layer_token_embd.weight") return Category::TokenEmbd;
    if (has("attn_qkv.weight")) return Category::AttnQkv;
    if (has("attn_kv_b.weight")) return Category::AttnKvB;
    if (has("attn_v.weight")) return Category::AttnV;
    if (has("attn_k.weight")) return Category::AttnK;
    if (has("attn_q.weight")) return Category::AttnQ;
    if (has("attn_output.weight")) return Category::AttnOutput;
    if (has("ffn_up")) return Category::FfnUp;
    if (has("ffn_gate")) return Category::FfnGate;
    if (has("ffn_down")) return Category::FfnDown;
    return Category::Other;
}

// category_is_attn_v: the tensors that hold V (fused or not) count together.
bool isAttnVLike(Category c) { return c == Category::AttnV || c == Category::AttnQkv || c == Category::AttnKvB; }

// Why llama-quantize leaves a tensor as stored (tensor_allows_quantization's name tests), "" when it quantizes it.
// `endsWithWeight`: apply the "name ends in weight" test (only when the model uses llama.cpp's names: the pure
// columns quantize every matrix of other files, and so does the plan).
std::string leftAlone(std::string_view n, bool endsWithWeightTest) {
    if (endsWithWeightTest && !endsWith(n, "weight")) return "llama-quantize quantizes only names ending in 'weight'";
    if (n.find("_norm.weight") != std::string_view::npos) return "a norm: llama-quantize never quantizes *_norm.weight";
    if (n.find("ffn_gate_inp.weight") != std::string_view::npos) return "the expert router: never quantized";
    if (n == "position_embd.weight" || n == "token_types.weight")
        return "positional / token-type embeddings: never quantized";
    static const std::vector<std::string_view> small = {
        "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight",
        "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_first.weight", "time_mix_w0.weight",
        "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
        "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
        "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
        ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger",
        "a.rvq.codebook", "mm.a.code_embd"};
    for (auto s : small)
        if (n.find(s) != std::string_view::npos)
            return "'" + std::string(s) + "': a small or special tensor llama-quantize leaves as stored";
    return {};
}

}  // namespace

std::string ggmlLlamaName(std::string_view name) {
    std::string_view stem = name, suffix;
    for (std::string_view s : {std::string_view(".weight"), std::string_view(".bias")})
        if (endsWith(name, s)) {
            stem = name.substr(0, name.size() - s.size());
            suffix = s;
            break;
        }
    if (stem.substr(0, 4) == "blk." || isLlamaGlobal(stem)) return std::string(name);
    if (auto it = globalNames().find(stem); it != globalNames().end()) return std::string(it->second) + std::string(suffix);
    const auto parts = splitDots(stem);
    for (size_t i = 0; i + 2 < parts.size(); ++i) {
        const auto p = parts[i];
        if ((p != "layers" && p != "h" && p != "blocks" && p != "layer") || !allDigits(parts[i + 1])) continue;
        std::string rest;
        for (size_t k = i + 2; k < parts.size(); ++k) {
            if (k > i + 2 && parts[k - 1] == "experts" && allDigits(parts[k])) continue;  // one tensor for all experts
            if (!rest.empty()) rest += '.';
            rest += parts[k];
        }
        auto it = blockNames().find(rest);
        if (it == blockNames().end()) return {};
        return "blk." + std::string(parts[i + 1]) + "." + std::string(it->second) + std::string(suffix);
    }
    return {};
}

const ImatrixEntry* ggmlImportanceEntry(const Imatrix& imatrix, std::string_view tensorName) {
    if (const ImatrixEntry* e = imatrix.find(tensorName)) return e;
    const std::string llama = ggmlLlamaName(tensorName);
    return llama.empty() || llama == tensorName ? nullptr : imatrix.find(llama);
}

int ggmlLlamaLayer(std::string_view llamaName) {
    // weight_name_comparer's sscanf("blk.%d.")
    if (llamaName.substr(0, 4) != "blk.") return -1;
    const auto rest = llamaName.substr(4);
    const size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return -1;
    return parseInt(rest.substr(0, dot)).value_or(-1);
}

// [SECTION] model facts -------------------------------------------------------------------------------------------

namespace {

const std::string* metadataValue(const std::vector<MetadataEntry>& md, const std::string& key) {
    for (const auto& e : md)
        if (e.key == key) return &e.value;
    return nullptr;
}

// A rendered integer, or the first element of a rendered array ("[32, 32, …]": per-layer head counts).
std::optional<int> metadataInt(const std::vector<MetadataEntry>& md, const std::string& key) {
    const std::string* v = metadataValue(md, key);
    if (!v) return std::nullopt;
    std::string_view s = *v;
    while (!s.empty() && (s.front() == '[' || s.front() == ' ')) s.remove_prefix(1);
    return parseInt(s);
}

}  // namespace

GgmlModelFacts ggmlModelFacts(const std::vector<TensorInfo>& tensors, const std::vector<MetadataEntry>& metadata) {
    GgmlModelFacts f;
    if (const std::string* a = metadataValue(metadata, "general.architecture")) f.arch = *a;
    int maxLayer = -1, maxExpert = -1;
    const TensorInfo *q = nullptr, *k = nullptr;
    std::map<int, std::pair<const TensorInfo*, const TensorInfo*>> qk;  // layer → (attn_q, attn_k)
    for (const auto& t : tensors) {
        const std::string ln = ggmlLlamaName(t.name);
        if (ln.empty()) continue;
        f.llamaNames = true;
        if (ln == "output.weight") f.tiedEmbeddings = false;
        const int layer = ggmlLlamaLayer(ln);
        maxLayer = std::max(maxLayer, layer);
        maxExpert = std::max(maxExpert, expertIndex(t.name));
        // Merged expert tensors (GGUF ffn_*_exps): numpy order [experts, rows, columns].
        if (ln.find("_exps.weight") != std::string::npos && t.shape.size() == 3)
            maxExpert = std::max(maxExpert, static_cast<int>(t.shape[0]) - 1);
        if (layer >= 0 && t.shape.size() >= 2) {
            if (endsWith(ln, ".attn_q.weight")) qk[layer].first = &t;
            if (endsWith(ln, ".attn_k.weight")) qk[layer].second = &t;
        }
    }
    for (const auto& [layer, pair] : qk)  // the lowest block that has both
        if (pair.first && pair.second) {
            q = pair.first, k = pair.second;
            break;
        }
    f.layers = maxLayer + 1;
    f.experts = maxExpert + 1;
    if (!f.arch.empty()) {
        if (auto v = metadataInt(metadata, f.arch + ".block_count"); v && *v > 0) f.layers = *v;
        if (auto v = metadataInt(metadata, f.arch + ".expert_count"); v && *v >= 0) f.experts = *v;
        if (auto v = metadataInt(metadata, f.arch + ".attention.head_count"); v && *v > 0) {
            f.heads = *v;
            // llama.cpp: head_count_kv defaults to head_count.
            f.headsKv = metadataInt(metadata, f.arch + ".attention.head_count_kv").value_or(f.heads);
        }
    }
    if (f.heads > 0 && f.headsKv > 0) {
        f.gqa = f.heads / f.headsKv;  // llama_hparams::n_gqa: integer division
        f.gqaSource = "metadata";
    } else if (q && k && k->shape[0] > 0 && q->shape[0] % k->shape[0] == 0) {
        // Rows (numpy order [out, in]): n_head·head_dim over n_head_kv·head_dim.
        f.gqa = static_cast<int>(q->shape[0] / k->shape[0]);
        f.gqaSource = "attn_q/attn_k shapes";
    } else {
        f.gqa = 1;
        f.gqaSource = "unknown: 1 assumed";
    }
    // llama.cpp sets LLM_TYPE_70B for llama with 80 blocks and fewer KV heads than heads.
    f.is70B = f.arch == "llama" && f.layers == 80 && f.gqa > 1;
    return f;
}

// [SECTION] the per-tensor rule -----------------------------------------------------------------------------------

namespace {

struct RuleState {
    const GgmlPreset& preset;
    const GgmlModelFacts& facts;
    int nAttnV = 0, iAttnV = 0;  // attn_v-like tensors: how many, how many visited
    int nFfnDown = 0, iFfnDown = 0;
    bool hasImatrix = false;
};

// use_more_bits: the first and last eighth of the layers and every third one between them.
bool useMoreBits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

struct Pick {
    DType type;
    std::string reason;
};

Pick pickType(RuleState& s, const TensorInfo& info, const std::string& ln, Category cat) {
    const std::string_view p = s.preset.name;
    const DType base = s.preset.base;
    const bool falcon = s.facts.arch == "falcon";
    const int gqa = s.facts.gqa, experts = s.facts.experts;
    const std::string baseName = typeName(base);
    auto is = [&](std::initializer_list<std::string_view> names) {
        return std::find(names.begin(), names.end(), p) != names.end();
    };
    if (cat == Category::Output || (s.facts.tiedEmbeddings && cat == Category::TokenEmbd)) {
        const std::string who = cat == Category::Output ? "output.weight" : "token_embd.weight (tied: no output.weight)";
        const int64_t nx = info.shape.empty() ? 0 : info.shape.back();
        if (nx % static_cast<int64_t>(traits(base).blockElements) != 0)
            return {DType::Q8_0, who + ": rows of " + std::to_string(nx) + " are not whole " + baseName + " blocks: q8_0"};
        if (falcon) return {DType::Q8_0, who + ": q8_0 for falcon"};
        if (base != DType::Q8_0) return {DType::Q6_K, who + ": q6_K in every preset but Q8_0"};
        return {base, who + ": the preset's type"};
    }
    if (cat == Category::TokenEmbd) return {base, "token_embd.weight: the preset's type (no rule for this preset)"};
    if (isAttnVLike(cat)) {
        const int i = s.iAttnV++, n = s.nAttnV;
        const std::string at = "attn_v #" + std::to_string(i) + " of " + std::to_string(n) + ": ";
        Pick r{base, at + "the preset's type"};
        if (p == "Q2_K") r = gqa >= 4 ? Pick{DType::Q4_K, at + "q4_K (GQA ≥ 4)"} : Pick{DType::Q3_K, at + "q3_K in Q2_K"};
        else if (p == "Q2_K_S" && gqa >= 4) r = {DType::Q4_K, at + "q4_K (GQA ≥ 4)"};
        else if (p == "Q3_K_M") r = i < 2 ? Pick{DType::Q5_K, at + "q5_K (first two)"} : Pick{DType::Q4_K, at + "q4_K"};
        else if (p == "Q3_K_L") r = {DType::Q5_K, at + "q5_K in Q3_K_L"};
        else if (is({"IQ4_NL", "IQ4_XS"}) && gqa >= 4) r = {DType::Q5_K, at + "q5_K (GQA ≥ 4)"};
        else if (is({"Q4_K_M", "Q5_K_M"}) && useMoreBits(i, n))
            r = {DType::Q6_K, at + "use_more_bits (first/last eighth, every third) → q6_K"};
        else if (p == "Q4_K_S" && i < 4) r = {DType::Q5_K, at + "q5_K (first four)"};
        if (s.facts.is70B && (r.type == DType::Q3_K || r.type == DType::Q4_K))
            r = {DType::Q5_K, r.reason + "; 70B (8 heads share V): q5_K"};
        if (experts == 8) r = {DType::Q8_0, at + "q8_0 with 8 experts"};
        return r;
    }
    if (cat == Category::AttnK) {
        if (experts == 8) return {DType::Q8_0, "attn_k: q8_0 with 8 experts"};
        return {base, "attn_k: the preset's type"};
    }
    if (cat == Category::FfnDown) {
        int i = s.iFfnDown++, n = s.nFfnDown;
        if (experts > 1) i = ggmlLlamaLayer(ln);  // experts: the layer from the name
        const std::string at = "ffn_down layer " + std::to_string(i) + " of " + std::to_string(n) + ": ";
        const std::string umb = "use_more_bits (first/last eighth, every third)";
        if (p == "Q2_K") return {DType::Q3_K, at + "q3_K in Q2_K"};
        if (p == "Q2_K_S") {
            if (i < n / 8) return {DType::Q4_K, at + "first eighth → q4_K"};
            return {base, at + "the preset's type"};
        }
        if (p == "Q3_K_M") {
            if (i < n / 16) return {DType::Q5_K, at + "first sixteenth → q5_K"};
            if (!falcon) return {DType::Q4_K, at + "q4_K in Q3_K_M"};
            if (useMoreBits(i, n)) return {DType::Q4_K, at + umb + " → q4_K (falcon)"};
            return {DType::Q3_K, at + "q3_K (falcon)"};
        }
        if (p == "Q3_K_L") return falcon ? Pick{DType::Q4_K, at + "q4_K (falcon)"} : Pick{DType::Q5_K, at + "q5_K in Q3_K_L"};
        if (p == "Q4_K_M") {
            if (falcon) {
                if (i < n / 16) return {DType::Q6_K, at + "first sixteenth → q6_K (falcon)"};
                if (useMoreBits(i, n)) return {DType::Q5_K, at + umb + " → q5_K (falcon)"};
                return {DType::Q4_K, at + "q4_K (falcon)"};
            }
            if (useMoreBits(i, n)) return {DType::Q6_K, at + umb + " → q6_K"};
            return {base, at + "the preset's type"};
        }
        if (i < n / 8 && is({"IQ4_NL", "IQ4_XS"}) && !s.hasImatrix)
            return {DType::Q5_K, at + "first eighth → q5_K (no imatrix)"};
        if (p == "Q5_K_M" && useMoreBits(i, n)) return {DType::Q6_K, at + umb + " → q6_K"};
        if (p == "Q4_K_S" && !falcon && i < n / 8) return {DType::Q5_K, at + "first eighth → q5_K"};
        // "Guard against craziness in the first few ffn_down layers" — only with an imatrix, so that without one
        // the file stays what it always was (llama-quant.cpp's comment).
        if (s.hasImatrix && i < n / 8 && is({"Q4_0", "Q5_0"}))
            return p == "Q4_0" ? Pick{DType::Q4_1, at + "first eighth with an imatrix → q4_1"}
                               : Pick{DType::Q5_1, at + "first eighth with an imatrix → q5_1"};
        return {base, at + "the preset's type"};
    }
    if (cat == Category::AttnOutput) {
        if (!falcon) {
            if (experts == 8) {
                if (is({"Q2_K", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M", "IQ4_XS"}))
                    return {DType::Q5_K, "attn_output: q5_K with 8 experts"};
            } else {
                if (p == "Q2_K") return {DType::Q3_K, "attn_output: q3_K in Q2_K"};
                if (p == "Q3_K_M") return {DType::Q4_K, "attn_output: q4_K in Q3_K_M"};
                if (p == "Q3_K_L") return {DType::Q5_K, "attn_output: q5_K in Q3_K_L"};
            }
        } else if (p == "Q3_K_L") {
            return {DType::Q4_K, "attn_output: q4_K (falcon)"};
        }
        return {base, "attn_output: the preset's type"};
    }
    // attn_qkv and attn_kv_b are attn_v-like and took that branch above, as in llama.cpp (its own attn_qkv rule
    // comes after and is never reached). attn_q, ffn_gate, ffn_up: rules only for the IQ presets.
    switch (cat) {
        case Category::AttnQ: return {base, "attn_q: the preset's type"};
        case Category::FfnGate: return {base, "ffn_gate: the preset's type"};
        case Category::FfnUp: return {base, "ffn_up: the preset's type"};
        default: break;
    }
    return {base, ln.empty() ? "not a llama.cpp name: the preset's type" : "no rule for this name: the preset's type"};
}

}  // namespace

// [SECTION] plan and measurement ----------------------------------------------------------------------------------

size_t GgmlMixPlan::bumped() const {
    return static_cast<size_t>(std::count_if(tensors.begin(), tensors.end(), [&](const GgmlMixEntry& e) {
        return !e.kept && e.chosen != preset.base;
    }));
}

size_t GgmlMixPlan::fallbacks() const {
    return static_cast<size_t>(std::count_if(tensors.begin(), tensors.end(),
                                             [](const GgmlMixEntry& e) { return !e.kept && e.written != e.chosen; }));
}

GgmlMixPlan ggmlMixPlan(const std::vector<TensorInfo>& tensors, const std::vector<MetadataEntry>& metadata,
                        const GgmlPreset& preset, bool withImatrix) {
    GgmlMixPlan plan;
    plan.preset = preset;
    plan.facts = ggmlModelFacts(tensors, metadata);
    const GgmlModelFacts& f = plan.facts;
    plan.tensors.resize(tensors.size());
    std::vector<Category> cats(tensors.size());
    RuleState st{preset, f};
    st.hasImatrix = withImatrix;
    st.nFfnDown = f.layers;  // init_quantize_state_counters: n_ffn_down = n_layer
    for (size_t i = 0; i < tensors.size(); ++i) {
        GgmlMixEntry& e = plan.tensors[i];
        e.tensor = i;
        e.llamaName = ggmlLlamaName(tensors[i].name);
        cats[i] = e.llamaName.empty() ? Category::Other : categoryOf(e.llamaName);
        if (isAttnVLike(cats[i])) ++st.nAttnV;  // counted over every tensor, quantized or not
    }
    // llama-quantize visits tensors by block index (−1 outside the blocks), then by name; its counters
    // (the i-th attn_v, the i-th ffn_down) follow that order.
    std::vector<size_t> order(tensors.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto key = [&](size_t i) -> const std::string& {
        return plan.tensors[i].llamaName.empty() ? tensors[i].name : plan.tensors[i].llamaName;
    };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const int la = ggmlLlamaLayer(key(a)), lb = ggmlLlamaLayer(key(b));
        return la != lb ? la < lb : key(a) < key(b);
    });
    bool requant = false, f16Output = false;
    for (size_t i : order) {
        const TensorInfo& info = tensors[i];
        GgmlMixEntry& e = plan.tensors[i];
        e.layer = ggmlLlamaLayer(e.llamaName);
        const bool integer = !traits(info.dtype).isFloat && !traits(info.dtype).isBlockQuantized;
        std::string alone;
        if (ggmlKeptAsStored(info)) alone = integer ? "integer: not a weight" : "1-D: kept as stored";
        else alone = leftAlone(key(i), f.llamaNames);
        if (!alone.empty()) {
            e.kept = true;
            e.asked = e.chosen = e.written = info.dtype;
            e.reason = alone;
            continue;
        }
        if (traits(info.dtype).isBlockQuantized) requant = true;
        e.asked = preset.base;
        Pick pick = pickType(st, info, e.llamaName, cats[i]);
        e.chosen = pick.type;
        e.written = ggmlWrittenType(info, e.chosen);
        e.reason = std::move(pick.reason);
        if (e.written != e.chosen) {
            e.reason += "; rows of " + std::to_string(info.shape.back()) + " are not whole " + typeName(e.chosen) +
                        " blocks → " + typeName(e.written);
            if (e.chosen == DType::Q8_0 && e.written == DType::F16) f16Output = true;
        }
    }
    if (!f.llamaNames)
        plan.notes.push_back("no tensor has a llama.cpp (or Hugging Face / Meta) name: no tensor-specific rule applies, "
                             "every matrix is asked for " + typeName(preset.base) + " as in the pure columns");
    if (preset.name == "Q2_K_S" && !withImatrix)
        plan.notes.push_back("llama-quantize writes Q2_K_S only with an importance matrix (--imatrix); planned as "
                             "without one, which quantviz does not use");
    if (requant)
        plan.notes.push_back("tensors stored quantized are re-quantized from their decoded values (llama-quantize "
                             "needs --allow-requantize and warns that quality drops)");
    if (f16Output)
        plan.notes.push_back("a q8_0 pick on rows that are not whole blocks of 32 has no fallback in llama.cpp "
                             "(llama-quantize stops); quantviz shows it as f16");
    const bool gqaRule = preset.name == "Q2_K" || preset.name == "Q2_K_S" || preset.name == "IQ4_NL" || preset.name == "IQ4_XS";
    if (gqaRule && f.gqaSource.rfind("unknown", 0) == 0 && st.nAttnV > 0)
        plan.notes.push_back("GQA unknown (no head counts in the metadata, no attn_q/attn_k pair): 1 assumed; the "
                             "attn_v rule of " + std::string(preset.name) + " depends on it");
    return plan;
}

Result<GgmlMixMeasure> ggmlMixMeasure(const ModelFile& model, const GgmlMixPlan& plan, Progress* progress, int threads,
                                      const Imatrix* imatrix) {
    GgmlMixMeasure out;
    out.totals.type = plan.preset.base;
    out.trips.resize(plan.tensors.size());
    out.measured.assign(plan.tensors.size(), 0);
    if (plan.tensors.size() != model.tensors.size()) return Error{"the plan was made for another tensor list"};
    if (progress) progress->setTotal(static_cast<double>(model.totalElements()));
    double done = 0;
    for (size_t i = 0; i < plan.tensors.size(); ++i) {
        if (progress && progress->cancelled()) return Error{"cancelled"};
        const GgmlMixEntry& e = plan.tensors[i];
        const TensorInfo& info = model.tensors[i];
        Progress pass;  // each tensor's passes count on their own; Cancel still reaches them
        if (progress) pass.setCancelSource(progress);
        // Kept: the stored type itself (no error, its bits); else the pick, and ggmlRoundTrips applies the fallback.
        const ImatrixEntry* entry = imatrix && !e.kept ? ggmlImportanceEntry(*imatrix, info.name) : nullptr;
        const std::vector<DType> type{e.kept ? info.dtype : e.chosen};
        auto trips = entry ? ggmlRoundTrips(model.view(i), type, GgmlImportance{entry->values, true}, &pass, threads)
                           : ggmlRoundTrips(model.view(i), type, &pass, threads);
        if (!trips) {
            if (progress && progress->cancelled()) return Error{"cancelled"};
            if (out.error.empty()) out.error = "'" + info.name + "': " + trips.message();
        } else {
            GgmlRoundTrip r = (*trips)[0];
            r.kept = e.kept;
            out.totals.add(info.elements(), r);
            out.trips[i] = r;
            out.measured[i] = 1;
            if (entry) {
                out.weighted.sumImpSqErr += r.weighted.sumImpSqErr;
                out.weighted.sumImpSqX += r.weighted.sumImpSqX;
                ++out.withImportance;
            }
        }
        done += static_cast<double>(info.elements());
        if (progress) progress->set(done);
    }
    return out;
}

}  // namespace qv
