// OverviewPanel: the whole model at a glance — a sortable table of every tensor (range, std,
// kurtosis, outlier share, SQNR of each calibrator and the winner) filled by a background sweep,
// and a chart of SQNR per tensor in model order so that weak layers stand out.
#pragma once

#include <vector>

#include "app/app_state.h"
#include "app/ui_state.h"

namespace qv {

// Row order for a sort column of the overview table (column ids as in OverviewPanel::draw:
// 0 name, 1 elements, 2 min, 3 max, 4 std, 5 kurtosis, 6 outliers, 7 best SQNR, 8+c calibrator c).
std::vector<size_t> overviewOrder(const Overview& o, const ModelFile& model, int column, bool ascending);

class OverviewPanel {
public:
    void draw(AppState& state, UiState& ui);

private:
    int m_sortColumn = -1;
    bool m_ascending = true;
};

}  // namespace qv
