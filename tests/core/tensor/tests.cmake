# qv_tensor_tests: dtype traits, exact f16/bf16 conversion, TensorInfo/TensorView, the IQ grid tables.
qv_add_test(qv_tensor_tests
  ${CMAKE_CURRENT_LIST_DIR}/half_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dtype_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tensor_view_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ggml_iq_grids_test.cpp
)
