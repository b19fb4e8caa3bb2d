// ExportTable: one table of the app as named columns and rows of typed cells, written as CSV or JSON.
//
// Every table the GUI shows (calibrators, overview, channels, heatmap lists, code usage, compare,
// stored quantization, GEMM, metadata, tensor list) is first built into this model by a builder in
// table_builders.h (no ImGui there, so the builders are unit-tested), then written by the one writer here.
//
// Conventions (also in README "Export"):
//  - Numbers stay numbers: integers are written as integers, floating-point values in the shortest form
//    that reads back to the same double (std::to_chars), e.g. 0.1 → "0.1", 1e-07 → "1e-07".
//  - CSV follows RFC 4180: one header line, CRLF is not required (lines end in "\n"); a field that
//    contains a comma, a double quote, CR or LF is enclosed in double quotes and its quotes are doubled.
//  - Missing values and NaN: an empty CSV field, JSON null. ±Inf: "inf" / "-inf" (a CSV field, a JSON
//    string), because SQNR is +inf for an error-free quantization and null would lose that.
//  - Booleans: CSV 1/0, JSON true/false.
//  - JSON: {"table": name, "subject": what it describes, "info": {key: value, ...}, "columns": [...],
//    "rows": [{column: value, ...}, ...]} with keys in column order.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/result.h"

namespace qv {

// A cell: empty, integer, floating point, text or boolean.
using TableCell = std::variant<std::monostate, int64_t, double, std::string, bool>;

struct ExportTable {
    std::string name;     // what the table is: "calibrators", "code-usage", … (file name part)
    std::string subject;  // what it describes: a tensor name, the model file, "gemm <weights>"
    std::vector<std::pair<std::string, TableCell>> info;  // context: scheme, calibrator, file (JSON only)
    std::vector<std::string> columns;
    std::vector<std::vector<TableCell>> rows;  // each row has columns.size() cells

    // Appends a row; cells beyond the column count are dropped, missing ones left empty.
    void addRow(std::vector<TableCell> cells);
};

// Cell constructors that keep integer counts integral and turn NaN into a number cell the writer handles.
inline TableCell cellInt(int64_t v) { return TableCell(v); }
inline TableCell cellUint(uint64_t v) { return TableCell(static_cast<int64_t>(v)); }
inline TableCell cellNum(double v) { return TableCell(v); }
inline TableCell cellText(std::string v) { return TableCell(std::move(v)); }
inline TableCell cellBool(bool v) { return TableCell(v); }

// The shortest decimal text that reads back to `v` ("inf", "-inf", "nan" for non-finite values).
std::string formatNumber(double v);

// One field quoted per RFC 4180 §2.6–2.7 when it holds a comma, a double quote, CR or LF.
std::string csvField(const std::string& text);

std::string toCsv(const ExportTable& table);
std::string toJson(const ExportTable& table);  // one line per row, ends in "\n"

// "<subject>-<name>.csv|json" with every character outside [A-Za-z0-9._-] replaced by '_'.
std::string exportFileName(const ExportTable& table, bool json);

// Writes the table into `dir` (created when missing): the path written, or an error naming the path.
Result<std::string> writeExportTable(const ExportTable& table, bool json, const std::string& dir);

}  // namespace qv
