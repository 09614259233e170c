#!/usr/bin/env bash
# basket.sh - A5 frequent pairs and itemsets: `karta basket --itemsets` over the
# columnar store against DuckDB's self-join SQL for pairs, on the same generated
# chain, in the same run; prints each time and the ratio DuckDB / Karta.
#
#   bash bench/basket.sh [LINES] [MIN_SUPPORT]   (default 10000000 lines, support 0.0002)
#
# Data: `karta gen` (LINES / 55 members, 100 stores, 2000 SKUs, 120 days), loaded
# into Karta by `karta import-receipts` and into DuckDB by bench/duckdb/sql/load.sql
# (the loads are not timed here; bench/duckdb.sh times them).
# Karta is timed as a whole process (open, scan of the lines, baskets, FP-growth,
# output as CSV). DuckDB from opening its database file to the end of the COPY of
# the result (bench/duckdb/run.mjs). Both write the frequent pairs (SKU a < SKU b,
# sale lines, count >= ceil(N * MIN_SUPPORT) with N the number of sale receipts)
# and the two lists are compared exactly.
#   pairs (self-join)   DuckDB: DISTINCT (receipt, sku) of sale lines joined with
#                       itself on the receipt, a.sku < b.sku, GROUP BY, HAVING
#   pairs (pruned)      the same after dropping SKUs below the minimum first (the
#                       apriori step, which helps DuckDB)
#   itemsets            Karta alone: every frequent itemset up to 10 items
# Environment: BENCH_WORK=DIR (default /tmp), KEEP=1 keeps the data, DUCKDB_THREADS
# (default 2, as Karta's --threads default).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-10000000}
support=${2:-0.0002}
case $lines in '' | *[!0-9]*) echo "basket.sh: LINES must be a number, got '$lines'" >&2; exit 2 ;; esac
[ "$lines" -ge 10000 ] || { echo "basket.sh: LINES must be at least 10000" >&2; exit 2; }
karta="$top/karta"
duck="$top/bench/duckdb"
[ -x "$karta" ] || make -C "$top" karta >/dev/null
have_duck=1
if ! command -v node >/dev/null || [ ! -d "$duck/node_modules/@duckdb/node-api" ]; then
  have_duck=0
  echo "note: DuckDB is not set up (bench/duckdb/node_modules with @duckdb/node-api and node); timing Karta alone"
fi

work=$(mktemp -d "${BENCH_WORK:-/tmp}/karta-basket.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
export KARTA_DATA="$work/data" KARTA_NOW="2026-05-01T10:00:00+03:00"
cp "$karta" "$work/karta" # a snapshot: a rebuild of the tree during the run must not change it
karta="$work/karta"
members=$((lines / 55))
[ "$members" -ge 1 ] || members=1

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -sm);" \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
[ $have_duck = 1 ] && echo "duckdb: @duckdb/node-api $(node -p "require('$duck/node_modules/@duckdb/node-api/package.json').version"), threads ${DUCKDB_THREADS:-2}; karta threads 2"
"$karta" gen --out "$work/g" --members "$members" --stores 100 --products 2000 --days 120 >/dev/null
"$karta" init >/dev/null
"$karta" import "$work/g" --as-of 2026-01-01 >/dev/null
"$karta" import-receipts "$work/g" | head -1
[ $have_duck = 1 ] && node "$duck/run.mjs" "$work/duck.db" "$duck/sql/load.sql" "CSV=$work/g" >/dev/null
sync

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { echo "$1 $2" | awk '{ if ($2 > 0 && $1 != "") printf "%.1fx", $1 / $2; else printf "-" }'; }
# run_timed OUT CMD...: sets secs and kb (peak RSS)
run_timed() {
  local out=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$out" 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  t1=$(date +%s.%N)
  secs=$(elapsed "$t0" "$t1")
  kb=$(tail -1 "$work/rss")
}

