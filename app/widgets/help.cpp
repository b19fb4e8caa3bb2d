// Help markers ("(?)" links with a wrapped tooltip), the glossary table and its lookups.
//
// Index
//   [SECTION] the glossary table
//   [SECTION] lookups and search
//   [SECTION] help marker and requests
#include "app/widgets/help.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace qv {

namespace g = glossary;

// [SECTION] the glossary table ------------------------------------------------------------------------------
// Columns: term, definition, formula, see also, source, aliases. Sources are cited as text; arXiv numbers
// identify papers. Facts shared with the core cite the same sources as its code (REFERENCE.md).

namespace {

constexpr GlossaryEntry kEntries[] = {
    // Quantization basics.
    {"quantization", g::kQuantization, "q = clamp(round(x / s) + z, qmin, qmax);  x_hat = s * (q - z)",
     "scale; zero point; clip range; dequantization; quantization error",
     "Jacob et al. 2018, Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only "
     "Inference (arXiv 1712.05877); gemmlowp doc/quantization.md",
     "quantize; quantized; quantizing; affine quantization; uniform quantization"},
    {"scale", g::kScale,
     "s = (hi - lo) / (qmax - qmin)  (asymmetric);  s = amax / (2^(b-1) - 1)  (symmetric, restricted)",
     "zero point; clip range; amax; symmetric / asymmetric; restricted vs full range",
     "Jacob et al. 2018 (arXiv 1712.05877); gemmlowp doc/quantization.md",
     "scales; step size; quantization step; scale factor"},
    {"zero point", g::kZeroPoint, "z = clamp(qmin - round(lo / s), qmin, qmax)",
     "scale; symmetric / asymmetric; zero-point correction",
     "Jacob et al. 2018 (arXiv 1712.05877): real 0 must be exactly representable (zero padding)",
     "zero-point; zero points; offset"},
    {"amax", g::kAmax, "clip range = [-amax, amax];  s = amax / qmax", "clip range; scale; calibration",
     "NVIDIA pytorch-quantization documentation (TensorQuantizer, calibrators' compute_amax)",
     "absmax; max|x|; abs max"},
    {"clip range", g::kClipRange, "x_clipped = min(max(x, lo), hi)",
     "calibration; clipped share; saturation / clamping; outlier; amax",
     "Nagel et al. 2021, A White Paper on Neural Network Quantization (arXiv 2106.08295) section 3.1",
     "clipping range; clipping; quantization range; clip"},
    {"round half to even", g::kRoundHalfEven, "round(0.5) = 0, round(1.5) = 2, round(2.5) = 2, round(-2.5) = -2",
     "quantization; quantization error; FP8 E4M3",
     "IEEE 754-2019 section 4.3.1 (roundTiesToEven); ONNX QuantizeLinear spec; torch.round documentation",
     "ties to even; round to nearest even; banker's rounding; RNE; round-half-to-even; rounding"},
    {"saturation / clamping", g::kSaturation, "q = min(max(q, qmin), qmax)",
     "clip range; clipped share; restricted vs full range",
     "ONNX QuantizeLinear spec (saturate to the output type's range); OCP OFP8 v1.0 (saturating conversion)",
     "saturation; saturate; saturates; saturated; saturating; clamp; clamps; clamped; clamping; overflow"},
    {"restricted vs full range", g::kRestrictedRange,
     "int8 restricted: -127..127, s = amax / 127;  full: -128..127, s = amax / 127.5",
     "symmetric / asymmetric; scale; arithmetic convention",
     "pytorch-quantization, TensorRT's toolkit (narrow range, amax / 127); ONNX Runtime quant_utils.py "
     "(symmetric int8 in -127..127); PyTorch observer.py (symmetric scale = amax / ((qmax - qmin) / 2))",
     "restricted range; full range; narrow range; restricted; full-range"},
    {"symmetric / asymmetric", g::kSymmetric,
     "symmetric: z = 0;  asymmetric: s = (hi - lo) / (2^b - 1), z = -round(lo / s)",
     "zero point; restricted vs full range; scale",
     "Krishnamoorthi 2018, Quantizing deep convolutional networks for efficient inference (arXiv 1806.08342); "
     "Nagel et al. 2021 (arXiv 2106.08295)",
     "symmetric; asymmetric; affine; symmetric quantization; asymmetric quantization"},
    {"granularity", g::kGranularity, "", "outlier; GGUF block quantization; MX (microscaling)",
     "Krishnamoorthi 2018 (arXiv 1806.08342) (per-channel); Nagel et al. 2021 (arXiv 2106.08295); "
     "llama.cpp ggml-quants.c (blocks)",
     "per-tensor; per tensor; per-channel; per channel; per-group; per group; per-block; group size; block size; "
     "per out-channel; per-output-channel; per output channel"},
    {"dequantization", g::kDequantization, "x_hat = s * (q - z)",
     "quantization; fake quantization; quantization error",
     "ONNX DequantizeLinear spec; Jacob et al. 2018 (arXiv 1712.05877) equation 1",
     "dequantize; dequantized; dequantizes; reconstruction; x_hat"},
    {"quantization error", g::kQuantError, "e = x_hat - x;  rounding only: E[e^2] ~ s^2 / 12",
     "MSE; SQNR; clip range; round half to even",
     "Bennett 1948, Spectra of quantized signals (uniform noise, s^2/12); Widrow & Kollar 2008, Quantization "
     "Noise",
     "error; rounding error; clipping error; quantization noise; sawtooth"},
    {"degenerate range", g::kDegenerateRange, "", "arithmetic convention; scale",
     "TensorRT / pytorch-quantization (amax <= 2^-24 gives 0); ONNX Runtime quant_utils (scale < tiny -> 1); "
     "PyTorch observers (scale = max(scale, eps))",
     "degenerate ranges; constant tensor"},
    {"static vs dynamic quantization", g::kDynamicQuant, "", "calibration; activations and weights; PTQ",
     "PyTorch quantization documentation (torch.ao.quantization.quantize_dynamic); ONNX Runtime "
     "quantize_dynamic",
     "dynamic quantization; static quantization; dynamic; per-token"},
    {"W8A8 notation", g::kWxAy, "", "activations and weights; SmoothQuant; GPTQ",
     "Xiao et al. 2022, SmoothQuant (arXiv 2211.10438) (W8A8); Lin et al. 2023, AWQ (arXiv 2306.00978) "
     "(W4A16)",
     "W8A8; W4A16; W4A8; weight-only; weight-only quantization"},

    // Training and calibration.
    {"fake quantization", g::kFakeQuant, "x_hat = s * (clamp(round(x / s) + z, qmin, qmax) - z)",
     "QAT; straight-through estimator; dequantization",
     "Jacob et al. 2018 (arXiv 1712.05877) section 3; torch.fake_quantize_per_tensor_affine; ONNX Runtime "
     "documentation (QDQ format)",
     "fake quant; fake-quantize; fake-quantized; fake-quantizes; quantize-dequantize; QDQ; Q/DQ; simulated "
     "quantization"},
    {"PTQ", g::kPtq, "", "calibration; QAT; GPTQ; SmoothQuant",
     "Nagel et al. 2021 (arXiv 2106.08295) section 3; Krishnamoorthi 2018 (arXiv 1806.08342)",
     "post-training quantization; post-training"},
    {"QAT", g::kQat, "forward: y = f(fake_quant(W), fake_quant(x));  backward: straight-through",
     "fake quantization; straight-through estimator; LSQ; PTQ",
     "Jacob et al. 2018 (arXiv 1712.05877) section 3; Nagel et al. 2021 (arXiv 2106.08295) section 4",
     "quantization-aware training; quantization aware training"},
    {"straight-through estimator", g::kSte, "d x_hat / d x = 1 if lo <= x <= hi, else 0",
     "QAT; fake quantization; LSQ",
     "Bengio, Leonard & Courville 2013, Estimating or Propagating Gradients Through Stochastic Neurons "
     "(arXiv 1308.3432); Nagel et al. 2021 (arXiv 2106.08295) section 4.1",
     "STE; straight through estimator"},
    {"LSQ", g::kLsq, "d x_hat / d s = -x/s + round(x/s) inside the range, qmin or qmax when clipped",
     "QAT; straight-through estimator; scale",
     "Esser et al. 2019, Learned Step Size Quantization (arXiv 1902.08153)",
     "learned step size; learned step size quantization; learned scale"},
    {"calibration", g::kCalibration, "", "clip range; min-max calibrator; percentile calibrator; MSE calibrator; "
     "entropy (KL) calibrator; ACIQ",
     "NVIDIA TensorRT developer guide, INT8 calibration; Nagel et al. 2021 (arXiv 2106.08295) section 3.1",
     "calibrate; calibrated; calibrator; calibrators; observer; observers; range setting"},
    {"min-max calibrator", g::kCalibMinMax, "[lo, hi] = [min x, max x]  or  amax = max |x|",
     "calibration; outlier; percentile calibrator",
     "pytorch-quantization MaxCalibrator; ONNX Runtime MinMaxCalibrater; PyTorch MinMaxObserver",
     "min-max; minmax; min/max; max calibration"},
    {"percentile calibrator", g::kCalibPercentile, "amax = lower edge of the first bin where cdf(|x|) >= p / 100",
     "calibration; min-max calibrator; clip range",
     "pytorch-quantization HistogramCalibrator (method=\"percentile\"); ONNX Runtime calibrate.py "
     "(PercentileCalibrater)",
     "percentile; pct"},
    {"MSE calibrator", g::kCalibMse, "amax = argmin_c sum_i count_i * (Q_c(x_i) - x_i)^2",
     "MSE; calibration; OMSE; PyTorch HistogramObserver",
     "pytorch-quantization calib/histogram.py (_compute_amax_mse)", "mse calibration"},
    {"entropy (KL) calibrator", g::kCalibEntropy, "amax = edge i minimizing KL(P_i || Q_i), i = 128 .. 2048",
     "KL divergence; calibration; percentile calibrator",
     "Migacz 2017, 8-bit Inference with TensorRT (GTC talk); pytorch-quantization calib/histogram.py "
     "(_compute_amax_entropy); ONNX Runtime calibrate.py (a symmetric variant)",
     "entropy; entropy calibration; KL calibration; KL calibrator; TensorRT calibration"},
    {"cross-entropy calibrator", g::kCalibCrossEntropy, "CE = -sum_i softmax(x)_i * log softmax(x_hat)_i",
     "calibration; KL divergence",
     "Nagel et al. 2021 (arXiv 2106.08295) section 3.1 (cross-entropy range setting for logits)",
     "cross-entropy; cross entropy"},
    {"ACIQ", g::kCalibAciq,
     "Laplace: E[e^2] ~ 2 b^2 exp(-alpha/b) + alpha^2 / (3 * 4^M);  alpha* = 2.83b, 3.89b, 5.03b, 6.2b, 7.41b, "
     "8.64b, 9.89b for M = 2..8",
     "calibration; MSE calibrator; kurtosis",
     "Banner et al. 2018, Post-training 4-bit quantization of convolutional networks for rapid-deployment "
     "(arXiv 1810.05723)",
     "analytical clipping; aciq calibrator"},
    {"OMSE", g::kCalibOmse, "s* = argmin_s ||W - Q_s(W)||_2^2", "MSE calibrator; calibration",
     "Choukroun et al. 2019, Low-bit Quantization of Neural Networks for Efficient Inference (arXiv 1902.06822)",
     "optimal MSE; omse calibrator"},
    {"PyTorch HistogramObserver", g::kCalibHistogram, "", "MSE calibrator; calibration",
     "PyTorch torch/ao/quantization/observer.py (HistogramObserver, _non_linear_param_search, "
     "_compute_quantization_error)",
     "HistogramObserver; histogram observer; histogram calibrator"},
    {"outlier", g::kOutlier, "", "clip range; SmoothQuant; kurtosis; granularity",
     "Dettmers et al. 2022, LLM.int8() (arXiv 2208.07339); Xiao et al. 2022, SmoothQuant (arXiv 2211.10438)",
     "outliers; outlier channels; outlier channel; outlier features; LLM.int8()"},

    // Error metrics and what the plots show.
    {"SQNR", g::kSqnr, "SQNR = 20 log10(||x|| / ||x - x_hat||) dB;  about 6.02 dB per bit",
     "MSE; relative RMS error; quantization error",
     "ONNX Runtime quantization/qdq_loss_debug.py; PyTorch Numeric Suite (compute_sqnr); 6 dB per bit: "
     "Bennett 1948",
     "signal-to-quantization-noise ratio; signal to quantization noise ratio; SNR; dB"},
    {"MSE", g::kMse, "MSE = (1/N) sum (x_hat_i - x_i)^2", "SQNR; MSE calibrator; quantization error", "definition",
     "mean squared error; RMSE; root mean squared error"},
    {"cosine similarity", g::kCosine, "cos = sum x_i x_hat_i / (||x|| ||x_hat||)", "SQNR; MSE",
     "definition",
     "cosine"},
    {"relative RMS error", g::kRelativeRms, "rel. RMS = ||x_hat - x|| / ||x|| = 10^(-SQNR / 20)", "SQNR; MSE",
     "definition", "relative RMS; relative error; rel. RMS; sum of squared errors"},
    {"KL divergence", g::kKlDivergence, "KL(P || Q) = sum_i p_i log(p_i / q_i)",
     "entropy (KL) calibrator; cross-entropy calibrator",
     "Kullback & Leibler 1951, On Information and Sufficiency", "Kullback-Leibler; KL; relative entropy"},
    {"clipped share", g::kClipped, "share = #{x < lo or x > hi} / N", "clip range; saturation / clamping; outlier",
     "definition", "clipped; clipped fraction; clipped values; clipped tails"},
    {"codes used", g::kCodesUsed, "", "buckets / decision boundaries; clip range", "definition",
     "code usage; codes; integer codes; unused codes"},
    {"buckets / decision boundaries", g::kBuckets, "boundaries at s * (q - z +- 1/2)  (integer grid)",
     "codes used; round half to even; number format",
     "Gersho & Gray 1992, Vector Quantization and Signal Compression (scalar quantizer cells and levels)",
     "bucket; buckets; decision boundary; decision boundaries; reconstruction level"},
    {"estimate (~)", g::kEstimate, "", "SQNR; MSE", "quantviz: docs/calibrators.md (estimate and exact pass)",
     "estimate; estimates; exact pass; sample"},
    {"NaN / Inf", g::kNanInf, "", "floating point; FP8 E4M3", "IEEE 754-2019 section 6",
     "NaN; Inf; infinity; not a number"},
    {"kurtosis", g::kKurtosis, "excess kurtosis = E[(x - mu)^4] / sigma^4 - 3", "outlier; ACIQ",
     "definition (Pearson); heavy-tailed weights and activations: Bondarenko et al. 2021 (arXiv 2109.12948)",
     "excess kurtosis; heavy tails"},

    // Number formats and stored formats.
    {"number format", g::kNumberFormat, "", "floating point; FP8 E4M3; FP4 E2M1; NF4; MX (microscaling); NVFP4",
     "OCP 8-bit Floating Point Specification (OFP8) v1.0; OCP Microscaling Formats (MX) v1.0; Dettmers et al. "
     "2023, QLoRA (arXiv 2305.14314)",
     "format; formats; number formats"},
    {"floating point", g::kFloatingPoint, "x = (-1)^s * 2^(E - bias) * 1.M  (normal)",
     "subnormal; fp16 and bf16; FP8 E4M3; fixed point",
     "IEEE 754-2019", "float; floats; exponent; mantissa; significand; exponent bias; binade; fp32"},
    {"subnormal", g::kSubnormal, "x = (-1)^s * 2^(1 - bias) * 0.M", "floating point; FP8 E4M3",
     "IEEE 754-2019", "subnormals; denormal; denormals; gradual underflow"},
    {"fp16 and bf16", g::kFp16Bf16, "fp16: 1/5/10 bits, bias 15;  bf16: 1/8/7 bits, bias 127",
     "floating point; FP8 E5M2", "IEEE 754-2019 (binary16); Kalamkar et al. 2019, A Study of BFLOAT16 for "
     "Deep Learning Training (arXiv 1905.12322)",
     "fp16; bf16; bfloat16; half precision; float16"},
    {"FP8 E4M3", g::kFp8E4M3, "max = 1.75 * 2^8 = 448;  min subnormal = 2^-9", "FP8 E5M2; floating point; NVFP4",
     "OCP OFP8 v1.0; Micikevicius et al. 2022, FP8 Formats for Deep Learning (arXiv 2209.05433)",
     "E4M3; E4M3FN; FP8; fp8-e4m3"},
    {"FP8 E5M2", g::kFp8E5M2, "max = 1.75 * 2^15 = 57344;  min subnormal = 2^-16", "FP8 E4M3; fp16 and bf16",
     "OCP OFP8 v1.0; Micikevicius et al. 2022 (arXiv 2209.05433)", "E5M2; fp8-e5m2"},
    {"FP4 E2M1", g::kFp4E2M1, "values: +-{0, 0.5, 1, 1.5, 2, 3, 4, 6}", "MX (microscaling); NVFP4; NF4",
     "OCP Microscaling Formats (MX) v1.0", "E2M1; FP4; fp4-e2m1"},
    {"FP6 E2M3 / E3M2", g::kFp6, "E2M3 max = 1.875 * 2^2 = 7.5;  E3M2 max = 1.75 * 2^4 = 28",
     "MX (microscaling); FP4 E2M1", "OCP Microscaling Formats (MX) v1.0",
     "FP6; E2M3; E3M2; fp6-e2m3; fp6-e3m2"},
    {"NF4", g::kNf4, "x_hat = absmax_block * NF4[q],  NF4 = {-1, -0.696, ..., 0, 0.0796, ..., 1}",
     "number format; FP4 E2M1; granularity",
     "Dettmers et al. 2023, QLoRA: Efficient Finetuning of Quantized LLMs (arXiv 2305.14314); bitsandbytes",
     "NormalFloat; NormalFloat4; QLoRA"},
    {"MX (microscaling)", g::kMx, "X = 2^(floor(log2 amax) - emax_elem);  x_hat = X * element",
     "E8M0; FP4 E2M1; FP8 E4M3; NVFP4",
     "OCP Microscaling Formats (MX) v1.0 (2023); Rouhani et al. 2023, Microscaling Data Formats for Deep "
     "Learning (arXiv 2310.10537)",
     "MX; microscaling; MXFP8; MXFP6; MXFP4; MXINT8; MX formats"},
    {"E8M0", g::kE8M0, "X = 2^(e - 127);  e = 0xFF is NaN", "MX (microscaling)", "OCP Microscaling Formats (MX) v1.0", "E8M0 scale; shared scale"},
    {"NVFP4", g::kNvFp4, "x_hat = s_tensor * s_block * e;  s_tensor = amax / (448 * 6)",
     "FP4 E2M1; FP8 E4M3; MX (microscaling)",
     "NVIDIA, Introducing NVFP4 for Efficient and Accurate Low-Precision Inference (technical blog, 2025); "
     "NVIDIA Transformer Engine documentation",
     ""},
    {"GGUF block quantization", g::kGguf, "", "Q8_0; Q4_0; K-quants; bits per weight; granularity",
     "llama.cpp: ggml/src/ggml-common.h (block layouts), ggml-quants.c (dequantization), docs/gguf.md",
     "GGUF; ggml; llama.cpp; ggml block type; block quantization"},
    {"Q8_0", g::kQ8_0, "y = d * q", "Q4_0; GGUF block quantization", "llama.cpp ggml-common.h (block_q8_0)",
     ""},
    {"Q4_0", g::kQ4_0, "y = d * (q - 8)", "Q8_0; K-quants; GGUF block quantization",
     "llama.cpp ggml-common.h (block_q4_0, block_q4_1, block_q5_0, block_q5_1)", "Q4_1; Q5_0; Q5_1"},
    {"K-quants", g::kKQuants, "Q4_K: y = d * sc_j * q - dmin * m_j", "GGUF block quantization; Q4_0; bits per weight",
     "llama.cpp ggml-common.h (block_q2_K ... block_q6_K), ggml-quants.c; llama.cpp PR #1684 (k-quants)",
     "K-quant; Q2_K; Q3_K; Q4_K; Q5_K; Q6_K; super-block; super-blocks"},
    // IQ4_XS shares this entry (its own needs a glossary::kIq4Xs in help.h): the same grid and search.
    {"IQ4_NL", g::kIq4Nl, "y = d * kvalues_iq4nl[q];  IQ4_XS: y = d * (ls - 32) * kvalues_iq4nl[q], 4.25 bits/weight",
     "Q4_0; K-quants; GGUF block quantization; NF4",
     "llama.cpp ggml-common.h (block_iq4_nl, block_iq4_xs, kvalues_iq4nl), ggml-quants.c (quantize_iq4_nl, "
     "quantize_iq4_xs)",
     "non-linear quants; IQ4_XS"},
    {"importance matrix", g::kImatrix, "minimise sum_j imp_j * w_j * (x_j - x_hat_j)^2,  w_j = sqrt(sigma^2 + x_j^2)",
     "GGUF block quantization; K-quants; IQ4_NL; llama-quantize preset",
     "llama.cpp tools/imatrix/imatrix.cpp (llama-imatrix), ggml-quants.c quantize_row_*_impl (quant_weights); "
     "llama.cpp PR #4861 (importance matrix)",
     "imatrix; llama-imatrix; quant_weights; importance"},
    {"llama-quantize preset", g::kLlamaPreset, "Q4_K_M: q6_K for output, attn_v and ffn_down where use_more_bits(i, n)",
     "K-quants; GGUF block quantization; importance matrix",
     "llama.cpp src/llama-quant.cpp (llama_tensor_get_type), tools/quantize/quantize.cpp (the preset list)",
     "Q4_K_M; Q4_K_S; Q3_K_M; Q5_K_M; file type; ftype; quantization mix"},
    {"bits per weight", g::kBitsPerWeight, "bpw = 8 * block bytes / block weights", "GGUF block quantization; K-quants",
     "llama.cpp ggml-common.h (static_asserts on block sizes)", "bpw; bits/weight"},
    {"two's complement", g::kTwosComplement, "value = -b_(N-1) 2^(N-1) + sum_(i<N-1) b_i 2^i", "fixed point",
     "standard integer encoding (C++20 requires it for signed integers)", "twos complement; signed integer; int8; int4"},
    {"fixed point", g::kFixedPoint, "x = code / 2^n,  step 2^-n", "two's complement; floating point; scale",
     "Texas Instruments Q-format notation (fixed-point DSPs)", "Qm.n; Q format; fixed-point"},

    // Integer arithmetic.
    {"GEMM", g::kGemm, "Y[m][n] = sum_k A[m][k] * B[k][n]", "int32 accumulation; zero-point correction; "
     "requantization", "BLAS level-3 GEMM; gemmlowp documentation", "matrix multiply; matmul; GEMV"},
    {"int32 accumulation", g::kInt32Accumulation, "acc = sum_k a_k * b_k;  |a_k * b_k| <= 2^14 (int8)",
     "GEMM; requantization; VNNI",
     "Jacob et al. 2018 (arXiv 1712.05877) section 2.4; gemmlowp doc/low-precision.md",
     "int32 accumulator; int32 accumulators; accumulator; accumulation"},
    {"zero-point correction", g::kZeroPointCorrection,
     "acc = sum a*b - zb * rowsum(A) - za * colsum(B) + K * za * zb",
     "zero point; int32 accumulation; GEMM",
     "gemmlowp doc/low-precision.md; Jacob et al. 2018 (arXiv 1712.05877) section 2.3",
     "row sums; column sums; row and column sums; offset correction"},
    {"requantization", g::kRequantization, "y = zy + round(M * acc),  M = s_a s_b / s_y = M0 * 2^-shift",
     "double vs single rounding; int32 accumulation",
     "Jacob et al. 2018 (arXiv 1712.05877) section 2.2; gemmlowp output stages; TensorFlow Lite "
     "QuantizeMultiplier; FBGEMM (float requantization)",
     "requantize; requantized; output stage; multiplier; M0"},
    {"double vs single rounding", g::kDoubleRounding,
     "double: RDivPOT(SRDHM(acc, M0), shift);  single: (acc * M0 + 2^(30+shift)) >> (31 + shift)",
     "requantization; round half to even",
     "gemmlowp fixedpoint/fixedpoint.h (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT); TensorFlow "
     "Lite kernels/internal/common.h (MultiplyByQuantizedMultiplier, TFLITE_SINGLE_ROUNDING)",
     "double rounding; single rounding; fixed-point multiplier"},
    {"VNNI", g::kVnni, "vpdpbusd: acc_i += sum_(j<4) u8[4i+j] * s8[4i+j]", "int32 accumulation; reduce_range",
     "Intel 64 and IA-32 Architectures Software Developer's Manual (VPDPBUSD, PMADDUBSW); Intel Intrinsics "
     "Guide (_mm512_dpbusd_epi32)",
     "AVX-512 VNNI; AVX-VNNI; vpdpbusd; vpmaddubsw; AVX2; AVX-512"},
    {"reduce_range", g::kReduceRange, "2 * 127 * 128 = 32512 <= 32767 < 2 * 255 * 128 = 65280",
     "VNNI; restricted vs full range", "PyTorch torch.ao.quantization observer documentation (reduce_range)",
     "reduce range"},
    {"SmoothQuant", g::kSmoothQuant, "Y = (X diag(s)^-1) (diag(s) W)", "migration strength; outlier; W8A8 notation",
     "Xiao et al. 2022, SmoothQuant: Accurate and Efficient Post-Training Quantization for Large Language Models "
     "(arXiv 2211.10438)",
     "smoothing; smooth quant; smoothing factor"},
    {"migration strength", g::kMigrationStrength, "s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)",
     "SmoothQuant; outlier", "Xiao et al. 2022 (arXiv 2211.10438) section 4 (alpha = 0.5 for most models)",
     "alpha; migration strength alpha"},
    {"multiply-accumulate", g::kMac, "acc <- acc + a * b", "int32 accumulation; GEMM; VNNI",
     "Horowitz 2014, Computing's energy problem (ISSCC): energy per operation, integer vs float",
     "MAC; MACs; multiply-add"},

    // Tools, models and this app.
    {"softmax", g::kSoftmax, "softmax(v)_i = exp(v_i) / sum_j exp(v_j)", "cross-entropy calibrator; KL divergence",
     "Bridle 1990, Probabilistic interpretation of feedforward classification network outputs",
     "logits; logit; softmax inputs"},
    {"ReLU", g::kRelu, "relu(x) = max(0, x)", "symmetric / asymmetric; activations and weights",
     "Nair & Hinton 2010, Rectified Linear Units Improve Restricted Boltzmann Machines (ICML)", "rectified linear unit"},
    {"Adam", g::kAdam, "m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  w <- w - lr * m_hat / (sqrt(v_hat) + eps)",
     "learning rate; epoch; QAT", "Kingma & Ba 2015, Adam: A Method for Stochastic Optimization (arXiv 1412.6980)",
     "optimizer; Adam optimizer"},
    {"learning rate", g::kLearningRate, "w <- w - lr * dL/dw  (plain gradient descent)", "Adam; epoch; QAT",
     "Goodfellow, Bengio & Courville 2016, Deep Learning, chapter 8", "lr; learning rates"},
    {"epoch", g::kEpoch, "", "learning rate; Adam", "Goodfellow, Bengio & Courville 2016, Deep Learning, chapter 8",
     "epochs; mini-batch; mini-batches; minibatch"},
    {"activations and weights", g::kActivation, "", "calibration; static vs dynamic quantization; W8A8 notation",
     "Nagel et al. 2021 (arXiv 2106.08295) section 2",
     "activation; activations; weight; weights"},
    {"preset", g::kPreset, "", "arithmetic convention; calibration; restricted vs full range",
     "quantviz: docs/presets.md", "presets"},
    {"arithmetic convention", g::kConvention, "s = amax / 127  vs  amax / 127.5;  x / s  vs  x * (1/s)",
     "preset; degenerate range; restricted vs full range",
     "TensorRT developer guide; ONNX Runtime quant_utils.py; PyTorch observer.py; quantviz docs/presets.md",
     "convention; conventions"},
    {"GPTQ", g::kGptq, "", "PTQ; granularity; AWQ",
     "Frantar et al. 2022, GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers "
     "(arXiv 2210.17323)",
     ""},
    {"AWQ", g::kAwq, "", "SmoothQuant; GPTQ; W8A8 notation",
     "Lin et al. 2023, AWQ: Activation-aware Weight Quantization for LLM Compression and Acceleration "
     "(arXiv 2306.00978)",
     "activation-aware weight quantization"},
};

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

// '-' joins words: "pytorch-quantization" does not mention "quantization".
bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

// The first position from `from` where `word` occurs in `hay` with no word character on either side; npos
// when none. Both are lower case.
size_t findWord(const std::string& hay, const std::string& word, size_t from) {
    if (word.empty()) return std::string::npos;
    for (size_t p = hay.find(word, from); p != std::string::npos; p = hay.find(word, p + 1)) {
        const bool startOk = p == 0 || !isWordChar(hay[p - 1]) || !isWordChar(word.front());
        const size_t end = p + word.size();
        const bool endOk = end >= hay.size() || !isWordChar(hay[end]) || !isWordChar(word.back());
        if (startOk && endOk) return p;
    }
    return std::string::npos;
}

}  // namespace

