// Command line and settings parsing.
#include <gtest/gtest.h>

#include "app/app_options.h"
#include "app/settings.h"

namespace qv {
namespace {

TEST(AppOptions, ScreenshotModeArguments) {
    std::string err;
    auto o = parseAppOptions({"model.safetensors", "--tensor", "w", "--screenshot", "out.png", "--frames", "5",
                              "--size", "1280x720", "--bits", "4", "--granularity", "group:32"},
                             &err);
    ASSERT_TRUE(o) << err;
    EXPECT_EQ(o->file, "model.safetensors");
    EXPECT_EQ(o->tensor, "w");
    EXPECT_EQ(o->screenshot, "out.png");
    EXPECT_EQ(o->frames, 5);
    EXPECT_EQ(o->width, 1280);
    EXPECT_EQ(o->height, 720);
    EXPECT_EQ(o->bits, 4);
    QuantScheme s;
    ASSERT_TRUE(parseGranularity(o->granularity, s));
    EXPECT_EQ(s.granularity, Granularity::PerGroup);
    EXPECT_EQ(s.groupSize, 32);
}

TEST(AppOptions, BadUsageIsReported) {
    std::string err;
    EXPECT_FALSE(parseAppOptions({"--bits", "17"}, &err));
    EXPECT_EQ(err, "--bits needs 2..16");
    EXPECT_FALSE(parseAppOptions({"a", "b"}, &err));
    EXPECT_EQ(err, "more than one FILE given ('a', 'b')");
    EXPECT_FALSE(parseAppOptions({"--frobnicate"}, &err));
    EXPECT_EQ(err, "unknown option '--frobnicate'");
    EXPECT_FALSE(parseAppOptions({"--granularity", "channel:x"}, &err));
    QuantScheme s;
    EXPECT_TRUE(parseGranularity("channel:1", s));
    EXPECT_EQ(s.granularity, Granularity::PerChannel);
    EXPECT_EQ(s.axis, 1);
    EXPECT_FALSE(parseGranularity("group:0", s));
}

TEST(AppOptions, CompareSchemeSpec) {
    QuantScheme base;
    base.bits = 4;
    base.granularity = Granularity::PerChannel;
    QuantScheme b;
    std::string cal;
    ASSERT_TRUE(parseCompareScheme("8", base, b, cal));
    EXPECT_EQ(b.bits, 8);
    EXPECT_EQ(b.granularity, Granularity::PerTensor);  // scheme B is per tensor
    EXPECT_EQ(b.symmetry, Symmetry::Symmetric);
    EXPECT_EQ(cal, "mse");
    ASSERT_TRUE(parseCompareScheme("3:asym:minmax", base, b, cal));
    EXPECT_EQ(b.bits, 3);
    EXPECT_EQ(b.symmetry, Symmetry::Asymmetric);
    EXPECT_EQ(cal, "minmax");
    ASSERT_TRUE(parseCompareScheme("6:sym-full:percentile:99.9", base, b, cal));
    EXPECT_TRUE(b.fullRange);
    EXPECT_EQ(cal, "percentile:99.9");
    ASSERT_TRUE(parseCompareScheme("5:entropy", base, b, cal));  // scheme part optional
    EXPECT_EQ(b.symmetry, Symmetry::Symmetric);
    EXPECT_EQ(cal, "entropy");
    EXPECT_FALSE(parseCompareScheme("", base, b, cal));
    EXPECT_FALSE(parseCompareScheme("1:sym", base, b, cal));
    EXPECT_FALSE(parseCompareScheme("17", base, b, cal));
    EXPECT_FALSE(parseCompareScheme("8:sym:", base, b, cal));
    std::string err;
    auto o = parseAppOptions({"m.gguf", "--compare-scheme", "8:sym:minmax", "--tab", "compare"}, &err);
    ASSERT_TRUE(o) << err;
    EXPECT_EQ(o->compareScheme, "8:sym:minmax");
    EXPECT_FALSE(parseAppOptions({"m.gguf", "--compare-scheme", "x"}, &err));
    EXPECT_NE(err.find("--compare-scheme"), std::string::npos) << err;
}

// The Learn windows (repeatable, ids checked) and the Compare tab's view.
TEST(AppOptions, LearnWindowsAndCompareMode) {
    std::string err;
    auto o = parseAppOptions({"m.gguf", "--learn", "qat", "--learn", "glossary", "--compare-mode", "llamacpp"}, &err);
    ASSERT_TRUE(o) << err;
    EXPECT_EQ(o->learn, (std::vector<std::string>{"qat", "glossary"}));
    EXPECT_EQ(o->compareMode, "llamacpp");
    EXPECT_FALSE(parseAppOptions({"--learn", "tutorial"}, &err));
    EXPECT_EQ(err, "--learn needs glossary|quantize|mac|gguf|qat");
    EXPECT_FALSE(parseAppOptions({"--learn"}, &err));
    EXPECT_FALSE(parseAppOptions({"--compare-mode", "gguf"}, &err));
    EXPECT_EQ(err, "--compare-mode needs schemes|files|llamacpp");
}

// --llamacpp-type names one of the llama.cpp types the Compare tab measures (any case, as dtypeFromName).
TEST(AppOptions, LlamaCppDetailType) {
    std::string err;
    auto o = parseAppOptions({"m.gguf", "--llamacpp-type", "Q4_K"}, &err);
    ASSERT_TRUE(o) << err;
    EXPECT_EQ(o->llamacppType, "Q4_K");
    EXPECT_TRUE(parseAppOptions({"--llamacpp-type", "iq4_xs"}, &err)) << err;
    EXPECT_FALSE(parseAppOptions({"--llamacpp-type", "f16"}, &err));  // a dtype, but not a target type
    EXPECT_EQ(err.rfind("--llamacpp-type needs one of q8_0, q6_K", 0), 0u) << err;
    EXPECT_FALSE(parseAppOptions({"--llamacpp-type", "q9_9"}, &err));
    EXPECT_FALSE(parseAppOptions({"--llamacpp-type"}, &err));
    o = parseAppOptions({"m.gguf", "--llamacpp-model"}, &err);
    ASSERT_TRUE(o) << err;
    EXPECT_TRUE(o->llamacppModel);
    EXPECT_FALSE(parseAppOptions({"m.gguf"}, &err)->llamacppModel);
}

// --imatrix takes a file (read when the app starts; a missing value is an error).
TEST(AppOptions, Imatrix) {
    std::string err;
    auto o = parseAppOptions({"m.gguf", "--imatrix", "m.imatrix.gguf"}, &err);
    ASSERT_TRUE(o) << err;
    EXPECT_EQ(o->imatrix, "m.imatrix.gguf");
    EXPECT_FALSE(parseAppOptions({"m.gguf", "--imatrix"}, &err));
    EXPECT_NE(err.find("--imatrix"), std::string::npos) << err;
}

// --llamacpp-preset names one of llama-quantize's presets quantviz plans (aliases as llama-quantize's) and implies
// --llamacpp-model; the grid presets are refused with the reason.
TEST(AppOptions, LlamaCppPreset) {
    std::string err;
    auto o = parseAppOptions({"m.gguf", "--llamacpp-preset", "q4_k_m"}, &err);
    ASSERT_TRUE(o) << err;
    EXPECT_EQ(o->llamacppPreset, "q4_k_m");
    EXPECT_TRUE(o->llamacppModel);
    EXPECT_TRUE(parseAppOptions({"--llamacpp-preset", "Q4_K"}, &err)) << err;
    EXPECT_FALSE(parseAppOptions({"--llamacpp-preset", "IQ2_XXS"}, &err));
    EXPECT_NE(err.find("cannot encode"), std::string::npos) << err;
    EXPECT_FALSE(parseAppOptions({"--llamacpp-preset", "Q4_K_Z"}, &err));
    EXPECT_FALSE(parseAppOptions({"--llamacpp-preset"}, &err));
}

TEST(Settings, RoundTripAndValidation) {
    Settings s;
    s.bits = 4;
    s.logY = true;
    s.recentFiles = {"/a.safetensors", "/b.npy"};
    Settings r = Settings::parse(s.serialize());
    EXPECT_EQ(r.bits, 4);
    EXPECT_TRUE(r.logY);
    EXPECT_FALSE(r.asymmetric);
    EXPECT_EQ(r.recentFiles, s.recentFiles);
    Settings bad = Settings::parse("bits=99\ngarbage line\nlog_y=1\nnumber_format=fp16\n");
    EXPECT_EQ(bad.bits, 8);  // out of range: default kept
    EXPECT_TRUE(bad.logY);
    EXPECT_EQ(bad.numberFormat, "int");  // not a format quantviz has: default kept
    s.numberFormat = "nf4";
    EXPECT_EQ(Settings::parse(s.serialize()).numberFormat, "nf4");
}

}  // namespace
}  // namespace qv
