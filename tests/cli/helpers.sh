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

# ---- behavioural analyses (tests/cli/behav_*.t) ----
# behav_setup: members M1..M5 (cards 1001..1005) in store S001; SKUs A, B, E in
# category C0101, C in C0102 (both under C01), D in C02, priced 10, 20, 50, 30
# and 40.00; DIR b/ holds the receipts of the hand-computed case described at
# the top of tests/cli/behav_sequences.t. A receipt is "ID DAY HH:MM CARD SKU..."
# (CARD - for none; kind return when the id starts with R).
behav_setup() {
  karta init >/dev/null
  karta category add C01 --name Dairy >/dev/null
  karta category add C0101 --name Milk --parent C01 >/dev/null
  karta category add C0102 --name Cheese --parent C01 >/dev/null
  karta category add C02 --name Drinks >/dev/null
  karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null
  local s i
  for s in A B E; do karta product add $s --category C0101 >/dev/null; done
  karta product add C --category C0102 >/dev/null
  karta product add D --category C02 >/dev/null
  for i in 1 2 3 4 5; do karta member add --member M$i --card 100$i >/dev/null; done
  mkdir -p b
  behav_receipts b <<'R'
1 2026-01-01 10:00 1001 A B
2 2026-01-01 18:00 1001 C
3 2026-01-20 10:00 1001 A
R15 2026-01-25 10:00 1001 A
4 2026-03-15 10:00 1001 B D
5 2026-01-05 10:00 1002 A E
6 2026-02-04 10:00 1002 C
7 2026-06-01 10:00 1002 A E
8 2026-02-01 10:00 1003 C
9 2026-02-10 10:00 1003 A C
10 2026-06-20 10:00 1003 D
11 2026-06-15 10:00 1004 A
12 2026-06-25 10:00 1004 C
13 2026-04-01 10:00 1005 D
14 2026-01-02 10:00 - A C
R
}

# behav_receipts DIR: receipts "ID DAY HH:MM CARD SKU..." on stdin into
# DIR/receipts.csv and DIR/receipt_lines.csv (one piece a line, at the SKU's price).
behav_receipts() {
  mkdir -p "$1"
  awk -v dir="$1" 'BEGIN {
      split("A 10.00 B 20.00 C 30.00 D 40.00 E 50.00", p, " ")
      for (i = 1; i < 10; i += 2) price[p[i]] = p[i + 1]
      print "receipt,store,time,card,kind,original,total" > (dir "/receipts.csv")
      print "receipt,store,line,sku,qty,price,amount" > (dir "/receipt_lines.csv")
    }
    {
      card = $4 == "-" ? "" : $4; kind = substr($1, 1, 1) == "R" ? "return" : "sale"
      total = 0
      for (i = 5; i <= NF; i++) {
        total += price[$i]
        printf "%s,S001,%d,%s,1,%s,%s\n", $1, i - 4, $i, price[$i], price[$i] > (dir "/receipt_lines.csv")
      }
      printf "%s,S001,%sT%s:00+03:00,%s,%s,%s,%.2f\n", $1, $2, $3, card, kind, kind == "return" ? "3" : "", total > (dir "/receipts.csv")
    }'
}

# behav_gen: a generated chain (members, catalogue, receipts) loaded into the
# data directory and into SQLite (x.db: tables receipts, lines, cards, products;
# ev: one row per card holder's sale receipt and SKU, with its category).
behav_gen() {
  karta gen --out g --members 400 --stores 4 --products 300 --days 70 >/dev/null
  karta init >/dev/null
  karta import g --as-of 2026-01-01 >/dev/null
  karta import-receipts g | head -1
  sqlite3 -batch x.db <<SQL >/dev/null
.mode csv
.import g/receipts.csv receipts
.import g/receipt_lines.csv lines
.import g/cards.csv cards
.import g/products.csv products
CREATE TABLE ev AS
  SELECT DISTINCT c.member AS m, r.rowid AS rid, substr(r.time, 1, 16) AS t, substr(r.time, 1, 10) AS day,
         l.sku AS sku, p.category AS cat
  FROM lines l JOIN receipts r ON r.receipt = l.receipt AND r.store = l.store
  JOIN cards c ON c.card = r.card JOIN products p ON p.sku = l.sku
  WHERE r.kind = 'sale';
SQL
}

# behav_same NAME FILE1 FILE2: "same NAME for N rows" or the first lines of the diff.
behav_same() {
  if diff "$2" "$3" >"$1.diff"; then echo "same $1 for $(wc -l <"$2") rows"; else head -20 "$1.diff"; fi
}

