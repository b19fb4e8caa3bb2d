// Level tables of the non-uniform number formats, built from the formats' bit-level definitions.
#include "core/quant/number_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace qv {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// One minifloat with `e` exponent bits, `m` mantissa bits and exponent bias `bias`: subnormal at
// E = 0, normal (1 + M/2^m)·2^(E − bias) otherwise (special patterns are handled by the callers).
float decodeMinifloat(uint32_t bits, int e, int m, int bias) {
    const bool negative = (bits >> (e + m)) & 1u;
    const uint32_t exp = (bits >> m) & ((1u << e) - 1u);
    const uint32_t man = bits & ((1u << m) - 1u);
    const float frac = static_cast<float>(man) / static_cast<float>(1u << m);
    const float mag = exp == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0f + frac, static_cast<int>(exp) - bias);
    return negative ? -mag : mag;
}

struct Level {
    float value;
    uint32_t code;  // the bit pattern (FP formats) or the 4-bit code (NF4): ties go to the even one
};

// Sorted, deduplicated (−0 dropped in favour of +0) levels → the table with its decision points.
LevelTable makeTable(NumberFormat format, int bits, std::vector<Level> levels) {
    std::sort(levels.begin(), levels.end(), [](const Level& a, const Level& b) {
        if (a.value != b.value) return a.value < b.value;
        return !std::signbit(a.value) && std::signbit(b.value);  // +0 before −0: kept by unique
    });
    levels.erase(std::unique(levels.begin(), levels.end(), [](const Level& a, const Level& b) { return a.value == b.value; }),
                 levels.end());
    LevelTable t;
    t.format = format;
    t.bits = bits;
    for (size_t i = 0; i < levels.size(); ++i) {
        t.levels.push_back(levels[i].value);
        t.patterns.push_back(static_cast<uint8_t>(levels[i].code));
        if (levels[i].value == 0.0f) t.zeroIndex = static_cast<int32_t>(i);
    }
    for (size_t i = 0; i + 1 < levels.size(); ++i) {
        const double mid = 0.5 * (static_cast<double>(levels[i].value) + static_cast<double>(levels[i + 1].value));
        t.midpoints.push_back(static_cast<float>(mid));
        t.tieUp.push_back((levels[i + 1].code & 1u) == 0 ? 1 : 0);
    }
    const size_t n = levels.size();
    const float lo = levels.front().value, hi = levels.back().value;
    t.maxAbs = std::max(-lo, hi);
    // The grid continued one gap past each end (the gap of the last two levels: for the FP formats
    // the next value of the top binade, e.g. E4M3's 480 after 448); half that gap beyond the end
    // level is where rounding would leave the table. On that point the end level keeps the value
    // when its code is even (it wins the tie), so the value is clipped when the end code is odd.
    t.highClip = static_cast<float>(hi + 0.5 * (static_cast<double>(hi) - levels[n - 2].value));
    t.lowClip = static_cast<float>(lo - 0.5 * (static_cast<double>(levels[1].value) - lo));
    t.highClipTieOut = (levels.back().code & 1u) != 0;
    t.lowClipTieOut = (levels.front().code & 1u) != 0;
    // The accelerator (≤ 256 levels, so one byte per index): the extremes of each key are its patterns
    // with the low 16 bits all 0 and all 1; a NaN extreme (the keys of Inf/NaN) counts as the Inf.
    // One entry of padding at the end: the AVX-512 error kernel gathers 32 bits at key·2, so key 0xFFFF
    // reads two bytes past the last entry.
    t.keyRange.resize((size_t{1} << 16) + 1);
    for (uint32_t key = 0; key < (1u << 16); ++key) {
        float a, b;
        const uint32_t pa = key << 16, pb = (key << 16) | 0xFFFFu;
        std::memcpy(&a, &pa, sizeof a);
        std::memcpy(&b, &pb, sizeof b);
        if (b != b) b = a;
        if (a != a) a = b = (key & 0x8000u) ? -kInf : kInf;
        const int32_t ia = t.indexBySearch(a), ib = t.indexBySearch(b);
        t.keyRange[key] = static_cast<uint16_t>(std::min(ia, ib) | (std::max(ia, ib) << 8));
    }
    return t;
}

