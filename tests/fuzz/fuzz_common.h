// Shared by the libFuzzer targets: touch every tensor a parser accepted, the way the app would.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/base/byte_source.h"
#include "core/formats/model_file.h"

namespace qv::fuzz {

// Reads the first 16 and the last element of every tensor (the loader promised they are in
// bounds), renders shapes and metadata — what the model browser does on open.
inline void touchModel(const ModelFile& m) {
    float buf[16];
    size_t sink = 0;
    for (size_t i = 0; i < m.tensors.size() && i < 4096; ++i) {
        TensorView v = m.view(i);
        const uint64_t n = v.elements();
        const size_t k = n < 16 ? static_cast<size_t>(n) : 16;
        if (v.read(0, k, buf)) sink += k;
        if (n > 16 && v.read(n - 1, 1, buf)) ++sink;
        sink += m.tensors[i].shapeString().size() + m.tensors[i].name.size();
    }
    for (const auto& e : m.metadata) sink += e.key.size() + e.value.size();
    if (sink == 0xFFFFFFFFFFFFull) std::puts("");  // keeps the reads observable
}

inline std::shared_ptr<const ByteSource> copyBytes(const uint8_t* data, size_t size) {
    std::vector<std::byte> v(size);
    if (size) std::memcpy(v.data(), data, size);
    return std::make_shared<OwnedBytes>(std::move(v));
}

// For parsers that only take a path: a per-process file in /dev/shm (tmpfs), rewritten each run.
inline std::string writeTemp(const uint8_t* data, size_t size, const char* extension) {
    const std::string path = "/dev/shm/qv-fuzz-" + std::to_string(::getpid()) + extension;
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        if (size) std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    return path;
}

}  // namespace qv::fuzz