# behav_interval_vs_sqlite AS_OF COLUMN(sku|cat): karta interval against SQLite (buyers, repeat
# buyers, intervals, mean and median days) after behav_gen.
behav_interval_vs_sqlite() {
  local as_of=$1 col=$2 of=sku
  [ "$col" = cat ] && of=category
  karta interval --of $of --as-of "$as_of" --format csv | tail -n +2 | cut -d, -f1-3,5-7 | sort >iv.karta
  sqlite3 -batch -csv x.db "
    WITH d AS (SELECT DISTINCT m, $col AS item, day FROM ev WHERE day <= '$as_of'),
    g AS (SELECT item, m, CAST(julianday(day) - julianday(LAG(day) OVER (PARTITION BY m, item ORDER BY day)) AS INTEGER) AS gap
          FROM d),
    o AS (SELECT item, gap, ROW_NUMBER() OVER (PARTITION BY item ORDER BY gap) AS k, COUNT(*) OVER (PARTITION BY item) AS n
          FROM g WHERE gap IS NOT NULL),
    med AS (SELECT item, AVG(gap) AS median FROM o WHERE k IN ((n + 1) / 2, (n + 2) / 2) GROUP BY item),
    s AS (SELECT item, COUNT(DISTINCT m) AS buyers, COUNT(DISTINCT CASE WHEN gap IS NOT NULL THEN m END) AS rep,
                 COUNT(gap) AS k, SUM(gap) * 100 AS s100 FROM g GROUP BY item),
    -- the mean to hundredths, rounded half up
    r AS (SELECT *, s100 / k AS q, s100 % k AS rem FROM s WHERE k > 0)
    SELECT s.item, s.buyers, s.rep, s.k,
           CASE WHEN s.k > 0 THEN printf('%d.%02d', (r.q + (2 * r.rem >= r.k)) / 100, (r.q + (2 * r.rem >= r.k)) % 100) END,
           CASE WHEN s.k > 0 THEN printf('%.2f', med.median) END
    FROM s LEFT JOIN r ON r.item = s.item LEFT JOIN med ON med.item = s.item" | tr -d '\r' | sort >iv.sqlite
  behav_same "interval by $of" iv.karta iv.sqlite
}

# behav_sequences_vs_sqlite AS_OF W S COLUMN(sku|cat): karta sequences against SQLite
# (members with X then Y within W days in a later receipt; those with X on or before AS_OF - W).
behav_sequences_vs_sqlite() {
  local as_of=$1 w=$2 s=$3 col=$4 level=sku
  [ "$col" = cat ] && level=category
  karta sequences --level $level --as-of "$as_of" --window $w --min-support "$s" --min-confidence 0 --format csv |
    tail -n +2 | cut -d, -f1-3,6 | sort >seq.karta
  sqlite3 -batch -csv x.db "
    WITH e AS (SELECT * FROM ev WHERE day <= '$as_of'),
    n AS (SELECT COUNT(DISTINCT m) AS n FROM e)
    SELECT a.$col, b.$col, COUNT(DISTINCT a.m),
           COUNT(DISTINCT CASE WHEN a.day <= date('$as_of', '-$w days') THEN a.m END)
    FROM e a JOIN e b ON b.m = a.m AND b.$col <> a.$col AND b.rid <> a.rid
      AND (b.t > a.t OR (b.t = a.t AND b.rid > a.rid)) AND julianday(b.day) - julianday(a.day) <= $w
    GROUP BY a.$col, b.$col HAVING COUNT(DISTINCT a.m) >= $s * (SELECT n FROM n) - 1e-9" | tr -d '\r' | sort >seq.sqlite
  behav_same "sequences by $level" seq.karta seq.sqlite
}

# ---- segmentation analyses (lifecycle, abc, xyz, abc-xyz, preferences) ----------------
# seg_setup: a hand-computed chain: stores S1 (Москва) and S2 (Казань); categories
# C01 > C0101, C0102 and C02 > C0201; products P1 (C0101, Alfa), P2 (C0102, Beta),
# P3 (C0201, Alfa), P4 (C0201, no brand); members M1..M5 with cards 1001..1005;
# DIR s/ with 13 receipts (one return, one without a card, one after 2026-03-01).
seg_setup() {
  karta init >/dev/null
  karta store add S1 --city Москва --region Москва --timezone Europe/Moscow >/dev/null
  karta store add S2 --city Казань --region Татарстан --timezone Europe/Moscow >/dev/null
  karta category add C01 >/dev/null
  karta category add C0101 --parent C01 >/dev/null
  karta category add C0102 --parent C01 >/dev/null
  karta category add C02 >/dev/null
  karta category add C0201 --parent C02 >/dev/null
  karta product add P1 --category C0101 --brand Alfa >/dev/null
  karta product add P2 --category C0102 --brand Beta >/dev/null
  karta product add P3 --category C0201 --brand Alfa >/dev/null
  karta product add P4 --category C0201 >/dev/null
  local i
  for i in 1 2 3 4 5; do karta member add --member M$i --card 100$i >/dev/null; done
  mkdir -p s
  cat >s/receipts.csv <<'CSV'
receipt,store,time,card,kind,original,total
1,S1,2025-12-01T10:00:00+03:00,1003,sale,,250.00
2,S1,2025-12-10T20:00:00+03:00,1004,sale,,300.00
3,S1,2025-12-20T13:00:00+03:00,1003,sale,,80.00
4,S1,2026-01-20T10:00:00+03:00,1001,sale,,600.00
5,S1,2026-01-21T11:00:00+03:00,1001,return,4,300.00
6,S1,2026-02-05T15:00:00+03:00,1004,sale,,100.00
7,S1,2026-02-10T18:30:00+03:00,1001,sale,,300.00
8,S2,2026-02-15T12:00:00+03:00,1002,sale,,400.00
9,S1,2026-02-20T18:45:00+03:00,1001,sale,,400.00
10,S2,2026-02-25T07:30:00+03:00,1002,sale,,50.00
11,S2,2026-02-27T09:00:00+03:00,1001,sale,,200.00
12,S1,2026-02-28T22:15:00+03:00,,sale,,100.00
13,S2,2026-03-02T10:00:00+03:00,1005,sale,,300.00
CSV
  cat >s/receipt_lines.csv <<'CSV'
receipt,store,line,sku,qty,price,amount
1,S1,1,P1,2,100.00,200.00
1,S1,2,P3,1,50.00,50.00
2,S1,1,P2,1,300.00,300.00
3,S1,1,P4,1,80.00,80.00
4,S1,1,P1,3,100.00,300.00
4,S1,2,P2,1,300.00,300.00
5,S1,1,P2,1,300.00,300.00
6,S1,1,P3,2,50.00,100.00
7,S1,1,P1,1,100.00,100.00
7,S1,2,P3,4,50.00,200.00
8,S2,1,P2,1,300.00,300.00
8,S2,2,P1,1,100.00,100.00
9,S1,1,P4,5,80.00,400.00
10,S2,1,P3,1,50.00,50.00
11,S2,1,P1,2,100.00,200.00
12,S1,1,P1,1,100.00,100.00
13,S2,1,P2,1,300.00,300.00
CSV
  karta import-receipts s | head -1
}

