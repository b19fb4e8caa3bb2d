// Hand-built ggml blocks for the decoder tests: byte-level writers and a decode that reads from an
// exactly sized heap copy (so the ASan build catches any read past the last block).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/tensor/dtype.h"
#include "core/tensor/ggml_blocks.h"
#include "core/tensor/half.h"

namespace qv::test {

using Block = std::vector<std::byte>;

inline Block zeros(size_t n) { return Block(n, std::byte{0}); }
inline void putU8(Block& b, size_t at, uint8_t v) { b[at] = std::byte{v}; }
inline void putF16(Block& b, size_t at, float v) {
    const uint16_t h = f32ToF16(v);  // only exactly representable values are used (0.25, 0.5, 1, …)
    ASSERT_EQ(f16ToF32(h), v);
    std::memcpy(&b[at], &h, 2);
}
template <class T>
void put(Block& b, size_t at, T v) { std::memcpy(&b[at], &v, sizeof v); }

// Every element not written by the decoder keeps −12345, so a short write shows.
inline std::vector<float> decode(DType t, const Block& b) {
    const auto& tr = traits(t);
    EXPECT_EQ(b.size() % tr.blockBytes, 0u);
    auto exact = std::make_unique<std::byte[]>(b.size());
    std::memcpy(exact.get(), b.data(), b.size());
    std::vector<float> y(b.size() / tr.blockBytes * tr.blockElements, -12345.f);
    EXPECT_TRUE(decodeGgmlBlocks(t, exact.get(), b.size() / tr.blockBytes, y.data()));
    return y;
}

}  // namespace qv::test
