// EntropyCalibrator: the clip threshold minimizing KL(P‖Q) between the histogram and its quantized copy.
#pragma once

#include <vector>

#include "core/calib/calibrator.h"

namespace qv {

// Variant::TensorRT — pytorch-quantization `_compute_amax_entropy`, after TensorRT's entropy
// calibrator (Migacz, "8-bit Inference with TensorRT", GTC 2017):
//   bins = 2048-bin |x| histogram over [0, max|x|]; bins[0] = bins[1] (drops the spike at 0);
//   nbins = 2^(b−1) (2^b when unsigned); for every candidate i = 128 … 2048:
//     P = bins[:i] with the tail Σ bins[i:] added to P[i−1];
//     Q = bins[:i] cut into nbins groups (bin j → group floor(j·nbins/i)); each group's mass is
//         spread evenly over its NON-EMPTY bins, empty bins get 0;
//     KL(P/ΣP ‖ Q/ΣQ) (scipy.stats.entropy: 0 where P = 0, +inf where Q = 0 < P);
//   the LAST minimum wins; amax = edge i = i·max|x|/2048.
// Computed with prefix sums in O(nbins) per candidate (the tool loops over every bin).
// Unsigned (nbins = 2^b) is used for asymmetric schemes on non-negative data; other
// asymmetric schemes get the symmetric threshold intersected with [min, max].
//
// Variant::OnnxRuntime — ONNX Runtime calibrate.py `get_entropy_threshold` (HistogramCollector
// with method Entropy): a histogram of x over [−T, T], T = max|x|, with numBins bins (ORT's
// default is 128 — with its default 128 quantized bins only one candidate, the full range,
// exists: ORT's default entropy calibration does not clip); candidates are windows
// [zero − i, zero + i] around the zero bin, i = nq/2 … numBins/2 (nq = 2^(b−1), 128 at int8);
// outliers are added to the window's end bins; Q merges consecutive runs of size//nq bins
// (the remainder into the last group, but those remainder bins get no Q mass — a quirk kept),
// spreads each group over the bins where P ≠ 0 with INTEGER truncation (q is int64 in ORT),
// then both P and Q are smoothed (eps = 1e-4 on zeros, taken off the non-zeros) before
// KL; the FIRST minimum wins; the window edges are clamped to [min, max].
class EntropyCalibrator final : public Calibrator {
public:
    enum class Variant { TensorRT, OnnxRuntime };
    static constexpr size_t kStartBin = 128;
    static constexpr size_t kOrtDefaultBins = 128;

    explicit EntropyCalibrator(Variant variant = Variant::TensorRT, size_t ortBins = kOrtDefaultBins)
        : m_variant(variant), m_ortBins(ortBins) {}
    std::string name() const override { return "entropy"; }
    std::string arg() const override;
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;
    Variant variant() const { return m_variant; }

    // The TensorRT/pytorch-quantization search on a given |x| histogram: returns the chosen
    // candidate i (amax = edge i). bins[0] = bins[1] is applied inside. Exposed for tests.
    static size_t searchTensorRT(std::vector<double> bins, size_t nbins, size_t startBin = kStartBin);
    // KL divergence of candidate i computed literally (bin by bin, as the tool does) — the
    // oracle the fast search is tested against. `bins` must already have bins[0] = bins[1].
    static double klTensorRTLiteral(const std::vector<double>& bins, size_t nbins, size_t i);
    // ONNX Runtime's search on a histogram over [−T, T]: returns (start, end) bin indices.
    static std::pair<size_t, size_t> searchOnnxRuntime(const std::vector<double>& hist, size_t nq);

private:
    Variant m_variant;
    size_t m_ortBins;
};

}  // namespace qv
