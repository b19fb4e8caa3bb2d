// NumberBits: encoding one real value into float, integer and fixed-point formats, field by field.
// One generic encoder serves every binary floating-point format: the formats differ only in their
// field widths, bias and what the all-ones exponent means (FloatFormatInfo).
#include "core/quant/number_bits.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace qv {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// IEEE 754-2019 table 3.5 (binary32: 8/23, bias 127; binary16: 5/10, bias 15); bfloat16 is binary32's
// top 16 bits (8/7, bias 127); OCP OFP8 rev. 1.0 table 1 (E4M3FN bias 7, E5M2 bias 15); OCP MX v1.0
// §5.3.3 (E2M1 bias 1). REFERENCE.md §3.
const std::array<FloatFormatInfo, kFloatFormatCount> kFormats = {{
    {"fp32", 8, 23, 127, FloatSpecials::Ieee},
    {"fp16", 5, 10, 15, FloatSpecials::Ieee},
    {"bf16", 8, 7, 127, FloatSpecials::Ieee},
    {"FP8 E4M3FN", 4, 3, 7, FloatSpecials::NanOnly},
    {"FP8 E5M2", 5, 2, 15, FloatSpecials::Ieee},
    {"FP4 E2M1", 2, 1, 1, FloatSpecials::None},
}};

void setErrors(double x, double value, double& absError, double& relError) {
    if (std::isnan(x) || std::isnan(value)) {
        absError = relError = kNaN;
        return;
    }
    absError = value == x ? 0.0 : std::fabs(value - x);  // == first: Inf − Inf would be NaN
    if (absError == 0) relError = 0;
    else if (x == 0) relError = kInf;
    else if (std::isinf(x)) relError = 1;  // a finite stand-in for ±Inf: the limit of |v − x| / |x|
    else relError = absError / std::fabs(x);
}

// The exact decimal digits of a binary fraction k / 2^bits (at most `bits` of them), at least one.
std::string fractionDigits(double v, int bits) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.*f", std::max(bits, 1), v);
    std::string s = buf;
    while (s.size() > 2 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
    return s;
}

const char* kTimes = " \xc3\x97 ";  // " × "

}  // namespace

const FloatFormatInfo& floatFormatInfo(FloatFormat format) { return kFormats[static_cast<size_t>(format)]; }

const char* numberClassName(NumberClass c) {
    switch (c) {
        case NumberClass::Zero: return "zero";
        case NumberClass::Subnormal: return "subnormal";
        case NumberClass::Normal: return "normal";
        case NumberClass::Inf: return "inf";
        case NumberClass::NaN: return "nan";
    }
    return "?";
}

double roundHalfEven(double v) {
    if (!std::isfinite(v)) return v;
    const double f = std::floor(v);
    const double d = v - f;  // exact: the fractional part of a double is a double
    if (d > 0.5) return f + 1;
    if (d < 0.5) return f;
    return std::fmod(f, 2.0) == 0 ? f : f + 1;
}

double decodeFloatBits(uint32_t bits, FloatFormat format) {
    const FloatFormatInfo& f = floatFormatInfo(format);
    const int m = f.mantissaBits;
    const uint32_t eAllOnes = (1u << f.exponentBits) - 1;
    const uint32_t mAllOnes = (1u << m) - 1;
    const uint32_t s = (bits >> (f.exponentBits + m)) & 1u;
    const uint32_t e = (bits >> m) & eAllOnes;
    const uint32_t man = bits & mAllOnes;
    double mag;
    if (e == eAllOnes && f.specials == FloatSpecials::Ieee) mag = man == 0 ? kInf : kNaN;
    else if (e == eAllOnes && f.specials == FloatSpecials::NanOnly && man == mAllOnes) mag = kNaN;
    else if (e == 0) mag = std::ldexp(static_cast<double>(man), 1 - f.bias - m);  // 0.M × 2^(1−bias)
    else mag = std::ldexp(static_cast<double>(man + (1u << m)), static_cast<int>(e) - f.bias - m);  // 1.M × 2^(E−bias)
    return s ? -mag : mag;
}

