# R2 from the ledger: the checkout of pos_setup (tests/cli/pos_ops.t has the same receipts):
# 03-01 A0 earns 12 and A1 229; 03-02 A2 redeems 150; 03-10 a refund of one milk reverses 100;
# 03-11 a staff correction of +50 for the second member, valid to 03-12, burnt on 03-13.
$ pos_setup
$ RECEIPT=A0 basket 2026-03-01T11:00:00+03:00 1001 S001 COLA:1:12345 | karta pos commit | jq -c '[.earned, .balance]'
[12,12]
$ RECEIPT=A1 basket 2026-03-01T12:00:00+03:00 1001 S001 MILK:2:25000 COLA:3:9999 | karta pos commit | jq -c '[.earned, .balance]'
[229,241]
$ RECEIPT=A2 basket 2026-03-02T12:00:00+03:00 1001 S001 VODKA:1:100000 COLA:1:1500 | jq -c '.redeem = "max"' | karta pos commit | jq -c '[.redeemed, .balance]'
[150,91]
$ echo '{"store":"S001","receipt":"RF1","original":"A1","time":"2026-03-10T10:00:00+03:00","lines":[{"line":1,"qty":1}]}' | karta pos refund | jq -c '[.points_reversed, .balance]'
[100,-9]
$ KARTA_NOW=2026-03-11T10:00:00+03:00 karta points adjust 2902 --points 50 --staff anna --reason test --expires 2026-03-12
member #2: +50 points (ledger transaction 5)
$ KARTA_NOW=2026-03-13T10:00:00+03:00 karta expire --date 2026-03-13
expired 50 points in 1 lots of 1 members
# weeks (Mondays 02-23, 03-02, 03-09); outstanding is the sum of balances at each week's end
$ karta report points --by week --format csv
period,accrued,redeemed,expired,reversed,adjusted,outstanding
2026-02-23,241,0,0,0,0,241
2026-03-02,0,150,0,0,0,91
2026-03-09,0,0,50,100,50,-9
$ karta report points --format csv
period,accrued,redeemed,expired,reversed,adjusted,outstanding
2026-03,241,150,50,100,50,-9
# as of 03-11 the expiry has not happened yet
$ karta report points --by week --as-of 2026-03-11 --format csv
period,accrued,redeemed,expired,reversed,adjusted,outstanding
2026-02-23,241,0,0,0,0,241
2026-03-02,0,150,0,0,0,91
2026-03-09,0,0,0,100,50,41
# every day of a range, quiet days too; the balance carried in from before --from
$ karta report points --by day --from 2026-03-02 --to 2026-03-04 --format csv
period,accrued,redeemed,expired,reversed,adjusted,outstanding
2026-03-02,0,150,0,0,0,91
2026-03-03,0,0,0,0,0,91
2026-03-04,0,0,0,0,0,91
$ karta report r2 --by month --format json
{
 "as_of":"2026-03-10",
 "report":"points",
 "points":[
  {"period":"2026-03", "accrued":241, "redeemed":150, "expired":50, "reversed":100, "adjusted":50, "outstanding":-9}
 ]
}
$ karta report points --store S001
karta: usage: --store: does not apply to the points report (see karta report points --help)
[exit 2]
$ karta report points --by hour
karta: usage: --by: want day, week or month, not "hour"
[exit 2]
