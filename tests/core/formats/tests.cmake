# qv_formats_tests: .npy and safetensors loaders/writers, hostile files, real models, the sample asset.
qv_add_test(qv_formats_tests
  ${CMAKE_CURRENT_LIST_DIR}/npy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hostile_files_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_changed_on_disk_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resident_pages_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/real_models_test.cpp
)
target_include_directories(qv_formats_tests PRIVATE ${CMAKE_SOURCE_DIR})
if(TARGET qv_sample_model)
  target_sources(qv_formats_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/sample_asset_test.cpp)
  target_link_libraries(qv_formats_tests PRIVATE qv_sample_model)
endif()

# qv_formats_asan_tests: every loader's hostile-file and reader tests again, with AddressSanitizer +
# UBSan on the code they attack: base (mmap, byte sources), tensor (dtype conversion, ggml block
# decoding, views) and every parser (npy, safetensors, the sniffer, GGUF, npz/zip, the restricted
# pickle and PyTorch checkpoints, ONNX). Statistics and quantization come uninstrumented from
# quantviz_core (the archive only supplies the objects still missing), which keeps this build light.
# The same parsers also have libFuzzer+ASan targets (tests/fuzz). Skipped when the whole build is
# sanitized already (QV_SANITIZE=ON runs the ordinary test binaries under ASan).
function(qv_add_formats_asan_tests)
  set(QV_CORE_SOURCES "")
  set(QV_CORE_PRIVATE_LIBS "")
  set(QV_CORE_INCLUDES "")
  set(core ${CMAKE_SOURCE_DIR}/core)
  foreach(list base/sources.cmake tensor/sources.cmake formats/sources.cmake formats/gguf.cmake
               formats/more_formats.cmake)
    include(${core}/${list})
  endforeach()
  # Per-ISA kernels need the per-file flags their sources.cmake sets in core's directory, which do not reach
  # this one: they come from quantviz_core instead (uninstrumented, like the statistics).
  list(FILTER QV_CORE_SOURCES EXCLUDE REGEX "_avx512\\.cpp$|_avx2\\.cpp$")
  list(TRANSFORM QV_CORE_SOURCES PREPEND ${core}/)
  set(san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g)
  add_executable(qv_formats_asan_tests ${QV_CORE_SOURCES}
    ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/hostile_files_test.cpp
    ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/file_changed_on_disk_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/core/gguf/gguf_reader_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/core/gguf/ggml_blocks_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/core/gguf/ggml_iq_blocks_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/core/more_formats/npz_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/core/more_formats/pytorch_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/core/more_formats/onnx_test.cpp
    ${CMAKE_SOURCE_DIR}/tests/support/test_support.cpp)
  target_compile_options(qv_formats_asan_tests PRIVATE ${san})
  target_link_options(qv_formats_asan_tests PRIVATE -fsanitize=address,undefined)
  target_compile_definitions(qv_formats_asan_tests PRIVATE
    QV_SHARED_MODELS_DEFAULT="${QV_SHARED_MODELS_DIR}" QV_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    QV_BINARY_DIR="${CMAKE_BINARY_DIR}"
    ONNX_NAMESPACE=onnx ONNX_ML=1)  # onnx-ml.pb.h as Debian generated it (see formats/more_formats.cmake)
  target_include_directories(qv_formats_asan_tests PRIVATE ${CMAKE_SOURCE_DIR} ${QV_CORE_INCLUDES})
  target_link_libraries(qv_formats_asan_tests PRIVATE ${QV_CORE_PRIVATE_LIBS} quantviz_core
    GTest::gtest GTest::gtest_main Threads::Threads qv_warnings)
  set_target_properties(qv_formats_asan_tests PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(qv_formats_asan_tests TEST_PREFIX "asan." DISCOVERY_TIMEOUT 120 PROPERTIES TIMEOUT 600)
endfunction()
if(NOT QV_SANITIZE)
  qv_add_formats_asan_tests()
endif()
