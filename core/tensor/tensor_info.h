// TensorInfo: what a loader learns about one tensor from the file's header — no element is read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor/dtype.h"

namespace qv {

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;   // numpy order: row-major, last axis varies fastest; {} is a 0-d scalar
    uint32_t source = 0;          // index into ModelFile::sources
    uint64_t offset = 0;          // byte offset of the first stored element in that source
    uint64_t bytes = 0;           // stored bytes (checked by the loader against dtype × elements)
    bool fortranOrder = false;    // column-major storage (.npy fortran_order)

    // Product of the shape (1 for a 0-d scalar, 0 when any dimension is 0).
    uint64_t elements() const;
    std::string shapeString() const;  // "[64, 512]"
};

// Element count of a shape, or nullopt on a negative dimension or 64-bit overflow — loaders
// call this on untrusted headers before they trust any product.
std::optional<uint64_t> checkedElements(const std::vector<int64_t>& shape);

}  // namespace qv
