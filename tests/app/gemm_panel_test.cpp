// GemmPanel's worker on a weight matrix of an open model: it converts the tensor off the UI thread and
// quantizes B per output channel with the codes worked out by hand below.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app/panels/gemm_panel.h"
#include "core/formats/model_file.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

// A version-1.0 .npy of little-endian float32 with a 2-D C-order shape (NumPy format: magic, version,
// 2-byte header length, dict padded with spaces to a multiple of 64 bytes, then the data).
std::vector<std::byte> npyF32(int rows, int cols, const std::vector<float>& values) {
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    dict += std::to_string(rows);
    dict += ", ";
    dict += std::to_string(cols);
    dict += "), }";
    while ((10 + dict.size() + 1) % 64 != 0) dict.push_back(' ');
    dict.push_back('\n');
    std::vector<std::byte> out;
    const unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    for (unsigned char c : magic) out.push_back(std::byte{c});
    out.push_back(std::byte(dict.size() & 0xFF));
    out.push_back(std::byte(dict.size() >> 8));
    for (char c : dict) out.push_back(static_cast<std::byte>(c));
    const auto* p = reinterpret_cast<const std::byte*>(values.data());
    out.insert(out.end(), p, p + values.size() * sizeof(float));
    return out;
}

TEST(GemmPanel, ConvertsTheSelectedWeightInItsWorkerAndQuantizesPerOutputChannel) {
    // W is a Linear weight [out = 3, in = 4]; the GEMM multiplies by B = Wᵀ (K = 4, N = 3).
    const std::vector<float> w = {1.0f, -0.6f, 0.2f, 0.0f,   // amax 1 → s = 1/127
                                  2.0f, -2.0f, 1.2f, 0.3f,   // amax 2 → s = 2/127
                                  0.0f, 0.0f, 0.0f, 4.0f};   // amax 4 → s = 4/127
    const std::string path = test::tempPath("gemm_panel_w.npy");
    test::writeBytes(path, npyF32(3, 4, w));
    auto model = openModel(path);
    ASSERT_TRUE(model.ok()) << model.message();
    auto weights = std::make_shared<GemmWeights>();
    weights->name.append("w");  // (append: GCC 12 -O3 misreports -Wrestrict on assigning a literal here)
    weights->rows = 3;
    weights->cols = 4;
    weights->model = std::shared_ptr<const ModelFile>(std::move(*model));
    weights->tensor = 0;
    ASSERT_FALSE(weights->synthetic());

    GemmPanel panel;
    panel.batchM = 2;
    panel.threads = 1;
    panel.run(weights);
    panel.waitIdle();
    auto r = panel.result();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->error.empty()) << r->error;
    ASSERT_TRUE(r->run);
    EXPECT_EQ(r->run->K, 4);
    EXPECT_EQ(r->run->N, 3);
    EXPECT_EQ(r->run->M, 2);
    // Symmetric int8 per output channel, round half to even: 1·127, −0.6·127 = −76.2, 0.2·127 = 25.4;
    // 2,−2 → ±127, 1.2·63.5 = 76.2, 0.3·63.5 = 19.05; the last row's 4 → 127. B is K×N, row-major.
    const std::vector<int> expected = {127, 127, 0,  -76, -127, 0,  25, 76, 0,  0, 19, 127};
    ASSERT_EQ(r->run->bCodes.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_EQ(static_cast<int8_t>(r->run->bCodes[i]), expected[i]) << "B code " << i;
}

}  // namespace
}  // namespace qv