# seg_gen: a generated chain in karta (g/, imported) and in SQLite x.db with the
# tables r (receipts: store, receipt, day, hour, member, sale, amt in kopecks) and
# l (lines: store, receipt, day, member, sale, sku, cat, top, brand, qty in
# thousandths, amt in kopecks); member is the external id ('' without a card).
seg_gen() {
  karta gen --out g --members 300 --stores 4 --products 200 --days 70 >/dev/null
  karta init >/dev/null
  karta import g --as-of 2026-01-01 >/dev/null
  karta import-receipts g | head -1
  sqlite3 -batch x.db <<'SQL' >/dev/null
.mode csv
.import g/receipts.csv receipts
.import g/receipt_lines.csv lines
.import g/cards.csv cards
.import g/products.csv products
.import g/categories.csv categories
CREATE TABLE r AS
  SELECT x.store AS store, x.receipt AS receipt, substr(x.time, 1, 10) AS day,
         CAST(substr(x.time, 12, 2) AS INTEGER) AS hour, COALESCE(c.member, '') AS member,
         x.kind = 'sale' AS sale,
         CAST(round(x.total * 100) AS INTEGER) * (CASE WHEN x.kind = 'sale' THEN 1 ELSE -1 END) AS amt
  FROM receipts x LEFT JOIN cards c ON c.card = x.card;
CREATE TABLE l AS
  SELECT y.store AS store, y.receipt AS receipt, r.day AS day, r.member AS member, r.sale AS sale,
         y.sku AS sku, p.category AS cat, COALESCE(t3.code, t2.code, t1.code) AS top,
         NULLIF(p.brand, '') AS brand,
         CAST(round(y.qty * 1000) AS INTEGER) * (CASE WHEN r.sale THEN 1 ELSE -1 END) AS qty,
         CAST(round(y.amount * 100) AS INTEGER) * (CASE WHEN r.sale THEN 1 ELSE -1 END) AS amt
  FROM lines y JOIN r ON r.store = y.store AND r.receipt = y.receipt
  JOIN products p ON p.sku = y.sku
  JOIN categories t1 ON t1.code = p.category
  LEFT JOIN categories t2 ON t2.code = NULLIF(t1.parent, '')
  LEFT JOIN categories t3 ON t3.code = NULLIF(t2.parent, '');
SQL
}

# seg_counts: `uniq -c` output as "A 3 B 5"
seg_counts() { awk '{ if (NR > 1) printf " "; printf "%s %s", $2, $1 }'; }

# seg_same NAME KARTA SQLITE: "same NAME for N rows" or the first lines of the diff.
seg_same() {
  if diff "$2" "$3" >"$2.diff"; then echo "same $1 for $(wc -l <"$2") rows"; else echo "DIFFERENT $1:"; head -10 "$2.diff"; fi
}

