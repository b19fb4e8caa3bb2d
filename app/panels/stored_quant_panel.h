// StoredQuantPanel: a tensor the file stores quantized (GGUF Q4_K, …) shown as what it is — stored type,
// bits per weight, that the histogram is its own reconstruction — and, with a reference file open, the
// error the file's quantization made beside quantviz's current scheme on the reference weights.
#pragma once

#include "app/app_state.h"

namespace qv {

// Draws nothing for plain float tensors; requests the comparison job when needed.
void drawStoredQuant(AppState& state);
// The stored quantization's error table (file vs quantviz's schemes) for the selected tensor when either
// the open file's or the second file's tensor is stored block-quantized; requests the job. Shared by the
// browser section and the Compare tab's two-file view.
void drawStoredComparisonTable(AppState& state);
// Lines the section needs (the browser reserves room for it below its list); 0 when nothing is shown.
float storedQuantLines(const AppState& state);

}  // namespace qv
