// Glossary: the table's consistency (terms, see-also links, every glossary:: constant an entry), the search
// filter on queries whose matches were counted by reading the table, and headless frames of the real AppUi
// where a "(?)" click opens the Glossary window on the right entry and a see-also link moves to its entry.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>
#include <string>

#include "app/panels/glossary_window.h"
#include "app/widgets/help.h"
#include "app_test_support.h"
#include "headless_ui_fixture.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

// [SECTION] the table --------------------------------------------------------------------------------------------

TEST(GlossaryTable, EveryEntryHasATermAndADefinitionAndTermsAreUnique) {
    const auto entries = glossaryEntries();
    ASSERT_GE(entries.size(), 60u);
    std::set<std::string> names;  // terms and aliases, lower case: each names one entry
    for (const GlossaryEntry& e : entries) {
        ASSERT_NE(e.term, nullptr);
        ASSERT_NE(e.definition, nullptr);
        ASSERT_NE(e.formula, nullptr) << e.term;
        ASSERT_NE(e.seeAlso, nullptr) << e.term;
        ASSERT_NE(e.source, nullptr) << e.term;
        ASSERT_NE(e.aliases, nullptr) << e.term;
        EXPECT_GT(std::strlen(e.term), 0u);
        EXPECT_GT(std::strlen(e.definition), 20u) << e.term;
        EXPECT_GT(std::strlen(e.source), 0u) << e.term << ": every entry says where it comes from";
        EXPECT_TRUE(names.insert(lower(e.term)).second) << "term twice: " << e.term;
    }
    for (const GlossaryEntry& e : entries)
        for (std::string_view a : glossaryList(e.aliases))
            EXPECT_TRUE(names.insert(lower(a)).second) << "alias of " << e.term << " names another entry: " << a;
}

TEST(GlossaryTable, EverySeeAlsoNamesAnotherEntry) {
    const auto entries = glossaryEntries();
    for (size_t i = 0; i < entries.size(); ++i)
        for (std::string_view t : glossaryList(entries[i].seeAlso)) {
            const int j = findGlossaryTerm(t);
            EXPECT_GE(j, 0) << entries[i].term << " -> " << t;
            EXPECT_NE(j, int(i)) << entries[i].term << " links to itself";
        }
}

// The constants the panels pass to helpMarker: each is the definition of exactly one entry, by pointer and by
// the characters (a request carries a copy).
TEST(GlossaryTable, EveryGlossaryConstantIsAnEntry) {
    namespace g = glossary;
    const char* constants[] = {
        // The ones the panels used before the table existed.
        g::kScale, g::kZeroPoint, g::kSqnr, g::kMse, g::kCosine, g::kClipped, g::kCodesUsed, g::kClipRange,
        g::kSymmetric, g::kGranularity, g::kEstimate, g::kBuckets, g::kNumberFormat, g::kNanInf,
        // The ones added with it.
        g::kQuantization, g::kAmax, g::kRoundHalfEven, g::kSaturation, g::kRestrictedRange, g::kDequantization,
        g::kQuantError, g::kDegenerateRange, g::kDynamicQuant, g::kWxAy, g::kFakeQuant, g::kPtq, g::kQat, g::kSte,
        g::kLsq, g::kCalibration, g::kCalibMinMax, g::kCalibPercentile, g::kCalibMse, g::kCalibEntropy,
        g::kCalibCrossEntropy, g::kCalibAciq, g::kCalibOmse, g::kCalibHistogram, g::kOutlier, g::kRelativeRms,
        g::kKlDivergence, g::kKurtosis, g::kFloatingPoint, g::kSubnormal, g::kFp16Bf16, g::kFp8E4M3, g::kFp8E5M2,
        g::kFp4E2M1, g::kFp6, g::kNf4, g::kMx, g::kE8M0, g::kNvFp4, g::kGguf, g::kQ8_0, g::kQ4_0, g::kKQuants, g::kIq4Nl,
        g::kBitsPerWeight, g::kTwosComplement, g::kFixedPoint, g::kGemm, g::kInt32Accumulation,
        g::kZeroPointCorrection, g::kRequantization, g::kDoubleRounding, g::kVnni, g::kReduceRange, g::kSmoothQuant,
        g::kMigrationStrength, g::kMac, g::kSoftmax, g::kRelu, g::kAdam, g::kLearningRate, g::kEpoch, g::kActivation,
        g::kPreset, g::kConvention, g::kGptq, g::kAwq, g::kImatrix, g::kLlamaPreset};
    std::set<int> found;
    for (const char* c : constants) {
        const int i = findGlossaryDefinition(c);
        ASSERT_GE(i, 0) << c;
        EXPECT_EQ(findGlossaryDefinition(std::string(c)), i) << "found by its characters too";
        EXPECT_TRUE(found.insert(i).second) << "two constants, one entry: " << c;
    }
    EXPECT_EQ(found.size(), glossaryEntries().size()) << "every entry has its constant";
    EXPECT_EQ(findGlossaryDefinition("not a definition"), -1);
}

