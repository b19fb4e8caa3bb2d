// SmoothQuant's smoothing factors: per input channel j, s_j = max|X_j|^α / max|W_:,j|^(1−α), and their
// application X' = X·diag(s)⁻¹, W' = W·diag(s) (the columns of a Linear weight [C_out, C_in] scaled).
//
// Source: G. Xiao, J. Lin, M. Seznec, H. Wu, J. Demouth, S. Han, "SmoothQuant: Accurate and Efficient
// Post-Training Quantization for Large Language Models", ICML 2023, arXiv 2211.10438, §4 (the
// migration-strength formula). For Y = X·Wᵀ, Y = (X·diag(s)⁻¹)·(W·diag(s))ᵀ in exact arithmetic, so s
// moves range from the activations (hard to quantize: a few channels carry huge outliers) into the
// weights (easy: small, even). α (migration strength) = 0 leaves the weights' columns at max 1 and puts
// everything into the activations; α = 1 does the opposite; α = 0.5 gives both the same per-channel max.
// Note: α = 0 is not "no smoothing" (s_j = 1/max|W_:,j| there); no smoothing is s = 1.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace qv {

inline constexpr double kSmoothDefaultAlpha = 0.5;  // the paper's default migration strength

// max |m_ij| over rows i for each column j of a row-major [rows, cols] matrix: the per-input-channel
// absmax of activations X [tokens, C_in] and of a Linear weight W [C_out, C_in] alike. Non-finite values
// are skipped (as everywhere in quantviz); a column with no finite value gets 0.
std::vector<float> columnAbsMax(std::span<const float> m, int64_t rows, int64_t cols);

// s_j = a_j^α / w_j^(1−α), computed in double, stored as float; a = per-channel activation absmax,
// w = per-input-channel weight absmax (equal lengths), α in [0, 1].
// Our rule for a degenerate channel: when a_j or w_j is 0 (or not finite), s_j = 1. Such a channel adds
// nothing to Y (its activations or its weights are all zero), so any s leaves Y unchanged; s = 1 leaves
// the nonzero side exactly as it was instead of dividing by zero or inflating it by 1/w^(1−α).
// (The authors' code instead clamps the maxima and s to at least 1e-5; smoothquant/smooth.py.)
std::vector<float> smoothingFactors(std::span<const float> actAbsMax, std::span<const float> weightAbsMax,
                                    double alpha);

// X' = X·diag(s)⁻¹: each column j of the row-major [rows, cols] activations divided by s_j (float32 division).
std::vector<float> smoothActivations(std::span<const float> x, int64_t rows, int64_t cols, std::span<const float> s);
// The same on a per-channel absmax vector: a'_j = a_j / s_j (what max|X'_j| is, since s_j > 0).
std::vector<float> smoothAbsMax(std::span<const float> actAbsMax, std::span<const float> s);
// W' = W·diag(s): each column j of the row-major Linear weight [C_out, C_in] multiplied by s_j.
// (Both return their input unchanged when the sizes do not match the shape.)
std::vector<float> smoothWeights(std::span<const float> w, int64_t cOut, int64_t cIn, std::span<const float> s);

}  // namespace qv