// [SECTION] lookups and search ---------------------------------------------------------------------------------

std::span<const GlossaryEntry> glossaryEntries() { return kEntries; }

std::vector<std::string_view> glossaryList(const char* list) {
    std::vector<std::string_view> out;
    std::string_view s = list ? list : "";
    while (!s.empty()) {
        const size_t p = s.find(';');
        std::string_view item = s.substr(0, p);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.push_back(item);
        if (p == std::string_view::npos) break;
        s.remove_prefix(p + 1);
    }
    return out;
}

int findGlossaryTerm(std::string_view name) {
    const std::string key = lower(name);
    for (size_t i = 0; i < std::size(kEntries); ++i) {
        if (lower(kEntries[i].term) == key) return int(i);
    }
    for (size_t i = 0; i < std::size(kEntries); ++i)
        for (std::string_view a : glossaryList(kEntries[i].aliases))
            if (lower(a) == key) return int(i);
    return -1;
}

int findGlossaryDefinition(std::string_view text) {
    for (size_t i = 0; i < std::size(kEntries); ++i)
        if (text.data() == kEntries[i].definition) return int(i);
    // The same characters: an `inline constexpr` pointer may point to a different copy of the literal in
    // another translation unit, and requests carry a copy of the text.
    for (size_t i = 0; i < std::size(kEntries); ++i)
        if (text == kEntries[i].definition) return int(i);
    return -1;
}

