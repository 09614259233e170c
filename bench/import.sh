#!/usr/bin/env bash
# bench/import.sh [MEMBERS] - `karta import` speed on a generated chain.
#
# Generates a chain (default 200000 members, with their cards, consents and
# opening balances, 20 stores, 2000 products), imports it into a fresh data
# directory with the release build and prints rows per second, per file and in
# total, with the peak memory and the machine. Records nothing: the figures go
# into bench/RESULTS.md by hand. BENCH_DIR=DIR keeps the files there.
set -eu
cd "$(dirname "$0")/.."
members=${1:-200000}
KARTA=${KARTA:-./karta}
[ -x "$KARTA" ] || { echo "bench/import.sh: build first (make)" >&2; exit 1; }
if [ -n "${BENCH_DIR:-}" ]; then
    dir=$BENCH_DIR
    rm -rf "$dir/data"
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
as_of=2026-01-01 # the chain's first day: its opening balances are valid then

"$KARTA" gen --out "$dir/chain" --members "$members" --days 1 --seed 1 --start $as_of --force >/dev/null
rm -f "$dir/chain/receipts.csv" "$dir/chain/receipt_lines.csv" # not loaded by `karta import`
"$KARTA" init --data "$dir/data" >/dev/null
input_mb=$(du -sm "$dir/chain" | cut -f1)

/usr/bin/time -f "%e %M" -o "$dir/time" "$KARTA" import --data "$dir/data" "$dir/chain" --as-of $as_of >"$dir/out"
read -r wall rss_kb <"$dir/time"
cat "$dir/out"
rows=$(awk '$1 == "total" { print $2 }' "$dir/out")
rate=$(awk '$1 == "total" { print $5 }' "$dir/out")
db_mb=$(du -sm "$dir/data" | cut -f1)
echo
echo "import: $rows rows ($members members, ${input_mb} MB of CSV) in ${wall} s: $rate rows/s;" \
     "peak RSS $((rss_kb / 1024)) MB; store ${db_mb} MB"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), sqlite $(sqlite3 --version | cut -d' ' -f1)"
echo "command: bench/import.sh $members"
