// Shared plumbing of quantviz-cli: exit codes, the failure type, opening one tensor, output helpers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/formats/model_file.h"
#include "core/quant/quant_scheme.h"

namespace qv::cli {

// Exit codes (issue 6): never above 63, so shells and CI runners never confuse them with signals.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadData = 1;   // unreadable/malformed file, missing tensor, I/O failure
inline constexpr int kExitBadUsage = 2;  // bad flags or flag combinations

using Json = nlohmann::ordered_json;  // keeps keys in the documented order

// Thrown by a command; main() prints "quantviz-cli <command>: error: <message>" and exits with `code`.
class CliFailure : public std::runtime_error {
public:
    CliFailure(int code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    int code() const { return m_code; }

private:
    int m_code;
};
[[noreturn]] void failData(const std::string& message);
[[noreturn]] void failUsage(const std::string& message);

// A registered subcommand: CLI11 parses into state captured by `run`, main() calls it.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};
Command addInspectCommand(CLI::App& root);
Command addExportCommand(CLI::App& root);
Command addQuantizeCommand(CLI::App& root);
Command addCalibrateCommand(CLI::App& root);
Command addReportCommand(CLI::App& root);
Command addGemmCommand(CLI::App& root);
Command addLlamaCppCommand(CLI::App& root);

// Opens a model file or fails with exit code 1 and the loader's message (which names the file).
std::shared_ptr<const ModelFile> openOrFail(const std::string& path);

// One tensor of a file: by --tensor NAME, or the only tensor when NAME is empty (a .npy).
struct SelectedTensor {
    std::shared_ptr<const ModelFile> model;
    size_t index = 0;
    const TensorInfo& info() const { return model->tensors[index]; }
    TensorView view() const { return model->view(index); }
    std::string label() const;  // "file: tensor 'name'" for error messages
};
SelectedTensor selectTensor(const std::string& path, const std::string& tensorName);

// The whole tensor as float32 in row-major order (dequantized from its storage type).
std::vector<float> readAllFloats(const SelectedTensor& tensor);

// Writes a float32 .npy atomically (core writeNpy: temp file + rename); fails with exit code 1.
void writeFloatNpy(const std::string& path, const std::vector<int64_t>& shape, std::span<const float> values);

// Scheme flags shared by quantize, calibrate and report.
struct SchemeFlags {
    int bits = 8;
    std::string scheme = "sym";          // sym | asym
    std::string granularity = "tensor";  // tensor | channel[:AXIS] | group:SIZE
    bool fullRange = false;
    std::string preset;                  // "", quantviz, tensorrt, onnxruntime, pytorch (core/calib/presets.h)
    std::string format = "int";          // int | fp8-e4m3 | fp8-e5m2 | fp4-e2m1 | nf4 (core/quant/number_format.h)
};
void addSchemeOptions(CLI::App& sub, SchemeFlags& flags, bool withPreset);
// Validates the flags against a tensor's shape (axis in range, group size ≥ 1) — exit 2 on misuse.
QuantScheme makeScheme(const SchemeFlags& flags, const std::vector<int64_t>& shape);
Json schemeJson(const QuantScheme& scheme);

// Splits "a,b,c" (empty items dropped).
std::vector<std::string> splitList(const std::string& s, char sep = ',');
// Formats a number for the text tables: %.6g, "nan"/"inf" spelled out.
std::string formatNumber(double v, int precision = 6);
std::string shapeJoined(const std::vector<int64_t>& shape);  // "64x512" ("scalar" for 0-d)
// A JSON number, or null when not finite (JSON has no NaN/Inf).
Json jsonNumber(double v);

}  // namespace qv::cli
