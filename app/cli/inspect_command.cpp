// `quantviz-cli inspect FILE [--stats] [--json]`: every tensor's name, stored dtype, shape, elements (+ stats).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/cli/cli_support.h"
#include "core/stats/tensor_summary.h"

namespace qv::cli {

namespace {

struct InspectOptions {
    std::string file;
    bool stats = false;
    bool json = false;
};

std::string padRight(const std::string& s, size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); }
std::string padLeft(const std::string& s, size_t w) { return std::string(w > s.size() ? w - s.size() : 0, ' ') + s; }

// One pass per tensor (one tensor in memory at a time); a tensor that cannot be decoded fails the
// command with its name, because a silently missing row would read as "no NaN here".
std::shared_ptr<const TensorSummary> summarizeOrFail(const ModelFile& model, size_t i) {
    auto summary = summarize(model.view(i));
    if (!summary) failData(model.path + ": tensor '" + model.tensors[i].name + "': " + summary.message());
    return std::move(summary).value();
}

int runInspect(const InspectOptions& o) {
    auto model = openOrFail(o.file);
    const auto& tensors = model->tensors;

    if (o.json) {
        Json out;
        out["file"] = model->path;
        out["format"] = model->format;
        Json list = Json::array();
        for (size_t i = 0; i < tensors.size(); ++i) {
            const TensorInfo& t = tensors[i];
            Json j;
            j["name"] = t.name;
            j["dtype"] = std::string(dtypeName(t.dtype));
            j["shape"] = t.shape;
            j["elements"] = t.elements();
            if (o.stats) {
                auto s = summarizeOrFail(*model, i);
                j["min"] = s->hasFinite() ? Json(s->min) : Json(nullptr);
                j["max"] = s->hasFinite() ? Json(s->max) : Json(nullptr);
                j["mean"] = s->hasFinite() ? jsonNumber(s->mean) : Json(nullptr);
                j["std"] = s->hasFinite() ? jsonNumber(s->std) : Json(nullptr);
                j["nan"] = s->nanCount;
                j["inf"] = s->posInfCount + s->negInfCount;
            }
            list.push_back(std::move(j));
        }
        out["tensors"] = std::move(list);
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }

    // Aligned table; the widths come from the headers alone, so rows stream out as stats finish.
    size_t wName = 4, wType = 5, wShape = 5, wElems = 8;
    for (const TensorInfo& t : tensors) {
        wName = std::max(wName, t.name.size());
        wType = std::max(wType, dtypeName(t.dtype).size());
        wShape = std::max(wShape, t.shapeString().size());
        wElems = std::max(wElems, std::to_string(t.elements()).size());
    }
    constexpr size_t wNum = 13, wCount = 8;
    std::string header = padRight("name", wName) + "  " + padRight("dtype", wType) + "  " +
                         padRight("shape", wShape) + "  " + padLeft("elements", wElems);
    if (o.stats)
        header += "  " + padLeft("min", wNum) + "  " + padLeft("max", wNum) + "  " + padLeft("mean", wNum) + "  " +
                  padLeft("std", wNum) + "  " + padLeft("nan", wCount) + "  " + padLeft("inf", wCount);
    std::cout << header << "\n";
    for (size_t i = 0; i < tensors.size(); ++i) {
        const TensorInfo& t = tensors[i];
        std::string row = padRight(t.name, wName) + "  " + padRight(std::string(dtypeName(t.dtype)), wType) + "  " +
                          padRight(t.shapeString(), wShape) + "  " + padLeft(std::to_string(t.elements()), wElems);
        if (o.stats) {
            auto s = summarizeOrFail(*model, i);
            auto num = [&](double v) { return padLeft(s->hasFinite() ? formatNumber(v) : "-", wNum); };
            row += "  " + num(s->min) + "  " + num(s->max) + "  " + num(s->mean) + "  " + num(s->std) + "  " +
                   padLeft(std::to_string(s->nanCount), wCount) + "  " +
                   padLeft(std::to_string(s->posInfCount + s->negInfCount), wCount);
        }
        // Trailing spaces of the last padded column are trimmed so golden files stay tidy.
        row.erase(row.find_last_not_of(' ') + 1);
        std::cout << row << "\n" << std::flush;
    }
    std::cout << tensors.size() << (tensors.size() == 1 ? " tensor, " : " tensors, ") << model->totalElements()
              << " elements (" << model->format << ")\n";
    return kExitOk;
}

}  // namespace

Command addInspectCommand(CLI::App& root) {
    auto o = std::make_shared<InspectOptions>();
    CLI::App* sub = root.add_subcommand(
        "inspect", "List every tensor of a file: name, stored dtype, shape (numpy order), element count");
    sub->add_option("FILE", o->file, "Model or tensor file (.npy, .safetensors, model.safetensors.index.json, …)")
        ->required();
    sub->add_flag("--stats", o->stats,
                  "Also read every tensor once: min, max, mean, std (population) over finite values, and the "
                  "NaN and Inf counts");
    sub->add_flag("--json", o->json,
                  "Print {\"file\", \"format\", \"tensors\": [{\"name\", \"dtype\", \"shape\", \"elements\" "
                  "(, \"min\", \"max\", \"mean\", \"std\", \"nan\", \"inf\")}]} on stdout");
    return {sub, [o] { return runInspect(*o); }};
}

}  // namespace qv::cli
