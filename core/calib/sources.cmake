# calib: sources of quantviz_core (paths relative to core/).
list(APPEND QV_CORE_SOURCES
  calib/calibrator.cpp
  calib/calib_math.cpp
  calib/minmax_calibrator.cpp
)