// mantissaBits m and bias B of the format (OCP OFP8 rev. 1.0 Table 1; OCP MX v1.0 §5.3.2–5.3.3):
// E4M3 (3, 7), E5M2 (2, 15), E2M1 (1, 1), E2M3 (3, 1), E3M2 (2, 3); the smallest normal is 2^(1 − B).
LevelTable buildFp(NumberFormat format, int bits, float (*decode)(uint8_t), int mantissaBits, int bias) {
    std::vector<Level> levels;
    for (uint32_t p = 0; p < (1u << bits); ++p) {
        const float v = decode(static_cast<uint8_t>(p));
        if (std::isfinite(v)) levels.push_back({v, p});
    }
    LevelTable t = makeTable(format, bits, std::move(levels));
    // The arithmetic description must give back every level: magnitude pattern p = index − zeroIndex is
    // (exponent field << m) | mantissa, value 2^(e − m)·(2^m + mantissa) for e = field − B ≥ 1 − B, and
    // 2^(1 − B − m)·mantissa for field 0. If anything disagrees, the kernel keeps the table search.
    const int emin = 1 - bias;
    bool ok = true;
    for (int32_t i = 0; i < t.size(); ++i) {
        const int32_t p = i >= t.zeroIndex ? i - t.zeroIndex : t.zeroIndex - i;
        const int32_t field = p >> mantissaBits, mant = p & ((1 << mantissaBits) - 1);
        const double mag = field == 0 ? std::ldexp(mant, emin - mantissaBits)
                                      : std::ldexp((1 << mantissaBits) + mant, field - bias - mantissaBits);
        ok = ok && static_cast<double>(t.levels[static_cast<size_t>(i)]) == (i < t.zeroIndex ? -mag : mag);
    }
    if (ok) {
        t.fpMantissaBits = mantissaBits;
        t.fpMinExponent = emin;
    }
    return t;
}

// QLoRA NormalFloat4 (Dettmers et al. 2023, arXiv 2305.14314, appendix E; bitsandbytes' NF4 table
// as listed in REFERENCE.md §3): code k is the k-th value in increasing order.
constexpr float kNf4[16] = {-1.0f,
                            -0.6961928009986877f,
                            -0.5250730514526367f,
                            -0.39491748809814453f,
                            -0.28444138169288635f,
                            -0.18477343022823334f,
                            -0.09105003625154495f,
                            0.0f,
                            0.07958029955625534f,
                            0.16093020141124725f,
                            0.24611230194568634f,
                            0.33791524171829224f,
                            0.44070982933044434f,
                            0.5626170039176941f,
                            0.7229568362236023f,
                            1.0f};

LevelTable buildNf4() {
    std::vector<Level> levels;
    for (uint32_t k = 0; k < 16; ++k) levels.push_back({kNf4[k], k});
    return makeTable(NumberFormat::Nf4, 4, std::move(levels));
}

}  // namespace

// OCP 8-bit Floating Point Specification (OFP8) rev. 1.0 (arXiv 2209.05433), table 1.
float decodeFp8E4M3(uint8_t bits) {
    if ((bits & 0x7Fu) == 0x7Fu) return kNaN;  // S.1111.111: the only NaN, no Inf
    return decodeMinifloat(bits, 4, 3, 7);
}

float decodeFp8E5M2(uint8_t bits) {
    if ((bits & 0x7Cu) == 0x7Cu) {  // E = 31: IEEE 754 special values
        if ((bits & 0x03u) != 0) return kNaN;
        return (bits & 0x80u) ? -kInf : kInf;
    }
    return decodeMinifloat(bits, 5, 2, 15);
}

// OCP Microscaling Formats (MX) v1.0, §5.3.3: FP4 E2M1, bias 1, no Inf/NaN.
float decodeFp4E2M1(uint8_t bits) { return decodeMinifloat(bits & 0x0Fu, 2, 1, 1); }

// OCP MX v1.0 §5.3.2 (also ONNX's FLOAT6E2M3/FLOAT6E3M2 tables): every pattern is a number.
float decodeFp6E2M3(uint8_t bits) { return decodeMinifloat(bits & 0x3Fu, 2, 3, 1); }
float decodeFp6E3M2(uint8_t bits) { return decodeMinifloat(bits & 0x3Fu, 3, 2, 3); }

int32_t LevelTable::indexBySearch(float v) const {
    if (v != v) return zeroIndex;
    const auto it = std::lower_bound(midpoints.begin(), midpoints.end(), v);
    const auto k = static_cast<int32_t>(it - midpoints.begin());
    if (it != midpoints.end() && *it == v) return tieUp[static_cast<size_t>(k)] ? k + 1 : k;
    return k;
}

