// ggml block decoders. Layouts: llama.cpp ggml-common.h; formulas: ggml-quants.c dequantize_row_*.
#include "core/tensor/ggml_blocks.h"

#include <cstdint>
#include <cstring>

#include "core/tensor/half.h"

namespace qv {
namespace {

uint16_t loadU16(const std::byte* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

// block_q8_0 { ggml_half d; int8_t qs[32]; } — y = d·q
void decodeQ8_0(const std::byte* src, size_t blocks, float* dst) {
    for (size_t b = 0; b < blocks; ++b, src += 34, dst += 32) {
        const float d = f16ToF32(loadU16(src));
        for (int i = 0; i < 32; ++i) dst[i] = d * static_cast<float>(static_cast<int8_t>(src[2 + i]));
    }
}

// block_q4_0 { ggml_half d; uint8_t qs[16]; } — low nibbles are elements 0..15, high 16..31; y = (q−8)·d
void decodeQ4_0(const std::byte* src, size_t blocks, float* dst) {
    for (size_t b = 0; b < blocks; ++b, src += 18, dst += 32) {
        const float d = f16ToF32(loadU16(src));
        for (int i = 0; i < 16; ++i) {
            const auto q = static_cast<uint8_t>(src[2 + i]);
            dst[i] = static_cast<float>((q & 0x0F) - 8) * d;
            dst[i + 16] = static_cast<float>((q >> 4) - 8) * d;
        }
    }
}

}  // namespace

bool decodeGgmlBlocks(DType t, const std::byte* src, size_t blocks, float* dst) {
    switch (t) {
        case DType::Q8_0: decodeQ8_0(src, blocks, dst); return true;
        case DType::Q4_0: decodeQ4_0(src, blocks, dst); return true;
        default: return false;
    }
}

}  // namespace qv
