// Export: the CSV/JSON writer against hand-written text (RFC 4180 quoting, numbers, NaN/Inf), the
// framebuffer crop arithmetic, and each table builder on small tensors whose values are worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "app/app_options.h"
#include "app/app_state.h"
#include "app/export/table.h"
#include "app/export/table_builders.h"
#include "app/export/view_capture.h"
#include "app_test_support.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// [SECTION] writer

ExportTable smallTable() {
    ExportTable t;
    t.name = "demo";
    t.subject = "layers.0/w";
    t.info = {{"scheme", cellText("int8 sym per-tensor")}};
    t.columns = {"name", "value", "count", "flag"};
    t.addRow({cellText("plain"), cellNum(1.5), cellInt(42), cellBool(true)});
    t.addRow({cellText("a,b"), cellNum(0.1), cellInt(-7), cellBool(false)});
    t.addRow({cellText("say \"hi\""), cellNum(NAN), TableCell{}, cellBool(true)});
    t.addRow({cellText("two\nlines"), cellNum(INFINITY), cellInt(0), cellBool(false)});
    t.addRow({cellText("cr\rhere"), cellNum(-INFINITY), cellNum(1e-7)});  // last cell missing: empty
    return t;
}

TEST(ExportWriter, CsvQuotesPerRfc4180AndKeepsNumbers) {
    // RFC 4180 §2.6/2.7: comma, quote, CR and LF fields are quoted; quotes doubled. NaN and missing
    // cells are empty; ±inf spelled out; numbers in their shortest round-trip form.
    EXPECT_EQ(toCsv(smallTable()),
              "name,value,count,flag\n"
              "plain,1.5,42,1\n"
              "\"a,b\",0.1,-7,0\n"
              "\"say \"\"hi\"\"\",,,1\n"
              "\"two\nlines\",inf,0,0\n"
              "\"cr\rhere\",-inf,1e-07,\n");
}

TEST(ExportWriter, JsonKeepsNumbersAndMarksNonFinite) {
    // NaN and missing cells: null; ±inf: the strings "inf"/"-inf"; one row per line.
    EXPECT_EQ(toJson(smallTable()),
              "{\"table\":\"demo\",\"subject\":\"layers.0/w\",\"info\":{\"scheme\":\"int8 sym per-tensor\"},"
              "\"columns\":[\"name\",\"value\",\"count\",\"flag\"],\"rows\":[\n"
              "{\"name\":\"plain\",\"value\":1.5,\"count\":42,\"flag\":true},\n"
              "{\"name\":\"a,b\",\"value\":0.1,\"count\":-7,\"flag\":false},\n"
              "{\"name\":\"say \\\"hi\\\"\",\"value\":null,\"count\":null,\"flag\":true},\n"
              "{\"name\":\"two\\nlines\",\"value\":\"inf\",\"count\":0,\"flag\":false},\n"
              "{\"name\":\"cr\\rhere\",\"value\":\"-inf\",\"count\":1e-07,\"flag\":null}\n"
              "]}\n");
    ExportTable empty;
    empty.name = "e";
    empty.columns = {"a"};
    EXPECT_EQ(toJson(empty), "{\"table\":\"e\",\"subject\":\"\",\"info\":{},\"columns\":[\"a\"],\"rows\":[]}\n");
}

TEST(ExportWriter, NumbersRoundTripAndFileNamesAreSafe) {
    EXPECT_EQ(formatNumber(0.1), "0.1");
    EXPECT_EQ(formatNumber(1.0 / 3.0), "0.3333333333333333");
    EXPECT_EQ(std::stod(formatNumber(1.0 / 3.0)), 1.0 / 3.0);
    EXPECT_EQ(formatNumber(double(0.1f)), "0.10000000149011612");  // a float widened keeps its exact value
    EXPECT_EQ(formatNumber(-0.0), "-0");
    EXPECT_EQ(formatNumber(NAN), "nan");
    EXPECT_EQ(csvField("no quoting"), "no quoting");
    EXPECT_EQ(exportFileName(smallTable(), false), "layers.0_w-demo.csv");
    EXPECT_EQ(exportFileName(smallTable(), true), "layers.0_w-demo.json");

    std::string dir = test::tempPath("export-writer/nested");
    auto r = writeExportTable(smallTable(), false, dir);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r.value(), dir + "/layers.0_w-demo.csv");
    std::ifstream f(r.value(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str(), toCsv(smallTable()));
    auto bad = writeExportTable(smallTable(), true, "/proc/no-such-dir");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("/proc/no-such-dir/layers.0_w-demo.json"), std::string::npos);
}

