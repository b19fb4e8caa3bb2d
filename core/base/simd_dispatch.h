// Run-time choice among per-instruction-set kernels (never -march=native in the shipped binary).
#pragma once

#include <cstdlib>

namespace qv {

inline bool cpuHasAvx2Fma() {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

// The AVX-512 subsets our kernels are compiled for: F, DQ, BW, VL (with AVX2/FMA).
inline bool cpuHasAvx512() {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && cpuHasAvx2Fma();
#else
    return false;
#endif
}

// `byName("portable"|"avx2"|"avx512")` returns the kernel, or nullptr when this CPU lacks the set.
// The QV_SIMD environment variable forces a set (tests run every path this way); otherwise the
// widest available wins. `name`, when given, receives the chosen set's name.
template <class Fn>
Fn selectKernel(Fn (*byName)(const char*), Fn portable, const char** name) {
    if (const char* forced = std::getenv("QV_SIMD")) {
        if (Fn fn = byName(forced)) {
            if (name) *name = forced;
            return fn;
        }
    }
    for (const char* candidate : {"avx512", "avx2"}) {
        if (Fn fn = byName(candidate)) {
            if (name) *name = candidate;
            return fn;
        }
    }
    if (name) *name = "portable";
    return portable;
}

}  // namespace qv
