// Level tables of ggml's non-linear block types, shared by the decoders and the encoders.
#pragma once

#include <cstdint>

namespace qv {

// The 16 levels of IQ4_NL/IQ4_XS, a non-uniform grid denser near zero.
// Fact from llama.cpp ggml-common.h, table kvalues_iq4nl.
inline constexpr int8_t kValuesIq4nl[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

}  // namespace qv
