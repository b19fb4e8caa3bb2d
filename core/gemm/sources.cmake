# gemm: sources of quantviz_core (paths relative to core/).
# Each SIMD kernel is its own translation unit with its own instruction-set flags; the dispatcher
# picks one at run time (__builtin_cpu_supports), so the library itself never needs -march.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
list(APPEND QV_CORE_SOURCES
  gemm/gemm_reference.cpp
  gemm/gemm_output_stage.cpp
  gemm/gemm_dispatch.cpp
  gemm/gemm_thread_pool.cpp
  gemm/gemm_portable.cpp
  gemm/pack_a.cpp
  gemm/pack_b.cpp
  gemm/kernel_avx512_vnni.cpp
  gemm/kernel_avx2.cpp
  gemm/gemm_fp32.cpp
  gemm/gemm_compare.cpp
  gemm/gemm_quantized_run.cpp
)
list(APPEND QV_CORE_PRIVATE_LIBS Eigen3::Eigen)
# -ffp-contract=off: the float output stages must round exactly like the scalar reference (no FMA fusion).
set_source_files_properties(gemm/kernel_avx512_vnni.cpp PROPERTIES
  COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-ffp-contract=off")
set_source_files_properties(gemm/kernel_avx2.cpp PROPERTIES
  COMPILE_OPTIONS "-mavx2;-mfma;-ffp-contract=off")
# Eigen's fp32 GEMM (the float reference and the eigen_fp32 peer) vectorizes with AVX-512/FMA here, since
# Eigen picks its kernels at compile time; gemm_fp32.cpp checks the CPU before calling it (scalar fallback otherwise).
set_source_files_properties(gemm/gemm_fp32.cpp PROPERTIES
  COMPILE_OPTIONS "-mavx512f;-mavx512dq;-mavx512vl;-mavx512bw;-mavx2;-mfma")
