# A1 RFM on a hand-computed case: five members, as of 2026-03-01.
# M1: 3 sales (300 on 02-10, 200 on 02-20, 100 on 02-28)     R 1 day,  F 3, M 600.00
# M2: 2 sales (50 on 01-10, 50 on 02-25)                     R 4,      F 2, M 100.00
# M3: 1000 on 01-05, 400 returned on 01-06                   R 55,     F 1, M 600.00
# M4: 20 on 02-01                                            R 28,     F 1, M 20.00
# M5: 10 on 03-01 (and 999 on 03-02, after the as-of day)    R 0,      F 1, M 10.00
# No card (receipt 6) and an unknown card (7) are member 0: not in the table.
# Scores, worst first, floor(5 i / 5) + 1, ties share the lower score:
#   R: M3 1, M4 2, M2 3, M1 4, M5 5
#   F: M3 M4 M5 tie at 1 -> 1; M2 4; M1 5
#   M: M5 1, M4 2, M2 3, M1 and M3 tie at 600.00 -> 4
$ rfm_setup
$ karta import-receipts h | head -1
receipts 12, lines 12, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
$ karta rfm --as-of 2026-03-01 --format csv
member,recency_days,frequency,monetary,max_receipt,avg_receipt,first_purchase,last_purchase,r,f,m,segment
M1,1,3,600.00,300.00,200.00,2026-02-10,2026-02-28,4,5,4,Champions
M2,4,2,100.00,50.00,50.00,2026-01-10,2026-02-25,3,4,3,Loyal
M3,55,1,600.00,1000.00,600.00,2026-01-05,2026-01-05,1,1,4,Lost
M4,28,1,20.00,20.00,20.00,2026-02-01,2026-02-01,2,1,2,Lost
M5,0,1,10.00,10.00,10.00,2026-03-01,2026-03-01,5,1,1,New
# the same scan on one thread and on four gives the same table
$ karta rfm --as-of 2026-03-01 --format csv --threads 1 | md5sum; karta rfm --as-of 2026-03-01 --format csv --threads 4 | md5sum
233a1556cf1a101823002f6c02442532  -
233a1556cf1a101823002f6c02442532  -
