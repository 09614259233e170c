#!/usr/bin/env bash
# http.sh - load benchmark of `karta serve`: wrk on loopback, 64 connections,
# each request a commit of a fresh 10-line basket (unique receipt numbers, so
# every request is a durable commit) by a member of a generated chain of
# 100,000 members (each request picks a card at random), seed rules, SQLite
# with synchronous=FULL. Prints commits/s and the p50/p99/p99.9 latency wrk
# measures, then checks the store.
# Usage: bench/http.sh [SECONDS] [MEMBERS]. Environment: BIN (the karta binary,
# default ./karta), THREADS (server worker threads, default 64), CONNECTIONS (default 64),
# LOG (where the server's log goes, default /dev/null), LOTS (open lots each
# member has before the run, default 0). Needs wrk.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10} members=${2:-100000}
bin=${BIN:-$top/karta}
work=$(mktemp -d)
export KARTA_DATA=$work/data KARTA_ACTOR=bench KARTA_NOW=2026-03-01T10:00:00+03:00
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$bin" gen --out "$work/chain" --members "$members" --products 2000 --days 1 >/dev/null
"$bin" init >/dev/null
"$bin" import "$work/chain" --as-of 2025-12-01 >/dev/null
"$bin" rules load "$top/examples/rules/seed.json" >/dev/null
# LOTS=N: every member starts with N open lots of 10 points (past accruals, one
# transaction each, day after day as a regular shopper's, so a member's lots lie
# far apart in the tables), written straight into the store
if [ "${LOTS:-0}" -gt 0 ]; then
  sqlite3 "$KARTA_DATA/karta.db" <<SQL
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TEMP TABLE k(k INTEGER PRIMARY KEY);
WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < ${LOTS}) INSERT INTO k SELECT k FROM r;
CREATE TEMP TABLE base AS SELECT COALESCE(MAX(id), 0) AS t FROM ledger_txns;
INSERT INTO ledger_txns(id, kind, at, day, member_id, receipt, rule, actor, reason)
  SELECT (SELECT t FROM base) + (k.k - 1) * (SELECT MAX(id) FROM members) + m.id, 'accrual', 0, 20400 + k.k, m.id, 'history', 'v1', 'bench', 'purchase'
  FROM k, members m ORDER BY k.k, m.id;
INSERT INTO lots(member_id, txn_id, earned_day, available_day, expires_day, points, remaining, funder_account_id)
  SELECT member_id, id, day, day, day + 365, 10, 10, (SELECT id FROM accounts WHERE code = 'program')
  FROM ledger_txns WHERE receipt = 'history' ORDER BY id;
INSERT INTO ledger_entries(txn_id, member_id, lot_id, points) SELECT txn_id, member_id, id, 10 FROM lots WHERE txn_id > (SELECT t FROM base) ORDER BY id;
INSERT INTO ledger_entries(txn_id, account_id, points) SELECT txn_id, funder_account_id, -10 FROM lots WHERE txn_id > (SELECT t FROM base) ORDER BY id;
UPDATE members SET balance = balance + 10 * ${LOTS};
COMMIT;
SQL
  echo "history: $LOTS open lots per member"
