#!/usr/bin/env bash
# http.sh - load benchmark of `karta serve`: wrk on loopback, 64 connections,
# each request a commit of a fresh 10-line basket (unique receipt numbers, so
# every request is a durable commit) for one of the members. Prints commits/s
# and the p50/p99/p99.9 latency wrk measures. Usage: bench/http.sh [SECONDS]
# [MEMBERS]. Needs wrk (scripts/setup.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10} members=${2:-200}
work=$(mktemp -d)
export KARTA_DATA=$work/data KARTA_TESTS=$top/tests KARTA_ACTOR=bench
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
karta() { "$top/karta" "$@"; }
source "$top/tests/cli/helpers.sh"
pos_setup
for i in $(seq 1 "$members"); do echo "$((5000000 + i))"; done | while read -r c; do karta member add --card "$c" >/dev/null; done
key=$(karta keys create --name bench --role pos --store S001 | tail -n 1)
"$top/karta" serve --listen 127.0.0.1:0 --ready-file "$work/ready" --threads "${THREADS:-64}" --rate 0 2>"${LOG:-/dev/null}" &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
cat >"$work/commit.lua" <<LUA
local n = 0
tid = 0
local skus = {"P000001","P000002","P000004","P000007","P000013","MILK","COLA","P000001","P000002","MILK"}
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("tid", threads) end
request = function()
  n = n + 1
  local lines = {}
  for i = 1, 10 do
    lines[i] = string.format('{"sku":"%s","qty":1,"price":%d,"amount":%d}', skus[i], 1000 + i * 10, 1000 + i * 10)
  end
  local body = string.format('{"store":"S001","receipt":"w%d-%d","time":"2026-03-01T10:00:00+03:00","card":"%d","lines":[%s]}',
    tid, n, 5000001 + (n * 7 + tid) % $members, table.concat(lines, ","))
  return wrk.format("POST", "/v1/pos/commit", {["Authorization"] = "Bearer $key", ["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("commits/s %.0f  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
wrk -t2 -c64 -d"${seconds}s" -s "$work/commit.lua" "http://$(cat "$work/ready")" | tail -n 1
n=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM receipts")
echo "receipts stored: $n"
kill -TERM "$pid"; wait "$pid" || true; pid=
karta check >/dev/null && echo "karta check: ok"
