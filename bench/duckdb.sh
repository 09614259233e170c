#!/usr/bin/env bash
# duckdb.sh - Karta's columnar analytics against DuckDB (and SQLite) on the same
# generated data, in the same run: one chain is generated as CSV, loaded into
# Karta (`karta import-receipts`) and into DuckDB (CSV load of the same files),
# then each analysis runs on both; the outputs are compared exactly (CSV, sorted)
# and each time is printed with the ratio DuckDB time / Karta time.
#
#   bash bench/duckdb.sh [LINES]      (default 10000000 receipt lines; ~55 lines a member)
#
# Environment: BENCH_WORK=DIR (default /tmp) holds the data while it runs (about
# 110 bytes a line: CSV, columns and the DuckDB file); KEEP=1 keeps it; SQLITE=0|1
# (default 1 up to 20M lines) adds SQLite's load and RFM; DUCKDB_THREADS (default 2,
# as Karta's --threads default); RUNS (default 2): rounds of each analysis, DuckDB
# then Karta in each round; each engine's best is compared, the first round printed.
#
# Analyses: RFM with quintile scores, ABC of SKUs by revenue, R1 sales by hour and
# by week, R10 and R13 rankings. The DuckDB SQL is in bench/duckdb/sql/; RFM follows
# src/analytics/rfm.h; the others follow the agreed output columns and the
# semantics written at the top of each SQL file. An analysis whose Karta command
# does not exist yet is reported "not built yet" (DuckDB is still timed) and is
# compared as soon as the command appears.
#
# Timing: Karta is timed as a whole process (start, open, scan, naming members,
# output); DuckDB from opening the database file to the end of its COPY ... TO
# (Node's own start-up is left out). Peak memory is each process's max RSS.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lines=${1:-10000000}
case $lines in '' | *[!0-9]*) echo "duckdb.sh: LINES must be a number, got '$lines'" >&2; exit 2 ;; esac
[ "$lines" -ge 10000 ] || { echo "duckdb.sh: LINES must be at least 10000" >&2; exit 2; }
karta="$top/karta"
duck="$top/bench/duckdb"
[ -x "$karta" ] || make -C "$top" karta >/dev/null
command -v node >/dev/null || { echo "duckdb.sh: node is not installed" >&2; exit 1; }
if [ ! -d "$duck/node_modules/@duckdb/node-api" ]; then
  echo "installing @duckdb/node-api into bench/duckdb/node_modules ..."
  (cd "$duck" && npm install --no-audit --no-fund >/dev/null)
fi
sqlite=${SQLITE:-$([ "$lines" -le 20000000 ] && echo 1 || echo 0)}
command -v sqlite3 >/dev/null || sqlite=0

work=$(mktemp -d "${BENCH_WORK:-/tmp}/karta-duckdb.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
export KARTA_DATA="$work/data" KARTA_NOW="2026-05-01T10:00:00+03:00"
cp "$karta" "$work/karta" # a snapshot: a rebuild of the tree during the run must not change it
karta="$work/karta"

days=120 stores=100 products=20000 as_of=2026-04-30 top_n=100
runs=${RUNS:-2}
case $runs in '' | *[!0-9]* | 0) echo "duckdb.sh: RUNS must be a positive number, got '$runs'" >&2; exit 2 ;; esac
members=$((lines / 55))
[ "$members" -ge 1 ] || members=1

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -sm);" \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "duckdb: @duckdb/node-api $(node -p "require('$duck/node_modules/@duckdb/node-api/package.json').version")," \
     "threads ${DUCKDB_THREADS:-2}; karta threads 2; sqlite $([ "$sqlite" = 1 ] && sqlite3 --version | cut -d' ' -f1 || echo off)"
echo "chain: $members members, $stores stores, $products SKUs, $days days from 2026-01-01; as of $as_of"

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# ---- data ------------------------------------------------------------------------
t0=$(date +%s.%N)
"$karta" gen --out "$work/g" --members "$members" --stores "$stores" --products "$products" --days "$days" >/dev/null
t1=$(date +%s.%N)
nlines=$(($(wc -l <"$work/g/receipt_lines.csv") - 1))
nreceipts=$(($(wc -l <"$work/g/receipts.csv") - 1))
printf 'generated %d receipts, %d lines (%s of receipt CSV) in %.1f s\n' "$nreceipts" "$nlines" \
  "$(du -ch "$work/g/receipts.csv" "$work/g/receipt_lines.csv" | tail -1 | cut -f1)" "$(elapsed "$t0" "$t1")"
"$karta" init >/dev/null
"$karta" import "$work/g" --as-of 2026-01-01 >/dev/null # members, cards, stores, SKUs: not timed
sync

