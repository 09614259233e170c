# R9, R10, R11, R13, R3, R4, R8 on report_setup's chain as of 2026-03-01.
# Per member (sale receipts, net sales, sale lines, sale units):
#   M1: r1 r3          2 receipts, 290.00, 5 lines, 8 units, last 02-03
#   M2: r2 r7          2 receipts, 290.00, 3 lines, 4 units, last 02-28
#   M3: r4 (r5 return) 1 receipt,   30.00, 1 line,  2 units, last 02-10
#   M4: no purchase, registered 2025-06-01
$ report_setup
receipts 9, lines 13, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
# R10: by receipts; M1 and M2 tie at 2 and go by member id
$ karta report top-receipts --as-of 2026-03-01 --format csv
rank,member,receipts,sales
1,M1,2,290.00
2,M2,2,290.00
3,M3,1,30.00
$ karta report top-receipts --as-of 2026-03-01 --top 1 --format csv
rank,member,receipts,sales
1,M1,2,290.00
# R13: by sales; M1 and M2 tie at 290.00; with r8 (03-02) M1 has 340.00; at S001 alone M2 290.00 leads M1 130.00
$ karta report top-sales --as-of 2026-03-01 --format csv
rank,member,sales,receipts
1,M1,290.00,2
2,M2,290.00,2
3,M3,30.00,1
$ karta report r13 --as-of 2026-03-02 --format csv
rank,member,sales,receipts
1,M1,340.00,3
2,M2,290.00,2
3,M3,30.00,1
$ karta report top-sales --as-of 2026-03-01 --store S001 --format csv
rank,member,sales,receipts
1,M2,290.00,2
2,M1,130.00,1
# R9: lines per receipt 5/2 = 2.50, 3/2 = 1.50, 1/1 = 1.00; units per receipt 4.000, 2.000, 2.000
$ karta report items-per-receipt --as-of 2026-03-01 --format csv
rank,member,receipts,items,items_per_receipt,units_per_receipt
1,M1,2,5,2.50,4.000
2,M2,2,3,1.50,2.000
3,M3,1,1,1.00,2.000
$ karta report items-per-receipt --as-of 2026-03-01 --fewest --top 2 --format csv
rank,member,receipts,items,items_per_receipt,units_per_receipt
1,M3,1,1,1.00,2.000
2,M2,2,3,1.50,2.000
$ karta report items-per-receipt --as-of 2026-03-01 --min-receipts 2 --format csv
rank,member,receipts,items,items_per_receipt,units_per_receipt
1,M1,2,5,2.50,4.000
2,M2,2,3,1.50,2.000
# R11: days since the last sale (M4: since registration, 273 days)
$ karta report inactive --as-of 2026-03-01 --days 20 --format csv
member,registered,last_purchase,days_inactive,receipts,sales
M4,2025-06-01,,273,0,0.00
M1,2025-12-01,2026-02-03,26,2,290.00
$ karta report inactive --as-of 2026-03-01 --days 1 --format csv
member,registered,last_purchase,days_inactive,receipts,sales
M4,2025-06-01,,273,0,0.00
M1,2025-12-01,2026-02-03,26,2,290.00
M3,2026-02-05,2026-02-10,19,1,30.00
M2,2026-01-10,2026-02-28,1,2,290.00
# with a store filter only S001's sales count (M1 last bought there on 01-05: 55 days; M3 never
# bought there and registered at S002: not listed; M4 registered nowhere: not listed)
$ karta report inactive --as-of 2026-03-01 --days 1 --store S001 --format csv
member,registered,last_purchase,days_inactive,receipts,sales
M1,2025-12-01,2026-01-05,55,1,130.00
M2,2026-01-10,2026-02-28,1,2,290.00
$ karta report inactive --from 2026-01-01
karta: usage: --from: does not apply to the inactive report (see karta report inactive --help)
[exit 2]
# R3: ages on 2026-03-01: M1 35, M2 25 (birthday on 03-02), M3 66; M4 unknown
$ karta report demographics --as-of 2026-03-01 --format csv
sex,age,members,buyers,buyer_share,share
F,35-44,1,1,1.0000,0.3333
F,65+,1,1,1.0000,0.3333
M,25-34,1,1,1.0000,0.3333
,,1,0,0.0000,0.0000
$ karta report demographics --as-of 2026-03-01 --sex F --format csv
sex,age,members,buyers,buyer_share,share
F,35-44,1,1,1.0000,0.5000
F,65+,1,1,1.0000,0.5000
$ karta report demographics --as-of 2026-03-01 --by region --format csv
region,members,buyers,buyer_share,share
Москва,2,2,1.0000,0.6667
Татарстан,1,1,1.0000,0.3333
,1,0,0.0000,0.0000
$ karta report demographics --as-of 2026-03-01 --age-from 26 --age-to 40 --by city,sex --format csv
city,sex,members,buyers,buyer_share,share
Москва,F,1,1,1.0000,1.0000
# R8: F = M1 + M3: 3 receipts, 320.00 (share 320/610), avg 106.67, per buyer 160.00; M = M2
$ karta report sales-by-profile --as-of 2026-03-01 --by sex --format csv
sex,buyers,receipts,sales,share,avg_receipt,sales_per_buyer
F,2,3,320.00,0.5246,106.67,160.00
M,1,2,290.00,0.4754,145.00,290.00
$ karta report sales-by-profile --as-of 2026-03-01 --by sex --age-from 30 --format csv
sex,buyers,receipts,sales,share,avg_receipt,sales_per_buyer
F,2,3,320.00,1.0000,106.67,160.00
$ karta report sales-by-profile --as-of 2026-03-01 --format csv
sex,age,buyers,receipts,sales,share,avg_receipt,sales_per_buyer
F,35-44,1,2,290.00,0.4754,145.00,290.00
F,65+,1,1,30.00,0.0492,30.00,30.00
M,25-34,1,2,290.00,0.4754,145.00,290.00
# R4 by month, active = a sale in the 20 days up to the period's end (March ends on the as-of day):
#   Jan: members M4 M1 + new M2 = 3; buyers M1 M2; new buyers M1 M2; active (01-11..01-31] M2
#   Feb: 4 (new M3); buyers M1 M3 M2; new buyer M3; active (02-08..02-28] M3 M2
#   Mar: 4; no buyer; active (02-09..03-01] M3 M2
$ karta report activity --as-of 2026-03-01 --days 20 --format csv
period,members,new,buyers,new_buyers,active,active_share
2026-01,3,1,2,2,1,0.3333
2026-02,4,1,3,1,2,0.5000
2026-03,4,0,0,0,2,0.5000
$ karta report activity --as-of 2026-03-01 --days 30 --format csv
period,members,new,buyers,new_buyers,active,active_share
2026-01,3,1,2,2,2,0.6667
2026-02,4,1,3,1,3,0.7500
2026-03,4,0,0,0,3,0.7500
# bad options
$ karta report top-sales --top -1
karta: usage: --top: "-1" is out of range (0..2147483647)
[exit 2]
$ karta report top-sales --fewest
karta: usage: --fewest: does not apply to the top-sales report (see karta report top-sales --help)
[exit 2]
$ karta report demographics --by sex,sex
karta: usage: --by: sex is listed twice
[exit 2]
$ karta report demographics --by shoe
karta: usage: --by: want a list of sex, age, region, city, not "shoe"
[exit 2]
$ karta report demographics --sex X
karta: usage: --sex: want M or F, not "X"
[exit 2]
$ karta report demographics --age-from 40 --age-to 30
karta: usage: --age-from: is above --age-to
[exit 2]
$ karta report activity --by hour
karta: usage: --by: want day, week or month, not "hour"
[exit 2]
$ karta report inactive --days 0
karta: usage: --days: "0" is out of range (1..100000)
[exit 2]