# ---- reports (tests/cli/report_*.t) ----
# report_setup: a hand-made chain for the reports R1-R14 (tests/cli/report_*.t
# compute the expected tables by hand from it). Stores S001 (Москва) and S002
# (Казань, Татарстан); products P1 (C0101, Alpha), P2 (C0101, Beta), P3 (C02,
# Alpha), P4 (C02, no brand); members M1 (F, 1990-06-15, reg 2025-12-01 at
# S001), M2 (M, 2000-03-02, reg 2026-01-10 at S001), M3 (F, 1960-01-01, reg
# 2026-02-05 at S002), M4 (no profile, reg 2025-06-01, no store, never buys);
# nine receipts in DIR rh/ (a return, one without a card, one with an unknown
# card, one after 2026-03-01), imported into the columns.
report_setup() {
  karta init >/dev/null
  karta category add C01 --name Молочные >/dev/null
  karta category add C0101 --name Молоко --parent C01 >/dev/null
  karta category add C02 --name Напитки >/dev/null
  karta store add S001 --city Москва --region Москва --timezone Europe/Moscow >/dev/null
  karta store add S002 --city Казань --region Татарстан --timezone Europe/Moscow >/dev/null
  karta product add P1 --category C0101 --brand Alpha >/dev/null
  karta product add P2 --category C0101 --brand Beta >/dev/null
  karta product add P3 --category C02 --brand Alpha >/dev/null
  karta product add P4 --category C02 >/dev/null
  karta member add --member M1 --card 1001 --sex F --birth-date 1990-06-15 --city Москва --region Москва --registered 2025-12-01 --reg-store S001 >/dev/null
  karta member add --member M2 --card 1002 --sex M --birth-date 2000-03-02 --city Москва --region Москва --registered 2026-01-10 --reg-store S001 >/dev/null
  karta member add --member M3 --card 1003 --sex F --birth-date 1960-01-01 --city Казань --region Татарстан --registered 2026-02-05 --reg-store S002 >/dev/null
  karta member add --member M4 --card 1004 --registered 2025-06-01 >/dev/null
  mkdir -p rh
  cat >rh/receipts.csv <<'CSV'
receipt,store,time,card,kind,original,total
r1,S001,2026-01-05T10:15:00+03:00,1001,sale,,130.00
r2,S001,2026-01-20T18:30:00+03:00,1002,sale,,80.00
r9,S002,2026-01-15T15:00:00+03:00,9999,sale,,20.00
r3,S002,2026-02-03T10:05:00+03:00,1001,sale,,160.00
r4,S002,2026-02-10T12:00:00+03:00,1003,sale,,60.00
r5,S002,2026-02-11T12:30:00+03:00,1003,return,r4,30.00
r6,S001,2026-02-14T09:00:00+03:00,,sale,,10.00
r7,S001,2026-02-28T18:00:00+03:00,1002,sale,,210.00
r8,S001,2026-03-02T10:00:00+03:00,1001,sale,,50.00
CSV
  cat >rh/receipt_lines.csv <<'CSV'
receipt,store,line,sku,qty,price,amount
r1,S001,1,P1,2,50.00,100.00
r1,S001,2,P3,1,30.00,30.00
r2,S001,1,P2,1,80.00,80.00
r9,S002,1,P4,2,10.00,20.00
r3,S002,1,P1,1,50.00,50.00
r3,S002,2,P2,1,80.00,80.00
r3,S002,3,P4,3,10.00,30.00
r4,S002,1,P3,2,30.00,60.00
r5,S002,1,P3,1,30.00,30.00
r6,S001,1,P4,1,10.00,10.00
r7,S001,1,P1,1,50.00,50.00
r7,S001,2,P2,2,80.00,160.00
r8,S001,1,P1,1,50.00,50.00
CSV
  karta import-receipts rh | head -1
}

# seg_lifecycle_vs_sqlite AS_OF NEW LAPSED WINDOW RECEIPTS BUDGET (after seg_gen)
seg_lifecycle_vs_sqlite() {
  local d=$1 n=$2 l=$3 w=$4 rc=$5 b=$6
  karta lifecycle --format csv --as-of "$d" --new-days $n --lapsed-days $l --window-days $w \
    --regular-receipts $rc --regular-budget $b | tail -n +2 | cut -d, -f1-4 | sort >lc.karta
  sqlite3 -batch -separator , x.db "
    WITH m AS (SELECT member, min(CASE WHEN sale THEN day END) AS first, max(CASE WHEN sale THEN day END) AS last,
                      sum(sale AND day > date('$d', '-$w days')) AS rc,
                      sum(CASE WHEN day > date('$d', '-$w days') THEN amt ELSE 0 END) AS mon
               FROM r WHERE member <> '' AND day <= '$d' GROUP BY member HAVING sum(sale) > 0)
    SELECT member, CASE WHEN julianday('$d') - julianday(last) >= $l THEN 'lapsed'
                        WHEN julianday('$d') - julianday(first) < $n THEN 'new'
                        WHEN rc >= $rc AND mon >= round($b * 100) THEN 'regular' ELSE 'promising' END,
           rc, printf('%.2f', mon / 100.0) FROM m" | sort >lc.sqlite
  seg_same "lifecycle (stages: $(cut -d, -f2 lc.karta | sort | uniq -c | seg_counts))" lc.karta lc.sqlite
}

