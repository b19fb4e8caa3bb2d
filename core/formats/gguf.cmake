# GGUF: llama.cpp's container (header parser, metadata rendering) and stored-quantization facts.
list(APPEND QV_CORE_SOURCES
  formats/gguf.cpp
  formats/gguf_metadata.cpp
  formats/stored_quant.cpp
)
