#!/usr/bin/env bash
# http_kill.sh [KILLS] - the server is killed with SIGKILL at random moments
# while a checkout commits sales and refunds; it is restarted and the client
# retries whatever was not acknowledged (same body, same receipt number).
# Afterwards: every acknowledged receipt is stored exactly once, a retry of an
# acknowledged receipt returns the first answer byte for byte, no points were
# created or lost (the members' balances equal the opening points plus what
# the stored receipts earned minus what they redeemed), and `karta check`
# passes. CI runs a short version (default 12 kills); bench/http_kill.sh runs
# it with 100 or more.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kills=${1:-12}
bin=${KARTA_BIN:-$top/karta}
[ -x "$bin" ] || { echo "FAIL crash http_kill: $bin is not built"; echo "crash: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill -9 $spid 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin" && ln -s "$bin" "$work/bin/karta"
export PATH="$work/bin:$PATH" KARTA_DATA=$work/data KARTA_NOW=2026-03-01T10:00:00+03:00 KARTA_ACTOR=test KARTA_TESTS=$top/tests
source "$top/tests/cli/helpers.sh"
passed=0 failed=0
ok() { echo "ok   crash http_kill: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL crash http_kill: $1"; failed=$((failed + 1)); }

pos_setup
karta points adjust 1001 --points 5000 --staff test --reason "opening" >/dev/null
key=$(karta keys create --name till --role pos --store S001 | tail -n 1)
opening=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT SUM(balance) FROM members")

start() {
  rm -f "$work/ready"
  # a small log: the writer starts it over every few receipts, so kills land in restarts and checkpoints too
  karta serve --listen 127.0.0.1:0 --ready-file "$work/ready" --threads 2 --log-pages 32 2>>"$work/server.log" &
  spid=$!
  for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
  url=http://$(cat "$work/ready" 2>/dev/null)
}

# the request of queue item s:N (a sale) or r:N (a refund of sale N-5), always the same body
body() {
  local kind=${1%%:*} n=${1#*:}
  if [ "$kind" = s ]; then
    local redeem=0; [ $((n % 3)) = 0 ] && redeem=20
    printf '{"store":"S001","receipt":"K%d","time":"2026-03-01T12:00:00+03:00","card":"1001","lines":[{"sku":"MILK","qty":%d,"price":12345,"amount":%d},{"sku":"COLA","qty":1,"price":9990,"amount":9990}],"redeem":%d}' \
      "$n" $((n % 4 + 1)) $(((n % 4 + 1) * 12345)) "$redeem"
  else
    printf '{"store":"S001","receipt":"KR%d","original":"K%d","time":"2026-03-02T12:00:00+03:00","lines":[{"line":1,"qty":1}]}' "$n" $((n - 5))
  fi
}

# send queue items in order until the server stops answering; acknowledged ones are recorded
: >"$work/acked"; : >"$work/pending"; next=1
client() {
  local item path code
  while read -r item; do
    [ "${item%%:*}" = s ] && path=/v1/pos/commit || path=/v1/pos/refund
    code=$(body "$item" | curl -s -o "$work/ans.$item" -w '%{http_code}' --max-time 5 \
      -H "Authorization: Bearer $key" --data-binary @- "$url$path")
    if [ "$code" = 200 ]; then echo "$item" >>"$work/acked"
    elif [ "$code" = 000 ]; then echo "$item" >>"$work/left"; cat >>"$work/left"; return
    else echo "$item $code $(head -c 200 "$work/ans.$item")" >>"$work/refused"; fi
  done
}

for round in $(seq 1 "$kills"); do
  start
  { cat "$work/pending"; for i in $(seq $next $((next + 29))); do echo "s:$i"; [ $((i % 5)) = 0 ] && [ $i -gt 5 ] && echo "r:$i"; done; } >"$work/queue"
  next=$((next + 30))
  : >"$work/left"
  client <"$work/queue" &
  cpid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$spid"; wait "$spid" 2>/dev/null; spid=""
  wait "$cpid"
  # what was never answered goes round again, in order
  grep -v -x -F -f "$work/acked" "$work/queue" >"$work/pending" || true
done
start
client <"$work/pending"
kill -TERM "$spid"; wait "$spid"; spid=""

sales=$(grep -c '^s:' "$work/acked"); refunds=$(grep -c '^r:' "$work/acked")
[ -s "$work/refused" ] && bad "refused requests: $(head -3 "$work/refused")" || ok "$kills kills: $sales sales and $refunds refunds acknowledged, none refused"
[ -z "$(grep -v -x -F -f "$work/acked" "$work/pending")" ] && ok "every request was acknowledged in the end" || bad "requests never acknowledged"
stored=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM receipts WHERE number LIKE 'K%'")
[ "$stored" = $((sales + refunds)) ] && ok "$stored receipts stored, each exactly once" || bad "$stored receipts stored, $((sales + refunds)) acknowledged"
want=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT $opening + COALESCE(SUM(earned), 0) - COALESCE(SUM(redeemed), 0) FROM receipts")
have=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT SUM(balance) FROM members")
[ "$want" = "$have" ] && ok "no points created or lost: balances $have = opening $opening + earned - redeemed" || bad "balances $have, receipts say $want"
start
same=1
for item in $(grep '^s:' "$work/acked" | head -n 10); do
  body "$item" | curl -s -o "$work/again" --max-time 5 -H "Authorization: Bearer $key" --data-binary @- "$url/v1/pos/commit"
  cmp -s "$work/again" "$work/ans.$item" || { same=0; echo "  retry of $item differs"; }
done
kill -TERM "$spid"; wait "$spid"; spid=""
[ "$same" = 1 ] && ok "retries after the crashes return the first answers byte for byte" || bad "a retry answered differently"
karta check >"$work/check" 2>&1 && ok "karta check" || bad "karta check: $(head -3 "$work/check")"
# the log was started over many times (32 pages) between the kills, without a failed checkpoint
if ! grep -q 'checkpoint:' "$work/server.log"; then ok "no failed checkpoint in the server's log"; else bad "checkpoint errors: $(grep 'checkpoint:' "$work/server.log" | head -2)"; fi
echo "crash: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
