# GGUF: block decoders against hand-built blocks, the reader on generated (valid and hostile) files,
# real models from ../shared/models, and the stored-quantization comparison.
qv_add_test(qv_gguf_tests
  ${CMAKE_CURRENT_LIST_DIR}/ggml_blocks_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ggml_iq_blocks_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gguf_reader_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gguf_models_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stored_quant_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ggml_encode_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ggml_requant_detail_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ggml_quant_mix_test.cpp
)
