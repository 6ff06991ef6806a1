# Sourced by the shell tests: servers in the background.
# Needs a function fail (one line, exit 1) defined by the caller.

# bg_start NAME CMD...: CMD in the background, stdout/stderr in NAME.out and
# NAME.err in the current directory; waits for its first line and sets
# NAME_pid and NAME_url (that line); the pid is added to BG_PIDS.
bg_start() {
  local name=$1
  shift
  rm -f "$name.out" "$name.err" # a previous NAME's first line must not be read as this one's
  "$@" >"$name.out" 2>"$name.err" &
  local pid=$!
  BG_PIDS="${BG_PIDS:-} $pid"
  eval "${name}_pid=$pid"
  for _ in $(seq 100); do
    [ -s "$name.out" ] && [ "$(tail -c 1 "$name.out" | od -An -c | tr -d ' ')" = '\n' ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  eval "${name}_url=\$(head -n 1 $name.out)"
  [ -n "$(eval "echo \$${name}_url")" ] || { cat "$name.err"; fail "$name printed no URL"; }
}

# SIGTERM to every process bg_start started (those still running), and wait.
bg_stop_all() {
  for pid in ${BG_PIDS:-}; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  BG_PIDS=""
}
