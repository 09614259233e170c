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

"$bin" serve --listen 127.0.0.1:0 --ready-file "$work/ready" --threads 4 2>"$work/log" &
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
# ---- routing
req unknown-route-404 404 "$admin" GET /v1/nosuch
req wrong-method-405 405 "$admin" DELETE /v1/rules
# ---- audit: staff writes are recorded, pos writes are not
n=$(sqlite3 "$KARTA_DATA/karta.db" "SELECT COUNT(*) FROM audit WHERE actor LIKE 'api:%' AND action LIKE 'P%'")
if [ "$n" -ge 3 ]; then ok audit-staff-writes; else bad audit-staff-writes "$n audit rows by api keys"; fi
# ---- metrics
req metrics 200 "" GET /metrics
if grep -q 'karta_http_requests_total{method="POST",route="/v1/pos/commit",status="422"} 1' "$work/out" &&
   grep -q '^karta_commits_total' "$work/out" && grep -q 'karta_http_request_seconds_bucket' "$work/out"; then
  ok metrics-content; else bad metrics-content "$(head -c 300 "$work/out")"; fi
# ---- no card numbers or phones in the access log
if grep -qE '1001|79120000005|3003' "$work/log"; then bad log-no-personal-data "$(grep -E '1001|7912' "$work/log" | head -2)"; else ok log-no-personal-data; fi
if grep -qE '^karta: req=[0-9]+ POST /v1/pos/commit 200 [0-9]+us' "$work/log"; then ok access-log-format; else bad access-log-format "$(tail -n 2 "$work/log")"; fi

# ---- every route in openapi.yaml answers; the server has no route it does not list
spec=$top/docs/openapi.yaml
routes=$(awk '/^paths:/{p=1; next} p && /^  \/[^ ]*:$/{path=$1; sub(/:$/, "", path)} p && /^    (get|post|patch|put|delete):/{m=$1; sub(/:$/, "", m); print toupper(m), path}' "$spec")
nroutes=0
while read -r method path; do
  [ -z "$method" ] && continue
  nroutes=$((nroutes + 1))
  p=${path//\{card\}/1001}; p=${p//\{store\}/S001}; p=${p//\{receipt\}/100}; p=${p//\{key\}/1001}
  body=
  [ "$method" != GET ] && body='{}'
  code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H "Authorization: Bearer $admin" ${body:+--data-binary "$body"} "$url$p")
  if [ "$code" != 404 ] && [ "$code" != 405 ] && [ "$code" != 000 ]; then ok "openapi $method $path"
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
for _ in 1 2 3 4 5; do codes="$codes $(curl -s -o "$work/out" -D "$work/headers" -w '%{http_code}' -H "Authorization: Bearer $analyst" "$url/v1/rules")"; done
if [[ "$codes" == *429* ]] && grep -qi '^Retry-After: [0-9]' "$work/headers"; then ok rate-limit-429; else bad rate-limit-429 "codes$codes"; fi
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

# ---- SIGTERM drains and exits 0; the ledger is consistent
kill -TERM "$pid"
if wait "$pid"; then ok sigterm-exit-0; else bad sigterm-exit-0 "exit status $?"; fi
pid=
if grep -q 'serve: stopped' "$work/log"; then ok sigterm-drained; else bad sigterm-drained "$(tail -n 3 "$work/log")"; fi
if karta check >/dev/null 2>&1; then ok karta-check; else bad karta-check "$(karta check 2>&1 | tail -n 3)"; fi

echo "http: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
