// TensorView: a non-owning, lazy window on one tensor's stored bytes, with chunked conversion to float.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/base/byte_source.h"
#include "core/base/page_releaser.h"
#include "core/base/result.h"
#include "core/tensor/tensor_info.h"

namespace qv {

// Keeps the ByteSource alive; reading converts on demand, so looking at one tensor of a
// multi-GB model touches only that tensor's pages. The loader guarantees info.offset+info.bytes
// lies inside the source and matches dtype × elements.
class TensorView {
public:
    TensorView() = default;
    TensorView(TensorInfo info, std::shared_ptr<const ByteSource> source);

    const TensorInfo& info() const { return m_info; }
    uint64_t elements() const { return m_elements; }
    bool valid() const { return m_source != nullptr; }
    std::span<const std::byte> rawBytes() const { return m_raw; }
    const std::shared_ptr<const ByteSource>& source() const { return m_source; }

    // The elements as float32 in logical order, without copying, when the storage allows it
    // (f32, row-major, 4-byte aligned); nullptr otherwise.
    const float* directF32() const;

    // Converts logical (row-major) elements [first, first+count) to float into out.
    // Returns false if the range is out of bounds or the dtype cannot be decoded.
    bool read(uint64_t first, size_t count, float* out) const;

    // Whole tensor as floats; refuses tensors above maxElements (callers stream big ones).
    Result<std::vector<float>> toFloat(uint64_t maxElements = uint64_t{1} << 31) const;

    // Suggested chunk for streaming passes: whole blocks, ~256 KiB of floats.
    size_t chunkElements() const;

    // Tensors stored with at least streamReleaseBytes() bytes, or living in a file of at least
    // sourceReleaseBytes() (a model that is a large part of memory: the overview sweep reads all of
    // it), are more than a pass should keep resident: streaming passes hand finished element ranges
    // to releasePages (PageReleaser), which unmaps the whole pages storing them (mapped files only;
    // the page cache keeps them while memory allows). Row-major storage only: a Fortran-order
    // tensor's elements are not contiguous in logical order.
    bool releasesPages() const;
    void releasePages(uint64_t first, uint64_t count) const;
    // Elements per release batch: about 64 MiB of storage.
    uint64_t releaseSpanElements() const;
    // For a pass over elements [offset, offset + n) in chunks of `chunk` elements, reporting each
    // chunk (index·chunk, relative to offset) done once its values are copied or reduced; inert
    // unless releasesPages(). The view must outlive it.
    PageReleaser pageReleaser(uint64_t n, uint64_t chunk, uint64_t offset = 0) const;

private:
    TensorInfo m_info;
    std::shared_ptr<const ByteSource> m_source;
    std::span<const std::byte> m_raw;
    uint64_t m_elements = 0;
};

// The tensor size above which streaming passes release pages: 1 GiB by default; tests change it.
uint64_t streamReleaseBytes();
void setStreamReleaseBytes(uint64_t bytes);
// The file size above which passes over any of its tensors release pages: a quarter of physical
// memory by default (6 GiB on a 24 GiB machine); tests change it.
uint64_t sourceReleaseBytes();
void setSourceReleaseBytes(uint64_t bytes);

}  // namespace qv
