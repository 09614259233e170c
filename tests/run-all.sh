#!/usr/bin/env bash
# run-all.sh - the full test run (`make test`): unit tests and CLI tests on the
# sanitizer build, bad-input cases, crash tests with kill -9, and a bounded
# run of every fuzz entry. Each suite prints "NAME: N passed, N failed"; this
# script adds them up and ends with the total line. Exit status 1 if anything
# failed or a suite could not run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fuzz_seconds=${FUZZ_SECONDS:-20}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
total_pass=0 total_fail=0

suite() { # name, command...
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$log/$name"
  local line p f
  line=$(grep -E '^[a-z_-]+: [0-9]+ passed, [0-9]+ failed' "$log/$name" | tail -n 1)
  if [ -z "$line" ]; then
    echo "FAIL suite $name: printed no summary line"
    total_fail=$((total_fail + 1))
    return
  fi
  p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
  f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}

suite unit ./build/asan/unit
suite cli bash tests/run-cli.sh
suite http bash tests/http/run.sh
suite http-analytics bash tests/http/analytics.sh
[ -x tests/bad/run.sh ] || [ -f tests/bad/run.sh ] && suite bad bash tests/bad/run.sh
for t in tests/crash/*.sh; do
  [ -f "$t" ] && suite "crash-$(basename "$t" .sh)" bash "$t"
done
[ -f tests/fuzz/run.sh ] && suite fuzz bash tests/fuzz/run.sh "$fuzz_seconds"

echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
