# R7, R12, R14 on report_setup's chain as of 2026-03-01.
$ report_setup
receipts 9, lines 13, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
# R7 by month: S001 Jan r1 r2 210.00, Feb r6 r7 220.00 (+10.00, 10/210); S002 Jan r9 20.00,
# Feb r3 r4 and the return 190.00 (+170.00, 170/20)
$ karta report store-dynamics --as-of 2026-03-01 --format csv
store,period,receipts,sales,prev_sales,change,change_share
S001,2026-01,2,210.00,,,
S001,2026-02,2,220.00,210.00,10.00,0.0476
S002,2026-01,1,20.00,,,
S002,2026-02,2,190.00,20.00,170.00,8.5000
$ karta report store-dynamics --as-of 2026-03-01 --by week --store S002 --format csv
store,period,receipts,sales,prev_sales,change,change_share
S002,2026-01-12,1,20.00,,,
S002,2026-01-19,0,0.00,20.00,-20.00,-1.0000
S002,2026-01-26,0,0.00,0.00,0.00,
S002,2026-02-02,1,160.00,0.00,160.00,
S002,2026-02-09,1,30.00,160.00,-130.00,-0.8125
# R12: S001 r1 r2 r6 r7: 4 receipts, 3 with a card, members M1 M2, 430.00, avg 107.50;
# S002 r3 r4 r9: 3 receipts, r3 r4 with a known card (r9's card is unknown: member 0),
# members M1 M3, 160+60-30+20 = 210.00, avg 70.00
$ karta report store-frequency --as-of 2026-03-01 --format csv
store,receipts,card_receipts,members,receipts_per_member,sales,avg_receipt
S001,4,3,2,1.50,430.00,107.50
S002,3,2,2,1.00,210.00,70.00
$ karta report r12 --as-of 2026-03-01 --from 2026-02-01 --format csv
store,receipts,card_receipts,members,receipts_per_member,sales,avg_receipt
S001,2,1,1,1.00,220.00,110.00
S002,2,2,2,1.00,190.00,95.00
# R14 by month: M1 registered at S001 in December, bought r1 at S001 and r3 at S002;
# M2 at S001 in January, both receipts there; M3 at S002 in February; M4 at no store
$ karta report registrations --as-of 2026-03-01 --format csv
store,period,registrations,buyers,receipts,receipts_here,here_share
S001,2025-12,1,1,2,1,0.5000
S001,2026-01,1,1,2,2,1.0000
S002,2026-02,1,1,1,1,1.0000
,2025-06,1,0,0,0,
$ karta report registrations --as-of 2026-03-01 --store S001 --by day --format csv
store,period,registrations,buyers,receipts,receipts_here,here_share
S001,2025-12-01,1,1,2,1,0.5000
S001,2026-01-10,1,1,2,2,1.0000
$ karta report registrations --as-of 2026-03-01 --from 2026-01-01
store  period   registrations  buyers  receipts  receipts_here  here_share
S001   2026-01              1       1         2              2      1.0000
S002   2026-02              1       1         1              1      1.0000
