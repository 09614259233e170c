# A8 sequences on a hand-computed case (behav_setup in helpers.sh), as of 2026-06-30.
# Receipts (day time card: SKUs); A, B, E are in category C0101, C in C0102, D in C02:
#   M1: 01-01 10:00 A B | 01-01 18:00 C | 01-20 A | (01-25 return of A: not a purchase) | 03-15 B D
#   M2: 01-05 A E | 02-04 C | 06-01 A E
#   M3: 02-01 C | 02-10 A C | 06-20 D
#   M4: 06-15 A | 06-25 C
#   M5: 04-01 D          (one receipt)
#   no card: 01-02 A C   (member 0: left out)
# N = 5 members. Window W = 30: Y in a later receipt 0..30 days after X.
#   M1: A->C (gap 0: a later receipt of the same day), B->C (0), B->A (19), C->A (19);
#       A and B on 01-01 are one receipt: no A->B; 01-20 A -> 03-15 is 54 days: out
#   M2: A->C (30: the window's last day), E->C (30); 02-04 C -> 06-01 A is 117 days: out
#   M3: C->A (9)         M4: A->C (10)
# x_members: buyers of X on or before D - W = 2026-05-31: A: M1 M2 M3 (M4's A is 06-15) = 3;
#   C: M1 M2 M3 = 3; B: M1; E: M2.  x_then_y: A->C M1 M2 (M4's A is too late) = 2.
# A->C: support 3/5, confidence 2/3, lift (2/3) / (4/5 bought C) = 0.8333;
#   gaps 0 10 30: q1 = 0 + 0.5 x 10 = 5, median 10, q3 = 10 + 0.5 x 20 = 20.
# C->A: M1 19, M3 9: support 2/5, confidence 2/3, lift 0.8333, gaps 9 19: 11.5, 14, 16.5.
# B->A, B->C, E->C: one member each, confidence 1/1, lift 1 / (4/5) = 1.25.
$ behav_setup
$ karta import-receipts b | head -1
receipts 15, lines 21, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ karta sequences --as-of 2026-06-30 --window 30 --min-support 0.2 --min-confidence 0 --format csv
x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3
A,C,3,0.6000,3,2,0.6667,0.8333,5.00,10.00,20.00
C,A,2,0.4000,3,2,0.6667,0.8333,11.50,14.00,16.50
B,A,1,0.2000,1,1,1.0000,1.2500,19.00,19.00,19.00
B,C,1,0.2000,1,1,1.0000,1.2500,0.00,0.00,0.00
E,C,1,0.2000,1,1,1.0000,1.2500,30.00,30.00,30.00
# min-support 0.3 keeps rules of two members or more; min-confidence 0.7 none of them
$ karta sequences --as-of 2026-06-30 --window 30 --min-support 0.3 --min-confidence 0.5 --format csv
x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3
A,C,3,0.6000,3,2,0.6667,0.8333,5.00,10.00,20.00
C,A,2,0.4000,3,2,0.6667,0.8333,11.50,14.00,16.50
$ karta sequences --as-of 2026-06-30 --window 30d --min-support 0.3 --min-confidence 0.7 --format csv
x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3
# W = 29 drops M2's 30-day gaps; D - W = 06-01 lets M2's A of 06-01 count for x_members (still 3):
# A->C: M1 (0), M4 (10): x_then_y M1 only: 1/3, lift (1/3) / (4/5) = 0.4167
$ karta sequences --as-of 2026-06-30 --window 29 --min-support 0.3 --format csv
x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3
A,C,2,0.4000,3,1,0.3333,0.4167,2.50,5.00,7.50
C,A,2,0.4000,3,2,0.6667,0.8333,11.50,14.00,16.50
# by category: C0101 -> C0102 (M1 gap 0, M2 30, M4 10), C0102 -> C0101 (M1 19, M3 9);
# M2's C0101 -> C0101 is the same item: never a rule
$ karta sequences --as-of 2026-06-30 --window 30 --level category --min-support 0.2 --format csv
x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3
C0101,C0102,3,0.6000,3,2,0.6667,0.8333,5.00,10.00,20.00
C0102,C0101,2,0.4000,3,2,0.6667,0.8333,11.50,14.00,16.50
$ karta sequences --as-of 2026-06-30 --window 30 --min-support 0.5 --format json
{
 "as_of":"2026-06-30",
 "window_days":30,
 "members":5,
 "sequences":[
  {"x":"A", "y":"C", "members":3, "support":0.6000, "x_members":3, "x_then_y":2, "confidence":0.6667, "lift":0.8333, "gap_q1":5.00, "gap_median":10.00, "gap_q3":20.00}
 ]
}
# one thread or four: the same rules
$ karta sequences --as-of 2026-06-30 --window 30 --min-support 0.2 --threads 1 --format csv | md5sum; karta sequences --as-of 2026-06-30 --window 30 --min-support 0.2 --threads 4 --format csv | md5sum
02737342657fa3ef1a44fbbadb7d87c0  -
02737342657fa3ef1a44fbbadb7d87c0  -