# Karta: pairs (both as "a|b,count", sorted) and all itemsets.
run_timed "$work/pairs.karta" "$karta" basket --itemsets --min-len 2 --max-len 2 --min-support "$support" --format csv --stats
kpairs=$secs kpkb=$kb
grep -o 'minimum count [0-9]*' "$work/stderr" | head -1 >"$work/min"
smin=$(awk '{ print $3 }' "$work/min")
baskets=$(grep -o '^[0-9]* baskets' "$work/stderr" | cut -d' ' -f1)
tail -n +2 "$work/pairs.karta" | awk -F, '{ print $1 "," $4 }' | sort >"$work/pairs.karta.sorted"
npairs=$(wc -l <"$work/pairs.karta.sorted")
run_timed "$work/sets.karta" "$karta" basket --itemsets --min-support "$support" --format csv --stats
ksets=$secs kskb=$kb
nsets=$(($(wc -l <"$work/sets.karta") - 1))
maxsize=$(tail -n +2 "$work/sets.karta" | awk -F, '$2 > m { m = $2 } END { print m + 0 }')
echo "baskets $baskets (sale receipts), minimum support $support = count $smin; $npairs frequent pairs; $nsets frequent itemsets (largest $maxsize items)"

fmt='%-20s %9s %9s %8s %10s %10s  %s\n'
printf "$fmt" step karta_s duckdb_s ratio karta_rss duckdb_rss check
if [ $have_duck = 1 ]; then
  cat >"$work/selfjoin.sql" <<'SQL'
CREATE TEMP TABLE b AS SELECT DISTINCT receipt, sku FROM lines WHERE qty_milli > 0;
COPY (SELECT x.sku AS a, y.sku AS b, count(*) AS n
      FROM b x JOIN b y ON x.receipt = y.receipt AND x.sku < y.sku
      GROUP BY x.sku, y.sku HAVING count(*) >= ${SMIN}) TO '${OUT}' (HEADER false, DELIMITER ',');
SQL
  cat >"$work/pruned.sql" <<'SQL'
CREATE TEMP TABLE b AS SELECT DISTINCT receipt, sku FROM lines WHERE qty_milli > 0;
CREATE TEMP TABLE f AS SELECT sku FROM b GROUP BY sku HAVING count(*) >= ${SMIN};
CREATE TEMP TABLE bf AS SELECT b.receipt, b.sku FROM b SEMI JOIN f ON b.sku = f.sku;
COPY (SELECT x.sku AS a, y.sku AS b, count(*) AS n
      FROM bf x JOIN bf y ON x.receipt = y.receipt AND x.sku < y.sku
      GROUP BY x.sku, y.sku HAVING count(*) >= ${SMIN}) TO '${OUT}' (HEADER false, DELIMITER ',');
SQL
  for q in selfjoin pruned; do
    /usr/bin/time -f '%M' -o "$work/rss" node "$duck/run.mjs" "$work/duck.db" "$work/$q.sql" "SMIN=$smin" \
      "OUT=$work/$q.duck" >"$work/$q.time"
    dsecs=$(tail -1 "$work/$q.time") dkb=$(tail -1 "$work/rss")
    awk -F, '{ print $1 "|" $2 "," $3 }' "$work/$q.duck" | sort >"$work/$q.sorted"
    if cmp -s "$work/pairs.karta.sorted" "$work/$q.sorted"; then check="same $npairs pairs"; else check="DIFFERENT"; fi
    printf "$fmt" "pairs ($q)" "$kpairs" "$dsecs" "$(ratio "$dsecs" "$kpairs")" "$((kpkb / 1024)) MB" "$((dkb / 1024)) MB" "$check; goal >= 10x"
  done
else
  printf "$fmt" "pairs" "$kpairs" - - "$((kpkb / 1024)) MB" - "DuckDB not set up"
fi
printf "$fmt" "itemsets (<= 10)" "$ksets" - - "$((kskb / 1024)) MB" - "$nsets sets"
