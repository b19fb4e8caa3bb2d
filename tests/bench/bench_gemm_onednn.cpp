// oneDNN peers of the gemm bench section: the matmul primitive with prepacked weights and dnnl_gemm_u8s8s32.
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "tests/bench/bench_gemm_peers.h"

namespace qv::bench {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

class OnednnMatmul : public PeerGemm {
public:
    OnednnMatmul(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K)
        : m_engine(dnnl::engine::kind::cpu, 0), m_stream(m_engine), m_c(static_cast<size_t>(M * N)) {
        dnnl::memory::desc aMd({M, K}, dt::u8, tag::ab), bPlain({K, N}, dt::s8, tag::ab),
            bAny({K, N}, dt::s8, tag::any), cMd({M, N}, dt::s32, tag::ab);
        dnnl::matmul::desc d(aMd, bAny, cMd);
        m_pd = dnnl::matmul::primitive_desc(d, m_engine);
        m_prim = dnnl::matmul(m_pd);
        m_a = dnnl::memory(aMd, m_engine, const_cast<uint8_t*>(a));
        m_cMem = dnnl::memory(cMd, m_engine, m_c.data());
        // Weights reordered once into the layout the primitive chose (not timed).
        dnnl::memory src(bPlain, m_engine, const_cast<int8_t*>(b));
        m_b = dnnl::memory(m_pd.weights_desc(), m_engine);
        dnnl::reorder(src, m_b).execute(m_stream, src, m_b);
        m_stream.wait();
    }
    void run(int threads) override {
        omp_set_num_threads(threads);
        m_prim.execute(m_stream, {{DNNL_ARG_SRC, m_a}, {DNNL_ARG_WEIGHTS, m_b}, {DNNL_ARG_DST, m_cMem}});
        m_stream.wait();
    }
    const int32_t* result() const override { return m_c.data(); }
    std::string implementation() const override { return m_pd.impl_info_str(); }

private:
    dnnl::engine m_engine;
    dnnl::stream m_stream;
    dnnl::matmul::primitive_desc m_pd;
    dnnl::matmul m_prim;
    dnnl::memory m_a, m_b, m_cMem;
    std::vector<int32_t> m_c;
};

class OnednnGemm : public PeerGemm {
public:
    OnednnGemm(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K)
        : m_a(a), m_b(b), m_M(M), m_N(N), m_K(K), m_c(static_cast<size_t>(M * N)) {}
    void run(int threads) override {
        omp_set_num_threads(threads);
        const int32_t co = 0;
        dnnl_gemm_u8s8s32('N', 'N', 'F', m_M, m_N, m_K, 1.0f, m_a, m_K, 0, m_b, m_N, 0, 0.0f, m_c.data(), m_N, &co);
    }
    const int32_t* result() const override { return m_c.data(); }

private:
    const uint8_t* m_a;
    const int8_t* m_b;
    int64_t m_M, m_N, m_K;
    std::vector<int32_t> m_c;
};

}  // namespace

bool onednnCapIsaAtAvx2() { return dnnl::set_max_cpu_isa(dnnl::cpu_isa::avx2) == dnnl::status::success; }

std::string onednnEffectiveIsa() {
    switch (dnnl::get_effective_cpu_isa()) {
        case dnnl::cpu_isa::sse41: return "sse41";
        case dnnl::cpu_isa::avx: return "avx";
        case dnnl::cpu_isa::avx2: return "avx2";
        case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
        case dnnl::cpu_isa::avx512_core: return "avx512_core";
        case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
        case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
        default: return "other";
    }
}

std::unique_ptr<PeerGemm> makeOnednnMatmul(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K) {
    return std::make_unique<OnednnMatmul>(a, b, M, N, K);
}

std::unique_ptr<PeerGemm> makeOnednnGemm(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K) {
    return std::make_unique<OnednnGemm>(a, b, M, N, K);
}

}  // namespace qv::bench
