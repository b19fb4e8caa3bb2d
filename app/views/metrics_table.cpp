// Metrics table view-model: rows per calibrator and the best row per ranked column.
#include "app/views/metrics_table.h"

#include <cmath>

namespace qv {

MetricsTable calibratorTable(const Analysis& a) {
    MetricsTable t;
    t.columns = {{"clip_min", 0}, {"clip_max", 0}, {"scale", 0},           {"zero_point", 0}, {"mse", -1},
                 {"sqnr_db", +1}, {"max_abs_error", -1}, {"clipped_percent", 0}, {"codes_used", 0}};
    for (const auto& row : a.rows) {
        const ErrorStats& e = row.exact ? row.exact->total : row.estimate.total;
        const SliceParams& p = row.params.slices.empty() ? SliceParams{} : row.params.slices.front();
        bool perSlice = row.params.slices.size() > 1;
        t.rows.push_back(row.label);
        t.exact.push_back(row.exact != nullptr);
        t.values.push_back({row.range.lo, row.range.hi, perSlice ? NAN : double(p.scale),
                            perSlice || a.scheme.levelTable() ? NAN : double(p.zeroPoint), e.mse, e.sqnrDb, e.maxAbsError,
                            100.0 * e.clippedFraction, double(e.codesUsed)});
    }
    rankBest(t);
    return t;
}

void rankBest(MetricsTable& t) {
    t.best.assign(t.columns.size(), -1);
    if (t.rows.size() < 2) return;
    for (size_t c = 0; c < t.columns.size(); ++c) {
        int dir = t.columns[c].better;
        if (dir == 0) continue;
        int best = -1;
        for (size_t r = 0; r < t.rows.size(); ++r) {
            double v = t.values[r][c];
            if (std::isnan(v)) continue;
            if (best < 0 || (dir > 0 ? v > t.values[size_t(best)][c] : v < t.values[size_t(best)][c])) best = int(r);
        }
        t.best[c] = best;
    }
}

}  // namespace qv
