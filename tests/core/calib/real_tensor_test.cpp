// Calibration through TensorViews: in-memory f32/i8 views and a real layer from ../shared/models.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/base/byte_source.h"
#include "core/calib/calib_math.h"
#include "core/calib/calibrator.h"
#include "core/calib/slice_calibration.h"
#include "core/formats/model_file.h"
#include "core/stats/tensor_summary.h"
#include "tests/support/test_support.h"
#include "tests/support/tensor_view_builder.h"

namespace qv {
namespace {

using test::viewOf;

// The same 2×4 matrix as f32 (used in place) and as i8 (converted first): per-row min-max.
TEST(CalibrateSlices, ViewsOfDifferentDtypes) {
    QuantScheme q;
    q.granularity = Granularity::PerChannel;
    auto mm = makeCalibrator("minmax");
    const auto f = calibrateSlices(*mm, viewOf<float>({1, -2, 3, 4, -50, 6, 7, 8}, DType::F32, {2, 4}), q);
    ASSERT_TRUE(f.ok()) << f.message();
    ASSERT_EQ(f->slices.size(), 2u);
    EXPECT_EQ(f->slices[0].scale, 4.0f / 127.0f);
    EXPECT_EQ(f->slices[1].scale, 50.0f / 127.0f);
    const auto i = calibrateSlices(*mm, viewOf<int8_t>({1, -2, 3, 4, -50, 6, 7, 8}, DType::I8, {2, 4}), q);
    ASSERT_TRUE(i.ok()) << i.message();
    EXPECT_EQ(i->slices[1].scale, 50.0f / 127.0f);
    // A cancelled job reports "cancelled" instead of parameters.
    Progress p;
    p.cancel();
    const auto c = calibrateSlices(*mm, viewOf<float>({1, 2, 3, 4, 5, 6, 7, 8}, DType::F32, {2, 4}), q, &p);
    EXPECT_FALSE(c.ok());
}

// A real trained layer: every calibrator's range lies within the data's range, the clipping
// ones clip no more than min-max, and per-channel MSE (refined) beats per-channel min-max on
// every channel's exact error.
TEST(RealModel, Stories260kAttentionWeights) {
    QV_REQUIRE_SHARED_MODEL(path, "stories260K/stories260K-f32.safetensors");
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    size_t index = 0;
    bool found = false;
    for (size_t k = 0; k < (*model)->tensors.size(); ++k) {
        const auto& t = (*model)->tensors[k];
        if (t.shape.size() == 2 && t.elements() >= 4096) { index = k; found = true; break; }
    }
    ASSERT_TRUE(found);
    const TensorView view = (*model)->view(index);
    auto summary = summarize(view);
    ASSERT_TRUE(summary.ok()) << summary.message();
    const TensorSummary& s = **summary;
    for (int bits : {4, 8}) {
        QuantScheme q;
        q.bits = bits;
        for (const auto& name : calibratorNames()) {
            const ClipRange r = makeCalibrator(name)->calibrate(s, q);
            EXPECT_LE(r.hi, s.absMax * (1 + 1e-9)) << name << " " << view.info().name;
            EXPECT_GT(r.hi, 0.0) << name;
        }
        q.granularity = Granularity::PerChannel;
        auto mse = makeCalibrator("mse");
        auto mm = makeCalibrator("minmax");
        const auto pm = calibrateSlices(*mse, view, q);
        const auto pmm = calibrateSlices(*mm, view, q);
        ASSERT_TRUE(pm.ok() && pmm.ok());
        const auto values = view.toFloat();
        ASSERT_TRUE(values.ok());
        const uint64_t rows = static_cast<uint64_t>(view.info().shape[0]), cols = view.elements() / rows;
        ASSERT_EQ(pm->slices.size(), rows);
        for (uint64_t r = 0; r < rows; ++r) {
            std::span<const float> row(values->data() + r * cols, cols);
            EXPECT_LE(exactSquaredError(row, q, pm->slices[r].clip), exactSquaredError(row, q, pmm->slices[r].clip) * (1 + 1e-12))
                << "row " << r << " bits " << bits;
        }
    }
}

}  // namespace
}  // namespace qv
