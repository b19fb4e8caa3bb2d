# imatrix: llama.cpp importance matrices read from generated legacy and GGUF files (valid and hostile), the
# importance-weighted encoders on hand-worked blocks and properties of llama.cpp's _impl searches, and the
# weighted round-trip error on generated and real tensors.
qv_add_test(qv_imatrix_tests
  ${CMAKE_CURRENT_LIST_DIR}/imatrix_test.cpp
)
