#!/usr/bin/env bash
# Runs every test (unit tests beside the code in lib/, integration tests in tests/) and ends with the plain
# "N passed, N failed" line CI reads. Extra arguments go to `deno test` (e.g. a path or --filter).
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
if [ $# -eq 0 ]; then set -- tests/ lib/; fi
# The Deno that npm installed (npm test puts it on PATH; `deno task test` may not).
deno=./node_modules/.bin/deno
[ -x "$deno" ] || deno=deno
"$deno" test -A --parallel "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Deno's summary: "ok | 12 passed | 0 failed" or "FAILED | 11 passed | 1 failed", possibly with colour codes.
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -1)
rm -f "$log"
passed=$(echo "$summary" | sed -E 's/.* ([0-9]+) passed.*/\1/')
failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed.*/\1/')
if [ -z "$summary" ]; then
  echo "tests: 0 passed, 1 failed (deno test did not report a summary)"
  exit 1
fi
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
