# qv_formats_tests: .npy and safetensors loaders/writers, hostile files, real models, the sample asset.
qv_add_test(qv_formats_tests
  ${CMAKE_CURRENT_LIST_DIR}/npy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hostile_files_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/real_models_test.cpp
)
target_include_directories(qv_formats_tests PRIVATE ${CMAKE_SOURCE_DIR})
if(TARGET qv_sample_model)
  target_sources(qv_formats_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/sample_asset_test.cpp)
  target_link_libraries(qv_formats_tests PRIVATE qv_sample_model)
endif()