TEST(GlossaryTable, TermsAndAliasesAreFoundCaseInsensitively) {
    const auto entries = glossaryEntries();
    const int zp = findGlossaryTerm("zero point");
    ASSERT_GE(zp, 0);
    EXPECT_STREQ(entries[size_t(zp)].definition, glossary::kZeroPoint);
    EXPECT_EQ(findGlossaryTerm("Zero-Point"), zp);
    EXPECT_STREQ(entries[size_t(findGlossaryTerm("STE"))].term, "straight-through estimator");
    EXPECT_STREQ(entries[size_t(findGlossaryTerm("e4m3fn"))].term, "FP8 E4M3");
    EXPECT_STREQ(entries[size_t(findGlossaryTerm("Q4_K"))].term, "K-quants");
    EXPECT_EQ(findGlossaryTerm("no such term"), -1);
    EXPECT_EQ(glossaryList(" a; b ;;c ").size(), 3u);
}

// Mentions are whole words in order of first occurrence: "clips" is not the alias "clip", "symmetric" is, the
// "calibrator" inside "percentile calibrator" is not the alias of "calibration", and "pytorch-quantization"
// is one word (not "quantization").
TEST(GlossaryTable, MentionsAreWholeWordsInOrder) {
    const auto entries = glossaryEntries();
    const auto m = glossaryMentions("The percentile calibrator clips at this percentile of |x| (symmetric). 99.99 is "
                                    "pytorch-quantization's default.");
    ASSERT_EQ(m.size(), 2u);
    EXPECT_STREQ(entries[size_t(m[0])].term, "percentile calibrator");
    EXPECT_STREQ(entries[size_t(m[1])].term, "symmetric / asymmetric");
    EXPECT_TRUE(glossaryMentions("nothing here").empty());
}

// Counts read off the table: "vpdpbusd" is only in VNNI; "vpmaddubsw" in VNNI and reduce_range; "57344" in
// number format and FP8 E5M2; "smoothquant alpha" (both words) only in migration strength; "arxiv 2211.10438"
// (SmoothQuant's paper) in the sources of SmoothQuant, migration strength, outlier and W8A8 notation.
TEST(GlossaryTable, SearchCountsOnKnownQueries) {
    const int n = int(glossaryEntries().size());
    EXPECT_EQ(glossaryMatchCount(""), n);
    EXPECT_EQ(glossaryMatchCount("   "), n);
    EXPECT_EQ(glossaryMatchCount("VPDPBUSD"), 1);
    EXPECT_EQ(glossaryMatchCount("vpmaddubsw"), 2);
    EXPECT_EQ(glossaryMatchCount("57344"), 2);
    EXPECT_EQ(glossaryMatchCount("smoothquant alpha"), 1);
    EXPECT_EQ(glossaryMatchCount("arxiv 2211.10438"), 4);
    EXPECT_EQ(glossaryMatchCount("zzzz"), 0);
}

// [SECTION] the window in the real AppUi ----------------------------------------------------------------------

