// NumberFormat: what a code stands for — a uniform integer grid (intN, the default) or one of the
// non-uniform element formats (FP8, FP4, NF4) whose values form a fixed table of levels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qv {

enum class NumberFormat {
    Int,      // uniform affine grid of QuantScheme::bits (quant_params.h)
    Fp8E4M3,  // OCP OFP8 E4M3FN: ±448, no Inf
    Fp8E5M2,  // OCP OFP8 E5M2: ±57344
    Fp4E2M1,  // OCP MX FP4: ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}
    Fp6E2M3,  // OCP MX FP6 E2M3: bias 1, ±7.5, no Inf/NaN
    Fp6E3M2,  // OCP MX FP6 E3M2: bias 3, ±28, no Inf/NaN
    Nf4,      // QLoRA NormalFloat4: 16 levels in [−1, 1]
    // OCP Microscaling (MX v1.0): the element formats above with a shared power-of-two (E8M0) scale
    // X = 2^(floor(log2 amax) − emax_elem) per block — the block being the slice (per group of 32 along
    // the last axis is the spec's MXFP8/MXFP4).
    MxFp8E4M3,
    MxFp8E5M2,
    MxFp6E2M3,
    MxFp6E3M2,
    MxFp4,
    // NVIDIA NVFP4: E2M1 elements, an E4M3 scale per block (16 along the last axis in the format) and
    // a float32 tensor scale amax_tensor / (448·6) (REFERENCE.md §3): quant_params.h applyTensorScale.
    NvFp4,
};

// The finite values of a level format, as one increasing table. A code is an index into it, so
// codes are 0..size−1 whatever the format's bit encoding; ±0 is one level (−0 and +0 quantize alike).
// A value v (already divided by the scale) goes to the nearest level; exactly between two levels it
// goes to the one named by tieUp — for the floating-point formats the level whose bit pattern is
// even (round to nearest even, OCP OFP8 §5 / IEEE 754), for NF4 the level with the even 4-bit code.
// Beyond the end levels values saturate (the formats' saturating conversion); such a value counts as
// clipped when it lies more than half the end gap beyond the end level — what rounding on the format's
// grid continued past its end (FP8's next binade, FP4's 8) would have sent elsewhere, the same rule as
// the integer grid's "round(x/s) beyond qmax".
struct LevelTable {
    NumberFormat format = NumberFormat::Int;
    int bits = 0;                   // storage width of one code (8 or 4)
    std::vector<float> levels;      // increasing, distinct, one of them 0
    std::vector<float> midpoints;   // levels.size() − 1 decision points, fl32((l[i] + l[i+1]) / 2)
    std::vector<uint8_t> tieUp;     // per midpoint: a value exactly on it takes level i + 1
    std::vector<uint8_t> patterns;  // per level: its bit pattern (FP formats; +0 for the zero level) or
                                    // its 4-bit code (NF4) — what a file stores for the level
    int32_t zeroIndex = 0;          // the index of level 0
    float maxAbs = 0;               // largest |level|: the scale maps the clip range's amax onto it
    float lowClip = 0, highClip = 0;  // values below / above these saturate with "clipped"
    bool lowClipTieOut = false, highClipTieOut = false;  // a value exactly on lowClip/highClip is clipped
    // For the floating-point formats (a sign-symmetric grid of every pattern 2^E·(1 + M/2^m), with
    // subnormals): m and the exponent of the smallest normal, so that rounding can be done by
    // arithmetic (the AVX-512 error kernel); the level of magnitude pattern p is zeroIndex ± p.
    // fpMantissaBits < 0: not such a grid (NF4). Checked against every level when the table is built.
    int fpMantissaBits = -1;
    int fpMinExponent = 0;

    // Accelerator of index(): for each 16-bit key of v's float32 pattern (sign, exponent, 7 mantissa
    // bits) the lowest (low byte) and highest (high byte) index any v of that key rounds to. Usually
    // they are equal (one table load); otherwise only the few midpoints between them are compared.
    // Built with the table; 2^16 + 1 entries (the last is padding for 32-bit gathers).
    std::vector<uint16_t> keyRange;

