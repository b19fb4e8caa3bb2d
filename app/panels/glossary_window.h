// GlossaryWindow: every term of the glossary table (app/widgets/help.h) in one window - a search field, the
// index of terms on the left, the selected entry on the right (definition, formula, "see also" links,
// source). Every "(?)" of the app opens it: helpMarker records the click, draw() takes the request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/panels/learn_window.h"

namespace qv {

struct GlossaryEntry;

class GlossaryWindow : public LearnWindow {
public:
    const char* id() const override { return "glossary"; }
    const char* title() const override { return "Glossary"; }
    const char* summary() const override { return "Every term the app uses, explained, with formulas and sources"; }
    // Takes a pending "(?)" request (open or closed), then draws the window when open.
    void draw(AppState& state) override;

    // Opens the window on the entry whose term or alias is `term`; false (and the window untouched) when
    // there is none.
    bool openTerm(std::string_view term);
    // Opens the window on `text`: the entry it defines (a glossary:: constant), else the entry it names
    // (a term or alias), else the text itself above the index with the terms it mentions as links.
    void openText(std::string_view text);

    // What the window shows (tests): the selected entry (nullptr when none, or when a help text is shown),
    // the help text shown instead of an entry ("" when none), the terms of the links on the right (see also,
    // or the terms a help text mentions) and where they were drawn, and the entries matching the filter.
    const GlossaryEntry* shownEntry() const;
    const std::string& shownText() const { return m_text; }
    struct Link {
        std::string term;
        float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    };
    const std::vector<Link>& links() const { return m_links; }
    int matchCount() const { return m_matchCount; }
    void setFilter(std::string_view filter);
    const char* filter() const { return m_filter; }

private:
    void select(int entry, bool remember);
    void drawIndex();
    void drawEntry();
    void drawText();
    void drawLinks(const std::vector<int>& entries, const char* idPrefix);

    char m_filter[128] = {};
    int m_selected = -1;         // index into glossaryEntries(); -1 when none
    std::string m_text;          // a help text that is not an entry, shown instead of one
    std::vector<int> m_back;     // entries left by following links, for "back"
    std::vector<int> m_order;    // every entry, alphabetical (built once)
    std::vector<Link> m_links;   // the links drawn in the last frame
    int m_matchCount = 0;        // entries matching m_filter (last frame)
    bool m_scrollToSelected = false;
    int m_drawnFrames = 0;
};

}  // namespace qv
