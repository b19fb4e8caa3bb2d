# app section: a scripted run of the real quantviz binary under Xvfb on a generated 58M-element
# tensor (frame times while the controls move, latency of the exact metrics after release).
list(APPEND QV_BENCH_SOURCES bench_app.cpp)
