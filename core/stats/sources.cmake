# stats: the fine histogram and the one-pass tensor summary (sources of quantviz_core, relative to core/).
list(APPEND QV_CORE_SOURCES
  stats/fine_histogram.cpp
  stats/summary_kernel.cpp
  stats/tensor_summary.cpp
)
# The summary kernel is compiled once per instruction set and picked at run time
# (detail::selectSummaryKernel); the shipped binary never assumes the build machine's CPU.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  list(APPEND QV_CORE_SOURCES stats/summary_kernel_avx2.cpp stats/summary_kernel_avx512.cpp)
  set_source_files_properties(stats/summary_kernel_avx2.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
  set_source_files_properties(stats/summary_kernel_avx512.cpp PROPERTIES COMPILE_OPTIONS
    "-mavx512f;-mavx512dq;-mavx512bw;-mavx512vl;-mavx2;-mfma;-mprefer-vector-width=512")
endif()
