#!/usr/bin/env bash
# run.sh - the HTTP API suite: starts `karta serve` on a free loopback port
# against a fresh data directory (the checkout chain of tests/cli/helpers.sh),
# creates keys, and checks each route and each error status with curl; then
# that every route in docs/openapi.yaml answers (not 404/405) and an unknown
# route is 404; then SIGTERM drains and exits 0. Prints "ok   http NAME" /
# "FAIL http NAME" and "http: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${KARTA_BIN:-$top/build/asan/karta}
[ -x "$bin" ] || bin=$top/karta
work=$(mktemp -d)
export KARTA_DATA=$work/data KARTA_TESTS=$top/tests KARTA_ACTOR=test
pass=0 fail=0 pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
karta() { "$bin" "$@"; }
source "$top/tests/cli/helpers.sh"

ok() { echo "ok   http $1"; pass=$((pass + 1)); }
bad() { echo "FAIL http $1: $2"; fail=$((fail + 1)); }

# req NAME WANT_STATUS KEY METHOD PATH [BODY] - body lands in $work/out
req() {
  local name=$1 want=$2 key=$3 method=$4 path=$5 body=${6-}
  local args=(-s -o "$work/out" -D "$work/headers" -w '%{http_code}' -X "$method")
  [ -n "$key" ] && args+=(-H "Authorization: Bearer $key")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  local got
  got=$(curl "${args[@]}" "$url$path")
  if [ "$got" = "$want" ]; then ok "$name"; else bad "$name" "status $got, want $want: $(head -c 300 "$work/out")"; fi
}
# field NAME JQ_EXPR WANT - checks the last answer
field() {
  local got
  got=$(jq -r "$2" <"$work/out" 2>/dev/null)
  if [ "$got" = "$3" ]; then ok "$1"; else bad "$1" "$2 = '$got', want '$3'"; fi
}

pos_setup
karta member add --card 3003 --phone "+79120000001" >/dev/null
admin=$(karta keys create --name admin --role admin | tail -n 1)
till=$(karta keys create --name till-1 --role pos --store S001 | tail -n 1)
till900=$(karta keys create --name till-900 --role pos --store S900 | tail -n 1)
app=$(karta keys create --name shop --role app | tail -n 1)
analyst=$(karta keys create --name olga --role analyst | tail -n 1)
marketer=$(karta keys create --name mark --role marketer | tail -n 1)
revoked=$(karta keys create --name old --role admin | tail -n 1)
karta keys revoke "$(karta keys list | awk '$2 == "old" {print $1}')" >/dev/null

# a small log (16 pages) so that the writer starts it over many times during the suite
"$bin" serve --listen 127.0.0.1:0 --ready-file "$work/ready" --threads 4 --log-pages 16 2>"$work/log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
if [ ! -s "$work/ready" ]; then bad start "server did not come up: $(cat "$work/log")"; echo "http: $pass passed, $fail failed"; exit 1; fi
url=http://$(cat "$work/ready")

T=2026-03-01T10:00:00+03:00
sale=$(RECEIPT=100 basket $T 1001 S001 P000001:2:5000 MILK:1:9000)