fi
key=$("$bin" keys create --name bench --role pos --store S001 | tail -n 1)
unset KARTA_NOW
{
  echo "cards = {"
  awk -F, 'NR > 1 && $3 == "active" { printf "\"%s\",\n", $1 }' "$work/chain/cards.csv"
  echo "}"
} >"$work/cards.lua"
"$bin" serve --listen 127.0.0.1:0 --ready-file "$work/ready" --threads "${THREADS:-64}" --rate 0 2>"${LOG:-/dev/null}" &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
cat >"$work/commit.lua" <<LUA
dofile("$work/cards.lua")
local n = 0
local threads = 0
tid = 0
setup = function(thread) threads = threads + 1; thread:set("tid", threads) end
init = function(args) math.randomseed(tid * 7919) end
local skus = {"P000001","P000002","P000004","P000007","P000013","P000021","P000034","P000055","P000089","P000144"}
request = function()
  n = n + 1
  local lines = {}
  for i = 1, 10 do
    local price = 1000 + i * 10 + n % 7
    lines[i] = string.format('{"sku":"%s","qty":1,"price":%d,"amount":%d}', skus[i], price, price)
  end
  local body = string.format('{"store":"S001","receipt":"w%d-%d","time":"2026-03-01T10:00:00+03:00","card":"%s","lines":[%s]}',
    tid, n, cards[math.random(#cards)], table.concat(lines, ","))
  return wrk.format("POST", "/v1/pos/commit", {["Authorization"] = "Bearer $key", ["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("commits/s %.0f  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # the server's CPU time, in clock ticks
# the same per thread kind: the writer, the request threads (MHD-worker), the rest
threads() {
  for t in /proc/$pid/task/*; do
    printf '%s %s\n' "$(cat "$t/comm")" "$(cut -d')' -f2 "$t/stat" | awk '{print $12 + $13}')"
  done | awk '{k = $1 == "karta-writer" ? "writer" : $1 == "MHD-worker" ? "requests" : "other"; s[k] += $2}
              END {printf "%d %d %d\n", s["writer"], s["requests"], s["other"]}'
}
wbytes() { awk '$1 == "wchar:" {print $2}' "/proc/$pid/io"; } # bytes the server passed to write calls (log, checkpoints, folds)
cpu0=$(cpu) th0=$(threads) wb0=$(wbytes)
wrk -t2 -c"${CONNECTIONS:-64}" -d"${seconds}s" -s "$work/commit.lua" "http://$(cat "$work/ready")" | tail -n 1
cpu1=$(cpu) th1=$(threads) wb1=$(wbytes)
curl -s "http://$(cat "$work/ready")/metrics" >"$work/metrics.all"
grep -E '^karta_(commits_total|commit_batches_total|commits_repriced_total|log_restarts_total) ' "$work/metrics.all" >"$work/metrics"
tr '\n' ' ' <"$work/metrics"
awk '$1 == "karta_commits_total" {c = $2} $1 == "karta_commit_batches_total" {b = $2} END {if (b) printf "(%.1f commits per group)", c / b}' "$work/metrics"
echo
n=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM receipts WHERE number LIKE 'w%'")
echo "log: $(( $(stat -c %s "$KARTA_DATA/karta.db-wal" 2>/dev/null || echo 0) / 1048576 )) MiB; written: $(( (wb1 - wb0) / (n > 0 ? n : 1) )) bytes per commit"
# the commit path's stages from the server's histograms: mean, and the share over 10 ms
awk '$1 ~ /^karta_(commit_price|commit_durable|commit_group|log_flush|log_restart)_seconds_(sum|count)$/ {v[$1] = $2}
     $1 ~ /^karta_(commit_price|commit_durable|commit_group|log_flush|log_restart)_seconds_bucket\{le="0.01"\}$/ {sub(/_bucket.*/, "", $1); le[$1] = $2}
     END {n = split("karta_commit_price_seconds karta_commit_durable_seconds karta_commit_group_seconds karta_log_flush_seconds karta_log_restart_seconds", k, " ")
          printf "stages:"
          for (i = 1; i <= n; i++) { c = v[k[i] "_count"]; name = k[i]; sub(/^karta_/, "", name); sub(/_seconds$/, "", name)
            if (c > 0) printf "  %s %d, mean %.1f ms, %.0f%% over 10 ms", name, c, v[k[i] "_sum"] / c * 1000, 100 * (c - le[k[i]]) / c }
          printf "\n"}' "$work/metrics.all"
echo "receipts stored: $n; server CPU per commit: $(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / (n > 0 ? n : 1) )) us; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$th0 $th1" | awk -v n="$n" -v hz="$(getconf CLK_TCK)" '{d = n > 0 ? n : 1
  printf "CPU per commit by thread: writer %d us, request threads %d us, others %d us\n", ($4 - $1) * 1e6 / hz / d, ($5 - $2) * 1e6 / hz / d, ($6 - $3) * 1e6 / hz / d}' 
kill -TERM "$pid"; wait "$pid" || true; pid=
"$bin" check >/dev/null && echo "karta check: ok"
