// Metrics table view-model: the calibrator comparison as plain rows/columns with the best value per
// column (the same data the panel draws; app/export/table_builders.h turns it into CSV / JSON).
#pragma once

#include <string>
#include <vector>

#include "app/app_state.h"

namespace qv {

struct MetricsColumn {
    std::string name;
    int better = 0;  // +1: higher is better, −1: lower is better, 0: not ranked
};

struct MetricsTable {
    std::vector<MetricsColumn> columns;
    std::vector<std::string> rows;
    std::vector<std::vector<double>> values;  // [row][column]
    std::vector<bool> exact;                   // row's metrics come from the exact pass
    std::vector<int> best;                     // per column: best row, −1 when not ranked
};

// Columns: clip lo, clip hi, scale, zero point, MSE, SQNR dB, max |e|, clipped %, codes used.
// Uses the exact report of a row when present, its sample estimate otherwise.
MetricsTable calibratorTable(const Analysis& analysis);
void rankBest(MetricsTable& t);

}  // namespace qv
