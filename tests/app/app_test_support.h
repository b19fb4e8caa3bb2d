// Helpers for the app tests: writing small .npy files and running headless ImGui frames.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qv::test {

// A little-endian float32 C-order .npy (version 1.0) with the given shape and values.
void writeNpyF32(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& values);

}  // namespace qv::test
