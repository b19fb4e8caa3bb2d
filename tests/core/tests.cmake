# Core unit tests: one executable per area; each area owns its own list file below.
include(${CMAKE_CURRENT_LIST_DIR}/tensor/tests.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/formats/tests.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/quant/tests.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/calib/tests.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/gemm/tests.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/gguf/tests.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/more_formats/tests.cmake OPTIONAL)
