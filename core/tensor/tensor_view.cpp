// TensorInfo helpers and TensorView conversion (including Fortran-order gathers).
#include "core/tensor/tensor_view.h"

#include <algorithm>
#include <atomic>

#include <unistd.h>

namespace qv {

uint64_t TensorInfo::elements() const { return checkedElements(shape).value_or(0); }

std::string TensorInfo::shapeString() const {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

std::optional<uint64_t> checkedElements(const std::vector<int64_t>& shape) {
    uint64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0) return std::nullopt;
        const auto u = static_cast<uint64_t>(d);
        if (u != 0 && n > UINT64_MAX / u) return std::nullopt;
        n *= u;
    }
    return n;
}

TensorView::TensorView(TensorInfo info, std::shared_ptr<const ByteSource> source)
    : m_info(std::move(info)), m_source(std::move(source)) {
    m_elements = m_info.elements();
    if (m_source) {
        auto all = m_source->bytes();
        if (m_info.offset <= all.size() && m_info.bytes <= all.size() - m_info.offset)
            m_raw = all.subspan(m_info.offset, m_info.bytes);
        else
            m_source.reset();  // a loader bug; never read out of bounds
    }
}

const float* TensorView::directF32() const {
    if (!m_source || m_info.dtype != DType::F32) return nullptr;
    if (m_info.fortranOrder && m_info.shape.size() > 1) return nullptr;
    if (reinterpret_cast<uintptr_t>(m_raw.data()) % alignof(float) != 0) return nullptr;
    return reinterpret_cast<const float*>(m_raw.data());
}

bool TensorView::read(uint64_t first, size_t count, float* out) const {
    if (!m_source || first > m_elements || count > m_elements - first) return false;
    if (count == 0) return true;
    const bool fortran = m_info.fortranOrder && m_info.shape.size() > 1;
    if (!fortran) return convertToFloat(m_info.dtype, m_raw.data(), first, count, out);

    // Column-major storage: the storage index of logical multi-index (i0, …, iR-1) is Σ ia·colStride[a]
    // with colStride[0] = 1. Walk the logical (row-major) order with an odometer so each step costs
    // an add, not a division per axis.
    const auto& shape = m_info.shape;
    const size_t rank = shape.size();
    std::vector<uint64_t> colStride(rank), idx(rank);
    uint64_t s = 1;
    for (size_t a = 0; a < rank; ++a) {
        colStride[a] = s;
        s *= static_cast<uint64_t>(shape[a]);
    }
    uint64_t storage = 0;
    uint64_t rest = first;
    for (size_t a = rank; a-- > 0;) {  // multi-index of `first`
        const auto d = static_cast<uint64_t>(shape[a]);
        idx[a] = rest % d;
        rest /= d;
        storage += idx[a] * colStride[a];
    }
    const DType t = m_info.dtype;
    for (size_t i = 0; i < count; ++i) {
        if (!convertToFloat(t, m_raw.data(), storage, 1, out + i)) return false;
        for (size_t a = rank; a-- > 0;) {  // next logical element: bump the last axis, carry leftwards
            storage += colStride[a];
            if (++idx[a] < static_cast<uint64_t>(shape[a])) break;
            storage -= idx[a] * colStride[a];
            idx[a] = 0;
        }
    }
    return true;
}

Result<std::vector<float>> TensorView::toFloat(uint64_t maxElements) const {
    if (!m_source) return makeError(m_info.name + ": tensor has no data");
    if (m_elements > maxElements)
        return makeError(m_info.name + ": too large to load at once (" + std::to_string(m_elements) + " elements)");
    std::vector<float> out(m_elements);
    if (!read(0, m_elements, out.data()))
        return makeError(m_info.name + ": cannot decode dtype " + std::string(dtypeName(m_info.dtype)));
    return out;
}

namespace {
std::atomic<uint64_t> g_streamReleaseBytes{uint64_t{1} << 30};
uint64_t quarterOfMemory() {
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? uint64_t(pages) * uint64_t(size) / 4 : uint64_t{4} << 30;
}
std::atomic<uint64_t> g_sourceReleaseBytes{quarterOfMemory()};
}  // namespace

uint64_t streamReleaseBytes() { return g_streamReleaseBytes.load(std::memory_order_relaxed); }
void setStreamReleaseBytes(uint64_t bytes) { g_streamReleaseBytes.store(bytes, std::memory_order_relaxed); }
uint64_t sourceReleaseBytes() { return g_sourceReleaseBytes.load(std::memory_order_relaxed); }
void setSourceReleaseBytes(uint64_t bytes) { g_sourceReleaseBytes.store(bytes, std::memory_order_relaxed); }

bool TensorView::releasesPages() const {
    if (!m_source) return false;
    if (m_raw.size() < streamReleaseBytes() && m_source->size() < sourceReleaseBytes()) return false;
    return !(m_info.fortranOrder && m_info.shape.size() > 1);
}

void TensorView::releasePages(uint64_t first, uint64_t count) const {
    if (!releasesPages() || first >= m_elements) return;
    const DTypeTraits& t = traits(m_info.dtype);
    const uint64_t blockElements = std::max<uint32_t>(t.blockElements, 1);
    const uint64_t end = std::min(m_elements, first + count);
    // Whole blocks only: a block shared with a neighbouring range stays.
    const uint64_t b0 = (first + blockElements - 1) / blockElements, b1 = end / blockElements;
    if (b1 <= b0) return;
    const uint64_t byte0 = b0 * t.blockBytes, byte1 = std::min<uint64_t>(b1 * t.blockBytes, m_raw.size());
    if (byte1 > byte0) m_source->dropResidentPages(m_raw.data() + byte0, byte1 - byte0);
}

uint64_t TensorView::releaseSpanElements() const {
    const DTypeTraits& t = traits(m_info.dtype);
    const uint64_t blocks = std::max<uint64_t>((uint64_t{64} << 20) / std::max<uint32_t>(t.blockBytes, 1), 1);
    return blocks * std::max<uint32_t>(t.blockElements, 1);
}

PageReleaser TensorView::pageReleaser(uint64_t n, uint64_t chunk, uint64_t offset) const {
    if (!releasesPages()) return PageReleaser();
    return PageReleaser(n, chunk, std::max(releaseSpanElements(), chunk),
                        [this, offset](uint64_t first, uint64_t count) { releasePages(offset + first, count); });
}

size_t TensorView::chunkElements() const {
    const size_t block = traits(m_info.dtype).blockElements;
    const size_t target = 64 * 1024;
    return std::max(block, target / block * block);
}

}  // namespace qv
