// Error metrics between the dequantized int8 GEMM output and the fp32 one, overall and per output channel.
#include <cmath>
#include <limits>
#include <vector>

#include "core/gemm/gemm_fp32.h"

namespace qv {

namespace {

struct Sums {
    uint64_t n = 0;
    double sqErr = 0, absErr = 0, maxAbs = 0, sqRef = 0, sqTest = 0, dot = 0;
    void add(double t, double r) {
        const double e = t - r;
        ++n;
        sqErr += e * e;
        absErr += std::fabs(e);
        maxAbs = std::max(maxAbs, std::fabs(e));
        sqRef += r * r;
        sqTest += t * t;
        dot += t * r;
    }
    void merge(const Sums& o) {
        n += o.n;
        sqErr += o.sqErr;
        absErr += o.absErr;
        maxAbs = std::max(maxAbs, o.maxAbs);
        sqRef += o.sqRef;
        sqTest += o.sqTest;
        dot += o.dot;
    }
    OutputError finish() const {
        OutputError e;
        e.count = n;
        if (n == 0) return e;
        e.mse = sqErr / static_cast<double>(n);
        e.meanAbsError = absErr / static_cast<double>(n);
        e.maxAbsError = maxAbs;
        if (sqErr == 0) e.sqnrDb = std::numeric_limits<double>::infinity();
        else if (sqRef == 0) e.sqnrDb = 0;
        else e.sqnrDb = 10.0 * std::log10(sqRef / sqErr);
        if (sqRef == 0 && sqTest == 0) e.cosine = 1;
        else if (sqRef == 0 || sqTest == 0) e.cosine = 0;
        else e.cosine = dot / std::sqrt(sqRef * sqTest);
        return e;
    }
};

}  // namespace

GemmComparison compareGemmOutputs(std::span<const float> test, std::span<const float> ref, int64_t M, int64_t N) {
    GemmComparison c;
    if (M <= 0 || N <= 0 || test.size() < static_cast<size_t>(M * N) || ref.size() < static_cast<size_t>(M * N)) {
        return c;
    }
    std::vector<Sums> cols(static_cast<size_t>(N));
    for (int64_t i = 0; i < M; ++i) {
        for (int64_t j = 0; j < N; ++j) {
            const float t = test[static_cast<size_t>(i * N + j)], r = ref[static_cast<size_t>(i * N + j)];
            if (!std::isfinite(t) || !std::isfinite(r)) continue;
            cols[static_cast<size_t>(j)].add(t, r);
        }
    }
    Sums all;
    c.perChannel.reserve(cols.size());
    for (const Sums& s : cols) {
        all.merge(s);
        c.perChannel.push_back(s.finish());
    }
    c.total = all.finish();
    return c;
}

void gemmFp32Scalar(const float* a, const float* b, float* y, int64_t M, int64_t N, int64_t K, int64_t n0,
                    int64_t n1) {
    for (int64_t i = 0; i < M; ++i) {
        float* yr = y + i * N;
        for (int64_t j = n0; j < n1; ++j) yr[j] = 0;
        for (int64_t k = 0; k < K; ++k) {
            const float av = a[i * K + k];
            const float* br = b + k * N;
            for (int64_t j = n0; j < n1; ++j) yr[j] += av * br[j];
        }
    }
}

}  // namespace qv