// [SECTION] view capture

TEST(ViewCapture, LogicalRectScalesRoundsAndClamps) {
    // Same size: edges as they are, fractional ones rounded to the nearest pixel.
    EXPECT_EQ(framebufferRect({10, 20, 100.4f, 50.6f}, 800, 600, 800, 600), (PixelRect{10, 20, 100, 51}));
    // A 2× HiDPI framebuffer: every coordinate doubles.
    EXPECT_EQ(framebufferRect({10, 20, 100, 50}, 800, 600, 1600, 1200), (PixelRect{20, 40, 200, 100}));
    // Clamped to the framebuffer; an empty rect means the whole window.
    EXPECT_EQ(framebufferRect({700, 500, 200, 200}, 800, 600, 800, 600), (PixelRect{700, 500, 100, 100}));
    EXPECT_EQ(framebufferRect({}, 800, 600, 800, 600), (PixelRect{0, 0, 800, 600}));
    EXPECT_EQ(parseCaptureView("tab"), CaptureView::Tab);
    EXPECT_FALSE(parseCaptureView("plot"));
    EXPECT_EQ(capturePngName(CaptureView::Histogram), "quantviz-histogram.png");
}

TEST(ViewCapture, CropFlipsGlRowsAndForcesAlpha) {
    // A 4×3 framebuffer as glReadPixels gives it: GL row 0 is the bottom of the window. Pixel (x, glRow)
    // holds R = x, G = glRow, B = 7, A = 0.
    const int W = 4, H = 3;
    std::vector<uint8_t> px(size_t(W * H * 4));
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            uint8_t* p = &px[size_t((y * W + x) * 4)];
            p[0] = uint8_t(x), p[1] = uint8_t(y), p[2] = 7, p[3] = 0;
        }
    // Top-left rect x 1..2, y 0..1 (top two rows) = GL rows 2 and 1, top first.
    std::vector<uint8_t> out = cropBottomUpRgba(px.data(), W, H, PixelRect{1, 0, 2, 2});
    std::vector<uint8_t> want = {1, 2, 7, 255, 2, 2, 7, 255,   // top row = GL row 2
                                 1, 1, 7, 255, 2, 1, 7, 255};  // next = GL row 1
    EXPECT_EQ(out, want);
    EXPECT_TRUE(cropBottomUpRgba(px.data(), W, H, PixelRect{3, 0, 2, 1}).empty());  // outside: refused
}

TEST(ViewCapture, CommandLineFlags) {
    std::string err;
    auto o = parseAppOptions({"m.gguf", "--screenshot", "a.png", "--screenshot-view", "histogram", "--export-dir", "out",
                              "--export-tables"},
                             &err);
    ASSERT_TRUE(o) << err;
    EXPECT_EQ(o->screenshotView, "histogram");
    EXPECT_EQ(o->exportDir, "out");
    EXPECT_TRUE(o->exportTables);
    EXPECT_FALSE(parseAppOptions({"--screenshot", "a.png", "--screenshot-view", "plot"}, &err));
    EXPECT_NE(err.find("window|histogram|tab|browser|controls"), std::string::npos) << err;
    EXPECT_FALSE(parseAppOptions({"--screenshot-view", "tab"}, &err));  // a crop of what? needs --screenshot
    EXPECT_NE(err.find("needs --screenshot"), std::string::npos) << err;
    EXPECT_FALSE(parseAppOptions({"--export-tables"}, &err));
    EXPECT_TRUE(parseAppOptions({"--export-dir", "out"}, &err));  // the running app's export directory
}

// [SECTION] builders

