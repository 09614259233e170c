#!/usr/bin/env bash
# recs.sh - recommendations for every member of a generated chain: time and
# memory of `karta recs --all` (load, calibration split, model, every
# member's top K) and of `karta recs --evaluate`.
#   bash bench/recs.sh [MEMBERS] [DAYS] [TOP]    (default 200000 members, 120 days, top 10)
# Prints the figures and the per-member rate, and extrapolates linearly to
# 1,000,000 members (work and memory grow with members x purchase days).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
members=${1:-200000}
days=${2:-120}
k=${3:-10}
karta=${KARTA_BIN:-$top/karta}
[ -x "$karta" ] || make -C "$top" karta >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KARTA_DATA="$work/data" KARTA_NOW="2026-01-01T10:00:00+03:00"
echo "machine: $(nproc) cores, $(uname -m); $members members, $days days, top $k"
"$karta" gen --out "$work/g" --members "$members" --days "$days" >/dev/null
"$karta" init >/dev/null
"$karta" import "$work/g" --as-of 2026-01-01 >/dev/null
"$karta" import-receipts "$work/g" | head -1
rm -rf "$work/g"
run() { # label, args...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$karta" recs "$@" --stats >"$work/out" 2>"$work/err"
  read -r secs kb <"$work/time"
  grep '^recs:' "$work/err" || true
  awk -v l="$label" -v s="$secs" -v kb="$kb" -v m="$members" 'BEGIN {
    printf "%s: %.1f s wall, peak RSS %.0f MB; %.0f members/s; 1M members: ~%.0f s, ~%.0f MB\n",
           l, s, kb / 1024, m / s, s * 1000000 / m, kb / 1024 * 1000000 / m }'
}
run "recs --all (CSV to a file)" --all --top "$k" --format csv
echo "rows: $(($(wc -l <"$work/out") - 1))"
run "recs --evaluate --holdout-days 28" --evaluate --holdout-days 28 --top "$k"
cat "$work/out"
