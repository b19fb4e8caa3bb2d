// Metrics table view-model and its export.
#include "app/views/metrics_table.h"

#include <cmath>
#include <cstdio>

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
                            perSlice ? NAN : double(p.zeroPoint), e.mse, e.sqnrDb, e.maxAbsError,
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

namespace {
std::string num(double v) {
    if (std::isnan(v)) return "";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}
std::string jsonString(const std::string& s) {
    std::string o = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') o += '\\';
        o += ch;
    }
    return o + "\"";
}
}  // namespace

std::string toCsv(const MetricsTable& t) {
    std::string o = "name";
    for (const auto& c : t.columns) o += "," + c.name;
    o += ",exact\n";
    for (size_t r = 0; r < t.rows.size(); ++r) {
        std::string name = t.rows[r];
        if (name.find(',') != std::string::npos) name = "\"" + name + "\"";
        o += name;
        for (double v : t.values[r]) o += "," + num(v);
        o += t.exact[r] ? ",1\n" : ",0\n";
    }
    return o;
}

std::string toJson(const MetricsTable& t) {
    std::string o = "{\"rows\": [";
    for (size_t r = 0; r < t.rows.size(); ++r) {
        o += r ? ", {" : "{";
        o += "\"name\": " + jsonString(t.rows[r]);
        for (size_t c = 0; c < t.columns.size(); ++c) {
            double v = t.values[r][c];
            o += ", " + jsonString(t.columns[c].name) + ": " + (std::isfinite(v) ? num(v) : std::string("null"));
        }
        o += std::string(", \"exact\": ") + (t.exact[r] ? "true" : "false") + "}";
    }
    return o + "]}\n";
}

}  // namespace qv
