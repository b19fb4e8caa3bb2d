// Our plot widget: Begin/Setup/Plot/End (the ImPlot shape), x zoom with the wheel, pan by dragging,
// log-y, axis ticks and labels, per-pixel envelopes, vertical lines, shaded ranges, a legend and
// draggable vertical handles. State (the view) is kept per plot id; the caller's arrays are borrowed
// for one frame only.
#pragma once

#include <imgui.h>

#include <string>

#include "app/views/envelope.h"

namespace qv::plot {

enum Flags : int {
    kNone = 0,
    kLogY = 1 << 0,
    kNoLegend = 1 << 1,
    kYFromZero = 1 << 2,  // y axis starts at 0 (histograms, counts)
    kLegendBottomRight = 1 << 3,  // the legend above the x label in the bottom right (curves that end high)
};

// Maps data to pixels for the current plot (valid between BeginPlot and EndPlot).
struct Transform {
    ImVec2 p0, p1;  // plot area (inside the axes)
    double xLo = 0, xHi = 1, yLo = 0, yHi = 1;
    bool logY = false;
    float x(double v) const;
    float y(double v) const;
    double xAt(float px) const;
    int pixels() const { return int(p1.x - p0.x); }
};

// Starts a plot filling `size` (negative = remaining space). Returns false when clipped away;
// EndPlot must then not be called.
bool BeginPlot(const char* id, ImVec2 size, int flags = kNone);
// The x range shown the first time and after ResetView/double-click; the y range is set every frame
// (the caller knows the visible maximum).
void SetupX(double lo, double hi, const char* label = nullptr);
void SetupY(double lo, double hi, const char* label = nullptr);
// Current x view (after this frame's zoom/pan) and pixel width: callers re-bin to it.
double ViewXLo();
double ViewXHi();
int PixelWidth();
const Transform& CurrentTransform();
void ResetView(const char* id);  // next BeginPlot with this id shows the SetupX range again

// Items. A label starting with "##" stays out of the legend; items sharing a label share one
// legend entry (a calibrator's two lines), and a hidden entry hides them all.
bool IsItemHidden(const char* label);
void LegendEntry(const char* label, ImU32 color);  // an entry without an item
void PlotColumns(const char* label, double xLo, double xHi, const double* values, int n, ImU32 color);
void PlotEnvelope(const char* label, const Envelope& e, ImU32 color, float thickness = 1.0f);
void PlotBarsAt(const char* label, const double* xs, const double* ys, int n, double width, ImU32 color);
// Bars each spanning its own [x0[i], x1[i]] (buckets of unequal width).
void PlotBarsSpan(const char* label, const double* x0, const double* x1, const double* ys, int n, ImU32 color);
void PlotVLine(const char* label, double x, ImU32 color, float thickness = 1.5f);
void PlotHLine(const char* label, double y, ImU32 color, float thickness = 1.0f);
void PlotShadeX(const char* label, double x0, double x1, ImU32 color);
void PlotText(double x, double y, const char* text, ImU32 color);
// A vertical line the user can drag; returns true on frames where *x changed.
bool DragVLine(const char* id, double* x, ImU32 color, float thickness = 2.0f);
bool AnyHandleActive();
// Mouse position in data units when the plot is hovered.
bool IsPlotHovered();
double MouseX();
double MouseY();

void EndPlot();

// "Nice" tick step (1, 2 or 5 × 10^k) for about `targetTicks` ticks over `range` (exposed for tests).
double niceStep(double range, int targetTicks);

}  // namespace qv::plot
