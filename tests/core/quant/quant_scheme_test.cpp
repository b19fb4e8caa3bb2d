// QuantScheme code ranges, SliceLayout, and paramsFromRange for every convention, checked by hand.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

#include "core/quant/quant_params.h"
#include "core/quant/quant_scheme.h"

namespace qv {
namespace {

QuantScheme sym(int bits = 8, Convention c = Convention::Seeds) {
    QuantScheme s;
    s.bits = bits;
    s.convention = c;
    return s;
}
QuantScheme asym(int bits = 8, Convention c = Convention::Seeds) {
    QuantScheme s = sym(bits, c);
    s.symmetry = Symmetry::Asymmetric;
    return s;
}

TEST(QuantScheme, CodeRanges) {
    EXPECT_EQ(sym(8).qmin(), -127);  // restricted: ±(2^7 − 1)
    EXPECT_EQ(sym(8).qmax(), 127);
    EXPECT_EQ(sym(4).qmin(), -7);
    EXPECT_EQ(sym(2).qmin(), -1);
    EXPECT_EQ(sym(2).qmax(), 1);
    EXPECT_EQ(sym(16).qmax(), 32767);
    auto full = sym(8);
    full.fullRange = true;
    EXPECT_EQ(full.qmin(), -128);
    EXPECT_EQ(sym(8, Convention::PyTorch).qmin(), -128);  // PyTorch qint8 −128..127
    EXPECT_EQ(asym(8).qmin(), 0);
    EXPECT_EQ(asym(8).qmax(), 255);
    EXPECT_EQ(asym(16).qmax(), 65535);
    EXPECT_EQ(asym(3).qmax(), 7);
    EXPECT_EQ(sym(1).qmax(), 1);    // bits clamp to 2..16
    EXPECT_EQ(sym(40).qmax(), 32767);
}

TEST(QuantScheme, Describe) {
    QuantScheme s = sym(8);
    s.granularity = Granularity::PerChannel;
    EXPECT_EQ(s.describe(), "int8 sym per-channel(axis 0)");
    QuantScheme a = asym(4);
    a.granularity = Granularity::PerGroup;
    a.groupSize = 32;
    EXPECT_EQ(a.describe(), "uint4 asym per-group(32)");
}

TEST(SliceLayout, PerTensorAndChannel) {
    QuantScheme s = sym();
    auto t = SliceLayout::make(s, {2, 3});
    EXPECT_EQ(t.slices, 1u);
    EXPECT_EQ(t.sliceOf(5), 0u);

    s.granularity = Granularity::PerChannel;
    s.axis = 0;
    auto c0 = SliceLayout::make(s, {2, 3, 4});
    EXPECT_EQ(c0.slices, 2u);
    EXPECT_EQ(c0.inner, 12u);
    EXPECT_EQ(c0.sliceOf(11), 0u);
    EXPECT_EQ(c0.sliceOf(12), 1u);

    s.axis = 1;
    auto c1 = SliceLayout::make(s, {2, 3, 4});
    EXPECT_EQ(c1.slices, 3u);
    EXPECT_EQ(c1.inner, 4u);
    // element [1, 2, 3] = 1·12 + 2·4 + 3 = 23 → channel 2
    EXPECT_EQ(c1.sliceOf(23), 2u);
    EXPECT_EQ(c1.sliceOf(4), 1u);

    s.axis = -1;  // normalized to the last axis
    auto cl = SliceLayout::make(s, {2, 3, 4});
    EXPECT_EQ(cl.slices, 4u);
    EXPECT_EQ(cl.inner, 1u);
    EXPECT_EQ(cl.sliceOf(23), 3u);
    EXPECT_EQ(cl.sliceOf(6), 2u);

    s.axis = 7;  // out of range → axis 0
    EXPECT_EQ(SliceLayout::make(s, {5, 2}).slices, 5u);
    // 0-d scalar and empty tensors: one slice, never a zero divisor.
    auto scalar = SliceLayout::make(s, {});
    EXPECT_EQ(scalar.slices, 1u);
    EXPECT_EQ(scalar.sliceOf(0), 0u);
    s.axis = 0;
    auto empty = SliceLayout::make(s, {0, 4});
    EXPECT_EQ(empty.slices, 1u);
    EXPECT_GE(empty.inner, 1u);
}

TEST(SliceLayout, PerGroup) {
    QuantScheme s = sym();
    s.granularity = Granularity::PerGroup;
    s.groupSize = 3;
    // 2×4 with G = 3: groups per row ceil(4/3) = 2 — the last group of each row is 1 long.
    auto g = SliceLayout::make(s, {2, 4});
    EXPECT_EQ(g.groupsPerRow, 2u);
    EXPECT_EQ(g.slices, 4u);
    const uint64_t expected[8] = {0, 0, 0, 1, 2, 2, 2, 3};
    for (uint64_t i = 0; i < 8; ++i) EXPECT_EQ(g.sliceOf(i), expected[i]) << i;
    // 1-d: one row.
    auto v = SliceLayout::make(s, {7});
    EXPECT_EQ(v.slices, 3u);
    EXPECT_EQ(v.sliceOf(6), 2u);
    // 0-d.
    EXPECT_EQ(SliceLayout::make(s, {}).slices, 1u);
    // group size larger than the row: one group per row.
    s.groupSize = 128;
    EXPECT_EQ(SliceLayout::make(s, {3, 10}).slices, 3u);
}

TEST(SliceLayout, RunEndIsWhereTheSliceCanChange) {
    QuantScheme s = sym();
    // Per tensor: one run to the end.
    EXPECT_EQ(SliceLayout::make(s, {2, 4}).runEnd(5), UINT64_MAX);
    // Per channel, axis 0 of 3×4: rows are runs (inner = 4); axis 1: every element is its own run.
    s.granularity = Granularity::PerChannel;
    s.axis = 0;
    auto rows = SliceLayout::make(s, {3, 4});
    EXPECT_EQ(rows.runEnd(0), 4u);
    EXPECT_EQ(rows.runEnd(5), 8u);
    s.axis = 1;
    auto cols = SliceLayout::make(s, {3, 4});
    EXPECT_EQ(cols.runEnd(5), 6u);
    // Per group of 3 along rows of 4: groups [0,3), [3,4) | [4,7), [7,8).
    s.granularity = Granularity::PerGroup;
    s.groupSize = 3;
    auto g = SliceLayout::make(s, {2, 4});
    const uint64_t ends[8] = {3, 3, 3, 4, 7, 7, 7, 8};
    for (uint64_t i = 0; i < 8; ++i) {
        EXPECT_EQ(g.runEnd(i), ends[i]) << i;
        for (uint64_t j = i; j < ends[i]; ++j) EXPECT_EQ(g.sliceOf(j), g.sliceOf(i));  // a run is one slice
    }
}

// Seeds' vector: symmetric s = 5.64/127, asymmetric s = (5.64 + 4.7)/255 = 10.34/255, z = 116.
TEST(ParamsFromRange, SeedsMinMax) {
    auto ps = paramsFromRange(sym(), {-4.7, 5.64});
    EXPECT_FLOAT_EQ(ps.scale, 5.64f / 127.0f);
    EXPECT_EQ(ps.zeroPoint, 0);
    auto pa = paramsFromRange(asym(), {-4.7, 5.64});
    EXPECT_FLOAT_EQ(pa.scale, (5.64f + 4.7f) / 255.0f);
    // z = 0 − round(−4.7 / 0.0405490…) = −round(−115.909) = 116
    EXPECT_EQ(pa.zeroPoint, 116);
    EXPECT_DOUBLE_EQ(pa.clip.lo, -4.7);
}

TEST(ParamsFromRange, AsymmetricWidensToZero) {
    // [2, 6] → [0, 6]: s = 6/255, z = 0 (0.0 stays exactly representable).
    auto p = paramsFromRange(asym(), {2, 6});
    EXPECT_FLOAT_EQ(p.scale, 6.0f / 255.0f);
    EXPECT_EQ(p.zeroPoint, 0);
    // [−6, −2] → [−6, 0]: z = −round(−6/(6/255)) = 255.
    auto n = paramsFromRange(asym(), {-6, -2});
    EXPECT_EQ(n.zeroPoint, 255);
    // [−1, 3] at 8 bits: s = 4/255, z = −round(−63.75) = 64.
    auto m = paramsFromRange(asym(), {-1, 3});
    EXPECT_FLOAT_EQ(m.scale, 4.0f / 255.0f);
    EXPECT_EQ(m.zeroPoint, 64);
    // Swapped bounds are accepted.
    EXPECT_EQ(paramsFromRange(asym(), {3, -1}).zeroPoint, 64);
}

TEST(ParamsFromRange, DegenerateSeeds) {
    // Constant tensor c = 3: asymmetric widens to [0, 3] → s = 3/255, z = 0; symmetric s = 3/127.
    EXPECT_FLOAT_EQ(paramsFromRange(asym(), {3, 3}).scale, 3.0f / 255.0f);
    EXPECT_FLOAT_EQ(paramsFromRange(sym(), {3, 3}).scale, 3.0f / 127.0f);
    // All zero: no division by zero; scale 1 (any scale reproduces 0 exactly).
    auto z = paramsFromRange(sym(), {0, 0});
    EXPECT_EQ(z.scale, 1.0f);
    EXPECT_EQ(z.zeroPoint, 0);
    auto za = paramsFromRange(asym(), {0, 0});
    EXPECT_EQ(za.scale, 1.0f);
    EXPECT_EQ(za.zeroPoint, 0);
    // Non-finite bounds never produce a NaN or infinite scale.
    auto nan = paramsFromRange(sym(), {std::nan(""), std::nan("")});
    EXPECT_EQ(nan.scale, 1.0f);
    auto inf = paramsFromRange(sym(), {-INFINITY, INFINITY});
    EXPECT_TRUE(std::isfinite(inf.scale));
    EXPECT_FLOAT_EQ(inf.scale, FLT_MAX / 127.0f);
}

TEST(ParamsFromRange, PyTorchConvention) {
    // MinMaxObserver qint8 symmetric: s = amax / ((127 − (−128))/2) = amax/127.5, z = 0.
    auto p = paramsFromRange(sym(8, Convention::PyTorch), {-0.5, 1.0});
    EXPECT_EQ(p.scale, 1.0f / 127.5f);
    EXPECT_EQ(p.zeroPoint, 0);
    // Degenerate: s = max(s, eps) with eps = torch.finfo(float32).eps = 2^−23.
    auto z = paramsFromRange(sym(8, Convention::PyTorch), {0, 0});
    EXPECT_EQ(z.scale, 0x1p-23f);
    EXPECT_EQ(z.zeroPoint, 0);
    auto za = paramsFromRange(asym(8, Convention::PyTorch), {0, 0});
    EXPECT_EQ(za.scale, 0x1p-23f);
    EXPECT_EQ(za.zeroPoint, 0);
    // Tiny but non-zero range: eps floor, not the tiny scale.
    EXPECT_EQ(paramsFromRange(sym(8, Convention::PyTorch), {-1e-9, 1e-9}).scale, 0x1p-23f);
    // Asymmetric [−1, 3]: s = 4/255, z = 0 − round(−1/s) = 64 (as the seeds).
    auto a = paramsFromRange(asym(8, Convention::PyTorch), {-1, 3});
    EXPECT_EQ(a.scale, 4.0f / 255.0f);
    EXPECT_EQ(a.zeroPoint, 64);
}

TEST(ParamsFromRange, OnnxRuntimeConvention) {
    // compute_scale_zp: symmetric int8 uses qmin = −127: s = 2·amax/254 = amax/127, z = 0.
    auto p = paramsFromRange(sym(8, Convention::OnnxRuntime), {-2, 1});
    EXPECT_EQ(p.scale, 2.0f / 127.0f);
    EXPECT_EQ(p.zeroPoint, 0);
    // scale < float32 tiny → scale 1, zero point 0.
    auto z = paramsFromRange(sym(8, Convention::OnnxRuntime), {0, 0});
    EXPECT_EQ(z.scale, 1.0f);
    EXPECT_EQ(z.zeroPoint, 0);
    auto tiny = paramsFromRange(asym(8, Convention::OnnxRuntime), {0, 1e-40});
    EXPECT_EQ(tiny.scale, 1.0f);
    EXPECT_EQ(tiny.zeroPoint, 0);
    // Asymmetric [−1, 3]: z = round(0 − (−1)/(4/255)) = round(63.75) = 64.
    auto a = paramsFromRange(asym(8, Convention::OnnxRuntime), {-1, 3});
    EXPECT_EQ(a.scale, 4.0f / 255.0f);
    EXPECT_EQ(a.zeroPoint, 64);
}

TEST(ParamsFromRange, TensorRtConvention) {
    // pytorch-quantization: scale = amax/127 (it multiplies by 127/amax).
    auto p = paramsFromRange(sym(8, Convention::TensorRT), {-3, 2});
    EXPECT_EQ(p.scale, 3.0f / 127.0f);
    // amax ≤ 2^−24 → every output 0: represented by the largest float as scale, zero point 0.
    auto z = paramsFromRange(sym(8, Convention::TensorRT), {-0x1p-25, 0x1p-26});
    EXPECT_EQ(z.scale, FLT_MAX);
    EXPECT_EQ(z.zeroPoint, 0);
    EXPECT_EQ(paramsFromRange(sym(8, Convention::TensorRT), {0, 0x1p-24}).scale, FLT_MAX);  // ≤, inclusive
    // Just above the threshold: the ordinary scale.
    EXPECT_EQ(paramsFromRange(sym(8, Convention::TensorRT), {0, 0x1p-23}).scale, 0x1p-23f / 127.0f);
}

TEST(ParamsFromRange, FullRangeAndBits) {
    QuantScheme s = sym(8);
    s.fullRange = true;
    EXPECT_EQ(paramsFromRange(s, {-1, 1}).scale, 1.0f / 127.5f);
    EXPECT_EQ(paramsFromRange(sym(4), {-7, 7}).scale, 1.0f);    // 4-bit: qmax 7
    EXPECT_EQ(paramsFromRange(asym(2), {0, 3}).scale, 1.0f);    // 2-bit: 0..3
    EXPECT_EQ(paramsFromRange(asym(16), {0, 65535}).scale, 1.0f);
}

TEST(ParamsFromRange, PerSliceRanges) {
    auto q = paramsFromRanges(sym(), {{-4, 1}, {0, 8}});
    ASSERT_EQ(q.slices.size(), 2u);
    EXPECT_EQ(q.slices[0].scale, 4.0f / 127.0f);
    EXPECT_EQ(q.slices[1].scale, 8.0f / 127.0f);
}

}  // namespace
}  // namespace qv
