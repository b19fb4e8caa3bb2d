// llama-quantize's file-type presets (Q4_K_M, Q3_K_S, …) as a per-tensor plan: which type each tensor of a
// model is written as when a user runs `llama-quantize model.gguf Q4_K_M`, why, and what the mix costs.
//
// Source of the rules (facts only, re-expressed here; no code copied): llama.cpp, src/llama-quant.cpp at commit
// 007dbbf3fd17eefe9b47fee45f48f7ba5e62b714 — tensor_get_category, tensor_allows_quantization,
// llama_tensor_get_type_impl, llama_ftype_get_default_type, init_quantize_state_counters; the preset names and
// aliases from tools/quantize/quantize.cpp (QUANT_OPTIONS, commit 03161a4eb9a2ec66ef97789f347c5a28279f06ea);
// the LLAMA_FTYPE_MOSTLY_* numbers from include/llama.h (commit 0011438e931ec7fd258433f61d411301a759fae2); the
// order llama-quantize visits tensors in (by block index, then by name) from llama-model-loader.h's
// weight_name_comparer. docs/llamacpp_presets.md tells the rules in prose.
//
// Limits, stated: with an importance matrix (withImatrix; llama.cpp's has_imatrix) the two imatrix-dependent rules
// of the presets planned here apply (IQ4_NL/IQ4_XS ffn_down of the first eighth not bumped to q5_K; Q4_0/Q5_0
// ffn_down of the first eighth → q4_1/q5_1); without one, Q2_K_S — which llama-quantize refuses to write then — is
// planned as if it had been allowed; presets whose rules pick IQ1/
// IQ2/IQ3 grid types or TQ/MXFP4 (IQ2_XXS … IQ3_M, TQ1_0, TQ2_0, MXFP4_MOE) are refused, since quantviz cannot write
// those blocks; the type a tensor whose rows are not whole blocks ends up with is ggmlWrittenType's (see its
// comment: its fallback table follows the files in ../shared/models, which is older than the commit above).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/formats/imatrix.h"
#include "core/base/progress.h"
#include "core/base/result.h"
#include "core/formats/model_file.h"
#include "core/metrics/ggml_requant.h"

