# gemm: the int8 GEMM core — requantization by hand, optimized kernels == reference, fp32 comparison.
qv_add_test(qv_gemm_tests
  ${CMAKE_CURRENT_LIST_DIR}/requantize_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gemm_sweep_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gemm_trace_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gemm_fp32_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gemm_quantized_run_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gemm_thread_pool_test.cpp
)
