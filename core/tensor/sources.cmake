# tensor: dtypes, fp16/bf16 conversion, ggml block decoders (IQ grid types: ggml_iq_*), TensorInfo/TensorView.
list(APPEND QV_CORE_SOURCES
  tensor/dtype.cpp
  tensor/ggml_blocks.cpp
  tensor/ggml_encode.cpp
  tensor/ggml_encode_weighted.cpp
  tensor/ggml_iq_blocks.cpp
  tensor/ggml_iq_grids.cpp
  tensor/tensor_view.cpp
)
# The K-quant and IQ4_NL scale searches, 16 sub-blocks per AVX-512 vector or 8 per AVX2 one, picked at run time
# (ggml_encode_impl.h). -ffp-contract=off: every lane must round each product and sum as the scalar code does.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  list(APPEND QV_CORE_SOURCES tensor/ggml_encode_avx2.cpp tensor/ggml_encode_avx512.cpp)
  set_source_files_properties(tensor/ggml_encode_avx2.cpp PROPERTIES COMPILE_OPTIONS
    "-mavx2;-mfma;-ffp-contract=off")
  set_source_files_properties(tensor/ggml_encode_avx512.cpp PROPERTIES COMPILE_OPTIONS
    "-mavx512f;-mavx512dq;-mavx512bw;-mavx512vl;-mavx2;-mfma;-ffp-contract=off")
endif()
