// TensorTree: the model browser's view-model — tensors grouped into a tree by their dotted names,
// filtered (keeping the parents of matching leaves) and flattened into rows; or a flat list sorted by a column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/tensor/tensor_info.h"

namespace qv {

// Per-tensor statistics shown once a summary exists (the app's cache or the overview sweep).
struct TensorStatsCell {
    double min = 0, max = 0, std = 0;
    double outlierShare = 0;  // share of finite values with |x − mean| > 6σ
};

// A node of the tree. Groups own children; a leaf names one tensor. Leaf labels keep the name's
// last two parts together ("wq.weight") so a layer's tensors read as one list of leaves.
struct TensorTreeNode {
    std::string label;   // this level's part ("layers", "0", "attention", "wq.weight")
    std::string path;    // full dotted prefix ("layers.0.attention"); for leaves the tensor name
    std::optional<size_t> tensor;  // leaves only
    std::vector<TensorTreeNode> children;  // groups only, in first-appearance (file) order, except numbered
                                           // groups (layers), which go in numeric order (0, 1, 2, …, 10)
    uint64_t elements = 0;  // sum over the subtree
    uint64_t bytes = 0;
    size_t leafCount = 0;
};

// Splits a tensor name into tree levels: "layers.0.attention.wq.weight" → {layers, 0, attention,
// wq.weight}; after a layer number the last part is the leaf ("model.1.weight" → {model, 1, weight}).
// A name with at most two parts stays one leaf ("output.weight"); '/' also separates levels (ONNX / TF names).
std::vector<std::string> treeLevels(const std::string& name);

// Builds the tree (root has an empty label) from the model's tensors, preserving file order.
TensorTreeNode buildTensorTree(const std::vector<TensorInfo>& tensors);

// One visible row of the browser.
struct TreeRow {
    int depth = 0;
    const TensorTreeNode* node = nullptr;  // the group or leaf
    bool expanded = false;                 // groups: children are listed below
};

// Flattens the tree into rows. A group is expanded when its path is in `expanded`, or always when
// `matches` is given (search active: every group on the way to a matching leaf is shown open).
// `matches(i)` decides which leaves are kept; groups without kept leaves are dropped.
std::vector<TreeRow> flattenTree(const TensorTreeNode& root, const std::set<std::string>& expanded,
                                 const std::function<bool(size_t)>* matches = nullptr);

// Every group path of the tree (expand all).
void collectGroupPaths(const TensorTreeNode& node, std::set<std::string>& out);

// Columns the flat list sorts by.
enum class TensorColumn { Name, Dtype, Shape, Params, Bytes, Min, Max, Std, Outliers };

// Sorts tensor indices by a column; ties keep file order. Stats columns: tensors without statistics
// sort last in either direction.
void sortTensors(std::vector<size_t>& rows, const std::vector<TensorInfo>& tensors, TensorColumn column,
                 bool ascending, const std::function<const TensorStatsCell*(size_t)>& stats);

// "1.5 KiB", "3.2 MiB" (binary units, 1 decimal; plain bytes below 1 KiB).
std::string formatBytes(uint64_t bytes);

}  // namespace qv
