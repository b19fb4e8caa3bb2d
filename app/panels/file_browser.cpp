// FileBrowser: a modal listing of the file system for File ▸ Open.
#include "app/panels/file_browser.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/formats/model_file.h"

namespace qv {

namespace fs = std::filesystem;

std::vector<DirEntry> listDirectory(const std::string& dir, bool allFiles, std::string* error) {
    std::vector<DirEntry> dirs, files;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        if (error) *error = dir + ": " + ec.message();
        return {};
    }
    const auto& exts = supportedExtensions();
    for (const auto& e : it) {
        std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        std::error_code ec2;
        if (e.is_directory(ec2)) {
            dirs.push_back({name, true, 0});
        } else {
            bool ok = allFiles;
            for (const auto& x : exts)
                if (name.size() >= x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0) ok = true;
            if (ok) files.push_back({name, false, static_cast<unsigned long long>(e.file_size(ec2))});
        }
    }
    auto byName = [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; };
    std::sort(dirs.begin(), dirs.end(), byName);
    std::sort(files.begin(), files.end(), byName);
    std::vector<DirEntry> out;
    out.push_back({"..", true, 0});
    out.insert(out.end(), dirs.begin(), dirs.end());
    out.insert(out.end(), files.begin(), files.end());
    return out;
}

void FileBrowser::refresh() {
    m_error.clear();
    m_entries = listDirectory(m_dir, m_allFiles, &m_error);
}

void FileBrowser::draw(AppState& state, bool& open) {
    if (open) {
        open = false;
        if (m_dir.empty()) {
            std::error_code ec;
            m_dir = fs::current_path(ec).string();
        }
        refresh();
        ImGui::OpenPopup(m_reference ? "Open second file" : "Open file");
    }
    ImVec2 center = ImGui::GetMainViewport()->GetCenter();
    ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(720, 480), ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal(m_reference ? "Open second file" : "Open file")) return;
    ImGui::TextUnformatted(m_dir.c_str());
    if (ImGui::Checkbox("show all files", &m_allFiles)) refresh();
    if (!m_error.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", m_error.c_str());
    std::string openPath;
    ImGui::BeginChild("entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * 2.2f), true);
    std::string enter;
    for (const auto& e : m_entries) {
        char label[512];
        if (e.isDir) std::snprintf(label, sizeof label, "[dir] %s", e.name.c_str());
        else std::snprintf(label, sizeof label, "%s  (%.1f MB)", e.name.c_str(), double(e.bytes) / 1e6);
        if (ImGui::Selectable(label, false, ImGuiSelectableFlags_AllowDoubleClick)) {
            std::string full = (fs::path(m_dir) / e.name).lexically_normal().string();
            if (e.isDir) {
                enter = e.name == ".." ? fs::path(m_dir).parent_path().string() : full;
            } else {
                std::snprintf(m_path, sizeof m_path, "%s", full.c_str());
                if (ImGui::IsMouseDoubleClicked(0)) openPath = full;
            }
        }
    }
    ImGui::EndChild();
    if (!enter.empty()) {
        m_dir = enter;
        refresh();
    }
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 9);
    if (ImGui::InputText("##path", m_path, sizeof m_path, ImGuiInputTextFlags_EnterReturnsTrue)) openPath = m_path;
    ImGui::SameLine();
    if (ImGui::Button("Open")) openPath = m_path;
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    if (!openPath.empty()) {
        std::error_code ec;
        if (fs::is_directory(openPath, ec)) {
            m_dir = openPath;
            refresh();
        } else {
            ImGui::CloseCurrentPopup();
            if (m_reference) state.openReference(openPath);
            else state.openFile(openPath);  // failures become the error dialog
        }
    }
    ImGui::EndPopup();
}

}  // namespace qv
