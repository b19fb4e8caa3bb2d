#!/bin/bash
# Runs the real quantviz binary under Xvfb in screenshot mode and checks the PNG.
# usage: run_screenshot.sh QUANTVIZ PNG_CHECK OUT.png EXPECTED_RC STDERR_MUST_CONTAIN FILE [quantviz args...]
# Exit 77 (CTest SKIP_RETURN_CODE) when Xvfb or FILE is missing, saying why. The app runs on a private Xvfb
# (xvfb_app.sh).
set -u
. "$(dirname "$0")/xvfb_app.sh"
qv=$1 check=$2 out=$3 want_rc=$4 want_err=$5 file=$6
shift 6
case "$file" in
  gen-broken:*)  # a safetensors header that promises 16 bytes of JSON and stops after 13
    file=${file#gen-broken:}
    printf '\x10\x00\x00\x00\x00\x00\x00\x00{"w": {"dtype"' > "$file" ;;
esac
if ! command -v Xvfb >/dev/null 2>&1; then echo "SKIP: Xvfb is not installed"; exit 77; fi
if [ ! -e "$file" ] && [ "$want_rc" = 0 ]; then echo "SKIP: $file is absent"; exit 77; fi
rm -f "$out"
err=$(mktemp)
xvfb_app "$qv" "$file" --screenshot "$out" --size 1280x800 "$@" 2>"$err"
rc=$?
cat "$err"
if [ "$rc" != "$want_rc" ]; then echo "FAIL: exit code $rc, expected $want_rc"; exit 1; fi
if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$err"; then echo "FAIL: stderr lacks '$want_err'"; exit 1; fi
"$check" "$out" 1280 800 64 || exit 1
echo "PASS: $out"
