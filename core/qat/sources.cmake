# qat: the QAT demo's core — toy datasets, a tiny MLP on Eigen, fake quantization with the STE, LSQ, the trainer
# (sources of quantviz_core, relative to core/). Eigen stays private to these .cpp files.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
list(APPEND QV_CORE_SOURCES
  qat/toy_dataset.cpp
  qat/fake_quant.cpp
  qat/tiny_mlp.cpp
  qat/lsq.cpp
  qat/qat_trainer.cpp
)
list(APPEND QV_CORE_PRIVATE_LIBS Eigen3::Eigen)
