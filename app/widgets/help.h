// Help markers and the glossary: a "(?)" beside every term a learner may not know, and the table of
// terms the Glossary window (app/panels/glossary_window.h) lists. A "(?)" is a link: hovering shows its
// text, clicking opens the glossary on that entry.
//
// Index
//   [SECTION] help marker and glossary requests
//   [SECTION] the glossary table
//   [SECTION] definitions: quantization basics
//   [SECTION] definitions: training and calibration
//   [SECTION] definitions: error metrics and what the plots show
//   [SECTION] definitions: number formats and stored formats
//   [SECTION] definitions: integer arithmetic
//   [SECTION] definitions: tools, models and this app
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qv {

// [SECTION] help marker and glossary requests -----------------------------------------------------------

// Draws "(?)" on the same line. Hovering shows `text` wrapped at a readable width (and "click: open in
// the glossary"); clicking records a glossary request for `text` (see takeGlossaryRequest). `text` may be a
// glossary:: definition, which opens that entry, or any other help text, which the glossary shows above
// its index together with the terms it mentions.
void helpMarker(const char* text);

// Asks the Glossary window to open on `textOrTerm`: a definition (glossary::k…), a term or alias
// ("zero point"), or any help text. The latest request wins.
void requestGlossary(std::string_view textOrTerm);
// The pending request, cleared (GlossaryWindow::draw takes it every frame, open or closed).
std::optional<std::string> takeGlossaryRequest();

// Where the "(?)" markers of the latest frame that drew any were (screen pixels), for tests that click
// a real marker.
struct HelpMarkerRecord {
    const char* text = nullptr;
    std::string window;  // the ImGui window that drew it (child windows have "parent/child" names)
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    int frame = 0;       // ImGui::GetFrameCount() when drawn
};
const std::vector<HelpMarkerRecord>& helpMarkersDrawn();

// [SECTION] the glossary table ----------------------------------------------------------------------------

// One glossary entry. Lists ("see also", aliases) are "; "-separated so the table stays a constant array.
struct GlossaryEntry {
    const char* term;        // the title, unique ("zero point")
    const char* definition;  // one to four sentences; the tooltip of a "(?)" that uses it
    const char* formula;     // one line of maths, "" when none
    const char* seeAlso;     // terms of other entries, "; "-separated, "" when none
    const char* source;      // where the fact comes from: paper, spec or tool documentation, as text
    const char* aliases;     // other names ("zero-point; offset"): found by the search and in help texts
};

// Every entry, in topic order (the window sorts its index alphabetically).
std::span<const GlossaryEntry> glossaryEntries();
// Splits a "; "-separated list.
std::vector<std::string_view> glossaryList(const char* list);
// The entry whose term or one of whose aliases is `name` (case-insensitive); -1 when none.
int findGlossaryTerm(std::string_view name);
// The entry whose definition is `text` (the same pointer or the same characters); -1 when none.
int findGlossaryDefinition(std::string_view text);
// Entries whose term or an alias occurs in `text` as whole words (case-insensitive), in the order of their
// first occurrence; for help texts that are not glossary entries.
std::vector<int> glossaryMentions(std::string_view text);
// True when every whitespace-separated word of `query` occurs (case-insensitive) in the entry's term,
// aliases, definition, formula or source. An empty query matches everything.
bool glossaryMatches(const GlossaryEntry& e, std::string_view query);
int glossaryMatchCount(std::string_view query);

// Glossary entries used by several panels (one wording everywhere). Each is the definition of one
// entry of the table in help.cpp.
namespace glossary {

// [SECTION] definitions: quantization basics ----------------------------------------------------------------

inline constexpr const char* kQuantization =
    "Quantization: storing real values as a few bits each by mapping them onto a small set of representable "
    "values - integer codes times a scale, or a low-precision float format - and computing with those. The "
    "rounding and clipping it does is the error this app measures.";
inline constexpr const char* kScale =
    "Scale s: the real-valued width of one integer step. A value x is stored as the code "
    "q = clamp(round(x / s) + z, qmin, qmax) and read back as s * (q - z).";
inline constexpr const char* kZeroPoint =
    "Zero point z: the integer code that stands for the real value 0. Symmetric schemes use z = 0; "
    "asymmetric schemes shift the grid so that [min, max] uses all 2^bits codes, keeping 0 exactly representable.";
inline constexpr const char* kAmax =
    "amax: the largest magnitude a symmetric scheme represents, the clip range being [-amax, amax]. The scale "
    "follows from it (amax/127 for int8 restricted); calibrators differ in how they choose it.";
inline constexpr const char* kClipRange =
    "Clip range [lo, hi]: the values mapped onto the integer grid. A narrower range gives finer steps "
    "(less rounding error) but clips the tails (more error on outliers); calibrators choose this trade-off.";
inline constexpr const char* kRoundHalfEven =
    "Round half to even: x / s is rounded to the nearest integer, and a value exactly halfway between two "
    "(2.5) goes to the even one (2), so ties do not bias sums upward. IEEE 754's default, and what TensorRT, "
    "ONNX Runtime and PyTorch use when they quantize.";
inline constexpr const char* kSaturation =
    "Saturation (clamping): a value beyond the end of the grid takes the end code (qmin or qmax) instead of "
    "wrapping around or overflowing. Its error is its distance beyond the clip range.";
inline constexpr const char* kRestrictedRange =
    "Restricted vs full range: a signed b-bit symmetric grid may use -(2^(b-1)-1)..2^(b-1)-1 (restricted: "
    "-127..127 for int8, scale amax/127, the grid is mirror-symmetric and -q never overflows) or all codes "
    "-2^(b-1)..2^(b-1)-1 (full: -128..127, e.g. scale amax/127.5 in PyTorch's observers).";
inline constexpr const char* kSymmetric =
    "Symmetric: the grid is centred on 0 (z = 0), codes -(2^(b-1)-1)..2^(b-1)-1 (restricted) or "
    "-2^(b-1)..2^(b-1)-1 (full range). Asymmetric: unsigned codes 0..2^b-1 with a zero point, so a "
    "one-sided range (after ReLU) uses every code.";
inline constexpr const char* kGranularity =
    "Granularity: how many scales a tensor gets. Per tensor: one. Per channel: one per index along an axis "
    "(axis 0 = output channels of a Linear/Conv weight). Per group: one per block of G consecutive values "
    "along the last axis (GPTQ/AWQ/ggml style).";
inline constexpr const char* kDequantization =
    "Dequantization: reading a code back as a real value, x_hat = s * (q - z). The difference x_hat - x is "
    "the quantization error.";
inline constexpr const char* kQuantError =
    "Quantization error: x_hat - x. Inside the clip range it is rounding error, a sawtooth between -s/2 and "
    "+s/2 (about uniform, variance s^2/12); outside it is clipping error, growing with the distance beyond the "
    "range.";
inline constexpr const char* kDegenerateRange =
    "Degenerate range: a tensor whose values are all equal (often all zero) gives a zero-width range and a "
    "scale of 0, which would divide by zero. Each tool has its own guard (TensorRT outputs 0, ONNX Runtime "
    "uses s = 1, PyTorch clamps s to float epsilon).";
inline constexpr const char* kDynamicQuant =
    "Static vs dynamic quantization: static fixes every activation scale ahead of time from calibration data; "
    "dynamic computes an activation's scale from its actual values at run time (per batch or per token), "
    "costing a min/max pass but never a wrong range. Weights are quantized ahead of time in both.";
inline constexpr const char* kWxAy =
    "W8A8, W4A16, ...: shorthand for the bits of the weights (W) and of the activations (A). W8A8 runs the "
    "matrix products in int8; weight-only schemes such as W4A16 store 4-bit weights and dequantize them to "
    "16-bit floats before multiplying.";

// [SECTION] definitions: training and calibration ------------------------------------------------------------

inline constexpr const char* kFakeQuant =
    "Fake quantization: quantize then immediately dequantize in floating point, x_hat = s * (clamp(round(x/s) + z) "
    "- z), so a float model computes with exactly the values the integer model stores. QAT trains through it; "
    "ONNX QDQ graphs express a quantized model as such pairs.";
inline constexpr const char* kPtq =
    "PTQ (post-training quantization): quantizing an already trained model without retraining it. Weights "
    "are quantized directly; activation ranges come from calibration on a few hundred representative inputs.";
inline constexpr const char* kQat =
    "QAT (quantization-aware training): training or fine-tuning with fake quantization in the forward pass, so "
    "the weights learn values that survive rounding and clipping. Gradients pass the rounding through a "
    "straight-through estimator. Recovers accuracy PTQ loses, at the cost of training.";
inline constexpr const char* kSte =
    "Straight-through estimator (STE): round() has zero gradient almost everywhere, so training would stop. "
    "The STE uses the identity as round's gradient in the backward pass: the gradient flows unchanged through "
    "values inside the clip range and is zero for clipped values.";
inline constexpr const char* kLsq =
    "LSQ (learned step size quantization): QAT in which the scale itself is a trained parameter, with a "
    "gradient derived through the STE and scaled by 1/sqrt(N * qmax) to keep its updates in step with the "
    "weights'.";
inline constexpr const char* kCalibration =
    "Calibration: choosing each tensor's clip range (and so its scale and zero point) from data - the weights "
    "themselves, or activations recorded on sample inputs. A calibrator is one rule for that choice; "
    "PyTorch calls it an observer.";
inline constexpr const char* kCalibMinMax =
    "Min-max calibrator: the clip range is the observed [min, max] (or +-max|x| when symmetric). Nothing is "
    "clipped, so a single outlier stretches the step for every other value.";
inline constexpr const char* kCalibPercentile =
    "Percentile calibrator: clips at the p-th percentile of |x| (symmetric), read from a 2048-bin histogram; "
    "asymmetric schemes cut (100 - p)/2 percent from each tail. Defaults: 99.99 (pytorch-quantization), "
    "99.999 (ONNX Runtime).";
inline constexpr const char* kCalibMse =
    "MSE calibrator: tries many clip ranges and keeps the one whose fake-quantized values have the smallest "
    "mean squared error against the originals (pytorch-quantization: every bin centre of the 2048-bin |x| "
    "histogram from bin 128 on).";
inline constexpr const char* kCalibEntropy =
    "Entropy (KL) calibrator, as TensorRT does it: for each candidate amax (bin 128 to 2048 of the |x| "
    "histogram) P is the histogram cut there with the tail added to its last bin, Q the same merged into 128 "
    "levels and spread back; it keeps the amax with the smallest KL(P || Q) (the last one on ties).";
inline constexpr const char* kCalibCrossEntropy =
    "Cross-entropy calibrator: for tensors where the order and relative size of the largest values matter "
    "(softmax inputs, logits), the clip range that minimizes the cross-entropy between softmax(x) and "
    "softmax(x_hat).";
inline constexpr const char* kCalibAciq =
    "ACIQ: assumes the values follow a Laplace (or Gaussian) distribution and clips at the analytically "
    "optimal alpha for that distribution and bit width, in units of its spread (Laplace b, Gaussian sigma). "
    "Needs no search, only mean |x - mean| or the standard deviation.";
inline constexpr const char* kCalibOmse =
    "OMSE: chooses the scale that minimizes ||W - Q(W)||^2 on the actual values (optimal MSE quantization of "
    "the tensor itself, no distribution model).";
inline constexpr const char* kCalibHistogram =
    "PyTorch HistogramObserver: keeps a 2048-bin histogram and narrows the range from both ends, each step "
    "cutting a tiny quantile from the tail that gives up more bins for it, until the estimated L2 error stops "
    "falling. Each bin's error is integrated as if its values were spread evenly within it, against a grid of "
    "2^bits destination bins.";
inline constexpr const char* kOutlier =
    "Outlier: a value far larger in magnitude than the bulk. Kept, it stretches the clip range so every other "
    "value gets coarse steps; clipped, it takes a large error itself. LLM activations have whole outlier "
    "channels (LLM.int8(), SmoothQuant).";

// [SECTION] definitions: error metrics and what the plots show ------------------------------------------------

inline constexpr const char* kSqnr =
    "SQNR: signal-to-quantization-noise ratio, 20*log10(||x|| / ||x - x_hat||) in dB. "
    "Each extra bit adds about 6 dB; higher is better.";
inline constexpr const char* kMse = "MSE: mean of (x_hat - x)^2 over all finite values. RMSE is its square root.";
inline constexpr const char* kCosine =
    "Cosine similarity between the original and the dequantized tensor: 1 means the same direction.";
inline constexpr const char* kRelativeRms =
    "Relative RMS error: sqrt(sum (x_hat - x)^2 / sum x^2), the error's size relative to the signal's. "
    "It is SQNR on a linear scale: 10^(-SQNR/20).";
inline constexpr const char* kKlDivergence =
    "KL divergence KL(P || Q): how much information is lost when distribution Q is used in place of P. "
    "Zero only when they are equal, never negative, and not symmetric in P and Q.";
inline constexpr const char* kClipped =
    "Clipped share: the fraction of values outside the clip range. They saturate to the end codes, so their "
    "error grows with their distance from the range (the ramps of the error-vs-value plot).";
inline constexpr const char* kCodesUsed =
    "Codes used: how many of the 2^bits integer codes actually occur. Unused codes are wasted resolution.";
inline constexpr const char* kBuckets =
    "Quantization buckets: each integer code covers the values between two decision boundaries "
    "(thin lines); the code's reconstruction level sits in the middle. When the buckets are narrower than a few "
    "pixels they are drawn as a band: zoom in (mouse wheel) to see them one by one.";
inline constexpr const char* kEstimate =
    "Values marked with a ~ sign are estimates from a strided sample of 65536 values, made while a control "
    "moves; the exact pass over every element replaces them when you release it.";
inline constexpr const char* kNanInf =
    "NaN and Inf values are counted but excluded from every range and statistic, so they never poison a scale.";
inline constexpr const char* kKurtosis =
    "Excess kurtosis: E[(x - mean)^4] / std^4 - 3, a measure of heavy tails: 0 for a Gaussian, 3 for a "
    "Laplace distribution, large when a few values lie far out. High-kurtosis tensors are hard to quantize "
    "per tensor.";

// [SECTION] definitions: number formats and stored formats ------------------------------------------------------

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
inline constexpr const char* kFloatingPoint =
    "Floating point: a sign bit s, an exponent field E and a mantissa M; a normal value is "
    "(-1)^s * 2^(E - bias) * 1.M. Each power of two (binade) holds the same number of evenly spaced values, so the "
    "step grows with the magnitude and the relative error stays about constant.";
inline constexpr const char* kSubnormal =
    "Subnormal: a float with exponent field 0, value (-1)^s * 2^(1 - bias) * 0.M (no implied leading 1). They fill "
    "the gap between 0 and the smallest normal number with the same step, losing significant bits as they "
    "approach 0.";
inline constexpr const char* kFp16Bf16 =
    "fp16 and bf16: the 16-bit floats models are trained and served in. fp16 (IEEE binary16): 5 exponent and 10 "
    "mantissa bits, max 65504. bf16 (bfloat16): the top half of an fp32, 8 exponent and 7 mantissa bits - fp32's "
    "range with less precision.";
inline constexpr const char* kFp8E4M3 =
    "FP8 E4M3 (E4M3FN): 1 sign, 4 exponent (bias 7) and 3 mantissa bits. Max 448, smallest normal 2^-6, smallest "
    "subnormal 2^-9; no Inf, and only S.1111.111 is NaN. The FP8 for weights and activations.";
inline constexpr const char* kFp8E5M2 =
    "FP8 E5M2: 1 sign, 5 exponent (bias 15) and 2 mantissa bits, IEEE-like Inf and NaN. Max 57344, smallest "
    "normal 2^-14, smallest subnormal 2^-16: more range and less precision than E4M3, used for gradients.";
inline constexpr const char* kFp4E2M1 =
    "FP4 E2M1: 1 sign, 2 exponent (bias 1) and 1 mantissa bit; its 16 patterns are +-{0, 0.5, 1, 1.5, 2, 3, 4, 6}, "
    "no Inf or NaN. Too coarse alone: always used with a scale per small block (MXFP4, NVFP4).";
inline constexpr const char* kFp6 =
    "FP6 E2M3 and E3M2: 6-bit floats of OCP Microscaling. E2M3 (bias 1): max 7.5, smallest subnormal 0.125. "
    "E3M2 (bias 3): max 28, smallest subnormal 0.0625. No Inf or NaN; used with an E8M0 scale per 32 values "
    "(MXFP6).";
inline constexpr const char* kNf4 =
    "NF4 (NormalFloat 4): 16 levels in [-1, 1] placed at quantiles of a normal distribution (with an exact 0), "
    "scaled by each block's absmax (blocks of 64). Suits Gaussian-like weights better than an even grid; "
    "QLoRA's storage format.";
inline constexpr const char* kMx =
    "MX (OCP Microscaling) formats: blocks of 32 elements (FP8, FP6, FP4 or INT8) share one power-of-two "
    "scale X = 2^(floor(log2 amax) - emax), stored as E8M0. Cheap to apply in hardware, but up to 2x coarser "
    "than amax/max, and the block's largest values can saturate.";
inline constexpr const char* kE8M0 =
    "E8M0: the MX scale format, an 8-bit unsigned exponent with no sign or mantissa: the value 2^(e - 127), "
    "e = 255 meaning NaN. Multiplying by it only shifts exponents.";
inline constexpr const char* kNvFp4 =
    "NVFP4: E2M1 elements in blocks of 16, each block with an FP8 E4M3 scale (finer than MX's powers of two), "
    "times one float32 scale for the whole tensor that brings the block scales into E4M3's range.";
inline constexpr const char* kGguf =
    "GGUF block quantization (ggml, llama.cpp): weights stored in fixed-size blocks, each block carrying its own "
    "scale (and sometimes a minimum) next to its codes. The file stores the type per tensor; bits per weight "
    "include the scales.";
inline constexpr const char* kQ8_0 =
    "Q8_0: blocks of 32 weights, one fp16 scale d and 32 int8 codes (34 bytes, 8.5 bits per weight); "
    "y = d * q.";
inline constexpr const char* kQ4_0 =
    "Q4_0: blocks of 32 weights, one fp16 scale d and 32 4-bit codes (18 bytes, 4.5 bits per weight); "
    "y = d * (q - 8). Q4_1 adds a minimum m: y = d * q + m. Q5_0 / Q5_1 are the same with 5-bit codes (the "
    "fifth bits packed in a separate 32-bit mask): 5.5 / 6 bits per weight.";
inline constexpr const char* kKQuants =
    "K-quants (Q2_K ... Q6_K): super-blocks of 256 weights split into sub-blocks of 16 or 32, each sub-block "
    "with its own small (4- to 8-bit) scale, itself scaled by the super-block's fp16 d. Q4_K: 8 sub-blocks of "
    "32 with 6-bit scales and mins, 144 bytes = 4.5 bits per weight.";
inline constexpr const char* kIq4Nl =
    "IQ4_NL: blocks of 32 weights, one fp16 scale d and 32 4-bit indices into a fixed non-uniform table of 16 "
    "levels (-127 ... 113, denser near zero), y = d * table[q]; 4.5 bits per weight like Q4_0, usually less "
    "error on bell-shaped weights. llama-quantize searches d over 15 candidates for the best weighted fit.";
inline constexpr const char* kImatrix =
    "Importance matrix (imatrix): per weight tensor, the mean squared input activation of each column, measured "
    "by llama-imatrix over a calibration text. llama-quantize --imatrix weights each value's error by its "
    "column's importance when it fits the block scales, so the columns that meet large activations come back "
    "more exactly: for a layer y = W a, the output error is sum_j E[a_j^2] e_j^2 (uncorrelated inputs), which "
    "is what it minimises. Q8_0 ignores it; the IQ1-IQ3 types require it.";
inline constexpr const char* kLlamaPreset =
    "llama-quantize preset (file type): Q4_K_M, Q3_K_S, ... name a mix, not one type. The base type goes to most "
    "tensors, but llama.cpp's rules give some more bits: output.weight, and the attention V and FFN down "
    "projections of the first and last eighth of the layers and of every third layer between them (Q4_K_M: "
    "Q6_K there), because the error of those tensors costs the most.";
inline constexpr const char* kBitsPerWeight =
    "Bits per weight: the bytes a format stores per block, times 8, divided by the weights in the block - codes "
    "plus the block's scales and minimums (Q4_0: 18 bytes per 32 weights = 4.5).";
inline constexpr const char* kTwosComplement =
    "Two's complement: the usual signed-integer encoding; the top bit of an N-bit code weighs -2^(N-1), the "
    "others +2^i, so the range is -2^(N-1)..2^(N-1)-1 and -1 is all ones.";
inline constexpr const char* kFixedPoint =
    "Fixed point Qm.n: an integer code of m + n bits read as code / 2^n. The step 2^-n is the same everywhere, "
    "so the absolute error is constant and small values lose relative precision; an int8 code with scale 2^-n "
    "is Q(8-n).n.";

// [SECTION] definitions: integer arithmetic ----------------------------------------------------------------------

inline constexpr const char* kGemm =
    "GEMM: general matrix multiply, Y = A * B. A Linear layer is one: A holds the activations (M rows of K "
    "inputs), B the weights (K x N). Quantized inference runs it on integer codes.";
inline constexpr const char* kInt32Accumulation =
    "int32 accumulation: products of 8-bit codes are summed in 32-bit integers, exactly. An int8 x int8 product "
    "is at most 2^14 in magnitude, so even 131071 worst-case products cannot overflow; the scales are applied "
    "once, to the sum.";
inline constexpr const char* kZeroPointCorrection =
    "Zero-point correction: with zero points za, zb the product of real values needs sum (a - za)(b - zb). "
    "Expanded, it is the raw sum of a*b minus zb times A's row sum, minus za times B's column sum, plus K*za*zb: "
    "the inner loop multiplies the stored codes only and the sums are computed once.";
inline constexpr const char* kRequantization =
    "Requantization: turning the int32 accumulator into the next layer's 8-bit code, y = zy + round(M * acc) "
    "saturated, with M = s_a * s_b / s_y. Integer-only kernels write M = M0 * 2^-shift, M0 a fraction in "
    "[0.5, 1) stored as an int32 in [2^30, 2^31).";
inline constexpr const char* kDoubleRounding =
    "Double vs single rounding: gemmlowp and TFLite's reference kernels apply M0 * 2^-shift as a rounding "
    "doubling high multiply, then a rounding right shift - two roundings, which can differ by 1 from rounding "
    "the exact product once (TFLite's single-rounding mode: one 64-bit multiply and one rounding shift).";
inline constexpr const char* kVnni =
    "VNNI (AVX-512 / AVX-VNNI): vpdpbusd multiplies four u8 x s8 pairs and adds them to an int32 lane in one "
    "instruction, with no intermediate saturation. Without it, AVX2's vpmaddubsw sums pairs into a saturating "
    "int16 - why PyTorch has reduce_range.";
inline constexpr const char* kReduceRange =
    "reduce_range (PyTorch): quantize activations to 7 bits (0..127) so that AVX2's vpmaddubsw, which adds two "
    "u8 x s8 products into a saturating int16, cannot saturate: 2 * 127 * 128 = 32512 fits, 2 * 255 * 128 "
    "does not.";
inline constexpr const char* kSmoothQuant =
    "SmoothQuant: moves quantization difficulty from the activations (outlier channels) to the weights. Each "
    "input channel j of X is divided by s_j and the weights that channel meets are multiplied by it, which "
    "leaves the product unchanged but flattens X's channels before both are quantized to int8.";
inline constexpr const char* kMigrationStrength =
    "Migration strength alpha (SmoothQuant): s_j = max|X_j|^alpha / max|W_j|^(1 - alpha). alpha = 0 leaves the "
    "activations alone, alpha = 1 moves all of their range into the weights; 0.5 balances the two and suits "
    "most models.";

inline constexpr const char* kMac =
    "Multiply-accumulate (MAC): acc += a * b, the step every dot product, GEMM and convolution repeats. A layer's "
    "cost is counted in MACs; an 8-bit integer MAC costs a fraction of the energy and chip area of a float32 one.";

// [SECTION] definitions: tools, models and this app ------------------------------------------------------------

inline constexpr const char* kSoftmax =
    "Softmax: turns a vector of scores (logits) into probabilities, exp(v_i) / sum_j exp(v_j). Only differences "
    "between scores matter, and the largest ones dominate: quantizing logits must keep their order and gaps.";
inline constexpr const char* kRelu =
    "ReLU: max(0, x), the most common activation function. Its outputs are never negative, so a symmetric grid "
    "wastes its negative half on them; an asymmetric (unsigned) grid uses every code.";
inline constexpr const char* kAdam =
    "Adam: the usual optimizer for training networks - gradient descent in which every parameter gets its own "
    "step size, from running averages of its gradient and of the gradient's square.";
inline constexpr const char* kLearningRate =
    "Learning rate: how far each training step moves the parameters along the (scaled) negative gradient. Too "
    "large diverges, too small learns slowly; fine-tuning (QAT) uses a smaller one than training from scratch.";
inline constexpr const char* kEpoch =
    "Epoch: one pass over all the training data, in mini-batches (a few examples per gradient step).";

inline constexpr const char* kActivation =
    "Activations: the tensors flowing between layers, computed from each input, so their ranges must be "
    "estimated from sample data (or measured at run time). Weights: the trained parameters, fixed and known "
    "ahead of time, so they can be calibrated exactly.";
inline constexpr const char* kPreset =
    "Preset: a tool's conventions end to end (scale divisor, zero point, degenerate ranges, its calibrators and "
    "their defaults), so the same tensor can be quantized as TensorRT, ONNX Runtime or PyTorch would.";
inline constexpr const char* kConvention =
    "Arithmetic convention: how a tool turns a range into a scale (amax/127 or amax/127.5), handles a "
    "degenerate range, and divides by the scale or multiplies by its float reciprocal - small choices that "
    "change some codes by one.";
inline constexpr const char* kGptq =
    "GPTQ: post-training weight quantization that rounds one column at a time and updates the not yet "
    "quantized weights to compensate, using second-order (Hessian) information from calibration inputs. "
    "Usually 3-4 bits with per-group scales.";
inline constexpr const char* kAwq =
    "AWQ (activation-aware weight quantization): scales up the weight channels that meet large activations "
    "before quantizing (and scales the activations down to match), protecting the weights that matter most; "
    "4-bit weight-only with per-group scales.";
}  // namespace glossary

}  // namespace qv
