#!/usr/bin/env bash
# import_receipts.sh - `karta import-receipts DIR` alone (the columnar store's
# CSV load) on the chain bench/duckdb.sh generates, RUNS times into fresh
# copies of one data directory; prints each run (wall, CPU, peak RSS, load
# average) and the best, and checks that every run wrote the same columns.
# DuckDB's load of the same files is timed by bench/duckdb.sh.
#
#   bash bench/import_receipts.sh [LINES] [RUNS]   (default 10000000 lines, 3 runs)
#
# BENCH_WORK=DIR (default /tmp) holds the data while it runs (about 110 bytes
# a line); KEEP=1 keeps it; SERIAL=1 also times one import by the serial
# reader alone (KARTA_IMPORT_CHUNK=0: the path before the parallel one).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-10000000}
runs=${2:-3}
case $lines$runs in '' | *[!0-9]*) echo "import_receipts.sh: LINES and RUNS must be numbers" >&2; exit 2 ;; esac
[ "$lines" -ge 10000 ] || { echo "import_receipts.sh: LINES must be at least 10000" >&2; exit 2; }
karta="$top/karta"
[ -x "$karta" ] || make -C "$top" karta >/dev/null
work=$(mktemp -d "${BENCH_WORK:-/tmp}/karta-import.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
export KARTA_NOW="2026-05-01T10:00:00+03:00"
cp "$karta" "$work/karta" # a snapshot: a rebuild of the tree during the run must not change it
karta="$work/karta"
members=$((lines / 55))
[ "$members" -ge 1 ] || members=1

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -sm);" \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
"$karta" gen --out "$work/g" --members "$members" --stores 100 --products 20000 --days 120 >/dev/null
nlines=$(($(wc -l <"$work/g/receipt_lines.csv") - 1))
echo "chain: $members members; $nlines lines, $(du -ch "$work/g/receipts.csv" "$work/g/receipt_lines.csv" | tail -1 | cut -f1) of receipt CSV"
"$karta" --data "$work/base" init >/dev/null
"$karta" --data "$work/base" import "$work/g" --as-of 2026-01-01 >/dev/null # cards, stores, SKUs: not timed

best=
for i in $(seq 1 "$runs"); do
  rm -rf "$work/data"
  cp -a "$work/base" "$work/data"
  sync
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$karta" --data "$work/data" import-receipts "$work/g" >"$work/out"
  read -r wall user sys kb <"$work/time"
  sum=$(cat "$work/data/cols/MANIFEST" "$work"/data/cols/*/seg-*/* | cksum | cut -d' ' -f1)
  [ -z "${first_sum:-}" ] && first_sum=$sum
  same=$([ "$sum" = "$first_sum" ] && echo "same columns" || echo "DIFFERENT columns")
  printf 'run %d: %6.2f s wall, %5.2f s CPU, %4d MB peak RSS, %5.2f M lines/s; load average before %s; %s\n' \
    "$i" "$wall" "$(echo "$user $sys" | awk '{ print $1 + $2 }')" $((kb / 1024)) \
    "$(awk -v n="$nlines" -v s="$wall" 'BEGIN { print n / s / 1e6 }')" "$load" "$same"
  best=$(echo "$wall ${best:-$wall}" | awk '{ print ($1 < $2) ? $1 : $2 }')
done
if [ "${SERIAL:-0}" = 1 ]; then
  rm -rf "$work/data"
  cp -a "$work/base" "$work/data"
  sync
  load=$(cut -d' ' -f1 /proc/loadavg)
  KARTA_IMPORT_CHUNK=0 /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$karta" --data "$work/data" import-receipts "$work/g" >"$work/out"
  read -r wall user sys kb <"$work/time"
  sum=$(cat "$work/data/cols/MANIFEST" "$work"/data/cols/*/seg-*/* | cksum | cut -d' ' -f1)
  printf 'serial reader: %6.2f s wall, %5.2f s CPU, %4d MB peak RSS; load average before %s; %s\n' "$wall" \
    "$(echo "$user $sys" | awk '{ print $1 + $2 }')" $((kb / 1024)) "$load" \
    "$([ "$sum" = "$first_sum" ] && echo "same columns" || echo "DIFFERENT columns")"
fi
echo "best: $best s for $nlines lines ($(awk -v n="$nlines" -v s="$best" 'BEGIN { printf "%.2f", n / s / 1e6 }') M lines/s)"
echo "command: bench/import_receipts.sh $lines $runs"
