// ModelBrowser: the open model's tensors as a tree grouped by layer (or a flat list sorted by a column),
// with dtype, shape, parameters, bytes and — once summarized — min/max/std/outlier share; a search box;
// a Metadata tab; the selected tensor's statistics and, for stored-quantized tensors, the stored-quant section.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "app/app_state.h"
#include "app/panels/metadata_panel.h"
#include "app/ui_state.h"
#include "app/views/tensor_tree.h"

namespace qv {

// Case-insensitive substring match of every space-separated word of `filter` in `name`.
bool tensorNameMatches(const std::string& name, const std::string& filter);

// Statistics cell of a summary: min, max, std and the share of finite values beyond 6σ of the mean.
TensorStatsCell statsFromSummary(const TensorSummary& s);

class ModelBrowser {
public:
    void draw(AppState& state, UiState& ui);
    void setFilter(const std::string& f);
    // Screen rectangles of the tensor (leaf) rows drawn last frame (tensor index, min, max): lets
    // headless tests click a row the way a user does.
    struct RowRect { size_t tensor; float x0, y0, x1, y1; };
    const std::vector<RowRect>& rowRects() const { return m_rowRects; }
    // Group rows drawn last frame (tree mode): clicking one opens or closes it.
    struct GroupRect { std::string path; float x0, y0, x1, y1; };
    const std::vector<GroupRect>& groupRects() const { return m_groupRects; }
    bool flatMode() const { return m_sortColumn >= 0; }
    const std::set<std::string>& expanded() const { return m_expanded; }
    MetadataPanel& metadata() { return m_metadata; }

private:
    void rebuild(const ModelFile& model);
    void refilter(const AppState& state, const ModelFile& model);
    void expandTo(const std::string& name);
    void drawTable(AppState& state, const ModelFile& model);

    char m_filter[128] = {};
    std::string m_lastFilter = "\x01";
    const ModelFile* m_lastModel = nullptr;
    TensorTreeNode m_tree;
    std::set<std::string> m_expanded;
    std::vector<TreeRow> m_treeRows;   // tree mode
    std::vector<size_t> m_rows;        // matching tensors: tree order, or sorted (flat mode)
    int m_sortColumn = -1;             // TensorColumn index; -1: tree mode
    bool m_sortAscending = true;
    bool m_needSort = false;
    std::set<std::string> m_lastExpanded;
    std::optional<size_t> m_lastSelected;
    int m_scrollToSelected = 0;  // frames left to bring the selected row into view (a new list has no scroll range yet)
    std::vector<RowRect> m_rowRects;
    std::vector<GroupRect> m_groupRects;
    MetadataPanel m_metadata;
    float m_nameColumnWidth = 0;  // set by rebuild() from the labels
};

// Summary statistics of the selected tensor (below the list).
void drawTensorSummary(const AppState& state);

}  // namespace qv
