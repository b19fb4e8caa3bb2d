// MetadataPanel: the open file's metadata (GGUF KV pairs, ONNX producer/opset, safetensors __metadata__), filterable.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "app/app_state.h"

namespace qv {

// Indices of the entries whose key or value contains every space-separated word of `filter`
// (case-insensitive), in file order.
std::vector<size_t> filterMetadata(const std::vector<MetadataEntry>& entries, const std::string& filter);

class MetadataPanel {
public:
    void draw(const AppState& state);
    void setFilter(const std::string& f);
    size_t shownRows() const { return m_shown; }

private:
    char m_filter[128] = {};
    size_t m_shown = 0;
};

}  // namespace qv
