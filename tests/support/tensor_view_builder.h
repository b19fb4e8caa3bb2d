// An in-memory TensorView over a copy of some values, for tests that drive the streaming passes.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/byte_source.h"
#include "core/tensor/tensor_view.h"

namespace qv::test {

// `values` are stored as they are in memory, so T must match `dtype` (float for F32, uint16_t for F16…).
template <class T>
TensorView viewOf(const std::vector<T>& values, DType dtype, std::vector<int64_t> shape, std::string name = "t") {
    std::vector<std::byte> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    TensorInfo info;
    info.name = std::move(name);
    info.dtype = dtype;
    info.shape = std::move(shape);
    info.bytes = bytes.size();
    return TensorView(info, std::make_shared<OwnedBytes>(std::move(bytes)));
}

}  // namespace qv::test
