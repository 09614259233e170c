# A11 loss: what members stand to lose, from the ledger, the offers and the active rules
# (seed rules: points expire 365 days after they are earned; birthday_x4 pays on the
# birthday itself, window 0 days each side, 29 February counted as 28 February).
# Members (registered 2026-03-01): 1001 born 06-15, favourite C01; 2902 born 1992-02-29, no
# favourite; 3003 and 4004 with a favourite and no birth date; 5005 born 03-05, favourite C02.
$ pos_setup
$ karta member add --card 3003 --favourite-category C01 >/dev/null; karta member add --card 4004 --favourite-category C01 >/dev/null; karta member add --card 5005 --birth-date 1985-03-05 --favourite-category C02 >/dev/null
# 1001 earns 20 points on 2026-03-10 (last valid day 2027-03-10) and 80 by the birthday rule on
# its birthday 2026-06-15 (valid to 2027-06-15); 2902 earns 20 on 2026-03-20 (to 2027-03-20)
$ RECEIPT=L1 basket 2026-03-10T12:00:00+03:00 1001 S001 COLA:1:20000 | karta pos commit | earn
20 | 1:base=20@program
$ RECEIPT=L2 basket 2026-03-20T12:00:00+03:00 2902 S001 COLA:1:20000 | karta pos commit | earn
20 | 1:base=20@program
$ RECEIPT=L3 basket 2026-06-15T12:00:00+03:00 1001 S001 COLA:1:20000 | karta pos commit | earn
80 | 1:birthday_x4=80@program
# 3003: an offer to 03-20 with 2 uses, one to the end of 2027, one that ended on 02-01;
# 4004: an offer that starts in April (not open yet)
$ printf 'member,code,kind,target,value,threshold,valid_from,valid_to,uses_max,funded_by,campaign\n3003,,percent_off,category:C02,1500,,2027-03-01,2027-03-20,2,program,a\n3003,,amount_off,any,5000,,2027-03-01,2027-12-31,1,program,b\n3003,,amount_off,any,5000,,2027-01-01,2027-02-01,1,program,old\n4004,,amount_off,any,5000,,2027-04-01,2027-04-30,1,program,later\n' > offers.csv; karta offers issue offers.csv
4 offers issued
# As of 2027-03-05, 30 days: 1001's 20 points end on 03-10 (the 80 in June are outside); the
# birthday window 2026-06-15 was used. 2902: 20 points to 03-20; no favourite; the last window
# (2027-02-28) passed unused: missed. 3003: 2 open offers (3 uses), 1 ends by 04-04. 5005: the
# birthday is today, not used yet: open. 4004 has nothing at stake: no row.
$ karta loss --as-of 2027-03-05 --days 30 --format csv
member,expiring_points,next_expiry,offers_open,offers_ending,offer_uses_left,no_favourite,birthday_bonus,birthday_window_end
1001,20,2027-03-10,0,0,0,0,used,2026-06-15
2902,20,2027-03-20,0,0,0,1,missed,2027-02-28
3003,0,,2,1,3,0,,
5005,0,,0,0,0,0,open,2027-03-05
# 4 days: 1001's lot (last day 03-10) is outside [03-05, 03-09]; 2902's too; no offer ends by 03-09
$ karta loss --as-of 2027-03-05 --days 4 --format csv
member,expiring_points,next_expiry,offers_open,offers_ending,offer_uses_left,no_favourite,birthday_bonus,birthday_window_end
2902,0,,0,0,0,1,missed,2027-02-28
3003,0,,2,0,3,0,,
5005,0,,0,0,0,0,open,2027-03-05
# by default as of today (2026-03-01): 2902 registered after its 2026-02-28 window: no verdict
$ karta loss --format csv
member,expiring_points,next_expiry,offers_open,offers_ending,offer_uses_left,no_favourite,birthday_bonus,birthday_window_end
2902,0,,0,0,0,1,,
# the ledger is only read
$ karta check
ok