# ---- health, metrics
req healthz 200 "" GET /healthz
field healthz-body .status ok
# ---- checkout
req calculate 200 "$till" POST /v1/pos/calculate "$sale"
field calculate-not-committed .committed false
req commit 200 "$till" POST /v1/pos/commit "$sale"
cp "$work/out" "$work/first"
field commit-committed .committed true
req commit-retry 200 "$till" POST /v1/pos/commit "$sale"
if cmp -s "$work/out" "$work/first"; then ok commit-retry-bytes; else bad commit-retry-bytes "retry answer differs"; fi
req commit-other-body-422 422 "$till" POST /v1/pos/commit "$(RECEIPT=100 basket $T 1001 S001 P000001:3:5000)"
field commit-422-code .error.code conflict
field commit-422-field .error.field '$.receipt'
req commit-other-store-403 403 "$till" POST /v1/pos/commit "$(RECEIPT=101 basket $T 1001 S900 P000001:1:5000)"
req commit-malformed-400 400 "$till" POST /v1/pos/commit '{"store": "S001", "lines": ['
field malformed-code .error.code invalid_input
req commit-bad-qty-400 400 "$till" POST /v1/pos/commit "$(RECEIPT=102 basket $T 1001 S001 P000001:0:5000)"
field bad-qty-field .error.field '$.lines[0].qty'
req commit-unknown-card-404 404 "$till" POST /v1/pos/commit "$(RECEIPT=103 basket $T 999999 S001 P000001:1:5000)"
req commit-unknown-sku 200 "$till" POST /v1/pos/commit "$(RECEIPT=104 basket $T 1001 S001 NOSUCH:1:5000)"
field unknown-sku-marked '.lines[0].unknown_sku' true
req commit-no-key-401 401 "" POST /v1/pos/commit "$sale"
req commit-bad-key-401 401 "kt_0000" POST /v1/pos/commit "$sale"
req commit-revoked-key-401 401 "$revoked" POST /v1/pos/commit "$sale"
req commit-analyst-403 403 "$analyst" POST /v1/pos/commit "$sale"
head -c 1100000 /dev/zero | tr '\0' 'x' >"$work/big"
req commit-too-large-413 413 "$till" POST /v1/pos/commit "@$work/big"
req refund 200 "$till" POST /v1/pos/refund '{"store":"S001","receipt":"R-100","original":"100","time":"2026-03-02T10:00:00+03:00","lines":[{"line":1,"qty":1}]}'
req refund-unknown-original-404 404 "$till" POST /v1/pos/refund '{"store":"S001","receipt":"R-999","original":"999","time":"2026-03-02T10:00:00+03:00"}'
req balance 200 "$till" GET /v1/pos/balance/1001
req balance-unknown-404 404 "$till" GET /v1/pos/balance/424242
req receipt 200 "$till" GET /v1/pos/receipts/S001/100
req receipt-other-store-403 403 "$till900" GET /v1/pos/receipts/S001/100
req receipt-unknown-404 404 "$admin" GET /v1/pos/receipts/S001/nosuch
# ---- members
req member-get 200 "$app" GET /v1/members/1001
field member-get-id .id 1
req member-get-pos-403 403 "$till" GET /v1/members/1001
req member-get-by-id 200 "$analyst" GET "/v1/members/%231"
req member-create 201 "$app" POST /v1/members '{"card":"5005","name":"Анна","phone":"8 912 000-00-05","consents":{"sms":true},"source":"app"}'
field member-create-phone .phone +79120000005
field member-create-consent .consents.sms.granted true
req member-create-dup-card-409 409 "$app" POST /v1/members '{"card":"5005"}'
req member-create-unknown-key-400 400 "$app" POST /v1/members '{"card":"5006","nmae":"x"}'
req member-create-bad-date-400 400 "$app" POST /v1/members '{"card":"5007","birth_date":"1990-02-30"}'
req member-patch 200 "$admin" PATCH /v1/members/5005 '{"city":"Казань","children":2,"consents":{"sms":false}}'
field member-patch-city .city Казань
field member-patch-consent .consents.sms.granted false
req member-patch-app-wrongtype-400 400 "$app" PATCH /v1/members/5005 '{"children":"many"}'
req member-offers 200 "$till" GET /v1/members/1001/offers
req member-merge-marketer-403 403 "$marketer" POST /v1/members/1001/merge '{"merged":"3003"}'
req member-merge 200 "$admin" POST /v1/members/1001/merge '{"merged":"3003","reason":"same person"}'
field member-merge-survivor .survivor 1
req member-merge-again-404-or-409 409 "$admin" POST /v1/members/1001/merge '{"merged":"#3"}'
# ---- rules
req rules-list 200 "$analyst" GET /v1/rules
field rules-list-active '.versions[0].active' true
req rules-load 201 "$marketer" POST "/v1/rules?note=http+test" "$(cat "$top/examples/rules/seed.json")"
field rules-load-version .version 2
req rules-load-bad-400 400 "$marketer" POST /v1/rules '{"program":1}'
req rules-load-app-403 403 "$app" POST /v1/rules "$(cat "$top/examples/rules/seed.json")"
req rules-activate 200 "$marketer" POST /v1/rules/1/activate
field rules-activate-changed .changed true
req rules-activate-again 200 "$admin" POST /v1/rules/1/activate
field rules-activate-again-unchanged .changed false
req rules-activated-listed 200 "$analyst" GET /v1/rules
field rules-activated-active '[.versions[] | select(.active) | .version] | join(",")' 1
req rules-activate-unknown-404 404 "$marketer" POST /v1/rules/99/activate
field rules-activate-unknown-field .error.field version
req rules-activate-bad-400 400 "$marketer" POST /v1/rules/x/activate
req rules-activate-app-403 403 "$app" POST /v1/rules/2/activate
req rules-activate-pos-403 403 "$till" POST /v1/rules/2/activate
# ---- offers: issue over HTTP, whole or nothing
offer='{"member":"1001","code":"HTTP10","kind":"percent_off","target":"category:C0101","value":1000,"valid_from":"2026-01-01","valid_to":"2026-12-31","uses_max":2,"campaign":"spring"}'
req offers-issue 201 "$marketer" POST /v1/offers "{\"offers\":[$offer,{\"member\":\"5005\",\"kind\":\"points_multiplier\",\"target\":\"any\",\"value\":200,\"valid_from\":\"2026-01-01\",\"valid_to\":\"2026-12-31\"}]}"
field offers-issue-count .issued 2
field offers-issue-ids '.offers | length' 2
req offers-listed 200 "$app" GET /v1/members/1001/offers
field offers-listed-code '[.offers[] | select(.coupon == "HTTP10") | .value] | join(",")' 1000
req offers-issue-bad-kind-400 400 "$admin" POST /v1/offers "{\"offers\":[$offer,{\"member\":\"1001\",\"kind\":\"gift\",\"target\":\"any\",\"value\":1,\"valid_from\":\"2026-01-01\",\"valid_to\":\"2026-12-31\"}]}"
field offers-issue-bad-kind-field .error.field '$.offers[1].kind'
req offers-issue-none-written 200 "$app" GET /v1/members/1001/offers
field offers-issue-none-written-count '[.offers[] | select(.coupon == "HTTP10")] | length' 1
req offers-issue-missing-400 400 "$admin" POST /v1/offers '{"offers":[{"member":"1001","kind":"amount_off","target":"any","value":100}]}'
field offers-issue-missing-field .error.field '$.offers[0].valid_from'
req offers-issue-unknown-member-404 404 "$admin" POST /v1/offers '{"offers":[{"member":"777777","kind":"amount_off","target":"any","value":100,"valid_from":"2026-01-01","valid_to":"2026-01-31"}]}'
field offers-issue-unknown-member-field .error.field '$.offers[0].member'
req offers-issue-bad-date-400 400 "$admin" POST /v1/offers '{"offers":[{"member":"1001","kind":"amount_off","target":"any","value":100,"valid_from":"2026-02-30","valid_to":"2026-03-31"}]}'
req offers-issue-wrongtype-400 400 "$admin" POST /v1/offers '{"offers":[{"member":"1001","kind":"amount_off","target":"any","value":[1],"valid_from":"2026-01-01","valid_to":"2026-01-31"}]}'
field offers-issue-wrongtype-field .error.field '$.offers[0].value'
req offers-issue-empty-400 400 "$admin" POST /v1/offers '{"offers":[]}'
req offers-issue-app-403 403 "$app" POST /v1/offers "{\"offers\":[$offer]}"
# ---- identify at the checkout by card or phone
req identify-card 200 "$till" POST /v1/pos/identify '{"card":"1001"}'
field identify-card-member .member 1
field identify-card-offers .offers 1
req identify-phone 200 "$till" POST /v1/pos/identify '{"phone":"8 (912) 000-00-05"}'
field identify-phone-member .identified_by phone
req identify-unknown-404 404 "$till" POST /v1/pos/identify '{"card":"424242"}'
field identify-unknown-field .error.field '$.card'
req identify-both-400 400 "$till" POST /v1/pos/identify '{"card":"1001","phone":"+79120000005"}'
req identify-none-400 400 "$till" POST /v1/pos/identify '{}'
req identify-wrongtype-400 400 "$till" POST /v1/pos/identify '{"card":1001}'
req identify-analyst-403 403 "$analyst" POST /v1/pos/identify '{"card":"1001"}'
# ---- cards: add, block (lost), unblock, replace
req cards-list 200 "$analyst" GET /v1/members/5005/cards
field cards-list-one '[.cards[].number] | join(",")' 5005
req cards-add 201 "$app" POST /v1/members/5005/cards '{"card":"5006"}'
field cards-add-two '[.cards[] | .number + "=" + .state] | join(",")' 5005=active,5006=active
req cards-add-dup-409 409 "$app" POST /v1/members/5005/cards '{"card":"1001"}'
field cards-add-dup-code .error.code already_exists
req cards-add-missing-400 400 "$app" POST /v1/members/5005/cards '{}'
req cards-add-unknown-member-404 404 "$app" POST /v1/members/777777/cards '{"card":"5099"}'
req cards-add-pos-403 403 "$till" POST /v1/members/5005/cards '{"card":"5098"}'
# a receipt committed with the card before it is blocked: its retry afterwards
# (which no longer prices: the card is blocked) still gets the first answer
req card-commit-before-block 200 "$till" POST /v1/pos/commit "$(RECEIPT=B0 basket $T 5006 S001 MILK:2:5000)"
cp "$work/out" "$work/first-b0"
req card-block 200 "$app" POST /v1/cards/5006/block '{"reason":"lost"}'
field card-block-state '[.cards[] | .number + "=" + .state] | join(",")' 5005=active,5006=blocked
req card-blocked-retry-first-answer 200 "$till" POST /v1/pos/commit "$(RECEIPT=B0 basket $T 5006 S001 MILK:2:5000)"
if cmp -s "$work/out" "$work/first-b0"; then ok card-blocked-retry-bytes; else bad card-blocked-retry-bytes "retry answer differs"; fi
req card-blocked-retry-other-body-422 422 "$till" POST /v1/pos/commit "$(RECEIPT=B0 basket $T 5006 S001 MILK:3:5000)"
req card-block-again-409 409 "$app" POST /v1/cards/5006/block
req card-blocked-commit-409 409 "$till" POST /v1/pos/commit "$(RECEIPT=B1 basket $T 5006 S001 MILK:1:5000)"
field card-blocked-commit-field .error.field '$.card'
req card-blocked-identify-409 409 "$till" POST /v1/pos/identify '{"card":"5006"}'
req card-unblock-app-403 403 "$app" POST /v1/cards/5006/unblock
req card-unblock 200 "$admin" POST /v1/cards/5006/unblock
field card-unblock-state '[.cards[] | .number + "=" + .state] | join(",")' 5005=active,5006=active
req card-unblock-active-409 409 "$admin" POST /v1/cards/5006/unblock
req card-block-unknown-404 404 "$app" POST /v1/cards/999888/block
req card-block-bad-key-400 400 "$app" POST /v1/cards/5006/block '{"why":"lost"}'
req card-replace 200 "$app" POST /v1/cards/5006/replace '{"new_card":"5007","reason":"lost"}'
field card-replace-state '[.cards[] | .number + "=" + .state] | join(",")' 5005=active,5006=blocked,5007=active
req card-replace-new-works 200 "$till" POST /v1/pos/identify '{"card":"5007"}'
req card-replace-missing-400 400 "$app" POST /v1/cards/5005/replace '{}'
field card-replace-missing-field .error.field '$.new_card'
req card-replace-existing-409 409 "$app" POST /v1/cards/5005/replace '{"new_card":"1001"}'
req card-replace-rolled-back 200 "$analyst" GET /v1/members/5005/cards
field card-replace-rolled-back-state '[.cards[] | select(.number == "5005") | .state] | join(",")' active
n=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM card_events e JOIN cards c ON c.id = e.card_id WHERE c.number = '5006' AND e.actor LIKE 'api:%'")
if [ "$n" = 4 ]; then ok card-events-recorded; else bad card-events-recorded "$n events, want 4"; fi
# ---- consents and favourite category
req consents-set 200 "$app" POST /v1/members/5005/consents '{"consents":{"email":true,"sms":true},"source":"app"}'
field consents-set-email .consents.email.granted true
field consents-history '.consent_history | length' 4
req consents-withdraw 200 "$admin" POST /v1/members/5005/consents '{"consents":{"email":false},"source":"support"}'
field consents-withdraw-email '.consents.email.granted,.consents.email.source' $'false\nsupport'
req consents-bad-channel-400 400 "$app" POST /v1/members/5005/consents '{"consents":{"fax":true}}'
field consents-bad-channel-field .error.field '$.consents.fax'
req consents-bad-value-400 400 "$app" POST /v1/members/5005/consents '{"consents":{"sms":"yes"}}'
req consents-bad-source-400 400 "$app" POST /v1/members/5005/consents '{"consents":{"sms":true},"source":"web"}'
req consents-empty-400 400 "$app" POST /v1/members/5005/consents '{"consents":{}}'
req consents-unknown-member-404 404 "$app" POST /v1/members/777777/consents '{"consents":{"sms":true}}'
req consents-analyst-403 403 "$analyst" POST /v1/members/5005/consents '{"consents":{"sms":true}}'
req favourite-set 200 "$app" PUT /v1/members/5005/favourite '{"category":"C02"}'
field favourite-set-value .favourite_category C02
req favourite-clear 200 "$app" PUT /v1/members/5005/favourite '{"category":null}'
field favourite-clear-value .favourite_category null
field favourite-history '[.favourite_history[] | .category // "-"] | join(",")' C02,-
req favourite-unknown-404 404 "$app" PUT /v1/members/5005/favourite '{"category":"C99"}'
req favourite-missing-400 400 "$app" PUT /v1/members/5005/favourite '{}'
req favourite-wrongtype-400 400 "$app" PUT /v1/members/5005/favourite '{"category":7}'
req favourite-pos-403 403 "$till" PUT /v1/members/5005/favourite '{"category":"C02"}'
# ---- routing
req unknown-route-404 404 "$admin" GET /v1/nosuch
req wrong-method-405 405 "$admin" DELETE /v1/rules
# ---- audit: staff writes are recorded, pos writes are not
n=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM audit WHERE actor LIKE 'api:%' AND action LIKE 'P%'")
if [ "$n" -ge 3 ]; then ok audit-staff-writes; else bad audit-staff-writes "$n audit rows by api keys"; fi
got=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT actor || ' ' || object FROM audit WHERE action IN ('POST /v1/rules/{version}/activate', 'POST /v1/cards/{card}/unblock', 'POST /v1/offers') AND detail = 'status 200' OR (action = 'POST /v1/offers' AND detail = 'status 201') ORDER BY id" | sed 's/#[0-9]*//' | tr '\n' ';')
want='api:mark rules:1;api:admin rules:1;api:mark offers;api:admin member:4;'
if [ "$got" = "$want" ]; then ok audit-new-staff-writes; else bad audit-new-staff-writes "got '$got', want '$want'"; fi
# ---- a burst of concurrent commits by several members: the writer takes them in groups, and with
# --log-pages 16 it starts the log over while they are written
for i in $(seq 1 32); do RECEIPT=BURST$i basket $T $((i % 2 ? 1001 : 2902)) S001 MILK:1:5000 P000001:2:4000 >"$work/burst.$i"; done
seq 1 32 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $till" \
  -H 'Content-Type: application/json' --data-binary @"$work/burst.{}" "$url/v1/pos/commit" >"$work/burst.codes"
