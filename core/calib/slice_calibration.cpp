// Per-tensor calibration from the summary, and per-channel / per-group calibration slice by slice.
#include "core/calib/slice_calibration.h"

#include <algorithm>
#include <atomic>

#include "core/base/parallel.h"
#include "core/calib/calib_math.h"
#include "core/stats/tensor_summary.h"

namespace qv {

QuantParams calibrateFromSummary(const Calibrator& calibrator, const TensorSummary& summary, const QuantScheme& scheme) {
    QuantParams params;
    params.scheme = scheme;
    params.slices.push_back(paramsFromRange(scheme, calibrator.calibrate(summary, scheme)));
    return params;
}

namespace {

// A slice's elements: contiguous runs of the flat tensor (no copy), or gathered values.
struct SliceValues {
    std::span<const float> span;
    std::vector<float> gathered;
    std::span<const float> values() const { return gathered.empty() ? span : std::span<const float>(gathered); }
};

ClipRange calibrateOne(const Calibrator& c, std::span<const float> values, const QuantScheme& scheme,
                       const TensorSummary* summary, bool refine) {
    if (summary) {
        ClipRange r = c.calibrate(*summary, scheme);
        return refine && c.hasRefinement() ? c.refine(values, scheme, r) : r;
    }
    const TensorSummary s = summarizeValues(values.data(), values.size());
    ClipRange r = c.calibrate(s, scheme);
    return refine && c.hasRefinement() ? c.refine(values, scheme, r) : r;
}

}  // namespace

QuantParams calibrateValues(const Calibrator& calibrator, std::span<const float> values,
                            const std::vector<int64_t>& shape, const QuantScheme& scheme,
                            const TensorSummary* summary, const SliceCalibrationOptions& options, Progress* progress) {
    QuantParams params;
    params.scheme = scheme;
    const SliceLayout layout = SliceLayout::make(scheme, shape);
    const uint64_t n = values.size();
    if (layout.granularity == Granularity::PerTensor || layout.slices <= 1) {
        if (progress) progress->setTotal(1);
        params.slices.push_back(paramsFromRange(scheme, calibrateOne(calibrator, values, scheme, summary, options.refine)));
        if (progress) progress->add(1);
        return params;
    }
    const size_t slices = static_cast<size_t>(layout.slices);
    params.slices.resize(slices);
    if (progress) progress->setTotal(static_cast<double>(slices));

    // Slices are contiguous when the channel axis has nothing before it (channel c is the run
    // [c·inner, (c+1)·inner)) and always for groups (a run of ≤ groupSize along the last axis);
    // otherwise each slice is gathered with one pass over the tensor.
    const bool contiguousChannels = layout.granularity == Granularity::PerChannel && layout.channels * layout.inner == n;
    std::vector<std::vector<float>> gathered;
    if (layout.granularity == Granularity::PerChannel && !contiguousChannels) {
        gathered.resize(slices);
        for (auto& g : gathered) g.reserve(static_cast<size_t>(n / slices + 1));
        for (uint64_t i = 0; i < n; ++i) gathered[static_cast<size_t>(layout.sliceOf(i))].push_back(values[i]);
    }
    auto sliceSpan = [&](size_t s) -> std::span<const float> {
        if (!gathered.empty()) return gathered[s];
        if (layout.granularity == Granularity::PerChannel) {
            const uint64_t first = s * layout.inner;
            return values.subspan(static_cast<size_t>(std::min(first, n)), static_cast<size_t>(std::min(layout.inner, n - std::min(first, n))));
        }
        const uint64_t row = s / layout.groupsPerRow, g = s % layout.groupsPerRow;
        const uint64_t first = row * layout.lastDim + g * layout.groupSize;
        const uint64_t len = std::min(layout.groupSize, layout.lastDim - g * layout.groupSize);
        if (first >= n) return {};
        return values.subspan(static_cast<size_t>(first), static_cast<size_t>(std::min(len, n - first)));
    };

    std::atomic<bool> stop{false};
    // Slices in parallel; the per-slice refinements then run single-threaded inside
    // (parallelFor nests inline), which is the better split when there are many slices.
    parallelFor(slices, 1, options.threads > 0 ? options.threads : calibThreads(), [&](size_t begin, size_t end, int) {
        for (size_t s = begin; s < end; ++s) {
            if (stop.load(std::memory_order_relaxed)) return;
            if (progress && progress->cancelled()) {
                stop = true;
                return;
            }
            params.slices[s] = paramsFromRange(scheme, calibrateOne(calibrator, sliceSpan(s), scheme, nullptr, options.refine));
            if (progress) progress->add(1);
        }
    });
    applyTensorScale(params);  // NVFP4: the block scales are relative to the whole tensor's amax
    return params;
}

Result<QuantParams> calibrateSlices(const Calibrator& calibrator, const TensorView& view, const QuantScheme& scheme,
                                    Progress* progress, const TensorSummary* summary,
                                    const SliceCalibrationOptions& options) {
    const std::string& tensor = view.info().name;
    std::vector<float> owned;
    std::span<const float> values;
    if (const float* direct = view.directF32()) {
        values = std::span<const float>(direct, static_cast<size_t>(view.elements()));
    } else {
        auto r = view.toFloat();
        if (!r) return makeError("calibrating tensor '" + tensor + "': " + r.message());
        owned = std::move(r.value());
        values = owned;
    }
    QuantParams p = calibrateValues(calibrator, values, view.info().shape, scheme, summary, options, progress);
    if (progress && progress->cancelled()) return makeError("cancelled");
    return p;
}

}  // namespace qv
