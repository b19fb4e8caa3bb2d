# Bench section "formats": opening a sparse 10 GB safetensors file against a 1 MB one (headers only).
list(APPEND QV_BENCH_SOURCES bench_formats.cpp)
