// The plot widget: per-id view state, input (wheel zoom, drag pan, handles), axes, legend.
//
// Index
// [SECTION] state
// [SECTION] transform and ticks
// [SECTION] begin / setup
// [SECTION] items
// [SECTION] end: axes, legend, pan
#include "app/widgets/plot.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <vector>

namespace qv::plot {

// [SECTION] state

namespace {

constexpr float kLeftMargin = 58.0f;
constexpr float kBottomMargin = 22.0f;
constexpr float kHandleGrab = 5.0f;

struct LegendEntry {
    std::string label;
    ImU32 color;
};

struct PlotState {
    bool fitted = false;
    double xLo = 0, xHi = 1;
    double fitLo = 0, fitHi = 1;
    std::unordered_map<std::string, bool> hidden;
    ImGuiID activeHandle = 0;
    bool panning = false;
};

struct Current {
    ImGuiID id = 0;
    PlotState* state = nullptr;
    int flags = 0;
    Transform t;
    ImRect frame;
    ImDrawList* draw = nullptr;
    std::vector<LegendEntry> legend;
    const char* xLabel = nullptr;
    const char* yLabel = nullptr;
    bool hovered = false;
    bool clickedInPlot = false;
    bool handleClaimed = false;
    bool ySet = false;
};

std::unordered_map<ImGuiID, PlotState>& states() {
    static std::unordered_map<ImGuiID, PlotState> s;
    return s;
}
Current g;

void addLegend(const char* label, ImU32 color) {
    if (!label || (label[0] == '#' && label[1] == '#')) return;
    for (auto& e : g.legend)
        if (e.label == label) return;
    g.legend.push_back({label, color});
}

}  // namespace

// [SECTION] transform and ticks

float Transform::x(double v) const { return float(p0.x + (v - xLo) / (xHi - xLo) * (p1.x - p0.x)); }
float Transform::y(double v) const {
    double yv = logY ? std::log10(std::max(v, 0.5)) : v;
    double lo = logY ? std::log10(std::max(yLo, 0.5)) : yLo;
    double hi = logY ? std::log10(std::max(yHi, 1.0)) : yHi;
    if (!(hi > lo)) hi = lo + 1;
    double f = (yv - lo) / (hi - lo);
    f = std::clamp(f, -0.05, 1.05);
    return float(p1.y - f * (p1.y - p0.y));
}
double Transform::xAt(float px) const { return xLo + double(px - p0.x) / double(p1.x - p0.x) * (xHi - xLo); }

double niceStep(double range, int targetTicks) {
    if (!(range > 0) || targetTicks < 1) return 1;
    double raw = range / targetTicks;
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double f = raw / mag;
    double nice = f < 1.5 ? 1 : (f < 3.5 ? 2 : (f < 7.5 ? 5 : 10));
    return nice * mag;
}

// [SECTION] begin / setup

bool BeginPlot(const char* id, ImVec2 size, int flags) {
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    if (window->SkipItems) return false;
    ImVec2 avail = ImGui::GetContentRegionAvail();
    if (size.x <= 0) size.x = std::max(avail.x + size.x, 100.0f);
    if (size.y <= 0) size.y = std::max(avail.y + size.y, 80.0f);
    g = Current{};
    g.id = window->GetID(id);
    g.state = &states()[g.id];
    g.flags = flags;
    g.draw = ImGui::GetWindowDrawList();
    ImVec2 pos = ImGui::GetCursorScreenPos();
    g.frame = ImRect(pos, ImVec2(pos.x + size.x, pos.y + size.y));
    g.t.p0 = ImVec2(pos.x + kLeftMargin, pos.y + 4);
    g.t.p1 = ImVec2(pos.x + size.x - 6, pos.y + size.y - kBottomMargin);
    g.t.logY = (flags & kLogY) != 0;
    ImGui::InvisibleButton(id, size, ImGuiButtonFlags_MouseButtonLeft);
    g.hovered = ImGui::IsItemHovered();
    g.clickedInPlot = g.hovered && ImGui::IsMouseClicked(0);
    if (g.clickedInPlot) g.state->panning = true;
    if (!ImGui::IsMouseDown(0)) {
        g.state->panning = false;
        g.state->activeHandle = 0;
    }
    g.t.xLo = g.state->xLo;
    g.t.xHi = g.state->xHi;
    return true;
}

void SetupX(double lo, double hi, const char* label) {
    g.xLabel = label;
    if (!(hi > lo)) hi = lo + 1;
    PlotState& s = *g.state;
    if (!s.fitted || s.fitLo != lo || s.fitHi != hi) {
        s.fitted = true;
        s.fitLo = lo;
        s.fitHi = hi;
        s.xLo = lo;
        s.xHi = hi;
    }
    ImGuiIO& io = ImGui::GetIO();
    if (g.hovered) {
        double mx = g.t.xAt(io.MousePos.x);
        if (io.MouseWheel != 0) {
            double f = std::pow(0.85, double(io.MouseWheel));
            double nlo = mx - (mx - s.xLo) * f, nhi = mx + (s.xHi - mx) * f;
            if (nhi - nlo > 1e-12 * std::max(1.0, std::fabs(mx))) {
                s.xLo = nlo;
                s.xHi = nhi;
            }
        }
        if (ImGui::IsMouseDoubleClicked(0)) {
            s.xLo = s.fitLo;
            s.xHi = s.fitHi;
        }
    }
    g.t.xLo = s.xLo;
    g.t.xHi = s.xHi;
}

void SetupY(double lo, double hi, const char* label) {
    g.yLabel = label;
    if (!(hi > lo)) hi = lo + 1;
    g.t.yLo = lo;
    g.t.yHi = hi;
    g.ySet = true;
}

double ViewXLo() { return g.t.xLo; }
double ViewXHi() { return g.t.xHi; }
int PixelWidth() { return std::max(1, g.t.pixels()); }
const Transform& CurrentTransform() { return g.t; }

void ResetView(const char* id) {
    ImGuiID pid = ImGui::GetCurrentWindow()->GetID(id);
    auto it = states().find(pid);
    if (it != states().end()) it->second.fitted = false;
}

bool IsPlotHovered() { return g.hovered; }
double MouseX() { return g.t.xAt(ImGui::GetIO().MousePos.x); }
double MouseY() {
    float f = (g.t.p1.y - ImGui::GetIO().MousePos.y) / std::max(1.0f, g.t.p1.y - g.t.p0.y);
    return g.t.yLo + f * (g.t.yHi - g.t.yLo);
}
bool AnyHandleActive() {
    for (auto& [id, s] : states())
        if (s.activeHandle != 0) return true;
    return false;
}

// [SECTION] items

bool IsItemHidden(const char* label) {
    if (!label) return false;
    auto it = g.state->hidden.find(label);
    return it != g.state->hidden.end() && it->second;
}

void LegendEntry(const char* label, ImU32 color) { addLegend(label, color); }

void PlotColumns(const char* label, double xLo, double xHi, const double* values, int n, ImU32 color) {
    addLegend(label, color);
    if (IsItemHidden(label) || n <= 0) return;
    g.draw->PushClipRect(g.t.p0, g.t.p1, true);
    float base = g.t.y(g.t.logY ? 0.5 : std::max(0.0, g.t.yLo));
    double w = (xHi - xLo) / n;
    for (int i = 0; i < n; ++i) {
        if (values[i] <= 0) continue;
        float x0 = g.t.x(xLo + i * w), x1 = g.t.x(xLo + (i + 1) * w);
        if (x1 - x0 < 1.0f) x1 = x0 + 1.0f;  // a pixel column is at least one pixel wide
        g.draw->AddRectFilled(ImVec2(x0, g.t.y(values[i])), ImVec2(x1, base), color);
    }
    g.draw->PopClipRect();
}

void PlotEnvelope(const char* label, const Envelope& e, ImU32 color, float thickness) {
    addLegend(label, color);
    if (IsItemHidden(label) || e.pixels() == 0) return;
    g.draw->PushClipRect(g.t.p0, g.t.p1, true);
    double w = (e.xHi - e.xLo) / e.pixels();
    float prevX = 0, prevLo = 0, prevHi = 0;
    bool prev = false;
    for (int c = 0; c < e.pixels(); ++c) {
        if (!e.has[size_t(c)]) {
            prev = false;
            continue;
        }
        float x = g.t.x(e.xLo + (c + 0.5) * w);
        float ylo = g.t.y(e.lo[size_t(c)]), yhi = g.t.y(e.hi[size_t(c)]);
        g.draw->AddLine(ImVec2(x, ylo), ImVec2(x, yhi - 1.0f), color, thickness);
        if (prev) {
            // Join neighbouring columns so a sparse series reads as a line.
            float a = std::clamp(prevHi, std::min(ylo, yhi), std::max(ylo, yhi));
            g.draw->AddLine(ImVec2(prevX, std::clamp(a, std::min(prevLo, prevHi), std::max(prevLo, prevHi))),
                            ImVec2(x, a), color, thickness);
        }
        prevX = x;
        prevLo = ylo;
        prevHi = yhi;
        prev = true;
    }
    g.draw->PopClipRect();
}

void PlotBarsAt(const char* label, const double* xs, const double* ys, int n, double width, ImU32 color) {
    addLegend(label, color);
    if (IsItemHidden(label)) return;
    g.draw->PushClipRect(g.t.p0, g.t.p1, true);
    float base = g.t.y(g.t.logY ? 0.5 : std::max(0.0, g.t.yLo));
    for (int i = 0; i < n; ++i) {
        float x0 = g.t.x(xs[i] - width / 2), x1 = g.t.x(xs[i] + width / 2);
        if (x1 - x0 < 1.0f) x1 = x0 + 1.0f;
        g.draw->AddRectFilled(ImVec2(x0, g.t.y(ys[i])), ImVec2(x1, base), color);
    }
    g.draw->PopClipRect();
}

void PlotBarsSpan(const char* label, const double* x0, const double* x1, const double* ys, int n, ImU32 color) {
    addLegend(label, color);
    if (IsItemHidden(label)) return;
    g.draw->PushClipRect(g.t.p0, g.t.p1, true);
    float base = g.t.y(g.t.logY ? 0.5 : std::max(0.0, g.t.yLo));
    for (int i = 0; i < n; ++i) {
        float a = g.t.x(x0[i]), b = g.t.x(x1[i]);
        if (b - a < 1.0f) b = a + 1.0f;
        g.draw->AddRectFilled(ImVec2(a, g.t.y(ys[i])), ImVec2(b, base), color);
    }
    g.draw->PopClipRect();
}

void PlotVLine(const char* label, double x, ImU32 color, float thickness) {
    addLegend(label, color);
    if (IsItemHidden(label) || x < g.t.xLo || x > g.t.xHi) return;
    float px = g.t.x(x);
    g.draw->AddLine(ImVec2(px, g.t.p0.y), ImVec2(px, g.t.p1.y), color, thickness);
}

void PlotHLine(const char* label, double y, ImU32 color, float thickness) {
    addLegend(label, color);
    if (IsItemHidden(label)) return;
    float py = g.t.y(y);
    g.draw->AddLine(ImVec2(g.t.p0.x, py), ImVec2(g.t.p1.x, py), color, thickness);
}

void PlotShadeX(const char* label, double x0, double x1, ImU32 color) {
    addLegend(label, color);
    if (IsItemHidden(label)) return;
    double a = std::max(std::min(x0, x1), g.t.xLo), b = std::min(std::max(x0, x1), g.t.xHi);
    if (!(b > a)) return;
    g.draw->AddRectFilled(ImVec2(g.t.x(a), g.t.p0.y), ImVec2(g.t.x(b), g.t.p1.y), color);
}

void PlotText(double x, double y, const char* text, ImU32 color) {
    g.draw->AddText(ImVec2(g.t.x(x), g.t.y(y)), color, text);
}

bool DragVLine(const char* id, double* x, ImU32 color, float thickness) {
    ImGuiID hid = ImGui::GetID(id);
    PlotState& s = *g.state;
    ImGuiIO& io = ImGui::GetIO();
    float px = g.t.x(*x);
    bool inView = *x >= g.t.xLo && *x <= g.t.xHi;
    bool near = g.hovered && inView && std::fabs(io.MousePos.x - px) <= kHandleGrab;
    if (g.clickedInPlot && near && !g.handleClaimed) {
        s.activeHandle = hid;
        s.panning = false;
        g.handleClaimed = true;
    }
    bool active = s.activeHandle == hid;
    bool changed = false;
    if (active && ImGui::IsMouseDown(0)) {
        double nx = g.t.xAt(io.MousePos.x);
        if (nx != *x) {
            *x = nx;
            changed = true;
        }
    }
    if (inView || active) {
        float lx = g.t.x(*x);
        float t = (near || active) ? thickness + 1.5f : thickness;
        g.draw->AddLine(ImVec2(lx, g.t.p0.y), ImVec2(lx, g.t.p1.y), color, t);
        g.draw->AddTriangleFilled(ImVec2(lx - 5, g.t.p0.y), ImVec2(lx + 5, g.t.p0.y), ImVec2(lx, g.t.p0.y + 7), color);
    }
    if (near || active) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
    return changed;
}

// [SECTION] end: axes, legend, pan

void EndPlot() {
    PlotState& s = *g.state;
    ImDrawList* dl = g.draw;
    const ImU32 axisCol = ImGui::GetColorU32(ImGuiCol_Text, 0.7f);
    const ImU32 gridCol = ImGui::GetColorU32(ImGuiCol_Text, 0.08f);
    dl->AddRect(g.t.p0, g.t.p1, ImGui::GetColorU32(ImGuiCol_Border));
    char buf[64];
    // x ticks
    double step = niceStep(g.t.xHi - g.t.xLo, std::max(2, int((g.t.p1.x - g.t.p0.x) / 90)));
    for (double v = std::ceil(g.t.xLo / step) * step; v <= g.t.xHi + step * 1e-9; v += step) {
        float px = g.t.x(v);
        dl->AddLine(ImVec2(px, g.t.p0.y), ImVec2(px, g.t.p1.y), gridCol);
        dl->AddLine(ImVec2(px, g.t.p1.y), ImVec2(px, g.t.p1.y + 4), axisCol);
        std::snprintf(buf, sizeof buf, "%.4g", std::fabs(v) < step * 1e-6 ? 0.0 : v);
        float tw = ImGui::CalcTextSize(buf).x;
        dl->AddText(ImVec2(px - tw / 2, g.t.p1.y + 5), axisCol, buf);
    }
    // y ticks
    if (g.ySet) {
        if (g.t.logY) {
            double hi = std::log10(std::max(g.t.yHi, 1.0));
            for (int k = 0; k <= int(std::ceil(hi)); ++k) {
                double v = std::pow(10.0, k);
                if (v > g.t.yHi * 1.0001) break;
                float py = g.t.y(v);
                dl->AddLine(ImVec2(g.t.p0.x, py), ImVec2(g.t.p1.x, py), gridCol);
                std::snprintf(buf, sizeof buf, "1e%d", k);
                float tw = ImGui::CalcTextSize(buf).x;
                dl->AddText(ImVec2(g.t.p0.x - tw - 4, py - 7), axisCol, buf);
            }
        } else {
            double ys = niceStep(g.t.yHi - g.t.yLo, std::max(2, int((g.t.p1.y - g.t.p0.y) / 40)));
            for (double v = std::ceil(g.t.yLo / ys) * ys; v <= g.t.yHi + ys * 1e-9; v += ys) {
                float py = g.t.y(v);
                dl->AddLine(ImVec2(g.t.p0.x, py), ImVec2(g.t.p1.x, py), gridCol);
                std::snprintf(buf, sizeof buf, "%.3g", std::fabs(v) < ys * 1e-6 ? 0.0 : v);
                float tw = ImGui::CalcTextSize(buf).x;
                dl->AddText(ImVec2(g.t.p0.x - tw - 4, py - 7), axisCol, buf);
            }
        }
    }
    if (g.xLabel) {
        float tw = ImGui::CalcTextSize(g.xLabel).x;
        dl->AddText(ImVec2(g.t.p1.x - tw - 4, g.t.p1.y - 18), axisCol, g.xLabel);
    }
    if (g.yLabel) dl->AddText(ImVec2(g.t.p0.x + 4, g.t.p0.y + 2), axisCol, g.yLabel);

    // Legend (top right, or bottom right above the x label); a click toggles the entry and does not pan.
    ImGuiIO& io = ImGui::GetIO();
    if (!(g.flags & kNoLegend) && !g.legend.empty()) {
        float lh = ImGui::GetTextLineHeight() + 2;
        float lw = 0;
        for (auto& e : g.legend) lw = std::max(lw, ImGui::CalcTextSize(e.label.c_str()).x);
        const float h = lh * float(g.legend.size()) + 4;
        const float top = (g.flags & kLegendBottomRight) ? g.t.p1.y - 4 - lh - h : g.t.p0.y + 4;
        ImVec2 a(g.t.p1.x - lw - 30, top);
        ImVec2 b(g.t.p1.x - 4, a.y + h);
        dl->AddRectFilled(a, b, ImGui::GetColorU32(ImGuiCol_WindowBg, 0.85f), 3.0f);
        for (size_t i = 0; i < g.legend.size(); ++i) {
            auto& e = g.legend[i];
            ImVec2 r0(a.x + 4, a.y + 2 + lh * float(i));
            bool hidden = s.hidden[e.label];
            dl->AddRectFilled(ImVec2(r0.x, r0.y + 3), ImVec2(r0.x + 12, r0.y + lh - 3), hidden ? gridCol : e.color);
            dl->AddText(ImVec2(r0.x + 18, r0.y), hidden ? gridCol : axisCol, e.label.c_str());
            ImRect row(r0, ImVec2(b.x, r0.y + lh));
            if (g.clickedInPlot && row.Contains(io.MousePos)) {
                s.hidden[e.label] = !hidden;
                s.panning = false;
            }
        }
    }

    // Pan by dragging the empty plot (handles and legend clicks took the press above).
    if (s.panning && ImGui::IsMouseDown(0) && io.MouseDelta.x != 0) {
        double dx = double(io.MouseDelta.x) / double(g.t.p1.x - g.t.p0.x) * (s.xHi - s.xLo);
        s.xLo -= dx;
        s.xHi -= dx;
    }
    if (g.hovered && !s.panning && s.activeHandle == 0) {
        // Crosshair readout.
        std::snprintf(buf, sizeof buf, "x = %.5g", MouseX());
        dl->AddText(ImVec2(g.t.p0.x + 4, g.t.p1.y - 18), axisCol, buf);
    }
    g.state = nullptr;
}

}  // namespace qv::plot
