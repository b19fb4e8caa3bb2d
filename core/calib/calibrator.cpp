// The calibrator registry: CLI spellings "name[:arg]" → calibrator objects, and display labels.
#include "core/calib/calibrator.h"

#include <functional>

#include "core/calib/minmax_calibrator.h"

namespace qv {

std::string Calibrator::label() const {
    std::string a = arg();
    return a.empty() ? name() : name() + ":" + a;
}

namespace {

using Factory = std::function<std::unique_ptr<Calibrator>(const std::string& arg, std::string* error)>;

struct Entry {
    const char* name;
    Factory make;
};

std::unique_ptr<Calibrator> noArg(std::unique_ptr<Calibrator> c, const std::string& arg, std::string* error) {
    if (!arg.empty()) {
        if (error) *error = "calibrator '" + c->name() + "' takes no argument (got '" + arg + "')";
        return nullptr;
    }
    return c;
}

const std::vector<Entry>& registry() {
    static const std::vector<Entry> entries = {
        {"minmax", [](const std::string& a, std::string* e) { return noArg(std::make_unique<MinMaxCalibrator>(), a, e); }},
    };
    return entries;
}

}  // namespace

std::vector<std::string> calibratorNames() {
    std::vector<std::string> names;
    for (const auto& e : registry()) names.emplace_back(e.name);
    return names;
}

std::unique_ptr<Calibrator> makeCalibrator(const std::string& spec, std::string* error) {
    const size_t colon = spec.find(':');
    const std::string base = spec.substr(0, colon);
    const std::string arg = colon == std::string::npos ? std::string() : spec.substr(colon + 1);
    for (const auto& e : registry()) {
        if (base != e.name) continue;
        std::string err;
        auto c = e.make(arg, &err);
        if (!c && error) *error = err.empty() ? "bad argument '" + arg + "' for calibrator '" + base + "'" : err;
        return c;
    }
    if (error) {
        std::string list;
        for (const auto& n : calibratorNames()) list += (list.empty() ? "" : ", ") + n;
        *error = "unknown calibrator '" + base + "' (known: " + list + ")";
    }
    return nullptr;
}

}  // namespace qv
