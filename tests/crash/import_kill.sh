#!/usr/bin/env bash
# tests/crash/import_kill.sh [COUNT] - `kill -9` of `karta import` leaves
# nothing partial, and a rerun loads every row exactly once.
#
# Generates a chain big enough that its import takes a few seconds, imports it
# once into a reference store (the counts of a complete import, checked
# against the files' data rows, and how long it takes), then COUNT times
# (default 5) starts the import into a store of its own and kills it with
# SIGKILL at a random moment in the i-th of COUNT equal slices of that time,
# so that the kills fall early, midway and late (commit included). After each
# kill every table must be empty or complete, all of them the same way, and
# `karta check` must pass. Finally an import into the killed store must load
# everything exactly once, `karta check` must print ok, and a second import
# must be refused without changing a row.
#
#   KARTA=./karta (the release build)  IMPORT_KILL_MEMBERS=80000
set -u
cd "$(dirname "$0")/../.."
count=${1:-5}
KARTA=${KARTA:-./karta}
case $KARTA in /*) ;; *) KARTA=$PWD/$KARTA ;; esac
members=${IMPORT_KILL_MEMBERS:-80000}
as_of=2026-01-01 # the generated chain's first day: its opening balances are valid then
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); echo "ok   crash import_kill $*"; }
fail() { failed=$((failed + 1)); echo "FAIL crash import_kill $*"; }
finish() {
    echo "crash: $passed passed, $failed failed"
    [ $failed -eq 0 ]
    exit
}

TABLES="categories partners brands suppliers stores products members cards card_events consent_events
favourite_events accounts ledger_txns lots ledger_entries imports"
counts() { # "table=rows ..." for every table the import writes
    local sql="" t
    for t in $TABLES; do sql="$sql SELECT '$t=' || COUNT(*) FROM $t;"; done
    sqlite3 "$1/karta.db" "$sql" | tr '\n' ' '
}
count_of() { sed -E "s/.*\\b$2=([0-9]+).*/\\1/" <<<"$1"; }
rows_in() { echo $(($(wc -l <"$tmp/chain/$1") - 1)); } # data rows: the generator writes no newline inside a field
now() { date +%s.%N; }

if ! "$KARTA" gen --out "$tmp/chain" --members "$members" --days 1 --seed 7 --start $as_of >/dev/null 2>"$tmp/gen.err"; then
    fail "gen: $(cat "$tmp/gen.err")"
    finish
fi

# The reference: a complete import, its counts and its duration.
"$KARTA" init --data "$tmp/ref" >/dev/null
t0=$(now)
if ! "$KARTA" import --data "$tmp/ref" "$tmp/chain" --as-of $as_of >"$tmp/ref.out" 2>"$tmp/ref.err"; then
    fail "reference import: $(cat "$tmp/ref.err")"
    finish
fi
duration=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
ref=$(counts "$tmp/ref")
"$KARTA" init --data "$tmp/empty" >/dev/null
empty=$(counts "$tmp/empty")
why=""
for t in categories stores products members cards; do # the table is named as its file
    [ "$(count_of "$ref" $t)" = "$(rows_in $t.csv)" ] || why="$why $t=$(count_of "$ref" $t) but $t.csv has $(rows_in $t.csv) rows;"
done
[ "$(count_of "$ref" consent_events)" = "$(rows_in consents.csv)" ] || why="$why consent_events differ from consents.csv;"
lots_want=$(tail -n +2 "$tmp/chain/balances.csv" | awk -F, '$2 > 0' | wc -l)
[ "$(count_of "$ref" lots)" = "$lots_want" ] || why="$why lots=$(count_of "$ref" lots) but balances.csv has $lots_want;"
if [ -n "$why" ]; then fail "reference import:$why"; else ok "reference: $(count_of "$ref" members) members imported in ${duration}s"; fi

# The kills.
"$KARTA" init --data "$tmp/data" >/dev/null
for i in $(seq 0 $((count - 1))); do
    delay=$(awk -v i=$i -v n=$count -v d="$duration" -v r=$RANDOM 'BEGIN { printf "%.2f", 0.05 + d * 0.98 * (i + r / 32768) / n }')
    "$KARTA" import --data "$tmp/data" "$tmp/chain" --as-of $as_of >/dev/null 2>"$tmp/kill.err" &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    status=$?
    state=$(counts "$tmp/data")
    if ! "$KARTA" check --data "$tmp/data" >"$tmp/check.out" 2>&1; then
        fail "kill $((i + 1)) at ${delay}s: karta check: $(head -3 "$tmp/check.out")"
    elif [ "$state" = "$empty" ]; then
        ok "kill $((i + 1)) at ${delay}s: nothing landed"
    elif [ "$state" = "$ref" ]; then
        ok "kill $((i + 1)) at ${delay}s: it had committed (exit $status): complete"
        rm -rf "$tmp/data" && "$KARTA" init --data "$tmp/data" >/dev/null # so the last import has work to do
    else
        fail "kill $((i + 1)) at ${delay}s: partial:
    complete: $ref
    found:    $state"
    fi
done

# The rerun after the kills: everything exactly once.
if ! "$KARTA" import --data "$tmp/data" "$tmp/chain" --as-of $as_of >/dev/null 2>"$tmp/final.err"; then
    fail "import after the kills: $(cat "$tmp/final.err")"
elif [ "$(counts "$tmp/data")" != "$ref" ]; then
    fail "import after the kills: $(counts "$tmp/data"), want $ref"
elif [ "$("$KARTA" check --data "$tmp/data" 2>&1)" != ok ]; then
    fail "import after the kills: karta check: $("$KARTA" check --data "$tmp/data" 2>&1 | head -3)"
else
    ok "import after the kills: every row once, check ok"
fi
"$KARTA" import --data "$tmp/data" "$tmp/chain" --as-of $as_of >/dev/null 2>"$tmp/again.err"
status=$?
if [ $status -eq 5 ] && grep -q "already exists" "$tmp/again.err" && [ "$(counts "$tmp/data")" = "$ref" ]; then
    ok "a second import is refused (exit 5) and changes nothing"
else
    fail "a second import: exit $status, $(cat "$tmp/again.err")"
fi
finish