// Column index by name (tests read cells by column).
size_t col(const ExportTable& t, const std::string& name) {
    for (size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i] == name) return i;
    ADD_FAILURE() << "no column " << name << " in " << t.name;
    return 0;
}
double num(const TableCell& c) {
    if (auto d = std::get_if<double>(&c)) return *d;
    if (auto i = std::get_if<int64_t>(&c)) return double(*i);
    ADD_FAILURE() << "not a number";
    return NAN;
}
int64_t integer(const TableCell& c) {
    auto i = std::get_if<int64_t>(&c);
    EXPECT_TRUE(i) << "not an integer cell";
    return i ? *i : -1;
}

// [2, 5]: with 3-bit symmetric min-max the scale is amax/3 = 1, so each code is round(x):
// −3→−3, −2.2→−2, −0.4→0, 0→0, 0.1→0 | 0.3→0, 1.2→1, 1.4→1, 2.6→3, 3→3.
// |errors|: 0, .2, .4, 0, .1 | .3, .2, .4, .4, 0 → Σe² = 0.21 + 0.45 = 0.66; MSE 0.066;
// per row: 0.21/5 = 0.042 and 0.45/5 = 0.09. Σx² = 33.26 → SQNR = 10·log10(33.26/0.66) = 17.0238 dB.
const std::vector<float> kValues = {-3.0f, -2.2f, -0.4f, 0.0f, 0.1f, 0.3f, 1.2f, 1.4f, 2.6f, 3.0f};

class ExportBuilders : public ::testing::Test {
protected:
    void SetUp() override {
        std::string path = test::tempPath("export-builders.npy");
        test::writeNpyF32(path, {2, 5}, kValues);
        ASSERT_TRUE(state.openFile(path)) << state.message().text;
        state.setBits(3);
        state.waitSettled();
        state.update(false);
        state.waitSettled();
        a = state.analysis();
        ASSERT_TRUE(a && a->activeRow() && a->activeRow()->exact);
    }
    AppState state;
    std::shared_ptr<const Analysis> a;
};

TEST_F(ExportBuilders, CodeUsageCountsEveryCode) {
    ExportTable t = codeUsageExport(*a, "x");
    ASSERT_EQ(t.rows.size(), 7u);  // codes −3..3
    const int64_t counts[7] = {1, 1, 0, 4, 2, 0, 2};
    for (size_t i = 0; i < 7; ++i) {
        EXPECT_EQ(integer(t.rows[i][col(t, "code")]), int64_t(i) - 3);
        EXPECT_EQ(integer(t.rows[i][col(t, "count")]), counts[i]) << "code " << int(i) - 3;
    }
    EXPECT_DOUBLE_EQ(num(t.rows[3][col(t, "share")]), 0.4);
    EXPECT_EQ(toCsv(t), "code,count,share\n-3,1,0.1\n-2,1,0.1\n-1,0,0\n0,4,0.4\n1,2,0.2\n2,0,0\n3,2,0.2\n");
}

TEST_F(ExportBuilders, CalibratorTableHasTheMinMaxRow) {
    ExportTable t = calibratorsExport(*a, "x");
    ASSERT_FALSE(t.rows.empty());
    size_t r = 0;
    while (r < t.rows.size() && std::get<std::string>(t.rows[r][col(t, "spec")]) != "minmax") ++r;
    ASSERT_LT(r, t.rows.size());
    const auto& row = t.rows[r];
    EXPECT_DOUBLE_EQ(num(row[col(t, "clip_min")]), -3.0);
    EXPECT_DOUBLE_EQ(num(row[col(t, "clip_max")]), 3.0);
    EXPECT_DOUBLE_EQ(num(row[col(t, "scale")]), 1.0);
    EXPECT_EQ(integer(row[col(t, "zero_point")]), 0);
    EXPECT_NEAR(num(row[col(t, "mse")]), 0.066, 1e-6);
    EXPECT_NEAR(num(row[col(t, "sqnr_db")]), 17.0238, 1e-3);
    EXPECT_NEAR(num(row[col(t, "max_abs_error")]), 0.4, 1e-6);
    EXPECT_EQ(integer(row[col(t, "codes_used")]), 5);  // −3, −2, 0, 1, 3
    EXPECT_EQ(std::get<bool>(row[col(t, "exact")]), true);
    EXPECT_EQ(t.info.front().first, "scheme");
    // best_in names the ranked columns a row wins; the lowest MSE's row lists "mse".
    size_t bestMse = 0;
    for (size_t i = 0; i < t.rows.size(); ++i)
        if (num(t.rows[i][col(t, "mse")]) < num(t.rows[bestMse][col(t, "mse")])) bestMse = i;
    if (t.rows.size() > 1) {
        EXPECT_NE(std::get<std::string>(t.rows[bestMse][col(t, "best_in")]).find("mse"), std::string::npos);
    }
}

