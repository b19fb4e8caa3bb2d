// The Learn menu's list against the command line: every id `--learn` accepts opens a window, every window's id
// is accepted, and showing one through the id opens exactly that window.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "app/app_options.h"
#include "headless_ui_fixture.h"

namespace qv {
namespace {

class LearnWindows : public test::HeadlessUiFixture {};

TEST_F(LearnWindows, CommandLineIdsAndWindowsAgree) {
    std::set<std::string> ids;
    for (const auto& w : ui->learnWindows()) {
        EXPECT_TRUE(ids.insert(w->id()).second) << "two windows with id " << w->id();
        EXPECT_GT(std::string(w->title()).size(), 0u);
        EXPECT_GT(std::string(w->summary()).size(), 0u);
        std::string err;
        EXPECT_TRUE(parseAppOptions({"--learn", w->id()}, &err)) << err;
        EXPECT_FALSE(w->isOpen()) << w->id() << " starts closed";
    }
    EXPECT_EQ(ids, (std::set<std::string>{"glossary", "quantize", "mac", "gguf", "qat"}));
    EXPECT_EQ(ui->learnWindow("tutorial"), nullptr);
    LearnWindow* mac = ui->learnWindow("mac");
    ASSERT_NE(mac, nullptr);
    mac->show();
    for (const auto& w : ui->learnWindows()) EXPECT_EQ(w->isOpen(), w.get() == mac) << w->id();
}

}  // namespace
}  // namespace qv
