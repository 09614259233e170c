# Pending points (spendable after N days, so a return can take them back) and
# expiry of points earned at the checkout.
$ pos_setup
$ jq '.program.pending_days = 14 | .program.expiry_days = 30' $KARTA_TESTS/../examples/rules/seed.json > pending.json && karta rules load pending.json
rules version 2 loaded and active
$ RECEIPT=P1 basket 2026-03-01T12:00:00+03:00 1001 S001 COLA:1:10000 | karta pos commit | jq -c '[.earned, .balance]'
[10,10]
$ RECEIPT=P2 basket 2026-03-01T12:30:00+03:00 1001 S001 COLA:2:10000 | karta pos commit | jq -c '[.earned, .balance]'
[20,30]
$ karta pos balance 1001 | jq -c '[.balance, .available, .pending, [.lots[] | [.points, .available_from, .last_day, .pending]]]'
[30,0,30,[[10,"2026-03-15","2026-04-14",true],[20,"2026-03-15","2026-04-14",true]]]
# pending points cannot pay
$ RECEIPT=P3 basket 2026-03-05T12:00:00+03:00 1001 S001 COLA:1:10000 | jq -c '.redeem = 5' | karta pos commit
karta: insufficient_points: $.redeem: 5 points asked, 0 can be redeemed on this receipt (0 available)
[exit 6]
# a return within the window takes the pending points back: no debt
$ echo '{"store":"S001","receipt":"PR1","original":"P1","time":"2026-03-05T10:00:00+03:00"}' | karta pos refund | jq -c '[.points_reversed, .balance]'
[10,20]
# from the 15th the rest is spendable
$ RECEIPT=P4 basket 2026-03-15T12:00:00+03:00 1001 S001 COLA:1:10000 | jq -c '.redeem = 20' | karta pos commit | jq -c '[.redeemed, .to_pay, .earned]'
[20,9800,9]
# P4's own 9 points are pending until the 29th and last until 28 April; nothing burns before
$ karta expire --date 2026-04-15
expired 0 points in 0 lots of 0 members
$ karta expire --date 2026-04-29
expired 9 points in 1 lots of 1 members
$ karta check
ok