TEST_F(ExportBuilders, ChannelsAndCompare) {
    QuantScheme s = state.scheme();
    s.granularity = Granularity::PerChannel;
    s.axis = 0;
    state.setScheme(s);
    state.waitSettled();
    state.update(false);
    state.waitSettled();
    auto pc = state.analysis();
    ASSERT_TRUE(pc && pc->activeRow() && pc->activeRow()->exact);
    ExportTable t = channelsExport(*pc, "x");
    ASSERT_EQ(t.rows.size(), 2u);
    // Both rows have amax 3 → scale 1 each; MSE 0.21/5 and 0.45/5.
    EXPECT_DOUBLE_EQ(num(t.rows[0][col(t, "scale")]), 1.0);
    EXPECT_DOUBLE_EQ(num(t.rows[1][col(t, "scale")]), 1.0);
    EXPECT_NEAR(num(t.rows[0][col(t, "mse")]), 0.042, 1e-6);
    EXPECT_NEAR(num(t.rows[1][col(t, "mse")]), 0.09, 1e-6);
    EXPECT_EQ(integer(t.rows[0][col(t, "count")]), 5);
    // The calibrator table under a per-slice scheme: no single scale or zero point → empty cells.
    ExportTable cal = calibratorsExport(*pc, "x");
    ASSERT_FALSE(cal.rows.empty());
    EXPECT_TRUE(std::isnan(num(cal.rows[0][col(cal, "scale")])));
    EXPECT_TRUE(std::isnan(num(cal.rows[0][col(cal, "zero_point")])));
    EXPECT_NE(toCsv(cal).find(",-3,3,,,"), std::string::npos) << toCsv(cal);

    // Compare: A = the per-tensor 3-bit min-max of the fixture; B = 4-bit min-max (s = 3/7).
    ASSERT_TRUE(compareExport(*a, "x").rows.empty());  // no scheme B yet
    QuantScheme b = a->scheme;
    b.bits = 4;
    state.setScheme(a->scheme);
    state.setCompare(b, "minmax");
    state.waitSettled();
    state.update(false);
    state.waitSettled();
    auto cmp = state.analysis();
    ASSERT_TRUE(cmp && cmp->compare);
    ExportTable c = compareExport(*cmp, "x");
    ASSERT_EQ(c.rows.size(), 8u);
    EXPECT_EQ(std::get<std::string>(c.rows[2][0]), "mse");
    EXPECT_NEAR(num(c.rows[2][col(c, "a")]), 0.066, 1e-6);
    double bm = num(c.rows[2][col(c, "b")]);
    EXPECT_LT(bm, 0.066);  // one more bit: finer steps
    EXPECT_NEAR(num(c.rows[2][col(c, "b_minus_a")]), bm - 0.066, 1e-6);
    EXPECT_DOUBLE_EQ(num(c.rows[1][col(c, "b")]), 3.0);  // clip_max of B (min-max)
}

