# A3 ABC on the hand-computed chain of seg_setup, as of 2026-03-01 (lines of
# receipts 1-12; receipt 5 returns P2 of receipt 4; receipt 12 has no card).
# Revenue by SKU: P1 200+300+100+100+200+100 = 1000.00; P2 300+300-300+300 = 600.00;
# P3 50+100+200+50 = 400.00; P4 80+400 = 480.00; total 2480.00.
# Ranked P1, P2, P4, P3; cumulative share before each: 0, 0.4032, 0.6452, 0.8387:
# P4 crosses 0.80 and stays A (the item that crosses a boundary is in the upper class).
$ seg_setup
receipts 13, lines 17, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ karta abc --as-of 2026-03-01 --format csv
item,value,share,cum_share,class
P1,1000.00,0.4032,0.4032,A
P2,600.00,0.2419,0.6452,A
P4,480.00,0.1935,0.8387,A
P3,400.00,0.1613,1.0000,B
# units: P1 2+3+1+1+2+1 = 10, P3 1+2+4+1 = 8, P4 1+5 = 6, P2 1+1-1+1 = 2 (of 26)
$ karta abc --as-of 2026-03-01 --by units --format json
{
 "as_of":"2026-03-01",
 "of":"sku",
 "by":"units",
 "items":[
  {"item":"P1", "value":10.000, "share":0.3846, "cum_share":0.3846, "class":"A"},
  {"item":"P3", "value":8.000, "share":0.3077, "cum_share":0.6923, "class":"A"},
  {"item":"P4", "value":6.000, "share":0.2308, "cum_share":0.9231, "class":"A"},
  {"item":"P2", "value":2.000, "share":0.0769, "cum_share":1.0000, "class":"B"}
 ]
}
# receipts (sale receipts holding the SKU; the return does not count): P1 6 of 15 = 0.4 exactly.
# With --a 0.4 P1 reaches the boundary and is A; P3 starts at 0.4, not below it: B.
$ karta abc --as-of 2026-03-01 --by receipts --a 0.4 --b 0.9 --format csv
item,value,share,cum_share,class
P1,6,0.4000,0.4000,A
P3,4,0.2667,0.6667,B
P2,3,0.2000,0.8667,B
P4,2,0.1333,1.0000,B
# members (distinct card holders with a sale line): P3 4; P1 and P2 3 each, tie by id; P4 2
$ karta abc --as-of 2026-03-01 --by members --format csv
item,value,share,cum_share,class
P3,4,0.3333,0.3333,A
P1,3,0.2500,0.5833,A
P2,3,0.2500,0.8333,A
P4,2,0.1667,1.0000,B
# categories, top categories and brands (P4 has no brand: left out of brands)
$ karta abc --as-of 2026-03-01 --of category --format csv; karta abc --as-of 2026-03-01 --of top --format csv; karta abc --as-of 2026-03-01 --of brand --format csv
item,value,share,cum_share,class
C0101,1000.00,0.4032,0.4032,A
C0201,880.00,0.3548,0.7581,A
C0102,600.00,0.2419,1.0000,A
item,value,share,cum_share,class
C01,1600.00,0.6452,0.6452,A
C02,880.00,0.3548,1.0000,A
item,value,share,cum_share,class
Alfa,1400.00,0.7000,0.7000,A
Beta,600.00,0.3000,1.0000,A
# members by revenue (receipt totals): M1 600-300+300+400+200 = 1200.00; M2 450.00;
# M4 400.00; M3 330.00 (receipt 12 has no card; M5 buys after the as-of day)
$ karta abc --as-of 2026-03-01 --of member --format csv
item,value,share,cum_share,class
M1,1200.00,0.5042,0.5042,A
M2,450.00,0.1891,0.6933,A
M4,400.00,0.1681,0.8613,A
M3,330.00,0.1387,1.0000,B
$ karta abc --as-of 2026-03-01 --of store --by members --format csv; karta abc --as-of 2026-03-01 --of store --by receipts --format csv
item,value,share,cum_share,class
S1,3,0.6000,0.6000,A
S2,2,0.4000,1.0000,A
item,value,share,cum_share,class
S1,8,0.7273,0.7273,A
S2,3,0.2727,1.0000,A
# a store filter: S2 sold P1 100+200, P2 300, P3 50; P1 and P2 tie at 300.00; P3 starts at 0.9231 < 0.95: B
$ karta abc --as-of 2026-03-01 --store S2 --format csv
item,value,share,cum_share,class
P1,300.00,0.4615,0.4615,A
P2,300.00,0.4615,0.9231,A
P3,50.00,0.0769,1.0000,B
# 1-15 February: receipts 6, 7, 8 (800.00); M1 starts at 0.5: A; M4 at 0.875: B
$ karta abc --as-of 2026-03-01 --from 2026-02-01 --to 2026-02-15 --of member --format csv
item,value,share,cum_share,class
M2,400.00,0.5000,0.5000,A
M1,300.00,0.3750,0.8750,A
M4,100.00,0.1250,1.0000,B
# the same table from one thread and from four
$ karta abc --as-of 2026-03-01 --by members --threads 1 --format csv >t1; karta abc --as-of 2026-03-01 --by members --threads 4 --format csv >t4; cmp t1 t4 && wc -l <t1
5
# bad parameters
$ karta abc --of shelf
karta: usage: --of: want sku, category, top, brand, member or store, not "shelf"
[exit 2]
$ karta abc --by profit
karta: usage: --by: want revenue, units, receipts or members, not "profit"
[exit 2]
$ karta abc --of member --by members
karta: usage: --by: members counts distinct members: not a measure of --of member
[exit 2]
$ karta abc --a 0.9 --b 0.8
karta: usage: --b: must be above --a (0.9000)
[exit 2]
$ karta abc --a 1.2
karta: usage: --a: must be strictly between 0 and 1
[exit 2]
$ karta abc --b x
karta: usage: --b: want a number between 0 and 1, not "x"
[exit 2]
$ karta abc --from 2026-03-01 --to 2026-02-01
karta: usage: --from: is after --to
[exit 2]
# an empty store
$ rm -rf data; karta init >/dev/null; karta abc --format csv; karta abc --of member --format json
item,value,share,cum_share,class
{
 "as_of":null,
 "of":"member",
 "by":"revenue",
 "items":[]
}
# ABC against the same ranking in SQLite on a generated chain: item, value and class in order
$ seg_gen
receipts 1370, lines 9514, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ for of in sku category top brand; do for by in revenue units receipts members; do seg_abc_vs_sqlite 2026-02-20 $of $by; done; done
same abc --of sku --by revenue (classes: A 88 B 61 C 51) for 200 rows
same abc --of sku --by units (classes: A 118 B 49 C 33) for 200 rows
same abc --of sku --by receipts (classes: A 120 B 50 C 30) for 200 rows
same abc --of sku --by members (classes: A 126 B 46 C 28) for 200 rows
same abc --of category --by revenue (classes: A 85 B 54 C 45) for 184 rows
same abc --of category --by units (classes: A 103 B 48 C 33) for 184 rows
same abc --of category --by receipts (classes: A 105 B 49 C 30) for 184 rows
same abc --of category --by members (classes: A 112 B 45 C 27) for 184 rows
same abc --of top --by revenue (classes: A 7 B 3 C 1) for 11 rows
same abc --of top --by units (classes: A 6 B 3 C 2) for 11 rows
same abc --of top --by receipts (classes: A 7 B 3 C 1) for 11 rows
same abc --of top --by members (classes: A 8 B 2 C 1) for 11 rows
same abc --of brand --by revenue (classes: A 36 B 33 C 27) for 96 rows
same abc --of brand --by units (classes: A 41 B 33 C 22) for 96 rows
same abc --of brand --by receipts (classes: A 46 B 31 C 19) for 96 rows
same abc --of brand --by members (classes: A 52 B 26 C 18) for 96 rows
$ for by in revenue units receipts; do seg_abc_vs_sqlite 2026-02-20 member $by; done; for by in revenue units receipts members; do seg_abc_vs_sqlite 2026-02-20 store $by; done
same abc --of member --by revenue (classes: A 96 B 61 C 65) for 222 rows
same abc --of member --by units (classes: A 99 B 65 C 58) for 222 rows
same abc --of member --by receipts (classes: A 109 B 66 C 48) for 223 rows
same abc --of store --by revenue (classes: A 3 B 1) for 4 rows
same abc --of store --by units (classes: A 3 B 1) for 4 rows
same abc --of store --by receipts (classes: A 3 B 1) for 4 rows
same abc --of store --by members (classes: A 3 B 1) for 4 rows
$ seg_abc_vs_sqlite 2026-03-10 sku revenue S002; seg_abc_vs_sqlite 2026-03-10 brand members S003
same abc --of sku --by revenue --store S002 (classes: A 83 B 64 C 53) for 200 rows
same abc --of brand --by members --store S003 (classes: A 50 B 26 C 20) for 96 rows
$ karta abc --by members --of brand --threads 1 --format csv | md5sum >m1; karta abc --by members --of brand --threads 3 --format csv | md5sum >m3; cmp m1 m3 && echo same with 1 and 3 threads
same with 1 and 3 threads
