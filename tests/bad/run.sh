#!/usr/bin/env bash
# tests/bad/run.sh - bad input of every kind for `karta import`.
#
# Each case is a directory tests/bad/NAME/ holding the CSV files to import,
# `expect` (the exact stderr line), `exit` (the exit status) and, optionally,
# `setup/` (a good chain imported first, for reruns). The script imports the
# case into a fresh data directory and checks stderr, the exit status and that
# nothing was written: every table holds what it held before.
#
#   tests/bad/run.sh [NAME...]        (KARTA=path/to/karta, default ./karta)
#   tests/bad/run.sh --update NAME    rewrite NAME's expect and exit from a run
set -u
cd "$(dirname "$0")/../.."
KARTA=${KARTA:-./karta}
case $KARTA in /*) ;; *) KARTA=$PWD/$KARTA ;; esac
export KARTA_NOW=2026-06-01T12:00:00+03:00 # birth dates "in the future", expiry "in the past"
export KARTA_ACTOR=test
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi

TABLES="categories partners suppliers brands stores products members cards card_events consent_events
favourite_events merges audit accounts ledger_txns lots ledger_entries imports"

counts() { # one line: the row count of every table
    local sql="" t
    for t in $TABLES; do sql="$sql SELECT '$t=' || COUNT(*) FROM $t;"; done
    sqlite3 "$1/karta.db" "$sql" | tr '\n' ' '
}

passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    for d in tests/bad/*/; do cases+=("$(basename "$d")"); done
fi

for name in "${cases[@]}"; do
    src=tests/bad/$name
    work=$tmp/$name
    mkdir -p "$work/in"
    why=""
    find "$src" -maxdepth 1 -type f -name '*.csv' -exec cp {} "$work/in/" \;
    if ! "$KARTA" init --data "$work/data" >/dev/null 2>"$work/init.err"; then
        why="karta init failed: $(cat "$work/init.err")"
    elif [ -d "$src/setup" ] && ! "$KARTA" import --data "$work/data" "$src/setup" >/dev/null 2>"$work/setup.err"; then
        why="setup import failed: $(cat "$work/setup.err")"
    fi
    if [ -z "$why" ]; then
        before=$(counts "$work/data")
        (cd "$work" && "$KARTA" import --data data in >out 2>err)
        code=$?
        after=$(counts "$work/data")
        if [ $update = 1 ]; then
            cp "$work/err" "$src/expect"
            echo $code >"$src/exit"
        fi
        if [ ! -f "$src/expect" ] || [ ! -f "$src/exit" ]; then
            why="missing $src/expect or $src/exit"
        elif ! cmp -s "$work/err" "$src/expect"; then
            why="stderr differs:
$(diff "$src/expect" "$work/err" | sed 's/^/    /')"
        elif [ "$code" != "$(cat "$src/exit")" ]; then
            why="exit status $code, expected $(cat "$src/exit")"
        elif [ "$before" != "$after" ]; then
            why="the store changed:
    before: $before
    after:  $after"
        elif [ -s "$work/out" ]; then
            why="printed on stdout: $(head -3 "$work/out")"
        elif "$KARTA" check --data "$work/data" >/dev/null 2>&1; [ $? -ne 0 ]; then
            why="karta check fails after the refused import"
        fi
    fi
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "ok   bad $name"
    else
        failed=$((failed + 1))
        echo "FAIL bad $name: $why"
    fi
done
echo "bad: $passed passed, $failed failed"
[ $failed -eq 0 ]