TEST_F(ExportBuilders, OverviewTensorListAndMetadata) {
    state.startSweep();
    state.waitSettled();
    auto o = state.overview();
    ASSERT_TRUE(o && o->rows.size() == 1u);
    const ModelFile& model = *state.currentDocument()->model;
    ExportTable t = overviewExport(*o, model);
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(std::get<std::string>(t.rows[0][col(t, "shape")]), "2x5");
    EXPECT_EQ(integer(t.rows[0][col(t, "elements")]), 10);
    EXPECT_DOUBLE_EQ(num(t.rows[0][col(t, "min")]), -3.0);
    EXPECT_DOUBLE_EQ(num(t.rows[0][col(t, "max")]), 3.0);
    EXPECT_NEAR(num(t.rows[0][col(t, "sqnr_db:minmax")]), 17.0238, 1e-3);
    EXPECT_EQ(std::get<bool>(t.rows[0][col(t, "sqnr_exact")]), true);  // settled: the exact refinement ran
    EXPECT_EQ(t.subject, "export-builders.npy");

    const uint64_t doc = state.currentDocument()->id;
    ExportTable list = tensorListExport(model, [&](size_t i) { return state.cachedSummary(doc, i); });
    ASSERT_EQ(list.rows.size(), 1u);
    EXPECT_EQ(integer(list.rows[0][col(list, "bytes")]), 40);
    EXPECT_DOUBLE_EQ(num(list.rows[0][col(list, "min")]), -3.0);
    EXPECT_EQ(std::get<std::string>(list.rows[0][col(list, "dtype")]), "f32");
    EXPECT_TRUE(metadataExport(model).rows.empty());  // .npy carries no metadata
}

