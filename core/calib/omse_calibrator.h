// OmseCalibrator: direct minimization of ‖x − Q(x)‖₂ over the scale (OMSE, Choukroun et al. 2019).
#pragma once

#include "core/calib/calibrator.h"

namespace qv {

// OMSE (Choukroun, Kravchik, Yang & Kisilev, "Low-bit Quantization of Neural Networks for
// Efficient Inference", ICCVW 2019, arXiv 1902.06822) picks the scale minimizing the L2 norm
// of the quantization error of the tensor itself. Search as in the paper's practical recipe
// (REFERENCE.md §2): start from the min-max range and shrink it 1% per step toward 0,
// evaluating ‖x − Q(x)‖² on the summary's sample (evenly strided, up to 65536 values) for the
// live estimate (visited coarse-to-fine: every 5th step until 25 steps pass without
// improvement, then each 1% step within ±4 of the best). refine() minimizes the same norm
// on all the data (grid + golden-section search around the estimate).
// Unlike MseCalibrator, no histogram model is involved: the objective is the data's own error.
class OmseCalibrator final : public Calibrator {
public:
    std::string name() const override { return "omse"; }
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;
    bool hasRefinement() const override { return true; }
    ClipRange refine(std::span<const float> values, const QuantScheme& scheme, ClipRange estimate) const override;

    static constexpr double kShrinkStep = 0.01;
    static constexpr int kPatience = 25;
};

}  // namespace qv
