// Export buttons: the "CSV" / "JSON" pair drawn beside a table, and the write-and-report step they share
// with File ▸ Export all tables (status line on success, the error dialog on failure).
#pragma once

#include <functional>
#include <string>

#include "app/app_state.h"
#include "app/export/table.h"
#include "app/ui_state.h"

namespace qv {

// Writes `table` into `dir` and reports it: "wrote PATH" in the status line, or the error dialog.
bool exportTableReported(AppState& state, const std::string& dir, const ExportTable& table, bool json);

// Two small buttons on the current line; `build` runs only on a click. `id` keeps several pairs apart.
// Returns true when a file was written.
bool exportButtons(const char* id, AppState& state, const UiState& ui, const std::function<ExportTable()>& build);

// The same pair at the right edge of the window: on the line of the previous item when it fits there,
// else right-aligned on the next line (long status lines never push the buttons out of sight).
bool exportButtonsRight(const char* id, AppState& state, const UiState& ui, const std::function<ExportTable()>& build);

// Width of the pair (to leave room for it beside a full-width widget).
float exportButtonsWidth();

// Puts the next item of `width` at the right edge: on the previous item's line when it fits, else on
// the next line (what exportButtonsRight does; for other export controls).
void placeAtRightEdge(float width);

}  // namespace qv
