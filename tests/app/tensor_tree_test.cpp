// Model browser view-model: tree levels from dotted names, subtree totals, search that keeps the
// parents of matches, column sorting, byte formatting, metadata filter, outlier share from a summary.
#include <gtest/gtest.h>

#include <cmath>

#include "app/panels/metadata_panel.h"
#include "app/panels/model_browser.h"
#include "app/views/tensor_tree.h"

namespace qv {
namespace {

TensorInfo tensor(const std::string& name, std::vector<int64_t> shape, DType dt = DType::F32) {
    TensorInfo t;
    t.name = name;
    t.dtype = dt;
    t.shape = std::move(shape);
    uint64_t n = 1;
    for (auto d : t.shape) n *= uint64_t(d);
    t.bytes = n * (dt == DType::F16 ? 2 : 4);
    return t;
}

std::vector<TensorInfo> smallModel() {
    return {tensor("tok_embeddings.weight", {32, 8}),                     // 0: 256 elements
            tensor("layers.0.attention.wq.weight", {8, 8}),              // 1: 64
            tensor("layers.0.attention.wk.weight", {8, 8}, DType::F16),  // 2: 64, 128 bytes
            tensor("layers.0.feed_forward.w1.weight", {16, 8}),          // 3: 128
            tensor("layers.1.attention.wq.weight", {8, 8}),              // 4: 64
            tensor("norm.weight", {8})};                                 // 5: 8
}

TEST(TensorTree, LevelsFromDottedNames) {
    EXPECT_EQ(treeLevels("layers.0.attention.wq.weight"),
              (std::vector<std::string>{"layers", "0", "attention", "wq.weight"}));
    EXPECT_EQ(treeLevels("output.weight"), (std::vector<std::string>{"output.weight"}));
    EXPECT_EQ(treeLevels("bias"), (std::vector<std::string>{"bias"}));
    // After a layer number the last part alone is the leaf.
    EXPECT_EQ(treeLevels("model.1.weight"), (std::vector<std::string>{"model", "1", "weight"}));
    EXPECT_EQ(treeLevels("blk.0.attn_q.weight"), (std::vector<std::string>{"blk", "0", "attn_q.weight"}));
    // '/' separates levels too, and the leaf keeps its own separator.
    EXPECT_EQ(treeLevels("encoder/conv1/kernel/read"), (std::vector<std::string>{"encoder", "conv1", "kernel/read"}));
}

TEST(TensorTree, GroupsInFileOrderWithSubtreeTotals) {
    auto ts = smallModel();
    TensorTreeNode root = buildTensorTree(ts);
    ASSERT_EQ(root.children.size(), 3u);  // tok_embeddings.weight, layers, norm.weight
    EXPECT_EQ(root.children[0].label, "tok_embeddings.weight");
    EXPECT_EQ(root.children[0].tensor, size_t(0));
    const TensorTreeNode& layers = root.children[1];
    EXPECT_EQ(layers.label, "layers");
    EXPECT_FALSE(layers.tensor.has_value());
    EXPECT_EQ(layers.leafCount, 4u);
    EXPECT_EQ(layers.elements, 64u + 64 + 128 + 64);
    EXPECT_EQ(layers.bytes, 256u + 128 + 512 + 256);
    ASSERT_EQ(layers.children.size(), 2u);
    const TensorTreeNode& l0 = layers.children[0];
    EXPECT_EQ(l0.path, "layers.0");
    ASSERT_EQ(l0.children.size(), 2u);
    EXPECT_EQ(l0.children[0].path, "layers.0.attention");
    ASSERT_EQ(l0.children[0].children.size(), 2u);
    EXPECT_EQ(l0.children[0].children[0].label, "wq.weight");
    EXPECT_EQ(l0.children[0].children[1].label, "wk.weight");
    EXPECT_EQ(l0.children[0].children[1].tensor, size_t(2));
    EXPECT_EQ(l0.children[1].children[0].label, "w1.weight");
    EXPECT_EQ(root.elements, 256u + 320 + 8);
    EXPECT_EQ(root.leafCount, 6u);
}

// safetensors writers sort keys as strings (h.0, h.1, h.10, h.11, h.2); the tree shows layers by number.
// Other siblings keep file order, and a numbered group keeps its place among them.
std::vector<std::string> rowLabels(const std::vector<TreeRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(std::string(size_t(r.depth), ' ') + r.node->label);
    return out;
}

TEST(TensorTree, ChainsOfSingleGroupsAreOneRow) {
    // PEFT names: base_model.model.transformer.h.N.attn.c_attn.lora_{A,B}.weight and a score head.
    std::vector<TensorInfo> ts = {tensor("base_model.model.score.weight", {2}),
                                  tensor("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", {2}),
                                  tensor("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight", {2}),
                                  tensor("base_model.model.transformer.h.1.attn.c_attn.lora_A.weight", {2})};
    TensorTreeNode root = buildTensorTree(ts);
    std::set<std::string> all;
    collectGroupPaths(root, all);
    EXPECT_EQ(rowLabels(flattenTree(root, all)),
              (std::vector<std::string>{"base_model.model", " score.weight", " transformer.h", "  0.attn.c_attn",
                                        "   lora_A.weight", "   lora_B.weight", "  1.attn.c_attn", "   lora_A.weight"}));
    EXPECT_EQ(all, (std::set<std::string>{"base_model.model", "base_model.model.transformer.h",
                                          "base_model.model.transformer.h.0.attn.c_attn",
                                          "base_model.model.transformer.h.1.attn.c_attn"}));
}

TEST(TensorTree, NumberedGroupsInNumericOrder) {
    std::vector<TensorInfo> ts = {tensor("h.0.w", {2}), tensor("h.1.w", {2}), tensor("h.10.w", {2}),
                                  tensor("h.11.w", {2}), tensor("h.2.w", {2}), tensor("h.ln_f.weight", {2}),
                                  tensor("h.9.w", {2})};
    TensorTreeNode root = buildTensorTree(ts);
    ASSERT_EQ(root.children.size(), 1u);
    std::vector<std::string> labels;
    for (const auto& c : root.children[0].children) labels.push_back(c.label);
    // Slots of numbered groups: 0..4 and 6 (ln_f.weight, a leaf, stays at 5).
    EXPECT_EQ(labels, (std::vector<std::string>{"0", "1", "2", "9", "10", "ln_f.weight", "11"}));
    EXPECT_EQ(root.children[0].children[3].children[0].tensor, size_t(6));  // h.9.w
}


TEST(TensorTree, FlattenFollowsExpandedGroups) {
    auto ts = smallModel();
    TensorTreeNode root = buildTensorTree(ts);
    EXPECT_EQ(rowLabels(flattenTree(root, {})),
              (std::vector<std::string>{"tok_embeddings.weight", "layers", "norm.weight"}));
    // layers.1 holds one group (attention): one row "1.attention", whose path is the deeper group's.
    EXPECT_EQ(rowLabels(flattenTree(root, {"layers", "layers.1.attention"})),
              (std::vector<std::string>{"tok_embeddings.weight", "layers", " 0", " 1.attention", "  wq.weight",
                                        "norm.weight"}));
    std::set<std::string> all;
    collectGroupPaths(root, all);
    EXPECT_EQ(all, (std::set<std::string>{"layers", "layers.0", "layers.0.attention", "layers.0.feed_forward",
                                          "layers.1.attention"}));
    auto rows = flattenTree(root, all);
    EXPECT_EQ(rows.size(), 5u + 6u);  // every group and every leaf
    EXPECT_EQ(rows[5].node->tensor, size_t(2));
    EXPECT_EQ(rows[5].depth, 3);
}

TEST(TensorTree, SearchKeepsParentsOfMatchingLeavesOnly) {
    auto ts = smallModel();
    TensorTreeNode root = buildTensorTree(ts);
    std::function<bool(size_t)> wq = [&](size_t i) { return tensorNameMatches(ts[i].name, "wq"); };
    // Nothing expanded: the search still opens the way to each match and drops the rest.
    auto rows = flattenTree(root, {}, &wq);
    EXPECT_EQ(rowLabels(rows), (std::vector<std::string>{"layers", " 0", "  attention", "   wq.weight", " 1.attention",
                                                         "  wq.weight"}));
    EXPECT_TRUE(rows[0].expanded);
    std::function<bool(size_t)> none = [](size_t) { return false; };
    EXPECT_TRUE(flattenTree(root, {}, &none).empty());
    std::function<bool(size_t)> norm = [&](size_t i) { return tensorNameMatches(ts[i].name, "NORM"); };
    EXPECT_EQ(rowLabels(flattenTree(root, {"layers"}, &norm)), (std::vector<std::string>{"norm.weight"}));
}

TEST(TensorTree, SortByColumnsTiesKeepFileOrder) {
    auto ts = smallModel();
    std::vector<size_t> rows{0, 1, 2, 3, 4, 5};
    auto noStats = [](size_t) -> const TensorStatsCell* { return nullptr; };
    sortTensors(rows, ts, TensorColumn::Params, false, noStats);
    EXPECT_EQ(rows, (std::vector<size_t>{0, 3, 1, 2, 4, 5}));  // 256, 128, 64×3 in file order, 8
    sortTensors(rows, ts, TensorColumn::Bytes, true, noStats);
    EXPECT_EQ(rows, (std::vector<size_t>{5, 2, 1, 4, 3, 0}));  // 32, 128 (f16), 256, 256, 512, 1024
    sortTensors(rows, ts, TensorColumn::Name, true, noStats);
    EXPECT_EQ(rows, (std::vector<size_t>{2, 1, 3, 4, 5, 0}));
    sortTensors(rows, ts, TensorColumn::Dtype, true, noStats);
    EXPECT_EQ(rows.front(), 2u);  // "f16" < "f32"

    // Statistics: tensors not summarized yet go last in either direction.
    std::vector<TensorStatsCell> cells(6);
    cells[1].std = 0.5;
    cells[3].std = 0.1;
    cells[5].std = 2.0;
    auto stats = [&](size_t i) -> const TensorStatsCell* { return (i == 1 || i == 3 || i == 5) ? &cells[i] : nullptr; };
    rows = {0, 1, 2, 3, 4, 5};
    sortTensors(rows, ts, TensorColumn::Std, true, stats);
    EXPECT_EQ(rows, (std::vector<size_t>{3, 1, 5, 0, 2, 4}));
    sortTensors(rows, ts, TensorColumn::Std, false, stats);
    EXPECT_EQ(rows, (std::vector<size_t>{5, 1, 3, 0, 2, 4}));
}

TEST(TensorTree, FormatsBytesInBinaryUnits) {
    EXPECT_EQ(formatBytes(0), "0 B");
    EXPECT_EQ(formatBytes(1023), "1023 B");
    EXPECT_EQ(formatBytes(1536), "1.5 KiB");
    EXPECT_EQ(formatBytes(uint64_t(3) << 20), "3.0 MiB");
    EXPECT_EQ(formatBytes(uint64_t(10) << 30), "10.0 GiB");
}

TEST(MetadataPanel, FilterMatchesKeysAndValues) {
    std::vector<MetadataEntry> md{{"general.architecture", "llama"},
                                  {"llama.context_length", "128"},
                                  {"general.name", "stories260K"},
                                  {"tokenizer.ggml.model", "llama"}};
    EXPECT_EQ(filterMetadata(md, ""), (std::vector<size_t>{0, 1, 2, 3}));
    EXPECT_EQ(filterMetadata(md, "general."), (std::vector<size_t>{0, 2}));
    EXPECT_EQ(filterMetadata(md, "LLAMA"), (std::vector<size_t>{0, 1, 3}));      // key or value
    EXPECT_EQ(filterMetadata(md, "general llama"), (std::vector<size_t>{0}));     // every word
    EXPECT_TRUE(filterMetadata(md, "opset").empty());
}

TEST(ModelBrowser, OutlierShareFromSummaryUsesSixSigma) {
    // 999 zeros and one 100: mean 0.1, σ = sqrt(100²/1000 − 0.1²) = sqrt(9.99) ≈ 3.1607; 100 lies
    // beyond mean + 6σ ≈ 19.06 and no zero lies below mean − 6σ, so the share is 1/1000.
    std::vector<float> v(1000, 0.0f);
    v[500] = 100.0f;
    TensorSummary s = summarizeValues(v.data(), v.size());
    TensorStatsCell c = statsFromSummary(s);
    EXPECT_EQ(c.min, 0.0);
    EXPECT_EQ(c.max, 100.0);
    EXPECT_NEAR(c.std, std::sqrt(9.99), 1e-6);
    EXPECT_NEAR(c.outlierShare, 0.001, 1e-12);
}

}  // namespace
}  // namespace qv
