// gemmlowp peer of the gemm bench section, compiled with -mavx2 -DGEMMLOWP_ENABLE_AVX2 so its AVX2 kernel is used.
#include <gemmlowp/public/gemmlowp.h>

#include <tuple>
#include <vector>

#include "tests/bench/bench_gemm_peers.h"

namespace qv::bench {

namespace {

class Gemmlowp : public PeerGemm {
public:
    Gemmlowp(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K)
        : m_a(a), m_M(static_cast<int>(M)), m_N(static_cast<int>(N)), m_K(static_cast<int>(K)),
          m_b(static_cast<size_t>(K * N)), m_c(static_cast<size_t>(M * N)) {
        // gemmlowp multiplies (lhs + lhs_offset)·(rhs + rhs_offset) on uint8 only: b + 128 stored as
        // uint8 (XOR 0x80) with rhs_offset −128 gives back the int8 weights (REFERENCE.md §6).
        for (size_t i = 0; i < m_b.size(); ++i) m_b[i] = static_cast<uint8_t>(b[i]) ^ 0x80;
    }
    void run(int threads) override {
        m_context.set_max_num_threads(threads);
        gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> lhs(m_a, m_M, m_K);
        gemmlowp::MatrixMap<const uint8_t, gemmlowp::MapOrder::RowMajor> rhs(m_b.data(), m_K, m_N);
        gemmlowp::MatrixMap<int32_t, gemmlowp::MapOrder::RowMajor> res(m_c.data(), m_M, m_N);
        const std::tuple<> pipeline;
        gemmlowp::GemmWithOutputPipeline<uint8_t, int32_t, gemmlowp::DefaultL8R8BitDepthParams>(
            &m_context, lhs, rhs, &res, 0, -128, pipeline);
    }
    const int32_t* result() const override { return m_c.data(); }

private:
    const uint8_t* m_a;
    int m_M, m_N, m_K;
    std::vector<uint8_t> m_b;
    std::vector<int32_t> m_c;
    gemmlowp::GemmContext m_context;
};

}  // namespace

std::unique_ptr<PeerGemm> makeGemmlowp(const uint8_t* a, const int8_t* b, int64_t M, int64_t N, int64_t K) {
    return std::make_unique<Gemmlowp>(a, b, M, N, K);
}

}  // namespace qv::bench