    int32_t size() const { return static_cast<int32_t>(levels.size()); }
    // Index of the level v rounds to (NaN → the zero level, ±Inf → the end levels). Inline: it runs
    // once per element in the exact pass.
    // The index is monotonic in v, so every v of a key lies between the indices of the key's two extreme
    // values, and only the midpoints between those can separate them. The count of midpoints below v
    // starting from `low` is right even when the key's extreme value is itself a midpoint (whichever way
    // its tie went, the midpoints before `low` are all below every other value of the key).
    int32_t index(float v) const {
        if (v != v) return zeroIndex;
        uint32_t bits;
        __builtin_memcpy(&bits, &v, sizeof bits);
        const uint16_t range = keyRange[bits >> 16];
        int32_t k = range & 0xFFu;
        const int32_t high = range >> 8;
        if (k == high) return k;
        while (k < high && midpoints[static_cast<size_t>(k)] < v) ++k;
        if (k < high && midpoints[static_cast<size_t>(k)] == v) return tieUp[static_cast<size_t>(k)] ? k + 1 : k;
        return k;
    }
    // True when v may lie exactly on a midpoint (a tie): its key holds a midpoint, or v is the first
    // value of its key (where the formats' midpoints sit). A cheap filter before the exact test.
    bool mayBeTie(float v) const {
        uint32_t bits;
        __builtin_memcpy(&bits, &v, sizeof bits);
        const uint16_t r = keyRange[bits >> 16];
        return (r & 0xFFu) != (r >> 8) || (bits & 0xFFFFu) == 0;
    }
    // The same by binary search over all midpoints (the definition; builds the accelerator, tests).
    int32_t indexBySearch(float v) const;
    bool clipped(float v) const {
        return v < lowClip || v > highClip || (v == lowClip && lowClipTieOut) || (v == highClip && highClipTieOut);
    }
};

// The table of a level format; nullptr for NumberFormat::Int. Built once, shared, never freed.
// An MX format has its element format's table (whose `format` names the element format).
const LevelTable* levelTable(NumberFormat format);
// MX formats: emax_elem, the exponent of the element format's largest power of two (8 for E4M3, 15 for
// E5M2, 2 for FP6 E2M3, 4 for FP6 E3M2, 2 for E2M1; OCP MX v1.0 §6.3); −1 for every other format (scale =
// amax / largest level).
int mxElementEmax(NumberFormat format);
// Formats whose slice scales depend on the whole tensor's amax too (NVFP4's two-level scale).
inline bool hasTensorScale(NumberFormat format) { return format == NumberFormat::NvFp4; }

// CLI / settings spelling: "int", "fp8-e4m3", "fp8-e5m2", "fp4-e2m1", "nf4", "mxfp8-e4m3", "mxfp8-e5m2",
// "mxfp4", "nvfp4", "fp6-e2m3", "fp6-e3m2", "mxfp6-e2m3", "mxfp6-e3m2".
const char* formatName(NumberFormat format);
// Short display name: "FP8 E4M3FN (max 448)".
const char* formatTitle(NumberFormat format);
bool parseNumberFormat(const std::string& text, NumberFormat& out);
std::vector<NumberFormat> allNumberFormats();
// Every formatName() joined by '|' (usage texts): "int|fp8-e4m3|…|mxfp4".
std::string numberFormatChoices();

// Decoders of single bit patterns (the tables above are built from them; the number views use them).
// E4M3FN: S.EEEE.MMM, bias 7, subnormals at E = 0, S.1111.111 is NaN (no Inf).
float decodeFp8E4M3(uint8_t bits);
// E5M2: S.EEEEE.MM, bias 15, IEEE-like: E = 31 is Inf (M = 0) or NaN.
float decodeFp8E5M2(uint8_t bits);
// E2M1: S.EE.M, bias 1, E = 0 subnormal (±0, ±0.5); no Inf/NaN. Only the low 4 bits are used.
float decodeFp4E2M1(uint8_t bits);
// FP6 (OCP MX v1.0 §5.3.2; ONNX FLOAT6E2M3/FLOAT6E3M2): S.EE.MMM bias 1 (max 7.5, min subnormal 0.125)
// and S.EEE.MM bias 3 (max 28, min subnormal 0.0625); no Inf/NaN. Only the low 6 bits are used.
float decodeFp6E2M3(uint8_t bits);
float decodeFp6E3M2(uint8_t bits);

}  // namespace qv
