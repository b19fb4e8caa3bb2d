# tensor: dtypes, fp16/bf16 conversion, ggml block decoders (IQ grid types: ggml_iq_*), TensorInfo/TensorView.
list(APPEND QV_CORE_SOURCES
  tensor/dtype.cpp
  tensor/ggml_blocks.cpp
  tensor/ggml_encode.cpp
  tensor/ggml_iq_blocks.cpp
  tensor/ggml_iq_grids.cpp
  tensor/tensor_view.cpp
)
