# gemm: sources of quantviz_core (paths relative to core/).
