#!/usr/bin/env bash
# run-cli.sh - end-to-end CLI tests kept as readable data files.
#
# Each tests/cli/*.t file is one test, run in a fresh data directory with the
# clock fixed (KARTA_NOW) and `karta` on PATH (the sanitizer build unless
# KARTA_BIN says otherwise). Format:
#
#   # a comment (any line starting with '#'; output never does)
#   $ karta member add --card 1001        <- a shell command
#   member #1 added with card 1001        <- its expected stdout+stderr, exactly
#   [exit 3]                              <- optional: expected exit status (default 0)
#
# Prints "ok   cli NAME" or "FAIL cli NAME" with a diff, then "cli: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${KARTA_BIN:-$top/build/asan/karta}
[ -x "$bin" ] || { echo "run-cli: $bin is not built"; echo "cli: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$bin" "$work/bin/karta"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0

run_block() { # $1 command, $2 expected file, $3 expected exit; appends to $fail_log
  local got="$work/got" rc
  (cd "$case_dir" && PATH="$work/bin:$PATH" bash -c "$1") >"$got" 2>&1
  rc=$?
  if ! diff -u "$2" "$got" >"$work/diff" || [ "$rc" != "$3" ]; then
    {
      echo "  \$ $1"
      [ "$rc" != "$3" ] && echo "  exit status $rc, expected $3"
      sed 's/^/  /' "$work/diff"
    } >>"$fail_log"
  fi
}

# Optional arguments: name globs (`bash tests/run-cli.sh 'basket*'`) to run only those tests.
for t in "$top"/tests/cli/*.t; do
  name=$(basename "$t" .t)
  if [ $# -gt 0 ]; then
    keep=0
    for g in "$@"; do case "$name" in $g) keep=1 ;; esac; done
    [ $keep = 1 ] || continue
  fi
  case_dir="$work/case-$name"
  rm -rf "$case_dir"; mkdir -p "$case_dir"
  export KARTA_DATA="data" KARTA_NOW="2026-03-01T10:00:00+03:00" KARTA_ACTOR="cli:test"
  export KARTA_TESTS="$top/tests" KARTA_SHARED="$top/../shared" BASH_ENV="$top/tests/cli/helpers.sh"
  fail_log="$work/fail-$name"; : >"$fail_log"
  cmd="" exp="$work/exp"; : >"$exp"; want=0
  flush() {
    if [ -n "$cmd" ]; then
      # drop trailing blank lines of the expected block
      sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$exp"
      run_block "$cmd" "$exp" "$want"
    fi
    cmd="" want=0; : >"$exp"
  }
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      '$ '*) flush; cmd=${line#'$ '} ;;
      '#'*) ;;
      '[exit '*']') want=${line#'[exit '}; want=${want%']'} ;;
      *) [ -n "$cmd" ] && printf '%s\n' "$line" >>"$exp" ;;
    esac
  done <"$t"
  flush
  if [ -s "$fail_log" ]; then
    failed=$((failed + 1)); echo "FAIL cli $name"; cat "$fail_log"
  else
    passed=$((passed + 1)); echo "ok   cli $name"
  fi
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
