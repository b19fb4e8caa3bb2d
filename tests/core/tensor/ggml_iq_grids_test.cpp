// The IQ grid tables, checked structurally: thousands of transcribed constants, so every property the source
// tables have (llama.cpp ggml/src/ggml-common.h, read off the text) is asserted for every entry — a mistyped
// digit lands outside the allowed bytes or breaks the order; a dropped or doubled line changes the order or
// the checksums.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <set>

#include "core/tensor/ggml_iq_grids.h"

namespace qv {
namespace {

template <class T, size_t N>
std::set<uint8_t> bytesOf(const T (&table)[N]) {
    std::set<uint8_t> seen;
    for (T v : table)
        for (size_t j = 0; j < sizeof(T); ++j) seen.insert(static_cast<uint8_t>(v >> (8 * j)));
    return seen;
}

template <class T, size_t N>
bool strictlyAscending(const T (&table)[N]) {
    for (size_t i = 1; i < N; ++i)
        if (!(table[i - 1] < table[i])) return false;
    return true;
}

// Σ entry and Σ (i + 1)·entry, mod 2^64. The expected values below were computed by a one-off python script
// over the table text fetched from ggml-common.h (commit aca2e6ce…, see ggml_iq_grids.cpp); the weighted sum
// also catches two swapped entries.
template <class T, size_t N>
std::pair<uint64_t, uint64_t> checksums(const T (&table)[N]) {
    uint64_t sum = 0, weighted = 0;
    for (size_t i = 0; i < N; ++i) {
        sum += table[i];
        weighted += (i + 1) * static_cast<uint64_t>(table[i]);
    }
    return {sum, weighted};
}

TEST(GgmlIqGrids, EntryCountsMatchTheSource) {
    // ggml-common.h: GGML_TABLE_BEGIN(uint64_t, iq2xxs_grid, 256), iq2xs_grid 512, iq2s_grid 1024,
    // iq3xxs_grid 256, iq3s_grid 512, iq1s_grid NGRID_IQ1S = 2048, ksigns_iq2xs 128, kmask_iq2xs 8.
    EXPECT_EQ(std::size(kIq2xxsGrid), 256u);
    EXPECT_EQ(std::size(kIq2xsGrid), 512u);
    EXPECT_EQ(std::size(kIq2sGrid), 1024u);
    EXPECT_EQ(std::size(kIq3xxsGrid), 256u);
    EXPECT_EQ(std::size(kIq3sGrid), 512u);
    EXPECT_EQ(std::size(kIq1sGrid), 2048u);
    EXPECT_EQ(std::size(kSignsIq2xs), 128u);
    EXPECT_EQ(std::size(kMaskIq2xs), 8u);
    EXPECT_EQ(kIq1sDelta, 0.125f);  // IQ1S_DELTA = IQ1M_DELTA = 0.125f
}

TEST(GgmlIqGrids, EveryByteIsOneOfTheTypesLevels) {
    // 2-bit grids: levels 8, 25, 43 (0x08, 0x19, 0x2b) — all three occur in each table.
    const std::set<uint8_t> iq2 = {0x08, 0x19, 0x2b};
    EXPECT_EQ(bytesOf(kIq2xxsGrid), iq2);
    EXPECT_EQ(bytesOf(kIq2xsGrid), iq2);
    EXPECT_EQ(bytesOf(kIq2sGrid), iq2);
    // iq3xxs_grid: 4, 12, 20, 28, 36, 44, 52 and 62 (not 60: the top level sits off the step of 8, as in ggml).
    EXPECT_EQ(bytesOf(kIq3xxsGrid), (std::set<uint8_t>{4, 12, 20, 28, 36, 44, 52, 62}));
    // iq3s_grid: the odd levels 1 … 15.
    EXPECT_EQ(bytesOf(kIq3sGrid), (std::set<uint8_t>{1, 3, 5, 7, 9, 11, 13, 15}));
    // iq1s_grid: int8 −1, 0, +1.
    EXPECT_EQ(bytesOf(kIq1sGrid), (std::set<uint8_t>{0xff, 0x00, 0x01}));
}

TEST(GgmlIqGrids, GridsAreStrictlyAscendingAsInTheSource) {
    // The source lists the 2- and 3-bit grids in ascending order of the integer entry (so all are distinct).
    EXPECT_TRUE(strictlyAscending(kIq2xxsGrid));
    EXPECT_TRUE(strictlyAscending(kIq2xsGrid));
    EXPECT_TRUE(strictlyAscending(kIq2sGrid));
    EXPECT_TRUE(strictlyAscending(kIq3xxsGrid));
    EXPECT_TRUE(strictlyAscending(kIq3sGrid));
    // iq1s_grid is ascending as a base-3 number: digit k = byte k mapped −1, 0, +1 → 0, 1, 2, byte 7 first
    // (0xffffffffffffffff, 0xffffffffffffff01, 0xffffffffffff0000, …, 0x0101010101010101).
    auto base3 = [](uint64_t v) {
        uint64_t r = 0;
        for (int k = 7; k >= 0; --k) r = 3 * r + static_cast<uint64_t>(static_cast<int8_t>(v >> (8 * k)) + 1);
        return r;
    };
    for (size_t i = 1; i < std::size(kIq1sGrid); ++i)
        EXPECT_LT(base3(kIq1sGrid[i - 1]), base3(kIq1sGrid[i])) << "iq1s_grid entry " << i;
    EXPECT_EQ(kIq1sGrid[0], 0xffffffffffffffffu);
    EXPECT_EQ(kIq1sGrid[2047], 0x0101010101010101u);
}

TEST(GgmlIqGrids, Iq2GridPointsAreE8LatticePoints) {
    // The 2-bit codebooks are points of the E8 lattice (shifted): with the levels 8, 25, 43 read as 1, 3, 5
    // (half-integers ×2), the coordinate sum is ≡ 0 mod 4. Holds for all 1792 source entries; a single level
    // mistyped as its neighbour (1↔3, 3↔5) breaks it.
    auto ok = [](uint64_t v) {
        int sum = 0;
        for (int j = 0; j < 8; ++j) {
            const uint8_t b = static_cast<uint8_t>(v >> (8 * j));
            sum += b == 0x08 ? 1 : b == 0x19 ? 3 : 5;
        }
        return sum % 4 == 0;
    };
    for (uint64_t v : kIq2xxsGrid) EXPECT_TRUE(ok(v)) << std::hex << v;
    for (uint64_t v : kIq2xsGrid) EXPECT_TRUE(ok(v)) << std::hex << v;
    for (uint64_t v : kIq2sGrid) EXPECT_TRUE(ok(v)) << std::hex << v;
}

TEST(GgmlIqGrids, SignTableIsTheLowSevenBitsPlusParity) {
    // ksigns_iq2xs[i]: the low 7 bits are i, bit 7 makes the number of set bits even (0, 129, 130, 3, 132, …).
    for (int i = 0; i < 128; ++i) {
        EXPECT_EQ(kSignsIq2xs[i] & 127, i);
        EXPECT_EQ(std::popcount(static_cast<unsigned>(kSignsIq2xs[i])) % 2, 0) << i;
    }
    EXPECT_EQ(kSignsIq2xs[1], 129);
    EXPECT_EQ(kSignsIq2xs[127], 255);  // seven set bits: odd, so bit 7 is added
}

TEST(GgmlIqGrids, MaskTableIsOneBitPerElement) {
    for (int j = 0; j < 8; ++j) EXPECT_EQ(kMaskIq2xs[j], 1 << j);
}

TEST(GgmlIqGrids, ChecksumsMatchTheSourceText) {
    using P = std::pair<uint64_t, uint64_t>;
    EXPECT_EQ(checksums(kIq2xxsGrid), (P{0x8b267e217ce24363u, 0xcb9ca27f96a681f5u}));
    EXPECT_EQ(checksums(kIq2xsGrid), (P{0x2a14e555100396a1u, 0xa3bb3aa0abccb48cu}));
    EXPECT_EQ(checksums(kIq2sGrid), (P{0x75fe5f6cc209e3f2u, 0x20f0afd18f24c859u}));
    EXPECT_EQ(checksums(kIq3xxsGrid), (P{0x193a8b433au, 0x11be6d9a520eu}));
    EXPECT_EQ(checksums(kIq3sGrid), (P{0xc68949e56u, 0x114b10ed9fb0u}));
    EXPECT_EQ(checksums(kIq1sGrid), (P{0x69564f615572510cu, 0x05749c55a8776663u}));
}

}  // namespace
}  // namespace qv
