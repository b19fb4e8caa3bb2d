# qv_tensor_tests: dtype traits, exact f16/bf16 conversion, TensorInfo/TensorView.
qv_add_test(qv_tensor_tests
  ${CMAKE_CURRENT_LIST_DIR}/half_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dtype_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tensor_view_test.cpp
)
