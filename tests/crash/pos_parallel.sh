#!/usr/bin/env bash
# pos_parallel.sh - many checkouts commit receipts for ONE member at the same
# time, each paying with points. A point is never spent twice and the balance
# never goes below zero: every commit that succeeded is in the store exactly
# once, the final balance equals the opening points plus what the successes
# earned minus what they redeemed, the failures are clean "insufficient_points"
# refusals, a retry of every receipt returns the first answer unchanged, and
# `karta check` passes. Usage: pos_parallel.sh [PROCESSES] (default 24).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
karta=${KARTA_BIN:-$top/build/asan/karta}
procs=${1:-24}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KARTA_DATA=$work/data KARTA_NOW=2026-03-01T10:00:00+03:00 KARTA_ACTOR=test
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
passed=0 failed=0
ok() { echo "ok   crash $1"; passed=$((passed + 1)); }
bad() { echo "FAIL crash $1: $2"; failed=$((failed + 1)); }

"$karta" gen --out "$work/chain" --members 50 --days 3 --products 200 >/dev/null || { bad setup "gen failed"; echo "crash: $passed passed, $((failed)) failed"; exit 1; }
"$karta" init >/dev/null && "$karta" import "$work/chain" --as-of 2025-12-01 >/dev/null &&
  "$karta" rules load "$top/examples/rules/seed.json" >/dev/null &&
  "$karta" member add --card 9990001 --name "Parallel" >/dev/null &&
  "$karta" points adjust 9990001 --points 1000 --staff test --reason "opening for the race" >/dev/null ||
  { bad setup "store set-up failed"; echo "crash: $passed passed, $failed failed"; exit 1; }
sku=$(awk -F, 'NR > 1 && $8 == 0 && $9 == 0 { print $1; exit }' "$work/chain/products.csv")

for i in $(seq 1 "$procs"); do
  printf '{"store":"S001","receipt":"RACE-%03d","time":"2026-03-01T12:00:00+03:00","card":"9990001","lines":[{"sku":"%s","qty":1,"price":20000,"amount":20000}],"redeem":100}' "$i" "$sku" >"$work/req-$i.json"
done
for i in $(seq 1 "$procs"); do
  "$karta" pos commit --file "$work/req-$i.json" >"$work/ans-$i.json" 2>"$work/err-$i.txt" &
done
wait

succ=0 fails=0 earned=0 redeemed=0 other=0
for i in $(seq 1 "$procs"); do
  if [ -s "$work/ans-$i.json" ]; then
    succ=$((succ + 1))
    e=$(sed -E 's/.*"earned":([0-9]+),"redeemable".*/\1/' "$work/ans-$i.json")
    r=$(sed -E 's/.*"redeemed":([0-9]+),"balance_before".*/\1/' "$work/ans-$i.json")
    earned=$((earned + e)); redeemed=$((redeemed + r))
  elif grep -q 'insufficient_points' "$work/err-$i.txt"; then
    fails=$((fails + 1))
  else
    other=$((other + 1)); cat "$work/err-$i.txt"
  fi
done
[ "$other" -eq 0 ] && ok "pos_parallel: every commit succeeded or was refused for points ($succ + $fails)" || bad pos_parallel "$other commits failed otherwise"
balance=$("$karta" points balance 9990001 | awk '/^balance:/ { print $2 }')
want=$((1000 + earned - redeemed))
[ "$balance" = "$want" ] && ok "pos_parallel: balance $balance = 1000 + $earned earned - $redeemed redeemed" || bad pos_parallel "balance $balance, expected $want"
[ "$balance" -ge 0 ] && ok "pos_parallel: balance is not negative" || bad pos_parallel "negative balance $balance"
n=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM receipts WHERE number LIKE 'RACE-%'")
[ "$n" = "$succ" ] && ok "pos_parallel: $succ receipts stored once each" || bad pos_parallel "$n receipts stored, $succ acknowledged"
same=1
for i in $(seq 1 "$procs"); do
  [ -s "$work/ans-$i.json" ] || continue
  "$karta" pos commit --file "$work/req-$i.json" >"$work/again-$i.json" 2>&1
  cmp -s "$work/ans-$i.json" "$work/again-$i.json" || { same=0; echo "retry $i differs"; }
done
[ "$same" = 1 ] && ok "pos_parallel: retries return the first answer byte for byte" || bad pos_parallel "a retry answered differently"
"$karta" check >"$work/check.txt" 2>&1 && ok "pos_parallel: karta check" || { bad pos_parallel "karta check failed"; cat "$work/check.txt"; }
echo "crash: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
