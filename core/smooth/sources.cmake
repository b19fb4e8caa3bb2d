# smooth: SmoothQuant's migration of activation outliers into the weights, and its evaluation through the
# int8 GEMM (sources of quantviz_core, relative to core/).
list(APPEND QV_CORE_SOURCES
  smooth/smoothquant.cpp
  smooth/smooth_eval.cpp
)
