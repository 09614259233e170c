# A5 rules over the columnar store's receipts (basket_setup in helpers.sh):
#   r1 P1 P2 P3 | r2 P1 P3 | r3 P1 P3 P4 | r4 P2 | r5 P1 P1 (no card) | r6 P4 | r7 returns r1
# Returns are not baskets: N = 6. Support 0.3: smin = ceil(1.8) = 2. SKU counts P1 4, P2 2,
# P3 3, P4 2; pairs P1P3 3 (the others 1). Confidence 0.6:
#   P3=>P1 3/3: lift 1 * 6/4 = 1.5, conviction Inf, leverage 0.5 - 3/6 * 4/6 = 0.1667
#   P1=>P3 3/4: lift 0.75 * 6/3 = 1.5, conviction (1 - 0.5) / 0.25 = 2
#   {}=>P1 4/6: lift 1, conviction 1, leverage 0        ({}=>P3 3/6 is below 0.6)
$ basket_setup
$ karta basket --min-support 0.3 --min-confidence 0.6 --format csv
lhs,rhs,support,confidence,lift,count,conviction,leverage
P3,P1,0.5000000000,1.0000000000,1.5000000000,3,Inf,0.1666666667
P1,P3,0.5000000000,0.7500000000,1.5000000000,3,2.0000000000,0.1666666667
,P1,0.6666666667,0.6666666667,1.0000000000,4,1.0000000000,0.0000000000
# categories: C0101 in r1-r5 (5), C0201 in r1 r2 r3 r6 (4), both 3; C0101=>C0201 3/5 = 0.6
# exactly at the threshold is kept; lifts 0.6 * 6/4 = 0.75 * 6/5 = 0.9; leverage 0.5 - 5/6 * 4/6
$ karta basket --min-support 0.3 --min-confidence 0.6 --level category --format csv
lhs,rhs,support,confidence,lift,count,conviction,leverage
,C0101,0.8333333333,0.8333333333,1.0000000000,5,1.0000000000,0.0000000000
,C0201,0.6666666667,0.6666666667,1.0000000000,4,1.0000000000,0.0000000000
C0201,C0101,0.5000000000,0.7500000000,0.9000000000,3,0.6666666667,-0.0555555556
C0101,C0201,0.5000000000,0.6000000000,0.9000000000,3,0.8333333333,-0.0555555556
# brands: A in r1 r2 r3 r5 (4), B in r1 r4; r6 (P4, no brand) is an empty basket that still
# counts in N, so {}=>A has support 4/6, not 4/5
$ karta basket --min-support 0.3 --min-confidence 0.6 --level brand --format csv
lhs,rhs,support,confidence,lift,count,conviction,leverage
,A,0.6666666667,0.6666666667,1.0000000000,4,1.0000000000,0.0000000000
$ karta basket --min-support 0.3 --min-confidence 0.6 --level top --rhs C02 --min-len 2
lhs  rhs       support    confidence          lift  count    conviction       leverage
C01  C02  0.5000000000  0.6000000000  0.9000000000      3  0.8333333333  -0.0555555556
# the day filter: up to 01-07 only r1-r3 (N 3); P1 and P3 in all three, so conviction is
# 0/0 (R's NaN) and absent
$ karta basket --min-support 0.5 --min-confidence 0.9 --to 2026-01-07 --min-len 2 --format json
{
 "as_of":"2026-01-11",
 "baskets":3,
 "min_count":2,
 "rules":[
  {"lhs":"P1", "rhs":"P3", "support":1.0000000000, "confidence":1.0000000000, "lift":1.0000000000, "count":3, "conviction":null, "leverage":0.0000000000},
  {"lhs":"P3", "rhs":"P1", "support":1.0000000000, "confidence":1.0000000000, "lift":1.0000000000, "count":3, "conviction":null, "leverage":0.0000000000}
 ]
}
$ karta basket --min-support 0.3 --itemsets --format csv
items,size,support,count
P1,1,0.6666666667,4
P3,1,0.5000000000,3
P1|P3,2,0.5000000000,3
P2,1,0.3333333333,2
P4,1,0.3333333333,2
$ karta basket --min-support 0.3 --rhs P9
karta: not_found: --rhs: no item "P9" in the baskets
[exit 3]
$ karta basket --level shelf
karta: usage: --level: want sku, category, top or brand, not "shelf"
[exit 2]
$ karta basket --store S999
karta: not_found: --store: no store "S999"
[exit 3]
# an empty store: no baskets, no rules, well-formed output
$ KARTA_DATA=empty karta init >/dev/null; KARTA_DATA=empty karta basket --min-support 0.1 --format json
{
 "as_of":null,
 "baskets":0,
 "min_count":1,
 "rules":[]
}
