# A rule's daily limit per member, counted from what the member's receipts of
# that local day earned by that rule, through the store.
$ pos_setup
$ jq '.rules[0].limit = {"per_member_per_day": 25}' $KARTA_TESTS/../examples/rules/seed.json > limited.json && karta rules load limited.json
rules version 2 loaded and active
$ RECEIPT=L1 basket 2026-03-01T10:00:00+03:00 1001 S001 COLA:1:10000 | karta pos commit | jq -c '[.earned, .balance]'
[10,10]
# 20 more would pass the limit of 25: 15
$ RECEIPT=L2 basket 2026-03-01T12:00:00+03:00 1001 S001 COLA:2:10000 | karta pos commit | jq -c '[.earned, .balance]'
[15,25]
$ RECEIPT=L3 basket 2026-03-01T23:30:00+03:00 1001 S001 COLA:1:10000 | karta pos commit | jq -c '[.earned, .balance]'
[0,25]
# another member on the same day has a limit of their own
$ RECEIPT=L4 basket 2026-03-01T12:00:00+03:00 2902 S001 COLA:3:10000 | karta pos commit | jq -c '[.earned, .balance]'
[25,25]
# a refund of the day's first sale takes its points back; what the rule earned that day stands
$ echo '{"store":"S001","receipt":"LR1","original":"L1","time":"2026-03-01T18:00:00+03:00"}' | karta pos refund | jq -c '[.points_reversed, .balance]'
[10,15]
$ RECEIPT=L5 basket 2026-03-01T19:00:00+03:00 1001 S001 COLA:1:10000 | karta pos commit | jq -c '[.earned, .balance]'
[0,15]
# the next local day (00:30 in Moscow is still the 1st in UTC) starts again
$ RECEIPT=L6 basket 2026-03-02T00:30:00+03:00 1001 S001 COLA:4:10000 | karta pos commit | jq -c '[.earned, .balance]'
[25,40]
$ RECEIPT=L7 basket 2026-03-02T09:00:00+03:00 1001 S001 COLA:1:10000 | karta pos commit | jq -c '[.earned, .balance]'
[0,40]
$ karta check
ok
# an earning row moved to another day than its receipt's is caught
$ sqlite3 data/karta.db "UPDATE receipt_earn SET day = day + 1 WHERE rowid = (SELECT MIN(rowid) FROM receipt_earn)"
$ karta check
violation: earning row 1: receipt 1 has another member or day (earning's member 1)
1 violations
[exit 7]
