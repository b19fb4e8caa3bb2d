# Sourced by the GUI test scripts. xvfb_app ARGS...: runs ARGS on a private Xvfb and returns ARGS' own exit code
# (124 after 300 s; 125 when no X server starts). The server is started and stopped here rather than by
# xvfb-run: xvfb-run exits 5 when it cannot remove its temporary directory, and then never kills its Xvfb
# (its clean_up removes the directory before the kill) — seen once in CI: the test failed with the app's exit
# correct, and the orphaned server kept running, holding whatever files the test had open.
xvfb_app() {
  local fdfile disp xpid rc i
  fdfile=$(mktemp)
  # -displayfd: the server picks a free display and writes its number once it accepts connections.
  Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$fdfile" >/dev/null 2>&1 &
  xpid=$!
  for i in $(seq 200); do
    [ -s "$fdfile" ] && break
    kill -0 "$xpid" 2>/dev/null || break
    sleep 0.05
  done
  disp=$(head -n 1 "$fdfile" | tr -dc '0-9')
  rm -f "$fdfile"
  if [ -z "$disp" ]; then
    kill "$xpid" 2>/dev/null
    wait "$xpid" 2>/dev/null
    echo "FAIL: Xvfb did not start" >&2
    return 125
  fi
  DISPLAY=":$disp" timeout 300 "$@"
  rc=$?
  kill "$xpid" 2>/dev/null
  wait "$xpid" 2>/dev/null
  return "$rc"
}