FloatBits toFloatBits(double x, FloatFormat format) {
    const FloatFormatInfo& f = floatFormatInfo(format);
    const int m = f.mantissaBits;
    const uint32_t eAllOnes = (1u << f.exponentBits) - 1;
    const uint32_t mAllOnes = (1u << m) - 1;
    const int emin = 1 - f.bias;
    FloatBits r;
    r.format = format;
    r.width = f.width();
    r.exponentWidth = f.exponentBits;
    r.mantissaWidth = m;
    r.sign = std::signbit(x) ? 1u : 0u;
    uint32_t e = 0, man = 0;
    if (std::isnan(x)) {
        if (f.specials == FloatSpecials::None) {
            r.hasPattern = false;
            r.sign = 0;
        } else {
            e = eAllOnes;
            // IEEE: the canonical quiet NaN (top mantissa bit set); E4M3FN: its only NaN, S.1111.111.
            man = f.specials == FloatSpecials::Ieee ? 1u << (m - 1) : mAllOnes;
        }
    } else {
        const double a = std::fabs(x);
        bool overflow = std::isinf(a);
        if (!overflow && a != 0) {
            // a = n · 2^(exp − m) with n an integer of m+1 bits: exp is a's binade, or emin below it
            // (subnormals share the smallest normal binade's step).
            int k = 0;
            std::frexp(a, &k);  // a = g · 2^k, g in [0.5, 1): floor(log2 a) = k − 1
            int exp = std::max(k - 1, emin);
            double n = roundHalfEven(std::ldexp(a, m - exp));  // exact scaling by a power of two
            if (n == std::ldexp(1.0, m + 1)) {  // rounded up into the next binade
                ++exp;
                n = std::ldexp(1.0, m);
            }
            const auto nInt = static_cast<uint32_t>(n);
            int64_t biased = 0;
            if (nInt >= (1u << m)) {
                biased = static_cast<int64_t>(exp) + f.bias;
                man = nInt - (1u << m);
            } else {
                man = nInt;  // subnormal or rounded to zero (biased stays 0)
            }
            switch (f.specials) {
                case FloatSpecials::Ieee: overflow = biased >= eAllOnes; break;
                case FloatSpecials::NanOnly: overflow = biased > eAllOnes || (biased == eAllOnes && man == mAllOnes); break;
                case FloatSpecials::None: overflow = biased > eAllOnes; break;
            }
            if (!overflow) e = static_cast<uint32_t>(biased);
        }
        if (overflow) {
            if (f.specials == FloatSpecials::Ieee) {
                e = eAllOnes;
                man = 0;
                r.overflowed = !std::isinf(a);
            } else {
                e = eAllOnes;
                man = f.specials == FloatSpecials::NanOnly ? mAllOnes - 1 : mAllOnes;  // ±max
                r.saturated = true;
            }
        }
    }
    r.exponentField = e;
    r.mantissaField = man;
    r.bits = (r.sign << (f.exponentBits + m)) | (e << m) | man;
    r.value = r.hasPattern ? decodeFloatBits(r.bits, format) : kNaN;
    if (std::isnan(r.value)) r.cls = NumberClass::NaN;
    else if (std::isinf(r.value)) r.cls = NumberClass::Inf;
    else if (e == 0) r.cls = man == 0 ? NumberClass::Zero : NumberClass::Subnormal;
    else r.cls = NumberClass::Normal;
    const bool finite = r.cls != NumberClass::NaN && r.cls != NumberClass::Inf;
    r.exponent = !finite ? 0 : r.cls == NumberClass::Normal ? static_cast<int>(e) - f.bias : emin;
    r.step = finite ? std::ldexp(1.0, r.exponent - m) : 0.0;
    setErrors(x, r.value, r.absError, r.relError);

    const std::string signPart = "(-1)^" + std::to_string(r.sign);
    if (!r.hasPattern) r.formula = "NaN: the format has no pattern for it";
    else if (r.cls == NumberClass::NaN) r.formula = "NaN";
    else if (r.cls == NumberClass::Inf) r.formula = r.sign ? "-Inf" : "+Inf";
    else if (r.cls == NumberClass::Zero) r.formula = signPart + kTimes + "0";
    else {
        const double significand = (r.cls == NumberClass::Normal ? 1.0 : 0.0) + std::ldexp(static_cast<double>(man), -m);
        r.formula = signPart;
        r.formula += kTimes;
        r.formula += "2^" + std::to_string(r.exponent);
        r.formula += kTimes;
        r.formula += fractionDigits(significand, m);
    }
    return r;
}

namespace {

// round_half_even(v) saturated to [lo, hi]; NaN → 0 (flagged by the caller).
int64_t saturatingCode(double v, int64_t lo, int64_t hi, bool& saturated) {
    saturated = false;
    if (std::isnan(v)) return 0;
    const double r = roundHalfEven(v);
    if (r > static_cast<double>(hi)) {
        saturated = true;
        return hi;
    }
    if (r < static_cast<double>(lo)) {
        saturated = true;
        return lo;
    }
    return static_cast<int64_t>(r);
}

uint32_t lowBits(int64_t code, int width) {
    const uint64_t mask = width >= 32 ? 0xFFFFFFFFull : (uint64_t{1} << width) - 1;
    return static_cast<uint32_t>(static_cast<uint64_t>(code) & mask);
}

}  // namespace

IntBits toIntBits(double x, int width, bool isSigned) {
    IntBits r;
    r.width = std::clamp(width, 1, 32);
    r.isSigned = isSigned;
    const int64_t lo = isSigned ? -(int64_t{1} << (r.width - 1)) : 0;
    const int64_t hi = isSigned ? (int64_t{1} << (r.width - 1)) - 1 : (int64_t{1} << r.width) - 1;
    r.isNaN = std::isnan(x);
    r.code = saturatingCode(x, lo, hi, r.saturated);
    r.bits = lowBits(r.code, r.width);
    r.value = static_cast<double>(r.code);
    setErrors(x, r.value, r.absError, r.relError);
    return r;
}

FixedBits toFixedBits(double x, int intBits, int fracBits) {
    FixedBits r;
    r.intBits = std::clamp(intBits, 1, 32);
    r.fracBits = std::clamp(fracBits, 0, 32 - r.intBits);
    const int w = r.width();
    const int64_t lo = -(int64_t{1} << (w - 1));
    const int64_t hi = (int64_t{1} << (w - 1)) - 1;
    r.isNaN = std::isnan(x);
    r.code = saturatingCode(std::ldexp(x, r.fracBits), lo, hi, r.saturated);
    r.bits = lowBits(r.code, w);
    r.value = std::ldexp(static_cast<double>(r.code), -r.fracBits);
    setErrors(x, r.value, r.absError, r.relError);
    return r;
}

double fixedBitWeight(int bit, int width, int fracBits, bool isSigned) {
    const double w = std::ldexp(1.0, bit - fracBits);
    return isSigned && bit == width - 1 ? -w : w;
}

}  // namespace qv
