// DType traits table and conversion of stored elements to float.
#include "core/tensor/dtype.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "core/tensor/ggml_blocks.h"
#include "core/tensor/half.h"

namespace qv {
namespace {

// Block sizes and bytes: llama.cpp ggml-common.h (static_asserts on block_q*), REFERENCE.md §4.
constexpr std::array<DTypeTraits, static_cast<size_t>(DType::Count)> kTraits{{
    {DType::F32, "f32", 1, 4, true, false, true, false},
    {DType::F16, "f16", 1, 2, true, false, true, false},
    {DType::BF16, "bf16", 1, 2, true, false, true, false},
    {DType::F64, "f64", 1, 8, true, false, true, false},
    {DType::I8, "i8", 1, 1, false, true, true, false},
    {DType::U8, "u8", 1, 1, false, true, false, false},
    {DType::I16, "i16", 1, 2, false, true, true, false},
    {DType::U16, "u16", 1, 2, false, true, false, false},
    {DType::I32, "i32", 1, 4, false, true, true, false},
    {DType::U32, "u32", 1, 4, false, true, false, false},
    {DType::I64, "i64", 1, 8, false, true, true, false},
    {DType::U64, "u64", 1, 8, false, true, false, false},
    {DType::Bool, "bool", 1, 1, false, true, false, false},
    {DType::Q4_0, "q4_0", 32, 18, false, false, true, true},
    {DType::Q4_1, "q4_1", 32, 20, false, false, true, true},
    {DType::Q5_0, "q5_0", 32, 22, false, false, true, true},
    {DType::Q5_1, "q5_1", 32, 24, false, false, true, true},
    {DType::Q8_0, "q8_0", 32, 34, false, false, true, true},
    {DType::Q8_1, "q8_1", 32, 36, false, false, true, true},
    {DType::Q2_K, "q2_K", 256, 84, false, false, true, true},
    {DType::Q3_K, "q3_K", 256, 110, false, false, true, true},
    {DType::Q4_K, "q4_K", 256, 144, false, false, true, true},
    {DType::Q5_K, "q5_K", 256, 176, false, false, true, true},
    {DType::Q6_K, "q6_K", 256, 210, false, false, true, true},
    {DType::Q8_K, "q8_K", 256, 292, false, false, true, true},
    {DType::IQ4_NL, "iq4_nl", 32, 18, false, false, true, true},
    {DType::IQ4_XS, "iq4_xs", 256, 136, false, false, true, true},
    // Sizes from the static_asserts on block_iq2_xxs … block_mxfp4 in ggml-common.h.
    {DType::IQ2_XXS, "iq2_xxs", 256, 66, false, false, true, true},
    {DType::IQ2_XS, "iq2_xs", 256, 74, false, false, true, true},
    {DType::IQ3_XXS, "iq3_xxs", 256, 98, false, false, true, true},
    {DType::IQ1_S, "iq1_s", 256, 50, false, false, true, true},
    {DType::IQ3_S, "iq3_s", 256, 110, false, false, true, true},
    {DType::IQ2_S, "iq2_s", 256, 82, false, false, true, true},
    {DType::IQ1_M, "iq1_m", 256, 56, false, false, true, true},
    {DType::TQ1_0, "tq1_0", 256, 54, false, false, true, true},
    {DType::TQ2_0, "tq2_0", 256, 66, false, false, true, true},
    {DType::MXFP4, "mxfp4", 32, 17, false, false, true, true},
}};

static_assert([] {
    for (size_t i = 0; i < kTraits.size(); ++i)
        if (static_cast<size_t>(kTraits[i].type) != i) return false;
    return true;
}(), "kTraits must be indexed by DType");

template <class T>
void convertPlain(const std::byte* src, uint64_t first, size_t count, float* dst) {
    const std::byte* p = src + first * sizeof(T);
    for (size_t i = 0; i < count; ++i) {
        T v;
        std::memcpy(&v, p + i * sizeof(T), sizeof(T));
        dst[i] = static_cast<float>(v);
    }
}

}  // namespace

const DTypeTraits& traits(DType t) { return kTraits[static_cast<size_t>(t)]; }

std::optional<DType> dtypeFromName(std::string_view name) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    static const std::pair<const char*, DType> kAliases[] = {
        {"float32", DType::F32}, {"float16", DType::F16}, {"half", DType::F16}, {"bfloat16", DType::BF16},
        {"float64", DType::F64}, {"double", DType::F64}, {"int8", DType::I8}, {"uint8", DType::U8},
        {"int16", DType::I16}, {"uint16", DType::U16}, {"int32", DType::I32}, {"uint32", DType::U32},
        {"int64", DType::I64}, {"uint64", DType::U64},
    };
    for (auto& [alias, t] : kAliases)
        if (n == alias) return t;
    for (const auto& tr : kTraits) {
        std::string tn(tr.name);
        std::transform(tn.begin(), tn.end(), tn.begin(), [](unsigned char c) { return std::tolower(c); });
        if (tn == n) return tr.type;
    }
    return std::nullopt;
}

