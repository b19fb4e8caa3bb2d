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

private:
    void refilter(const ModelFile& model);
    char m_filter[128] = {};
    std::string m_lastFilter = "\x01";
    const ModelFile* m_lastModel = nullptr;
    std::vector<size_t> m_rows;
};

// Summary statistics of the selected tensor (below the list).
void drawTensorSummary(const AppState& state);

}  // namespace qv
