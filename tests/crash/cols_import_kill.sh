#!/usr/bin/env bash
# tests/crash/cols_import_kill.sh [COUNT] - `kill -9` of `karta import-receipts`
# (the columnar store) leaves nothing half-visible, and a rerun loads every
# receipt exactly once.
#
# Generates a chain whose receipt import takes a second or more, imports it
# once into a reference store (its counts and duration), then COUNT times
# (default 5) starts the import into a store of its own and kills it with
# SIGKILL at a random moment in the i-th of COUNT slices of that time (so the
# kills fall early, midway and late, commit included). After each kill the
# store shows either no receipts or all of them; the next import then removes
# what the killed one left behind, loads everything exactly once (or, if the
# killed import had already published, is refused as a repeat), and the RFM
# of the store equals the reference's byte for byte.
#
#   KARTA=./karta (the release build)  COLS_KILL_MEMBERS=20000
set -u
cd "$(dirname "$0")/../.."
count=${1:-5}
KARTA=${KARTA:-./karta}
case $KARTA in /*) ;; *) KARTA=$PWD/$KARTA ;; esac
members=${COLS_KILL_MEMBERS:-20000}
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); echo "ok   crash cols_import_kill $*"; }
fail() { failed=$((failed + 1)); echo "FAIL crash cols_import_kill $*"; }
finish() {
    echo "crash: $passed passed, $failed failed"
    [ $failed -eq 0 ]
    exit
}
now() { date +%s.%N; }
status() { "$KARTA" cols status --data "$1" 2>&1 | head -1 | sed -E 's/^segments [0-9]+, //'; }

if ! "$KARTA" gen --out "$tmp/chain" --members "$members" --days 60 --seed 11 --start 2026-01-01 >/dev/null 2>"$tmp/gen.err"; then
    fail "gen: $(cat "$tmp/gen.err")"
    finish
fi
prepare() { # a store with the chain's members, stores and products
    "$KARTA" init --data "$1" >/dev/null && "$KARTA" import --data "$1" "$tmp/chain" --as-of 2026-01-01 >/dev/null
}
prepare "$tmp/base" || { fail "prepare"; finish; }
cp -r "$tmp/base" "$tmp/ref"
t0=$(now)
if ! "$KARTA" import-receipts --data "$tmp/ref" "$tmp/chain" >"$tmp/ref.out" 2>&1; then
    fail "reference import: $(cat "$tmp/ref.out")"
    finish
fi
duration=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
full=$(status "$tmp/ref")
"$KARTA" rfm --data "$tmp/ref" --format csv >"$tmp/ref.rfm"
lines=$(($(wc -l <"$tmp/chain/receipt_lines.csv") - 1))
case "$full" in *"lines $lines") ok "reference import: $full in ${duration}s" ;; *) fail "reference import: $full, want $lines lines" ;; esac

for i in $(seq 1 "$count"); do
    d="$tmp/k$i"
    rm -rf "$d"
    cp -r "$tmp/base" "$d"
    delay=$(awk -v i="$i" -v n="$count" -v d="$duration" -v r="$RANDOM" 'BEGIN { printf "%.3f", d * ((i - 1) + r / 32768) / n }')
    "$KARTA" import-receipts --data "$d" "$tmp/chain" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    after=$(status "$d")
    case "$after" in
    "receipts 0, lines 0" | "$full") ;;
    *) fail "kill $i after ${delay}s: partly visible: $after"; continue ;;
    esac
    out=$("$KARTA" import-receipts --data "$d" "$tmp/chain" 2>&1)
    rc=$?
    if [ "$after" = "$full" ]; then
        [ $rc = 5 ] || { fail "kill $i after ${delay}s: published import not refused on rerun (exit $rc): $out"; continue; }
    else
        [ $rc = 0 ] || { fail "kill $i after ${delay}s: rerun failed: $out"; continue; }
    fi
    final=$(status "$d")
    [ "$final" = "$full" ] || { fail "kill $i after ${delay}s: after rerun $final, want $full"; continue; }
    leftovers=$(find "$d/cols" -name '.tmp-seg-*' | wc -l)
    [ "$leftovers" = 0 ] || { fail "kill $i: $leftovers temporary segments left after the rerun"; continue; }
    "$KARTA" rfm --data "$d" --format csv >"$tmp/k.rfm"
    if cmp -s "$tmp/ref.rfm" "$tmp/k.rfm"; then
        ok "kill $i after ${delay}s (visible then: ${after%%,*}): rerun complete, RFM identical"
    else
        fail "kill $i: RFM differs from the reference"
    fi
done
finish
