# formats: one loader per file format, the sniffer (model_file.cpp) and llama.cpp importance matrices (imatrix.cpp).
find_package(nlohmann_json REQUIRED)  # Debian nlohmann-json3-dev: safetensors headers
list(APPEND QV_CORE_SOURCES
  formats/atomic_file.cpp
  formats/imatrix.cpp
  formats/model_file.cpp
  formats/npy.cpp
  formats/safetensors.cpp
)
list(APPEND QV_CORE_PRIVATE_LIBS nlohmann_json::nlohmann_json)
