# A6 rfmp on the hand-computed case of behav_sequences.t, as of 2026-06-30 (D).
# M1 bought A on 01-01 01-20, B on 01-01 03-15, C on 01-01, D on 03-15.
#   A: 161 days since 01-20, own interval 19; lapsed: 161 > 1.5 x 19. A substitute (another SKU of
#      C0101) after 01-20: B on 03-15 -> 1 day.   B: 107 days, own 73: 107 <= 109.5, not lapsed.
#   Loyal buyers (3+ days of a SKU): none, so C and D (one day each) have no expected interval.
$ behav_setup
$ karta import-receipts b >/dev/null
# the member by card or by external id
$ karta rfmp --member 1001 --as-of 2026-06-30 --format csv
member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,loyal_interval,expected_interval,lapsed,substitute_days
M1,A,2,2026-01-01,2026-01-20,161,19.00,,19.00,1,1
M1,B,2,2026-01-01,2026-03-15,107,73.00,,73.00,0,0
M1,C,1,2026-01-01,2026-01-01,180,,,,0,0
M1,D,1,2026-03-15,2026-03-15,107,,,,0,0
# loyal buyers with 2+ days: A: M1 (19), M2 (147): median 83; B: M1 73; C: M3 (9); E: M2 (147).
# Lapsed rows only: M1 C (180 > 1.5 x 9), M2 C (146), M3 A (140 > 1.5 x 83 = 124.5), M3 C (own 9).
$ karta rfmp --as-of 2026-06-30 --lapsed --loyal-days 2 --format csv
member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,loyal_interval,expected_interval,lapsed,substitute_days
M1,A,2,2026-01-01,2026-01-20,161,19.00,83.00,19.00,1,1
M1,C,1,2026-01-01,2026-01-01,180,,9.00,9.00,1,0
M2,C,1,2026-02-04,2026-02-04,146,,9.00,9.00,1,0
M3,A,1,2026-02-10,2026-02-10,140,,83.00,83.00,1,0
M3,C,2,2026-02-01,2026-02-10,140,9.00,9.00,9.00,1,0
# a factor of 8 still leaves A (161 > 8 x 19 = 152) and C (180 > 72) lapsed; B (107 <= 584) not
$ karta rfmp --member M1 --as-of 2026-06-30 --loyal-days 2 --factor 8 --lapsed --format csv
member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,loyal_interval,expected_interval,lapsed,substitute_days
M1,A,2,2026-01-01,2026-01-20,161,19.00,83.00,19.00,1,1
M1,C,1,2026-01-01,2026-01-01,180,,9.00,9.00,1,0
# by category: substitutes of a category are its siblings (same parent). C0101 loyal buyer: M1
# (01-01 01-20 03-15: 36.5 days); M3's C0101 on 02-10, 140 days ago: lapsed; C02 has no parent.
$ karta rfmp --member M3 --as-of 2026-06-30 --of category --format csv
member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,loyal_interval,expected_interval,lapsed,substitute_days
M3,C0101,1,2026-02-10,2026-02-10,140,,36.50,36.50,1,0
M3,C0102,2,2026-02-01,2026-02-10,140,9.00,,9.00,1,0
M3,C02,1,2026-06-20,2026-06-20,10,,,,0,
# substitutes by top category: after M1's C on 01-01, other C01 SKUs on 01-20 (A) and 03-15 (B)
$ karta rfmp --member M1 --as-of 2026-06-30 --substitutes top --format csv | grep '^M1,C,'
M1,C,1,2026-01-01,2026-01-01,180,,,,0,2
$ karta rfmp --member M1 --as-of 2026-06-30 --substitutes none --format csv | cut -d, -f2,11
item,substitute_days
A,
B,
C,
D,
# a member of the operational store without purchases: an empty table
$ karta member add --member M9 --card 1009 >/dev/null; karta rfmp --member M9 --format csv
member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,loyal_interval,expected_interval,lapsed,substitute_days
