// GemmPanel: int8 vs fp32 on one layer — synthetic or .npy activations × the caller's weight matrix, run off the UI thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/formats/model_file.h"

#include "app/views/gemm_view.h"
#include "core/gemm/gemm_trace.h"

namespace qv {

// The weight matrix the caller chose (a 2-D tensor of the open model, as floats).
// Largest weight matrix the panel converts (64M elements = 256 MiB of float, plus its transposed copy):
// a Llama-3-8B MLP weight (14336×4096 = 58.7M) fits.
constexpr uint64_t kMaxGemmWeights = uint64_t(64) << 20;

struct GemmWeights {
    std::string name;
    int64_t rows = 0, cols = 0;     // as stored
    std::vector<float> values;      // rows × cols, row-major (filled by the worker when `model` is set)
    bool outInLayout = true;        // Linear weight [out, in]: the GEMM uses B = Wᵀ
    // A tensor of an open model: the worker converts it to float (any dtype the core decodes), so
    // selecting a large layer never stalls the UI thread.
    std::shared_ptr<const ModelFile> model;
    size_t tensor = 0;
    bool synthetic() const { return values.empty() && !model; }
};

class GemmPanel {
public:
    GemmPanel() = default;
    ~GemmPanel();
    GemmPanel(const GemmPanel&) = delete;
    GemmPanel& operator=(const GemmPanel&) = delete;

    // Draws the panel into the current ImGui window. `weights` may be null: a synthetic 256×256
    // Gaussian matrix is used then.
    void draw(const std::shared_ptr<const GemmWeights>& weights);

    // Starts a run with the current settings (what the Run button does); for tests and screenshots.
    void run(const std::shared_ptr<const GemmWeights>& weights);
    bool busy() const { return m_busy.load(); }
    void waitIdle();

    // Settings (public so the headless tests and the screenshot mode can set them).
    int batchM = 16;
    int activationShape = 0;     // 0 Gaussian, 1 Laplace, 2 from .npy
    int outlierChannels = 4;
    float outlierScale = 30.0f;
    // Calibration of each operand (gemmOperandParams): A asymmetric uint8 by default, B per output channel.
    GemmOperandChoice aChoice{"minmax", 99.99, true, false};
    GemmOperandChoice bChoice{"minmax", 99.99, false, true};
    int threads = 2;
    std::string npyPath;

    struct Result {
        std::shared_ptr<const QuantizedGemmRun> run;
        GemmView view;
        std::string aParams, bParams;  // header lines: calibrator, scheme and scales used
        std::string error;
    };
    std::shared_ptr<const Result> result() const;

private:
    void drawTrace(const QuantizedGemmRun& run);
    void drawPlots(const Result& r);
    void drawOperandControls(const char* id, GemmOperandChoice& choice, bool isWeights);

    std::thread m_worker;
    std::atomic<bool> m_busy{false};
    mutable std::mutex m_mutex;
    std::shared_ptr<const Result> m_result;
    int m_traceRow = 0, m_traceCol = 0;
    char m_npyBuf[512] = {};
};

}  // namespace qv
