// ModelBrowser: the open model's tensors (name, shape, dtype, elements) with a filter box.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

// Case-insensitive substring match of every space-separated word of `filter` in `name`.
bool tensorNameMatches(const std::string& name, const std::string& filter);

class ModelBrowser {
public:
    void draw(AppState& state, UiState& ui);
    void setFilter(const std::string& f);
    // Screen rectangles of the rows drawn last frame (tensor index, min, max): lets headless tests
    // click a row the way a user does.
    struct RowRect { size_t tensor; float x0, y0, x1, y1; };
    const std::vector<RowRect>& rowRects() const { return m_rowRects; }

private:
    void refilter(const ModelFile& model);
    char m_filter[128] = {};
    std::string m_lastFilter = "\x01";
    const ModelFile* m_lastModel = nullptr;
    std::vector<size_t> m_rows;
    std::vector<RowRect> m_rowRects;
};

// Summary statistics of the selected tensor (below the list).
void drawTensorSummary(const AppState& state);

}  // namespace qv