class GlossaryUi : public test::HeadlessUiFixture {
protected:
    GlossaryWindow& glossaryWindow() {
        auto* w = dynamic_cast<GlossaryWindow*>(ui->learnWindow("glossary"));
        EXPECT_NE(w, nullptr);
        return *w;
    }
    bool glossaryDrawn() {
        ImGuiWindow* w = ImGui::FindWindowByName("Glossary");
        return w && w->WasActive;
    }
    // Opens a small tensor so the controls panel is drawn.
    void openTensor() {
        const std::string path = test::tempPath("glossary-ui.npy");
        test::writeNpyF32(path, {2, 4}, {0.5f, -2.75f, 1.0f, 2.0f, 0.25f, -0.5f, 0.0f, 1.5f});
        ASSERT_TRUE(state.openFile(path)) << state.message().text;
        settle();
        frame();
    }
    // A point on a marker's left part: its right end can sit under the panel's scrollbar.
    static ImVec2 inside(const HelpMarkerRecord& m) { return ImVec2(m.x0 + 3.0f, (m.y0 + m.y1) * 0.5f); }
    // The marker drawn in the last frame for `text` (compared by characters).
    const HelpMarkerRecord* marker(const char* text) {
        for (const HelpMarkerRecord& r : helpMarkersDrawn())
            if (r.frame == ImGui::GetFrameCount() && std::string_view(r.text) == text) return &r;
        return nullptr;
    }
};

TEST_F(GlossaryUi, OpensFromTheLearnPathOnTheFirstTerm) {
    frame();
    EXPECT_FALSE(glossaryDrawn());
    glossaryWindow().show();
    frame();
    frame();
    ASSERT_TRUE(glossaryDrawn());
    ASSERT_NE(glossaryWindow().shownEntry(), nullptr);
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "quantization");
    EXPECT_TRUE(glossaryWindow().openTerm("k-quant"));
    frame();
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "K-quants");
    EXPECT_FALSE(glossaryWindow().openTerm("no such term"));
    // The filter the search field holds, and its count (read off the table, see SearchCountsOnKnownQueries).
    glossaryWindow().setFilter("vpmaddubsw");
    frame();
    EXPECT_EQ(glossaryWindow().matchCount(), 2);
}

// The controls panel's scheme "(?)": hovering shows the tooltip, clicking opens the glossary on
// "symmetric / asymmetric"; its first see-also link ("zero point") moves there, and "< back" returns.
TEST_F(GlossaryUi, ClickingAControlsHelpMarkerOpensItsEntryAndSeeAlsoFollows) {
    openTensor();
    const HelpMarkerRecord* m = marker(glossary::kSymmetric);
    ASSERT_NE(m, nullptr) << "the controls draw the scheme's (?)";
    const ImVec2 c = inside(*m);
    ImGui::GetIO().MousePos = c;
    frame();
    bool tooltip = false;
    for (ImGuiWindow* w : GImGui->Windows)
        tooltip |= (w->Flags & ImGuiWindowFlags_Tooltip) && w->Active;
    EXPECT_TRUE(tooltip) << "hovering still shows the text";
    EXPECT_FALSE(glossaryWindow().isOpen()) << "hovering alone does not open it";

    click(c.x, c.y, 2);
    ASSERT_TRUE(glossaryWindow().isOpen());
    EXPECT_TRUE(glossaryDrawn());
    ASSERT_NE(glossaryWindow().shownEntry(), nullptr);
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "symmetric / asymmetric");
    EXPECT_EQ(glossaryWindow().shownText(), "");

    // See also: zero point; restricted vs full range; scale (the table's order).
    const auto& links = glossaryWindow().links();
    ASSERT_EQ(links.size(), 3u);
    EXPECT_EQ(links[0].term, "zero point");
    EXPECT_EQ(links[2].term, "scale");
    const GlossaryWindow::Link l = links[0];
    click((l.x0 + l.x1) * 0.5f, (l.y0 + l.y1) * 0.5f, 1);
    ASSERT_NE(glossaryWindow().shownEntry(), nullptr);
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "zero point");

    // "< back" returns to the entry the link was followed from.
    ImGuiWindow* gw = ImGui::FindWindowByName("Glossary");
    ASSERT_NE(gw, nullptr);
    const ImGuiID backId = gw->GetID("< back");
    bool found = false;
    for (float y = gw->Pos.y + 2; y < gw->Pos.y + gw->Size.y * 0.3f && !found; y += 3)
        for (float x = gw->Pos.x + 2; x < gw->Pos.x + gw->Size.x * 0.3f && !found; x += 5) {
            ImGui::GetIO().MousePos = ImVec2(x, y);
            frame();
            found = GImGui->HoveredId == backId;
        }
    ASSERT_TRUE(found) << "the back button is at the top left";
    click(ImGui::GetIO().MousePos.x, ImGui::GetIO().MousePos.y, 1);
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "symmetric / asymmetric");
}