std::vector<int> glossaryMentions(std::string_view text) {
    // Every whole-word occurrence of every term and alias; longer names first, and an occurrence inside one
    // already taken does not count ("percentile calibrator" is not also "calibrator").
    struct Hit {
        size_t pos, len;
        int entry;
    };
    const std::string hay = lower(text);
    std::vector<Hit> hits;
    for (size_t i = 0; i < std::size(kEntries); ++i) {
        std::vector<std::string_view> names = glossaryList(kEntries[i].aliases);
        names.push_back(kEntries[i].term);
        for (std::string_view n : names) {
            const std::string w = lower(n);
            for (size_t p = findWord(hay, w, 0); p != std::string::npos; p = findWord(hay, w, p + 1))
                hits.push_back({p, w.size(), int(i)});
        }
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.len > b.len; });
    std::vector<bool> taken(hay.size(), false);
    std::vector<size_t> first(std::size(kEntries), std::string::npos);
    for (const Hit& h : hits) {
        if (std::any_of(taken.begin() + long(h.pos), taken.begin() + long(h.pos + h.len), [](bool t) { return t; }))
            continue;
        std::fill(taken.begin() + long(h.pos), taken.begin() + long(h.pos + h.len), true);
        first[size_t(h.entry)] = std::min(first[size_t(h.entry)], h.pos);
    }
    std::vector<int> out;
    for (size_t i = 0; i < first.size(); ++i)
        if (first[i] != std::string::npos) out.push_back(int(i));
    std::stable_sort(out.begin(), out.end(), [&](int a, int b) { return first[size_t(a)] < first[size_t(b)]; });
    return out;
}

