# A3 XYZ and the ABC-XYZ matrix on the hand-computed chain of seg_setup.
# Weeks from Monday 2026-02-02 to Sunday 2026-03-01: P = 4 periods.
#   P1: 0, 1+1, 0, 2+1 = [0, 2, 0, 3]  mean 1.25  sd sqrt(13/4 - 1.25^2) = 1.299  cv 1.0392 Z
#   P2: [0, 1, 0, 0]                    mean 0.25  sd 0.433  cv 1.7321 Z
#   P3: [2, 4, 0, 1]                    mean 1.75  sd sqrt(21/4 - 1.75^2) = 1.479  cv 0.8452 Y
#   P4: [0, 0, 5, 0]                    mean 1.25  sd 2.165  cv 1.7321 Z
$ seg_setup
receipts 13, lines 17, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ karta xyz --period week --from 2026-02-02 --as-of 2026-03-01 --format csv
item,periods,mean,stddev,cv,class
P1,4,1.250,1.299,1.0392,Z
P2,4,0.250,0.433,1.7321,Z
P3,4,1.750,1.479,0.8452,Y
P4,4,1.250,2.165,1.7321,Z
# Months December to March (March holds only the as-of day, no sales: a 0):
#   P1 [2, 3, 5, 0] mean 2.5 sd sqrt(38/4 - 6.25) = 1.803 cv 0.7211 Y
#   P2 [1, 1-1, 1, 0] = [1, 0, 1, 0] mean 0.5 sd 0.5 cv exactly 1: not below 1.0, so Z
#   P3 [1, 0, 7, 0] cv 1.4577 Z;  P4 [1, 0, 5, 0] cv 1.3744 Z
$ karta xyz --period month --from 2025-12-01 --as-of 2026-03-01 --format csv
item,periods,mean,stddev,cv,class
P1,4,2.500,1.803,0.7211,Y
P2,4,0.500,0.500,1.0000,Z
P3,4,2.000,2.915,1.4577,Z
P4,4,1.500,2.062,1.3744,Z
$ karta xyz --period month --from 2025-12-01 --as-of 2026-03-01 --y 1.01 --x 0.73 --format csv | cut -d, -f1,6
item,class
P1,X
P2,Y
P3,Z
P4,Z
# top categories, January and February: C01 [3, 6] cv 0.3333 X; C02 [0, 12] cv 1 Z
$ karta xyz --of top --period month --from 2026-01-01 --as-of 2026-02-28 --format json
{
 "as_of":"2026-02-28",
 "of":"top",
 "period":"month",
 "items":[
  {"item":"C01", "periods":2, "mean":4.500, "stddev":1.500, "cv":0.3333, "class":"X"},
  {"item":"C02", "periods":2, "mean":6.000, "stddev":6.000, "cv":1.0000, "class":"Z"}
 ]
}
# without --from the range starts at the first receipt (Monday 2025-12-01): 13 weeks
$ karta xyz --as-of 2026-03-01 --format csv | cut -d, -f1-2
item,periods
P1,13
P2,13
P3,13
P4,13
# ABC by revenue (P1 P2 P4 A, P3 B) crossed with the monthly XYZ above (P1 Y, others Z):
# AY = P1 1000.00; AZ = P2 + P4 = 1080.00; BZ = P3 400.00 (of 2480.00)
$ karta abc-xyz --period month --from 2025-12-01 --as-of 2026-03-01 --format csv
abc,xyz,items,value,share
A,X,0,0.00,0.0000
A,Y,1,1000.00,0.4032
A,Z,2,1080.00,0.4355
B,X,0,0.00,0.0000
B,Y,0,0.00,0.0000
B,Z,1,400.00,0.1613
C,X,0,0.00,0.0000
C,Y,0,0.00,0.0000
C,Z,0,0.00,0.0000
$ karta abc-xyz --of top --by units --period month --from 2026-01-01 --as-of 2026-02-28 --format csv | grep -v ',0,'
abc,xyz,items,value,share
A,X,1,9.000,0.4286
A,Z,1,12.000,0.5714
# bad parameters
$ karta xyz --period day
karta: usage: --period: want week or month, not "day"
[exit 2]
$ karta xyz --of member
karta: usage: --of: want sku, category, top or brand, not "member"
[exit 2]
$ karta xyz --x 1 --y 0.5
karta: usage: --y: must be above --x (1)
[exit 2]
$ karta xyz --x -1
karta: usage: --x: want a positive number, not "-1"
[exit 2]
$ karta abc-xyz --of store
karta: usage: --of: want sku, category, top or brand, not "store"
[exit 2]
# an empty store
$ rm -rf data; karta init >/dev/null; karta xyz --format csv; karta abc-xyz --format csv; karta xyz --from 2026-01-01 --format json
item,periods,mean,stddev,cv,class
abc,xyz,items,value,share
{
 "as_of":null,
 "of":"sku",
 "period":"week",
 "items":[]
}
# XYZ against the same moments in SQLite on a generated chain, and the matrix against
# the cross of the SQLite ABC and XYZ classes
$ seg_gen
receipts 1370, lines 9514, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ seg_xyz_vs_sqlite 2026-01-05 2026-03-01 sku week; seg_xyz_vs_sqlite 2026-01-01 2026-03-10 category month; seg_xyz_vs_sqlite 2026-01-07 2026-02-26 brand week
same xyz --of sku --period week (classes: X 115 Y 80 Z 5) for 200 rows
same xyz --of category --period month (classes: X 113 Y 71) for 184 rows
same xyz --of brand --period week (classes: X 56 Y 38 Z 2) for 96 rows
$ seg_abc_vs_sqlite 2026-03-10 sku revenue >/dev/null; seg_xyz_vs_sqlite 2026-01-01 2026-03-10 sku week >/dev/null; seg_abcxyz_vs_sqlite 2026-01-01 2026-03-10 sku revenue week
same abc-xyz --of sku --by revenue --period week for 9 rows
$ seg_abc_vs_sqlite 2026-03-10 category units >/dev/null; seg_xyz_vs_sqlite 2026-01-01 2026-03-10 category month >/dev/null; seg_abcxyz_vs_sqlite 2026-01-01 2026-03-10 category units month
same abc-xyz --of category --by units --period month for 9 rows
