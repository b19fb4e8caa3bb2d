// Deterministic generator of the sample model's tensors (see the table below for each tensor).
//
// Tensor                                           shape       dtype  distribution
// ------------------------------------------------ ----------  -----  -------------------------------------------
// model.embed_tokens.weight                        [256, 128]  f32    Gaussian, std 0.05 (embedding tables are
//                                                                     small-valued; no fan-in scaling)
// model.layers.L.input_layernorm.weight            [128]       f32    1 + Gaussian std 0.05 (LayerNorm gains ≈ 1)
// model.layers.L.input_layernorm.bias              [128]       f32    Gaussian std 0.02
// model.layers.L.self_attn.{q,k,v}_proj.weight     [128, 128]  f32    Gaussian, std 1/sqrt(fan_in) = 1/sqrt(128)
//     layers.0 k_proj is stored as f16, layers.1 q_proj as bf16 (same distribution, rounded to nearest even)
// model.layers.0.self_attn.o_proj.weight           [128, 128]  f32    Laplacian (heavy tails, excess kurtosis 3),
//                                                                     std 1/sqrt(128) (scale b = std/sqrt(2))
// model.layers.1.self_attn.o_proj.weight           [128, 128]  f32    Gaussian std 1/sqrt(128)
// model.layers.L.post_attention_layernorm.{weight,bias}  [128] f32    as input_layernorm
// model.layers.L.mlp.up_proj.weight                [256, 128]  f32    Gaussian std 1/sqrt(128)
// model.layers.0.mlp.down_proj.weight              [128, 256]  f32    Gaussian std 1/sqrt(256), input channels
//                                                                     (columns) 17, 101, 200 multiplied by 20, 35,
//                                                                     50 — the few outlier channels seen in real
//                                                                     LLM layers (Dettmers et al. 2022, LLM.int8())
// model.layers.1.mlp.down_proj.weight              [128, 256]  f32    Gaussian std 1/sqrt(256), no outliers
// model.norm.weight                                [128]       f32    1 + Gaussian std 0.05
// activations.layers.1.mlp_input                   [64, 128]   f32    64 tokens × 128 channels, Gaussian std 1,
//                                                                     channels 7, 66, 113 scaled by 60, 25, 40
//                                                                     (activation outliers: LLM.int8(), SmoothQuant)
//
// Randomness: splitmix64 seeds xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/); uniforms take
// the top 53 bits; Gaussians come from Box–Muller, Laplacians from the inverse CDF. std::normal_distribution
// is avoided on purpose: its algorithm differs between standard libraries, which would break the
// byte-identity test. Values are computed in double and rounded once to the stored type.
#include "assets/generator/sample_model.h"

#include <cmath>
#include <cstring>
#include <numbers>

#include "core/tensor/half.h"

