// Settings: what the app remembers between runs (recent files, view options, last scheme), stored as
// key=value lines in $XDG_CONFIG_HOME/quantviz/settings.ini (~/.config/quantviz when unset).
#pragma once

#include <string>
#include <vector>

namespace qv {

struct Settings {
    std::vector<std::string> recentFiles;
    bool logY = false;
    int bits = 8;
    bool asymmetric = false;
    std::string numberFormat = "int";  // formatName() of the last number format ("int", "fp8-e4m3", …)

    // Directory used: $XDG_CONFIG_HOME/quantviz, else $HOME/.config/quantviz ("" when neither is set).
    static std::string directory();
    // Unknown keys and malformed lines are ignored; values are validated (bits 2..16, known formats).
    static Settings parse(const std::string& text);
    std::string serialize() const;
    static Settings load();
    bool save() const;
};

}  // namespace qv
