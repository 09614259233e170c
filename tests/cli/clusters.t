# A5 member clusters by top-category spend shares (basket_setup in helpers.sh):
#   M1: r1 P1 10 + P2 20 (C01) + P3 30 (C02), r4 P2 20 (C01), r7 returns r1 -> C01 20, C02 0
#       spend 20.00, shares (1, 0)
#   M2: r2 P1 10 (C01) + P3 30 (C02), r6 P4 40 (C02)   -> spend 80.00, shares (0.125, 0.875)
#   M3: r3 P1 10 (C01) + P3 30 + P4 40 (C02)           -> spend 80.00, shares (0.125, 0.875)
#   r5 has no card: not a member. Two distinct points: two clusters whatever the seed.
$ basket_setup
$ karta clusters --k 2 --format csv
cluster,members,member_share,spend,avg_spend,top_categories
1,2,0.6667,160.00,80.00,C02:0.8750|C01:0.1250
2,1,0.3333,20.00,20.00,C01:1.0000
$ karta clusters --k 2 --members --format csv
member,cluster,spend,top_category,top_share
M1,2,20.00,C01,1.0000
M2,1,80.00,C02,0.8750
M3,1,80.00,C02,0.8750
# asked for 3: only two distinct share vectors, so two clusters (k in the JSON)
$ karta clusters --k 3 --seed 7 --format json
{
 "as_of":"2026-01-11",
 "members":3,
 "k":2,
 "iterations":2,
 "clusters":[
  {"cluster":1, "members":2, "member_share":0.6667, "spend":160.00, "avg_spend":80.00, "top_categories":"C02:0.8750|C01:0.1250"},
  {"cluster":2, "members":1, "member_share":0.3333, "spend":20.00, "avg_spend":20.00, "top_categories":"C01:1.0000"}
 ]
}
# own categories; up to 01-06: M1 (r1: C0101 30, C0201 30) and M2 (r2: C0101 10, C0201 30)
$ karta clusters --k 2 --level category --to 2026-01-06 --format csv
cluster,members,member_share,spend,avg_spend,top_categories
1,1,0.5000,40.00,40.00,C0201:0.7500|C0101:0.2500
2,1,0.5000,60.00,60.00,C0101:0.5000|C0201:0.5000
$ karta clusters --k 0
karta: invalid_input: --k: "0" is out of range (1..100)
[exit 4]
$ karta clusters --k 101
karta: invalid_input: --k: "101" is out of range (1..100)
[exit 4]
$ karta clusters --level brand
karta: usage: --level: must be top or category
[exit 2]
$ karta clusters --seed x
karta: invalid_input: --seed: not a whole number: "x"
[exit 4]
$ KARTA_DATA=empty karta init >/dev/null; KARTA_DATA=empty karta clusters --format csv
cluster,members,member_share,spend,avg_spend,top_categories
# a generated chain: the same clusters on 1 and 4 threads; every member in one cluster;
# the clusters' members and spends add up to the members' lines
$ karta gen --out g --members 300 --stores 3 --products 80 --days 40 >/dev/null; KARTA_DATA=c karta init >/dev/null; KARTA_DATA=c karta import g --as-of 2026-01-01 >/dev/null; KARTA_DATA=c karta import-receipts g >/dev/null
$ for t in 1 4; do KARTA_DATA=c karta clusters --k 4 --threads $t --members --format csv | md5sum; done | uniq | wc -l
1
$ KARTA_DATA=c karta clusters --k 4 --format csv | awk -F, 'NR > 1 { n += $2; s += $4 } END { printf "%d members, %.2f\n", n, s }'; KARTA_DATA=c karta clusters --k 4 --members --format csv | awk -F, 'NR > 1 { n++; s += $3 } END { printf "%d members, %.2f\n", n, s }'
220 members, 1806661.07
220 members, 1806661.07
