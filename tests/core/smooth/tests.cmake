# smooth: SmoothQuant's factors worked by hand, the exact-product identity, the zero-channel rule and the
# int8 evaluation on a layer with planted outlier channels, per-token activation scales.
qv_add_test(qv_smooth_tests
  ${CMAKE_CURRENT_LIST_DIR}/smoothquant_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/smooth_eval_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/smooth_per_token_test.cpp
)
