# Bench section "heatmap": the Heatmap tab's job (pyramid, ranges, top-k, error) on 1 and 2 threads.
list(APPEND QV_BENCH_SOURCES bench_heatmap.cpp)
list(APPEND QV_BENCH_LIBS quantviz_app_lib)
