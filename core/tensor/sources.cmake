# tensor: dtypes, fp16/bf16 conversion, ggml block decoders, TensorInfo/TensorView.
list(APPEND QV_CORE_SOURCES
  tensor/dtype.cpp
  tensor/ggml_blocks.cpp
  tensor/tensor_view.cpp
)