TEST(ExportBuildersFiles, SafetensorsMetadataIsQuotedInCsv) {
    // A safetensors file written by hand: 8-byte header length, JSON header, 8 bytes of data (2 floats).
    std::string header = R"({"__metadata__":{"note":"a,b \"q\"","k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    while (header.size() % 8) header += ' ';
    std::string path = test::tempPath("export-meta.safetensors");
    {
        std::ofstream f(path, std::ios::binary);
        uint64_t n = header.size();
        f.write(reinterpret_cast<const char*>(&n), 8);
        f << header;
        float v[2] = {1.0f, -2.0f};
        f.write(reinterpret_cast<const char*>(v), 8);
    }
    AppState state;
    ASSERT_TRUE(state.openFile(path)) << state.message().text;
    ExportTable t = metadataExport(*state.currentDocument()->model);
    ASSERT_EQ(t.rows.size(), 2u);
    std::string csv = toCsv(t);
    EXPECT_NE(csv.find("note,\"a,b \"\"q\"\"\"\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("k,v\n"), std::string::npos) << csv;
    ExportTable list = tensorListExport(*state.currentDocument()->model, nullptr);
    EXPECT_EQ(toCsv(list), "tensor,dtype,shape,elements,bytes,min,max,std,outlier_share\nw,f32,2,2,8,,,,\n");
}

TEST(ExportBuildersFiles, TwoFilesComparison) {
    // A = {1, 2, 3, 4}, B = {1, 2.5, 3, 3}: B − A = {0, 0.5, 0, −1}: 2 equal, mean −0.125, MSE 1.25/4 =
    // 0.3125, max |e| 1; Σx_A² = 30 → relative RMS √(1.25/30) = 0.2041241, SQNR 10·log10(30/1.25) = 13.80211 dB.
    std::string pa = test::tempPath("export-files-a.npy"), pb = test::tempPath("export-files-b.npy");
    test::writeNpyF32(pa, {4}, {1, 2, 3, 4});
    test::writeNpyF32(pb, {4}, {1, 2.5f, 3, 3});
    AppState state;
    ASSERT_TRUE(state.openFile(pa));
    ASSERT_TRUE(state.openReference(pb)) << state.message().text;
    state.requestFileComparison();
    state.waitSettled();
    auto fc = state.fileComparison();
    ASSERT_TRUE(fc && fc->error.empty()) << (fc ? fc->error : "no comparison");
    ExportTable t = fileComparisonExport(*fc);
    auto value = [&](const std::string& metric) -> double {
        for (const auto& r : t.rows)
            if (std::get<std::string>(r[0]) == metric) return num(r[1]);
        ADD_FAILURE() << "no row " << metric;
        return NAN;
    };
    EXPECT_EQ(value("count"), 4);
    EXPECT_EQ(value("equal"), 2);
    EXPECT_DOUBLE_EQ(value("mean_b_minus_a"), -0.125);
    EXPECT_DOUBLE_EQ(value("mse"), 0.3125);
    EXPECT_DOUBLE_EQ(value("max_abs_error"), 1.0);
    EXPECT_NEAR(value("relative_rms"), 0.2041241, 1e-6);
    EXPECT_NEAR(value("sqnr_db"), 13.80211, 1e-5);
    EXPECT_EQ(t.name, "compare-files");
    ASSERT_FALSE(t.info.empty());
    auto signal = std::find_if(t.info.begin(), t.info.end(), [](const auto& kv) { return kv.first == "signal"; });
    ASSERT_NE(signal, t.info.end());
    EXPECT_EQ(std::get<std::string>(signal->second), "a");  // both float32: A is the signal
}

TEST(ExportBuildersData, StoredComparisonNamesTheStoredSideWhenItIsTheSecondFile) {
    // The F32 file open, its Q4_K twin as the second file: the open tensor is the reference, so the
    // stored type and bits per weight come from the comparison, not from the open tensor's dtype.
    StoredComparison c;
    c.referenceType = "f32";
    c.storedInSecond = true;
    c.storedTypeName = "q4_K";
    c.storedBitsPerWeight = 4.5;
    TensorInfo open;
    open.name = "blk.0.ffn_up.weight";
    open.dtype = DType::F32;
    open.shape = {4, 256};
    ExportTable t = storedComparisonExport(c, open);
    auto info = [&](const std::string& key) -> TableCell {
        for (const auto& kv : t.info)
            if (kv.first == key) return kv.second;
        ADD_FAILURE() << "no info " << key;
        return {};
    };
    EXPECT_EQ(std::get<std::string>(info("stored_type")), "q4_K");
    EXPECT_EQ(std::get<std::string>(info("stored_in")), "second file");
    EXPECT_DOUBLE_EQ(std::get<double>(info("bits_per_weight")), 4.5);
}

TEST(ExportBuildersData, HeatmapTopKAndRanges) {
    // 2 × 3 matrix {1, −5, 2 | 0.5, 4, −3}; 4-bit symmetric with scale 1: integers are exact, 0.5 rounds
    // to 0 or 1 — error ±0.5 either way — so it carries all of Σe² = 0.25.
    const std::vector<float> v = {1.0f, -5.0f, 2.0f, 0.5f, 4.0f, -3.0f};
    QuantScheme s;
    s.bits = 4;
    QuantParams p;
    p.scheme = s;
    p.slices = {SliceParams{1.0f, 0, ClipRange{-7, 7}}};
    HeatmapQuant q{s, p, SliceLayout::make(s, {2, 3})};
    auto d = buildHeatmapData(v.data(), MatrixLayout{2, 3, 0}, q);
    ASSERT_TRUE(d);
    ExportTable t = heatmapTopKExport(*d, "m");
    ASSERT_EQ(t.rows.size(), 6u);
    // Descending |x|: −5 (index 1: row 0, col 1), 4 (index 4), −3 (index 5), 2, 1, 0.5.
    EXPECT_EQ(integer(t.rows[0][col(t, "index")]), 1);
    EXPECT_EQ(integer(t.rows[0][col(t, "row")]), 0);
    EXPECT_EQ(integer(t.rows[0][col(t, "col")]), 1);
    EXPECT_DOUBLE_EQ(num(t.rows[0][col(t, "value")]), -5.0);
    EXPECT_DOUBLE_EQ(num(t.rows[0][col(t, "error_share")]), 0.0);
    EXPECT_EQ(integer(t.rows[5][col(t, "index")]), 3);
    EXPECT_DOUBLE_EQ(std::fabs(num(t.rows[5][col(t, "error")])), 0.5);
    EXPECT_DOUBLE_EQ(num(t.rows[5][col(t, "error_share")]), 1.0);

    // Column ranges 0.5, 9, 5 (median 5): with k = 1.5 only column 1 (9 > 7.5) is an outlier.
    ExportTable c = heatmapRangesExport(*d, HeatmapAxis::Columns, 1.5, "m");
    ASSERT_EQ(c.rows.size(), 3u);
    EXPECT_DOUBLE_EQ(num(c.rows[1][col(c, "min")]), -5.0);
    EXPECT_DOUBLE_EQ(num(c.rows[1][col(c, "range")]), 9.0);
    EXPECT_EQ(std::get<bool>(c.rows[0][col(c, "outlier")]), false);
    EXPECT_EQ(std::get<bool>(c.rows[1][col(c, "outlier")]), true);
    EXPECT_EQ(std::get<bool>(c.rows[2][col(c, "outlier")]), false);
    ExportTable r = heatmapRangesExport(*d, HeatmapAxis::Rows, 1.5, "m");
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_DOUBLE_EQ(num(r.rows[1][col(r, "max")]), 4.0);
    EXPECT_EQ(r.name, "heatmap-row-ranges");
}

TEST(ExportBuildersData, GemmChannelsAndTimings) {
    QuantizedGemmRun run;
    run.M = 2, run.N = 2, run.K = 1000;
    run.secondsInt8 = 0.002, run.secondsFp32 = 0.004;
    run.comparison.total.mse = 0.25;
    run.comparison.perChannel.resize(2);
    run.comparison.perChannel[1].mse = 0.25;
    run.comparison.perChannel[1].count = 2;
    run.comparison.perChannel[1].sqnrDb = INFINITY;
    ExportTable ch = gemmChannelsExport(run, "gemm-w");
    ASSERT_EQ(ch.rows.size(), 2u);
    EXPECT_DOUBLE_EQ(num(ch.rows[1][col(ch, "rmse")]), 0.5);
    EXPECT_EQ(toCsv(ch).substr(toCsv(ch).find("\n1,")), "\n1,2,0.25,0.5,inf,1,0,0\n");
    ExportTable tm = gemmTimingsExport(run, "gemm-w");
    // 2·M·N·K = 8000 operations in 2 ms = 0.004 Gop/s; fp32 in 4 ms = 0.002 Gflop/s.
    bool sawInt8 = false;
    for (const auto& row : tm.rows)
        if (std::get<std::string>(row[0]) == "gops_int8") {
            EXPECT_NEAR(num(row[1]), 0.004, 1e-12);
            sawInt8 = true;
        }
    EXPECT_TRUE(sawInt8);
}

}  // namespace
}  // namespace qv