# run_timed OUT CMD...: runs CMD with stdout to OUT; sets secs, kb (peak RSS) and status
run_timed() {
  local out=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  set +e
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$out" 2>"$work/stderr"
  status=$?
  set -e
  t1=$(date +%s.%N)
  secs=$(elapsed "$t0" "$t1")
  kb=$(tail -1 "$work/rss")
}
# run_duck OUT SQL [NAME=VALUE...]: DuckDB's own timing (printed by run.mjs)
run_duck() {
  local out=$1 sql=$2; shift 2
  set +e
  /usr/bin/time -f '%M' -o "$work/rss" node "$duck/run.mjs" "$work/duck.db" "$duck/sql/$sql" "$@" >"$out" 2>"$work/dstderr"
  dstatus=$?
  set -e
  dkb=$(tail -1 "$work/rss")
  if [ $dstatus = 0 ]; then dsecs=$(tail -1 "$out"); else dsecs=; sed 's/^/  duckdb: /' "$work/dstderr" | head -5; fi
}
ratio() { echo "$1 $2" | awk '{ if ($2 > 0 && $1 != "") printf "%.1fx", $1 / $2; else printf "-" }'; }
mb() { echo "$1" | awk '{ printf "%.0f MB", $1 / 1024 }'; }

fmt='%-18s %10s %10s %8s %11s %11s  %s\n'
echo
printf "$fmt" step karta_s duckdb_s ratio karta_rss duckdb_rss check
# ---- load -----------------------------------------------------------------------
run_timed "$work/import.out" "$karta" import-receipts "$work/g"
[ $status = 0 ] || { cat "$work/stderr"; exit 1; }
ksecs=$secs kkb=$kb
run_duck "$work/dload.out" load.sql "CSV=$work/g"
[ $dstatus = 0 ] || exit 1
printf "$fmt" "load (import)" "$ksecs" "$dsecs" "$(ratio "$dsecs" "$ksecs")" "$(mb "$kkb")" "$(mb "$dkb")" \
  "$(awk -v n="$nlines" -v s="$ksecs" 'BEGIN { printf "karta %.2f M lines/s", n / s / 1e6 }'); goal >= 2x"
echo "load: karta $(du -sh "$KARTA_DATA/cols" | cut -f1) of columns, duckdb $(du -sh "$work/duck.db" | cut -f1)" >"$work/sizes"

