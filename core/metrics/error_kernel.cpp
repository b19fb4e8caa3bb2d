// Portable error kernel and run-time selection of the widest one the CPU runs.
#include "core/metrics/error_kernel.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "core/base/simd_dispatch.h"
#include "core/metrics/error_kernel_impl.h"

namespace qv::detail {

void errorKernelPortable(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                         const ErrorRunOutputs& outputs, ErrorRunSums& out) {
    // The body keeps its per-element arrays on the stack: runs longer than kErrorRunMax (allowed
    // without outputs) go through it in pieces.
    ErrorRunSums total;
    for (size_t i = 0; i < n; i += kErrorRunMax) {
        const size_t m = n - i < kErrorRunMax ? n - i : kErrorRunMax;
        ErrorRunOutputs o;
        if (outputs.codeIndex) o.codeIndex = outputs.codeIndex + i;
        if (outputs.err) o.err = outputs.err + i;
        if (outputs.finite) o.finite = outputs.finite + i;
        ErrorRunSums part;
        errorKernelDispatch<8>(x + i, m, p, usage, ties, o, part);
        if (i == 0) {
            total = part;
            continue;
        }
        total.count += part.count;
        total.clipped += part.clipped;
        total.sumSqErr += part.sumSqErr;
        total.sumAbsErr += part.sumAbsErr;
        total.sumSqX += part.sumSqX;
        total.sumSqXq += part.sumSqXq;
        total.sumXXq += part.sumXXq;
        total.maxAbsErr = part.maxAbsErr > total.maxAbsErr ? part.maxAbsErr : total.maxAbsErr;
    }
    out = total;
}

void recordTie(TieLog& log, int32_t codeBelowIndex) {
    ++log.total;
    if (log.perCode) ++log.perCode[codeBelowIndex];
}

void growSeen(const uint32_t* bits, int32_t nbits, int32_t seed, int32_t& lo, int32_t& hi) {
    const auto isSet = [&](int32_t c) {
        return c >= 0 && c < nbits && ((bits[static_cast<uint32_t>(c) >> 5] >> (static_cast<uint32_t>(c) & 31)) & 1u);
    };
    if (lo <= hi) {
        while (isSet(hi + 1)) ++hi;
        while (isSet(lo - 1)) --lo;
    }
    if ((seed < lo || seed > hi) && isSet(seed)) {
        int32_t a = seed, b = seed;
        while (isSet(b + 1)) ++b;
        while (isSet(a - 1)) --a;
        if (lo > hi || b - a > hi - lo) {
            lo = a;
            hi = b;
        }
    }
}

void startSeen(const CodeUsage& usage, int32_t seed, int32_t& lo, int32_t& hi) {
    lo = 1;
    hi = 0;
    if (usage.seen) {
        lo = usage.seen[0];
        hi = usage.seen[1];
    }
    growSeen(usage.bits, static_cast<int32_t>(usage.words * 32), seed, lo, hi);
}


ErrorKernelFn errorKernelByName(const char* name) {
    if (!std::strcmp(name, "portable")) return errorKernelPortable;
#if defined(__x86_64__)
    if (!std::strcmp(name, "avx2")) return cpuHasAvx2Fma() ? errorKernelAvx2 : nullptr;
    if (!std::strcmp(name, "avx512")) return cpuHasAvx512() ? errorKernelAvx512 : nullptr;
#endif
    return nullptr;
}

ErrorKernelFn selectErrorKernel(const char** name) {
    return selectKernel<ErrorKernelFn>(errorKernelByName, errorKernelPortable, name);
}

ErrorKernelFn errorKernelLevelsByName(const char* name) {
    if (!std::strcmp(name, "portable")) return errorKernelLevels;
#if defined(__x86_64__)
    if (!std::strcmp(name, "avx512")) return cpuHasAvx512() ? errorKernelLevelsAvx512 : nullptr;
#endif
    return nullptr;
}

ErrorKernelFn selectErrorKernelLevels(const char** name) {
    // No AVX2 form: QV_SIMD=avx2 (and an AVX2-only CPU) get the scalar kernel.
    if (const char* forced = std::getenv("QV_SIMD"); forced && !std::strcmp(forced, "avx2")) {
        if (name) *name = "portable";
        return errorKernelLevels;
    }
    return selectKernel<ErrorKernelFn>(errorKernelLevelsByName, errorKernelLevels, name);
}

}  // namespace qv::detail
