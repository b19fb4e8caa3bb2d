// QuantScheme: how a tensor is to be quantized — bits, symmetry, range convention, granularity.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/quant/number_format.h"

namespace qv {

enum class Symmetry { Symmetric, Asymmetric };
enum class Granularity { PerTensor, PerChannel, PerGroup };

// Which tool's arithmetic conventions to follow (REFERENCE.md §1 table).
enum class Convention {
    Seeds,        // the course's: restricted symmetric range ±(2^(b−1)−1), x/s in float32
    TensorRT,     // pytorch-quantization: amax/(2^(b−1)−1), amax ≤ 2^−24 → all outputs 0
    OnnxRuntime,  // scale < tiny → s = 1, z = 0; uint8 symmetric zero point 128 (range 0..254)
    PyTorch,      // amax/((qmax−qmin)/2) (127.5 at 8 bits), s = max(s, float eps), x·fl32(1/s)
};

struct QuantScheme {
    // Int: a uniform grid of `bits` bits (symmetry, fullRange and convention apply). Any other format:
    // one scale per slice maps the clip range's amax onto the format's largest level (z = 0, codes
    // are level indices 0..levels−1); bits, symmetry, fullRange and convention are then not used.
    NumberFormat format = NumberFormat::Int;
    int bits = 8;                                  // 2..16
    Symmetry symmetry = Symmetry::Symmetric;
    bool fullRange = false;                        // symmetric: −2^(b−1)..2^(b−1)−1 instead of ±(2^(b−1)−1)
    Granularity granularity = Granularity::PerTensor;
    int axis = 0;                                  // PerChannel: the channel axis
    int64_t groupSize = 128;                       // PerGroup: group length along the last axis
    Convention convention = Convention::Seeds;

    // Integer code range. Symmetric: signed (restricted unless fullRange);
    // asymmetric: unsigned 0..2^b−1.
    int32_t qmin() const;
    int32_t qmax() const;
    // Level formats are symmetric (one scale, the zero level fixed), whatever `symmetry` says.
    bool symmetric() const { return format != NumberFormat::Int || symmetry == Symmetry::Symmetric; }
    // The table of a level format; nullptr for Int.
    const LevelTable* levelTable() const { return qv::levelTable(format); }
    // Bits of one code: `bits` (clamped to 2..16) for Int, the format's width (8 or 4) otherwise —
    // what bit-width-based calibrators (entropy's 2^(b−1) bins, ACIQ's tables) use.
    int codeBits() const;
    std::string describe() const;  // "int8 sym per-channel(axis 0)"
    bool operator==(const QuantScheme&) const = default;
};

// How elements map to slices (one scale/zero point per slice) for a given shape.
// PerTensor: 1 slice. PerChannel(axis a): shape[a] slices, element i → (i / inner) % shape[a].
// PerGroup(G): the last axis is cut into ceil(L/G) groups per row, slice = row·groups + col/G.
struct SliceLayout {
    Granularity granularity = Granularity::PerTensor;
    uint64_t slices = 1;
    uint64_t inner = 1;        // PerChannel: product of dims after the axis
    uint64_t channels = 1;     // PerChannel: shape[axis]
    uint64_t lastDim = 1;      // PerGroup: length of the last axis
    uint64_t groupSize = 1;    // PerGroup
    uint64_t groupsPerRow = 1; // PerGroup

    static SliceLayout make(const QuantScheme& scheme, const std::vector<int64_t>& shape);
    uint64_t sliceOf(uint64_t flatIndex) const {
        switch (granularity) {
            case Granularity::PerTensor: return 0;
            case Granularity::PerChannel: return (flatIndex / inner) % channels;
            case Granularity::PerGroup: return (flatIndex / lastDim) * groupsPerRow + (flatIndex % lastDim) / groupSize;
        }
        return 0;
    }
    // One past the last flat index of the run of elements, starting at flatIndex, that share its slice
    // (consecutive elements in one slice can be quantized with one quantizer).
    uint64_t runEnd(uint64_t flatIndex) const {
        switch (granularity) {
            case Granularity::PerTensor: return UINT64_MAX;
            case Granularity::PerChannel: return (flatIndex / inner + 1) * inner;
            case Granularity::PerGroup: {
                const uint64_t rowStart = flatIndex / lastDim * lastDim, col = flatIndex - rowStart;
                const uint64_t groupEnd = (col / groupSize + 1) * groupSize;
                return rowStart + (groupEnd < lastDim ? groupEnd : lastDim);
            }
        }
        return flatIndex + 1;
    }
};

}  // namespace qv
