#!/usr/bin/env bash
# Regenerates the fuzz seed corpora (corpus/<target>/), named for intent.
#   fuzz/gen_seeds.sh            hand-made seeds (always), plus responses of
#                                the reference server when BUILD/whopconf can
#                                serve (with and without each fault)
#   BUILD=build fuzz/gen_seeds.sh
# Seeds are only ever added or overwritten under their own names; inputs
# merged in by `make fuzz` (SHA-1 names) are left alone.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
cd "$ROOT"
python3 "$ROOT/fuzz/gen_seeds.py" "$ROOT/corpus"
python3 "$ROOT/fuzz/gen_seeds_validator.py" "$ROOT/corpus"
python3 "$ROOT/fuzz/gen_seeds_builder.py" "$ROOT/corpus"
python3 "$ROOT/fuzz/gen_seeds_gen.py" "$ROOT/corpus"

# ---- seeds from the reference server ----
WHOPCONF=$BUILD/whopconf
if [ ! -x "$WHOPCONF" ]; then
  echo "gen_seeds: $WHOPCONF not built: reference-server seeds skipped (make build first)"
  exit 0
fi
if ! "$WHOPCONF" serve --help >/dev/null 2>&1; then
  echo "gen_seeds: $WHOPCONF serve is not available yet: reference-server seeds skipped"
  exit 0
fi
python3 "$ROOT/fuzz/gen_seeds_refserver.py" "$WHOPCONF" "$ROOT/corpus"
