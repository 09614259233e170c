# A10 assortment on the hand-computed case of behav_sequences.t, as of 2026-06-30,
# loyal members with 3+ purchase days (M1 M2 M3), retention over the last 30 days (after 05-31).
# N = 5; 13 card receipts. Buyers A 4, C 4, D 3, B 1, E 1: the top fifth (1 SKU at rank
# ceil(0.2 x 5)) has 4 buyers, so A and C are in it. Repeat rates A 0.5, B 1, C 0.25, D 0,
# E 1 (M2 on 01-05 and 06-01): median 0.5 -> A core, C hit.
# Eligible members (first purchase by 05-31): M1 M2 M3 M5; retained (a purchase after 05-31):
# M2 M3: 0.5. E's early buyer M2 is retained: 1 / 0.5 = 2 -> retaining. B's (M1) is not: 0.
# Spend: A 60 (loyal 50), B 40 (40), C 150 (120), D 120 (80), E 100 (100); loyal share of all
# 390 / 470 = 0.83: B (1.0, repeat 1) is niche; D (0.67, repeat 0) random.
$ behav_setup
$ karta import-receipts b >/dev/null
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --min-buyers 1 --format csv
sku,class,buyers,member_penetration,receipt_penetration,repeat_rate,loyal_share,retention_lift,spend
A,core,4,0.8000,0.4615,0.5000,0.8333,1.3333,60.00
C,hit,4,0.8000,0.3846,0.2500,0.8000,1.3333,150.00
E,retaining,1,0.2000,0.1538,1.0000,1.0000,2.0000,100.00
B,niche,1,0.2000,0.1538,1.0000,1.0000,0.0000,40.00
D,random,3,0.6000,0.2308,0.0000,0.6667,0.0000,120.00
# with the default 10 buyers needed for a retention lift, E cannot be retaining: it is niche
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --format csv | cut -d, -f1,2,8
sku,class,retention_lift
A,core,
C,hit,
B,niche,
E,niche,
D,random,
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --min-buyers 1 --format json | head -5
{
 "as_of":"2026-06-30",
 "members":5,
 "top_buyers":4,
 "assortment":[
# --top-share 0.6: the top is the SKU at rank ceil(0.6 x 5) = 3, D with 3 buyers, so D joins the
# top; its repeat rate 0 is below the median 0.5: a hit (top_buyers 3 in the JSON).
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --min-buyers 1 --top-share 0.6 --format csv | cut -d, -f1-3
sku,class,buyers
A,core,4
C,hit,4
D,hit,3
E,retaining,1
B,niche,1
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --min-buyers 1 --top-share 0.6 --format json | grep top_buyers
 "top_buyers":3,
# --top-share 1: every SKU is core or hit (B and E repeat 1 >= 0.5: core)
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --min-buyers 1 --top-share 1 --format csv | cut -d, -f1,2
sku,class
A,core
B,core
E,core
C,hit
D,hit
# --retain-lift 2.5: E's lift 2.0 falls short; with loyal share 1.0 >= 0.83 and repeat 1 it is niche.
# At exactly 2 it is still retaining (>=).
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --min-buyers 1 --retain-lift 2.5 --format csv | cut -d, -f1,2
sku,class
A,core
C,hit
B,niche
E,niche
D,random
$ karta assortment --as-of 2026-06-30 --loyal-days 3 --min-buyers 1 --retain-lift 2 --format csv | grep ^E
E,retaining,1,0.2000,0.1538,1.0000,1.0000,2.0000,100.00