namespace qv {

// One llama-quantize file type ("ftype").
struct GgmlPreset {
    std::string_view name;  // as llama-quantize spells it: "Q4_K_M"
    int ftype = 0;          // LLAMA_FTYPE_MOSTLY_* (llama.h), also what general.file_type holds
    DType base = DType::Q4_0;  // llama_ftype_get_default_type: what every quantizable tensor is asked to be
};
// The presets quantviz can plan, in llama-quantize's list order: Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q2_K_S, Q3_K_S,
// Q3_K_M, Q3_K_L, IQ4_NL, IQ4_XS, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, Q8_0.
const std::vector<GgmlPreset>& ggmlPresets();
// Any case; llama-quantize's aliases Q3_K, Q4_K, Q5_K mean Q3_K_M, Q4_K_M, Q5_K_M. Refuses, saying why, the
// presets quantviz cannot write and names that are no preset.
Result<GgmlPreset> ggmlPresetFromName(std::string_view name);

// llama.cpp's name for a tensor: GGUF names (blk.N.attn_v.weight, output.weight, token_embd.weight …) as they are;
// Hugging Face (model.layers.N.self_attn.v_proj.weight, mlp.down_proj, lm_head, model.embed_tokens …), GPT-2
// (transformer.h.N.attn.c_attn …) and Meta (layers.N.attention.wv, feed_forward.w2, tok_embeddings …) names as
// llama.cpp's converter renames them. Empty when the name is none of these.
std::string ggmlLlamaName(std::string_view name);
// A tensor's entry in an importance matrix: by its own name, else by the llama.cpp name it maps to (an imatrix
// made from the GGUF conversion of a Hugging Face model names blk.N.ffn_up.weight, not
// model.layers.N.mlp.up_proj.weight). Null when absent: llama-quantize then quantizes it without one.
const ImatrixEntry* ggmlImportanceEntry(const Imatrix& imatrix, std::string_view tensorName);
// The block index in a llama.cpp name ("blk.12.ffn_down.weight" → 12), −1 when there is none.
int ggmlLlamaLayer(std::string_view llamaName);

// The model facts llama_tensor_get_type reads, from GGUF metadata when the file has it, else from the tensors.
struct GgmlModelFacts {
    std::string arch;          // general.architecture ("llama", "falcon", …); "" when unknown
    int layers = 0;            // n_layer: {arch}.block_count, else 1 + the largest block index of the names
    int heads = 0, headsKv = 0;  // {arch}.attention.head_count / head_count_kv (0: unknown)
    int gqa = 1;               // n_gqa = heads / headsKv; from the shapes (attn_q rows / attn_k rows) without them
    std::string gqaSource;     // "metadata", "attn_q/attn_k shapes", "unknown: 1 assumed"
    int experts = 0;           // {arch}.expert_count, else the expert count the tensors show (0: dense)
    bool tiedEmbeddings = true;  // no output.weight: token_embd.weight takes the output tensor's rule
    bool llamaNames = false;   // some tensor name is (or maps to) one of llama.cpp's
    bool is70B = false;        // llama.cpp's LLM_TYPE_70B (llama, 80 blocks, GQA): attn_v gets one more bump
};
GgmlModelFacts ggmlModelFacts(const std::vector<TensorInfo>& tensors, const std::vector<MetadataEntry>& metadata);

// One tensor of the plan.
struct GgmlMixEntry {
    size_t tensor = 0;       // index in the tensor list
    std::string llamaName;   // ggmlLlamaName ("" when unknown: category "other")
    int layer = -1;          // the block index the rule used (−1: none)
    bool kept = false;       // not quantized: 1-D, integer, or a name llama-quantize leaves alone (norms, …)
    DType asked = DType::Q4_0;    // the preset's type (the stored type when kept)
    DType chosen = DType::Q4_0;   // llama_tensor_get_type's pick for this tensor
    DType written = DType::Q4_0;  // ggmlWrittenType(chosen): a fallback when rows are not whole blocks
    std::string reason;      // why: "attn_v 3 of 32: use_more_bits → q6_K", "output.weight: q6_K in every preset …"
};
struct GgmlMixPlan {
    GgmlPreset preset;
    GgmlModelFacts facts;
    std::vector<GgmlMixEntry> tensors;  // file order, one per tensor
    std::vector<std::string> notes;     // caveats that apply to this model (imatrix, requantizing, …)
    size_t bumped() const;      // tensors whose chosen type differs from the preset's
    size_t fallbacks() const;   // tensors whose written type differs from the chosen one (not kept)
};
GgmlMixPlan ggmlMixPlan(const std::vector<TensorInfo>& tensors, const std::vector<MetadataEntry>& metadata,
                        const GgmlPreset& preset, bool withImatrix = false);
inline GgmlMixPlan ggmlMixPlan(const ModelFile& model, const GgmlPreset& preset, bool withImatrix = false) {
    return ggmlMixPlan(model.tensors, model.metadata, preset, withImatrix);
}

// The plan measured: every tensor through its written type (one round trip each, ggmlRoundTrips), pooled as
// the file llama-quantize would write (GgmlModelTotals; its `type` is the preset's base type).
struct GgmlMixMeasure {
    GgmlModelTotals totals;
    std::vector<GgmlRoundTrip> trips;  // one per plan entry, in plan order (empty sums where not measured)
    std::vector<uint8_t> measured;     // 1 where trips[i] holds a round trip
    std::string error;                 // the first tensor that could not be measured, and why ("" when all were)
    // With an importance matrix: Σimp·e² and Σimp·x² over the tensors it covers (their count), each encoded as
    // llama-quantize --imatrix does (the others without, as llama-quantize).
    GgmlWeightedSums weighted;
    size_t withImportance = 0;
};
// Cancellable: returns "cancelled" when `progress` is cancelled. `progress` gets the elements done. `imatrix`
// (optional): the covered tensors (ggmlImportanceEntry) are encoded with their importance.
Result<GgmlMixMeasure> ggmlMixMeasure(const ModelFile& model, const GgmlMixPlan& plan, Progress* progress = nullptr,
                                      int threads = 0, const Imatrix* imatrix = nullptr);

}  // namespace qv