double bitsPerElement(DType t) {
    const auto& tr = traits(t);
    return 8.0 * tr.blockBytes / tr.blockElements;
}

std::optional<uint64_t> storageBytes(DType t, uint64_t elements) {
    const auto& tr = traits(t);
    if (elements % tr.blockElements != 0) return std::nullopt;
    const uint64_t blocks = elements / tr.blockElements;
    if (tr.blockBytes != 0 && blocks > UINT64_MAX / tr.blockBytes) return std::nullopt;
    return blocks * tr.blockBytes;
}

bool convertToFloat(DType t, const std::byte* src, uint64_t first, size_t count, float* dst) {
    switch (t) {
        case DType::F32: std::memcpy(dst, src + first * 4, count * 4); return true;
        case DType::F16:
            for (size_t i = 0; i < count; ++i) {
                uint16_t h;
                std::memcpy(&h, src + (first + i) * 2, 2);
                dst[i] = f16ToF32(h);
            }
            return true;
        case DType::BF16:
            for (size_t i = 0; i < count; ++i) {
                uint16_t h;
                std::memcpy(&h, src + (first + i) * 2, 2);
                dst[i] = bf16ToF32(h);
            }
            return true;
        case DType::F64: convertPlain<double>(src, first, count, dst); return true;
        case DType::I8: convertPlain<int8_t>(src, first, count, dst); return true;
        case DType::U8: convertPlain<uint8_t>(src, first, count, dst); return true;
        case DType::Bool: convertPlain<uint8_t>(src, first, count, dst); return true;
        case DType::I16: convertPlain<int16_t>(src, first, count, dst); return true;
        case DType::U16: convertPlain<uint16_t>(src, first, count, dst); return true;
        case DType::I32: convertPlain<int32_t>(src, first, count, dst); return true;
        case DType::U32: convertPlain<uint32_t>(src, first, count, dst); return true;
        case DType::I64: convertPlain<int64_t>(src, first, count, dst); return true;
        case DType::U64: convertPlain<uint64_t>(src, first, count, dst); return true;
        default: break;
    }
    const auto& tr = traits(t);
    if (!tr.isBlockQuantized) return false;
    // Decode the blocks covering [first, first+count) and copy the requested part.
    const uint64_t be = tr.blockElements;
    const uint64_t firstBlock = first / be;
    const uint64_t lastBlock = (first + count + be - 1) / be;
    const uint64_t skip = first - firstBlock * be;
    if (skip == 0 && count % be == 0)
        return decodeGgmlBlocks(t, src + firstBlock * tr.blockBytes, count / be, dst);
    std::vector<float> tmp((lastBlock - firstBlock) * be);
    if (!decodeGgmlBlocks(t, src + firstBlock * tr.blockBytes, lastBlock - firstBlock, tmp.data())) return false;
    std::memcpy(dst, tmp.data() + skip, count * sizeof(float));
    return true;
}

}  // namespace qv
