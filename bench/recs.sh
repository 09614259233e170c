#!/usr/bin/env bash
# recs.sh - recommendations for every member of a generated chain: time and
# memory of `karta recs --all` (load, calibration split, model, every
# member's top K) and of `karta recs --evaluate`.
#   bash bench/recs.sh [MEMBERS] [DAYS] [TOP]    (default 200000 members, 120 days, top 10)
# The chain is set up as a loyalty program would hold it: `karta import` of the
# generated members, cards and catalogue, then `karta gen --direct` writes the
# receipts straight into the columns with the operational ids (the CSV files of
# the chain come from a first `gen --direct` into a scratch data directory, so
# that no receipt CSV is written). Setup steps are timed too.
# Environment: BENCH_WORK=DIR (default /tmp), EVALUATE=0 skips --evaluate,
# THREADS (default 2).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
members=${1:-200000}
days=${2:-120}
k=${3:-10}
threads=${THREADS:-2}
karta=${KARTA_BIN:-$top/karta}
[ -x "$karta" ] || make -C "$top" karta >/dev/null
work=$(mktemp -d "${BENCH_WORK:-/tmp}/karta-recs.XXXXXX")
trap 'rm -rf "$work"' EXIT
export KARTA_DATA="$work/data" KARTA_NOW="2026-01-01T10:00:00+03:00"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -m);" \
     "load $(cut -d' ' -f1-3 /proc/loadavg); $members members, $days days, top $k, $threads threads"
step() { # label, command...: runs it, prints its wall time
  local label=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$@" >"$work/step.out"
  t1=$(date +%s.%N)
  awk -v l="$label" -v a="$t0" -v b="$t1" 'BEGIN { printf "setup: %-34s %7.1f s\n", l, b - a }'
}
"$karta" --data "$work/scratch" init >/dev/null
step "gen (members and catalogue CSV)" "$karta" --data "$work/scratch" gen --direct --out "$work/g" --members "$members" --days "$days"
rm -rf "$work/scratch"
step "init + import of the chain" sh -c "'$karta' init && '$karta' import '$work/g' --as-of 2026-01-01"
step "gen --direct (receipts)" "$karta" gen --direct --out "$work/g2" --members "$members" --days "$days"
grep 'cols:' "$work/step.out" || true
rm -rf "$work/g" "$work/g2"
run() { # label, args...
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$karta" recs "$@" --threads "$threads" --stats >"$work/out" 2>"$work/err"
  read -r secs kb user sys <"$work/time"
  grep '^recs:' "$work/err" || true
  awk -v l="$label" -v s="$secs" -v kb="$kb" -v m="$members" -v u="$user" -v y="$sys" 'BEGIN {
    printf "%s: %.1f s wall (%.1f s user, %.1f s system), peak RSS %.0f MB; %.0f members/s\n",
           l, s, u, y, kb / 1024, m / s }'
}
run "recs --all (CSV to a file)" --all --top "$k" --format csv
echo "rows: $(($(wc -l <"$work/out") - 1))"
if [ "${EVALUATE:-1}" != 0 ]; then
  run "recs --evaluate --holdout-days 28" --evaluate --holdout-days 28 --top "$k"
  cat "$work/out"
fi
