# Calibrator tests: closed-form answers, hand-built histograms, degenerate inputs, slices, presets.
qv_add_test(qv_calib_tests
  ${CMAKE_CURRENT_LIST_DIR}/calib_test_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/closed_form_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/entropy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/calibrator_misc_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/real_tensor_test.cpp
)