bool glossaryMatches(const GlossaryEntry& e, std::string_view query) {
    std::string hay = lower(e.term);
    for (const char* part : {e.aliases, e.definition, e.formula, e.source}) {
        hay += '\n';
        hay += lower(part);
    }
    const std::string q = lower(query);
    size_t i = 0;
    while (i < q.size()) {
        while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i]))) ++i;
        size_t j = i;
        while (j < q.size() && !std::isspace(static_cast<unsigned char>(q[j]))) ++j;
        if (j > i && hay.find(q.substr(i, j - i)) == std::string::npos) return false;
        i = j;
    }
    return true;
}

int glossaryMatchCount(std::string_view query) {
    return int(std::count_if(std::begin(kEntries), std::end(kEntries),
                             [&](const GlossaryEntry& e) { return glossaryMatches(e, query); }));
}

// [SECTION] help marker and requests ---------------------------------------------------------------------------

namespace {
std::optional<std::string> g_request;      // the pending "(?)" click (UI thread only)
std::vector<HelpMarkerRecord> g_drawn;     // the markers of the latest frame that drew any
}  // namespace

void requestGlossary(std::string_view textOrTerm) { g_request = std::string(textOrTerm); }

std::optional<std::string> takeGlossaryRequest() {
    std::optional<std::string> r;
    r.swap(g_request);
    return r;
}

