// Help markers and the glossary: a "(?)" beside every term a learner may not know.
#pragma once

namespace qv {

// Draws "(?)" on the same line; hovering shows `text` wrapped at a readable width.
void helpMarker(const char* text);

// Glossary entries used by several panels (one wording everywhere).
namespace glossary {
inline constexpr const char* kScale =
    "Scale s: the real-valued width of one integer step. A value x is stored as the code "
    "q = clamp(round(x / s) + z, qmin, qmax) and read back as s * (q - z).";
inline constexpr const char* kZeroPoint =
    "Zero point z: the integer code that stands for the real value 0. Symmetric schemes use z = 0; "
    "asymmetric schemes shift the grid so that [min, max] uses all 2^bits codes, keeping 0 exactly representable.";
inline constexpr const char* kSqnr =
    "SQNR: signal-to-quantization-noise ratio, 20*log10(||x|| / ||x - x_hat||) in dB. "
    "Each extra bit adds about 6 dB; higher is better.";
inline constexpr const char* kMse = "MSE: mean of (x_hat - x)^2 over all finite values. RMSE is its square root.";
inline constexpr const char* kCosine =
    "Cosine similarity between the original and the dequantized tensor: 1 means the same direction.";
inline constexpr const char* kClipped =
    "Clipped share: the fraction of values outside the clip range. They saturate to the end codes, so their "
    "error grows with their distance from the range (the ramps of the error-vs-value plot).";
inline constexpr const char* kCodesUsed =
    "Codes used: how many of the 2^bits integer codes actually occur. Unused codes are wasted resolution.";
inline constexpr const char* kClipRange =
    "Clip range [lo, hi]: the values mapped onto the integer grid. A narrower range gives finer steps "
    "(less rounding error) but clips the tails (more error on outliers); calibrators choose this trade-off.";
inline constexpr const char* kSymmetric =
    "Symmetric: the grid is centred on 0 (z = 0), codes -(2^(b-1)-1)..2^(b-1)-1 (restricted) or "
    "-2^(b-1)..2^(b-1)-1 (full range). Asymmetric: unsigned codes 0..2^b-1 with a zero point, so a "
    "one-sided range (after ReLU) uses every code.";
inline constexpr const char* kGranularity =
    "Granularity: how many scales a tensor gets. Per tensor: one. Per channel: one per index along an axis "
    "(axis 0 = output channels of a Linear/Conv weight). Per group: one per block of G consecutive values "
    "along the last axis (GPTQ/AWQ/ggml style).";
inline constexpr const char* kEstimate =
    "Values marked with a ~ sign are estimates from a strided sample of 65536 values, made while a control "
    "moves; the exact pass over every element replaces them when you release it.";
inline constexpr const char* kBuckets =
    "Quantization buckets: each integer code covers the values between two decision boundaries "
    "(thin lines); the code's reconstruction level sits in the middle. When the buckets are narrower than a few "
    "pixels they are drawn as a band: zoom in (mouse wheel) to see them one by one.";
inline constexpr const char* kNumberFormat =
    "Number format of the codes. Integer: a uniform grid of 2^bits evenly spaced levels (the scale is the step). "
    "FP8 E4M3 / E5M2 (OCP): 8-bit floats with 4 or 5 exponent bits; their levels are dense near 0 and sparse "
    "far from it, so relative error stays about constant (E4M3: 3 mantissa bits, max 448; E5M2: 2 mantissa bits, "
    "max 57344). FP4 E2M1: 15 levels, +-{0, 0.5, 1, 1.5, 2, 3, 4, 6} (MXFP4/NVFP4 elements). NF4 (QLoRA): 16 "
    "levels placed at quantiles of a normal distribution, for Gaussian-like weights. For these formats one scale "
    "per slice maps the clip range's amax onto the largest level (amax/448 for E4M3); values round to the nearest "
    "level, ties to the even bit pattern, and saturate beyond the ends. The buckets on the plot become unequal. "
    "FP6 E2M3 / E3M2 (OCP MX): 6-bit floats with max 7.5 / 28. MX formats (OCP Microscaling: MXFP8, MXFP6, MXFP4) use the same elements with a power-of-two scale per block of "
    "32, 2^(floor(log2 amax) - emax): cheaper hardware, but up to 2x coarser than amax/max, and the block's "
    "largest values can saturate. NVFP4: E2M1 elements with an FP8 E4M3 scale per block of 16 and a float32 "
    "scale for the whole tensor.";
inline constexpr const char* kNanInf =
    "NaN and Inf values are counted but excluded from every range and statistic, so they never poison a scale.";
}  // namespace glossary

}  // namespace qv