namespace qv {
namespace {

// The llama.cpp tables: a computed row, a fallback, a pending row (empty numbers, a note); the CSV is exact.
TEST(ExportBuildersData, LlamaCppTypesAndWholeModel) {
    GgmlRequantComparison c;
    c.complete = true;
    GgmlRequantComparison::Row q8;
    q8.type = q8.written = DType::Q8_0;
    q8.bitsPerWeight = 8.5;
    q8.stats.mse = 0.25;
    q8.stats.sqnrDb = 40;
    q8.relativeRms = 0.01;
    q8.stats.maxAbsError = 0.5;
    q8.stats.cosine = 1;
    GgmlRequantComparison::Row q4k;
    q4k.type = DType::Q4_K;
    q4k.written = DType::Q5_0;
    q4k.bitsPerWeight = 5.5;
    q4k.pending = true;
    c.rows = {q8, q4k};
    const ExportTable t = ggmlRequantExport(c, "w");
    EXPECT_EQ(toCsv(t),
              "type,written_as,bits_per_weight,mse,sqnr_db,relative_rms,max_abs_error,cosine,note\n"
              "q8_0,q8_0,8.5,0.25,40,0.01,0.5,1,\n"
              "q4_K,q5_0,5.5,,,,,,not computed yet\n");
    EXPECT_EQ(exportFileName(t, false), "w-llamacpp-types.csv");

    GgmlModelComparison m;
    m.tensors = 2;
    GgmlModelTotals q40{DType::Q4_0};
    q40.sumSqErr = 1;
    q40.sumSqX = 100;  // relative RMS sqrt(1/100) = 0.1
    q40.bits = 4.5 * 64 + 32 * 64;
    q40.elements = 128;  // (4.5 + 32) / 2 = 18.25 bits per weight
    m.totals = {q40};
    ModelFile model;
    model.path = "m.gguf";
    EXPECT_EQ(toCsv(ggmlModelExport(m, model)), "type,bits_per_weight,relative_rms,elements\nq4_0,18.25,0.1,128\n");
}

}  // namespace
}  // namespace qv
