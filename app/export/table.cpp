// ExportTable's CSV and JSON writers (RFC 4180 quoting; nlohmann-json with numbers kept as numbers).
#include "app/export/table.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace qv {

void ExportTable::addRow(std::vector<TableCell> cells) {
    cells.resize(columns.size());
    rows.push_back(std::move(cells));
}

std::string formatNumber(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    // Without a precision, to_chars gives the shortest text that parses back to exactly v.
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

std::string csvField(const std::string& text) {
    // RFC 4180 §2.6: fields containing line breaks, double quotes or commas are enclosed in double
    // quotes; §2.7: a double quote inside such a field is escaped by another double quote.
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

namespace {

std::string csvCell(const TableCell& c) {
    struct V {
        std::string operator()(std::monostate) const { return {}; }
        std::string operator()(int64_t v) const { return std::to_string(v); }
        std::string operator()(double v) const { return std::isnan(v) ? std::string() : formatNumber(v); }
        std::string operator()(const std::string& v) const { return csvField(v); }
        std::string operator()(bool v) const { return v ? "1" : "0"; }
    };
    return std::visit(V{}, c);
}

nlohmann::ordered_json jsonCell(const TableCell& c) {
    struct V {
        nlohmann::ordered_json operator()(std::monostate) const { return nullptr; }
        nlohmann::ordered_json operator()(int64_t v) const { return v; }
        nlohmann::ordered_json operator()(double v) const {
            if (std::isnan(v)) return nullptr;
            if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
            return v;
        }
        nlohmann::ordered_json operator()(const std::string& v) const { return v; }
        nlohmann::ordered_json operator()(bool v) const { return v; }
    };
    return std::visit(V{}, c);
}

}  // namespace

std::string toCsv(const ExportTable& t) {
    std::string out;
    for (size_t c = 0; c < t.columns.size(); ++c) out += (c ? "," : "") + csvField(t.columns[c]);
    out += "\n";
    for (const auto& row : t.rows) {
        for (size_t c = 0; c < t.columns.size(); ++c) {
            if (c) out += ",";
            if (c < row.size()) out += csvCell(row[c]);
        }
        out += "\n";
    }
    return out;
}

std::string toJson(const ExportTable& t) {
    using J = nlohmann::ordered_json;
    // dump() with error_handler replace: a tensor name or metadata value with invalid UTF-8 (GGUF
    // strings are not validated) becomes U+FFFD instead of throwing.
    auto dump = [](const J& j) { return j.dump(-1, ' ', false, J::error_handler_t::replace); };
    J head = J::object();
    head["table"] = t.name;
    head["subject"] = t.subject;
    J info = J::object();
    for (const auto& [k, v] : t.info) info[k] = jsonCell(v);
    head["info"] = info;
    head["columns"] = t.columns;
    // One row per line: readable, diff-able, and still one JSON document.
    std::string out = dump(head);
    out.pop_back();  // the closing brace; the rows follow
    out += ",\"rows\":[";
    for (size_t r = 0; r < t.rows.size(); ++r) {
        J row = J::object();
        for (size_t c = 0; c < t.columns.size(); ++c) row[t.columns[c]] = c < t.rows[r].size() ? jsonCell(t.rows[r][c]) : J();
        out += (r ? ",\n" : "\n") + dump(row);
    }
    out += t.rows.empty() ? "]}\n" : "\n]}\n";
    return out;
}

std::string exportFileName(const ExportTable& t, bool json) {
    std::string s = (t.subject.empty() ? std::string("quantviz") : t.subject) + "-" + t.name;
    for (auto& c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
    return s + (json ? ".json" : ".csv");
}

Result<std::string> writeExportTable(const ExportTable& t, bool json, const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path d = dir.empty() ? fs::path(".") : fs::path(dir);
    fs::create_directories(d, ec);  // an existing directory is not an error
    fs::path path = d / exportFileName(t, json);
    std::ofstream f(path, std::ios::binary);
    if (!f) return makeError("cannot create " + path.string() + " (export " + t.name + ")");
    f << (json ? toJson(t) : toCsv(t));
    f.close();
    if (!f) return makeError("cannot write " + path.string() + " (export " + t.name + ")");
    return path.string();
}

}  // namespace qv
