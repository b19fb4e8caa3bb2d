// Test helpers: shared model lookup and temporary files.
#include "tests/support/test_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace qv::test {

std::string sharedModelsDir() {
    if (const char* env = std::getenv("QV_SHARED_MODELS"); env && *env) return fs::is_directory(env) ? env : "";
    return fs::is_directory(QV_SHARED_MODELS_DEFAULT) ? QV_SHARED_MODELS_DEFAULT : "";
}

std::string sharedModel(const std::string& relative) {
    const std::string dir = sharedModelsDir();
    if (dir.empty()) return "";
    fs::path p = fs::path(dir) / relative;
    return fs::exists(p) ? p.string() : "";
}

namespace {
struct TempRoot {
    fs::path path;
    TempRoot() {
        path = fs::temp_directory_path() / ("qv-test-" + std::to_string(::getpid()));
        fs::create_directories(path);
    }
    ~TempRoot() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};
TempRoot& root() {
    static TempRoot r;
    return r;
}
}  // namespace

std::string tempDir() { return root().path.string(); }
std::string tempPath(const std::string& name) { return (root().path / name).string(); }

void writeBytes(const std::string& path, const std::vector<std::byte>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void writeText(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

}  // namespace qv::test
