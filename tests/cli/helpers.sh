# helpers.sh - shell functions for the CLI tests (tests/run-cli.sh sets
# BASH_ENV to this file, so every test command can call them).

# pos_setup: a hand-made chain for the checkout tests, with the seed rules.
pos_setup() {
  karta init >/dev/null
  karta category add C01 --name Молочные >/dev/null
  karta category add C0101 --name Молоко --parent C01 >/dev/null
  karta category add C02 --name Напитки >/dev/null
  karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null
  karta store add S900 --city Москва --timezone Europe/Moscow --partner Нефтьмаркет >/dev/null
  karta store add K001 --city Алматы --timezone Asia/Almaty >/dev/null
  for s in P000001 P000002 P000004 P000007 P000013; do karta product add $s --category C0101 --supplier Danone >/dev/null; done
  karta product add MILK --category C0101 >/dev/null
  karta product add COLA --category C02 >/dev/null
  karta product add VODKA --category C02 --alcohol 1 >/dev/null
  karta product add CIGS --category C02 --tobacco 1 >/dev/null
  karta rules load "$KARTA_TESTS/../examples/rules/seed.json" >/dev/null
  karta member add --card 1001 --birth-date 1990-06-15 --favourite-category C01 >/dev/null
  karta member add --card 2902 --birth-date 1992-02-29 >/dev/null
}

# basket TIME CARD STORE LINES... where a line is SKU:QTY:PRICE (amount = qty x price)
basket() {
  local time=$1 card=$2 store=$3; shift 3
  local lines="" sep="" l sku qty price
  for l in "$@"; do
    IFS=: read -r sku qty price <<<"$l"
    lines="$lines$sep{\"sku\":\"$sku\",\"qty\":$qty,\"price\":$price,\"amount\":$((qty * price))}"
    sep=","
  done
  printf '{"store":"%s","receipt":"%s","time":"%s",%s"lines":[%s]}' "$store" "${RECEIPT:-1}" "$time" \
    "${card:+\"card\":\"$card\",}" "$lines"
}
# points of each line and who gave them: "earned | line: rule=points@funder ..."
earn() { jq -r '"\(.earned) |" + ([.lines[] | " \(.line):" + ([.rules[] | "\(.rule // ("offer" + (.offer|tostring)))=\(.points)@\(.funded_by)"] | join(","))] | join(""))'; }

# ---- analytics (tests/cli/analytics_*.t) ----
# rfm_setup: five members M1..M5 with cards 1001..1005 in store S001, and
# DIR h/ with receipts.csv and receipt_lines.csv of a hand-computed RFM case.
rfm_setup() {
  karta init >/dev/null
  karta category add C01 --name Молочные >/dev/null
  karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null
  karta product add P1 --category C01 >/dev/null
  local i
  for i in 1 2 3 4 5; do karta member add --member M$i --card 100$i >/dev/null; done
  mkdir -p h
  {
    echo "receipt,store,time,card,kind,original,total"
    echo "1,S001,2026-01-05T10:00:00+03:00,1003,sale,,1000.00"
    echo "2,S001,2026-01-06T10:00:00+03:00,1003,return,1,400.00"
    echo "3,S001,2026-01-10T10:00:00+03:00,1002,sale,,50.00"
    echo "4,S001,2026-02-01T23:59:00+03:00,1004,sale,,20.00"
    echo "5,S001,2026-02-10T10:00:00+03:00,1001,sale,,300.00"
    echo "6,S001,2026-02-15T10:00:00+03:00,,sale,,77.00"
    echo "7,S001,2026-02-16T10:00:00+03:00,9999,sale,,88.00"
    echo "8,S001,2026-02-20T10:00:00+03:00,1001,sale,,200.00"
    echo "9,S001,2026-02-25T10:00:00+03:00,1002,sale,,50.00"
    echo "10,S001,2026-02-28T10:00:00+03:00,1001,sale,,100.00"
    echo "11,S001,2026-03-01T10:00:00+03:00,1005,sale,,10.00"
    echo "12,S001,2026-03-02T10:00:00+03:00,1005,sale,,999.00"
  } >h/receipts.csv
  {
    echo "receipt,store,line,sku,qty,price,amount"
    awk -F, 'NR > 1 { print $1 ",S001,1,P1,1," $7 "," $7 }' h/receipts.csv
  } >h/receipt_lines.csv
}

# rfm_vs_sqlite AS_OF: RFM of a generated chain against the same query in
# SQLite over the generated CSV files; prints "same" lines or the diff.
rfm_vs_sqlite() {
  local as_of=$1
  karta gen --out g --members 400 --stores 4 --products 300 --days 70 >/dev/null
  karta init >/dev/null
  karta import g --as-of 2026-01-01 >/dev/null
  karta import-receipts g | head -1
  karta rfm --format csv --as-of "$as_of" | tail -n +2 | cut -d, -f1-4 | sort >rfm.karta
  sqlite3 -batch x.db <<SQL >/dev/null
.mode csv
.import g/receipts.csv receipts
.import g/cards.csv cards
SQL
  sqlite3 -batch -csv x.db "
    WITH x AS (SELECT c.member AS member, substr(r.time, 1, 10) AS day, r.kind AS kind,
                      CAST(round(r.total * 100) AS INTEGER) AS amt
               FROM receipts r JOIN cards c ON c.card = r.card WHERE substr(r.time, 1, 10) <= '$as_of')
    SELECT member,
           CAST(julianday('$as_of') - julianday(max(CASE WHEN kind = 'sale' THEN day END)) AS INTEGER),
           sum(kind = 'sale'),
           printf('%.2f', sum(CASE WHEN kind = 'sale' THEN amt ELSE -amt END) / 100.0)
    FROM x GROUP BY member HAVING sum(kind = 'sale') > 0" | tr -d '\r' | sort >rfm.sqlite
  if diff rfm.karta rfm.sqlite >rfm.diff; then
    echo "same recency, frequency, monetary for $(wc -l <rfm.karta) members"
  else
    head -20 rfm.diff
  fi
}
