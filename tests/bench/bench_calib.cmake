# Bench section "calibrators": every calibrator from a cached summary of a 64M-element tensor.
list(APPEND QV_BENCH_SOURCES bench_calib.cpp)
