# Golden tests of quantviz-cli: each test writes its input files with the core writers, runs the real
# binary (build/bin/quantviz-cli) and asserts exact outputs, exit codes and messages.
if(TARGET quantviz-cli)
  find_package(nlohmann_json 3.10 REQUIRED)
  qv_add_test(qv_cli_tests ${CMAKE_CURRENT_LIST_DIR}/cli_golden_test.cpp ${CMAKE_CURRENT_LIST_DIR}/cli_runner.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cli_llamacpp_test.cpp)
  target_link_libraries(qv_cli_tests PRIVATE nlohmann_json::nlohmann_json)
  target_compile_definitions(qv_cli_tests PRIVATE QV_CLI_PATH="$<TARGET_FILE:quantviz-cli>")
  add_dependencies(qv_cli_tests quantviz-cli)
endif()
