// LearnWindow: one teaching window of the Learn menu (glossary, walkthroughs, the QAT demo). Each is its
// own ImGui window above the main one, opened from the menu, from `--learn ID`, or by another panel.
#pragma once

#include <memory>
#include <vector>

namespace qv {

class AppState;

class LearnWindow {
public:
    virtual ~LearnWindow() = default;
    virtual const char* id() const = 0;       // the name `--learn ID` takes ("glossary", "qat", …)
    virtual const char* title() const = 0;    // menu item and window title
    virtual const char* summary() const = 0;  // the menu item's tooltip: what the window teaches

    // Opens the window and brings it to the front on the next draw.
    void show() {
        m_open = true;
        m_focus = true;
    }
    bool isOpen() const { return m_open; }
    bool& openFlag() { return m_open; }

    // A widget's screen rectangle in the last frame (the headless tests click buttons through it).
    struct ScreenRect {
        float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    };

    // Background work under way (a training, a sweep): the screenshot mode waits until it is false.
    virtual bool busy() const { return false; }

    // Called every frame, open or not (a closed window may still react to requests, e.g. a "(?)" click),
    // outside any other window.
    virtual void draw(AppState& state) = 0;

protected:
    // Begins the window as the walkthroughs want it: sized to its content (at most the screen), centred over
    // the first frames after show() (an auto-sized window is measured over them), brought to the front,
    // and moved back on screen when its content grows. False: nothing to draw (ImGui::End already called);
    // true: draw the content, then call ImGui::End().
    bool beginAutoSizedWindow();

    bool m_open = false;
    bool m_focus = false;  // one-shot: focus (and place) the window on the next draw
    int m_placeFrames = 0; // frames left to centre the window after show()
};

// Every Learn window, in menu order (app/panels/learn_windows.cpp).
std::vector<std::unique_ptr<LearnWindow>> makeLearnWindows();

}  // namespace qv
