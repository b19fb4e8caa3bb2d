// The calibrator registry: CLI spellings "name[:arg]" → calibrator objects, and display labels.
#include "core/calib/calibrator.h"

#include <cmath>
#include <cstdlib>
#include <functional>

#include "core/calib/aciq_calibrator.h"
#include "core/calib/cross_entropy_calibrator.h"
#include "core/calib/entropy_calibrator.h"
#include "core/calib/histogram_observer_calibrator.h"
#include "core/calib/minmax_calibrator.h"
#include "core/calib/mse_calibrator.h"
#include "core/calib/omse_calibrator.h"
#include "core/calib/percentile_calibrator.h"

namespace qv {

std::string Calibrator::label() const {
    std::string a = arg();
    return a.empty() ? name() : name() + ":" + a;
}

namespace {

using Factory = std::function<std::unique_ptr<Calibrator>(const std::string& arg, std::string* error)>;

struct Entry {
    const char* name;
    Factory make;
};

std::unique_ptr<Calibrator> noArg(std::unique_ptr<Calibrator> c, const std::string& arg, std::string* error) {
    if (!arg.empty()) {
        if (error) *error = "calibrator '" + c->name() + "' takes no argument (got '" + arg + "')";
        return nullptr;
    }
    return c;
}

std::unique_ptr<Calibrator> makePercentile(const std::string& arg, std::string* error) {
    if (arg.empty()) return std::make_unique<PercentileCalibrator>();
    char* end = nullptr;
    const double p = std::strtod(arg.c_str(), &end);
    if (end == arg.c_str() || *end != '\0' || !std::isfinite(p) || !(p > 0.0) || p > 100.0) {
        if (error) *error = "percentile: '" + arg + "' is not a number in (0, 100]";
        return nullptr;
    }
    return std::make_unique<PercentileCalibrator>(p);
}

std::unique_ptr<Calibrator> makeEntropy(const std::string& arg, std::string* error) {
    if (arg.empty() || arg == "tensorrt") return std::make_unique<EntropyCalibrator>();
    if (arg == "onnxruntime") return std::make_unique<EntropyCalibrator>(EntropyCalibrator::Variant::OnnxRuntime);
    const std::string prefix = "onnxruntime-";
    if (arg.rfind(prefix, 0) == 0) {
        char* end = nullptr;
        const long bins = std::strtol(arg.c_str() + prefix.size(), &end, 10);
        if (end != arg.c_str() + prefix.size() && *end == '\0' && bins >= 2 && bins <= 65536)
            return std::make_unique<EntropyCalibrator>(EntropyCalibrator::Variant::OnnxRuntime, static_cast<size_t>(bins));
    }
    if (error) *error = "entropy: variant '" + arg + "' unknown (tensorrt, onnxruntime, onnxruntime-BINS)";
    return nullptr;
}

std::unique_ptr<Calibrator> makeAciq(const std::string& arg, std::string* error) {
    if (arg.empty()) return std::make_unique<AciqCalibrator>();
    if (arg == "laplace") return std::make_unique<AciqCalibrator>(AciqCalibrator::Fit::Laplace);
    if (arg == "gauss" || arg == "gaussian") return std::make_unique<AciqCalibrator>(AciqCalibrator::Fit::Gauss);
    if (error) *error = "aciq: fit '" + arg + "' unknown (laplace, gauss)";
    return nullptr;
}

template <class T>
Factory plain() {
    return [](const std::string& a, std::string* e) { return noArg(std::make_unique<T>(), a, e); };
}

const std::vector<Entry>& registry() {
    static const std::vector<Entry> entries = {
        {"minmax", plain<MinMaxCalibrator>()},
        {"percentile", makePercentile},
        {"mse", plain<MseCalibrator>()},
        {"entropy", makeEntropy},
        {"cross-entropy", plain<CrossEntropyCalibrator>()},
        {"aciq", makeAciq},
        {"omse", plain<OmseCalibrator>()},
        {"histogram", plain<HistogramObserverCalibrator>()},
    };
    return entries;
}

}  // namespace

std::vector<std::string> calibratorNames() {
    std::vector<std::string> names;
    for (const auto& e : registry()) names.emplace_back(e.name);
    return names;
}

std::unique_ptr<Calibrator> makeCalibrator(const std::string& spec, std::string* error) {
    const size_t colon = spec.find(':');
    const std::string base = spec.substr(0, colon);
    const std::string arg = colon == std::string::npos ? std::string() : spec.substr(colon + 1);
    for (const auto& e : registry()) {
        if (base != e.name) continue;
        std::string err;
        auto c = e.make(arg, &err);
        if (!c && error) *error = err.empty() ? "bad argument '" + arg + "' for calibrator '" + base + "'" : err;
        return c;
    }
    if (error) {
        std::string list;
        for (const auto& n : calibratorNames()) list += (list.empty() ? "" : ", ") + n;
        *error = "unknown calibrator '" + base + "' (known: " + list + ")";
    }
    return nullptr;
}

}  // namespace qv
