// GlossaryWindow: search field, alphabetical index, the selected entry with its formula, links and source.
#include "app/panels/glossary_window.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "app/widgets/help.h"

namespace qv {

namespace {

const ImVec4 kTermColor(1.0f, 0.82f, 0.45f, 1.0f);
const ImVec4 kFormulaColor(0.55f, 0.80f, 1.0f, 1.0f);

std::string lowerCopy(const char* s) {
    std::string r(s);
    for (char& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

}  // namespace

// [SECTION] opening ---------------------------------------------------------------------------------------------

const GlossaryEntry* GlossaryWindow::shownEntry() const {
    const auto entries = glossaryEntries();
    if (!m_text.empty() || m_selected < 0 || m_selected >= int(entries.size())) return nullptr;
    return &entries[size_t(m_selected)];
}

void GlossaryWindow::select(int entry, bool remember) {
    if (remember && m_selected >= 0 && m_text.empty() && entry != m_selected) m_back.push_back(m_selected);
    m_selected = entry;
    m_text.clear();
    m_scrollToSelected = true;
}

bool GlossaryWindow::openTerm(std::string_view term) {
    const int i = findGlossaryTerm(term);
    if (i < 0) return false;
    setFilter("");
    m_back.clear();
    select(i, false);
    show();
    return true;
}

void GlossaryWindow::openText(std::string_view text) {
    setFilter("");  // the whole index, so the entry shown is in it
    m_back.clear();
    int i = findGlossaryDefinition(text);
    if (i < 0) i = findGlossaryTerm(text);
    if (i >= 0) {
        select(i, false);
    } else {
        // A help text of one panel: shown as it is, with links to the terms it mentions. (Choosing one
        // "best" entry for it would often be wrong: most such texts explain a control, not a term.)
        m_selected = -1;
        m_text = std::string(text);
    }
    show();
}

void GlossaryWindow::setFilter(std::string_view filter) {
    const size_t n = std::min(filter.size(), sizeof m_filter - 1);
    std::memcpy(m_filter, filter.data(), n);
    m_filter[n] = '\0';
    m_matchCount = glossaryMatchCount(m_filter);
}

// [SECTION] drawing -----------------------------------------------------------------------------------------------

void GlossaryWindow::draw(AppState&) {
    if (auto request = takeGlossaryRequest()) openText(*request);
    if (!m_open) return;
    if (m_order.empty()) {
        const auto entries = glossaryEntries();
        for (int i = 0; i < int(entries.size()); ++i) m_order.push_back(i);
        std::stable_sort(m_order.begin(), m_order.end(), [&](int a, int b) {
            return lowerCopy(entries[size_t(a)].term) < lowerCopy(entries[size_t(b)].term);
        });
    }
    if (m_selected < 0 && m_text.empty()) select(0, false);  // from the menu: start at "quantization"

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float fs = ImGui::GetFontSize();
    const ImVec2 size(std::min(vp->WorkSize.x - 40.0f, fs * 64.0f), std::min(vp->WorkSize.y - 40.0f, fs * 34.0f));
    ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f),
                            ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (m_focus) ImGui::SetNextWindowFocus();
    m_focus = false;
    ImGui::SetNextWindowBgAlpha(1.0f);
    if (!ImGui::Begin(title(), &m_open, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    ++m_drawnFrames;
    m_links.clear();

    // Search and back.
    ImGui::BeginDisabled(m_back.empty());
    if (ImGui::Button("< back")) {
        const int prev = m_back.back();
        m_back.pop_back();
        select(prev, false);
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::SetNextItemWidth(fs * 20.0f);
    const bool typed = ImGui::InputTextWithHint("##search", "search terms and texts", m_filter, sizeof m_filter);
    m_matchCount = glossaryMatchCount(m_filter);  // every frame: under a hundred entries
    if (typed && m_text.empty()) {
        // The right side follows the search: when the entry shown no longer matches, show the first match.
        const auto entries = glossaryEntries();
        if (m_selected < 0 || !glossaryMatches(entries[size_t(m_selected)], m_filter))
            for (int i : m_order)
                if (glossaryMatches(entries[size_t(i)], m_filter)) {
                    select(i, true);
                    break;
                }
    }
    ImGui::SameLine();
    ImGui::TextDisabled("%d of %d terms", m_matchCount, int(glossaryEntries().size()));
    ImGui::SameLine();
    ImGui::TextDisabled("   every (?) in the app opens its term here");

    const float indexWidth = fs * 15.0f;
    if (ImGui::BeginChild("index", ImVec2(indexWidth, 0), true)) drawIndex();
    ImGui::EndChild();
    ImGui::SameLine();
    if (ImGui::BeginChild("entry", ImVec2(0, 0), true)) {
        if (!m_text.empty()) drawText();
        else if (shownEntry()) drawEntry();
    }
    ImGui::EndChild();
    ImGui::End();
}

void GlossaryWindow::drawIndex() {
    const auto entries = glossaryEntries();
    for (int i : m_order) {
        const GlossaryEntry& e = entries[size_t(i)];
        if (!glossaryMatches(e, m_filter)) continue;
        ImGui::PushID(i);
        if (ImGui::Selectable(e.term, i == m_selected && m_text.empty())) select(i, true);
        if (i == m_selected && m_scrollToSelected) {
            ImGui::SetScrollHereY(0.3f);
            m_scrollToSelected = false;
        }
        ImGui::PopID();
    }
    if (m_matchCount == 0) ImGui::TextDisabled("no term matches");
}

void GlossaryWindow::drawLinks(const std::vector<int>& linked, const char* idPrefix) {
    const auto entries = glossaryEntries();
    const ImGuiStyle& style = ImGui::GetStyle();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    bool first = true;
    for (int i : linked) {
        const char* term = entries[size_t(i)].term;
        const float w = ImGui::CalcTextSize(term).x + style.FramePadding.x * 2.0f;
        if (!first) {
            ImGui::SameLine();
            if (ImGui::GetCursorScreenPos().x + w > right) ImGui::NewLine();
        }
        first = false;
        ImGui::PushID(idPrefix);
        ImGui::PushID(i);
        if (ImGui::SmallButton(term)) select(i, true);
        ImGui::PopID();
        ImGui::PopID();
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        m_links.push_back({term, a.x, a.y, b.x, b.y});
    }
}

void GlossaryWindow::drawEntry() {
    const GlossaryEntry& e = *shownEntry();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(kTermColor, "%s", e.term);
    const auto aliases = glossaryList(e.aliases);
    if (!aliases.empty()) {
        std::string also = "also: ";
        for (size_t k = 0; k < aliases.size(); ++k) {
            if (k) also += ", ";
            also += aliases[k];
        }
        ImGui::TextDisabled("%s", also.c_str());
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(e.definition);
    if (*e.formula) {
        ImGui::Spacing();
        ImGui::TextDisabled("formula");
        ImGui::Indent();
        ImGui::TextColored(kFormulaColor, "%s", e.formula);
        ImGui::Unindent();
    }
    const auto seeAlso = glossaryList(e.seeAlso);
    if (!seeAlso.empty()) {
        ImGui::Spacing();
        ImGui::TextDisabled("see also");
        std::vector<int> linked;
        for (std::string_view t : seeAlso)
            if (const int i = findGlossaryTerm(t); i >= 0) linked.push_back(i);
        drawLinks(linked, "see");
    }
    if (*e.source) {
        ImGui::Spacing();
        ImGui::TextDisabled("source");
        ImGui::TextUnformatted(e.source);
    }
    ImGui::PopTextWrapPos();
}

void GlossaryWindow::drawText() {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("help text");
    ImGui::TextUnformatted(m_text.c_str());
    const std::vector<int> mentioned = glossaryMentions(m_text);
    ImGui::Spacing();
    if (mentioned.empty()) {
        ImGui::TextDisabled("It names no glossary term; pick one from the index or search.");
    } else {
        ImGui::TextDisabled("terms it uses");
        drawLinks(mentioned, "uses");
        ImGui::Spacing();
        ImGui::TextDisabled("or pick any term from the index, or search.");
    }
    ImGui::PopTextWrapPos();
}

}  // namespace qv