const std::vector<HelpMarkerRecord>& helpMarkersDrawn() { return g_drawn; }

void helpMarker(const char* text) {
    ImGui::SameLine();
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    if (window->SkipItems) return;  // a collapsed or hidden window: nothing drawn, nothing to click
    // A "(?)" beside a disabled control (the greyed scheme of a float format) still explains it and still
    // opens the glossary: enable this one item.
    ImGui::PushItemFlag(ImGuiItemFlags_Disabled, false);
    ImGui::TextDisabled("(?)");
    const ImRect r(ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    // The ID is the text's address: a window drawing the same text twice gets the same ID twice, which is
    // harmless for a button that acts on the press (only the hovered one is pressed).
    const ImGuiID id = window->GetID(static_cast<const void*>(text));
    ImGui::KeepAliveID(id);
    bool hovered = false, held = false;
    const bool pressed = ImGui::ButtonBehavior(r, id, &hovered, &held, ImGuiButtonFlags_PressedOnClick);
    ImGui::PopItemFlag();

    const int frame = ImGui::GetFrameCount();
    if (!g_drawn.empty() && g_drawn.front().frame != frame) g_drawn.clear();
    g_drawn.push_back({text, window->Name, r.Min.x, r.Min.y, r.Max.x, r.Max.y, frame});

    if (hovered) {
        // A link: underlined, with the hand cursor.
        window->DrawList->AddLine(ImVec2(r.Min.x, r.Max.y - 1), ImVec2(r.Max.x, r.Max.y - 1),
                                  ImGui::GetColorU32(ImGuiCol_TextDisabled));
        ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
        ImGui::TextUnformatted(text);
        ImGui::PopTextWrapPos();
        ImGui::Separator();
        ImGui::TextDisabled("click: open in the glossary");
        ImGui::EndTooltip();
    }
    if (pressed) requestGlossary(text);
}

}  // namespace qv
