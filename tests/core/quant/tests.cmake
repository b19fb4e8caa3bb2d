# Quantization, summary-pass and error-metric tests (values worked out by hand in the sources).
qv_add_test(qv_quant_tests
  ${CMAKE_CURRENT_LIST_DIR}/quant_scheme_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantizer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fine_histogram_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tensor_summary_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error_stats_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/real_model_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/number_format_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/level_quantizer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/level_error_kernel_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/number_bits_test.cpp
)
