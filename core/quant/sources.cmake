# quant: schemes, parameters from clip ranges, the affine quantizer (sources of quantviz_core, relative to core/).
list(APPEND QV_CORE_SOURCES
  quant/number_format.cpp
  quant/number_bits.cpp
  quant/quant_scheme.cpp
  quant/quant_params.cpp
  quant/quantizer.cpp
)