# seg_abc_vs_sqlite AS_OF OF BY [STORE]: item,value,class in rank order (after seg_gen)
seg_abc_vs_sqlite() {
  local d=$1 of=$2 by=$3 store=${4:-} item tab measure fmt where
  where="day <= '$d'"
  [ -n "$store" ] && where="$where AND store = '$store'"
  case $of in
    sku|brand) item=$of tab=l ;; category) item=cat tab=l ;; top) item=top tab=l ;;
    member) item=member tab=r where="$where AND member <> ''" ;; store) item=store tab=r ;;
  esac
  case $by in
    revenue) measure="sum(amt)" fmt="printf('%.2f', value / 100.0)" ;;
    units) measure="sum(qty)" fmt="printf('%.3f', value / 1000.0)" tab=l ;;
    receipts) measure="count(DISTINCT CASE WHEN sale THEN store || '|' || receipt END)" fmt=value ;;
    members) measure="count(DISTINCT CASE WHEN sale AND member <> '' THEN member END)" fmt=value ;;
  esac
  karta abc --format csv --as-of "$d" --of $of --by $by ${store:+--store $store} | tail -n +2 | cut -d, -f1,2,5 >abc.karta
  sqlite3 -batch -separator , x.db "
    WITH v AS (SELECT $item AS item, $measure AS value FROM $tab WHERE $where AND $item IS NOT NULL GROUP BY 1),
    c AS (SELECT item, value, SUM(value) OVER () AS total,
                 COALESCE(SUM(value) OVER (ORDER BY value DESC, item ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
          FROM v WHERE value > 0)
    SELECT item, $fmt, CASE WHEN before * 100 < 80 * total THEN 'A' WHEN before * 100 < 95 * total THEN 'B' ELSE 'C' END
    FROM c ORDER BY value DESC, item" >abc.sqlite
  seg_same "abc --of $of --by $by${store:+ --store $store} (classes: $(cut -d, -f3 abc.karta | sort | uniq -c | seg_counts))" abc.karta abc.sqlite
}

# seg_xyz_vs_sqlite FROM AS_OF OF PERIOD: item,periods,mean,stddev,cv,class (after seg_gen)
seg_period_sql() { # PERIOD FROM DAY_EXPR: the 0-based period of DAY_EXPR in the range from FROM
  if [ "$1" = week ]; then
    echo "CAST((julianday($3) - julianday(date('$2', '-6 days', 'weekday 1'))) / 7 AS INTEGER)"
  else
    echo "(CAST(strftime('%Y', $3) AS INTEGER) * 12 + CAST(strftime('%m', $3) AS INTEGER) - CAST(strftime('%Y', '$2') AS INTEGER) * 12 - CAST(strftime('%m', '$2') AS INTEGER))"
  fi
}
seg_xyz_vs_sqlite() {
  local f=$1 d=$2 of=$3 period=$4 item
  case $of in sku|brand) item=$of ;; category) item=cat ;; top) item=top ;; esac
  karta xyz --format csv --from "$f" --as-of "$d" --of $of --period $period | tail -n +2 >xyz.karta
  sqlite3 -batch -separator , x.db "
    WITH pp AS (SELECT $item AS item, $(seg_period_sql $period $f day) AS p, sum(qty) AS x FROM l
                WHERE day BETWEEN '$f' AND '$d' AND $item IS NOT NULL GROUP BY 1, 2),
    n AS (SELECT $(seg_period_sql $period $f "'$d'") + 1 AS n),
    s AS (SELECT item, sum(x) AS s, sum(x * x) AS q FROM pp GROUP BY item),
    c AS (SELECT item, n, s, sqrt(n * q - s * s) AS root FROM s, n WHERE s > 0)
    SELECT item, n, printf('%.3f', s / 1000.0 / n), printf('%.3f', root / n / 1000.0), printf('%.4f', root / s),
           CASE WHEN root / s < 0.5 THEN 'X' WHEN root / s < 1.0 THEN 'Y' ELSE 'Z' END
    FROM c ORDER BY item" >xyz.sqlite
  seg_same "xyz --of $of --period $period (classes: $(cut -d, -f6 xyz.karta | sort | uniq -c | seg_counts))" xyz.karta xyz.sqlite
}

