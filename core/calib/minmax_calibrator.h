// MinMaxCalibrator: the clip range is the data's range — [min, max], or ±max|x| when symmetric.
#pragma once

#include "core/calib/calibrator.h"

namespace qv {

class MinMaxCalibrator final : public Calibrator {
public:
    std::string name() const override { return "minmax"; }
    std::string description() const override;
    ClipRange calibrate(const TensorSummary& summary, const QuantScheme& scheme) const override;
};

}  // namespace qv
