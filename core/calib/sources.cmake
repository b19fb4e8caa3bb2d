# calib: sources of quantviz_core (paths relative to core/).
list(APPEND QV_CORE_SOURCES
  calib/calibrator.cpp
  calib/calib_math.cpp
  calib/minmax_calibrator.cpp
  calib/percentile_calibrator.cpp
  calib/mse_calibrator.cpp
  calib/entropy_calibrator.cpp
  calib/cross_entropy_calibrator.cpp
  calib/aciq_calibrator.cpp
  calib/omse_calibrator.cpp
  calib/histogram_observer_calibrator.cpp
  calib/slice_calibration.cpp
  calib/presets.cpp
)