# seg_prefs_vs_sqlite AS_OF: every column of karta preferences --top 3 (after seg_gen)
seg_prefs_vs_sqlite() {
  local d=$1
  karta preferences --format csv --as-of "$d" | tail -n +2 >pr.karta
  sqlite3 -batch -separator , x.db "
    WITH v AS (SELECT * FROM r WHERE member <> '' AND day <= '$d' AND sale),
    n AS (SELECT member, count(*) AS visits FROM v GROUP BY member),
    wd AS (SELECT member, (CAST(strftime('%w', day) AS INTEGER) + 6) % 7 AS k, count(*) AS c FROM v GROUP BY 1, 2),
    bd AS (SELECT member, CASE WHEN hour < 6 THEN 0 WHEN hour < 11 THEN 1 WHEN hour < 14 THEN 2
                               WHEN hour < 17 THEN 3 WHEN hour < 21 THEN 4 ELSE 5 END AS k, count(*) AS c FROM v GROUP BY 1, 2),
    st AS (SELECT member, store AS k, count(*) AS c FROM v GROUP BY 1, 2),
    wd1 AS (SELECT member, k, c, row_number() OVER (PARTITION BY member ORDER BY c DESC, k) AS rn FROM wd),
    bd1 AS (SELECT member, k, c, row_number() OVER (PARTITION BY member ORDER BY c DESC, k) AS rn FROM bd),
    st1 AS (SELECT member, k, c, row_number() OVER (PARTITION BY member ORDER BY c DESC, k) AS rn FROM st),
    sp AS (SELECT member, sum(amt) AS total FROM l WHERE member <> '' AND day <= '$d' GROUP BY member),
    cs AS (SELECT member, top AS g, sum(amt) AS a FROM l WHERE member <> '' AND day <= '$d' GROUP BY 1, 2),
    bs AS (SELECT member, brand AS g, sum(amt) AS a FROM l WHERE member <> '' AND day <= '$d' AND brand IS NOT NULL GROUP BY 1, 2),
    cr AS (SELECT cs.member, g, a, total, row_number() OVER (PARTITION BY cs.member ORDER BY a DESC, g) AS rn
           FROM cs JOIN sp ON sp.member = cs.member WHERE a > 0 AND total > 0),
    br AS (SELECT bs.member, g, a, total, row_number() OVER (PARTITION BY bs.member ORDER BY a DESC, g) AS rn
           FROM bs JOIN sp ON sp.member = bs.member WHERE a > 0 AND total > 0),
    ct AS (SELECT member, group_concat(g || ':' || printf('%.4f', 1.0 * a / total), ';') AS t
           FROM (SELECT * FROM cr WHERE rn <= 3 ORDER BY member, rn) GROUP BY member),
    bt AS (SELECT member, group_concat(g || ':' || printf('%.4f', 1.0 * a / total), ';') AS t
           FROM (SELECT * FROM br WHERE rn <= 3 ORDER BY member, rn) GROUP BY member)
    SELECT n.member, COALESCE(ct.t, ''), COALESCE(bt.t, ''),
           CASE wd1.k WHEN 0 THEN 'Mon' WHEN 1 THEN 'Tue' WHEN 2 THEN 'Wed' WHEN 3 THEN 'Thu' WHEN 4 THEN 'Fri'
                      WHEN 5 THEN 'Sat' ELSE 'Sun' END, printf('%.4f', 1.0 * wd1.c / n.visits),
           CASE bd1.k WHEN 0 THEN 'night' WHEN 1 THEN 'morning' WHEN 2 THEN 'midday' WHEN 3 THEN 'afternoon'
                      WHEN 4 THEN 'evening' ELSE 'late' END, printf('%.4f', 1.0 * bd1.c / n.visits),
           st1.k, printf('%.4f', 1.0 * st1.c / n.visits)
    FROM n JOIN wd1 ON wd1.member = n.member AND wd1.rn = 1 JOIN bd1 ON bd1.member = n.member AND bd1.rn = 1
    JOIN st1 ON st1.member = n.member AND st1.rn = 1
    LEFT JOIN ct ON ct.member = n.member LEFT JOIN bt ON bt.member = n.member ORDER BY n.member" >pr.sqlite
  sort -o pr.karta pr.karta
  sort -o pr.sqlite pr.sqlite
  seg_same "preferences" pr.karta pr.sqlite
}

# seg_abcxyz_vs_sqlite FROM AS_OF OF BY PERIOD: karta abc-xyz against the cross of the
# SQLite ABC and XYZ classes of the same items (run after seg_abc_vs_sqlite and
# seg_xyz_vs_sqlite with the same range, so abc.sqlite and xyz.sqlite hold them).
seg_abcxyz_vs_sqlite() {
  local f=$1 d=$2 of=$3 by=$4 period=$5
  karta abc-xyz --format csv --from "$f" --as-of "$d" --of $of --by $by --period $period | tail -n +2 | cut -d, -f1-4 >ax.karta
  awk -F, -v by=$by 'NR == FNR { x[$1] = $6; next }
    ($1 in x) { n[$3 "," x[$1]]++; v[$3 "," x[$1]] += $2 }
    END { split("A B C", a, " "); split("X Y Z", z, " ")
          for (i = 1; i <= 3; i++) for (j = 1; j <= 3; j++) { k = a[i] "," z[j]
            printf "%s,%d,", k, n[k]; if (by == "revenue") printf "%.2f\n", v[k]; else if (by == "units") printf "%.3f\n", v[k]; else printf "%d\n", v[k] } }' \
    xyz.sqlite abc.sqlite >ax.sqlite
  seg_same "abc-xyz --of $of --by $by --period $period" ax.karta ax.sqlite
}

# ---- recommendations (tests/cli/recs_*.t) ----
# recs_setup: members M1..M3 (cards 1001..1003), SKUs A, B, C (10, 20, 30 a
# unit) in category C01, and the seven receipts of the hand-computed case in
# tests/cli/recs_model.t, imported into the columns.
recs_setup() {
  karta init >/dev/null
  karta category add C01 --name Молочные >/dev/null
  karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null
  local s i
  for s in A B C; do karta product add $s --category C01 >/dev/null; done
  for i in 1 2 3; do karta member add --member M$i --card 100$i >/dev/null; done
  mkdir -p h
  {
    echo "receipt,store,time,card,kind,original,total"
    echo "1,S001,2026-01-01T10:00:00+03:00,1001,sale,,10.00"
    echo "2,S001,2026-01-05T10:00:00+03:00,1002,sale,,30.00"
    echo "3,S001,2026-01-10T10:00:00+03:00,1003,sale,,50.00"
    echo "4,S001,2026-01-11T10:00:00+03:00,1001,sale,,10.00"
    echo "5,S001,2026-01-21T10:00:00+03:00,1001,sale,,30.00"
    echo "6,S001,2026-01-25T10:00:00+03:00,1002,sale,,50.00"
    echo "7,S001,2026-01-28T10:00:00+03:00,1003,sale,,30.00"
  } >h/receipts.csv
  {
    echo "receipt,store,line,sku,qty,price,amount"
    echo "1,S001,1,A,1,10.00,10.00"
    echo "2,S001,1,A,1,10.00,10.00"
    echo "2,S001,2,B,1,20.00,20.00"
    echo "3,S001,1,B,1,20.00,20.00"
    echo "3,S001,2,C,1,30.00,30.00"
    echo "4,S001,1,A,1,10.00,10.00"
    echo "5,S001,1,A,1,10.00,10.00"
    echo "5,S001,2,B,1,20.00,20.00"
    echo "6,S001,1,B,1,20.00,20.00"
    echo "6,S001,2,C,1,30.00,30.00"
    echo "7,S001,1,C,1,30.00,30.00"
  } >h/receipt_lines.csv
  karta import-receipts h >/dev/null
}

