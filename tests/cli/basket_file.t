# A5 association rules over a baskets file (karta basket --baskets FILE).
# Six baskets, items trimmed, a repeat counted once, a blank line an empty basket:
#   1 a b c | 2 a b | 3 a c | 4 b | 5 (empty) | 6 a a b          N = 6
# counts: a 4, b 4, c 2; ab 3, ac 2, bc 1, abc 1. Support 0.3: smin = ceil(6 * 0.3) = 2.
# Confidence 0.7: c=>a 2/2, a=>b 3/4, b=>a 3/4 (a=>c 2/4 and {}=>a 4/6 fall short).
#   c=>a: support 2/6, lift 1 * 6/4 = 1.5, conviction Inf, leverage 2/6 - 2/6 * 4/6 = 0.1111
#   a=>b: support 3/6, lift 0.75 * 6/4 = 1.125, conviction (1 - 4/6) / 0.25 = 1.3333,
#         leverage 0.5 - 4/6 * 4/6 = 0.0556; b=>a the same, after it (lhs "a" < "b")
$ printf 'a, b ,c\na,b\na,c\nb\n\na,a,b\n' >f.txt
$ karta basket --baskets f.txt --min-support 0.3 --min-confidence 0.7 --format csv
lhs,rhs,support,confidence,lift,count,conviction,leverage
c,a,0.3333333333,1.0000000000,1.5000000000,2,Inf,0.1111111111
a,b,0.5000000000,0.7500000000,1.1250000000,3,1.3333333333,0.0555555556
b,a,0.5000000000,0.7500000000,1.1250000000,3,1.3333333333,0.0555555556
$ karta basket --baskets f.txt --min-support 0.3 --min-confidence 0.7 --format json
{
 "baskets":6,
 "min_count":2,
 "rules":[
  {"lhs":"c", "rhs":"a", "support":0.3333333333, "confidence":1.0000000000, "lift":1.5000000000, "count":2, "conviction":"Inf", "leverage":0.1111111111},
  {"lhs":"a", "rhs":"b", "support":0.5000000000, "confidence":0.7500000000, "lift":1.1250000000, "count":3, "conviction":1.3333333333, "leverage":0.0555555556},
  {"lhs":"b", "rhs":"a", "support":0.5000000000, "confidence":0.7500000000, "lift":1.1250000000, "count":3, "conviction":1.3333333333, "leverage":0.0555555556}
 ]
}
# rules of one item have an empty lhs (arules' {} => {a}): confidence = support 4/6
$ karta basket --baskets f.txt --min-support 0.3 --min-confidence 0.6 --max-len 1 --format csv
lhs,rhs,support,confidence,lift,count,conviction,leverage
,a,0.6666666667,0.6666666667,1.0000000000,4,1.0000000000,0.0000000000
,b,0.6666666667,0.6666666667,1.0000000000,4,1.0000000000,0.0000000000
# --min-len 2 drops them; --rhs keeps the rules with that item on the right
$ karta basket --baskets f.txt --min-support 0.3 --min-confidence 0.6 --min-len 2 --rhs a --format csv
lhs,rhs,support,confidence,lift,count,conviction,leverage
c,a,0.3333333333,1.0000000000,1.5000000000,2,Inf,0.1111111111
b,a,0.5000000000,0.7500000000,1.1250000000,3,1.3333333333,0.0555555556
# frequent itemsets: count descending, then size, then labels
$ karta basket --baskets f.txt --min-support 0.3 --itemsets --format csv
items,size,support,count
a,1,0.6666666667,4
b,1,0.6666666667,4
a|b,2,0.5000000000,3
c,1,0.3333333333,2
a|c,2,0.3333333333,2
# The minimum count is ceil(N * S) in double precision, as in arules: 100 * 0.07 is
# 7.000000000000001, so 0.07 of 100 baskets needs 8 and the pair seen 7 times is out.
$ { for i in 1 2 3 4 5 6 7; do echo x,y; done; for i in $(seq 93); do echo z; done; } >q.txt
$ karta basket --baskets q.txt --min-support 0.07 --itemsets --format csv
items,size,support,count
z,1,0.9300000000,93
$ karta basket --baskets q.txt --min-support 0.0699 --itemsets --format json | head -3
{
 "baskets":100,
 "min_count":7,
$ karta basket --baskets q.txt --min-support 0.0699 --itemsets --min-len 2 --format csv
items,size,support,count
x|y,2,0.0700000000,7
# an empty file: no baskets, no rules
$ : >empty.txt; karta basket --baskets empty.txt --min-support 0.5 --format csv
lhs,rhs,support,confidence,lift,count,conviction,leverage
# parse errors name FILE:LINE
$ printf 'a\nb,,c\n' >bad.txt; karta basket --baskets bad.txt
karta: invalid_input: bad.txt:2: empty item between two commas
[exit 4]
$ printf 'a,\n' >bad.txt; karta basket --baskets bad.txt
karta: invalid_input: bad.txt:1: empty item after the last comma
[exit 4]
$ printf 'ok\r\n ,a\r\n' >bad.txt; karta basket --baskets bad.txt
karta: invalid_input: bad.txt:2: empty item before the first comma
[exit 4]
$ printf 'a\nb\n\377\n' >bad.txt; karta basket --baskets bad.txt
karta: invalid_input: bad.txt:3: invalid UTF-8 at byte 1
[exit 4]
$ printf 'a\0b\n' >bad.txt; karta basket --baskets bad.txt
karta: invalid_input: bad.txt:1: a NUL byte
[exit 4]
$ karta basket --baskets nofile.txt
karta: not_found: --baskets: nofile.txt: No such file or directory
[exit 3]
# every parameter checked
$ karta basket --baskets f.txt --min-support 0
karta: usage: --min-support: must be above 0 and at most 1
[exit 2]
$ karta basket --baskets f.txt --min-support 1.5
karta: usage: --min-support: must be above 0 and at most 1
[exit 2]
$ karta basket --baskets f.txt --min-support 10%
karta: usage: --min-support: want a number, not "10%"
[exit 2]
$ karta basket --baskets f.txt --min-confidence -0.1
karta: usage: --min-confidence: must be from 0 to 1
[exit 2]
$ karta basket --baskets f.txt --min-len 0
karta: invalid_input: --min-len: "0" is out of range (1..64)
[exit 4]
$ karta basket --baskets f.txt --max-len 65
karta: invalid_input: --max-len: "65" is out of range (1..64)
[exit 4]
$ karta basket --baskets f.txt --min-len 3 --max-len 2
karta: usage: --min-len: must not exceed --max-len
[exit 2]
$ karta basket --baskets f.txt --rhs zz
karta: not_found: --rhs: no item "zz" in the baskets
[exit 3]
$ karta basket --baskets f.txt --level brand
karta: usage: --baskets: --level applies to receipts, not to a baskets file
[exit 2]
$ karta basket --baskets f.txt --store S001
karta: usage: --baskets: --store applies to receipts, not to a baskets file
[exit 2]
$ karta basket --baskets f.txt --itemsets --rhs a
karta: usage: --rhs: not with --itemsets
[exit 2]
$ karta basket --baskets f.txt --format xml
karta: usage: --format: want table, csv or json, not "xml"
[exit 2]
