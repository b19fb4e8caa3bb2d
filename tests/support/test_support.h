// Helpers shared by the tests: where the real models are, temporary files, skipping with a reason.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

namespace qv::test {

// Directory of ../shared/models, or "" when absent (QV_SHARED_MODELS env var overrides).
std::string sharedModelsDir();
// Full path of a file under the shared models folder, or "" when it does not exist.
std::string sharedModel(const std::string& relative);

// A fresh temporary directory removed at exit of the test binary.
std::string tempDir();
std::string tempPath(const std::string& name);
void writeBytes(const std::string& path, const std::vector<std::byte>& bytes);
void writeText(const std::string& path, const std::string& text);

}  // namespace qv::test

// Skips the current test, visibly, when a shared model is missing.
#define QV_REQUIRE_SHARED_MODEL(var, rel)                                                         \
    const std::string var = ::qv::test::sharedModel(rel);                                        \
    if (var.empty()) GTEST_SKIP() << "../shared/models/" << (rel) << " is absent; skipping (real-model test)"
