# Sourced by the shell tests that start `whopconf serve` themselves (needs
# WHOPCONF set): start_serve DIR [serve args...] starts one in the
# background, its output in DIR, and sets URL to its first line; every
# server started is stopped when the script exits.
SERVE_PIDS=()
start_serve() {
  local dir=$1
  shift
  mkdir -p "$dir"
  "$WHOPCONF" serve "$@" >"$dir/serve.out" 2>"$dir/serve.err" &
  SERVE_PIDS+=($!)
  URL=""
  for _ in $(seq 1 100); do
    URL=$(head -n 1 "$dir/serve.out" 2>/dev/null)
    [ -n "$URL" ] && break
    sleep 0.05
  done
}
stop_all_serves() { for p in "${SERVE_PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
trap stop_all_serves EXIT