# ---- association rules and clusters (tests/cli/basket*.t, clusters*.t) ----
# basket_setup: a hand-computed chain of six sale receipts and one return.
#   categories C01 > C0101, C02 > C0201; P1 C0101 brand A, P2 C0101 brand B,
#   P3 C0201 brand A, P4 C0201 no brand; store S001; members M1..M3.
#   r1 P1 P2 P3 (M1) | r2 P1 P3 (M2) | r3 P1 P3 P4 (M3) | r4 P2 (M1)
#   r5 P1 P1 (no card) | r6 P4 (M2) | r7 returns r1 (M1)
basket_setup() {
  karta init >/dev/null
  karta category add C01 --name Молочные >/dev/null
  karta category add C0101 --name Молоко --parent C01 >/dev/null
  karta category add C02 --name Хлеб >/dev/null
  karta category add C0201 --name Батоны --parent C02 >/dev/null
  karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null
  karta product add P1 --category C0101 --brand A >/dev/null
  karta product add P2 --category C0101 --brand B >/dev/null
  karta product add P3 --category C0201 --brand A >/dev/null
  karta product add P4 --category C0201 >/dev/null
  local i
  for i in 1 2 3; do karta member add --member M$i --card 100$i >/dev/null; done
  mkdir -p h
  {
    echo "receipt,store,time,card,kind,original,total"
    echo "1,S001,2026-01-05T10:00:00+03:00,1001,sale,,60.00"
    echo "2,S001,2026-01-06T10:00:00+03:00,1002,sale,,40.00"
    echo "3,S001,2026-01-07T10:00:00+03:00,1003,sale,,80.00"
    echo "4,S001,2026-01-08T10:00:00+03:00,1001,sale,,20.00"
    echo "5,S001,2026-01-09T10:00:00+03:00,,sale,,20.00"
    echo "6,S001,2026-01-10T10:00:00+03:00,1002,sale,,40.00"
    echo "7,S001,2026-01-11T10:00:00+03:00,1001,return,1,60.00"
  } >h/receipts.csv
  {
    echo "receipt,store,line,sku,qty,price,amount"
    echo "1,S001,1,P1,1,10.00,10.00"
    echo "1,S001,2,P2,1,20.00,20.00"
    echo "1,S001,3,P3,1,30.00,30.00"
    echo "2,S001,1,P1,1,10.00,10.00"
    echo "2,S001,2,P3,1,30.00,30.00"
    echo "3,S001,1,P1,1,10.00,10.00"
    echo "3,S001,2,P3,1,30.00,30.00"
    echo "3,S001,3,P4,1,40.00,40.00"
    echo "4,S001,1,P2,1,20.00,20.00"
    echo "5,S001,1,P1,1,10.00,10.00"
    echo "5,S001,2,P1,1,10.00,10.00"
    echo "6,S001,1,P4,1,40.00,40.00"
    echo "7,S001,1,P1,1,10.00,10.00"
    echo "7,S001,2,P2,1,20.00,20.00"
    echo "7,S001,3,P3,1,30.00,30.00"
  } >h/receipt_lines.csv
  karta import-receipts h >/dev/null
}

# basket_vs_ref FILE ARGS...: `karta basket --baskets FILE ARGS` against the
# independent reference miner tests/basket/ref_rules.py, rule for rule.
basket_vs_ref() {
  local f=$1
  shift
  karta basket --baskets "$f" "$@" --format csv >rules.karta || return
  python3 "$KARTA_TESTS/basket/ref_rules.py" "$f" "$@" >rules.ref || return
  python3 "$KARTA_TESTS/basket/ref_rules.py" --compare rules.karta rules.ref
}

# basket_gen_baskets DIR OUT: the sale receipts of a generated chain's CSV
# files as a baskets file (one line per store and receipt, its SKUs).
basket_gen_baskets() {
  awk -F, 'NR == FNR { if (FNR > 1 && $5 == "sale") sale[$2 "/" $1] = 1; next }
           FNR > 1 && ($2 "/" $1) in sale && $5 > 0 {
             k = $2 "/" $1
             if (!(k in seen)) { seen[k] = 1; order[n++] = k; items[k] = $4 } else items[k] = items[k] "," $4
           }
           END { for (i = 0; i < n; i++) print items[order[i]] }' "$1/receipts.csv" "$1/receipt_lines.csv" >"$2"
}

