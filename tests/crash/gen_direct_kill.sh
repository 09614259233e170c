#!/usr/bin/env bash
# tests/crash/gen_direct_kill.sh [COUNT] - `kill -9` of `karta gen --direct
# --threads 2` (compact segments, member shards) leaves nothing half-visible:
# after each kill the store shows no receipts or all of them, a rerun
# publishes every receipt once, and its rows (karta cols dump, by reads and
# through the mappings) and its RFM equal those of an uninterrupted run.
#
# The reference run is timed; kill i of COUNT (default 5) falls at a random
# moment of the i-th slice of that time, so kills land while members are made,
# while shards and the writer run, and during the commit.
#
#   KARTA=./karta (the release build)  GEN_KILL_MEMBERS=60000
set -u
cd "$(dirname "$0")/../.."
count=${1:-5}
KARTA=${KARTA:-./karta}
case $KARTA in /*) ;; *) KARTA=$PWD/$KARTA ;; esac
members=${GEN_KILL_MEMBERS:-60000}
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); echo "ok   crash gen_direct_kill $*"; }
fail() { failed=$((failed + 1)); echo "FAIL crash gen_direct_kill $*"; }
finish() {
    echo "crash: $passed passed, $failed failed"
    [ $failed -eq 0 ]
    exit
}
now() { date +%s.%N; }
status() { "$KARTA" cols status --data "$1" 2>&1 | head -1 | sed -E 's/^segments [0-9]+, //'; }
args=(gen --direct --columns-only --threads 2 --members "$members" --stores 30 --products 3000 --days 60 --seed 5)
gen() { "$KARTA" "${args[@]}" --data "$1"; }

"$KARTA" init --data "$tmp/ref" >/dev/null || { fail "init"; finish; }
t0=$(now)
if ! gen "$tmp/ref" >"$tmp/ref.out" 2>&1; then
    fail "reference run: $(cat "$tmp/ref.out")"
    finish
fi
duration=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
full=$(status "$tmp/ref")
"$KARTA" cols dump lines --data "$tmp/ref" >"$tmp/ref.lines"
"$KARTA" rfm --data "$tmp/ref" --format csv --as-of 2026-03-01 >"$tmp/ref.rfm"
case "$full" in "receipts 0, lines 0" | "") fail "reference run published nothing: $full" ;; *) ok "reference run: $full in ${duration}s" ;; esac

for i in $(seq 1 "$count"); do
    d="$tmp/k$i"
    rm -rf "$d"
    "$KARTA" init --data "$d" >/dev/null
    delay=$(awk -v i="$i" -v n="$count" -v d="$duration" -v r="$RANDOM" 'BEGIN { printf "%.3f", d * ((i - 1) + r / 32768) / n }')
    "$KARTA" "${args[@]}" --data "$d" >/dev/null 2>&1 & # karta itself, so that the kill reaches it
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    after=$(status "$d")
    case "$after" in
    "receipts 0, lines 0") ;;
    "$full") ok "kill $i after ${delay}s: the run had published everything"; continue ;;
    *) fail "kill $i after ${delay}s: partly visible: $after"; continue ;;
    esac
    out=$(gen "$d" 2>&1) || { fail "kill $i after ${delay}s: rerun failed: $out"; continue; }
    final=$(status "$d")
    [ "$final" = "$full" ] || { fail "kill $i after ${delay}s: after rerun $final, want $full"; continue; }
    "$KARTA" cols dump lines --data "$d" | cmp -s - "$tmp/ref.lines" || { fail "kill $i after ${delay}s: rows differ from the reference's"; continue; }
    "$KARTA" cols dump lines --mapped --data "$d" | cmp -s - "$tmp/ref.lines" || { fail "kill $i after ${delay}s: mapped rows differ"; continue; }
    "$KARTA" rfm --data "$d" --format csv --as-of 2026-03-01 | cmp -s - "$tmp/ref.rfm" || { fail "kill $i after ${delay}s: RFM differs"; continue; }
    leftovers=$(find "$d/cols" -name '.tmp-seg-*' | wc -l)
    [ "$leftovers" = 0 ] || { fail "kill $i after ${delay}s: $leftovers temporary segments left"; continue; }
    ok "kill $i after ${delay}s: nothing visible, rerun complete: $final, rows and RFM identical"
done
finish
