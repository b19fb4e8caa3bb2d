# metrics: error statistics of a quantization, exact pass (sources of quantviz_core, relative to core/).
list(APPEND QV_CORE_SOURCES
  metrics/error_kernel.cpp
  metrics/error_kernel_levels.cpp
  metrics/error_stats.cpp
  metrics/ggml_requant.cpp
  metrics/ggml_quant_mix.cpp
)
# The error kernel is compiled once per instruction set and picked at run time. Its selects
# evaluate both arms, which -fno-trapping-math allows the vectorizer to do (we never read the FP
# exception flags); -ffp-contract=off keeps x̂ − x identical on every path (no fused s·r − x).
set_source_files_properties(metrics/error_kernel.cpp metrics/error_kernel_levels.cpp PROPERTIES COMPILE_OPTIONS "-fno-trapping-math;-ffp-contract=off")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  list(APPEND QV_CORE_SOURCES metrics/error_kernel_avx2.cpp metrics/error_kernel_avx512.cpp
    metrics/error_kernel_levels_avx512.cpp)
  set_source_files_properties(metrics/error_kernel_avx2.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-ffp-contract=off;-fno-trapping-math")
  set_source_files_properties(metrics/error_kernel_avx512.cpp metrics/error_kernel_levels_avx512.cpp PROPERTIES COMPILE_OPTIONS
    "-mavx512f;-mavx512dq;-mavx512bw;-mavx512vl;-mavx2;-mfma;-mprefer-vector-width=512;-ffp-contract=off;-fno-trapping-math")
endif()
