#!/usr/bin/env bash
# tests/crash/fold_kill.sh [COUNT] - `kill -9` of `karta cols fold` (P12)
# either folds every waiting checkout receipt or none, and the next fold
# finishes the job without counting any receipt twice.
#
# The checkout's tables are filled directly with SQL (the fold reads only
# receipts and receipt_lines), enough that a fold takes a second or so. A
# reference fold gives the counts, its duration and an RFM; then COUNT times
# (default 5) a copy of the store is folded and the fold killed with SIGKILL at
# a random moment in the i-th of COUNT slices of that duration. After each
# kill the store shows all receipts folded or none, and the RFM (which reads
# the columns plus what waits) equals the reference; after a second fold
# everything is folded, nothing waits, and the RFM is still the reference.
#
#   KARTA=./karta (the release build)  FOLD_KILL_RECEIPTS=150000
set -u
cd "$(dirname "$0")/../.."
count=${1:-5}
KARTA=${KARTA:-./karta}
case $KARTA in /*) ;; *) KARTA=$PWD/$KARTA ;; esac
n=${FOLD_KILL_RECEIPTS:-150000}
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { passed=$((passed + 1)); echo "ok   crash fold_kill $*"; }
fail() { failed=$((failed + 1)); echo "FAIL crash fold_kill $*"; }
finish() {
    echo "crash: $passed passed, $failed failed"
    [ $failed -eq 0 ]
    exit
}
now() { date +%s.%N; }
st() { "$KARTA" cols status --data "$1" 2>&1 | sed -n '1p;3p' | tr '\n' ' '; }

d="$tmp/base"
"$KARTA" init --data "$d" >/dev/null || { fail init; finish; }
"$KARTA" --data "$d" category add C1 --name C >/dev/null
"$KARTA" --data "$d" store add S1 --city Москва --timezone Europe/Moscow >/dev/null
"$KARTA" --data "$d" product add P1 --category C1 >/dev/null
for i in $(seq 1 50); do echo "M$i"; done | while read -r m; do "$KARTA" --data "$d" member add --member "$m" --card "7000${m#M}" >/dev/null; done
# n receipts over 90 days, 3 lines each, for the 45 members 1 + i % 50 with i % 10 != 0
# (every 10th receipt is a card-less sale): the RFM has 45 rows
sqlite3 "$d/karta.db" "
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n)
INSERT INTO receipts(store_id, number, kind, member_id, at, offset_min, day, total_minor, to_pay_minor, earned, redeemed, request, response)
SELECT 1, 'R' || i, 'sale', CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + i % 50 END, 1767225600 + (i % 90) * 86400 + (i % 600) * 60, 180,
       20454 + (i % 90), 300 * (1 + i % 7), 300 * (1 + i % 7), 0, 0, '{}', '{}' FROM k;
WITH RECURSIVE l(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM l WHERE n < 3)
INSERT INTO receipt_lines(receipt_id, line_no, sku, product_id, qty_milli, price_minor, amount_minor, earned, redeemed,
                          points_discount_minor, offer_discount_minor, to_pay_minor, contribs)
SELECT r.id, l.n, 'P1', 1, 1000, r.total_minor / 3, r.total_minor / 3, 0, 0, 0, 0, r.total_minor / 3, '[]' FROM receipts r, l;
" || { fail "filling the checkout tables"; finish; }
"$KARTA" rfm --data "$d" --format csv >"$tmp/ref.rfm"
waiting=$(st "$d")
cp -r "$d" "$tmp/ref"
t0=$(now)
"$KARTA" cols fold --data "$tmp/ref" >/dev/null || { fail "reference fold"; finish; }
duration=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
full=$(st "$tmp/ref")
"$KARTA" rfm --data "$tmp/ref" --format csv >"$tmp/ref2.rfm"
if cmp -s "$tmp/ref.rfm" "$tmp/ref2.rfm" && [ "$(wc -l <"$tmp/ref.rfm")" = 46 ]; then
    ok "reference fold in ${duration}s: before: $waiting; after: $full; RFM the same before and after"
else
    fail "reference: RFM before and after the fold differ"
fi
for i in $(seq 1 "$count"); do
    k="$tmp/k$i"
    rm -rf "$k"
    cp -r "$d" "$k"
    delay=$(awk -v i="$i" -v n="$count" -v d="$duration" -v r="$RANDOM" 'BEGIN { printf "%.3f", d * ((i - 1) + r / 32768) / n }')
    "$KARTA" cols fold --data "$k" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    after=$(st "$k")
    if [ "$after" != "$waiting" ] && [ "$after" != "$full" ]; then
        fail "kill $i after ${delay}s: partly folded: $after"
        continue
    fi
    "$KARTA" rfm --data "$k" --format csv >"$tmp/k.rfm"
    cmp -s "$tmp/ref.rfm" "$tmp/k.rfm" || { fail "kill $i: RFM after the kill differs"; continue; }
    "$KARTA" cols fold --data "$k" >/dev/null || { fail "kill $i: second fold failed"; continue; }
    final=$(st "$k")
    [ "$final" = "$full" ] || { fail "kill $i: after the second fold: $final, want $full"; continue; }
    "$KARTA" rfm --data "$k" --format csv >"$tmp/k.rfm"
    if cmp -s "$tmp/ref.rfm" "$tmp/k.rfm"; then
        ok "kill $i after ${delay}s ($( [ "$after" = "$full" ] && echo folded || echo nothing folded)): second fold complete, RFM identical"
    else
        fail "kill $i: RFM after the second fold differs"
    fi
done
finish
