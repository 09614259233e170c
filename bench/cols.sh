#!/usr/bin/env bash
# cols.sh - columnar store throughput: generate a chain, load its members,
# import its receipts into the columnar store, run RFM; prints lines/s.
#   bash bench/cols.sh [MEMBERS] [DAYS]     (default 100000 members, 120 days: ~5 M lines)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
members=${1:-100000}
days=${2:-120}
karta="$top/karta"
[ -x "$karta" ] || make -C "$top" karta >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KARTA_DATA="$work/data" KARTA_NOW="2026-01-01T10:00:00+03:00"
echo "machine: $(nproc) cores, $(uname -m); $members members, $days days"
"$karta" gen --out "$work/g" --members "$members" --days "$days" >/dev/null
lines=$(($(wc -l <"$work/g/receipt_lines.csv") - 1))
receipts=$(($(wc -l <"$work/g/receipts.csv") - 1))
echo "generated: $receipts receipts, $lines lines ($(du -sh "$work/g" | cut -f1) of CSV)"
"$karta" init >/dev/null
"$karta" import "$work/g" --as-of 2026-01-01 >/dev/null
sync
t0=$(date +%s.%N)
"$karta" import-receipts "$work/g" >"$work/import.out"
t1=$(date +%s.%N)
cat "$work/import.out"
echo "columnar store: $(du -sh "$KARTA_DATA/cols" | cut -f1)"
awk -v a="$t0" -v b="$t1" -v n="$lines" 'BEGIN { printf "import-receipts: %.2f s wall, %.0f lines/s\n", b - a, n / (b - a) }'
for threads in 1 2; do
  t0=$(date +%s.%N)
  "$karta" rfm --format csv --threads $threads --stats >"$work/rfm.csv" 2>"$work/rfm.err"
  t1=$(date +%s.%N)
  cat "$work/rfm.err"
  awk -v a="$t0" -v b="$t1" -v n="$lines" -v r="$receipts" -v t=$threads 'BEGIN { printf "rfm (%d threads): %.2f s wall including output, %.0f receipts/s (%.0f lines of history/s)\n", t, b - a, r / (b - a), n / (b - a) }'
done
echo "rfm rows: $(($(wc -l <"$work/rfm.csv") - 1)) members"
