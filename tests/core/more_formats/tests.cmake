# qv_more_formats_tests: .npz, PyTorch checkpoints (restricted pickle), ONNX.
qv_add_test(qv_more_formats_tests
  ${CMAKE_CURRENT_LIST_DIR}/npz_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pytorch_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pytorch_cpython_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/onnx_test.cpp
)
target_include_directories(qv_more_formats_tests PRIVATE ${CMAKE_SOURCE_DIR})
# The tests build zips with libzip and ONNX models with Debian's onnx_proto (see more_formats.cmake).
target_compile_definitions(qv_more_formats_tests PRIVATE ONNX_NAMESPACE=onnx ONNX_ML=1)
