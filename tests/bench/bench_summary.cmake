# Bench section "summary": the one-pass summary and the exact error pass against a plain read.
list(APPEND QV_BENCH_SOURCES bench_summary.cpp)
