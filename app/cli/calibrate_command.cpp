// `quantviz-cli calibrate`: every calibrator's clip range, scale, zero point and error for one tensor.
#include <iostream>
#include <memory>

#include "app/cli/cli_calibration.h"
#include "app/cli/cli_support.h"
#include "core/metrics/error_stats.h"

namespace qv::cli {

namespace {

struct CalibrateOptions {
    std::string file;
    std::string tensor;
    SchemeFlags scheme;
    std::string calibrators = "all";
    bool json = false;
};

struct Row {
    std::unique_ptr<Calibrator> calibrator;
    QuantParams params;
    ErrorStats error;
    std::vector<CalibratorNote> notes;
};

template <class F>
Json perSlice(const QuantParams& p, bool array, F&& get) {
    if (!array) return get(p.slices.at(0));
    Json a = Json::array();
    for (const auto& s : p.slices) a.push_back(get(s));
    return a;
}

std::string sliceText(const QuantParams& p, double (*get)(const SliceParams&)) {
    if (p.slices.size() == 1) return formatNumber(get(p.slices[0]));
    double lo = get(p.slices[0]), hi = lo;
    for (const auto& s : p.slices) {
        lo = std::min(lo, get(s));
        hi = std::max(hi, get(s));
    }
    return formatNumber(lo, 4) + ".." + formatNumber(hi, 4);
}

int runCalibrate(const CalibrateOptions& o) {
    const SelectedTensor t = selectTensor(o.file, o.tensor);
    const TensorInfo& info = t.info();
    const QuantScheme scheme = makeScheme(o.scheme, info.shape);
    std::vector<Row> rows;
    for (const auto& spec : expandCalibratorList(o.calibrators, o.scheme.preset))
        rows.push_back({makeCalibratorOrFail(spec), {}, {}});

    const std::vector<float> values = readAllFloats(t);
    auto summary = summarize(t.view());
    if (!summary) failData(t.label() + ": " + summary.message());
    for (Row& r : rows) {
        r.params = calibrateParams(*r.calibrator, scheme, info.shape, values, **summary);
        auto report = measureError(t.view(), r.params, nullptr, metricsOnly());
        if (!report) failData(t.label() + ": " + report.message());
        r.error = (*report)->total;
        // Per-tensor only: per slice each slice may pick differently.
        if (scheme.granularity == Granularity::PerTensor) r.notes = calibratorNotes(*r.calibrator, **summary, scheme);
    }

    const bool array = scheme.granularity != Granularity::PerTensor;
    if (o.json) {
        Json j;
        Json tj;
        tj["file"] = t.model->path;
        tj["name"] = info.name;
        tj["dtype"] = std::string(dtypeName(info.dtype));
        tj["shape"] = info.shape;
        tj["elements"] = info.elements();
        j["tensor"] = tj;
        j["scheme"] = schemeJson(scheme);
        Json list = Json::array();
        for (const Row& r : rows) {
            Json c;
            c["name"] = r.calibrator->name();
            if (!r.calibrator->arg().empty()) c["arg"] = r.calibrator->arg();
            for (const auto& n : r.notes) c[n.key] = n.value;
            c["clip_min"] = perSlice(r.params, array, [](const SliceParams& s) { return Json(s.clip.lo); });
            c["clip_max"] = perSlice(r.params, array, [](const SliceParams& s) { return Json(s.clip.hi); });
            c["scale"] = perSlice(r.params, array, [](const SliceParams& s) { return Json(double(s.scale)); });
            // A level format has no zero point (0 is one of its levels): null.
            if (scheme.levelTable()) c["zero_point"] = nullptr;
            else c["zero_point"] = perSlice(r.params, array, [](const SliceParams& s) { return Json(s.zeroPoint); });
            c["mse"] = r.error.mse;
            c["sqnr_db"] = jsonNumber(r.error.sqnrDb);
            c["max_abs_error"] = r.error.maxAbsError;
            c["clipped_fraction"] = r.error.clippedFraction;
            list.push_back(std::move(c));
        }
        j["calibrators"] = std::move(list);
        std::cout << j.dump(2) << "\n";
        return kExitOk;
    }

    std::cout << info.name << " (" << dtypeName(info.dtype) << " " << info.shapeString() << ", " << t.model->path
              << "): " << scheme.describe() << "\n";
    std::vector<std::vector<std::string>> table = {
        {"calibrator", "clip_min", "clip_max", "scale", "zero_point", "mse", "sqnr_db", "max_abs_err", "clipped%"}};
    for (const Row& r : rows)
        table.push_back({r.calibrator->label() + (r.notes.empty() ? "" : " (" + r.notes[0].value + ")"), sliceText(r.params, [](const SliceParams& s) { return s.clip.lo; }),
                         sliceText(r.params, [](const SliceParams& s) { return s.clip.hi; }),
                         sliceText(r.params, [](const SliceParams& s) { return double(s.scale); }),
                         scheme.levelTable() ? std::string("-")
                                             : sliceText(r.params, [](const SliceParams& s) { return double(s.zeroPoint); }),
                         formatNumber(r.error.mse), formatNumber(r.error.sqnrDb, 5), formatNumber(r.error.maxAbsError),
                         formatNumber(100.0 * r.error.clippedFraction, 4)});
    std::vector<size_t> width(table[0].size(), 0);
    for (const auto& row : table)
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (const auto& row : table) {
        std::string line;
        for (size_t c = 0; c < row.size(); ++c) {
            const std::string pad(width[c] - row[c].size(), ' ');
            line += c == 0 ? row[c] + pad : "  " + pad + row[c];
        }
        std::cout << line << "\n";
    }
    return kExitOk;
}

}  // namespace

Command addCalibrateCommand(CLI::App& root) {
    auto o = std::make_shared<CalibrateOptions>();
    CLI::App* sub = root.add_subcommand(
        "calibrate",
        "Run calibrators on one tensor: each one's clip range, scale, zero point, MSE, SQNR, max error and clipped "
        "share (default scheme: 8 bits, symmetric, per tensor)");
    sub->add_option("IN", o->file, "An .npy, or a model file with --tensor NAME")->required();
    sub->add_option("--tensor", o->tensor, "Tensor name inside IN (optional when IN holds one tensor)");
    addSchemeOptions(*sub, o->scheme, true);
    sub->add_option("--calibrators", o->calibrators,
                    "all (default) or a comma list of name[:arg]: minmax, percentile[:P] (default 99.99), mse, "
                    "entropy, cross-entropy, aciq[:laplace|gauss] (plain aciq picks the fit with the lower expected "
                    "error), omse, histogram (PyTorch HistogramObserver; in `all` only with --preset pytorch)");
    sub->add_flag("--json", o->json,
                  "Print {\"tensor\", \"scheme\", \"calibrators\": [{\"name\", \"arg\"?, \"clip_min\", \"clip_max\", "
                  "\"scale\", \"zero_point\", \"mse\", \"sqnr_db\", \"max_abs_error\", \"clipped_fraction\"}]}; "
                  "clip/scale/zero point are arrays per channel or group (zero_point null for --number-format "
                  "other than int); sqnr_db is null when infinite");
    return {sub, [o] { return runCalibrate(*o); }};
}

}  // namespace qv::cli
