# Bench section "gemm": our int8 GEMM vs oneDNN (matmul primitive + dnnl_gemm_u8s8s32), gemmlowp (AVX2
# kernel) and Eigen fp32 (qv::gemmFp32 in core). Peers live in their own files so each gets its flags.
find_package(dnnl REQUIRED)
find_package(OpenMP REQUIRED)  # oneDNN from Debian runs on OpenMP: omp_set_num_threads picks its thread count
list(APPEND QV_BENCH_SOURCES bench_gemm.cpp bench_gemm_onednn.cpp bench_gemm_gemmlowp.cpp bench_gemm_peak.cpp
  bench_gemm_avx2_peak.cpp)
list(APPEND QV_BENCH_LIBS DNNL::dnnl OpenMP::OpenMP_CXX)
# gemmlowp (libgemmlowp-dev, headers in /usr/include/gemmlowp) only uses its AVX2 kernel when both
# __AVX2__ and GEMMLOWP_ENABLE_AVX2 are defined (internal/detect_platform.h); this file alone gets them.
set_source_files_properties(bench_gemm_gemmlowp.cpp PROPERTIES
  COMPILE_OPTIONS "-mavx2;-mfma"
  COMPILE_DEFINITIONS "GEMMLOWP_ENABLE_AVX2")
# The register-only VNNI peak (the ceiling for every int8 kernel here); run only on VNNI CPUs.
set_source_files_properties(bench_gemm_peak.cpp PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512vnni")
# The register-only AVX2 rates (exact vpmaddwd and saturating vpmaddubsw): the gemm_avx2 section's ceilings.
set_source_files_properties(bench_gemm_avx2_peak.cpp PROPERTIES COMPILE_OPTIONS "-mavx2")
