# karta recs: a hand-computed case (definitions in src/analytics/recs.h).
# History (SKU prices A 10, B 20, C 30; all in C01):
#   M1: A on 01-01, 01-11, 01-21; B on 01-21
#   M2: A, B on 01-05; B, C on 01-25
#   M3: B, C on 01-10; C on 01-28
# As of T = 2026-01-30 with N = 10 days.
#
# Calibration: the model as of C' = 01-20, labels "bought in (01-20, 01-30]".
#   repeat scores a * due, a = 1 - exp(-k N / t):
#     M1 A: k 2, t 20, gap 10, d 9 -> due 1 (19/10 >= 1): 1 - e^-1 = 0.632121, bought again (01-21): 1
#     M2 A, B: k 1, t 16 -> 1 - e^-0.625 = 0.464739 each; A 0, B 1 (01-25)
#     M3 B, C: k 1, t 11 -> 1 - e^-(10/11) = 0.597 each; B 0, C 1 (01-28)
#   isotonic: 0.4647 -> 1/2, 0.5970 -> 1/2, 0.6321 -> 1
#   similar: cosine over histories at C': sim(A,B) = 1/sqrt(2*2) = 0.5, sim(B,C) = 1/sqrt(2*1)
#   = 0.7071; popularity prior 3 * buyers / 3 members: A 2, B 2, C 1.
#     M1 B 0.5 + 2 = 2.5 (bought: 1), M1 C 0 + 1 = 1.0 (0), M2 C 0.7071 + 1 = 1.7071 (1), M3 A 0.5 + 2 = 2.5 (0)
#   isotonic: 1.0 -> 0; 1.7071 -> 1 then 2.5 -> 1/2 violate and pool: 1.7071 -> 2/3
#
# The model as of T: sim(A,B) = 2/sqrt(2*3) = 0.8165, sim(A,C) = 1/2, sim(B,C) = 0.8165;
# buyers A 2, B 3, C 2 of 3 members.
#   M1 A: k 3, t 30, gap 10, d 9: 1 - e^-1 = 0.6321 -> block 0.6321 -> 1
#   M1 C: 0.5 + 0.8165 + 3 * 2/3 = 3.3165 -> 2/3;  M1 B: k 1, t 30: 1 - e^-(1/3) = 0.2835 -> below all: 1/2
#   M2 B: k 2, t 26, gap 20, d 5: (1 - e^-(20/26)) * (0.5 + 0.5 * 15/20) = 0.4696 -> 1/2
#   M2 C, A: 1 - e^-(10/26) = 0.3193 -> 1/2 (C first: bought 5 days ago, A 25)
#   M3 A: 0.8165 + 0.5 + 2 = 3.3165 -> 2/3;  M3 C: k 2, t 21, gap 18, d 2:
#   (1 - e^-(20/21)) * (0.5 + 0.5 * 12/18) = 0.5118 -> 1/2;  M3 B: 1 - e^-(10/21) = 0.3789 -> 1/2
$ recs_setup
$ karta recs --as-of 2026-01-30 --days 10 --top 3 --format csv
member,rank,sku,probability,source,score
M1,1,A,1.0000,repeat,0.6321
M1,2,C,0.6667,similar,3.3165
M1,3,B,0.5000,repeat,0.2835
M2,1,B,0.5000,repeat,0.4696
M2,2,C,0.5000,repeat,0.3193
M2,3,A,0.5000,repeat,0.3193
M3,1,A,0.6667,similar,3.3165
M3,2,C,0.5000,repeat,0.5118
M3,3,B,0.5000,repeat,0.3789
# --top cuts each member's list; --all is the default
$ karta recs --as-of 2026-01-30 --days 10 --top 1 --all --format csv
member,rank,sku,probability,source,score
M1,1,A,1.0000,repeat,0.6321
M2,1,B,0.5000,repeat,0.4696
M3,1,A,0.6667,similar,3.3165
$ karta recs --as-of 2026-01-30 --days 10 --member M1 --format json
{
 "as_of":"2026-01-30",
 "days":10,
 "calibration_pairs_repeat":5,
 "calibration_pairs_similar":4,
 "recommendations":[
  {"member":"M1", "rank":1, "sku":"A", "probability":1.0000, "source":"repeat", "score":0.6321},
  {"member":"M1", "rank":2, "sku":"C", "probability":0.6667, "source":"similar", "score":3.3165},
  {"member":"M1", "rank":3, "sku":"B", "probability":0.5000, "source":"repeat", "score":0.2835}
 ]
}
# A12: keep = the most probable repeat item; raise = the most probable candidate dearer than what
# the member pays on average in its category (M1: (3*10 + 1*20)/4 = 12.50; M2: (10 + 2*20 + 30)/4
# = 20.00); M3 pays (20 + 2*30)/3 = 26.67, nothing is dearer: the similar candidate of the largest
# probability x price (A).
$ karta recs --as-of 2026-01-30 --days 10 --two --format csv
member,role,sku,probability,reason
M1,keep,A,1.0000,"bought on 3 days, every 10.0 days on average; last 9 days ago: due within 10 days"
M1,raise,C,0.6667,dearer in a category the member buys (C01): 30.00 a unit against the 12.50 the member pays
M2,keep,B,0.5000,"bought on 2 days, every 20.0 days on average; last 5 days ago"
M2,raise,C,0.5000,dearer in a category the member buys (C01): 30.00 a unit against the 20.00 the member pays
M3,keep,C,0.5000,"bought on 2 days, every 18.0 days on average; last 2 days ago"
M3,raise,A,0.6667,bought by members with similar baskets; adds the most to the receipt: 10.00 a unit
# one neighbour per item (ties by SKU id): at C' nb(A) = {B}, nb(B) = {C}, nb(C) = {B}; similar
# pairs M1 B 2.5 (1), M1 C 1.0 (0, popularity only), M2 C 1.7071 (1), M3 A 2.0 (0) pool to
# 1.0 -> 0, 1.7071 -> 1/2, 2.5 -> 1. As of T nb(A) = {B}, nb(B) = {A} (0.8165 each),
# nb(C) = {B}: M1 C by popularity alone = 2.0 -> 1/2 (after M1's repeat B of equal probability);
# M3 A = 0.8165 + 2 = 2.8165 -> 1.
$ karta recs --as-of 2026-01-30 --days 10 --neighbours 1 --format csv
member,rank,sku,probability,source,score
M1,1,A,1.0000,repeat,0.6321
M1,2,B,0.5000,repeat,0.2835
M1,3,C,0.5000,similar,2.0000
M2,1,B,0.5000,repeat,0.4696
M2,2,C,0.5000,repeat,0.3193
M2,3,A,0.5000,repeat,0.3193
M3,1,A,1.0000,similar,2.8165
M3,2,C,0.5000,repeat,0.5118
M3,3,B,0.5000,repeat,0.3789
