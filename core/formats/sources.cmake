# formats: one loader per file format, and the sniffer (model_file.cpp).
list(APPEND QV_CORE_SOURCES
  formats/model_file.cpp
  formats/npy.cpp
  formats/safetensors.cpp
)