namespace qv::sample {
namespace {

// splitmix64: expands one 64-bit seed into well-mixed state words (Steele, Lea, Flood 2014).
uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

class Rng {
public:
    explicit Rng(uint64_t seed) {
        for (auto& w : m_s) w = splitmix64(seed);
    }
    // xoshiro256**: result = rotl(s1 * 5, 7) * 9, then the xor-shift state update.
    uint64_t next() {
        const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Standard normal by Box–Muller (one value per pair of uniforms; the sine twin is dropped
    // to keep the stream simple). 1 − u is in (0, 1], so the log is finite.
    double gaussian() {
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    // Laplace(0, b = 1) by the inverse CDF: x = −sign(u) ln(1 − 2|u|), u uniform in (−½, ½).
    double laplace() {
        const double u = uniform() - 0.5;
        const double a = 1.0 - 2.0 * std::fabs(u);  // in (0, 1]
        return (u < 0 ? 1.0 : -1.0) * std::log(a == 0.0 ? 0x1.0p-53 : a);
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t m_s[4];
};

enum class Store { F32, F16, BF16 };

SafetensorsEntry makeEntry(std::string name, std::vector<int64_t> shape, const std::vector<double>& v, Store store) {
    SafetensorsEntry e;
    e.name = std::move(name);
    e.shape = std::move(shape);
    if (store == Store::F32) {
        e.dtype = DType::F32;
        e.data.resize(v.size() * 4);
        for (size_t i = 0; i < v.size(); ++i) {
            const auto f = static_cast<float>(v[i]);
            std::memcpy(e.data.data() + 4 * i, &f, 4);
        }
    } else {
        e.dtype = store == Store::F16 ? DType::F16 : DType::BF16;
        e.data.resize(v.size() * 2);
        for (size_t i = 0; i < v.size(); ++i) {
            const auto f = static_cast<float>(v[i]);
            const uint16_t h = store == Store::F16 ? f32ToF16(f) : f32ToBf16(f);
            std::memcpy(e.data.data() + 2 * i, &h, 2);
        }
    }
    return e;
}

std::vector<double> gaussian(Rng& rng, size_t n, double mean, double std) {
    std::vector<double> v(n);
    for (auto& x : v) x = mean + std * rng.gaussian();
    return v;
}

}  // namespace

std::vector<SafetensorsEntry> sampleTensors() {
    // One generator per tensor, seeded from the model seed and the tensor's index, so changing one
    // tensor's recipe does not reshuffle every other tensor.
    uint64_t index = 0;
    auto rngFor = [&] { return Rng(kSeed ^ (0x100000001B3ULL * ++index)); };
    const double wStd = 1.0 / std::sqrt(double{kDim});
    const double downStd = 1.0 / std::sqrt(double{kHidden});
    const size_t dd = size_t{kDim} * kDim;
    const size_t hd = size_t{kHidden} * kDim;

    std::vector<SafetensorsEntry> out;
    {
        Rng r = rngFor();
        out.push_back(makeEntry("model.embed_tokens.weight", {kVocab, kDim}, gaussian(r, size_t{kVocab} * kDim, 0, 0.05), Store::F32));
    }
    for (int layer = 0; layer < kLayers; ++layer) {
        const std::string p = "model.layers." + std::to_string(layer) + ".";
        Rng r1 = rngFor(), r2 = rngFor();
        out.push_back(makeEntry(p + "input_layernorm.weight", {kDim}, gaussian(r1, kDim, 1.0, 0.05), Store::F32));
        out.push_back(makeEntry(p + "input_layernorm.bias", {kDim}, gaussian(r2, kDim, 0.0, 0.02), Store::F32));
        Rng rq = rngFor(), rk = rngFor(), rv = rngFor(), ro = rngFor();
        out.push_back(makeEntry(p + "self_attn.q_proj.weight", {kDim, kDim}, gaussian(rq, dd, 0, wStd),
                                layer == 1 ? Store::BF16 : Store::F32));
        out.push_back(makeEntry(p + "self_attn.k_proj.weight", {kDim, kDim}, gaussian(rk, dd, 0, wStd),
                                layer == 0 ? Store::F16 : Store::F32));
        out.push_back(makeEntry(p + "self_attn.v_proj.weight", {kDim, kDim}, gaussian(rv, dd, 0, wStd), Store::F32));
        std::vector<double> o(dd);
        if (layer == 0) {
            const double b = wStd / std::numbers::sqrt2;  // Laplace variance is 2b²
            for (auto& x : o) x = b * ro.laplace();
        } else {
            o = gaussian(ro, dd, 0, wStd);
        }
        out.push_back(makeEntry(p + "self_attn.o_proj.weight", {kDim, kDim}, o, Store::F32));
        Rng r3 = rngFor(), r4 = rngFor();
        out.push_back(makeEntry(p + "post_attention_layernorm.weight", {kDim}, gaussian(r3, kDim, 1.0, 0.05), Store::F32));
        out.push_back(makeEntry(p + "post_attention_layernorm.bias", {kDim}, gaussian(r4, kDim, 0.0, 0.02), Store::F32));
        Rng ru = rngFor(), rd = rngFor();
        out.push_back(makeEntry(p + "mlp.up_proj.weight", {kHidden, kDim}, gaussian(ru, hd, 0, wStd), Store::F32));
        std::vector<double> down = gaussian(rd, hd, 0, downStd);  // [kDim rows (outputs), kHidden columns (inputs)]
        if (layer == 0)
            for (const auto& oc : kDownProjOutliers)
                for (int row = 0; row < kDim; ++row) down[size_t(row) * kHidden + size_t(oc.channel)] *= oc.factor;
        out.push_back(makeEntry(p + "mlp.down_proj.weight", {kDim, kHidden}, down, Store::F32));
    }
    {
        Rng r = rngFor();
        out.push_back(makeEntry("model.norm.weight", {kDim}, gaussian(r, kDim, 1.0, 0.05), Store::F32));
    }
    {
        Rng r = rngFor();
        std::vector<double> act = gaussian(r, size_t{kTokens} * kDim, 0, 1.0);
        for (const auto& oc : kActivationOutliers)
            for (int t = 0; t < kTokens; ++t) act[size_t(t) * kDim + size_t(oc.channel)] *= oc.factor;
        out.push_back(makeEntry("activations.layers.1.mlp_input", {kTokens, kDim}, act, Store::F32));
    }
    return out;
}

std::map<std::string, std::string> sampleMetadata() {
    return {
        {"generator", "qv-make-sample (assets/generator/make_sample.cpp, sample_model.cpp)"},
        {"description",
         "quantviz sample: a tiny transformer-like model (dim 128, MLP 256, vocab 256, 2 layers) with "
         "Gaussian weights (std 1/sqrt(fan_in)), a Laplacian o_proj (layer 0), outlier input channels "
         "17/101/200 (x20/x35/x50) in layers.0.mlp.down_proj, LayerNorm gains near 1, one f16 and one "
         "bf16 tensor, and captured activations with outlier channels 7/66/113 (x60/x25/x40)"},
        {"seed", std::to_string(kSeed)},
        {"prng", "splitmix64 -> xoshiro256**, Box-Muller Gaussians, inverse-CDF Laplacians"},
    };
}

Status writeSample(const std::string& path) { return writeSafetensors(path, sampleTensors(), sampleMetadata()); }

}  // namespace qv::sample
