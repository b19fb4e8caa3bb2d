# Bench section "gguf": open_10gb_gguf (sparse file, header only) and per-type block decoding speed.
list(APPEND QV_BENCH_SOURCES bench_gguf.cpp)
