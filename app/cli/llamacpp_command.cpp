// `quantviz-cli llamacpp FILE [--tensor NAME] [--types q8_0,q4_0,...] [--json]`: every weight tensor as
// llama.cpp's Q8_0 … Q4_0 would store it — encoded as llama-quantize writes (without an importance
// matrix), decoded as llama.cpp reads — with its error, and the whole model per type.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "app/cli/cli_support.h"
#include "core/metrics/ggml_requant.h"

namespace qv::cli {

namespace {

struct LlamaOptions {
    std::string file;
    std::string tensor;
    std::string types;
    bool json = false;
};

std::string padRight(const std::string& s, size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); }
std::string padLeft(const std::string& s, size_t w) { return std::string(w > s.size() ? w - s.size() : 0, ' ') + s; }

// "q8_0, q6_K, …": the types ggmlRequantTypes() measures, in its order.
std::string requantTypeList(const char* separator) {
    std::string out;
    for (DType t : ggmlRequantTypes()) {
        if (!out.empty()) out += separator;
        out += dtypeName(t);
    }
    return out;
}

int runLlama(const LlamaOptions& o) {
    std::vector<DType> types;
    if (o.types.empty()) {
        types = ggmlRequantTypes();
    } else {
        for (const auto& name : splitList(o.types)) {
            auto t = dtypeFromName(name);
            if (!t || std::find(ggmlRequantTypes().begin(), ggmlRequantTypes().end(), *t) == ggmlRequantTypes().end())
                failUsage("--types: '" + name + "' is not one of " + requantTypeList(", "));
            types.push_back(*t);
        }
    }
    auto model = openOrFail(o.file);
    std::vector<size_t> which;
    if (!o.tensor.empty()) which.push_back(selectTensor(o.file, o.tensor).index);
    else
        for (size_t i = 0; i < model->tensors.size(); ++i) which.push_back(i);

    Json jt = Json::array();
    std::vector<GgmlModelTotals> sums(types.size());
    for (size_t k = 0; k < types.size(); ++k) sums[k].type = types[k];
    size_t wName = 6;
    for (size_t i : which) wName = std::max(wName, model->tensors[i].name.size());
    if (!o.json)
        std::cout << padRight("tensor", wName) << "  " << padRight("type", 10) << "  " << padLeft("bits/w", 6) << "  "
                  << padLeft("MSE", 12) << "  " << padLeft("SQNR dB", 9) << "  " << padLeft("rel RMS", 9) << "  "
                  << padLeft("max |e|", 12) << "\n";
    for (size_t i : which) {
        const TensorInfo& t = model->tensors[i];
        const TensorView view = model->view(i);
        const bool oneD = ggmlKeptAsStored(t);  // kept as stored whatever the type
        const bool integer = !traits(t.dtype).isFloat && !traits(t.dtype).isBlockQuantized;
        const std::string why = integer ? "integer: not a weight, not in the model totals" : "1-D";
        Json jrow;
        jrow["name"] = t.name;
        jrow["shape"] = t.shape;
        jrow["kept"] = oneD ? Json(why + ": kept as " + std::string(dtypeName(t.dtype))) : Json(nullptr);
        Json jtypes = Json::array();
        auto trips = ggmlRoundTrips(view, types);
        if (!trips) failData(model->path + ": tensor '" + t.name + "': " + trips.message());
        for (size_t k = 0; k < types.size(); ++k) {
            const GgmlRoundTrip& trip = (*trips)[k];
            const DType written = trip.written;
            const ErrorAccumulator& acc = trip.sums;
            const ErrorStats st = acc.finish(0, 0);
            const double rel = acc.sumSqErr == 0 || acc.sumSqX == 0 ? 0.0 : std::sqrt(acc.sumSqErr / acc.sumSqX);
            const double bpw = bitsPerElement(written);
            sums[k].add(t.elements(), trip);
            if (oneD) continue;
            Json j;
            j["type"] = std::string(dtypeName(types[k]));
            j["written_as"] = std::string(dtypeName(written));
            j["bits_per_weight"] = bpw;
            j["mse"] = jsonNumber(st.mse);
            j["sqnr_db"] = jsonNumber(st.sqnrDb);
            j["relative_rms"] = jsonNumber(rel);
            j["max_abs_error"] = jsonNumber(st.maxAbsError);
            jtypes.push_back(std::move(j));
            if (!o.json) {
                std::string label(dtypeName(types[k]));
                if (written != types[k]) label += "->" + std::string(dtypeName(written));
                std::cout << padRight(k == 0 ? t.name : "", wName) << "  " << padRight(label, 10) << "  "
                          << padLeft(formatNumber(bpw, 4), 6) << "  " << padLeft(formatNumber(st.mse), 12) << "  "
                          << padLeft(formatNumber(st.sqnrDb, 4), 9) << "  " << padLeft(formatNumber(rel, 4), 9) << "  "
                          << padLeft(formatNumber(st.maxAbsError), 12) << "\n";
            }
        }
        if (oneD && !o.json) std::cout << padRight(t.name, wName) << "  kept as " << dtypeName(t.dtype) << " (" << why << ")\n";
        jrow["types"] = std::move(jtypes);
        jt.push_back(std::move(jrow));
    }
    // The whole model per type, as the file llama-quantize would write: 1-D tensors with their stored bits
    // and no error, matrices of partial blocks as the fallback type (ggmlWrittenType).
    Json jm = Json::array();
    for (size_t k = 0; k < types.size(); ++k) {
        const double rel = sums[k].relativeRms(), bpw = sums[k].bitsPerWeight();
        Json j;
        j["type"] = std::string(dtypeName(types[k]));
        j["bits_per_weight"] = jsonNumber(bpw);
        j["relative_rms"] = jsonNumber(rel);
        jm.push_back(std::move(j));
        if (!o.json)
            std::cout << "model as " << dtypeName(types[k]) << ": " << formatNumber(bpw, 4) << " bits/weight, relative RMS error "
                      << formatNumber(rel, 4) << "\n";
    }
    if (o.json) {
        Json out;
        out["file"] = model->path;
        out["tensors"] = std::move(jt);
        out["model"] = std::move(jm);
        std::cout << out.dump(2) << "\n";
    }
    return kExitOk;
}

}  // namespace

Command addLlamaCppCommand(CLI::App& root) {
    auto o = std::make_shared<LlamaOptions>();
    CLI::App* sub = root.add_subcommand(
        "llamacpp", "Each weight tensor as llama.cpp's " + requantTypeList(", ") +
                        " would store it (the bytes llama-quantize writes without an importance matrix, read back as "
                        "llama.cpp reads them): its error, and the whole model per type");
    sub->add_option("FILE", o->file, "Model or tensor file")->required();
    sub->add_option("--tensor", o->tensor, "Only this tensor");
    sub->add_option("--types", o->types, "Comma-separated subset of " + requantTypeList(",") + " (default: all)");
    sub->add_flag("--json", o->json,
                  "Print {\"file\", \"tensors\": [{\"name\", \"shape\", \"kept\", \"types\": [{\"type\", "
                  "\"written_as\", \"bits_per_weight\", \"mse\", \"sqnr_db\", \"relative_rms\", \"max_abs_error\"}]}], \"model\": "
                  "[{\"type\", \"bits_per_weight\", \"relative_rms\"}]}");
    return {sub, [o] { return runLlama(*o); }};
}

}  // namespace qv::cli
