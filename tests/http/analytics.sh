#!/usr/bin/env bash
# analytics.sh - the analyses as JSON endpoints of `karta serve`
# (GET /v1/analytics/{analysis}[/{name}]): each answer equals the command
# line's `--format json` output byte for byte; receipts committed over HTTP
# are in the next answer at once (P12); roles, unknown analyses, bad and
# refused parameters get the right status and error. Prints "ok   http-analytics
# NAME" / "FAIL ..." and "http-analytics: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${KARTA_BIN:-$top/build/asan/karta}
[ -x "$bin" ] || bin=$top/karta
work=$(mktemp -d)
export KARTA_DATA=$work/data KARTA_TESTS=$top/tests KARTA_ACTOR=test KARTA_NOW=2026-03-03T10:00:00+03:00
pass=0 fail=0 pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
karta() { "$bin" "$@"; }
source "$top/tests/cli/helpers.sh"
cd "$work"

ok() { echo "ok   http-analytics $1"; pass=$((pass + 1)); }
bad() { echo "FAIL http-analytics $1: $2"; fail=$((fail + 1)); }
get() { # KEY PATH -> body in $work/out, status echoed
  curl -s -o "$work/out" -w '%{http_code}' ${1:+-H "Authorization: Bearer $1"} "$url$2"
}
# same NAME PATH CMD... - the endpoint's answer equals the command's JSON
same() {
  local name=$1 path=$2; shift 2
  local st
  st=$(get "$analyst" "$path")
  "$bin" "$@" --format json >"$work/want" 2>&1
  if [ "$st" = 200 ] && cmp -s "$work/out" "$work/want"; then ok "$name"
  else bad "$name" "status $st; $(diff "$work/want" "$work/out" | head -5)"; fi
}
# status NAME WANT KEY PATH [JQ WANT_VALUE]
status() {
  local st
  st=$(get "$3" "$4")
  if [ "$st" != "$2" ]; then bad "$1" "status $st, want $2: $(head -c 200 "$work/out")"; return; fi
  if [ $# -ge 6 ]; then
    local v
    v=$(jq -r "$5" <"$work/out" 2>/dev/null)
    [ "$v" = "$6" ] || { bad "$1" "$5 = '$v', want '$6'"; return; }
  fi
  ok "$1"
}

rfm_setup
karta import-receipts h >/dev/null
jq '{program: .program, rules: [.rules[0]]}' "$KARTA_TESTS/../examples/rules/seed.json" >base.json
karta rules load base.json >/dev/null
analyst=$(karta keys create --name olga --role analyst | tail -n 1)
marketer=$(karta keys create --name mark --role marketer | tail -n 1)
till=$(karta keys create --name till --role pos --store S001 | tail -n 1)

"$bin" serve --listen 127.0.0.1:0 --ready-file "$work/ready" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
if [ ! -s "$work/ready" ]; then bad start "server did not come up: $(cat "$work/log")"; echo "http-analytics: $pass passed, $fail failed"; exit 1; fi
url=http://$(cat "$work/ready")

same rfm "/v1/analytics/rfm" rfm
same "rfm as of a day" "/v1/analytics/rfm?as_of=2026-02-20" rfm --as-of 2026-02-20
same "rfm segment sizes" "/v1/analytics/rfm?segments" rfm --segments
same "lifecycle summary" "/v1/analytics/lifecycle?summary" lifecycle --summary
same "abc by revenue" "/v1/analytics/abc?of=member&by=revenue" abc --of member --by revenue
same "report sales by week" "/v1/analytics/report/sales?by=week" report sales --by week
same "report top-sales" "/v1/analytics/report/top-sales?top=3" report top-sales --top 3
same "report list" "/v1/analytics/report?list" report --list
same "store filter" "/v1/analytics/report/sales?by=month&store=S001&from=2026-02-01" report sales --by month --store S001 --from 2026-02-01
status "marketer may read" 200 "$marketer" "/v1/analytics/rfm?segments"
status "a checkout key may not" 403 "$till" "/v1/analytics/rfm"
status "no key" 401 "" "/v1/analytics/rfm"
status "unknown analysis" 404 "$analyst" "/v1/analytics/nosuch" .error.field analysis
status "a command that is not an analysis" 404 "$analyst" "/v1/analytics/init" .error.field analysis
status "bad option value" 400 "$analyst" "/v1/analytics/rfm?as_of=yesterday" .error.field --as-of
status "unknown option" 400 "$analyst" "/v1/analytics/rfm?colour=red" .error.field --colour
status "format is the server's" 400 "$analyst" "/v1/analytics/rfm?format=csv" .error.field format
status "no files of the server" 400 "$analyst" "/v1/analytics/basket?baskets=/etc/passwd" .error.field baskets
status "unknown store" 404 "$analyst" "/v1/analytics/report/sales?store=NOPE" .error.field --store
status "unknown report" 400 "$analyst" "/v1/analytics/report/nosuch" .error.field NAME

# P12: a receipt committed over HTTP is in the very next analysis
before=$(get "$analyst" "/v1/analytics/report/sales?by=day&from=2026-03-03" >/dev/null; jq -c '.rows // .sales // .' <"$work/out")
admin=$(karta keys create --name admin --role admin | tail -n 1)
code=$(curl -s -o "$work/commit" -w '%{http_code}' -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  --data-binary '{"store":"S001","receipt":"H1","time":"2026-03-03T09:00:00+03:00","card":"1001","lines":[{"sku":"P1","qty":2,"price":1500,"amount":3000}]}' \
  "$url/v1/pos/commit")
st=$(get "$analyst" "/v1/analytics/report/sales?by=day&from=2026-03-03")
got=$(jq -r '[.[]? | arrays | .[] | select(.period == "2026-03-03") | .sales] | first // empty' <"$work/out" 2>/dev/null)
if [ "$code" = 200 ] && [ "$st" = 200 ] && [ "$got" = "30" ] && [ "$before" = "[]" ]; then ok "committed receipt visible at once"
else bad "committed receipt visible at once" "commit $code ($(head -c 200 "$work/commit")), report $st, sales '$got'; before: $before"; fi

kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=
# the drain folds what waits into the column segments
got=$(karta cols status | tail -n 1)
if [ "$got" = "checkout receipts folded up to #1; not yet folded: 0 receipts, 0 lines" ]; then ok "drain folds the checkout receipts"
else bad "drain folds the checkout receipts" "$got"; fi
echo "http-analytics: $pass passed, $fail failed"
[ $fail -eq 0 ]
