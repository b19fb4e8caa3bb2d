// `quantviz-cli report FILE`: the whole-model sweep, per tensor × calibrator, streamed one tensor at a time.
//
// Memory stays at one tensor: each tensor is read (mmap pages), summarized, calibrated and measured,
// its row printed, and everything it held released before the next one — so files larger than RAM
// work. A progress bar goes to stderr only when stderr is a terminal (isatty), never into pipes.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "app/cli/cli_calibration.h"
#include "app/cli/cli_support.h"
#include "core/metrics/error_stats.h"

namespace qv::cli {

namespace {

struct ReportOptions {
    std::string file;
    SchemeFlags scheme;
    std::string calibrators = "all";
    std::string format = "table";
};

struct CalibResult {
    std::string name, arg, label, fit;
    double clipMin = 0, clipMax = 0;  // per slice: the lowest clip_min and the highest clip_max
    bool perTensor = true;
    float scale = 1;
    int32_t zeroPoint = 0;
    ErrorStats error;
};

class ProgressLine {
public:
    explicit ProgressLine(size_t total) : m_total(total), m_enabled(::isatty(STDERR_FILENO) == 1) {}
    void show(size_t done, const std::string& name) const {
        if (!m_enabled) return;
        constexpr int kWidth = 30;
        const int filled = m_total ? static_cast<int>(kWidth * done / m_total) : kWidth;
        std::string bar(static_cast<size_t>(filled), '#');
        bar.resize(kWidth, ' ');
        std::string label = name.size() > 40 ? "…" + name.substr(name.size() - 39) : name;
        std::fprintf(stderr, "\r\x1b[K[%s] %zu/%zu %s", bar.c_str(), done, m_total, label.c_str());
        std::fflush(stderr);
    }
    void finish() const {
        if (!m_enabled) return;
        std::fprintf(stderr, "\r\x1b[K");
        std::fflush(stderr);
    }

private:
    size_t m_total;
    bool m_enabled;
};

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csvNumber(double v) { return formatNumber(v, 9); }

int runReport(const ReportOptions& o) {
    auto model = openOrFail(o.file);
    const auto specs = expandCalibratorList(o.calibrators, o.scheme.preset);
    std::vector<std::unique_ptr<Calibrator>> calibrators;
    for (const auto& spec : specs) calibrators.push_back(makeCalibratorOrFail(spec));
    // Checks the scheme flags once, on a 2-D shape, so that a typo fails before any work.
    const bool levelFormat = makeScheme(o.scheme, {2, 2}).levelTable() != nullptr;

    const bool json = o.format == "json", csv = o.format == "csv";
    size_t wName = 6;
    for (const auto& t : model->tensors) wName = std::max(wName, t.name.size());
    size_t wCal = 10;
    for (const auto& c : calibrators) wCal = std::max(wCal, c->label().size() + 10);
    char line[1024];
    if (json) {
        Json head;
        head["file"] = model->path;
        head["format"] = model->format;
        // What the codes are: the scheme of a 2-D tensor (per tensor/channel/group as given).
        head["scheme"] = schemeJson(makeScheme(o.scheme, {2, 2}));
        std::string h = head.dump();
        h.pop_back();  // reopen the object to stream the tensor array into it
        std::cout << h << ",\"calibrators\":" << Json(specs).dump() << ",\"tensors\":[\n";
    } else if (csv) {
        std::cout << "tensor,dtype,shape,elements,calibrator,arg,clip_min,clip_max,scale,zero_point,mse,sqnr_db,"
                     "max_abs_error,clipped_fraction\n";
    } else {
        std::snprintf(line, sizeof line, "%-*s  %-*s  %13s  %13s  %12s  %9s  %12s  %8s", int(wName), "tensor",
                      int(wCal), "calibrator", "clip_min", "clip_max", "mse", "sqnr_db", "max_abs_err", "clipped%");
        std::cout << line << "\n";
    }

    ProgressLine progress(model->tensors.size());
    size_t skipped = 0;
    bool firstJson = true;
    for (size_t i = 0; i < model->tensors.size(); ++i) {
        const TensorInfo& info = model->tensors[i];
        progress.show(i, info.name);
        const std::string where = model->path + ": tensor '" + info.name + "'";
        if (info.elements() == 0) {
            progress.finish();
            std::cerr << "report: skipping " << where << ": empty\n";
            ++skipped;
            continue;
        }
        QuantScheme scheme;
        try {
            scheme = makeScheme(o.scheme, info.shape);
        } catch (const CliFailure& e) {
            // e.g. channel:1 on a 1-D norm weight: that tensor is skipped, the sweep goes on.
            progress.finish();
            std::cerr << "report: skipping " << where << ": " << e.what() << "\n";
            ++skipped;
            continue;
        }
        const TensorView view = model->view(i);
        auto values = view.toFloat();
        if (!values) {  // a storage type this build cannot decode: report it, keep sweeping
            progress.finish();
            std::cerr << "report: skipping " << where << ": " << values.message() << "\n";
            ++skipped;
            continue;
        }
        auto summary = summarize(view);
        if (!summary) failData(where + ": " + summary.message());

        std::vector<CalibResult> results;
        for (const auto& c : calibrators) {
            QuantParams params = calibrateParams(*c, scheme, info.shape, *values, **summary);
            auto err = measureError(view, params, nullptr, metricsOnly());
            if (!err) failData(where + ": " + err.message());
            CalibResult r;
            r.name = c->name();
            r.arg = c->arg();
            r.label = c->label();
            if (scheme.granularity == Granularity::PerTensor)
                for (const auto& n : calibratorNotes(*c, **summary, scheme)) {
                    r.label += " (" + n.value + ")";
                    r.fit = n.value;
                }
            r.perTensor = params.slices.size() == 1 && scheme.granularity == Granularity::PerTensor;
            r.clipMin = params.slices.at(0).clip.lo;
            r.clipMax = params.slices.at(0).clip.hi;
            for (const auto& s : params.slices) {
                r.clipMin = std::min(r.clipMin, s.clip.lo);
                r.clipMax = std::max(r.clipMax, s.clip.hi);
            }
            r.scale = params.slices[0].scale;
            r.zeroPoint = params.slices[0].zeroPoint;
            r.error = (*err)->total;
            results.push_back(std::move(r));
        }
        values = makeError("released");  // drop this tensor's floats before the next one
        // The winner by exact SQNR (an infinite SQNR — no error — wins; ties keep the first listed).
        size_t best = 0;
        for (size_t k = 1; k < results.size(); ++k)
            if (results[k].error.sqnrDb > results[best].error.sqnrDb) best = k;

        progress.finish();
        if (json) {
            Json t;
            t["name"] = info.name;
            t["dtype"] = std::string(dtypeName(info.dtype));
            t["shape"] = info.shape;
            t["elements"] = info.elements();
            t["std"] = (*summary)->std;
            Json list = Json::array();
            for (const auto& r : results) {
                Json c;
                c["name"] = r.name;
                if (!r.arg.empty()) c["arg"] = r.arg;
                if (!r.fit.empty()) c["fit"] = r.fit;
                c["clip_min"] = r.clipMin;
                c["clip_max"] = r.clipMax;
                if (r.perTensor) {
                    c["scale"] = double(r.scale);
                    if (levelFormat) c["zero_point"] = nullptr;  // 0 is one of a level format's levels
                    else c["zero_point"] = r.zeroPoint;
                }
                c["mse"] = r.error.mse;
                c["sqnr_db"] = jsonNumber(r.error.sqnrDb);
                c["max_abs_error"] = r.error.maxAbsError;
                c["clipped_fraction"] = r.error.clippedFraction;
                list.push_back(std::move(c));
            }
            t["calibrators"] = std::move(list);
            if (!results.empty()) t["best"] = results[best].label;
            std::cout << (firstJson ? "" : ",\n") << t.dump();
            firstJson = false;
        } else {
            for (size_t k = 0; k < results.size(); ++k) {
                const CalibResult& r = results[k];
                if (csv) {
                    std::cout << csvField(info.name) << "," << dtypeName(info.dtype) << "," << shapeJoined(info.shape)
                              << "," << info.elements() << "," << r.name << "," << csvField(r.arg) << ","
                              << csvNumber(r.clipMin) << "," << csvNumber(r.clipMax) << ","
                              << (r.perTensor ? csvNumber(r.scale) : "") << ","
                              << (r.perTensor && !levelFormat ? std::to_string(r.zeroPoint) : "") << ","
                              << csvNumber(r.error.mse)
                              << "," << csvNumber(r.error.sqnrDb) << "," << csvNumber(r.error.maxAbsError) << ","
                              << csvNumber(r.error.clippedFraction) << "\n";
                } else {
                    std::snprintf(line, sizeof line, "%-*s  %-*s  %13s  %13s  %12s  %9s  %12s  %8s", int(wName),
                                  info.name.c_str(), int(wCal), r.label.c_str(), formatNumber(r.clipMin).c_str(),
                                  formatNumber(r.clipMax).c_str(), formatNumber(r.error.mse, 5).c_str(),
                                  formatNumber(r.error.sqnrDb, 5).c_str(), formatNumber(r.error.maxAbsError, 5).c_str(),
                                  formatNumber(100.0 * r.error.clippedFraction, 4).c_str());
                    std::cout << line << (k == best && results.size() > 1 ? "  *" : "") << "\n";
                }
            }
        }
        std::cout.flush();
    }
    progress.finish();
    if (json) std::cout << "\n]}\n";
    if (skipped) std::cerr << "report: " << skipped << " tensor(s) skipped\n";
    return kExitOk;
}

}  // namespace

Command addReportCommand(CLI::App& root) {
    auto o = std::make_shared<ReportOptions>();
    CLI::App* sub = root.add_subcommand(
        "report",
        "Whole-model sweep: every tensor × calibrator (clip range, MSE, SQNR, max error, clipped share), streamed "
        "one tensor at a time; a progress bar on stderr when it is a terminal");
    sub->add_option("FILE", o->file, "Model file (any format quantviz opens)")->required();
    addSchemeOptions(*sub, o->scheme, true);
    sub->add_option("--calibrators", o->calibrators,
                    "all (default; with --preset, that tool's calibrators) or a comma list of name[:arg]");
    sub->add_option("--format", o->format,
                    "table (default), csv (one row per tensor × calibrator), or json ({file, format, scheme, calibrators, "
                    "tensors: [{name, dtype, shape, elements, std, calibrators: [...], best}]}, one tensor per line); in the "
                    "table, * marks each tensor's best calibrator by SQNR")
        ->check(CLI::IsMember({"table", "json", "csv"}));
    return {sub, [o] { return runReport(*o); }};
}

}  // namespace qv::cli