if [ "$(grep -c '^200$' "$work/burst.codes")" = 32 ]; then ok burst-committed; else bad burst-committed "$(sort "$work/burst.codes" | uniq -c | tr '\n' ' ')"; fi
# ---- metrics
req metrics 200 "" GET /metrics
if grep -q 'karta_http_requests_total{method="POST",route="/v1/pos/commit",status="422"} 2' "$work/out" &&
   grep -q '^karta_commits_total' "$work/out" && grep -q 'karta_http_request_seconds_bucket' "$work/out"; then
  ok metrics-content; else bad metrics-content "$(head -c 300 "$work/out")"; fi
# counters count first commits only; outstanding and expired are the store's, other processes' movements included
metric() { awk -v m="$1" '$1 == m {print $2}' "$work/out"; }
db() { sqlite3 "$KARTA_DATA/karta.db" "$1"; }
mcheck() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', want '$3'"; fi; }
mcheck metrics-commits-first-only "$(metric karta_commits_total)" "$(db "SELECT COUNT(*) FROM receipts WHERE kind = 'sale'")"
mcheck metrics-refunds "$(metric karta_refunds_total)" "$(db "SELECT COUNT(*) FROM receipts WHERE kind = 'refund'")"
mcheck metrics-accrued "$(metric karta_points_accrued_total)" "$(db "SELECT SUM(earned) FROM receipts WHERE kind = 'sale'")"
mcheck metrics-outstanding "$(metric karta_points_outstanding)" "$(db "SELECT SUM(balance) FROM members")"
mcheck metrics-expired-none "$(metric karta_points_expired_total)" 0
commits_before=$(metric karta_commits_total) accrued_before=$(metric karta_points_accrued_total) outstanding_before=$(metric karta_points_outstanding)
KARTA_NOW=2026-01-05T10:00:00+03:00 karta points adjust 2902 --points 70 --staff test --reason "expiring gift" --expires 2026-01-10 >/dev/null
karta expire --date 2026-02-01 >/dev/null
req metrics-sale 200 "$till" POST /v1/pos/commit "$(RECEIPT=M1 basket $T 1001 S001 MILK:3:10000)"
earned=$(jq .earned <"$work/out")
req metrics-sale-retry 200 "$till" POST /v1/pos/commit "$(RECEIPT=M1 basket $T 1001 S001 MILK:3:10000)"
sleep 2.1 # the ledger gauges are read again at most every 2 seconds
req metrics-again 200 "" GET /metrics
mcheck metrics-commits-retry-not-counted "$(metric karta_commits_total)" $((commits_before + 1))
mcheck metrics-accrued-retry-not-counted "$(metric karta_points_accrued_total)" $((accrued_before + earned))
mcheck metrics-expired "$(metric karta_points_expired_total)" 70
mcheck metrics-outstanding-after "$(metric karta_points_outstanding)" $((outstanding_before + 70 - 70 + earned))
mcheck metrics-outstanding-is-store "$(metric karta_points_outstanding)" "$(db "SELECT SUM(balance) FROM members")"
# the commit path's stages: one group transaction per batch, a log flush before any answer, buckets that add up
mcheck metrics-group-per-batch "$(metric karta_commit_group_seconds_count)" "$(metric karta_commit_batches_total)"
mcheck metrics-group-inf-is-count "$(metric 'karta_commit_group_seconds_bucket{le="+Inf"}')" "$(metric karta_commit_group_seconds_count)"
mcheck metrics-flush-inf-is-count "$(metric 'karta_log_flush_seconds_bucket{le="+Inf"}')" "$(metric karta_log_flush_seconds_count)"
if [ "$(metric karta_log_flush_seconds_count)" -ge 1 ] && [ "$(metric karta_log_flush_seconds_count)" -le "$(metric karta_commit_batches_total)" ]; then
  ok metrics-flushes; else bad metrics-flushes "flushes $(metric karta_log_flush_seconds_count), batches $(metric karta_commit_batches_total)"; fi
