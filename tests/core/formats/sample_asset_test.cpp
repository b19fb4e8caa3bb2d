// The committed assets/sample.safetensors: byte-identical to what its generator writes today, and
// its tensors have the statistical properties the generator documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "assets/generator/sample_model.h"
#include "core/formats/model_file.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

const std::string kCommitted = std::string(QV_SOURCE_DIR) + "/assets/sample.safetensors";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

TEST(SampleAsset, CommittedFileMatchesGenerator) {
    const std::string fresh = test::tempPath("sample.safetensors");
    ASSERT_TRUE(sample::writeSample(fresh).ok());
    const std::string a = slurp(fresh);
    const std::string b = slurp(kCommitted);
    ASSERT_FALSE(b.empty()) << kCommitted << " is missing";
    EXPECT_EQ(a.size(), b.size());
    EXPECT_TRUE(a == b) << "assets/sample.safetensors differs from its generator: run "
                           "build/bin/qv-make-sample assets/sample.safetensors and commit the result";
}

struct Moments {
    double mean = 0, std = 0, excessKurtosis = 0;
};
Moments moments(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x;
    const double mean = s / v.size();
    double m2 = 0, m4 = 0;
    for (float x : v) {
        const double d = x - mean;
        m2 += d * d;
        m4 += d * d * d * d;
    }
    m2 /= v.size();
    m4 /= v.size();
    return {mean, std::sqrt(m2), m4 / (m2 * m2) - 3.0};
}

class SampleModel : public ::testing::Test {
protected:
    void SetUp() override {
        auto m = openModel(kCommitted);
        ASSERT_TRUE(m.ok()) << m.message();
        m_model = *m;
    }
    std::vector<float> values(std::string_view name) {
        auto i = m_model->find(name);
        EXPECT_TRUE(i.has_value()) << name;
        return i ? *m_model->view(*i).toFloat() : std::vector<float>{};
    }
    DType dtype(std::string_view name) { return m_model->tensors[m_model->find(name).value_or(0)].dtype; }
    std::shared_ptr<const ModelFile> m_model;
};

TEST_F(SampleModel, LayoutAndMetadata) {
    EXPECT_EQ(m_model->tensors.size(), 1u + 2 * 10 + 1 + 1);
    EXPECT_EQ(m_model->tensors.front().shape, (std::vector<int64_t>{256, 128}));
    EXPECT_EQ(dtype("model.layers.0.self_attn.k_proj.weight"), DType::F16);
    EXPECT_EQ(dtype("model.layers.1.self_attn.q_proj.weight"), DType::BF16);
    EXPECT_EQ(dtype("model.layers.1.mlp.down_proj.weight"), DType::F32);
    EXPECT_EQ(m_model->tensors[*m_model->find("model.norm.weight")].shape, std::vector<int64_t>{128});
    EXPECT_EQ(m_model->tensors[*m_model->find("activations.layers.1.mlp_input")].shape, (std::vector<int64_t>{64, 128}));
    const auto size = std::filesystem::file_size(kCommitted);
    EXPECT_GT(size, 500'000u);
    EXPECT_LT(size, 1'500'000u);
    bool hasGenerator = false;
    for (const auto& e : m_model->metadata) hasGenerator |= e.key == "generator" && e.value.find("qv-make-sample") != std::string::npos;
    EXPECT_TRUE(hasGenerator);
}

TEST_F(SampleModel, GaussianAndLaplacianLayers) {
    const double wStd = 1.0 / std::sqrt(128.0);
    // n = 16384: the standard error of the std is ≈ 0.6 %, of the excess kurtosis ≈ 0.04 (Gaussian).
    for (const char* name : {"model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
                             "model.layers.1.self_attn.q_proj.weight", "model.layers.1.self_attn.o_proj.weight"}) {
        const Moments m = moments(values(name));
        EXPECT_NEAR(m.mean, 0.0, 0.003) << name;
        EXPECT_NEAR(m.std / wStd, 1.0, 0.03) << name;
        EXPECT_NEAR(m.excessKurtosis, 0.0, 0.2) << name;
    }
    const Moments lap = moments(values("model.layers.0.self_attn.o_proj.weight"));
    EXPECT_NEAR(lap.std / wStd, 1.0, 0.03);
    EXPECT_NEAR(lap.excessKurtosis, 3.0, 0.6);  // Laplace: excess kurtosis 3
    const Moments ln = moments(values("model.layers.1.post_attention_layernorm.weight"));
    EXPECT_NEAR(ln.mean, 1.0, 0.02);
    EXPECT_NEAR(ln.std, 0.05, 0.015);
}

// Max |w| per input channel (column) of a [rows, cols] row-major matrix.
std::vector<double> columnMaxAbs(const std::vector<float>& w, size_t rows, size_t cols) {
    std::vector<double> mx(cols, 0.0);
    for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < cols; ++c) mx[c] = std::max(mx[c], std::fabs(double{w[r * cols + c]}));
    return mx;
}

TEST_F(SampleModel, DownProjOutlierChannels) {
    auto mx = columnMaxAbs(values("model.layers.0.mlp.down_proj.weight"), 128, 256);
    auto sorted = mx;
    std::nth_element(sorted.begin(), sorted.begin() + 128, sorted.end());
    const double median = sorted[128];
    for (const auto& oc : sample::kDownProjOutliers) {
        // The column's max grows by exactly its factor; against the median column it is 20–50×
        // give or take the spread of a max over 128 Gaussians.
        EXPECT_GT(mx[size_t(oc.channel)] / median, oc.factor * 0.5) << oc.channel;
        EXPECT_LT(mx[size_t(oc.channel)] / median, oc.factor * 2.0) << oc.channel;
    }
    size_t big = 0;
    for (double v : mx) big += v > 5 * median;
    EXPECT_EQ(big, std::size(sample::kDownProjOutliers));
    auto plain = columnMaxAbs(values("model.layers.1.mlp.down_proj.weight"), 128, 256);
    EXPECT_LT(*std::max_element(plain.begin(), plain.end()), 2.0 * median);
}

TEST_F(SampleModel, ActivationOutlierChannels) {
    const auto act = values("activations.layers.1.mlp_input");
    ASSERT_EQ(act.size(), 64u * 128u);
    auto channelStd = [&](size_t c) {
        std::vector<float> col;
        for (size_t t = 0; t < 64; ++t) col.push_back(act[t * 128 + c]);
        return moments(col).std;
    };
    for (const auto& oc : sample::kActivationOutliers)  // 64 samples: the std is within ±30 % of its scale
        EXPECT_NEAR(channelStd(size_t(oc.channel)) / oc.factor, 1.0, 0.3) << oc.channel;
    EXPECT_NEAR(channelStd(0), 1.0, 0.3);
    EXPECT_NEAR(channelStd(127), 1.0, 0.3);
}

}  // namespace
}  // namespace qv
