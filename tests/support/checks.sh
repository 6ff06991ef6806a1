# Shared by the shell tests (source it): named checks that count, and the
# summary that decides the exit status.
#
#   check "what must hold" COMMAND...   runs COMMAND: ok or FAIL with the name
#   ok NAME / bad NAME                  for checks a command cannot express
#   checks_summary LABEL                prints the counts; returns 1 on any FAIL
pass=0
fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
checks_summary() {
  echo "${1:+$1: }$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