const LevelTable* levelTable(NumberFormat format) {
    static const LevelTable e4m3 = buildFp(NumberFormat::Fp8E4M3, 8, decodeFp8E4M3, 3, 7);
    static const LevelTable e5m2 = buildFp(NumberFormat::Fp8E5M2, 8, decodeFp8E5M2, 2, 15);
    static const LevelTable e2m1 = buildFp(NumberFormat::Fp4E2M1, 4, decodeFp4E2M1, 1, 1);
    static const LevelTable e2m3 = buildFp(NumberFormat::Fp6E2M3, 6, decodeFp6E2M3, 3, 1);
    static const LevelTable e3m2 = buildFp(NumberFormat::Fp6E3M2, 6, decodeFp6E3M2, 2, 3);
    static const LevelTable nf4 = buildNf4();
    switch (format) {
        case NumberFormat::Int: return nullptr;
        case NumberFormat::Fp8E4M3: return &e4m3;
        case NumberFormat::Fp8E5M2: return &e5m2;
        case NumberFormat::Fp4E2M1: return &e2m1;
        case NumberFormat::Fp6E2M3: return &e2m3;
        case NumberFormat::Fp6E3M2: return &e3m2;
        case NumberFormat::MxFp6E2M3: return &e2m3;
        case NumberFormat::MxFp6E3M2: return &e3m2;
        case NumberFormat::Nf4: return &nf4;
        case NumberFormat::MxFp8E4M3: return &e4m3;
        case NumberFormat::MxFp8E5M2: return &e5m2;
        case NumberFormat::MxFp4: return &e2m1;
        case NumberFormat::NvFp4: return &e2m1;
    }
    return nullptr;
}

int mxElementEmax(NumberFormat format) {
    switch (format) {
        case NumberFormat::MxFp8E4M3: return 8;   // 448 = 1.75·2^8
        case NumberFormat::MxFp8E5M2: return 15;  // 57344 = 1.75·2^15
        case NumberFormat::MxFp4: return 2;       // 6 = 1.5·2^2
        case NumberFormat::MxFp6E2M3: return 2;   // 7.5 = 1.875·2^2
        case NumberFormat::MxFp6E3M2: return 4;   // 28 = 1.75·2^4
        default: return -1;
    }
}

const char* formatName(NumberFormat format) {
    switch (format) {
        case NumberFormat::Int: return "int";
        case NumberFormat::Fp8E4M3: return "fp8-e4m3";
        case NumberFormat::Fp8E5M2: return "fp8-e5m2";
        case NumberFormat::Fp4E2M1: return "fp4-e2m1";
        case NumberFormat::Fp6E2M3: return "fp6-e2m3";
        case NumberFormat::Fp6E3M2: return "fp6-e3m2";
        case NumberFormat::MxFp6E2M3: return "mxfp6-e2m3";
        case NumberFormat::MxFp6E3M2: return "mxfp6-e3m2";
        case NumberFormat::Nf4: return "nf4";
        case NumberFormat::MxFp8E4M3: return "mxfp8-e4m3";
        case NumberFormat::MxFp8E5M2: return "mxfp8-e5m2";
        case NumberFormat::MxFp4: return "mxfp4";
        case NumberFormat::NvFp4: return "nvfp4";
    }
    return "int";
}

const char* formatTitle(NumberFormat format) {
    switch (format) {
        case NumberFormat::Int: return "integer";
        case NumberFormat::Fp8E4M3: return "FP8 E4M3FN (max 448)";
        case NumberFormat::Fp8E5M2: return "FP8 E5M2 (max 57344)";
        case NumberFormat::Fp4E2M1: return "FP4 E2M1 (max 6)";
        case NumberFormat::Fp6E2M3: return "FP6 E2M3 (max 7.5)";
        case NumberFormat::Fp6E3M2: return "FP6 E3M2 (max 28)";
        case NumberFormat::MxFp6E2M3: return "MXFP6 E2M3 (2^k scale)";
        case NumberFormat::MxFp6E3M2: return "MXFP6 E3M2 (2^k scale)";
        case NumberFormat::Nf4: return "NF4 (QLoRA)";
        case NumberFormat::MxFp8E4M3: return "MXFP8 E4M3 (2^k scale)";
        case NumberFormat::MxFp8E5M2: return "MXFP8 E5M2 (2^k scale)";
        case NumberFormat::MxFp4: return "MXFP4 (E2M1, 2^k scale)";
        case NumberFormat::NvFp4: return "NVFP4 (E2M1, E4M3 scale)";
    }
    return "";
}

bool parseNumberFormat(const std::string& text, NumberFormat& out) {
    for (NumberFormat f : allNumberFormats())
        if (text == formatName(f)) {
            out = f;
            return true;
        }
    return false;
}

std::vector<NumberFormat> allNumberFormats() {
    // Display order: integers, the plain element formats by width, then the block-scaled ones.
    return {NumberFormat::Int,       NumberFormat::Fp8E4M3,   NumberFormat::Fp8E5M2,   NumberFormat::Fp6E2M3,
            NumberFormat::Fp6E3M2,   NumberFormat::Fp4E2M1,   NumberFormat::Nf4,       NumberFormat::MxFp8E4M3,
            NumberFormat::MxFp8E5M2, NumberFormat::MxFp6E2M3, NumberFormat::MxFp6E3M2, NumberFormat::MxFp4,
            NumberFormat::NvFp4};
}

std::string numberFormatChoices() {
    std::string out;
    for (NumberFormat f : allNumberFormats()) {
        if (!out.empty()) out += '|';
        out += formatName(f);
    }
    return out;
}

}  // namespace qv
