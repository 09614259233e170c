# R5 and R6 on report_setup's chain as of 2026-03-01, and import-stock.
$ report_setup
receipts 9, lines 13, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
# R5 by brand, from sale lines with a card: Alpha: M1 on r1 and r3 (180.00), M3 (60.00), M2
# (50.00): 3 buyers, 1 repeat, 290.00 of their 290+60+290 = 640.00 spend. Beta: M2 on r2 and r7
# (240.00), M1 (80.00): 2 buyers, 1 repeat, 320.00 of 580.00. P4 has no brand.
$ karta report product-loyalty --as-of 2026-03-01 --of brand --format csv
item,buyers,repeat_buyers,repeat_share,sales,wallet_share
Alpha,3,1,0.3333,290.00,0.4531
Beta,2,1,0.5000,320.00,0.5517
# by category: C0101 (P1 P2) M1 230.00 on r1 r3, M2 290.00 on r2 r7; C02 (P3 P4) M1 60.00 on r1 r3, M3 60.00
$ karta report product-loyalty --as-of 2026-03-01 --format csv
item,buyers,repeat_buyers,repeat_share,sales,wallet_share
C0101,2,2,1.0000,520.00,0.8966
C02,2,1,0.5000,120.00,0.3429
$ karta report product-loyalty --as-of 2026-03-01 --of top --format csv
item,buyers,repeat_buyers,repeat_share,sales,wallet_share
C01,2,2,1.0000,520.00,0.8966
C02,2,1,0.5000,120.00,0.3429
$ karta report product-loyalty --as-of 2026-03-01 --of brand --by sex --format csv
item,sex,buyers,repeat_buyers,repeat_share,sales,wallet_share
Alpha,F,2,1,0.5000,240.00,0.6857
Alpha,M,1,0,0.0000,50.00,0.1724
Beta,F,1,0,0.0000,80.00,0.2759
Beta,M,1,1,1.0000,240.00,0.8276
$ karta report product-loyalty --as-of 2026-03-01 --of sku --sex M --format csv
item,buyers,repeat_buyers,repeat_share,sales,wallet_share
P1,1,0,0.0000,50.00,0.1724
P2,1,1,1.0000,240.00,0.8276
$ karta report product-loyalty --of shelf
karta: usage: --of: want sku, category, top or brand, not "shelf"
[exit 2]
# stock snapshots; the one on 03-05 is after the as-of day
$ printf 'store,sku,date,qty\nS001,P1,2026-02-20,10\nS001,P1,2026-02-27,6\nS001,P2,2026-02-27,4.5\nS002,P3,2026-02-01,12\nS001,P1,2026-03-05,100\n' >s.csv && karta import-stock s.csv
stock snapshots 5 (replaced 0), days 2026-02-01..2026-03-05
# R6 over the four weeks 02-02..03-01 (28 days): S001 P1 r7 1 unit, 6 in stock: 6 / (1/28) = 168 days;
# S001 P2 r7 2 units, 4.5 in stock: 63 days; S002 P3 2 sold, 1 returned: net 1, 12 in stock: 336 days
$ karta report stock --as-of 2026-03-01 --format csv
store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
S001,P1,1.000,50.00,0.036,2026-02-27,6.000,168.0
S001,P2,2.000,160.00,0.071,2026-02-27,4.500,63.0
S001,P4,1.000,10.00,0.036,,,
S002,P1,1.000,50.00,0.036,,,
S002,P2,1.000,80.00,0.036,,,
S002,P3,1.000,30.00,0.036,2026-02-01,12.000,336.0
S002,P4,3.000,30.00,0.107,,,
$ karta report stock --as-of 2026-03-01 --total --format csv
sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
P1,2.000,100.00,0.071,2026-02-27,6.000,84.0
P2,3.000,240.00,0.107,2026-02-27,4.500,42.0
P3,1.000,30.00,0.036,2026-02-01,12.000,336.0
P4,4.000,40.00,0.143,,,
$ karta report stock --from 2026-02-20 --to 2026-03-01 --format csv
store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
S001,P1,1.000,50.00,0.100,2026-02-27,6.000,60.0
S001,P2,2.000,160.00,0.200,2026-02-27,4.500,22.5
S002,P3,0.000,0.00,0.000,2026-02-01,12.000,
$ karta report stock --as-of 2026-03-10 --store S001 --format csv
store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
S001,P1,2.000,100.00,0.071,2026-03-05,100.000,1400.0
S001,P2,2.000,160.00,0.071,2026-02-27,4.500,63.0
S001,P4,1.000,10.00,0.036,,,
# a new snapshot for a stored key replaces it; bad files change nothing
$ printf 'qty,date,sku,store\n7,2026-02-27,P1,S001\n' >s2.csv && karta import-stock s2.csv
stock snapshots 1 (replaced 1), days 2026-02-27..2026-02-27
$ printf 'store,sku,date,qty\nS001,P2,2026-02-28,1\nS009,P1,2026-02-27,6\n' >b.csv && karta import-stock b.csv
karta: not_found: b.csv:3: store: no store "S009"
[exit 3]
$ printf 'store,sku,date,qty\nS001,P9,2026-02-27,6\n' >b.csv && karta import-stock b.csv
karta: not_found: b.csv:2: sku: no product "P9"
[exit 3]
$ printf 'store,sku,date,qty\nS001,P1,2026-02-30,1\n' >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv:2: date: not a date (want YYYY-MM-DD): "2026-02-30": February 2026 has 28 days
[exit 4]
$ printf 'store,sku,date,qty\nS001,P1,2026-02-27,-1\n' >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv:2: qty: a stock quantity is >= 0
[exit 4]
$ printf 'store,sku,date,qty\nS001,P1,2026-02-27,many\n' >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv:2: qty: not a quantity (want 2 or 0.583, at most 3 decimals): "many"
[exit 4]
$ printf 'store,sku,date,qty\nS001,P1,2026-02-26,1\nS001,P1,2026-02-26,2\n' >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv:3: date: the same store, sku and date as line 2
[exit 4]
$ printf 'store,sku,date\nS001,P1,2026-02-27\n' >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv:1: missing column qty (want store,sku,date,qty)
[exit 4]
$ printf 'store,sku,date,qty,note\n' >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv:1: note: unknown column (want store,sku,date,qty)
[exit 4]
$ printf 'store,sku,date,qty\nS001,P1,2026-02-27\n' >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv:2: 3 fields, the header has 4
[exit 4]
$ : >b.csv && karta import-stock b.csv
karta: invalid_input: b.csv: empty file: want the header store,sku,date,qty
[exit 4]
$ karta import-stock missing.csv
karta: io_error: missing.csv: cannot open: No such file or directory
[exit 1]
$ karta import-stock
karta: usage: FILE: which file? (see --help)
[exit 2]
$ karta report stock --as-of 2026-03-01 --store S001 --format csv
store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
S001,P1,1.000,50.00,0.036,2026-02-27,7.000,196.0
S001,P2,2.000,160.00,0.071,2026-02-27,4.500,63.0
S001,P4,1.000,10.00,0.036,,,
