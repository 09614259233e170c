# A7 interval on the hand-computed case of behav_sequences.t, as of 2026-06-30.
# Purchase days per SKU (the return of A on 01-25 is not a purchase day):
#   A: M1 01-01 01-20 (19), M2 01-05 06-01 (147), M3 02-10, M4 06-15: 4 buyers, 2 repeat,
#      intervals 19 147: mean 83, median 83, q1 19 + 0.25 x 128 = 51, q3 115
#   B: M1 01-01 03-15 (73)      C: M1 01-01, M2 02-04, M3 02-01 02-10 (9), M4 06-25
#   D: M1 03-15, M3 06-20, M5 04-01: no interval      E: M2 01-05 06-01 (147)
# Rows by buyers descending, then name.
$ behav_setup
$ karta import-receipts b >/dev/null
$ karta interval --as-of 2026-06-30 --format csv
item,buyers,repeat_buyers,repeat_share,intervals,mean_days,median_days,q1_days,q3_days
A,4,2,0.5000,2,83.00,83.00,51.00,115.00
C,4,1,0.2500,1,9.00,9.00,9.00,9.00
D,3,0,0.0000,0,,,,
B,1,1,1.0000,1,73.00,73.00,73.00,73.00
E,1,1,1.0000,1,147.00,147.00,147.00,147.00
# by category: C0101 (A B E): M1 01-01 01-20 03-15 (19, 54), M2 01-05 06-01 (147), M3, M4:
# intervals 19 54 147: mean 73.33, median 54, q1 19 + 0.5 x 35 = 36.5, q3 54 + 0.5 x 93 = 100.5
$ karta interval --of category --as-of 2026-06-30 --format csv
item,buyers,repeat_buyers,repeat_share,intervals,mean_days,median_days,q1_days,q3_days
C0101,4,2,0.5000,3,73.33,54.00,36.50,100.50
C0102,4,1,0.2500,1,9.00,9.00,9.00,9.00
C02,3,0,0.0000,0,,,,
# --to cuts the history: by 02-28 A has M1's interval only; --store keeps S001 (all of it)
$ karta interval --to 2026-02-28 --store S001 --format csv
item,buyers,repeat_buyers,repeat_share,intervals,mean_days,median_days,q1_days,q3_days
A,3,1,0.3333,1,19.00,19.00,19.00,19.00
C,3,1,0.3333,1,9.00,9.00,9.00,9.00
B,1,0,0.0000,0,,,,
E,1,0,0.0000,0,,,,
# the top level C01: M1 19 54, M2 30 117, M3 9, M4 10: mean 239 / 6 = 39.83, median (19 + 30) / 2,
# q1 10 + 0.25 x 9 = 12.25, q3 30 + 0.75 x 24 = 48
$ karta interval --of top --as-of 2026-06-30 --format csv
item,buyers,repeat_buyers,repeat_share,intervals,mean_days,median_days,q1_days,q3_days
C01,4,4,1.0000,6,39.83,24.50,12.25,48.00
C02,3,0,0.0000,0,,,,
