# App tests: view-models (exact pixel columns, bucket edges, envelopes), AppState with real jobs,
# and headless ImGui frames that drive the real panels with injected mouse and keyboard input.
if(TARGET quantviz_app_lib)
  qv_add_test(qv_app_tests
    ${CMAKE_CURRENT_LIST_DIR}/app_test_support.cpp
    ${CMAKE_CURRENT_LIST_DIR}/view_models_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/app_options_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/app_state_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/headless_ui_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/minmax_pyramid_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/heatmap_panel_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/compare_view_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/compare_panel_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/number_format_app_test.cpp)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/gemm_view_test.cpp AND EXISTS ${CMAKE_SOURCE_DIR}/app/views/gemm_view.cpp)
    target_sources(qv_app_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/gemm_view_test.cpp
                                        ${CMAKE_CURRENT_LIST_DIR}/gemm_panel_test.cpp)
  endif()
  target_sources(qv_app_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/tensor_tree_test.cpp ${CMAKE_CURRENT_LIST_DIR}/browser_ui_test.cpp)
  target_link_libraries(qv_app_tests PRIVATE quantviz_app_lib)
endif()
# Export (CSV/JSON tables, PNG of one view): app/export/ and its headless-UI test.
if(TARGET qv_app_tests)
  file(GLOB _qv_export_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/export_*.cpp)
  target_sources(qv_app_tests PRIVATE ${_qv_export_tests})
endif()
# Number explorer (the teaching window): its option and headless frames.
if(TARGET qv_app_tests)
  target_sources(qv_app_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/number_explorer_test.cpp)
endif()
# Learn menu windows (glossary, walkthroughs, QAT demo) and the SmoothQuant tab: headless frames.
if(TARGET qv_app_tests)
  file(GLOB _qv_learn_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/learn_*.cpp ${CMAKE_CURRENT_LIST_DIR}/smoothquant_*.cpp)
  target_sources(qv_app_tests PRIVATE ${_qv_learn_tests})
endif()
