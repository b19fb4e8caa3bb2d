// TensorTree: grouping of tensor names into layers, search that keeps parents, column sorting.
#include "app/views/tensor_tree.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <unordered_map>

namespace qv {

std::vector<std::string> treeLevels(const std::string& name) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.' || name[i] == '/') {
            parts.push_back(name.substr(start, i - start));
            start = i + 1;
        }
    }
    if (parts.size() <= 2) return {name};
    // A numbered layer is a level of its own: "model.1.weight" → model ▸ 1 ▸ weight.
    const std::string& penultimate = parts[parts.size() - 2];
    if (!penultimate.empty() && std::all_of(penultimate.begin(), penultimate.end(),
                                            [](char c) { return c >= '0' && c <= '9'; }))
        return parts;
    // Otherwise the last two parts stay together: "wq.weight" is the leaf, not a group "wq" holding "weight".
    std::string leaf = parts[parts.size() - 2] + name[name.size() - parts.back().size() - 1] + parts.back();
    parts.resize(parts.size() - 2);
    parts.push_back(std::move(leaf));
    return parts;
}

namespace {

// Index-based tree while building (child vectors grow, so no pointers into them yet).
struct BuildNode {
    std::string label, path;
    std::optional<size_t> tensor;
    std::vector<size_t> children;
    std::unordered_map<std::string, size_t> groupIndex;  // child groups by label
};

bool isLayerNumber(const std::string& s) {
    return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Numbered groups (layers "0", "1", …, "10") in numeric order, in the places numbered groups hold among
// their siblings; everything else stays in file order. safetensors writers sort their JSON keys as
// strings, so file order there is 0, 1, 10, 11, 2, …
void orderNumberedGroups(std::vector<TensorTreeNode>& children) {
    std::vector<size_t> slots;
    for (size_t k = 0; k < children.size(); ++k)
        if (!children[k].tensor && isLayerNumber(children[k].label)) slots.push_back(k);
    if (slots.size() < 2) return;
    std::vector<TensorTreeNode> numbered;
    numbered.reserve(slots.size());
    for (size_t k : slots) numbered.push_back(std::move(children[k]));
    std::stable_sort(numbered.begin(), numbered.end(), [](const TensorTreeNode& a, const TensorTreeNode& b) {
        return std::stoull(a.label) < std::stoull(b.label);
    });
    for (size_t j = 0; j < slots.size(); ++j) children[slots[j]] = std::move(numbered[j]);
}

// A group whose only child is a group becomes one row ("base_model.model", "0.attn.c_attn"), as editors
// compact folder chains: PEFT and HF names nest 6–8 levels with one child at most of them, which took a
// row and an indent per level. After ordering (a merged label is no longer a layer number). The path is
// the deepest group's, so expanding it and expandTo()'s prefixes keep working.
void compactChains(TensorTreeNode& n) {
    if (n.tensor) return;
    while (n.children.size() == 1 && !n.children[0].tensor) {
        TensorTreeNode only = std::move(n.children[0]);
        n.label += "." + only.label;
        n.path = std::move(only.path);
        n.children = std::move(only.children);
    }
    for (auto& c : n.children) compactChains(c);
}

TensorTreeNode convert(std::vector<BuildNode>& nodes, size_t i, const std::vector<TensorInfo>& tensors) {
    TensorTreeNode out;
    out.label = std::move(nodes[i].label);
    out.path = std::move(nodes[i].path);
    out.tensor = nodes[i].tensor;
    if (out.tensor) {
        const TensorInfo& t = tensors[*out.tensor];
        out.elements = t.elements();
        out.bytes = t.bytes;
        out.leafCount = 1;
        return out;
    }
    out.children.reserve(nodes[i].children.size());
    for (size_t c : nodes[i].children) {
        out.children.push_back(convert(nodes, c, tensors));
        out.elements += out.children.back().elements;
        out.bytes += out.children.back().bytes;
        out.leafCount += out.children.back().leafCount;
    }
    orderNumberedGroups(out.children);
    return out;
}

}  // namespace

TensorTreeNode buildTensorTree(const std::vector<TensorInfo>& tensors) {
    std::vector<BuildNode> nodes(1);
    for (size_t t = 0; t < tensors.size(); ++t) {
        std::vector<std::string> levels = treeLevels(tensors[t].name);
        size_t cur = 0;
        std::string path;
        for (size_t l = 0; l + 1 < levels.size(); ++l) {
            path += (path.empty() ? "" : ".") + levels[l];
            auto it = nodes[cur].groupIndex.find(levels[l]);
            if (it == nodes[cur].groupIndex.end()) {
                size_t n = nodes.size();
                nodes.push_back(BuildNode{levels[l], path, std::nullopt, {}, {}});
                nodes[cur].children.push_back(n);
                nodes[cur].groupIndex.emplace(levels[l], n);
                cur = n;
            } else {
                cur = it->second;
            }
        }
        size_t leaf = nodes.size();
        nodes.push_back(BuildNode{levels.back(), tensors[t].name, t, {}, {}});
        nodes[cur].children.push_back(leaf);
    }
    TensorTreeNode root = convert(nodes, 0, tensors);
    for (auto& c : root.children) compactChains(c);
    return root;
}

static void flattenInto(const TensorTreeNode& node, int depth, const std::set<std::string>& expanded,
                        const std::function<bool(size_t)>* matches, std::vector<TreeRow>& out) {
    for (const auto& child : node.children) {
        if (child.tensor) {
            if (!matches || (*matches)(*child.tensor)) out.push_back({depth, &child, false});
            continue;
        }
        if (matches) {
            // Search: keep the group only when some leaf below it matches; show it open.
            size_t before = out.size();
            out.push_back({depth, &child, true});
            flattenInto(child, depth + 1, expanded, matches, out);
            if (out.size() == before + 1) out.pop_back();
            continue;
        }
        bool open = expanded.count(child.path) > 0;
        out.push_back({depth, &child, open});
        if (open) flattenInto(child, depth + 1, expanded, matches, out);
    }
}

std::vector<TreeRow> flattenTree(const TensorTreeNode& root, const std::set<std::string>& expanded,
                                 const std::function<bool(size_t)>* matches) {
    std::vector<TreeRow> out;
    flattenInto(root, 0, expanded, matches, out);
    return out;
}

void collectGroupPaths(const TensorTreeNode& node, std::set<std::string>& out) {
    for (const auto& c : node.children)
        if (!c.tensor) {
            out.insert(c.path);
            collectGroupPaths(c, out);
        }
}

void sortTensors(std::vector<size_t>& rows, const std::vector<TensorInfo>& tensors, TensorColumn column,
                 bool ascending, const std::function<const TensorStatsCell*(size_t)>& stats) {
    auto statValue = [&](size_t i, double& v) {
        const TensorStatsCell* s = stats ? stats(i) : nullptr;
        if (!s) return false;
        switch (column) {
            case TensorColumn::Min: v = s->min; break;
            case TensorColumn::Max: v = s->max; break;
            case TensorColumn::Std: v = s->std; break;
            default: v = s->outlierShare; break;
        }
        return !std::isnan(v);
    };
    // Returns <0, 0, >0 comparing a and b ascending.
    auto cmp = [&](size_t a, size_t b) -> int {
        const TensorInfo& x = tensors[a];
        const TensorInfo& y = tensors[b];
        auto three = [](auto p, auto q) { return p < q ? -1 : (q < p ? 1 : 0); };
        switch (column) {
            case TensorColumn::Name: return three(x.name, y.name);
            case TensorColumn::Dtype: return three(std::string_view(dtypeName(x.dtype)), std::string_view(dtypeName(y.dtype)));
            case TensorColumn::Shape: return three(x.shape, y.shape);
            case TensorColumn::Params: return three(x.elements(), y.elements());
            case TensorColumn::Bytes: return three(x.bytes, y.bytes);
            default: return 0;
        }
    };
    bool statsColumn = column == TensorColumn::Min || column == TensorColumn::Max || column == TensorColumn::Std ||
                       column == TensorColumn::Outliers;
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
        if (statsColumn) {
            double va = 0, vb = 0;
            bool ha = statValue(a, va), hb = statValue(b, vb);
            if (ha != hb) return ha;  // tensors with statistics first, either direction
            if (!ha) return false;
            return ascending ? va < vb : vb < va;
        }
        int c = cmp(a, b);
        return ascending ? c < 0 : c > 0;
    });
}

std::string formatBytes(uint64_t bytes) {
    char buf[32];
    if (bytes < 1024) {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
        return buf;
    }
    static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = double(bytes) / 1024.0;
    int u = 0;
    while (v >= 1024.0 && u < 3) {
        v /= 1024.0;
        ++u;
    }
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
    return buf;
}

}  // namespace qv
