// Encoding floats into ggml block types as llama.cpp does WITH an importance matrix (`llama-quantize --imatrix`):
// ggml-quants.c quantize_q4_0 … quantize_iq4_xs given quant_weights call quantize_row_*_impl instead of the
// reference quantizers (ggml_encode.h), whose scale searches minimise Σ w·(x̂ − x)² with per-element weights
// w = qw[j]·sqrt(σ² + x[j]²) (qw: the importance of column j, the mean of that input's squared activation; σ²
// the mean x² of the row — Q4_0/Q4_1/Q5_0/Q5_1 — or twice that of the super-block — Q3_K/Q4_K/Q5_K, IQ4_*;
// Q2_K once), and whose super-block scales are fitted by weighted least squares too (make_qp_quants,
// make_qx_quants). Q6_K weighs by qw alone; Q8_0 ignores the importance (quantize_q8_0).
//
// No type gives the reference bytes for equal importance: even then the _impl searches differ from the _ref
// ones (Q4_0's scale is searched instead of max/−8; the K-quants take make_qkx3_quants' 37 candidates and
// least-squares super-block scales instead of make_qkx2_quants and max/63; IQ4 weighs by sqrt(σ² + x²)
// instead of x²), except Q8_0. Scaling every importance by a power of two leaves the bytes unchanged (every
// comparison is homogeneous in the weights).
#pragma once

#include <cstddef>

#include "core/tensor/dtype.h"

namespace qv {

// The types with an importance-weighted path: every type ggmlEncodable accepts (Q8_0 ignoring the weights).
bool ggmlWeightedEncodable(DType t);

// Encodes `rows` rows of `rowLength` floats (a multiple of traits(t).blockElements) from src into dst
// (rows × rowLength / blockElements blocks), row by row as ggml_quantize_chunk does, with importance[c] the
// importance of column c (rowLength values, the same for every row; llama-quantize passes one imatrix entry per
// 2-D matrix). importance null: the reference encoders (encodeGgmlBlocks), as llama.cpp without an imatrix.
// Returns false for a type it cannot write or rows that are not whole blocks. Scalar code, but for the sub-block
// fits of Q2_K, Q4_K and Q5_K, which run on the reference encoders' AVX2 / AVX-512 lanes (the same bytes).
bool encodeGgmlBlocksWeighted(DType t, const float* src, const float* importance, size_t rows, size_t rowLength,
                              std::byte* dst);

}  // namespace qv
