#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++-14 (ASan + UBSan) and runs each one for a while.
#   tests/fuzz/run_fuzz.sh [--build DIR] [--seconds N | --runs N] [--jobs J] [target...]
# Targets: npy safetensors gguf onnx npz pytorch pickle (default: all). Seeds come from
# fuzz_seeds (valid files of every format); the growing corpus lives in DIR/corpus/<target>,
# crash reproducers in DIR/crashes/<target>-*. Exit status 0 only if no target crashed;
# 77 (CTest "skipped") when clang++-14 is not installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$ROOT/build/fuzz"
SECS=60
RUNS=""
JOBS=2
TARGETS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD="$2"; shift 2 ;;
    --seconds) SECS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=(npy safetensors gguf onnx npz pytorch pickle)

if ! command -v clang++-14 >/dev/null 2>&1; then
  echo "run_fuzz.sh: clang++-14 not found (Debian package clang-14); skipping" >&2
  exit 77
fi

cmake -S "$ROOT/tests/fuzz" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >"$BUILD.configure.log" 2>&1 \
  || { cat "$BUILD.configure.log" >&2; exit 1; }
cmake --build "$BUILD" -j "$JOBS" --target fuzz_seeds $(printf 'fuzz_%s ' "${TARGETS[@]}") >"$BUILD/build.log" 2>&1 \
  || { tail -50 "$BUILD/build.log" >&2; exit 1; }

rm -rf "$BUILD/seeds"
ASAN_OPTIONS=detect_leaks=1 "$BUILD/fuzz_seeds" "$BUILD/seeds"
mkdir -p "$BUILD/crashes"

status=0
printf '%-12s %12s %10s  %s\n' target executions exec/s result
for t in "${TARGETS[@]}"; do
  mkdir -p "$BUILD/corpus/$t"
  limit=(-max_total_time="$SECS")
  [[ -n "$RUNS" ]] && limit=(-runs="$RUNS")
  log="$BUILD/fuzz_$t.log"
  set +e
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$BUILD/fuzz_$t" "${limit[@]}" -timeout=20 -rss_limit_mb=2560 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$BUILD/crashes/$t-" \
    "$BUILD/corpus/$t" "$BUILD/seeds/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  if [[ $rc -eq 0 ]]; then
    result=ok
  else
    result="CRASH (exit $rc): $(grep -m1 -o 'Test unit written to .*' "$log" || echo "see $log")"
    status=1
  fi
  printf '%-12s %12s %10s  %s\n' "$t" "$execs" "$speed" "$result"
done
rm -f /dev/shm/qv-fuzz-* 2>/dev/null || true
exit $status
