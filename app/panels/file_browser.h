// FileBrowser: the in-app File ▸ Open dialog (directories, supported model files, a path box).
#pragma once

#include <string>
#include <vector>

#include "app/app_state.h"

namespace qv {

struct DirEntry {
    std::string name;
    bool isDir = false;
    unsigned long long bytes = 0;
};

// Directory listing for the dialog: "..", then directories, then files with a supported
// extension (all files when `allFiles`), each group sorted by name. Unreadable → empty + error.
std::vector<DirEntry> listDirectory(const std::string& dir, bool allFiles, std::string* error);

class FileBrowser {
public:
    // Opens the modal when `open` is set (one-shot), draws it while it is open.
    void draw(AppState& state, bool& open);
    // The dialog opens the reference (higher-precision) model instead of a document.
    void setReferenceMode(bool reference) { m_reference = reference; }

private:
    void refresh();
    std::string m_dir;
    char m_path[1024] = {};
    bool m_allFiles = false;
    bool m_reference = false;
    std::vector<DirEntry> m_entries;
    std::string m_error;
};

}  // namespace qv
