// QuantScheme code ranges and descriptions; SliceLayout: which elements share one scale/zero point.
#include "core/quant/quant_scheme.h"

#include <algorithm>

namespace qv {

namespace {
int clampedBits(int bits) { return std::clamp(bits, 2, 16); }
}  // namespace

// Symmetric codes are signed. The seeds (and TensorRT, ONNX Runtime) use the restricted range
// ±(2^(b−1)−1) so that −x quantizes to −q exactly and no product of two codes reaches −2^(2b−2)
// (docs/quantization.md); PyTorch observers use the full range −2^(b−1)..2^(b−1)−1 (its
// int8 symmetric scale is amax/127.5), and so does `fullRange`.
// Asymmetric codes are unsigned 0..2^b−1 with a zero point (gemmlowp, ONNX uint8).
int32_t QuantScheme::qmin() const {
    if (levelTable()) return 0;
    const int b = clampedBits(bits);
    if (symmetry == Symmetry::Asymmetric) return 0;
    const int32_t half = int32_t{1} << (b - 1);
    if (fullRange || convention == Convention::PyTorch) return -half;
    return -(half - 1);
}

int32_t QuantScheme::qmax() const {
    if (const LevelTable* t = levelTable()) return t->size() - 1;
    const int b = clampedBits(bits);
    if (symmetry == Symmetry::Asymmetric) return (int32_t{1} << b) - 1;
    return (int32_t{1} << (b - 1)) - 1;
}

int QuantScheme::codeBits() const {
    if (const LevelTable* t = levelTable()) return t->bits;
    return clampedBits(bits);
}

std::string QuantScheme::describe() const {
    std::string granularityText;
    switch (granularity) {
        case Granularity::PerTensor: granularityText = " per-tensor"; break;
        case Granularity::PerChannel: granularityText = " per-channel(axis " + std::to_string(axis) + ")"; break;
        case Granularity::PerGroup: granularityText = " per-group(" + std::to_string(groupSize) + ")"; break;
    }
    if (levelTable()) return std::string(formatName(format)) + granularityText;
    std::string s = (symmetry == Symmetry::Symmetric ? "int" : "uint") + std::to_string(clampedBits(bits));
    s += symmetry == Symmetry::Symmetric ? " sym" : " asym";
    if (symmetry == Symmetry::Symmetric && (fullRange || convention == Convention::PyTorch)) s += " full-range";
    s += granularityText;
    switch (convention) {
        case Convention::Seeds: break;
        case Convention::TensorRT: s += " [TensorRT]"; break;
        case Convention::OnnxRuntime: s += " [ONNX Runtime]"; break;
        case Convention::PyTorch: s += " [PyTorch]"; break;
    }
    return s;
}

// Every field that sliceOf divides by is kept ≥ 1, so a layout made for an empty tensor (a
// zero dimension) or a 0-d scalar is still safe to use; such tensors get one slice.
SliceLayout SliceLayout::make(const QuantScheme& scheme, const std::vector<int64_t>& shape) {
    SliceLayout l;
    l.granularity = scheme.granularity;
    const auto dim = [&](size_t a) { return static_cast<uint64_t>(std::max<int64_t>(shape[a], 0)); };
    const int rank = static_cast<int>(shape.size());
    switch (scheme.granularity) {
        case Granularity::PerTensor:
            break;
        case Granularity::PerChannel: {
            if (rank == 0) {  // a scalar is its own single channel
                l.channels = l.inner = l.slices = 1;
                break;
            }
            // numpy-style negative axes; an axis out of range falls back to 0 (the output
            // channel axis of Linear/Conv weights) rather than failing.
            int a = scheme.axis < 0 ? scheme.axis + rank : scheme.axis;
            if (a < 0 || a >= rank) a = 0;
            uint64_t inner = 1;
            for (int i = a + 1; i < rank; ++i) inner *= dim(static_cast<size_t>(i));
            l.inner = std::max<uint64_t>(inner, 1);
            l.channels = std::max<uint64_t>(dim(static_cast<size_t>(a)), 1);
            l.slices = l.channels;
            break;
        }
        case Granularity::PerGroup: {
            const uint64_t last = rank == 0 ? 1 : std::max<uint64_t>(dim(static_cast<size_t>(rank - 1)), 1);
            uint64_t rows = 1;
            for (int i = 0; i + 1 < rank; ++i) rows *= dim(static_cast<size_t>(i));
            // A group size ≤ 0 means "the whole row"; a last group that does not fill G is shorter.
            const uint64_t g = scheme.groupSize > 0 ? std::min<uint64_t>(static_cast<uint64_t>(scheme.groupSize), last) : last;
            l.lastDim = last;
            l.groupSize = std::max<uint64_t>(g, 1);
            l.groupsPerRow = (last + l.groupSize - 1) / l.groupSize;
            l.slices = std::max<uint64_t>(rows, 1) * l.groupsPerRow;
            break;
        }
    }
    return l;
}

}  // namespace qv