// With FP8 selected the scheme control is disabled (the format fixes it), but its "(?)" still opens the glossary.
TEST_F(GlossaryUi, AHelpMarkerBesideADisabledControlStillOpensTheGlossary) {
    openTensor();
    QuantScheme s = state.scheme();
    s.format = NumberFormat::Fp8E4M3;
    state.setScheme(s);
    settle();
    frame();
    const HelpMarkerRecord* m = marker(glossary::kSymmetric);
    ASSERT_NE(m, nullptr);
    const ImVec2 p = inside(*m);
    click(p.x, p.y, 2);
    ASSERT_TRUE(glossaryWindow().isOpen());
    ASSERT_NE(glossaryWindow().shownEntry(), nullptr);
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "symmetric / asymmetric");
}

// Typing into the search field: "vpdpbusd" leaves one term (VNNI, see SearchCountsOnKnownQueries), and the
// right side follows it because "quantization", shown before, does not match.
TEST_F(GlossaryUi, TypingASearchFiltersTheIndexAndShowsTheFirstMatch) {
    glossaryWindow().show();
    frame();
    frame();
    ImGuiWindow* gw = ImGui::FindWindowByName("Glossary");
    ASSERT_NE(gw, nullptr);
    const ImGuiID searchId = gw->GetID("##search");
    bool found = false;
    for (float y = gw->Pos.y + 2; y < gw->Pos.y + gw->Size.y * 0.3f && !found; y += 3)
        for (float x = gw->Pos.x + 2; x < gw->Pos.x + gw->Size.x * 0.6f && !found; x += 6) {
            ImGui::GetIO().MousePos = ImVec2(x, y);
            frame();
            found = GImGui->HoveredId == searchId;
        }
    ASSERT_TRUE(found) << "the search field is at the top";
    click(ImGui::GetIO().MousePos.x, ImGui::GetIO().MousePos.y, 1);
    ImGui::GetIO().AddInputCharactersUTF8("vpdpbusd");
    frame();
    frame();
    EXPECT_STREQ(glossaryWindow().filter(), "vpdpbusd");
    EXPECT_EQ(glossaryWindow().matchCount(), 1);
    ASSERT_NE(glossaryWindow().shownEntry(), nullptr);
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "VNNI");
}

// The percentile "(?)" carries a help text that is not an entry: the glossary shows the text, with links to
// the two terms it uses (see MentionsAreWholeWordsInOrder); following one shows that entry.
TEST_F(GlossaryUi, AnAdHocHelpTextIsShownWithTheTermsItUses) {
    openTensor();
    const HelpMarkerRecord* m = nullptr;
    for (const HelpMarkerRecord& r : helpMarkersDrawn())
        if (std::string_view(r.text).starts_with("The percentile calibrator clips")) m = &r;
    ASSERT_NE(m, nullptr);
    const std::string text = m->text;
    const ImVec2 p = inside(*m);
    click(p.x, p.y, 2);
    ASSERT_TRUE(glossaryWindow().isOpen());
    EXPECT_EQ(glossaryWindow().shownEntry(), nullptr);
    EXPECT_EQ(glossaryWindow().shownText(), text);
    const auto links = glossaryWindow().links();
    ASSERT_GE(links.size(), 2u);
    EXPECT_EQ(links[0].term, "percentile calibrator");
    EXPECT_EQ(links[1].term, "symmetric / asymmetric");
    click((links[0].x0 + links[0].x1) * 0.5f, (links[0].y0 + links[0].y1) * 0.5f, 1);
    ASSERT_NE(glossaryWindow().shownEntry(), nullptr);
    EXPECT_STREQ(glossaryWindow().shownEntry()->term, "percentile calibrator");
}

// Every "(?)" the default view draws leads somewhere: to its entry, or to a help text naming at least one term.
TEST_F(GlossaryUi, EveryDrawnHelpMarkerLeadsToATerm) {
    openTensor();
    int markers = 0;
    for (const HelpMarkerRecord& r : helpMarkersDrawn()) {
        if (r.frame != ImGui::GetFrameCount()) continue;
        ++markers;
        EXPECT_TRUE(findGlossaryDefinition(r.text) >= 0 || !glossaryMentions(r.text).empty()) << r.text;
    }
    EXPECT_GE(markers, 8) << "controls, error panel and histogram draw their markers";
}

}  // namespace
}  // namespace qv
