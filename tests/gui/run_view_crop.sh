#!/bin/bash
# Renders the same scene twice in screenshot mode — the whole window, then one region with
# --screenshot-view — and checks that the second PNG is exactly that region of the first, at the
# rectangle worked out by hand from the layout (EXPECTED_RECT "X,Y,W,H", or "-" to take the app's word).
# usage: run_view_crop.sh QUANTVIZ CROP_CHECK OUT_PREFIX VIEW EXPECTED_RECT FILE [quantviz args...]
# Exit 77 (CTest SKIP_RETURN_CODE) when Xvfb or FILE is missing. The app runs on a private Xvfb (xvfb_app.sh).
set -u
. "$(dirname "$0")/xvfb_app.sh"
qv=$1 check=$2 out=$3 view=$4 want=$5 file=$6
shift 6
if ! command -v Xvfb >/dev/null 2>&1; then echo "SKIP: Xvfb is not installed"; exit 77; fi
if [ ! -e "$file" ]; then echo "SKIP: $file is absent"; exit 77; fi
full="$out-window.png" crop="$out-$view.png"
rm -f "$full" "$crop"
err=$(mktemp)
run() { xvfb_app "$qv" "$file" --size 1280x800 "$@" 2>>"$err"; }
run --screenshot "$full" "$@" || { cat "$err"; echo "FAIL: full-window run"; exit 1; }
run --screenshot "$crop" --screenshot-view "$view" "$@" || { cat "$err"; echo "FAIL: $view run"; exit 1; }
cat "$err"
# "quantviz: view histogram at 433,29 size 839x367 of framebuffer 1280x800"
line=$(grep -E "^quantviz: view $view at " "$err" | tail -1)
rm -f "$err"
[ -n "$line" ] || { echo "FAIL: quantviz did not report the region"; exit 1; }
read -r x y w h <<<"$(sed -E 's/.* at ([0-9]+),([0-9]+) size ([0-9]+)x([0-9]+) .*/\1 \2 \3 \4/' <<<"$line")"
if [ "$want" != "-" ] && [ "$want" != "$x,$y,$w,$h" ]; then
  echo "FAIL: region $x,$y,$w,$h, expected $want"; exit 1
fi
"$check" "$full" "$crop" "$x" "$y" "$w" "$h" || exit 1
echo "PASS: $crop"
