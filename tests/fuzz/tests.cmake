# fuzz_smoke: builds the libFuzzer targets with clang++-14 into <build>/fuzz (incremental after the
# first run) and runs each for 2 s. Skipped when clang-14 is missing. Longer runs: docs/fuzzing.md.
add_test(NAME fuzz_smoke
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_fuzz.sh --build ${CMAKE_BINARY_DIR}/fuzz --seconds 2)
set_tests_properties(fuzz_smoke PROPERTIES TIMEOUT 1200 SKIP_RETURN_CODE 77 LABELS fuzz)
