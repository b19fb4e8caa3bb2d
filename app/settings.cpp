// Settings: typed, validated on load, written atomically (temp file + rename).
#include "app/settings.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/quant/number_format.h"

namespace qv {

std::string Settings::directory() {
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/quantviz";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/quantviz";
    return {};
}

Settings Settings::parse(const std::string& text) {
    Settings s;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
        std::string k = line.substr(0, eq), v = line.substr(eq + 1);
        if (k == "recent" && !v.empty() && s.recentFiles.size() < 10) s.recentFiles.push_back(v);
        else if (k == "log_y") s.logY = v == "1";
        else if (k == "asymmetric") s.asymmetric = v == "1";
        else if (k == "number_format") {
            NumberFormat f;
            if (parseNumberFormat(v, f)) s.numberFormat = v;
        }
        else if (k == "bits") {
            int b = std::atoi(v.c_str());
            if (b >= 2 && b <= 16) s.bits = b;
        }
    }
    return s;
}

std::string Settings::serialize() const {
    std::string o = "# quantviz settings\n";
    o += "bits=" + std::to_string(bits) + "\n";
    o += std::string("asymmetric=") + (asymmetric ? "1" : "0") + "\n";
    o += "number_format=" + numberFormat + "\n";
    o += std::string("log_y=") + (logY ? "1" : "0") + "\n";
    for (const auto& r : recentFiles) o += "recent=" + r + "\n";
    return o;
}

Settings Settings::load() {
    std::string dir = directory();
    if (dir.empty()) return {};
    std::ifstream f(dir + "/settings.ini");
    if (!f) return {};
    std::stringstream ss;
    ss << f.rdbuf();
    return parse(ss.str());
}

bool Settings::save() const {
    std::string dir = directory();
    if (dir.empty()) return false;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::string tmp = dir + "/settings.ini.tmp";
    {
        std::ofstream f(tmp);
        f << serialize();
        if (!f) return false;
    }
    std::filesystem::rename(tmp, dir + "/settings.ini", ec);
    return !ec;
}

}  // namespace qv