# basket_pairs_sqlite DIR SMIN: pair rules (lhs => rhs of one SKU each, count
# >= SMIN) of a generated chain by a self-join in SQLite, as
# lhs,rhs,count,confidence(6 places) sorted.
basket_pairs_sqlite() {
  sqlite3 -batch b.db <<SQL >/dev/null
.mode csv
.import $1/receipts.csv receipts
.import $1/receipt_lines.csv lines
SQL
  sqlite3 -batch -csv b.db "
    WITH l AS (SELECT DISTINCT x.store || '/' || x.receipt AS b, x.sku AS sku
               FROM lines x JOIN receipts r ON r.store = x.store AND r.receipt = x.receipt
               WHERE r.kind = 'sale' AND CAST(x.qty AS REAL) > 0),
         c AS (SELECT sku, count(*) AS n FROM l GROUP BY sku),
         p AS (SELECT a.sku AS lhs, b.sku AS rhs, count(*) AS n FROM l a JOIN l b ON a.b = b.b AND a.sku <> b.sku
               GROUP BY a.sku, b.sku HAVING count(*) >= $2)
    SELECT p.lhs, p.rhs, p.n, printf('%.6f', 1.0 * p.n / c.n) FROM p JOIN c ON c.sku = p.lhs" | tr -d '\r' | sort
}

# basket_groceries: the path of the Groceries baskets file, or (absent) a loud
# skip notice and status 1 (the test then prints the expected figures itself).
basket_groceries() {
  local f="$KARTA_SHARED/data/groceries/groceries.csv"
  if [ -f "$f" ]; then echo "$f"; return 0; fi
  { echo "**** SKIPPED basket groceries: no ../shared/data ****" >/dev/tty; } 2>/dev/null || true
  return 1
}

# report_vs_sqlite AS_OF: a generated chain loaded into the columns and, from
# the same CSV files, into SQLite (x.db with views s_receipts and s_lines:
# local day, hour, member's external id, signed amounts in minor units and
# quantities in thousandths).
report_sqlite_setup() {
  karta gen --out g --members 400 --stores 4 --products 300 --days 70 >/dev/null
  karta init >/dev/null
  karta import g --as-of 2026-01-01 >/dev/null
  karta import-receipts g | head -1
  sqlite3 -batch x.db <<SQL >/dev/null
.mode csv
.import g/receipts.csv receipts
.import g/receipt_lines.csv lines
.import g/cards.csv cards
CREATE VIEW s_receipts AS
  SELECT r.receipt, r.store, substr(r.time, 1, 10) AS day, CAST(substr(r.time, 12, 2) AS INTEGER) AS hour,
         r.kind, c.member AS member,
         CASE WHEN r.kind = 'sale' THEN 1 ELSE -1 END * CAST(round(r.total * 100) AS INTEGER) AS amount
  FROM receipts r LEFT JOIN cards c ON c.card = r.card;
CREATE VIEW s_lines AS
  SELECT x.day, x.hour, x.kind, x.member, l.store,
         CASE WHEN x.kind = 'sale' THEN 1 ELSE -1 END * CAST(round(l.qty * 1000) AS INTEGER) AS qty
  FROM lines l JOIN s_receipts x ON x.receipt = l.receipt AND x.store = l.store;
SQL
}

# report_same NAME KARTA-ARGS -- SQL: karta report NAME KARTA-ARGS --format csv
# (without its header) against the rows of SQL; prints "same" or the diff.
report_same() {
  local name=$1; shift
  local args=()
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift
  karta report "$name" "${args[@]}" --format csv | tail -n +2 >k.csv
  sqlite3 -batch -csv x.db "$1" | tr -d '\r' >s.csv
  if [ ! -s k.csv ]; then echo "$name: karta gave no rows"
  elif diff k.csv s.csv >d.txt; then echo "$name ${args[*]}: same $(wc -l <k.csv) rows"
  else echo "$name ${args[*]}: differs"; head -10 d.txt; fi
}

# The period expression of R1 in SQLite for --by BY.
report_sqlite_period() {
  case $1 in
    hour) echo "hour" ;;
    weekday) echo "(CAST(strftime('%w', day) AS INTEGER) + 6) % 7 + 1" ;;
    day) echo "day" ;;
    week) echo "date(day, '-6 days', 'weekday 1')" ;;
    month) echo "substr(day, 1, 7)" ;;
  esac
}

# R1 --by BY as of AS_OF in SQLite: the same columns as karta report sales.
report_sqlite_sales() {
  local p; p=$(report_sqlite_period "$1")
  echo "WITH r AS (SELECT $p AS period, count(*) FILTER (WHERE kind = 'sale') AS receipts, sum(amount) AS sales,
                          count(DISTINCT CASE WHEN kind = 'sale' THEN member END) AS members
                   FROM s_receipts WHERE day <= '$2' GROUP BY 1),
             l AS (SELECT $p AS period, count(*) FILTER (WHERE kind = 'sale') AS lines, sum(qty) AS units
                   FROM s_lines WHERE day <= '$2' GROUP BY 1)
        SELECT r.period, r.receipts, coalesce(l.lines, 0), printf('%.3f', coalesce(l.units, 0) / 1000.0),
               printf('%.2f', r.sales / 100.0), r.members
        FROM r LEFT JOIN l ON l.period = r.period ORDER BY r.period"
}
