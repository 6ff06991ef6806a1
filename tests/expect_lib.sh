# Shared by the command-line test scripts (sourced): run a command, check its
# exit status and output. The script sets $out (a scratch directory) and
# starts the counters: failures=0 passes=0.

# expect NAME WANTED_EXIT COMMAND...: runs it, output in $out/NAME.out/.err.
expect() {
  local name=$1 want=$2; shift 2
  "$@" >"$out/$name.out" 2>"$out/$name.err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"
    sed 's/^/    /' "$out/$name.out" "$out/$name.err" | head -20
    failures=$((failures + 1))
  else
    passes=$((passes + 1))
  fi
}

# grep_in NAME out|err PATTERN: the output of NAME contains PATTERN.
grep_in() {
  if ! grep -q -- "$3" "$out/$1.$2"; then
    echo "FAIL $1: '$3' not in its std$2"
    failures=$((failures + 1))
  else
    passes=$((passes + 1))
  fi
}
