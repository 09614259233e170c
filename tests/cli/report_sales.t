# R1 sales on the hand-made chain of report_setup (tests/cli/helpers.sh), as of 2026-03-01
# (r8 on 03-02 is left out). Receipts: r1 M1 130.00 (2 lines, 3 units) Mon 01-05 10h;
# r2 M2 80.00 (1, 1) Tue 01-20 18h; r9 unknown card 20.00 (1, 2) Thu 01-15 15h;
# r3 M1 160.00 (3, 5) Tue 02-03 10h; r4 M3 60.00 (1, 2) Tue 02-10 12h; r5 return of one
# unit of r4 30.00 Wed 02-11 12h; r6 no card 10.00 (1, 1) Sat 02-14 9h; r7 M2 210.00 (2, 3)
# Sat 02-28 18h. receipts and lines count sales; units and sales are net; members are
# distinct cards (not r6, not r9).
#   January: 3 receipts, 4 lines, 6 units, 230.00, M1 M2
#   February: 4 receipts (r3 r4 r6 r7), 7 lines, 5+2-1+1+3 = 10 units, 160+60-30+10+210 = 410.00, M1 M3 M2
$ report_setup
receipts 9, lines 13, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
$ karta report sales --by month --as-of 2026-03-01 --format csv
period,receipts,lines,units,sales,members
2026-01,3,4,6.000,230.00,2
2026-02,4,7,10.000,410.00,3
# hours: 9 r6; 10 r1 r3 (M1 twice: 1 member); 12 r4 and its return; 15 r9; 18 r2 r7 (M2)
$ karta report sales --by hour --as-of 2026-03-01 --format csv
period,receipts,lines,units,sales,members
9,1,1,1.000,10.00,0
10,2,5,8.000,290.00,1
12,1,1,1.000,30.00,1
15,1,1,2.000,20.00,0
18,2,3,4.000,290.00,1
# ISO weekdays: 1 r1; 2 r2 r3 r4; 3 the return alone; 4 r9; 6 r6 r7
$ karta report sales --by weekday --as-of 2026-03-01 --format csv
period,receipts,lines,units,sales,members
1,1,2,3.000,130.00,1
2,3,5,8.000,300.00,3
3,0,0,-1.000,-30.00,0
4,1,1,2.000,20.00,0
6,2,3,4.000,220.00,1
# weeks by their Monday: 01-05 r1; 01-12 r9; 01-19 r2; 02-02 r3; 02-09 r4 r5 r6; 02-23 r7
$ karta report sales --by week --as-of 2026-03-01 --format csv
period,receipts,lines,units,sales,members
2026-01-05,1,2,3.000,130.00,1
2026-01-12,1,1,2.000,20.00,0
2026-01-19,1,1,1.000,80.00,1
2026-02-02,1,3,5.000,160.00,1
2026-02-09,2,2,2.000,40.00,1
2026-02-23,1,2,3.000,210.00,1
# default as-of: the last day with a receipt (r8 on 03-02 joins March)
$ karta report r1 --by month --format csv
period,receipts,lines,units,sales,members
2026-01,3,4,6.000,230.00,2
2026-02,4,7,10.000,410.00,3
2026-03,1,1,1.000,50.00,1
# one store; a day range (both ends inclusive)
$ karta report sales --by month --as-of 2026-03-01 --store S002 --format csv
period,receipts,lines,units,sales,members
2026-01,1,1,2.000,20.00,0
2026-02,2,4,6.000,190.00,2
$ karta report sales --by day --from 2026-02-01 --to 2026-02-10 --format csv
period,receipts,lines,units,sales,members
2026-02-03,1,3,5.000,160.00,1
2026-02-10,1,1,2.000,60.00,1
$ karta report sales --by month --as-of 2026-03-01 --region Татарстан
period   receipts  lines  units   sales  members
2026-01         1      1  2.000   20.00        0
2026-02         2      4  6.000  190.00        2
$ karta report sales --by month --as-of 2026-03-01 --format json
{
 "as_of":"2026-03-01",
 "report":"sales",
 "sales":[
  {"period":"2026-01", "receipts":3, "lines":4, "units":6.000, "sales":230.00, "members":2},
  {"period":"2026-02", "receipts":4, "lines":7, "units":10.000, "sales":410.00, "members":3}
 ]
}
# the same on one thread and on four
$ karta report sales --by hour --threads 1 --format csv | md5sum; karta report sales --by hour --threads 4 --format csv | md5sum
12002bea19ee613454f16f91a5f6f381  -
12002bea19ee613454f16f91a5f6f381  -
# bad options
$ karta report sales --by year
karta: usage: --by: want hour, weekday, day, week or month, not "year"
[exit 2]
$ karta report sales --by sex
karta: usage: --by: want hour, weekday, day, week or month, not "sex"
[exit 2]
$ karta report sales --top 5
karta: usage: --top: does not apply to the sales report (see karta report sales --help)
[exit 2]
$ karta report sales --from 2026-13-01
karta: usage: --from: not a date (want YYYY-MM-DD): "2026-13-01": there is no month 13
[exit 2]
$ karta report sales --from 2026-02-10 --to 2026-02-01
karta: usage: --from: is after --to
[exit 2]
$ karta report sales --store S404
karta: not_found: --store: no store "S404"
[exit 3]
$ karta report sales --region Марс
karta: not_found: --region: no store in region "Марс"
[exit 3]
$ karta report sales --format xml
karta: usage: --format: want table, csv or json, not "xml"
[exit 2]
$ karta report sales extra
karta: usage: extra: unexpected argument (see report --help)
[exit 2]
$ karta report nosuch
karta: usage: NAME: no report "nosuch" (karta report --list shows them)
[exit 2]
$ karta report
karta: usage: NAME: which report? (karta report --list shows them)
[exit 2]
$ karta report --list sales
karta: usage: --list: takes no report name
[exit 2]
