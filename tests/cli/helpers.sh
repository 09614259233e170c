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
