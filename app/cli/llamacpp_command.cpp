// `quantviz-cli llamacpp FILE [--tensor NAME] [--types q8_0,q4_0,...] [--json]`: every weight tensor as
// llama.cpp's Q8_0 … Q4_0 would store it — encoded as llama-quantize writes (without an importance
// matrix), decoded as llama.cpp reads — with its error, and the whole model per type.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "app/cli/cli_support.h"
#include "core/metrics/ggml_requant.h"
#include "core/tensor/half.h"

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

// What llama-quantize does not quantize to the asked type: 1-D tensors (norms, biases) stay as they are;
// matrices whose rows are not whole blocks are written as F16 instead (../shared/models/README.md:
// stories260K's ffn_down, rows of 172, is F16 in every quantized file).
std::string keptReason(const TensorInfo& t) {
    if (t.shape.size() < 2) return "kept: 1-D";
    if (t.shape.back() % 32 != 0) return "f16: rows of " + std::to_string(t.shape.back()) + " (not a multiple of 32)";
    return "";
}

struct ModelSums {  // one per type, over the whole model
    double sumSqErr = 0, sumSqX = 0, bits = 0;
    uint64_t elements = 0;
};

int runLlama(const LlamaOptions& o) {
    std::vector<DType> types;
    if (o.types.empty()) {
        types = ggmlRequantTypes();
    } else {
        for (const auto& name : splitList(o.types)) {
            auto t = dtypeFromName(name);
            if (!t || std::find(ggmlRequantTypes().begin(), ggmlRequantTypes().end(), *t) == ggmlRequantTypes().end())
                failUsage("--types: '" + name + "' is not one of q8_0, q5_1, q5_0, q4_1, q4_0");
            types.push_back(*t);
        }
    }
    auto model = openOrFail(o.file);
    std::vector<size_t> which;
    if (!o.tensor.empty()) which.push_back(selectTensor(o.file, o.tensor).index);
    else
        for (size_t i = 0; i < model->tensors.size(); ++i) which.push_back(i);

    Json jt = Json::array();
    std::vector<ModelSums> sums(types.size());
    size_t wName = 6;
    for (size_t i : which) wName = std::max(wName, model->tensors[i].name.size());
    if (!o.json)
        std::cout << padRight("tensor", wName) << "  " << padRight("type", 6) << "  " << padLeft("bits/w", 6) << "  "
                  << padLeft("MSE", 12) << "  " << padLeft("SQNR dB", 9) << "  " << padLeft("rel RMS", 9) << "  "
                  << padLeft("max |e|", 12) << "\n";
    for (size_t i : which) {
        const TensorInfo& t = model->tensors[i];
        const TensorView view = model->view(i);
        const std::string kept = keptReason(t);
        Json jrow;
        jrow["name"] = t.name;
        jrow["shape"] = t.shape;
        jrow["kept"] = kept.empty() ? Json(nullptr) : Json(kept);
        Json jtypes = Json::array();
        // A tensor not quantized: its Σx² (and, written as F16, the F16 rounding error) for the model lines.
        ErrorAccumulator keptSums;
        const bool asF16 = !kept.empty() && t.shape.size() >= 2;
        if (!kept.empty()) {
            std::vector<float> x(view.elements());
            if (!view.read(0, x.size(), x.data())) failData(model->path + ": cannot read '" + t.name + "'");
            for (float v : x)
                if (std::isfinite(v)) keptSums.add(v, asF16 ? f16ToF32(f32ToF16(v)) : v, false);
        }
        for (size_t k = 0; k < types.size(); ++k) {
            if (!kept.empty()) {
                sums[k].sumSqErr += keptSums.sumSqErr;
                sums[k].sumSqX += keptSums.sumSqX;
                sums[k].bits += (asF16 ? 16.0 : bitsPerElement(t.dtype)) * static_cast<double>(t.elements());
                sums[k].elements += t.elements();
                continue;
            }
            ErrorAccumulator acc;
            auto r = ggmlRequantError(view, types[k], nullptr, 0, &acc);
            if (!r) failData(model->path + ": tensor '" + t.name + "': " + r.message());
            const double rel = r->mse == 0 ? 0.0 : std::pow(10.0, -r->sqnrDb / 20);
            const double bpw = bitsPerElement(types[k]);
            sums[k].sumSqErr += acc.sumSqErr;
            sums[k].sumSqX += acc.sumSqX;
            sums[k].bits += bpw * static_cast<double>(t.elements());
            sums[k].elements += t.elements();
            Json j;
            j["type"] = std::string(dtypeName(types[k]));
            j["bits_per_weight"] = bpw;
            j["mse"] = jsonNumber(r->mse);
            j["sqnr_db"] = jsonNumber(r->sqnrDb);
            j["relative_rms"] = jsonNumber(rel);
            j["max_abs_error"] = jsonNumber(r->maxAbsError);
            jtypes.push_back(std::move(j));
            if (!o.json)
                std::cout << padRight(k == 0 ? t.name : "", wName) << "  " << padRight(std::string(dtypeName(types[k])), 6)
                          << "  " << padLeft(formatNumber(bpw, 3), 6) << "  " << padLeft(formatNumber(r->mse), 12) << "  "
                          << padLeft(formatNumber(r->sqnrDb, 4), 9) << "  " << padLeft(formatNumber(rel, 4), 9) << "  "
                          << padLeft(formatNumber(r->maxAbsError), 12) << "\n";
        }
        if (!kept.empty() && !o.json) std::cout << padRight(t.name, wName) << "  " << kept << "\n";
        jrow["types"] = std::move(jtypes);
        jt.push_back(std::move(jrow));
    }
    // The whole model per type, as the file llama-quantize would write: 1-D tensors with their stored bits
    // and no error, matrices of partial blocks as F16.
    Json jm = Json::array();
    for (size_t k = 0; k < types.size(); ++k) {
        const ModelSums& s = sums[k];
        const double rel = s.sumSqX > 0 ? std::sqrt(s.sumSqErr / s.sumSqX) : 0.0;
        const double bpw = s.elements ? s.bits / static_cast<double>(s.elements) : 0.0;
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
        "llamacpp", "Each weight tensor as llama.cpp's Q8_0, Q5_1, Q5_0, Q4_1, Q4_0 would store it (the bytes "
                    "llama-quantize writes without an importance matrix, read back as llama.cpp reads them): its error, "
                    "and the whole model per type");
    sub->add_option("FILE", o->file, "Model or tensor file")->required();
    sub->add_option("--tensor", o->tensor, "Only this tensor");
    sub->add_option("--types", o->types, "Comma-separated subset of q8_0,q5_1,q5_0,q4_1,q4_0 (default: all)");
    sub->add_flag("--json", o->json,
                  "Print {\"file\", \"tensors\": [{\"name\", \"shape\", \"kept\", \"types\": [{\"type\", "
                  "\"bits_per_weight\", \"mse\", \"sqnr_db\", \"relative_rms\", \"max_abs_error\"}]}], \"model\": "
                  "[{\"type\", \"bits_per_weight\", \"relative_rms\"}]}");
    return {sub, [o] { return runLlama(*o); }};
}

}  // namespace qv::cli