mcheck metrics-restarts-histogram "$(metric karta_log_restart_seconds_count)" "$(metric karta_log_restarts_total)"
# every commit handed to the writer: priced once on its thread, answered once when durable
mcheck metrics-price-is-durable "$(metric karta_commit_price_seconds_count)" "$(metric karta_commit_durable_seconds_count)"
if [ "$(metric karta_commit_durable_seconds_count)" -ge "$(metric karta_commits_total)" ]; then ok metrics-durable-per-commit
else bad metrics-durable-per-commit "durable $(metric karta_commit_durable_seconds_count), commits $(metric karta_commits_total)"; fi
mcheck metrics-durable-inf-is-count "$(metric 'karta_commit_durable_seconds_bucket{le="+Inf"}')" "$(metric karta_commit_durable_seconds_count)"
if [ "$(metric karta_log_restarts_total)" -ge 1 ]; then ok "metrics-log-restarted ($(metric karta_log_restarts_total) times)"; else bad metrics-log-restarted "no log restart with --log-pages 16"; fi
if ! grep -q 'checkpoint:' "$work/log"; then ok log-no-checkpoint-errors; else bad log-no-checkpoint-errors "$(grep 'checkpoint:' "$work/log" | head -2)"; fi
# ---- no card numbers or phones in the access log; its own numbers (request id, microseconds, key id)
# are taken out first: a request that took 1001 us or 23003 us is no card number
sed -E 's/^karta: req=[0-9]+ /karta: req=N /; s/ [0-9]+us / Nus /; s/ key=-?[0-9]+/ key=N/' "$work/log" >"$work/log.redacted"
if grep -qE '1001|79120000005|3003' "$work/log.redacted"; then bad log-no-personal-data "$(grep -E '1001|79120000005|3003' "$work/log.redacted" | head -2)"; else ok log-no-personal-data; fi
if grep -qE '^karta: req=[0-9]+ POST /v1/pos/commit 200 [0-9]+us' "$work/log"; then ok access-log-format; else bad access-log-format "$(tail -n 2 "$work/log")"; fi

