// The exact error pass's inner loop: quantize, dequantize and accumulate one run of elements that
// share a slice's parameters in registers — one implementation compiled per instruction set,
// chosen at run time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qv {
struct LevelTable;
}

namespace qv::detail {

// One slice's quantizer in the form the kernel needs (see Quantizer: same arithmetic).
struct ErrorKernelParams {
    const LevelTable* table = nullptr;  // level formats (FP8, FP4, NF4): errorKernelLevels only
    float scale = 1, invScale = 1;
    float lowF = 0, highF = 0;  // bounds of round(x/s) before the code saturates: qmin−z, qmax−z
    int32_t zeroPoint = 0;
    int32_t qmin = 0;           // code index = code − qmin (code-usage bitmaps, histograms)
    bool useReciprocal = false;
};

// Code usage of one slice (or of the whole tensor), one bit per code index. The AVX-512 kernel
// keeps a bitmap of ≤ 16 words (codes of ≤ 9 bits) in a register and tests each vector of 16
// codes against it — a permute and a shift, no per-element store; a vector holding a code not
// seen before (rare after the first few blocks) sets its bits in a slow path. The other kernels
// and wider code ranges test each code's bit before setting it (loads only, once codes are known).
struct CodeUsage {
    uint32_t* bits = nullptr;  // ⌈range/32⌉ words, or nullptr: not tracked
    uint32_t words = 0;
    // Optional, kept by the caller with `bits` from run to run (start {1, 0}: empty): code
    // indices [seen[0], seen[1]] whose bits are all set. The AVX-512 kernel skips code-usage work
    // for lanes inside it (an interval test costs one clamp; the codes of a smooth distribution
    // soon fill one). Must only ever hold codes whose bits are set.
    int32_t* seen = nullptr;
};

// Values exactly on a decision boundary of the grid (x/s has fraction ½, so round-half-to-even
// decides; only boundaries between two codes of the grid count). Rare, so the kernels test a
// whole vector at once and hand each tie to recordTie (out of line, in the portable TU).
struct TieLog {
    uint64_t total = 0;
    uint64_t* perCode = nullptr;  // by code index of the lower code, or nullptr: totals only
};
void recordTie(TieLog& log, int32_t codeBelowIndex);

// The SIMD kernels' interval of code indices known used (CodeUsage::seen), out of line in the portable
// TU like recordTie: both kernels call it only when a vector set new bits.
// growSeen grows [lo, hi] (code indices whose bits are all set; empty when lo > hi) to the widest run
// of set bits that contains it or, when that is wider, the run around `seed` (a code just seen). Its
// bit-by-bit walk costs O(codes) over a whole pass.
void growSeen(const uint32_t* bits, int32_t nbits, int32_t seed, int32_t& lo, int32_t& hi);
// The interval at the start of a run: usage.seen when the caller keeps one (else empty), grown around
// `seed` (the code index of r = 0). usage.bits must be set.
void startSeen(const CodeUsage& usage, int32_t seed, int32_t& lo, int32_t& hi);

// Sums over the finite elements of a run (non-finite ones contribute nothing).
struct ErrorRunSums {
    uint64_t count = 0, clipped = 0;
    double sumSqErr = 0, sumAbsErr = 0, sumSqX = 0, sumSqXq = 0, sumXXq = 0;
    double maxAbsErr = 0;
};

// Optional per-element outputs for the histogram views (codes as indices code − qmin, the float
// error x̂ − x, 1 for finite x); all nullptr for the metrics-only pass.
struct ErrorRunOutputs {
    int32_t* codeIndex = nullptr;
    float* err = nullptr;
    uint8_t* finite = nullptr;
};

// For x[0..n): sums into `out` (overwritten), code usage into `usage`, ties into `ties`,
// per-element outputs when asked (then n ≤ kErrorRunMax, the callers' buffer size).
constexpr size_t kErrorRunMax = 1024;
using ErrorKernelFn = void (*)(const float* x, size_t n, const ErrorKernelParams& p, CodeUsage usage, TieLog& ties,
                               const ErrorRunOutputs& outputs, ErrorRunSums& out);

void errorKernelPortable(const float*, size_t, const ErrorKernelParams&, CodeUsage, TieLog&, const ErrorRunOutputs&,
                         ErrorRunSums&);
void errorKernelAvx2(const float*, size_t, const ErrorKernelParams&, CodeUsage, TieLog&, const ErrorRunOutputs&,
                     ErrorRunSums&);
void errorKernelAvx512(const float*, size_t, const ErrorKernelParams&, CodeUsage, TieLog&, const ErrorRunOutputs&,
                       ErrorRunSums&);

// Level formats: the quantizer's table search per element (p.table must be set). Same outputs and
// sums as the integer kernels; a tie is a value exactly on a table midpoint. The AVX-512 form does
// the same search with vector gathers (metrics only; runs with per-element outputs go scalar).
void errorKernelLevels(const float*, size_t, const ErrorKernelParams&, CodeUsage, TieLog&, const ErrorRunOutputs&,
                       ErrorRunSums&);
void errorKernelLevelsAvx512(const float*, size_t, const ErrorKernelParams&, CodeUsage, TieLog&,
                             const ErrorRunOutputs&, ErrorRunSums&);
// The level kernel for this CPU (QV_SIMD=portable|avx2 force the scalar one, which is also the AVX2 choice).
ErrorKernelFn selectErrorKernelLevels(const char** name = nullptr);
ErrorKernelFn errorKernelLevelsByName(const char* name);  // "portable", "avx512"; nullptr if unsupported

// Widest kernel this CPU runs; QV_SIMD=portable|avx2|avx512 forces one (tests run each).
ErrorKernelFn selectErrorKernel(const char** name = nullptr);
ErrorKernelFn errorKernelByName(const char* name);

}  // namespace qv::detail
