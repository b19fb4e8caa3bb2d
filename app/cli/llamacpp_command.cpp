// `quantviz-cli llamacpp FILE [--tensor NAME] [--types q8_0,q4_0,...] [--preset Q4_K_M,...] [--imatrix F] [--json]`: every
// weight tensor as llama.cpp's Q8_0 … Q4_0 would store it — encoded as llama-quantize writes (without an
// importance matrix), decoded as llama.cpp reads — with its error, and the whole model per type; with
// --preset, the per-tensor plan of llama-quantize's file types (Q4_K_M bumps output.weight, some attn_v and
// ffn_down, …; core/metrics/ggml_quant_mix.h) and the mix's totals beside the pure types'.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

#include "app/cli/cli_support.h"
#include "core/formats/imatrix.h"
#include "core/metrics/ggml_quant_mix.h"
#include "core/metrics/ggml_requant.h"

namespace qv::cli {

namespace {

struct LlamaOptions {
    std::string file;
    std::string tensor;
    std::string types;
    std::string presets;
    std::string imatrix;
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

std::string presetList() {
    std::string out;
    for (const auto& p : ggmlPresets()) out += (out.empty() ? "" : ",") + std::string(p.name);
    return out;
}

double relativeRms(const ErrorAccumulator& acc) {
    return acc.sumSqErr == 0 || acc.sumSqX == 0 ? 0.0 : std::sqrt(acc.sumSqErr / acc.sumSqX);
}

// √(Σimp·e² / Σimp·x²): the relative RMS error of the layer's output that the importance predicts.
double weightedRelativeRms(const GgmlWeightedSums& w) { return std::sqrt(w.relative()); }

// --imatrix: the file read, or the command stops with the reader's message (exit 1); none when not given.
std::optional<Imatrix> imatrixOrFail(const std::string& path) {
    if (path.empty()) return std::nullopt;
    auto im = readImatrix(path);
    if (!im) failData(im.message());
    return std::move(*im);
}

// --preset: each preset's plan, tensor by tensor (asked / chosen / written type, the rule's reason, the round
// trip's error), its notes and the mix's totals; then the pure types' totals (`types`) for comparison.
int runPresets(const LlamaOptions& o, const std::vector<GgmlPreset>& presets, const std::vector<DType>& types,
               const Imatrix* imatrix) {
    auto model = openOrFail(o.file);
    std::vector<size_t> which;
    if (!o.tensor.empty()) which.push_back(selectTensor(o.file, o.tensor).index);
    else
        for (size_t i = 0; i < model->tensors.size(); ++i) which.push_back(i);
    size_t wName = 6;
    for (size_t i : which) wName = std::max(wName, model->tensors[i].name.size());
    Json jp = Json::array();
    for (const GgmlPreset& preset : presets) {
        const GgmlMixPlan plan = ggmlMixPlan(*model, preset, imatrix != nullptr);
        const GgmlModelFacts& f = plan.facts;
        // The whole model's plan decides the types (layer counters, GQA); --tensor only measures that tensor.
        GgmlMixMeasure mix;
        if (o.tensor.empty()) {
            auto m = ggmlMixMeasure(*model, plan, nullptr, 0, imatrix);
            if (!m) failData(model->path + ": " + m.message());
            if (!m->error.empty()) failData(model->path + ": tensor " + m->error);
            mix = std::move(*m);
        } else {
            mix.trips.resize(plan.tensors.size());
            mix.measured.assign(plan.tensors.size(), 0);
            const GgmlMixEntry& e = plan.tensors[which[0]];
            const ImatrixEntry* entry =
                imatrix && !e.kept ? ggmlImportanceEntry(*imatrix, model->tensors[which[0]].name) : nullptr;
            const std::vector<DType> type{e.kept ? model->tensors[which[0]].dtype : e.chosen};
            auto r = entry ? ggmlRoundTrips(model->view(which[0]), type, GgmlImportance{entry->values, true})
                           : ggmlRoundTrips(model->view(which[0]), type);
            if (!r) failData(model->path + ": tensor '" + model->tensors[which[0]].name + "': " + r.message());
            mix.trips[which[0]] = (*r)[0];
            mix.measured[which[0]] = 1;
            if (entry) {
                mix.weighted = (*r)[0].weighted;
                mix.withImportance = 1;
            }
        }
        const std::string base(dtypeName(preset.base));
        if (!o.json) {
            std::cout << preset.name << " (llama-quantize file type " << preset.ftype << ", every tensor asked for " << base
                      << "): " << (f.arch.empty() ? "" : f.arch + ", ") << f.layers << " layers, GQA " << f.gqa << " ("
                      << f.gqaSource << ")" << (f.experts > 1 ? ", " + std::to_string(f.experts) + " experts" : "")
                      << (f.tiedEmbeddings && f.llamaNames ? ", tied embeddings" : "") << "; " << plan.bumped()
                      << " tensors bumped, " << plan.fallbacks() << " fall back\n";
            std::cout << padRight("tensor", wName) << "  " << padRight("asked", 6) << "  " << padRight("chosen", 6) << "  "
                      << padRight("written", 7) << "  " << padLeft("bits/w", 6) << "  " << padLeft("SQNR dB", 9) << "  "
                      << padLeft("rel RMS", 9) << "  reason\n";
        }
        Json jt = Json::array();
        for (size_t i : which) {
            const GgmlMixEntry& e = plan.tensors[i];
            const TensorInfo& t = model->tensors[i];
            const ErrorAccumulator& acc = mix.trips[i].sums;
            const ErrorStats st = acc.finish(0, 0);
            Json j;
            j["name"] = t.name;
            j["llama_name"] = e.llamaName;
            j["shape"] = t.shape;
            j["kept"] = e.kept;
            j["asked"] = std::string(dtypeName(e.asked));
            j["chosen"] = std::string(dtypeName(e.chosen));
            j["written_as"] = std::string(dtypeName(e.written));
            j["bits_per_weight"] = bitsPerElement(e.written);
            j["sqnr_db"] = jsonNumber(st.sqnrDb);
            j["relative_rms"] = jsonNumber(relativeRms(acc));
            j["reason"] = e.reason;
            const bool covered = imatrix && !e.kept && ggmlImportanceEntry(*imatrix, t.name);
            if (imatrix) j["imatrix"] = covered;
            if (covered) j["weighted_relative_rms"] = jsonNumber(weightedRelativeRms(mix.trips[i].weighted));
            jt.push_back(std::move(j));
            if (!o.json)
                std::cout << padRight(t.name, wName) << "  " << padRight(std::string(dtypeName(e.asked)), 6) << "  "
                          << padRight(std::string(dtypeName(e.chosen)), 6) << "  "
                          << padRight(std::string(dtypeName(e.written)), 7) << "  "
                          << padLeft(formatNumber(bitsPerElement(e.written), 4), 6) << "  "
                          << padLeft(e.kept ? "-" : formatNumber(st.sqnrDb, 4), 9) << "  "
                          << padLeft(formatNumber(relativeRms(acc), 4), 9) << "  " << e.reason << "\n";
        }
        Json j;
        j["preset"] = std::string(preset.name);
        j["ftype"] = preset.ftype;
        j["base"] = base;
        j["facts"] = {{"arch", f.arch},           {"layers", f.layers},         {"gqa", f.gqa},
                      {"gqa_source", f.gqaSource}, {"experts", f.experts},       {"tied_embeddings", f.tiedEmbeddings},
                      {"llama_names", f.llamaNames}};
        j["tensors"] = std::move(jt);
        j["notes"] = plan.notes;
        j["bumped"] = plan.bumped();
        j["fallbacks"] = plan.fallbacks();
        if (o.tensor.empty()) {
            j["model"] = {{"bits_per_weight", jsonNumber(mix.totals.bitsPerWeight())},
                          {"relative_rms", jsonNumber(mix.totals.relativeRms())}};
            if (imatrix) {
                j["model"]["tensors_with_importance"] = mix.withImportance;
                j["model"]["weighted_relative_rms"] = jsonNumber(weightedRelativeRms(mix.weighted));
            }
        } else {
            j["model"] = nullptr;
        }
        jp.push_back(std::move(j));
        if (!o.json) {
            for (const auto& n : plan.notes) std::cout << "note: " << n << "\n";
            if (o.tensor.empty())
                std::cout << "model as " << preset.name << (imatrix ? " with the imatrix" : "") << ": "
                          << formatNumber(mix.totals.bitsPerWeight(), 4) << " bits/weight, relative RMS error "
                          << formatNumber(mix.totals.relativeRms(), 4)
                          << (imatrix ? "; importance-weighted over the " + std::to_string(mix.withImportance) +
                                            " tensors it covers " + formatNumber(weightedRelativeRms(mix.weighted), 4)
                                      : std::string())
                          << "\n";
        }
    }
    // The pure types beside the mixes (whole model only).
    Json jm = Json::array();
    if (o.tensor.empty()) {
        std::vector<GgmlModelTotals> sums(types.size());
        for (size_t k = 0; k < types.size(); ++k) sums[k].type = types[k];
        for (size_t i = 0; i < model->tensors.size(); ++i) {
            auto trips = ggmlRoundTrips(model->view(i), types);
            if (!trips) failData(model->path + ": tensor '" + model->tensors[i].name + "': " + trips.message());
            for (size_t k = 0; k < types.size(); ++k) sums[k].add(model->tensors[i].elements(), (*trips)[k]);
        }
        for (const auto& s : sums) {
            Json j;
            j["type"] = std::string(dtypeName(s.type));
            j["bits_per_weight"] = jsonNumber(s.bitsPerWeight());
            j["relative_rms"] = jsonNumber(s.relativeRms());
            jm.push_back(std::move(j));
            if (!o.json)
                std::cout << "model as " << dtypeName(s.type) << " (pure): " << formatNumber(s.bitsPerWeight(), 4)
                          << " bits/weight, relative RMS error " << formatNumber(s.relativeRms(), 4) << "\n";
        }
    }
    if (o.json) {
        Json out;
        out["file"] = model->path;
        out["presets"] = std::move(jp);
        out["model"] = std::move(jm);
        std::cout << out.dump(2) << "\n";
    }
    return kExitOk;
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
    if (!o.presets.empty()) {
        std::vector<GgmlPreset> presets;
        for (const auto& name : splitList(o.presets)) {
            auto p = ggmlPresetFromName(name);
            if (!p) failUsage("--preset: " + p.message());
            presets.push_back(*p);
        }
        if (o.types.empty()) {  // beside each mix: its base type applied everywhere
            types.clear();
            for (const auto& p : presets)
                if (std::find(types.begin(), types.end(), p.base) == types.end()) types.push_back(p.base);
        }
        const std::optional<Imatrix> imatrix = imatrixOrFail(o.imatrix);
        return runPresets(o, presets, types, imatrix ? &*imatrix : nullptr);
    }
    auto model = openOrFail(o.file);
    const std::optional<Imatrix> imatrix = imatrixOrFail(o.imatrix);
    size_t withImportance = 0;
    std::vector<size_t> which;
    if (!o.tensor.empty()) which.push_back(selectTensor(o.file, o.tensor).index);
    else
        for (size_t i = 0; i < model->tensors.size(); ++i) which.push_back(i);

    Json jt = Json::array();
    std::vector<GgmlModelTotals> sums(types.size());
    for (size_t k = 0; k < types.size(); ++k) sums[k].type = types[k];
    size_t wName = 6;
    for (size_t i : which) wName = std::max(wName, model->tensors[i].name.size());
    // With an imatrix, per tensor that has an entry: the error of the imatrix encoding, and the output error
    // the importance predicts (√(Σimp·e²/Σimp·x²)) for it and for the plain encoding — what the imatrix buys.
    std::vector<GgmlWeightedSums> weightedWith(types.size()), weightedWithout(types.size());
    if (!o.json)
        std::cout << padRight("tensor", wName) << "  " << padRight("type", 10) << "  " << padLeft("bits/w", 6) << "  "
                  << padLeft("MSE", 12) << "  " << padLeft("SQNR dB", 9) << "  " << padLeft("rel RMS", 9) << "  "
                  << padLeft("max |e|", 12)
                  << (imatrix ? "  " + padLeft("imp-w rel", 9) + "  " + padLeft("no imatrix", 10) : std::string()) << "\n";
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
        const ImatrixEntry* entry = imatrix && !oneD ? ggmlImportanceEntry(*imatrix, t.name) : nullptr;
        auto trips = entry ? ggmlRoundTrips(view, types, GgmlImportance{entry->values, true}) : ggmlRoundTrips(view, types);
        if (!trips) failData(model->path + ": tensor '" + t.name + "': " + trips.message());
        std::vector<GgmlRoundTrip> plain;  // the encoding without the imatrix, measured under its importance
        if (entry) {
            auto p = ggmlRoundTrips(view, types, GgmlImportance{entry->values, false});
            if (!p) failData(model->path + ": tensor '" + t.name + "': " + p.message());
            plain = std::move(*p);
            ++withImportance;
        }
        jrow["imatrix"] = imatrix ? Json(entry ? entry->name : std::string()) : Json(nullptr);
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
            if (entry) {
                auto accumulate = [](GgmlWeightedSums& into, const GgmlWeightedSums& w) {
                    into.sumImpSqErr += w.sumImpSqErr;
                    into.sumImpSqX += w.sumImpSqX;
                };
                accumulate(weightedWith[k], trip.weighted);
                accumulate(weightedWithout[k], plain[k].weighted);
                j["weighted_relative_rms"] = jsonNumber(weightedRelativeRms(trip.weighted));
                j["weighted_relative_rms_without_imatrix"] = jsonNumber(weightedRelativeRms(plain[k].weighted));
            }
            jtypes.push_back(std::move(j));
            if (!o.json) {
                std::string label(dtypeName(types[k]));
                if (written != types[k]) label += "->" + std::string(dtypeName(written));
                std::cout << padRight(k == 0 ? t.name : "", wName) << "  " << padRight(label, 10) << "  "
                          << padLeft(formatNumber(bpw, 4), 6) << "  " << padLeft(formatNumber(st.mse), 12) << "  "
                          << padLeft(formatNumber(st.sqnrDb, 4), 9) << "  " << padLeft(formatNumber(rel, 4), 9) << "  "
                          << padLeft(formatNumber(st.maxAbsError), 12);
                if (entry)
                    std::cout << "  " << padLeft(formatNumber(weightedRelativeRms(trip.weighted), 4), 9) << "  "
                              << padLeft(formatNumber(weightedRelativeRms(plain[k].weighted), 4), 10);
                else if (imatrix)
                    std::cout << "  " << padLeft("-", 9) << "  " << padLeft("-", 10);
                std::cout << "\n";
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
        if (imatrix) {
            j["weighted_relative_rms"] = jsonNumber(weightedRelativeRms(weightedWith[k]));
            j["weighted_relative_rms_without_imatrix"] = jsonNumber(weightedRelativeRms(weightedWithout[k]));
        }
        jm.push_back(std::move(j));
        if (!o.json) {
            std::cout << "model as " << dtypeName(types[k]) << ": " << formatNumber(bpw, 4) << " bits/weight, relative RMS error "
                      << formatNumber(rel, 4);
            if (imatrix && withImportance > 0)
                std::cout << "; importance-weighted over the " << withImportance << " tensors in the imatrix "
                          << formatNumber(weightedRelativeRms(weightedWith[k]), 4) << " (without it "
                          << formatNumber(weightedRelativeRms(weightedWithout[k]), 4) << ")";
            std::cout << "\n";
        }
    }
    if (imatrix && withImportance == 0 && !o.json)
        std::cout << "note: no tensor of this file has an entry in " << o.imatrix
                  << " (llama-quantize would quantize them all without one)\n";
    if (o.json) {
        Json out;
        out["file"] = model->path;
        out["tensors"] = std::move(jt);
        out["model"] = std::move(jm);
        if (imatrix) out["imatrix"] = {{"file", o.imatrix}, {"tensors_with_importance", withImportance}};
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
    sub->add_option("--types", o->types,
                    "Comma-separated subset of " + requantTypeList(",") + " (default: all; with --preset: the presets' own types)");
    sub->add_option("--preset", o->presets,
                    "llama-quantize file types, comma-separated (" + presetList() +
                        "; Q3_K/Q4_K/Q5_K mean _M): the per-tensor plan (which tensors the preset bumps to more bits, "
                        "why), each tensor's error and the mix's totals beside the pure types'");
    sub->add_option("--imatrix", o->imatrix,
                    "llama.cpp importance matrix (llama-imatrix output: GGUF or legacy .dat): tensors it covers are "
                    "encoded as llama-quantize --imatrix does, with two more columns: the importance-weighted relative "
                    "error sqrt(sum imp*e^2 / sum imp*x^2) with the imatrix and without it");
    sub->add_flag("--json", o->json,
                  "Print {\"file\", \"tensors\": [{\"name\", \"shape\", \"kept\", \"types\": [{\"type\", "
                  "\"written_as\", \"bits_per_weight\", \"mse\", \"sqnr_db\", \"relative_rms\", \"max_abs_error\"}]}], \"model\": "
                  "[{\"type\", \"bits_per_weight\", \"relative_rms\"}]}; with --preset: {\"file\", \"presets\": [{\"preset\", "
                  "\"ftype\", \"base\", \"facts\", \"tensors\": [{\"name\", \"llama_name\", \"shape\", \"kept\", \"asked\", "
                  "\"chosen\", \"written_as\", \"bits_per_weight\", \"sqnr_db\", \"relative_rms\", \"reason\"}], \"notes\", "
                  "\"bumped\", \"fallbacks\", \"model\": {\"bits_per_weight\", \"relative_rms\"}}], \"model\": [pure types]}");
    return {sub, [o] { return runLlama(*o); }};
}

}  // namespace qv::cli