# ---- every route in openapi.yaml answers; the server has no route it does not list
spec=$top/docs/openapi.yaml
routes=$(awk '/^paths:/{p=1; next} p && /^  \/[^ ]*:$/{path=$1; sub(/:$/, "", path)} p && /^    (get|post|patch|put|delete):/{m=$1; sub(/:$/, "", m); print toupper(m), path}' "$spec")
nroutes=0
while read -r method path; do
  [ -z "$method" ] && continue
  nroutes=$((nroutes + 1))
  p=${path//\{card\}/1001}; p=${p//\{store\}/S001}; p=${p//\{receipt\}/100}; p=${p//\{key\}/1001}; p=${p//\{version\}/1}; p=${p//\{analysis\}\/\{name\}/report\/sales}; p=${p//\{analysis\}/rfm}
  body=
  [ "$method" != GET ] && body='{}'
  code=$(curl -s -o "$work/route" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $admin" ${body:+--data-binary "$body"} "$url$p")
  # a 404 from the handler (no such member, no data yet) is an answer; the router's is not
  if [ "$code" != 405 ] && [ "$code" != 000 ] && ! grep -q '"no such route"' "$work/route"; then ok "openapi $method $path"
  else bad "openapi $method $path" "status $code"; fi
done <<<"$routes"
served=$(grep -cE '^    \{"(GET|POST|PATCH|PUT|DELETE)", "/' "$top/src/server/routes.c")
if [ "$nroutes" -gt 0 ] && [ "$nroutes" = "$served" ]; then ok openapi-lists-every-route
else bad openapi-lists-every-route "openapi.yaml lists $nroutes routes, routes.c serves $served"; fi

# ---- rate limit: a second server with 2 requests a second per key
"$bin" serve --listen 127.0.0.1:0 --ready-file "$work/ready2" --rate 2 --threads 2 2>"$work/log2" &
pid2=$!
for _ in $(seq 100); do [ -s "$work/ready2" ] && break; sleep 0.1; done
url_main=$url
url=http://$(cat "$work/ready2")
codes=""
# eight requests at once: the bucket holds two, so some are refused whatever the machine's speed
cpids=
for i in 1 2 3 4 5 6 7 8; do
  curl -s -o /dev/null -D "$work/headers.$i" -w '%{http_code}' -H "Authorization: Bearer $analyst" "$url/v1/rules" >"$work/code.$i" &
  cpids="$cpids $!"
done
wait $cpids
codes=$(cat "$work"/code.* | tr '\n' ' ')
if [[ "$codes" == *429* ]] && cat "$work"/headers.* | grep -qi '^Retry-After: [0-9]'; then ok rate-limit-429; else bad rate-limit-429 "codes $codes"; fi
kill -TERM "$pid2"; wait "$pid2"
url=$url_main

# ---- in flight: two commits of one receipt at once - one answers 200, the retry
# either gets the same answer (it came after) or 409 (it came during); never 422
for i in $(seq 20); do
  b=$(RECEIPT=P$i basket $T 1001 S001 P000001:1:5000)
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $till" --data-binary "$b" "$url/v1/pos/commit" >"$work/c1" &
  c1=$!
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $till" --data-binary "$b" "$url/v1/pos/commit" >"$work/c2" &
  c2=$!
  wait "$c1" "$c2"
  echo "$(cat "$work/c1") $(cat "$work/c2")" >>"$work/pairs"
done
if ! grep -qvE '^(200 200|200 409|409 200)$' "$work/pairs"; then ok "concurrent-retry-200-or-409 ($(grep -c 409 "$work/pairs") of 20 saw 409)"
else bad concurrent-retry-200-or-409 "$(sort "$work/pairs" | uniq -c | tr '\n' ' ')"; fi
n=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM receipts WHERE number LIKE 'P%'")
if [ "$n" = 20 ]; then ok concurrent-once-each; else bad concurrent-once-each "$n receipts, want 20"; fi

# ---- group commit prices in parallel: many commits of one member at once, each redeeming, must give
# the answers a one-at-a-time run would - each balance_before is the balance the one before left
KARTA_NOW=2026-02-01T10:00:00+03:00 karta points adjust 2902 --points 500 --staff test --reason "opening" >/dev/null
opening=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT balance FROM members m JOIN cards c ON c.member_id = m.id WHERE c.number = '2902'")
cpids=
for i in $(seq 24); do
  b=$(RECEIPT=G$i basket $T 2902 S001 COLA:1:10000 | sed 's/}$/,"redeem":10}/')
  curl -s -o "$work/g.$i" -H "Authorization: Bearer $till" --data-binary "$b" "$url/v1/pos/commit" &
  cpids="$cpids $!"
done
wait $cpids
cat "$work"/g.* | jq -s -r '[.[] | select(.committed)] | length' >"$work/gn"
final=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT balance FROM members m JOIN cards c ON c.member_id = m.id WHERE c.number = '2902'")
chain=$(cat "$work"/g.* | jq -s -r --argjson o "$opening" --argjson f "$final" '
  (map(.balance_before) | sort) == (([$o] + map(.balance)) - [$f] | sort) and
  ($o + (map(.earned) | add) - (map(.redeemed) | add)) == $f and (map(.redeemed) | unique) == [10]')
cp "$work"/g.1 "$work/g1.keep"
if [ "$(cat "$work/gn")" = 24 ] && [ "$chain" = true ]; then ok "parallel-pricing-serial-answers (opening $opening, final $final)"
else bad parallel-pricing-serial-answers "committed $(cat "$work/gn"), chain $chain: $(head -c 300 "$work/g1.keep") $(cat "$work"/g.* | jq -c '[.balance_before, .earned, .redeemed, .balance]' | tr '\n' ' ')"; fi

# ---- SIGTERM drains and exits 0; the ledger is consistent
kill -TERM "$pid"
if wait "$pid"; then ok sigterm-exit-0; else bad sigterm-exit-0 "exit status $?"; fi
pid=
if grep -q 'serve: stopped' "$work/log"; then ok sigterm-drained; else bad sigterm-drained "$(tail -n 3 "$work/log")"; fi
if karta check >/dev/null 2>&1; then ok karta-check; else bad karta-check "$(karta check 2>&1 | tail -n 3)"; fi

echo "http: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