# ---- analyses ---------------------------------------------------------------------
# name | karta arguments | sql file
analyses="rfm|rfm --format csv --as-of $as_of|rfm.sql
abc sku revenue|abc --of sku --by revenue --format csv --as-of $as_of|abc.sql
R1 sales by hour|report sales --by hour --format csv --as-of $as_of|r1_hour.sql
R1 sales by week|report sales --by week --format csv --as-of $as_of|r1_week.sql
R10 top-receipts|report top-receipts --top $top_n --format csv --as-of $as_of|r10.sql
R13 top-sales|report top-sales --top $top_n --format csv --as-of $as_of|r13.sql"
failed=0
while IFS='|' read -r name args sql; do
  key=$(echo "$name" | tr ' ' '_')
  # RUNS rounds, DuckDB then Karta in each; the best time of each engine is
  # reported and the first round's beside it (the first reads what the page
  # cache lost to the other engine's load: DuckDB's 13 GB at 100 M lines)
  best_k= best_d= first_k= first_d=
  for round in $(seq 1 "$runs"); do
    run_duck "$work/$key.dtime" "$sql" "AS_OF=$as_of" "TOP=$top_n" "OUT=$work/$key.duckdb.csv"
    # shellcheck disable=SC2086
    run_timed "$work/$key.karta.csv" "$karta" $args
    [ $status = 0 ] || break
    [ -n "$first_k" ] || { first_k=$secs; first_d=$dsecs; }
    best_k=$(awk -v a="$best_k" -v b="$secs" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
    [ -n "$dsecs" ] && best_d=$(awk -v a="$best_d" -v b="$dsecs" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
  done
  [ $status = 0 ] && secs=$best_k && dsecs=$best_d
  if [ $status != 0 ]; then
    if grep -q -i 'unknown command\|unknown report\|unknown option\|not built' "$work/stderr"; then
      printf "$fmt" "$name" "-" "$dsecs" "-" "-" "$(mb "$dkb")" "not built yet"
    else
      printf "$fmt" "$name" "-" "$dsecs" "-" "-" "$(mb "$dkb")" "karta failed (exit $status): $(head -1 "$work/stderr")"
      failed=1
    fi
    continue
  fi
  check="-"
  if [ $dstatus = 0 ]; then
    sort "$work/$key.karta.csv" >"$work/k.sorted"
    sort "$work/$key.duckdb.csv" >"$work/d.sorted"
    rows=$(($(wc -l <"$work/k.sorted") - 1))
    if cmp -s "$work/k.sorted" "$work/d.sorted"; then
      check="same ($rows rows)"
    else
      check="DIFFERENT (karta $rows rows, duckdb $(($(wc -l <"$work/d.sorted") - 1)); see below)"
      diff "$work/k.sorted" "$work/d.sorted" | head -6 | sed "s/^/  $key: /" >>"$work/diffs"
      failed=1
    fi
  fi
  [ "$key" = rfm ] && rfm_secs=$secs
  [ "$runs" -gt 1 ] && check="$check; first round $first_k / $first_d s"
  printf "$fmt" "$name" "$secs" "$dsecs" "$(ratio "$dsecs" "$secs")" "$(mb "$kb")" "$(mb "$dkb")" "$check; goal >= 5x"
done <<<"$analyses"
[ -f "$work/diffs" ] && { echo "differences (< karta, > duckdb):"; cat "$work/diffs"; }
cat "$work/sizes"

# ---- SQLite (load and RFM) ----------------------------------------------------------
if [ "$sqlite" = 1 ]; then
  db="$work/x.sqlite"
  t0=$(date +%s.%N)
  sqlite3 -batch "$db" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE cards_csv(card TEXT, member TEXT, state TEXT, issued TEXT);
CREATE TABLE receipts_csv(receipt TEXT, store TEXT, time TEXT, card TEXT, kind TEXT, original TEXT, total TEXT);
.mode csv
.import --skip 1 $work/g/cards.csv cards_csv
.import --skip 1 $work/g/receipts.csv receipts_csv
CREATE INDEX cards_card ON cards_csv(card);
CREATE TABLE receipts AS
  SELECT c.member AS member, substr(r.time, 1, 10) AS day, r.kind = 'return' AS is_return,
         CAST(round(r.total * 100) AS INTEGER) * (CASE WHEN r.kind = 'return' THEN -1 ELSE 1 END) AS amount
  FROM receipts_csv r LEFT JOIN cards_csv c ON c.card = r.card;
DROP TABLE receipts_csv;
SQL
  t1=$(date +%s.%N)
  sload=$(elapsed "$t0" "$t1")
  t0=$(date +%s.%N)
  sqlite3 -batch -csv -header "$db" >"$work/rfm.sqlite.csv" <<SQL
WITH per AS (
  SELECT member, count(*) FILTER (WHERE NOT is_return) AS frequency, sum(amount) AS monetary,
         max(amount) FILTER (WHERE NOT is_return) AS max_receipt,
         min(day) FILTER (WHERE NOT is_return) AS first_day, max(day) FILTER (WHERE NOT is_return) AS last_day
  FROM receipts WHERE member IS NOT NULL AND day <= '$as_of' GROUP BY member
  HAVING count(*) FILTER (WHERE NOT is_return) > 0),
ranked AS (
  SELECT *, CAST(julianday('$as_of') - julianday(last_day) AS INTEGER) AS recency_days, count(*) OVER () AS n,
         rank() OVER (ORDER BY julianday('$as_of') - julianday(last_day) DESC) AS r_rank,
         rank() OVER (ORDER BY frequency) AS f_rank, rank() OVER (ORDER BY monetary) AS m_rank
  FROM per)
SELECT member, recency_days, frequency, printf('%.2f', monetary / 100.0) AS monetary,
       (5 * (r_rank - 1)) / n + 1 AS r, (5 * (f_rank - 1)) / n + 1 AS f, (5 * (m_rank - 1)) / n + 1 AS m
FROM ranked;
SQL
  t1=$(date +%s.%N)
  srfm=$(elapsed "$t0" "$t1")
  # the same columns of Karta's output (member, recency, frequency, monetary, r, f, m)
  cut -d, -f1-4,9-11 "$work/rfm.karta.csv" | sort >"$work/k.sorted"
  tr -d '\r' <"$work/rfm.sqlite.csv" | sort >"$work/s.sorted"
  if cmp -s "$work/k.sorted" "$work/s.sorted"; then scheck="same member,recency,frequency,monetary,r,f,m"; else scheck="DIFFERENT"; failed=1; fi
  printf "$fmt" "sqlite load" "$ksecs" "$sload" "$(ratio "$sload" "$ksecs")" "" "" "(sqlite time in the duckdb column)"
  printf "$fmt" "sqlite rfm" "${rfm_secs:--}" "$srfm" "$(ratio "$srfm" "${rfm_secs:-}")" "" "" "$scheck"
fi
exit $failed
