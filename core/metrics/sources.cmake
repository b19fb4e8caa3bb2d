# metrics: error statistics of a quantization, exact pass (sources of quantviz_core, relative to core/).
list(APPEND QV_CORE_SOURCES
  metrics/error_kernel.cpp
  metrics/error_stats.cpp
)
# The error kernel is compiled once per instruction set and picked at run time.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  list(APPEND QV_CORE_SOURCES metrics/error_kernel_avx2.cpp metrics/error_kernel_avx512.cpp)
  set_source_files_properties(metrics/error_kernel_avx2.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-ffp-contract=off")
  set_source_files_properties(metrics/error_kernel_avx512.cpp PROPERTIES COMPILE_OPTIONS
    "-mavx512f;-mavx512dq;-mavx512bw;-mavx512vl;-mavx2;-mfma;-mprefer-vector-width=512;-ffp-contract=off")
endif()
