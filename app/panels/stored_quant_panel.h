// StoredQuantPanel: a tensor the file stores quantized (GGUF Q4_K, …) shown as what it is — stored type,
// bits per weight, that the histogram is its own reconstruction — and, with a reference file open, the
// error the file's quantization made beside quantviz's current scheme on the reference weights.
#pragma once

#include "app/app_state.h"

namespace qv {

// Draws nothing for plain float tensors; requests the comparison job when needed.
void drawStoredQuant(AppState& state);
// Lines the section needs (the browser reserves room for it below its list); 0 when nothing is shown.
float storedQuantLines(const AppState& state);

}  // namespace qv
