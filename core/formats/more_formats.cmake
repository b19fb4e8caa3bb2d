# formats (more): NumPy .npz and PyTorch checkpoints (zip via libzip), ONNX (Debian onnx_proto +
# protobuf). Libraries are found as plain files so the static core's link line carries full paths
# into every consumer directory (imported targets would be local to core/).
find_path(QV_LIBZIP_INCLUDE zip.h REQUIRED)                        # Debian libzip-dev
find_library(QV_LIBZIP zip REQUIRED)
find_path(QV_ONNX_INCLUDE onnx/onnx-ml.pb.h REQUIRED)               # Debian libonnx-dev
find_library(QV_ONNX_PROTO onnx_proto REQUIRED)
find_package(Protobuf REQUIRED)                                      # Debian libprotobuf-dev
list(APPEND QV_CORE_SOURCES
  formats/zip_archive.cpp
  formats/zip_model.cpp
  formats/npz.cpp
  formats/pickle.cpp
  formats/pytorch.cpp
  formats/onnx.cpp
)
# onnx-ml.pb.h is the header Debian's libonnx_proto was generated from (ONNX_ML=1, namespace onnx).
set_source_files_properties(formats/onnx.cpp PROPERTIES
  COMPILE_DEFINITIONS "ONNX_NAMESPACE=onnx;ONNX_ML=1")
list(APPEND QV_CORE_INCLUDES ${QV_LIBZIP_INCLUDE} ${QV_ONNX_INCLUDE} ${Protobuf_INCLUDE_DIRS})
list(APPEND QV_CORE_PRIVATE_LIBS ${QV_LIBZIP} ${QV_ONNX_PROTO} ${Protobuf_LIBRARIES})
